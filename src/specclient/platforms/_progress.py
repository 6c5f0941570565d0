"""How the platforms show progress: a demo's run, each state change with the time it took,
and work of known size (rows read or appended) as a bar; on a terminal only, nothing when
output is piped (logs and tests stay quiet)."""

from __future__ import annotations

import sys
from collections.abc import Callable

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["demo_progress", "rows_bar"]


def demo_progress(echo: Callable[[str], None]) -> Callable[[Any], None] | None:
    """A future's ``progress=`` callback writing through ``echo``, or ``None`` when stdout is
    not a terminal."""
    if not sys.stdout.isatty():
        return None

    def show(change: Any) -> None:  # a specclient.futures.RunProgress
        before = change.previous or "started"
        echo(f"  run {change.run_id}: {before} -> {change.state} ({change.elapsed:.0f} s)")

    return show


def rows_bar(total: int, progress: bool | None, desc: str) -> Any:
    """A tqdm bar counting rows (``progress``: None draws only when stderr is a terminal,
    never into CI logs; True/False force it)."""
    from tqdm.auto import tqdm

    disable = (not sys.stderr.isatty()) if progress is None else not progress
    return tqdm(total=total, unit="rows", desc=desc, disable=disable, leave=False)
