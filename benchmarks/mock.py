"""Load figures for `lapgen mock` driven by the generated Stytch SDK over loopback HTTP.

Prints:
- the endpoints exercised per group (every one of the spec's endpoints, sync client);
- calls per second through one AsyncClient (N concurrent calls, at most 100 in flight) and
  through one Client shared by a thread pool;
- p50 and p99 of the mock's own handling time per call (routing, validation, synthesis).

With --hostile, instead, what attacks cost `lapgen mock` in its own process: its memory
across 20,000 404s with 8 KB paths, how long 3,000 half-sent requests are held, and how long it
takes to exit on SIGTERM with delayed requests in flight.

Run: python benchmarks/mock.py [--async-calls N] [--thread-calls N] [--threads N] [--quick] [--hostile]
"""

from __future__ import annotations

import argparse
import asyncio
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "generated" / "stytch_api")]

import sdk_support  # noqa: E402
import stytch_api  # noqa: E402
from sdk_support import Wire, plan_call, resolve, signature_of  # noqa: E402

from generator.mock import serve  # noqa: E402

PROJECT_ID = "project-test-6f3c2d1e-8a9b-4c0d-9e1f-2a3b4c5d6e7f"
SECRET = "secret-test-Zm9vYmFyYmF6cXV4PQ=="


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def every_endpoint(url: str) -> Counter[str]:
    loaded = sdk_support.stytch()
    wire = Wire(loaded.api, loaded.model_fields)
    groups: Counter[str] = Counter()
    with stytch_api.Client(project_id=PROJECT_ID, secret=SECRET, base_url=url) as client:
        for method in loaded.json["endpoints"]:
            function = resolve(client, method["accessor"])
            planned = loaded.method_plan(method["accessor"])
            call = plan_call(wire, method, planned, signature_of(function))
            function(*call.args, **call.kwargs)
            groups[planned.endpoint.group or method["accessor"].split(".")[0]] += 1
    return groups


async def async_load(url: str, calls: int) -> float:
    limit = asyncio.Semaphore(100)
    async with stytch_api.AsyncClient(project_id=PROJECT_ID, secret=SECRET, base_url=url) as client:

        async def one(index: int) -> Any:
            async with limit:
                return await client.users.get(f"user-{index}")

        await client.users.get("warm-up")
        started = time.perf_counter()
        await asyncio.gather(*(one(index) for index in range(calls)))
        return time.perf_counter() - started


def threaded_load(url: str, calls: int, threads: int) -> float:
    with stytch_api.Client(project_id=PROJECT_ID, secret=SECRET, base_url=url) as client:
        client.users.get("warm-up")
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(lambda index: client.users.get(f"user-{index}"), range(calls)))
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--async-calls", type=int, default=1000)
    parser.add_argument("--thread-calls", type=int, default=200)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--quick", action="store_true", help="a few calls: a smoke test")
    parser.add_argument("--hostile", action="store_true", help="measure attacks instead")
    args = parser.parse_args()
    if args.hostile:
        hostile(quick=args.quick)
        return
    if args.quick:  # tests/test_benchmarks.py runs this so the benchmark cannot rot
        args.async_calls, args.thread_calls, args.threads = 20, 10, 2
    with serve(sdk_support.SPEC, config=sdk_support.SPEC_CONFIG) as mock:
        groups = every_endpoint(mock.url)
        print(f"{'group':<28} endpoints")
        for name, count in sorted(groups.items()):
            print(f"{name:<28} {count:>9}")
        print(f"{'total':<28} {sum(groups.values()):>9}")
        assert not mock.app.refused, mock.app.refused
        print()
        mock.app.latencies.clear()
        load(mock.url, args, "mock in this process")
        latencies = [1000 * value for value in mock.app.latencies]
        print(
            f"mock handling time per call: p50 {percentile(latencies, 0.5):.2f} ms, "
            f"p99 {percentile(latencies, 0.99):.2f} ms, mean {statistics.fmean(latencies):.2f} ms "
            f"({len(latencies)} calls)"
        )
        assert not mock.app.refused, mock.app.refused
    # The client and the server share one GIL above; `lapgen mock` in its own process:
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "mock", str(sdk_support.SPEC)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        started = time.perf_counter()
        line = process.stdout.readline()
        print(f"\n`lapgen mock` ready in {time.perf_counter() - started:.2f} s: {line.strip()}")
        load(line.split()[-1], args, "`lapgen mock` in its own process")
    finally:
        process.terminate()
        process.wait(10)


def load(url: str, args: argparse.Namespace, where: str) -> None:
    print(f"{where}:")
    seconds = asyncio.run(async_load(url, args.async_calls))
    print(
        f"  AsyncClient: {args.async_calls} calls (<= 100 in flight) in {seconds:.2f} s, "
        f"{args.async_calls / seconds:,.0f} calls/s"
    )
    seconds = threaded_load(url, args.thread_calls, args.threads)
    print(
        f"  Client x {args.threads} threads: {args.thread_calls} calls in {seconds:.2f} s, "
        f"{args.thread_calls / seconds:,.0f} calls/s"
    )


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


async def not_found_flood(url: str, count: int) -> set[int]:
    limit = asyncio.Semaphore(50)
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:

        async def one(index: int) -> int:
            async with limit:
                return (await http.get(f"/v1/nowhere/{index}/{'x' * 8000}")).status_code

        return set(await asyncio.gather(*(one(index) for index in range(count))))


def held_open(host: str, port: int, count: int) -> tuple[float, int]:
    """Seconds until the server closed ``count`` half-sent requests, and how many got a 408."""
    selector = selectors.DefaultSelector()
    for _ in range(count):
        sock = socket.create_connection((host, port))
        sock.sendall(b"GET /v1/users/u1 HTTP/1.1\r\nHost: a\r\n")
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, b"")
    started = time.perf_counter()
    timeouts = 0
    while selector.get_map():
        for key, _ in selector.select(timeout=120):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            chunk = sock.recv(65536)
            if chunk:
                timeouts += chunk.startswith(b"HTTP/1.1 408")
                continue
            selector.unregister(sock)
            sock.close()
    return time.perf_counter() - started, timeouts


def hostile(*, quick: bool = False) -> None:
    flood, half_sent = (200, 20) if quick else (20_000, 3000)
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "mock", str(sdk_support.SPEC)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[-1]
        host, port = url.removeprefix("http://").split(":")
        before = rss_mb(process.pid)
        statuses = asyncio.run(not_found_flood(url, flood))
        print(
            f"{flood:,} GETs of 8 KB unknown paths ({statuses}): RSS {before:.0f} MB before, "
            f"{rss_mb(process.pid):.0f} MB after"
        )
        seconds, timeouts = held_open(host, int(port), half_sent)
        print(
            f"{half_sent:,} half-sent requests: all closed after {seconds:.1f} s, "
            f"{timeouts} got a 408"
        )
        delayed = [socket.create_connection((host, int(port))) for _ in range(5)]
        for sock in delayed:
            sock.sendall(b"GET /v1/users/u1 HTTP/1.1\r\nHost: a\r\nX-Lapgen-Mock: delay=30\r\n\r\n")
        time.sleep(0.5)
        started = time.perf_counter()
        process.send_signal(signal.SIGTERM)
        process.wait(60)
        print(
            f"SIGTERM with 5 requests delayed 30 s in flight: exited {process.returncode} after "
            f"{time.perf_counter() - started:.2f} s"
        )
    finally:
        process.kill()
        process.wait(10)


if __name__ == "__main__":
    main()
