"""Demos show a run's state changes and elapsed time on a terminal, and nothing when piped."""

from __future__ import annotations

import io

from specclient.futures import RunProgress
from specclient.platforms._progress import demo_progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_each_state_change_is_echoed_with_its_elapsed_time(monkeypatch):
    monkeypatch.setattr("sys.stdout", _Terminal())
    lines: list[str] = []
    show = demo_progress(lines.append)
    assert show is not None
    show(RunProgress("r-1", None, "QUEUED", None, 0.0, 1))
    show(RunProgress("r-1", None, "RUNNING", "QUEUED", 300.4, 2))
    assert lines == ["  run r-1: started -> QUEUED (0 s)", "  run r-1: QUEUED -> RUNNING (300 s)"]


def test_piped_output_gets_no_progress(monkeypatch):
    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert demo_progress(print) is None
