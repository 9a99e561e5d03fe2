"""``rampkit render``: render one property of an operation file to a georeferenced PNG."""

from __future__ import annotations

import argparse
import json
import math
import re
from pathlib import Path
from typing import Any

__all__ = [
    "add_input_options",
    "add_parser",
    "add_property_option",
    "add_render_options",
    "fixed_basis",
]

_DESCRIPTION = """\
Render one property of an operation to an RGBA PNG with its GDAL sidecar
(OUT.png.aux.xml) and world file (OUT.pgw). INPUT is a GeoJSON, gzipped
GeoJSON, GeoParquet, zipped shapefile or CSV file of points, or the id of a
bundled sample operation. The points are cleaned (the API's default rules,
the speed filter and the harvest outlier filter), gridded with a footprint
per point sized from its swath width and the distance travelled since the
previous point, and colorized. The command prints the extent and the min
and max that percent stops resolved against.
"""


# Decimals printed for extents: about 0.1 mm in either CRS, which drops the
# float noise of the pixel arithmetic (47.879020000000004 prints as 47.87902).
_PRINTED_DECIMALS = {"EPSG:3857": 4, "EPSG:4326": 9}


def _format_coordinate(value: float, crs: str) -> str:
    text = f"{round(value, _PRINTED_DECIMALS[crs]) + 0.0:.{_PRINTED_DECIMALS[crs]}f}"
    return text.rstrip("0").rstrip(".")


def _check_output(output: Path, force: bool) -> None:
    """Reject a bad or existing output before the slow steps, not after them."""
    from rampkit.errors import ExportExistsError
    from rampkit.image import PNG_SUFFIXES, check_output_path

    check_output_path(output, PNG_SUFFIXES)
    if force:
        return
    sidecars = (output.with_name(output.name + ".aux.xml"), output.with_suffix(".pgw"))
    for path in (output, *sidecars):
        if path.exists():
            raise ExportExistsError(
                f"file {str(path)!r} already exists; pass --force to replace it or "
                "choose another output name"
            )


def _read_input(args: argparse.Namespace) -> Any:
    from rampkit.errors import OperationDataError
    from rampkit.operations import read_operation
    from rampkit.samples import list_samples, load_sample

    source = Path(args.input)
    sample_ids = [entry["id"] for entry in list_samples()]
    if source.is_dir():
        raise OperationDataError(
            f"input {args.input!r} is a folder; give one operation file inside it "
            "(GeoJSON, .geojson.gz, GeoParquet, zipped shapefile or CSV) or a sample id"
        )
    if source.exists():
        try:
            return read_operation(source, encoding=args.encoding)
        except OperationDataError as exc:
            # The library suggests the Python keyword (encoding='iso-8859-1').
            message = re.sub(r"encoding='([^']*)'", r"--encoding \1", str(exc))
            if message == str(exc):
                raise
            raise OperationDataError(message) from exc
    if args.input in sample_ids:
        return load_sample(args.input)
    raise OperationDataError(
        f"input {args.input!r} is neither a file nor a sample id; give a path or one of "
        + ", ".join(sample_ids)
    )


def fixed_basis(vmin: float, vmax: float) -> Any:
    """Return ``Basis.fixed(vmin, vmax)`` for ``--basis``, or raise with the option's wording."""
    from rampkit.colorize import Basis
    from rampkit.errors import RampError

    # Equal values would paint every pixel with one of the ramp's two end
    # colors and draw a legend of one value, so they are rejected too.
    if not (math.isfinite(vmin) and math.isfinite(vmax)) or vmin >= vmax:
        raise RampError(
            f"--basis {vmin:g} {vmax:g} must be two different finite values, the lower "
            "first; for example --basis 0 8"
        )
    return Basis.fixed(vmin, vmax)


def _basis(args: argparse.Namespace) -> Any:
    from rampkit.colorize import Basis
    from rampkit.errors import RampError

    if args.basis is not None:
        return fixed_basis(*args.basis)
    if args.trim is not None:
        lower, upper = args.trim
        if not 0 <= lower < upper <= 100:
            raise RampError(
                f"--trim {lower:g} {upper:g} must be two percentiles with "
                "0 <= LOWER < UPPER <= 100; for example --trim 2 98"
            )
        return Basis.trimmed(lower, upper)
    return None


