"""Every spec test gets its own cache directory, so none reads or writes the user's cache."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    directory = tmp_path / "spec-cache"
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(directory))
    monkeypatch.delenv("SPECCLIENT_NO_CACHE", raising=False)
    return directory
