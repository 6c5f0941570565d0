"""Waiting for long-running work: question runs, flow runs, pipelines, jobs.

A ``Poller`` holds the decision logic (is this state final? how long until the next look?) and
``wait_for`` / ``await_for`` drive it with a sync or async fetch. The delay grows by half each
poll up to ``max_delay`` so a slow job costs few requests, and a clock seam makes tests instant.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from ._clock import SYSTEM_CLOCK, Clock
from .errors import WaiterError, WaiterTimeoutError
from .openapi.model import Waiter
from .response import dig

__all__ = ["Poller", "wait_for", "await_for"]

BACKOFF_FACTOR = 1.5


def _payload(result: Any) -> Any:
    return result.json() if hasattr(result, "json") and callable(result.json) else result


@dataclass
class Poller:
    waiter: Waiter
    clock: Clock = SYSTEM_CLOCK
    on_poll: Callable[[str | None, float], None] | None = None
    what: str = "job"

    def __post_init__(self) -> None:
        self.started = self.clock.monotonic()
        self.delay = self.waiter.delay
        self.polls = 0

    def state_of(self, result: Any) -> str | None:
        value = dig(_payload(result), self.waiter.field)
        return None if value is None else str(value)

    def check(self, result: Any) -> bool:
        """True when done; raises on a failure state. Records the poll."""
        self.polls += 1
        state = self.state_of(result)
        elapsed = self.clock.monotonic() - self.started
        if self.on_poll:
            self.on_poll(state, elapsed)
        if state in self.waiter.success:
            return True
        if state in self.waiter.failure:
            reason = None
            if self.waiter.reason_field:
                reason = dig(_payload(result), self.waiter.reason_field)
            detail = f": {reason}" if reason else ""
            raise WaiterError(
                f"{self.what} ended in state {state}{detail}",
                state=state,
                reason=None if reason is None else str(reason),
                payload=_payload(result),
            )
        return False

    def next_delay(self, last_state: str | None) -> float:
        """Seconds to sleep before the next poll; raises when the timeout would be passed."""
        elapsed = self.clock.monotonic() - self.started
        remaining = self.waiter.timeout - elapsed
        if remaining <= 0:
            raise WaiterTimeoutError(
                f"{self.what} still {last_state or 'unknown'} after {elapsed:.0f}s "
                f"({self.polls} polls); gave up after the {self.waiter.timeout:.0f}s timeout",
                state=last_state,
            )
        delay = min(self.delay, remaining)
        self.delay = min(self.delay * BACKOFF_FACTOR, self.waiter.max_delay)
        return delay


def _configure(
    waiter: Waiter, timeout: float | None, delay: float | None, max_delay: float | None
) -> Waiter:
    return replace(
        waiter,
        timeout=waiter.timeout if timeout is None else timeout,
        delay=waiter.delay if delay is None else delay,
        max_delay=waiter.max_delay if max_delay is None else max_delay,
    )


def _progress(what: str, enabled: bool | None) -> Callable[[str | None, float], None] | None:
    """A one-line status on a terminal (stderr), nothing otherwise."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return None

    def show(state: str | None, elapsed: float) -> None:
        sys.stderr.write(f"\r{what}: {state or '...'} ({elapsed:.0f}s)\x1b[K")
        sys.stderr.flush()

    return show


def wait_for(
    fetch: Callable[[], Any],
    waiter: Waiter,
    *,
    clock: Clock = SYSTEM_CLOCK,
    timeout: float | None = None,
    delay: float | None = None,
    max_delay: float | None = None,
    progress: bool | None = None,
    what: str = "job",
) -> Any:
    """Call ``fetch`` until the waiter's field reaches a success state; return that result."""
    poller = Poller(
        _configure(waiter, timeout, delay, max_delay), clock, _progress(what, progress), what
    )
    try:
        while True:
            result = fetch()
            if poller.check(result):
                return result
            clock.sleep(poller.next_delay(poller.state_of(result)))
    finally:
        if poller.on_poll:
            sys.stderr.write("\n")


async def await_for(
    fetch: Callable[[], Awaitable[Any]],
    waiter: Waiter,
    *,
    clock: Clock = SYSTEM_CLOCK,
    timeout: float | None = None,
    delay: float | None = None,
    max_delay: float | None = None,
    progress: bool | None = None,
    what: str = "job",
) -> Any:
    """The async twin of :func:`wait_for`."""
    poller = Poller(
        _configure(waiter, timeout, delay, max_delay), clock, _progress(what, progress), what
    )
    try:
        while True:
            result = await fetch()
            if poller.check(result):
                return result
            await clock.asleep(poller.next_delay(poller.state_of(result)))
    finally:
        if poller.on_poll:
            sys.stderr.write("\n")
