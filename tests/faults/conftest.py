"""The fault matrix's tally: each case records how it ended on its own report; the totals
are printed at the end of the run by tests/conftest.py (tests/_run_summary.py), with or
without ``-s``, on xdist's workers or not."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _run_summary import FAULT_OUTCOME  # noqa: E402  (tests/ is no package)


@pytest.fixture
def record_outcome(request: pytest.FixtureRequest):
    """``record_outcome("exact effect" | "clear error")`` for the running case."""

    def record(outcome: str) -> None:
        request.node.user_properties.append((FAULT_OUTCOME, outcome))

    return record
