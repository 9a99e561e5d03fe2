"""Classify 100,000 and 1,000,000 yield values with rampkit and mapclassify, side by side.

The values are drawn with replacement (seed 7) from the dry yield of the
97,383-point oats harvest in ``data/`` (``VRYIELDVOL``, bu/ac), with 2 % of
them set to NaN as missing readings. For each scheme the script prints the
median time of several runs of:

- rampkit: ``classify(values, scheme, k)`` on the array with its NaN, which
  includes masking, sorting, counting and the per-class minima and maxima;
- mapclassify: the matching classifier on the valid values only (it does not
  accept NaN): ``Quantiles``, ``EqualInterval``, ``FisherJenksSampled``
  (its own 1,000-value sample), ``StdMean``, ``PrettyBreaks`` and
  ``UserDefined``.

The target is every rampkit scheme under 200 ms at 100,000 values, so that a
widget can reclass on every change. Importing mapclassify compiles its numba
kernels, and the first ``natural_breaks`` call in a process pays for that. So
the script times the import once and reports it apart.

Run: ``python benchmarks/bench_classify.py [--k 7] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1] / "data" / "ofpe_field-2_2017_harvest_oats.geojson.gz"
SIZES = (100_000, 1_000_000)
TARGET_MS = 200.0


def load_yield() -> np.ndarray:
    with gzip.open(DATA, "rt", encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    values = [feature["properties"].get("VRYIELDVOL") for feature in features]
    array = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    return array[np.isfinite(array)]


def make_values(source: np.ndarray, size: int) -> np.ndarray:
    rng = np.random.default_rng(7)
    values = rng.choice(source, size=size, replace=True)
    values[rng.random(size) < 0.02] = np.nan
    return values


def median_ms(function: Callable[[], object], repeat: int) -> float:
    function()  # warm caches and lazy imports
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000.0


def reference(scheme: str, values: np.ndarray, k: int, edges: list[float]) -> Callable[[], object]:
    import mapclassify

    classifiers: dict[str, Callable[[], object]] = {
        "quantile": lambda: mapclassify.Quantiles(values, k=k),
        "equal_interval": lambda: mapclassify.EqualInterval(values, k=k),
        "natural_breaks": lambda: mapclassify.FisherJenksSampled(values, k=k),
        "std_mean": lambda: mapclassify.StdMean(values),
        "pretty": lambda: mapclassify.PrettyBreaks(values, k=k),
        "manual": lambda: mapclassify.UserDefined(values, bins=edges[1:]),
    }
    return classifiers[scheme]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=7, help="classes per scheme")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each call")
    args = parser.parse_args()

    start = time.perf_counter()
    import mapclassify  # noqa: F401

    import_ms = (time.perf_counter() - start) * 1000.0
    from rampkit.classify import SCHEMES, classify

    source = load_yield()
    print(f"source: {source.size:,} valid oats yields (bu/ac); k = {args.k}; "
          f"median of {args.repeat} runs")
    print(f"mapclassify import (numba compile): {import_ms:,.0f} ms, once per process\n")

    header = f"{'scheme':<16}"
    for size in SIZES:
        header += f"{'rampkit ' + format(size, ','):>20}{'mapclassify':>14}"
    print(header + f"{'target':>10}")

    slowest = 0.0
    datasets = {size: make_values(source, size) for size in SIZES}
    for scheme in SCHEMES:
        row = f"{scheme:<16}"
        for size in SIZES:
            values = datasets[size]
            valid = values[np.isfinite(values)]
            edges = [0.0, 50.0, 100.0, 150.0, 250.0] if scheme == "manual" else None
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ours = median_ms(
                    lambda v=values, s=scheme, e=edges: classify(v, s, args.k, edges=e),
                    args.repeat,
                )
                theirs = median_ms(
                    reference(scheme, valid, args.k, edges or []), args.repeat
                )
            if size == SIZES[0]:
                slowest = max(slowest, ours)
            row += f"{ours:>17.1f} ms{theirs:>11.1f} ms"
        print(row + f"{TARGET_MS:>7.0f} ms")

    verdict = "met" if slowest < TARGET_MS else "MISSED"
    print(f"\nslowest rampkit scheme at {SIZES[0]:,} values: {slowest:.1f} ms "
          f"(target under {TARGET_MS:.0f} ms: {verdict})")


if __name__ == "__main__":
    main()