def _run(args: argparse.Namespace) -> int:
    from rampkit.image import write_png
    from rampkit.render import render_operation

    output = Path(args.output)
    _check_output(output, args.force)
    op = _read_input(args)
    basis = _basis(args)

    image = render_operation(
        op,
        args.property,
        args.ramp,
        resolution=args.resolution,
        projection=args.projection,
        shape=args.shape.upper(),
        basis=basis,
        clean=not args.no_clean,
        footprint_m=args.footprint,
    )
    write_png(image, output, overwrite=args.force)

    report: dict[str, Any] = {
        "output": str(output),
        "property": image.property,
        "unit": image.unit,
        "crs": image.crs,
        "size": [image.width, image.height],
        "extent": dict(zip(("xmin", "ymin", "xmax", "ymax"), image.extent, strict=True)),
        "latlon_bounds": image.latlon_bounds,
        "basis": image.basis.to_dict() if image.basis else None,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    unit = f" {image.unit}" if image.unit else ""
    print(f"wrote {output} ({image.width} x {image.height} pixels, {image.crs})")
    xmin_text, ymin_text, xmax_text, ymax_text = (
        _format_coordinate(value, image.crs) for value in image.extent
    )
    print(f"extent: xmin={xmin_text} ymin={ymin_text} xmax={xmax_text} ymax={ymax_text}")
    (south, west), (north, east) = image.latlon_bounds
    print(f"lat/lon bounds: south={south:.7f} west={west:.7f} north={north:.7f} east={east:.7f}")
    if image.basis is not None:
        print(
            f"basis ({image.basis.kind}): 0% = {image.basis.vmin:g}{unit}, "
            f"100% = {image.basis.vmax:g}{unit}"
        )
    else:
        print("basis: none (the ramp has absolute stops)")
    return 0


def add_parser(subparsers: Any) -> None:
    """Register ``rampkit render``."""
    parser = subparsers.add_parser(
        "render",
        help="render an operation's property to a georeferenced PNG",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "input", metavar="INPUT", help="operation file (GeoJSON, .geojson.gz, GeoParquet, "
        "zipped shapefile, CSV) or sample id",
    )
    add_property_option(parser)
    parser.add_argument(
        "-o", "--output", required=True, metavar="OUT.png",
        help="PNG to write, in an existing folder, with a name ending in .png; "
        "OUT.png.aux.xml and OUT.pgw are written beside it",
    )
    add_render_options(parser)
    scale = parser.add_mutually_exclusive_group()
    scale.add_argument(
        "--basis", type=float, nargs=2, default=None, metavar=("VMIN", "VMAX"),
        help="fixed values, in the property's unit, for 0%% and 100%% of the ramp; default: "
        "the image's min and max",
    )
    scale.add_argument(
        "--trim", type=float, nargs=2, default=None, metavar=("LOWER", "UPPER"),
        help="percentiles (0-100) of the image's values for 0%% and 100%%, for example "
        "2 98",
    )
    add_input_options(parser)
    parser.add_argument(
        "--force", "--overwrite", dest="force", action="store_true",
        help="replace OUT.png and its sidecars if they exist (--overwrite is an alias)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the extent and basis as JSON"
    )
    parser.set_defaults(func=_run)


def add_property_option(parser: argparse.ArgumentParser) -> None:
    """Add ``-p/--property``, shared by ``rampkit render`` and ``rampkit batch``."""
    parser.add_argument(
        "-p", "--property", required=True, metavar="NAME",
        help="numeric property to render, by its standard name (dryVolumePerArea) or its "
        "column name in the file (yld_vl_d)",
    )


def add_render_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--ramp``, ``--resolution``, ``--shape``, ``--projection`` and ``--footprint``."""
    parser.add_argument(
        "--ramp", default="leaf_standard", metavar="PRESET_OR_FILE",
        help="preset name (add _r to reverse) or ramp file; default: leaf_standard, the "
        "images API's standard ramp",
    )
    parser.add_argument(
        "--resolution", type=float, default=None, metavar="R",
        help="pixel size in CRS units: metres for EPSG:3857 (default 1), degrees for "
        "EPSG:4326 (default 0.00001)",
    )
    parser.add_argument(
        "--shape", choices=("round", "square"), default="round", type=str.lower,
        help="footprint of each point: a disc or a square, sized as --footprint says "
        "(default round)",
    )
    parser.add_argument(
        "--projection", default="EPSG:3857", metavar="EPSG:3857|EPSG:4326",
        help="CRS of the image: EPSG:3857 (Web Mercator, default) or EPSG:4326 "
        "(longitude/latitude)",
    )
    parser.add_argument(
        "--footprint", type=float, default=None, metavar="METRES",
        help="footprint diameter in ground metres for every point; default: the diagonal "
        "of each point's swath width and distance travelled",
    )


def add_input_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--no-clean`` and ``--encoding``, which decide how inputs are read and cleaned."""
    parser.add_argument(
        "--no-clean", action="store_true",
        help="skip the cleanup rules, the speed filter (0.5 m/s) and the outlier filter",
    )
    parser.add_argument(
        "--encoding", default=None,
        help="text encoding of a CSV input; default: UTF-8 when it decodes, else ISO-8859-1",
    )
