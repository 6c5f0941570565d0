"""How the platforms' demos show a run's progress: each state change with the time it took,
when output goes to a terminal; nothing when it is piped (logs and tests stay quiet)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

__all__ = ["demo_progress"]


def demo_progress(echo: Callable[[str], None]) -> Callable[[Any], None] | None:
    """A future's ``progress=`` callback writing through ``echo``, or ``None`` when stdout is
    not a terminal."""
    if not sys.stdout.isatty():
        return None

    def show(change: Any) -> None:  # a specclient.futures.RunProgress
        before = change.previous or "started"
        echo(f"  run {change.run_id}: {before} -> {change.state} ({change.elapsed:.0f} s)")

    return show
