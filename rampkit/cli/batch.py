"""``rampkit batch``: render one property of many operations, locally or on a Dask cluster."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from rampkit.cli.render import (
    add_input_options,
    add_property_option,
    add_render_options,
    fixed_basis,
)

__all__ = ["add_parser"]

_DESCRIPTION = """\
Render one property of many operations into OUTDIR, each as
OUTDIR/<name>.png with its GDAL sidecar and world file, the same files
`rampkit render` writes. INPUT is an operation file or the id of a bundled
sample operation, as for `rampkit render`; <name> is the sample id, or the
file name without its suffixes. OUTDIR is created when missing and gets a
manifest.json that lists every input, and with --basis or --shared-basis
one legend.png that every map shares.

Every output name is checked first: when two inputs would write the same
file, or a file exists without --force, nothing is written. An input that
fails is reported and the others are still rendered, and the exit code is then 1.

Without --scheduler the inputs are rendered one after the other in this
process. --scheduler local starts a Dask cluster on this machine;
--scheduler tcp://HOST:8786 uses a running Dask scheduler, whose workers
must see the inputs and OUTDIR under the same paths.
"""


def _quiet_dask() -> None:
    """Show only Dask's warnings and errors, or only its errors with -q.

    Importing distributed installs its own handler at INFO level, which would
    print a dozen lines for each cluster, so the level is set after the import.
    """
    try:
        import distributed  # noqa: F401
    except ImportError:
        return
    level = logging.getLogger().getEffectiveLevel()
    logging.getLogger("distributed").setLevel(max(level, logging.WARNING))


def _run(args: argparse.Namespace) -> int:
    from rampkit.batch import render_batch

    if args.scheduler is not None:
        _quiet_dask()
    if args.basis is not None:
        basis: Any = fixed_basis(*args.basis)
    elif args.shared_basis:
        basis = "shared"
    else:
        basis = "image"
    result = render_batch(
        args.inputs,
        args.property,
        args.output,
        ramp=args.ramp,
        resolution=args.resolution,
        projection=args.projection,
        shape=args.shape,
        clean=not args.no_clean,
        footprint_m=args.footprint,
        basis=basis,
        encoding=args.encoding,
        overwrite=args.force,
        scheduler=args.scheduler,
    )
    failed = len(result.failed)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        for row in result.rows:
            if row.error is not None:
                print(f"failed {row.input}: {row.error}")
                continue
            scale = ""
            if row.basis is not None:
                unit = f" {result.unit}" if result.unit else ""
                scale = f", 0% = {row.basis.vmin:g}{unit}, 100% = {row.basis.vmax:g}{unit}"
            print(f"wrote {row.output} ({row.width} x {row.height} pixels{scale}) "
                  f"in {row.seconds:.2f} s")
        if result.legend is not None:
            print(f"wrote {result.legend}")
        for path in result.removed:
            print(f"removed {path}, left from the earlier batch in {result.output_dir}")
        print(f"{len(result.rows) - failed} of {len(result.rows)} operations rendered; "
              f"manifest: {result.manifest}")
    if failed:
        print(
            f"rampkit: error: {failed} of {len(result.rows)} operations failed; their "
            f"messages are in {result.manifest}",
            file=sys.stderr,
        )
        return 1
    return 0


def add_parser(subparsers: Any) -> None:
    """Register ``rampkit batch``."""
    parser = subparsers.add_parser(
        "batch",
        help="render many operations to georeferenced PNGs, locally or on a Dask cluster",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="operation files (GeoJSON, .geojson.gz, "
        "GeoParquet, zipped shapefile, CSV) or sample ids",
    )
    add_property_option(parser)
    parser.add_argument(
        "-o", "--output", required=True, metavar="OUTDIR",
        help="folder for the images, manifest.json and legend.png; created when missing, "
        "inside an existing folder",
    )
    add_render_options(parser)

    scale = parser.add_mutually_exclusive_group()
    scale.add_argument(
        "--basis", type=float, nargs=2, default=None, metavar=("VMIN", "VMAX"),
        help="fixed values, in the property's unit, for 0%% and 100%% of the ramp in every "
        "image; default: each image's own min and max",
    )
    scale.add_argument(
        "--shared-basis", action="store_true",
        help="one range for every image: the lowest min and highest max of all of them, "
        "found in a first pass",
    )
    add_input_options(parser)

    parser.add_argument(
        "--scheduler", default=None, metavar="local|ADDRESS",
        help="render on Dask: 'local' starts a cluster on this machine, an address such as "
        "tcp://127.0.0.1:8786 connects to a running scheduler; default: in this process",
    )
    parser.add_argument(
        "--force", "--overwrite", dest="force", action="store_true",
        help="replace existing images, sidecars, manifest.json and legend.png in OUTDIR, "
        "and delete the files of the earlier batch there that this one does not write "
        "again (--overwrite is an alias)",
    )
    parser.add_argument(
        "--json", action="store_true",
        help="print the manifest (options, shared basis and one row per input) as JSON",
    )
    parser.set_defaults(func=_run)
