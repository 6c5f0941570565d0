"""Per-call client overhead: 2,000 sequential GETs against one local server.

Baselines, in the same run against the same server process:
- raw httpx: one ``httpx.Client`` (keep-alive), ``client.get(url).json()``
- seed style: ``requests.get(url).json()`` per call, no session (what the tutorials do)
- specclient: ``client.things.get(id)`` built from a one-operation spec (Response objects)
- the same two on asyncio: ``httpx.AsyncClient`` and ``specclient.AsyncClient``

Run: ``python benchmarks/bench_per_call.py [--calls 2000] [--rounds 3]``. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "bench", "version": "1"},
    "paths": {
        "/things/{id}": {
            "get": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        }
    },
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "benchmarks._tiny_server:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
    )
    deadline = time.time() + 15
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("benchmark server did not start")


def run_httpx(base: str, calls: int) -> float:
    import httpx

    with httpx.Client() as client:
        start = time.perf_counter()
        for i in range(calls):
            client.get(f"{base}/things/{i}").json()
        return time.perf_counter() - start


def run_requests(base: str, calls: int) -> float:
    import requests

    start = time.perf_counter()
    for i in range(calls):
        requests.get(f"{base}/things/{i}").json()
    return time.perf_counter() - start


def run_specclient(base: str, calls: int) -> float:
    import specclient

    with specclient.Client.from_spec(SPEC, base_url=base, cache=False) as client:
        get = client.things.get
        start = time.perf_counter()
        for i in range(calls):
            get(i).name  # noqa: B018
        return time.perf_counter() - start


def run_httpx_async(base: str, calls: int) -> float:
    import asyncio

    import httpx

    async def calls_in_a_row() -> float:
        async with httpx.AsyncClient() as client:
            start = time.perf_counter()
            for i in range(calls):
                (await client.get(f"{base}/things/{i}")).json()
            return time.perf_counter() - start

    return asyncio.run(calls_in_a_row())


def run_specclient_async(base: str, calls: int) -> float:
    import asyncio

    import specclient

    async def calls_in_a_row() -> float:
        async with specclient.AsyncClient.from_spec(SPEC, base_url=base, cache=False) as client:
            get = client.things.get
            start = time.perf_counter()
            for i in range(calls):
                (await get(i)).name  # noqa: B018
            return time.perf_counter() - start

    return asyncio.run(calls_in_a_row())


BODY = (
    b'{"id": 1, "name": "thing", "createdAt": "2026-01-01T00:00:00Z", '
    b'"tags": ["a", "b"], "ownerId": 7}'
)


def client_cost_without_network(calls: int) -> dict[str, float]:
    """Seconds per call with an in-process transport: what each client itself costs."""
    import httpx

    import specclient

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=BODY, headers={"content-type": "application/json"})

    transport = httpx.MockTransport(reply)
    raw = httpx.Client(transport=transport)
    ours = specclient.Client.from_spec(SPEC, base_url="http://bench", cache=False, http=transport)
    get = ours.things.get
    get(0)
    start = time.perf_counter()
    for i in range(calls):
        raw.get(f"http://bench/things/{i}").json()
    raw_time = (time.perf_counter() - start) / calls
    start = time.perf_counter()
    for i in range(calls):
        get(i).name  # noqa: B018
    ours_time = (time.perf_counter() - start) / calls
    return {"raw httpx": raw_time, "specclient": ours_time}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        runners = {
            "raw httpx (one Client)": run_httpx,
            "specclient (client.things.get)": run_specclient,
            "seed style (requests.get per call)": run_requests,
            "raw httpx, async (one AsyncClient)": run_httpx_async,
            "specclient, async (await client.things.get)": run_specclient_async,
        }
        for runner in runners.values():
            runner(base, 50)  # warm up imports and the server
        results = {
            name: statistics.median(runner(base, args.calls) for _ in range(args.rounds))
            for name, runner in runners.items()
        }
    finally:
        server.terminate()
        server.wait()
    inproc = {
        name: statistics.median(
            client_cost_without_network(args.calls)[name] for _ in range(args.rounds)
        )
        for name in ("raw httpx", "specclient")
    }
    httpx_time = results["raw httpx (one Client)"]
    print(
        f"{args.calls} sequential GETs, median of {args.rounds} rounds, server in its own "
        f"process on loopback\n"
    )
    print("| client | total s | per call µs | vs raw httpx |")
    print("|---|---:|---:|---:|")
    for name, seconds in results.items():
        print(
            f"| {name} | {seconds:.2f} | {seconds / args.calls * 1e6:.0f} | "
            f"{seconds / httpx_time:.2f}× |"
        )

    print("\nThe client's own cost, with an in-process transport (no network, no server):\n")
    print("| client | per call µs |")
    print("|---|---:|")
    for name, seconds in inproc.items():
        print(f"| {name} | {seconds * 1e6:.0f} |")
    print(
        f"\nspecclient's overhead over raw httpx: "
        f"{(inproc['specclient'] - inproc['raw httpx']) * 1e6:.0f} µs per call "
        "(binding and checking arguments, building the request, Response objects)"
    )


if __name__ == "__main__":
    main()
