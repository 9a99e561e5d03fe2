"""``rampkit ramps``: list, show and convert ramps."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rampkit.color import to_hex
from rampkit.presets import load_ramp, registry

__all__ = ["add_parser"]

SHOW_FORMATS = ("summary", "json", "colorramp", "gdaldem")


def _list(args: argparse.Namespace) -> int:
    presets = registry()
    width = max(len(name) for name in presets)
    for name, ramp in presets.items():
        print(f"{name:<{width}}  {ramp.description}")
    return 0


def _show(args: argparse.Namespace) -> int:
    ramp = load_ramp(args.name)
    if args.format == "json":
        print(json.dumps(ramp.to_dict(), indent=2))
    elif args.format == "colorramp":
        from rampkit.formats.api import to_color_ramp

        print(json.dumps(to_color_ramp(ramp, lossy=True)))
    elif args.format == "gdaldem":
        from rampkit.formats.gdaldem import dumps_gdaldem

        print(dumps_gdaldem(ramp), end="")
    else:
        print(f"name:        {ramp.name}")
        print(f"description: {ramp.description}")
        print(f"mode:        {ramp.mode}")
        print(f"positions:   {'percent of basis' if ramp.relative else 'values'}")
        for key, color in zip(ramp.keys(), ramp.colors, strict=True):
            print(f"  {key:>10}  {to_hex(color)}")
        print(f"  {'nv':>10}  {to_hex(ramp.nodata_color, alpha=True)}")
    return 0


def add_parser(subparsers: Any) -> None:
    """Register ``rampkit ramps`` and its subcommands."""
    parser = subparsers.add_parser("ramps", help="list, show and convert color ramps")
    commands = parser.add_subparsers(dest="ramps_command", metavar="SUBCOMMAND")

    list_parser = commands.add_parser("list", help="list the built-in and user ramps")
    list_parser.set_defaults(func=_list)

    show = commands.add_parser("show", help="print one ramp")
    show.add_argument("name", help="preset name (add _r to reverse) or ramp file")
    show.add_argument(
        "--format",
        choices=SHOW_FORMATS,
        default="summary",
        help="summary (default), rampkit JSON, the API's colorRamp or gdaldem text",
    )
    show.set_defaults(func=_show)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)
