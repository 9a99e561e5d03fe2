"""Time the lab's live path: one moved stop to a new map overlay on a 1-megapixel grid.

Run with ``python benchmarks/bench_lab.py``. It grids the bundled 2017 oats
harvest at the resolution that gives about one million pixels. It then moves
the middle stop of the ``yield`` ramp 50 times with the editor's slider and
reports the median time from the slider change to the new overlay URL
(colors, PNG, data URL, legend). Beside it is a plain reference on the same
grid and ramps: :func:`rampkit.colorize.colorize`, then
:func:`rampkit.image.encode_png` and :func:`rampkit.image.data_url`. The target
for the live path is under 50 ms.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

from rampkit.colorize import colorize
from rampkit.grid import rasterize
from rampkit.image import data_url, encode_png
from rampkit.lab.editor import RampEditor
from rampkit.lab.mapview import MapView
from rampkit.presets import get_ramp
from rampkit.samples import load_sample

SAMPLE = "field-2-2017-harvest-oats"
TARGET_MS = 50.0


def _grid(pixels: int):  # type: ignore[no-untyped-def]
    operation = load_sample(SAMPLE)
    probe = rasterize(operation, "wetVolumePerArea", resolution=5.0)
    resolution = 5.0 * math.sqrt(probe.size / pixels)
    return rasterize(operation, "wetVolumePerArea", resolution=resolution)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=50, help="stop moves to time")
    parser.add_argument("--pixels", type=int, default=1_000_000, help="grid size to aim for")
    args = parser.parse_args()

    grid = _grid(args.pixels)
    ramp = get_ramp("yield")
    positions = [30.0 + 40.0 * i / max(args.changes - 1, 1) for i in range(args.changes)]
    view = MapView(grid, ramp)
    editor = RampEditor(ramp, values=view.values)
    editor.observe(lambda change: setattr(view, "ramp", change["new"]), names="ramp")

    live = []
    for position in positions:
        before = view.overlay.url
        start = time.perf_counter()
        # The same call a dragged slider makes.
        editor.rows[2].slider.value = position
        live.append(time.perf_counter() - start)
        assert view.overlay.url != before

    reference = []
    for position in positions:
        moved = ramp.move_stop(2, position)
        start = time.perf_counter()
        url = data_url(encode_png(colorize(grid.values, moved).rgba))
        reference.append(time.perf_counter() - start)
        assert url.startswith("data:image/png")

    live_ms = statistics.median(live) * 1000
    reference_ms = statistics.median(reference) * 1000
    print(f"grid: {SAMPLE} wetVolumePerArea, {grid.shape[1]} x {grid.shape[0]} = "
          f"{grid.size:,} px, {args.changes} stop moves")
    print(f"{'path':<44}{'median ms':>10}{'p90 ms':>9}")
    for name, times in (
        ("lab live path (slider -> overlay + legend)", live),
        ("reference: colorize + encode_png + data_url", reference),
    ):
        p90 = sorted(times)[int(0.9 * (len(times) - 1))] * 1000
        print(f"{name:<44}{statistics.median(times) * 1000:>10.1f}{p90:>9.1f}")
    verdict = "meets" if live_ms < TARGET_MS else "misses"
    print(f"live path {verdict} the {TARGET_MS:.0f} ms target "
          f"({reference_ms / live_ms:.1f}x the reference speed)")


if __name__ == "__main__":
    main()
