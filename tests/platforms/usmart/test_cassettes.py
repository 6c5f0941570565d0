"""The workflows replayed from cassettes (pytest-recording), and no secret in any cassette.

Recorded once against the emulator on a fixed port (``pytest --record-mode=once`` with the
cassettes deleted, or ``--record-mode=rewrite``); replayed in CI (``--record-mode=none``, the
default), where nothing listens on that port, so a request the cassette lacks fails loudly.
The async client replays the same cassettes, matched on the body too: it must send, byte for
byte, what the sync client recorded.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml

import specclient
from specclient._clock import FakeClock
from specclient.emulators import running
from specclient.emulators.usmart import CREDENTIALS
from specclient.testing import assert_no_secrets
from specclient.testing import vcr_config as specclient_vcr_config

from .conftest import Blocking

PORT = 47391
BASE_URL = f"http://127.0.0.1:{PORT}"
CASSETTES = Path(__file__).parent / "cassettes"
DATASET = "cd613e30-d8f1-4adf-91b7-584a2265b1f5"  # the seed=1 emulator's first dataset
API_CONTAINER = "07923986-bb96-4a43-bd5c-8dfc5eda92d8"  # its data-api pipeline


@pytest.fixture(scope="module")
def vcr_config():
    # the body too: the async client must send the recorded (sync) bytes, not just the URLs
    return specclient_vcr_config(
        match_on=["method", "scheme", "host", "port", "path", "query", "body"]
    )


@pytest.fixture
def default_cassette_name(request):
    """One cassette per test for both clients (recorded with the sync one)."""
    return request.node.originalname


@pytest.fixture
def live(record_mode):
    """The emulator, served on the fixed port only while recording."""
    if record_mode == "none":
        yield None
        return
    with running("usmart", seed=1, port=PORT) as emu:
        yield emu


@pytest.fixture(params=["sync", "async"])
def client(request, live):
    """The sync client, and the async one replaying the same cassettes (recorded with sync)."""
    options = {"base_url": BASE_URL, "clock": FakeClock(), **CREDENTIALS}
    if request.param == "sync":
        yield specclient.connect("usmart", **options)
        return
    loop = asyncio.new_event_loop()
    client = specclient.connect_async("usmart", **options)
    try:
        yield Blocking(client, loop)
    finally:
        loop.run_until_complete(client.aclose())
        loop.close()


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_bytes(b"site,date,count\nRiver Walk,2026-07-01,123\nRiver Walk,2026-07-02,98\n")
    return path


@pytest.mark.vcr
def test_upload_then_new_revision(client, csv_file):
    created = client.files.upload(DATASET, csv_file, progress=False)
    assert (created["file_name"], created["file_size"], created["revision"]) == (
        "counts.csv",
        67,
        1,
    )
    revised = client.files.update_revision(created["file_guid"], csv_file, progress=False)
    assert revised["file_guid"] == created["file_guid"] and revised["revision"] == 2


@pytest.mark.vcr
def test_refresh_all_pipelines(client):
    outcomes = client.pipelines.refresh_all(DATASET).started  # the process calls' outcomes
    assert [(o.pipeline_id, o.ok, o.state) for o in outcomes] == [
        ("data-api", True, "processing"),
        ("download-csv", True, "processing"),
    ]


@pytest.mark.vcr
def test_catalogue_and_data_as_frames(client):
    catalogue = client.catalog.datasets(private=True)
    assert DATASET in set(catalogue["guid"])
    assert len(catalogue) == 3
    frame = client.data.query(API_CONTAINER, where={"site": "Canal Path"}, sort=["-count"])
    assert len(frame) == 30
    assert frame["count"].is_monotonic_decreasing


def test_no_cassette_holds_a_secret_or_a_signature():
    files = sorted(CASSETTES.rglob("*.yaml"))
    assert len(files) >= 3, "cassettes are missing: record them (see the module docstring)"
    assert_no_secrets(CASSETTES, [CREDENTIALS["api_key_secret"]])
    for path in files:
        for interaction in yaml.safe_load(path.read_text())["interactions"]:
            request = interaction["request"]
            headers = {k.lower(): v for k, v in request["headers"].items()}
            assert headers.get("api-key-secret", ["REDACTED"]) == ["REDACTED"], path.name
            if "X-Amz-Signature=" in request["uri"]:
                assert request["uri"].endswith("X-Amz-Signature=REDACTED"), path.name
                assert "api-key-id" not in headers  # storage never sees a uSmart key
