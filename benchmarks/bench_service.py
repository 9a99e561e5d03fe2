"""Time ``POST /images`` on the local service against the same render in-process.

The request paints ``wetVolumePerArea`` of the 97,383-point oats harvest
(``field-2-2017-harvest-oats``) with the API's standard ramp at resolution 2
(metres of Web Mercator), ``ROUND`` footprints. The service runs in uvicorn
on a free 127.0.0.1 port in this process; each request is sent with
:class:`rampkit.api.ImagesClient` and includes downloading the PNG.

- cold: every request differs in one stop color, so each one misses the
  render cache (the operation itself is already read and cached);
- cached: the same request again and again;
- throughput: 4 clients in threads, each sending its share of the requests,
  cached and cold;
- reference: ``render_operation`` with the same inputs in this process, with
  no HTTP, which is the floor for a cold request.

The script first checks that the service's PNG equals the in-process one.

Run: ``python benchmarks/bench_service.py [--requests 20] [--clients 4]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from rampkit.api import ImagesClient, start_local_service
from rampkit.formats.api import from_color_ramp
from rampkit.render import render_operation
from rampkit.samples import load_sample

OPERATION = "field-2-2017-harvest-oats"
PROPERTY = "wetVolumePerArea"
RESOLUTION = 2.0
STANDARD_RAMP: dict[str, list[int]] = {
    "0%": [200, 0, 0], "35%": [255, 40, 0], "45%": [255, 150, 0], "55%": [255, 240, 0],
    "65%": [0, 230, 0], "75%": [0, 190, 0], "100%": [0, 130, 0], "nv": [0, 0, 0, 0],
}


def ramp_variant(index: int) -> dict[str, list[int]]:
    """Return the standard ramp with its first color changed by ``index``."""
    ramp = {key: list(color) for key, color in STANDARD_RAMP.items()}
    ramp["0%"] = [200 - index % 200, index // 200 % 256, 0]
    return ramp


def post(client: ImagesClient, ramp: dict[str, list[int]]) -> bytes:
    image = client.create_image(ramp, operation_id=OPERATION, property=PROPERTY,
                                resolution=RESOLUTION)
    return image.png


def latencies(function: Callable[[int], Any], count: int) -> list[float]:
    times = []
    for index in range(count):
        start = time.perf_counter()
        function(index)
        times.append(time.perf_counter() - start)
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def throughput(url: str, clients: int, requests: int, ramp_for: Callable[[int], Any]) -> float:
    share = max(1, requests // clients)

    def work(worker: int) -> None:
        with ImagesClient(url, timeout=120) as client:
            for step in range(share):
                post(client, ramp_for(worker * share + step))

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(work, range(clients)))
    return clients * share / (time.perf_counter() - start)


def row(label: str, times: list[float]) -> str:
    return (f"{label:<34} median {statistics.median(times) * 1000:8.1f} ms   "
            f"p95 {percentile(times, 95) * 1000:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20, help="requests per measurement")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    args = parser.parse_args()

    op = load_sample(OPERATION)
    ramp = from_color_ramp(STANDARD_RAMP)

    def in_process(index: int) -> bytes:
        return render_operation(op, PROPERTY, from_color_ramp(ramp_variant(index)),
                                resolution=RESOLUTION).png

    with start_local_service(cache_size=4 * args.requests) as service, \
            ImagesClient(service.url, timeout=120) as client:
        # Warm up: read the operation into the service and check byte equality.
        expected = render_operation(op, PROPERTY, ramp, resolution=RESOLUTION).png
        if post(client, STANDARD_RAMP) != expected:
            raise SystemExit("the service's PNG differs from the in-process render")

        reference = latencies(in_process, args.requests)
        cold = latencies(lambda i: post(client, ramp_variant(1000 + i)), args.requests)
        cached = latencies(lambda i: post(client, STANDARD_RAMP), args.requests)
        cached_rps = throughput(service.url, args.clients, args.requests * 2,
                                lambda i: STANDARD_RAMP)
        cold_rps = throughput(service.url, args.clients, args.requests,
                              lambda i: ramp_variant(5000 + i))

    print(f"POST /images: {OPERATION} ({len(op):,} points), {PROPERTY}, resolution "
          f"{RESOLUTION:g}, ROUND; {args.requests} requests each")
    print(row("in-process render_operation (ref)", reference))
    print(row("service, cold (cache miss)", cold))
    print(row("service, cached", cached))
    print(f"{'HTTP overhead on a cold request':<34} median "
          f"{(statistics.median(cold) - statistics.median(reference)) * 1000:8.1f} ms")
    print(f"{args.clients} concurrent clients: {cached_rps:6.1f} requests/s cached, "
          f"{cold_rps:6.1f} requests/s cold")


if __name__ == "__main__":
    main()
