"""``--wait`` on the command line: a run's future waited on with a live status line.

The future polls at the platform's pace (minutes apart on Habu); the terminal hears from us
every second, so the elapsed time moves between polls and a frozen-looking ``QUEUED (0s)`` never
stays up for five minutes. Each state change is kept on its own line, so the history of the
run stays in the scrollback. Nothing is written when stderr is not a terminal (pipes, CI logs).
"""

from __future__ import annotations

import concurrent.futures
import sys
import threading
import time
from typing import IO, Any

import click

#: how often the status line is rewritten while the run goes on
TICK_SECONDS = 1.0


def method_future(client: Any, method: Any, args: Any, kwargs: Any) -> Any:
    """A future on a spec operation with an ``x-waiter``: it polls the operation at the
    waiter's pace, or at the client's ``poll_interval`` setting where the platform has one
    (``specclient emulate habu`` announces a short one, ``HABU_POLL_INTERVAL``)."""
    from ._records import replace
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
    """What a started, not-waited-for run prints: its id, state and link, and the starting
    call's reply where the future keeps one (a ClicData refresh has no run id of its own)."""
    shown = {
        "run_id": getattr(future, "run_id", None),
        "state": getattr(future, "state", None) or ("done" if future.done() else "running"),
        "url": getattr(future, "url", None),
        "reply": getattr(future, "reply", None),
    }
    return {key: value for key, value in shown.items() if value is not None}


class StatusLine:
    """The one line at the bottom of a terminal that a wait rewrites in place.

    Other lines written to stderr meanwhile (a workflow's ``--echo``, called from the thread
    that polls) go *above* it: the status line is cleared, the line printed, the status drawn
    again -- never written onto the end of the status line, where the two would run together.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shown = ""  # the status line on screen now ("" when none)
        self._stream: IO[str] | None = None

    def show(self, text: str, stream: IO[str]) -> None:
        """Draw (or redraw) the status line."""
        with self._lock:
            self._stream = stream
            self._shown = text
            stream.write(f"\r{text}{_CLEAR_TO_END}")
            stream.flush()

    def keep(self, text: str, stream: IO[str]) -> None:
        """Write ``text`` where the status line is, and keep it (the next line starts below)."""
        with self._lock:
            self._shown = ""
            stream.write(f"\r{text}{_CLEAR_TO_END}\n")
            stream.flush()

    def above(self, line: str) -> None:
        """Print a line of its own on stderr, above the status line when one is shown."""
        with self._lock:
            stream = self._stream
            if not self._shown or stream is None:
                click.echo(line, err=True)
                return
            stream.write(f"\r{_CLEAR_TO_END}{line}\n\r{self._shown}{_CLEAR_TO_END}")
            stream.flush()

    def end(self, stream: IO[str]) -> None:
        """Leave the status line as it is and move below it."""
        with self._lock:
            if self._shown:
                stream.write("\n")
                stream.flush()
            self._shown = ""


_CLEAR_TO_END = "\x1b[K"
#: the command's status line; ``--echo`` lines go through it (``_cli_commands``)
STATUS = StatusLine()


def wait_live(
    future: concurrent.futures.Future[Any],
    *,
    show: bool,
    stream: IO[str] | None = None,
    tick: float = TICK_SECONDS,
) -> Any:
    """``future.result()``; while it runs, a status line on ``stream`` (stderr) when ``show``.

    Each state change is kept on a line of its own (``run 7: queued -> running (3s)``); the
    last line says how it ended."""
    if not show:
        return future.result()
    out = stream if stream is not None else sys.stderr
    run_id = getattr(future, "run_id", None)
    label = "run" if run_id is None else f"run {run_id}"
    started = time.monotonic()
    last_state: Any = None
    try:
        while True:
            # wait() on a RunFuture makes it poll in the background at the platform's pace
            done, _ = concurrent.futures.wait([future], timeout=tick)
            state = getattr(future, "state", None)
            elapsed = f"({time.monotonic() - started:.0f}s)"
            changed = state != last_state and last_state is not None
            if changed:
                STATUS.keep(f"{label}: {last_state} -> {state} {elapsed}", out)
            last_state = state
            if done:
                if not changed:
                    STATUS.keep(f"{label}: {state or 'done'} {elapsed}", out)
                return future.result()
            STATUS.show(f"{label}: {state or 'started'} {elapsed}", out)
    finally:
        STATUS.end(out)
