"""The fault matrix's tally: each case records how it ended, and the run ends with the totals
(printed by pytest itself, with or without ``-s``)."""

from __future__ import annotations

from collections import Counter

import pytest

#: outcome of every matrix case that ran: "exact effect", "clear error"; failures and expected
#: failures are read from the reports, so a case that crashes is still counted
OUTCOMES: Counter[str] = Counter()
_ENDED: dict[str, str] = {}  # case id -> how it ended, listed with -v
_FAILED: set[str] = set()
_XFAILED: set[str] = set()
_CASES: set[str] = set()
MATRIX = "test_fault_matrix.py::"


@pytest.fixture
def record_outcome(request: pytest.FixtureRequest):
    """``record_outcome("exact effect" | "clear error")`` for the running case."""

    def record(outcome: str) -> None:
        OUTCOMES[outcome] += 1
        _ENDED[request.node.callspec.id] = outcome

    return record


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if MATRIX not in report.nodeid:
        return
    _CASES.add(report.nodeid)
    if hasattr(report, "wasxfail"):
        _XFAILED.add(report.nodeid)
    elif report.failed:
        _FAILED.add(report.nodeid)


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if not _CASES:
        return
    terminalreporter.write_line(
        f"fault matrix: {len(_CASES)} cases, {OUTCOMES['exact effect']} exact effect, "
        f"{OUTCOMES['clear error']} clear error, {len(_FAILED)} failures, "
        f"{len(_XFAILED)} expected failures (xfail: other helpers' platform bugs)"
    )
    if terminalreporter.config.option.verbose > 0:
        for case, outcome in sorted(_ENDED.items()):
            if outcome != "exact effect":
                terminalreporter.write_line(f"  {outcome}: {case}")
