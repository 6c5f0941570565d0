"""Civis tests never read or write the user's ~/.cache, nor see the user's Civis settings.

One cache folder serves the whole session, so the engine's normalised-spec cache stays warm
from test to test; tests of the /endpoints cache itself get a folder of their own.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def _session_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("specclient-cache")


@pytest.fixture(autouse=True)
def _private_spec_cache(_session_cache, monkeypatch):
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(_session_cache))
    for name in ("CIVIS_API_KEY", "CIVIS_API_ENDPOINT", "CIVIS_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
