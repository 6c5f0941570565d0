"""Workflows replayed from cassettes (pytest-recording), and a check that no cassette holds a
secret or a token.

Replay (the default, ``--record-mode=none``) needs no emulator: the client points at the fixed
URL the cassettes were recorded against. To record again::

    PYTHONPATH=src pytest tests/platforms/clicdata/test_clicdata_cassettes.py --record-mode=rewrite

which serves the emulator on that fixed port while the tests run.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import specclient
import specclient.emulators
from specclient.emulators.clicdata import (
    CREDENTIALS,
    DEFAULT_API_KEY,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    SECRETS,
)
from specclient.platforms.clicdata import ClicDataScopeError
from specclient.testing import assert_no_secrets
from specclient.testing import vcr_config as specclient_vcr_config

PORT = 38417
BASE_URL = f"http://127.0.0.1:{PORT}"
CASSETTES = Path(__file__).parent / "cassettes"
SALES = 102  # the Sales data set's RecId for seed 1
DASHBOARD = 104  # "Sales Overview" for seed 1


@pytest.fixture(scope="module")
def vcr_config() -> dict:
    return specclient_vcr_config(secret_fields=("client_secret", "password", "CLICDATA-API-KEY"))


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(CASSETTES)


@contextlib.contextmanager
def _served(record_mode: str, **options) -> Iterator[None]:
    """The emulator on the fixed port while recording; nothing at all while replaying."""
    if record_mode == "none":
        yield
        return
    with specclient.emulators.running("clicdata", seed=1, port=PORT, **options):
        yield


def _client(**options):
    return specclient.connect(
        "clicdata", base_url=BASE_URL, max_retries=0, **{**CREDENTIALS, **options}
    )


@pytest.mark.vcr
def test_replayed_rows_become_a_typed_frame(record_mode):
    with _served(record_mode):
        df = _client(page_size=50).data.get(SALES)
    assert len(df) == 120 and df["order_id"].iloc[-1] == 120
    assert str(df["ordered_at"].dtype).endswith("UTC]") and str(df["paid"].dtype) == "bool"


@pytest.mark.vcr
def test_replayed_create_append_and_read_back(record_mode):
    frame = pd.DataFrame(
        {
            "n": pd.array([1, None, 3], dtype="Int64"),
            "s": ["a", "b", None],
            "t": pd.to_datetime(["2024-01-01", "2024-01-02", None], utc=True),
        }
    )
    with _served(record_mode):
        client = _client()
        rec_id = client.data.create_from_dataframe(
            "cassette table", frame, chunk_size=2, progress=False
        )
        back = client.data.get(rec_id)
    assert back["n"].tolist()[::2] == [1, 3] and back["n"].isna().tolist() == [False, True, False]
    assert back["t"].tolist()[:2] == frame["t"].tolist()[:2]


@pytest.mark.vcr
def test_replayed_thumbnail_is_a_png(record_mode):
    with _served(record_mode):
        image = _client(api_key=DEFAULT_API_KEY).dashboards.thumbnail(DASHBOARD)
    assert image.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.vcr
def test_replayed_basic_auth_account(record_mode):
    with _served(record_mode):
        client = _client(client_secret=None, username=DEFAULT_USERNAME, password=DEFAULT_PASSWORD)
        assert client.account.get()["result"]["name"] == "Demo Account"


@pytest.mark.vcr
def test_replayed_missing_scope_envelope_raises(record_mode):
    with _served(record_mode, scopes=["data_read"]):
        client = _client()
        with pytest.raises(ClicDataScopeError, match="Missing scope"):
            client.account.get()


def test_no_cassette_holds_a_secret_or_a_token():
    files = sorted(CASSETTES.rglob("*.yaml"))
    assert len(files) >= 5
    assert_no_secrets(CASSETTES, SECRETS)
    for file in files:
        text = file.read_text()
        assert not re.search(r"Bearer (?!REDACTED)", text), file.name
        assert not re.search(r"Basic (?!REDACTED)", text), file.name
        assert not re.search(r"access_token\W+(?!REDACTED)\w", text), file.name
