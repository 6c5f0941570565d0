"""A scripted wire for sender tests: each request gets the next scripted answer.

Kept out of conftest.py so tests can import it by a name no other test directory uses.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

Step = int | tuple[int, dict[str, str]] | Exception | Callable[[httpx.Request], httpx.Response]


class Script:
    """Answers requests in order; records each request with its body as received."""

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []
        self.bodies: list[bytes] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(request.read())
        self.requests.append(request)
        if not self.steps:
            raise AssertionError(f"unexpected extra request {request.method} {request.url}")
        step = self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        if callable(step):
            return step(request)
        if isinstance(step, tuple):
            return httpx.Response(step[0], headers=step[1], json={"status": step[0]})
        return httpx.Response(step, json={"status": step})

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return self(request)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    @property
    def async_transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle_async)
