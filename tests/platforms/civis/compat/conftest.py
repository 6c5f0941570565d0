"""The emulated Civis every compat port runs against, with ``CIVIS_API_ENDPOINT`` pointing at it
so civis-python's own client (where a port runs it) reaches the same server."""

from __future__ import annotations

import pytest

from specclient.emulators import running


@pytest.fixture
def emu(monkeypatch):
    with running("civis", seed=1) as emulator:
        monkeypatch.setenv("CIVIS_API_ENDPOINT", emulator.base_url)
        yield emulator


@pytest.fixture
def client(emu):
    return emu.client()
