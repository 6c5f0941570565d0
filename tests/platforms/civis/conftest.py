"""Civis tests never see the user's Civis settings (the suite's conftest keeps every test out
of ~/.cache), and share one emulated Civis fixture.

``emu`` points ``CIVIS_API_ENDPOINT`` at the emulator, so civis-python's own client (where a
test runs it) reaches the same server; a module that needs another emulator (other seeds,
real-time runs, no environment) defines its own ``emu``, which takes precedence.
"""

from __future__ import annotations

import pytest

from specclient.emulators import running


@pytest.fixture(autouse=True)
def _no_civis_environment(monkeypatch):
    for name in ("CIVIS_API_KEY", "CIVIS_API_ENDPOINT", "CIVIS_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def emu(monkeypatch):
    with running("civis", seed=1) as emulator:
        monkeypatch.setenv("CIVIS_API_ENDPOINT", emulator.base_url)
        yield emulator


@pytest.fixture
def client(emu):
    return emu.client()
