"""Grid one million points with rampkit and with a shapely + rasterio reference.

Two measurements, printed side by side:

1. Synthetic points (1,000,000 by default) spread over a 1.5 km square near
   latitude 49.5°, each with a round footprint of 3 to 6 ground metres,
   gridded at 1 m in EPSG:3857 with the mean of overlapping footprints:

   - rampkit: :func:`rampkit.grid.rasterize_points`, projection included;
   - reference: project with pyproj, buffer each point with shapely into a
     disc of the same size in CRS units, and burn the discs twice with
     ``rasterio.features.rasterize`` (``MergeAlg.add``, once the values and
     once ones), dividing sums by counts. Both use the same pixel-centre
     rule, so the grids agree except at disc edges, where shapely's
     polygons cut the circle short. The script prints the share of pixels
     that agree.

   Each side runs in its own child process, so the peak memory figures
   (the growth of the peak resident set during gridding, and the process
   total) are not mixed.

2. The 97,383-point oats harvest from file to PNG at resolution 1 with
   ROUND footprints: read, clean, grid, colorize, encode and write, cold
   (the first render in a fresh process) and warm (median of repeats).

Run: ``python benchmarks/bench_grid.py [--points 1000000] [--repeat 3]``.
Targets: rampkit at least 20x faster than the reference, under 1 s for the
gridding, and under 500 MB of peak memory. The reference needs about 6.5 GB
of memory and two minutes for one million points; ``--points 100000``
gives a quicker run.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RESOLUTION = 1.0


def peak_rss_mb() -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_points(count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    degrees_north = 1500 / 111_320
    degrees_east = degrees_north / math.cos(math.radians(49.5))
    lon = -96.68 + rng.uniform(0, degrees_east, count)
    lat = 49.5 + rng.uniform(0, degrees_north, count)
    values = rng.gamma(6.0, 25.0, count)
    footprint = rng.uniform(3.0, 6.0, count)
    return lon, lat, values, footprint


def run_rampkit(count: int, repeat: int) -> dict:
    from rampkit.grid import rasterize_points

    lon, lat, values, footprint = synthetic_points(count)
    # Warm up: load or compile the numba kernel on a few points.
    rasterize_points(lon[:10], lat[:10], values[:10], resolution=RESOLUTION, footprint_m=5.0)
    before = peak_rss_mb()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        grid = rasterize_points(lon, lat, values, resolution=RESOLUTION, footprint_m=footprint)
        times.append(time.perf_counter() - start)
    np.save(OUT_DIR / "rampkit.npy", grid.values)
    (OUT_DIR / "transform.json").write_text(json.dumps(list(grid.attrs["transform"])[:6]))
    return {
        "seconds": statistics.median(times),
        "peak_growth_mb": peak_rss_mb() - before,
        "peak_total_mb": peak_rss_mb(),
        "shape": list(grid.shape),
    }


def run_reference(count: int) -> dict:
    import rasterio.features
    import shapely
    from affine import Affine
    from pyproj import Transformer
    from rasterio.enums import MergeAlg

    lon, lat, values, footprint = synthetic_points(count)
    transform = Affine(*json.loads((OUT_DIR / "transform.json").read_text()))
    shape = np.load(OUT_DIR / "rampkit.npy", mmap_mode="r").shape
    before = peak_rss_mb()
    start = time.perf_counter()
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True).transform(lon, lat)
    radius = footprint / 2 / np.cos(np.radians(lat))
    discs = shapely.buffer(shapely.points(x, y), radius)
    sums = rasterio.features.rasterize(
        zip(discs, values, strict=True), out_shape=shape, transform=transform, fill=0.0,
        merge_alg=MergeAlg.add, dtype="float64",
    )
    counts = rasterio.features.rasterize(
        ((disc, 1.0) for disc in discs), out_shape=shape, transform=transform, fill=0.0,
        merge_alg=MergeAlg.add, dtype="float64",
    )
    grid = np.full(shape, np.nan)
    np.divide(sums, counts, out=grid, where=counts > 0)
    seconds = time.perf_counter() - start
    ours = np.load(OUT_DIR / "rampkit.npy")
    both = np.isfinite(grid) & np.isfinite(ours)
    either = np.isfinite(grid) | np.isfinite(ours)
    agree = both & np.isclose(grid, ours, rtol=1e-9, atol=0)
    return {
        "seconds": seconds,
        "peak_growth_mb": peak_rss_mb() - before,
        "peak_total_mb": peak_rss_mb(),
        "agree_share": float(agree.sum() / either.sum()),
    }


def run_oats(repeat: int) -> dict:
    from rampkit.image import write_png
    from rampkit.operations import read_operation
    from rampkit.presets import get_ramp
    from rampkit.render import render_operation
    from rampkit.samples import sample_dir

    path = sample_dir() / "ofpe_field-2_2017_harvest_oats.geojson.gz"
    ramp = get_ramp("leaf_standard")

    def file_to_png(index: int) -> tuple[float, dict]:
        steps = {}
        start = time.perf_counter()
        op = read_operation(path)
        steps["read"] = time.perf_counter() - start
        image = render_operation(op, "wetVolumePerArea", ramp, resolution=1, shape="ROUND")
        steps["clean, grid, color, encode"] = time.perf_counter() - start - steps["read"]
        write_png(image, OUT_DIR / f"oats-{index}.png", overwrite=True)
        total = time.perf_counter() - start
        steps["size"] = [image.width, image.height]
        return total, steps

    cold, cold_steps = file_to_png(0)
    cold_peak = peak_rss_mb()
    warm = [file_to_png(index + 1) for index in range(repeat)]
    return {
        "cold_seconds": cold,
        "cold_steps": cold_steps,
        "warm_seconds": statistics.median(total for total, _ in warm),
        "warm_read_seconds": statistics.median(steps["read"] for _, steps in warm),
        "peak_total_mb_after_cold": cold_peak,
        "peak_total_mb": peak_rss_mb(),
    }


def child(role: str, arguments: argparse.Namespace) -> dict:
    command = [sys.executable, __file__, "--role", role, "--points", str(arguments.points),
               "--repeat", str(arguments.repeat), "--out", str(OUT_DIR)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"{role} run failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


OUT_DIR = Path(".")


def main() -> None:
    global OUT_DIR
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--role", choices=("rampkit", "reference", "oats"), default=None)
    parser.add_argument("--out", type=Path, default=None)
    arguments = parser.parse_args()

    if arguments.role is not None:
        OUT_DIR = arguments.out
        runner = {"rampkit": lambda: run_rampkit(arguments.points, arguments.repeat),
                  "reference": lambda: run_reference(arguments.points),
                  "oats": lambda: run_oats(arguments.repeat)}[arguments.role]
        print(json.dumps(runner()))
        return

    with tempfile.TemporaryDirectory() as folder:
        OUT_DIR = Path(folder)
        ours = child("rampkit", arguments)
        reference = child("reference", arguments)
        oats = child("oats", arguments)

    print(f"{arguments.points:,} points, resolution {RESOLUTION} m, EPSG:3857, ROUND, mean;"
          f" grid {ours['shape'][1]} x {ours['shape'][0]} pixels")
    print(f"{'':28}{'rampkit':>12}{'reference':>12}")
    print(f"{'gridding time (s)':28}{ours['seconds']:>12.3f}{reference['seconds']:>12.3f}")
    print(f"{'peak memory growth (MB)':28}{ours['peak_growth_mb']:>12.0f}"
          f"{reference['peak_growth_mb']:>12.0f}")
    print(f"{'peak process memory (MB)':28}{ours['peak_total_mb']:>12.0f}"
          f"{reference['peak_total_mb']:>12.0f}")
    print(f"speed ratio (reference / rampkit): {reference['seconds'] / ours['seconds']:.1f}x")
    print(f"pixels that agree: {reference['agree_share']:.2%}")
    print()
    print(f"oats harvest, 97,383 points, file to PNG at resolution 1, ROUND, "
          f"{oats['cold_steps']['size'][0]} x {oats['cold_steps']['size'][1]} pixels")
    print(f"  cold (fresh process): {oats['cold_seconds']:.2f} s "
          f"(read {oats['cold_steps']['read']:.2f} s, clean + grid + color + encode "
          f"{oats['cold_steps']['clean, grid, color, encode']:.2f} s)")
    print(f"  warm (median of {arguments.repeat}): {oats['warm_seconds']:.2f} s "
          f"(read: median {oats['warm_read_seconds']:.2f} s)")
    print(f"  peak process memory: {oats['peak_total_mb_after_cold']:.0f} MB after the cold "
          f"run, {oats['peak_total_mb']:.0f} MB after all runs")


if __name__ == "__main__":
    main()
