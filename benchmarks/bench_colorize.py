"""Colorize a 4096 x 4096 float32 grid with rampkit and with gdaldem, side by side.

Both color the same grid with the API's standard 7-stop ramp (percent stops,
``nv``), resolving percents against the valid minimum and maximum:

- rampkit: ``colorize(values, ramp, nodata=-9999)`` in this process;
- gdaldem: ``gdaldem color-relief -alpha`` from GeoTIFF to GeoTIFF on a
  tmpfs, with ``GDAL_PAM_ENABLED=NO`` so it computes statistics every run
  instead of reading them from a cached ``.aux.xml``.

The script checks that both outputs are identical byte for byte, then prints
the median of several runs of each, their ratio, and a 1-megapixel recolor.

Run: ``python benchmarks/bench_colorize.py [--size 4096] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin

from rampkit.colorize import colorize
from rampkit.formats.gdaldem import dumps_gdaldem
from rampkit.presets import get_ramp


def make_grid(size: int) -> np.ndarray:
    rng = np.random.default_rng(42)
    values = rng.gamma(6.0, 25.0, (size, size)).astype(np.float32)
    values[: size // 16, : size // 8] = -9999.0  # an unharvested corner
    return values


def median_time(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=4096, help="grid side in pixels")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each tool")
    args = parser.parse_args()

    gdaldem = shutil.which("gdaldem")
    if gdaldem is None:
        raise SystemExit("gdaldem not found; install Debian's gdal-bin")
    tmpfs = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    ramp = get_ramp("leaf_standard")
    values = make_grid(args.size)

    with tempfile.TemporaryDirectory(dir=tmpfs) as folder:
        source, colors, target = (Path(folder) / n for n in ("in.tif", "c.txt", "out.tif"))
        with rasterio.open(source, "w", driver="GTiff", width=args.size, height=args.size,
                           count=1, dtype="float32", nodata=-9999,
                           transform=from_origin(0, args.size, 1, 1)) as dataset:
            dataset.write(values, 1)
        colors.write_text(dumps_gdaldem(ramp))
        env = {**os.environ, "GDAL_PAM_ENABLED": "NO"}
        command = [gdaldem, "color-relief", "-q", "-alpha", str(source), str(colors),
                   str(target)]

        def run_gdaldem() -> None:
            subprocess.run(command, check=True, env=env, capture_output=True)

        colorize(values[:64, :64], ramp, nodata=-9999)  # load the compiled loop once
        ours = colorize(values, ramp, nodata=-9999).rgba
        run_gdaldem()
        with rasterio.open(target) as dataset:
            theirs = np.moveaxis(dataset.read(), 0, -1)
        identical = np.array_equal(ours, theirs)

        rampkit_s = median_time(lambda: colorize(values, ramp, nodata=-9999), args.repeat)
        gdaldem_s = median_time(run_gdaldem, args.repeat)

    small = values[:1024, :1024].copy()
    recolor_s = median_time(lambda: colorize(small, ramp, nodata=-9999), 20)

    print(f"grid: {args.size}x{args.size} float32, 7-stop percent ramp with nv, "
          f"{os.cpu_count()} CPUs")
    print(f"identical RGBA bytes:       {identical}")
    print(f"gdaldem color-relief -alpha {gdaldem_s * 1000:9.1f} ms (median of {args.repeat})")
    print(f"rampkit colorize            {rampkit_s * 1000:9.1f} ms (median of {args.repeat})")
    print(f"ratio gdaldem / rampkit     {gdaldem_s / rampkit_s:9.1f}x")
    print(f"1-megapixel recolor         {recolor_s * 1000:9.1f} ms (median of 20)")
    if not identical:
        raise SystemExit("outputs differ")


if __name__ == "__main__":
    main()
