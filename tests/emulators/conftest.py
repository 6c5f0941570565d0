"""The property runs' summary (issue 17): one line per platform at the end of the session.

``pytest -q`` hides what tests print, and the CI log must show, per platform, operations
tested / generated cases / failures / seed; a terminal-summary hook prints what
``test_properties.py`` recorded, whatever the verbosity.
"""

from __future__ import annotations

import pytest

_PROPERTY_LINES = pytest.StashKey[list[str]]()


@pytest.fixture
def property_report(request: pytest.FixtureRequest) -> list[str]:
    """Lines appended here are printed in the terminal summary."""
    return request.config.stash.setdefault(_PROPERTY_LINES, [])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = terminalreporter.config.stash.get(_PROPERTY_LINES, [])
    if lines:
        terminalreporter.write_sep("-", "property-based runs (Schemathesis vs emulators)")
        for line in lines:
            terminalreporter.write_line(line)
