"""Totals printed at the end of every run, whether the tests ran in this process or on
pytest-xdist's workers.

A test adds what it found to its own report (``item.user_properties``, which xdist carries
back to the process that prints); the hooks in tests/conftest.py gather the reports and print:
the property runs' line per platform (issue 17) and the fault matrix's totals (issue 12).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

PROPERTY_LINE = "summary: property run"
FAULT_OUTCOME = "summary: fault outcome"
MATRIX = "test_fault_matrix.py::"


class RunSummary:
    """What the reports said, gathered in the printing process."""

    def __init__(self) -> None:
        self.property_lines: list[str] = []
        self.outcomes: Counter[str] = Counter()
        self.ended: dict[str, str] = {}  # matrix case -> how it ended, listed with -v
        self.cases: set[str] = set()
        self.failed: set[str] = set()
        self.xfailed: set[str] = set()

    def read(self, report: Any) -> None:
        for name, value in getattr(report, "user_properties", ()):
            if report.when != "call":
                continue
            if name == PROPERTY_LINE:
                self.property_lines.append(value)
            elif name == FAULT_OUTCOME:
                self.outcomes[value] += 1
                self.ended[report.nodeid.split("[", 1)[-1].rstrip("]")] = value
        if MATRIX not in report.nodeid:
            return
        self.cases.add(report.nodeid)
        if hasattr(report, "wasxfail"):
            self.xfailed.add(report.nodeid)
        elif report.failed:
            self.failed.add(report.nodeid)

    def write(self, terminal: Any) -> None:
        if self.cases:
            terminal.write_line(
                f"fault matrix: {len(self.cases)} cases, {self.outcomes['exact effect']} exact "
                f"effect, {self.outcomes['clear error']} clear error, {len(self.failed)} "
                f"failures, {len(self.xfailed)} expected failures"
            )
            if terminal.config.option.verbose > 0:
                for case, outcome in sorted(self.ended.items()):
                    if outcome != "exact effect":
                        terminal.write_line(f"  {outcome}: {case}")
        if self.property_lines:
            terminal.write_sep("-", "property-based runs (Schemathesis vs emulators)")
            for line in sorted(self.property_lines):
                terminal.write_line(line)
