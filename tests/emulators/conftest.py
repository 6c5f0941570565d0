"""The property runs' summary (issue 17): one line per platform at the end of the session.

``pytest -q`` hides what tests print, and the CI log must show, per platform, operations
tested / generated cases / failures / seed: each run's line goes on its test's report and
tests/conftest.py prints them (tests/_run_summary.py), whatever the verbosity, on xdist's
workers or not.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _run_summary import PROPERTY_LINE  # noqa: E402  (tests/ is no package)


class _Lines:
    def __init__(self, node: pytest.Item) -> None:
        self._node = node

    def append(self, line: str) -> None:
        self._node.user_properties.append((PROPERTY_LINE, line))


@pytest.fixture
def property_report(request: pytest.FixtureRequest) -> _Lines:
    """Lines appended here are printed in the terminal summary."""
    return _Lines(request.node)
