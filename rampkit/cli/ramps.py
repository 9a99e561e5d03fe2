"""``rampkit ramps``: list, show and convert ramps."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from rampkit.color import to_hex
from rampkit.errors import FormatError
from rampkit.formats.document import RampDocument
from rampkit.presets import load_ramp, registry
from rampkit.ramp import Ramp

__all__ = ["add_parser"]


def _list(args: argparse.Namespace) -> int:
    presets = registry()
    width = max(len(name) for name in presets)
    for name, ramp in presets.items():
        print(f"{name:<{width}}  {ramp.description}")
    return 0


def _open_class_index(ramp: Ramp) -> int | None:
    """Return the index of a discrete ramp's open top class, if it has one.

    In ``discrete`` mode a last stop that repeats the previous position
    colors only the values above that position (QGIS writes it as ``inf``).
    """
    positions = ramp.positions
    if ramp.mode == "discrete" and len(positions) > 1 and positions[-1] == positions[-2]:
        return len(positions) - 1
    return None


def _print_summary(document: RampDocument) -> None:
    ramp = document.ramp
    print(f"name:        {ramp.name}")
    print(f"description: {ramp.description}")
    print(f"mode:        {ramp.mode}")
    print(f"positions:   {'percent of basis' if ramp.relative else 'values'}")
    keys = list(ramp.keys())
    open_class = _open_class_index(ramp)
    if open_class is not None:
        keys[open_class] = f"> {keys[open_class]}"
    labels = document.labels or ("",) * len(keys)
    for key, color, label in zip(keys, ramp.colors, labels, strict=True):
        print(f"  {key:>10}  {to_hex(color):<9}  {label}".rstrip())
    print(f"  {'nv':>10}  {to_hex(ramp.nodata_color, alpha=True)}")


def _load_document(name: str) -> RampDocument:
    """Read a ramp file with its labels, or look up a preset by name."""
    from rampkit.formats import read_document

    path = Path(name)
    if path.suffix and path.is_file():
        return read_document(path)
    return RampDocument(load_ramp(name))


def _show(args: argparse.Namespace) -> int:
    document = _load_document(args.name)
    if args.format in ("summary", "json") and (args.basis or args.lossy or args.option):
        raise FormatError(
            f"--basis, --lossy and --option do not apply to --format {args.format}; "
            "use them with a format that convert writes, such as --format qml"
        )
    if args.format == "summary":
        _print_summary(document)
        return 0
    if args.format == "json":
        print(json.dumps(document.ramp.to_dict(), indent=2))
        return 0
    from rampkit.formats import dumps_ramp

    options = dict(args.option or [])
    text = dumps_ramp(document, args.format, lossy=args.lossy, basis=args.basis, **options)
    sys.stdout.write(text)
    return 0


def _basis(values: list[str]) -> tuple[float, float]:
    """Parse the two values of ``--basis MIN MAX``.

    ``main`` splits the one-token form ``--basis MIN,MAX`` into two before
    parsing, so that the option takes exactly two values and can stand
    anywhere on the line.
    """
    text = " ".join(values)
    try:
        vmin, vmax = (float(part) for part in values)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"basis {text!r} is not two numbers; give MIN MAX or MIN,MAX such as --basis 0 250"
        ) from None
    if not (math.isfinite(vmin) and math.isfinite(vmax)) or vmin > vmax:
        raise argparse.ArgumentTypeError(
            f"basis {text!r} is not a finite range with MIN <= MAX; give one such as --basis 0 250"
        )
    return vmin, vmax


class _BasisAction(argparse.Action):
    """Store ``--basis`` as a ``(vmin, vmax)`` pair."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        try:
            setattr(namespace, self.dest, _basis(list(values)))
        except argparse.ArgumentTypeError as exc:
            raise argparse.ArgumentError(self, str(exc)) from None


