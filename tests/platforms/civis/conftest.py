"""Every Civis test gets its own spec cache folder, so none reads or writes ~/.cache."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_spec_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CIVIS_API_KEY", raising=False)
    monkeypatch.delenv("CIVIS_API_ENDPOINT", raising=False)
    monkeypatch.delenv("CIVIS_CREDENTIALS_FILE", raising=False)
