"""Shared fixtures for the uSmart adapter: a served emulator per test, small files to upload."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from specclient.emulators import running

ENV = ("USMART_API_KEY_ID", "USMART_API_KEY_SECRET", "USMART_ORG_GUID", "USMART_CREDENTIALS_FILE")


@pytest.fixture(autouse=True)
def _clean_env(tmp_path, monkeypatch):
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(tmp_path / "cache"))
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def emu():
    with running("usmart", seed=1) as emulator:
        yield emulator
    # Uploaded bytes live on disk; do not leave them for the end of the session.
    shutil.rmtree(emulator.state.root, ignore_errors=True)


@pytest.fixture
def client(emu):
    return emu.client()


@pytest.fixture
def dataset(emu):
    """The first public dataset (two pipelines: data-api and download-csv)."""
    return next(d for d in emu.state.datasets.values() if d.access_level == "public")


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "nested" / "counts.csv"
    path.parent.mkdir()
    path.write_bytes(b"site,date,count\nRiver Walk,2026-07-01,123\nRiver Walk,2026-07-02,98\n")
    return path


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