def _option(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(
            f"option {text!r} is not KEY=VALUE; write for example resolution=2"
        )
    # Values stay text; each format's writer converts its numeric options
    # (resolution, band, nodata) and names the option when a value is invalid.
    return key.strip().replace("-", "_"), value


def _read_input(source: str, format_name: str | None) -> Any:
    from rampkit.formats import RampDocument, get_format, read_document

    if format_name is not None and not get_format(format_name).file_based:
        return read_document(source, format=format_name)
    path = Path(source)
    if path.exists() or format_name is not None:
        return read_document(path, format=format_name)
    # Not a file: a preset name such as 'yield' or 'leaf_standard_r'.
    return RampDocument(load_ramp(source))


def _convert(args: argparse.Namespace) -> int:
    from rampkit.formats import dumps_ramp, write_ramp

    document = _read_input(args.input, args.from_format)
    options = dict(args.option or [])
    if args.output == "-":
        if args.to_format is None:
            raise FormatError(
                "OUT '-' (standard output) has no file name to tell the format from; "
                "add --to FORMAT"
            )
        sys.stdout.write(
            dumps_ramp(document, args.to_format, lossy=args.lossy, basis=args.basis, **options)
        )
        return 0
    path = write_ramp(
        document,
        args.output,
        format=args.to_format,
        overwrite=args.force,
        lossy=args.lossy,
        basis=args.basis,
        **options,
    )
    print(f"wrote {path}", file=sys.stderr)
    return 0


def _formats(args: argparse.Namespace) -> int:
    from rampkit.formats import FORMATS

    rows = [("FORMAT", "READ", "WRITE", "EXTENSIONS", "MODES", "ALPHA", "PERCENT", "OPTIONS")]
    for fmt in FORMATS.values():
        # Endings that only the reader recognizes (.cpt) are marked, because
        # convert rejects them as OUT.
        read_only = tuple(f"{ending}(read)" for ending in fmt.read_extensions)
        rows.append(
            (
                fmt.name,
                "yes" if fmt.can_read else "-",
                "yes" if fmt.can_write else "-",
                " ".join(fmt.extensions + read_only) or "(by name)",
                ",".join(fmt.modes),
                "yes" if fmt.alpha else "-",
                "yes" if fmt.percent else "needs --basis",
                ",".join(fmt.options) or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
    if args.verbose_list:
        print()
        for fmt in FORMATS.values():
            print(f"{fmt.name}: {fmt.description}")
    return 0


def _show_formats() -> tuple[str, ...]:
    from rampkit.formats import FORMATS

    writable = tuple(name for name, fmt in FORMATS.items() if fmt.can_write)
    return ("summary", "json", *writable)


def _add_writer_arguments(command: argparse.ArgumentParser) -> None:
    """Add --basis, --lossy and --option, which show and convert pass to the writer."""
    command.add_argument(
        "--basis",
        nargs=2,
        action=_BasisAction,
        metavar=("MIN", "MAX"),
        help="value range that percent stops resolve against, for formats that take values: "
        "two numbers, MIN MAX or MIN,MAX, with MIN below MAX",
    )
    command.add_argument(
        "--lossy", action="store_true", help="write even if the format loses part of the ramp"
    )
    command.add_argument(
        "--option",
        # -O, because -o names the output file in 'rampkit render'.
        "-O",
        action="append",
        type=_option,
        metavar="KEY=VALUE",
        help="a format option such as resolution=2, nodata=-9999 or kind=intervals "
        "(repeatable; 'rampkit ramps formats' lists each format's options)",
    )


def add_parser(subparsers: Any) -> None:
    """Register ``rampkit ramps`` and its subcommands."""
    parser = subparsers.add_parser("ramps", help="list, show and convert color ramps")
    commands = parser.add_subparsers(dest="ramps_command", metavar="SUBCOMMAND")

    list_parser = commands.add_parser("list", help="list the built-in and user ramps")
    list_parser.set_defaults(func=_list)

    show = commands.add_parser(
        "show",
        help="print one ramp",
        description=(
            "Print a ramp: a summary of its stops and labels, or the ramp in any format "
            "that convert writes ('rampkit ramps formats' lists them)."
        ),
    )
    show.add_argument("name", help="preset name (add _r to reverse) or ramp file")
    show.add_argument(
        "--format",
        choices=_show_formats(),
        default="summary",
        metavar="FORMAT",
        help="summary (default), json (the ramp's rampkit JSON) or a format that convert "
        f"writes: {', '.join(_show_formats()[2:])}",
    )
    _add_writer_arguments(show)
    show.set_defaults(func=_show)

    convert = commands.add_parser(
        "convert",
        help="convert a ramp file from one format to another",
        description=(
            "Read a ramp (a file, a preset name, or with --from matplotlib a colormap name) "
            "and write it in another format. Formats come from the file names unless "
            "--from and --to name them; 'rampkit ramps formats' lists them. An existing "
            "OUT is kept unless --force is given, and a conversion that would lose part "
            "of the ramp stops with an error unless --lossy is given."
        ),
    )
    convert.add_argument("input", metavar="IN", help="ramp file, preset name or colormap name")
    convert.add_argument("output", metavar="OUT", help="file to write, or - for standard output")
    convert.add_argument("--to", dest="to_format", metavar="FORMAT", help="format of OUT")
    convert.add_argument("--from", dest="from_format", metavar="FORMAT", help="format of IN")
    convert.add_argument("--force", action="store_true", help="replace OUT if it exists")
    _add_writer_arguments(convert)
    convert.set_defaults(func=_convert)

    formats = commands.add_parser("formats", help="list the ramp formats and what they store")
    formats.add_argument(
        "--long", dest="verbose_list", action="store_true", help="also describe each format"
    )
    formats.set_defaults(func=_formats)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)
