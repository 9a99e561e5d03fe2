"""Render a batch of operations in one process and on a two-worker Dask LocalCluster.

The batch is the bundled operations that record ``elevation`` (two wheat
fields, the oats harvest and the CSIRO harvest, 1,543 to 97,383 points),
each linked under three names so that the batch has 12 jobs with distinct
output names. Both sides render the same batch with
:func:`rampkit.batch.render_batch` at resolution 2 in EPSG:3857 into fresh
folders:

- sequential: ``scheduler=None``, one input after the other in this process;
- Dask: a ``distributed.LocalCluster`` with 2 worker processes of one
  thread each on 127.0.0.1, passed as a ``Client``.

Both sides (every worker on the Dask side) first render one small
operation to load the compiled loops, so the times compare rendering, not
start-up. The cluster's start-up is
printed on its own. The script checks that both sides wrote the same bytes.

Run: ``python benchmarks/bench_batch.py [--copies 3] [--workers 2] [--repeat 1]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from rampkit.batch import render_batch
from rampkit.samples import sample_path

PROPERTY = "elevation"
RESOLUTION = 2.0
SAMPLES = (
    "field-1-2018-harvest-winter-wheat",
    "field-2-2019-planted-spring-wheat",
    "field-2-2017-harvest-oats",
    "csiro-area-2-harvest-grain",
)
WARM_UP = "csiro-area-2-harvest-grain"


def make_inputs(folder: Path, copies: int) -> list[str]:
    inputs = []
    for copy in range(copies):
        for sample in SAMPLES:
            source = sample_path(sample)
            suffix = "".join(source.suffixes)
            link = folder / f"{sample}-{copy}{suffix}"
            link.symlink_to(source)
            inputs.append(str(link))
    return inputs


def warm_up() -> None:
    """Render one small operation, which loads the compiled loops in this process."""
    from rampkit.render import render_operation
    from rampkit.samples import load_sample

    render_operation(load_sample(WARM_UP), PROPERTY, "leaf_standard", resolution=RESOLUTION)


def timed(inputs: list[str], output: Path, scheduler: object) -> float:
    start = time.perf_counter()
    result = render_batch(inputs, PROPERTY, output, resolution=RESOLUTION, scheduler=scheduler)
    seconds = time.perf_counter() - start
    if not result.ok:
        raise SystemExit(f"batch failed: {[row.error for row in result.failed]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=3, help="names per operation (default 3)")
    parser.add_argument("--workers", type=int, default=2, help="Dask workers (default 2)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per side; the median "
                        "is printed (default 1)")
    args = parser.parse_args()

    from distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        (root / "inputs").mkdir()
        inputs = make_inputs(root / "inputs", args.copies)
        print(f"{len(inputs)} jobs: {len(SAMPLES)} operations x {args.copies}, "
              f"{PROPERTY} at resolution {RESOLUTION:g}")

        warm_up()
        sequential = [timed(inputs, root / f"here-{run}", None) for run in range(args.repeat)]

        start = time.perf_counter()
        # The scheduler's HTTP server gets a free port on 127.0.0.1 rather than 8787.
        with (
            LocalCluster(n_workers=args.workers, threads_per_worker=1, host="127.0.0.1",
                         dashboard_address="127.0.0.1:0") as cluster,
            Client(cluster) as client,
        ):
            client.wait_for_workers(args.workers)
            startup = time.perf_counter() - start
            client.run(warm_up)
            on_dask = [timed(inputs, root / f"dask-{run}", client) for run in range(args.repeat)]

        for name in sorted(path.name for path in (root / "here-0").iterdir()):
            if name == "manifest.json":
                continue
            if (root / "here-0" / name).read_bytes() != (root / "dask-0" / name).read_bytes():
                raise SystemExit(f"{name} differs between the sequential and the Dask run")

    sequential_median = statistics.median(sequential)
    dask_median = statistics.median(on_dask)
    ratio = sequential_median / dask_median
    print(f"{'sequential':>12} {sequential_median:8.2f} s")
    print(f"{'Dask':>12} {dask_median:8.2f} s   ({args.workers} workers, {ratio:.2f}x faster)")
    print(f"{'cluster start':>12} {startup:8.2f} s   (not counted above)")


if __name__ == "__main__":
    main()
