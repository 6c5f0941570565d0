"""``--wait`` on the command line: a run's future waited on with a live status line.

The future polls at the platform's pace (minutes apart on Habu); the terminal hears from us
every second, so the elapsed time moves between polls and a frozen-looking ``QUEUED (0s)`` never
stays up for five minutes. Each state change is kept on its own line, so the history of the
run stays in the scrollback. Nothing is written when stderr is not a terminal (pipes, CI logs).
"""

from __future__ import annotations

import concurrent.futures
import sys
import time
from typing import IO, Any

#: how often the status line is rewritten while the run goes on
TICK_SECONDS = 1.0


def method_future(client: Any, method: Any, args: Any, kwargs: Any) -> Any:
    """A future on a spec operation with an ``x-waiter``: it polls the operation at the
    waiter's pace, or at the client's ``poll_interval`` setting where the platform has one
    (``specclient emulate habu`` announces a short one, ``HABU_POLL_INTERVAL``)."""
    from dataclasses import replace

    from .futures import RunFuture, RunTracker

    waiter = method.operation.waiter
    interval = (client.settings or {}).get("poll_interval")
    if interval:
        waiter = replace(waiter, delay=interval, max_delay=max(interval, waiter.max_delay))
    tracker = RunTracker(
        lambda: method(*args, **kwargs),
        waiter,
        what=method.operation.qualname,
        clock=client.clock,
    )
    return RunFuture(tracker)


def is_future(value: Any) -> bool:
    return isinstance(value, concurrent.futures.Future)


def describe(future: Any) -> dict[str, Any]:
    """What a started, not-waited-for run prints: its id, state and link."""
    shown = {
        "run_id": getattr(future, "run_id", None),
        "state": getattr(future, "state", None),
        "url": getattr(future, "url", None),
    }
    return {key: value for key, value in shown.items() if value is not None}


def wait_live(
    future: concurrent.futures.Future[Any],
    *,
    show: bool,
    stream: IO[str] | None = None,
    tick: float = TICK_SECONDS,
) -> Any:
    """``future.result()``; while it runs, a status line on ``stream`` (stderr) when ``show``."""
    if not show:
        return future.result()
    out = stream if stream is not None else sys.stderr
    run_id = getattr(future, "run_id", None)
    label = "run" if run_id is None else f"run {run_id}"
    started = time.monotonic()
    last_state: Any = None
    while True:
        # wait() on a RunFuture makes it poll in the background at the platform's pace
        done, _ = concurrent.futures.wait([future], timeout=tick)
        state = getattr(future, "state", None)
        elapsed = time.monotonic() - started
        if state != last_state and last_state is not None:
            out.write(f"\r{label}: {last_state} -> {state} ({elapsed:.0f}s)\x1b[K\n")
        last_state = state
        out.write(f"\r{label}: {state or 'started'} ({elapsed:.0f}s)\x1b[K")
        out.flush()
        if done:
            out.write("\n")
            out.flush()
            return future.result()
