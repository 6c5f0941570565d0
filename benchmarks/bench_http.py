"""Cost of the HTTP layer itself: Sender (retries, redacted logging, auth) over raw httpx.

In-process transport (httpx.MockTransport), so only client-side work is timed; the network is
the same for both and would only hide the difference.

Baselines, in the same process:
- raw httpx: ``httpx.Client(transport=...).send(request)``
- Sender: ``Sender(http=transport).send(request)`` (retry bookkeeping, timeouts, auth choice)
- Sender + DEBUG logging to a null handler (each attempt's line, with URL and body redacted)
- Sender + OAuth2ClientCredentials reusing one cached token

Run: ``python benchmarks/bench_http.py [--calls 5000] [--rounds 3]``. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import httpx  # noqa: E402

from specclient.auth import OAuth2ClientCredentials  # noqa: E402
from specclient.http.transport import Sender  # noqa: E402


def answer(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/oauth/token":
        return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
    return httpx.Response(200, json={"id": 1, "name": "thing"})


def request() -> httpx.Request:
    return httpx.Request(
        "POST", "https://api.example/v1/things?api_key=k", json={"name": "a", "password": "p"}
    )


def timed(send: Callable[[httpx.Request], httpx.Response], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        send(request())
    return (time.perf_counter() - start) / calls * 1e6  # microseconds per call


def import_ms(module: str) -> float:
    code = f"import time; t=time.perf_counter(); import {module}; print(time.perf_counter()-t)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "src")},
    )
    return float(out.stdout) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    transport = httpx.MockTransport(answer)
    raw = httpx.Client(transport=transport)
    plain = Sender(http=transport)
    oauth = Sender(http=transport, auth=OAuth2ClientCredentials("c", "s", "/oauth/token"))
    logger = logging.getLogger("specclient")

    def with_logging(r: httpx.Request) -> httpx.Response:
        return plain.send(r)

    cases: list[tuple[str, Callable[[httpx.Request], httpx.Response], bool]] = [
        ("raw httpx Client.send", raw.send, False),
        ("Sender.send", plain.send, False),
        ("Sender.send, DEBUG logging on", with_logging, True),
        ("Sender.send + OAuth (cached token)", oauth.send, False),
    ]
    print(f"{args.calls} POSTs per round, best of {args.rounds}, MockTransport\n")
    print("| case | µs per call |\n|---|---:|")
    for name, send, log in cases:
        logger.handlers[:] = [logging.NullHandler()] if log else []
        logger.setLevel(logging.DEBUG if log else logging.WARNING)
        logger.propagate = not log
        send(request())  # warm up: lazy client, first token
        best = min(timed(send, args.calls) for _ in range(args.rounds))
        print(f"| {name} | {best:.0f} |")
    imports = [
        statistics.median(import_ms(m) for _ in range(3))
        for m in ("httpx", "specclient.http.transport")
    ]
    print(
        f"\nimport httpx: {imports[0]:.0f} ms; import specclient.http.transport: {imports[1]:.0f} ms"
    )


if __name__ == "__main__":
    main()
