"""The tutorial workflow recorded once against the emulator and replayed (pytest-recording).

Recording: ``pytest tests/platforms/habu/test_habu_cassettes.py --record-mode=rewrite`` starts
the emulator on a fixed loopback port, so the recorded URLs are the same on every machine.
Replaying (the default, ``--record-mode=none``) needs no emulator and no network: the client
talks to the same fixed URL and VCR.py answers from the cassette.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import specclient
import specclient.emulators
from specclient._clock import FakeClock
from specclient.emulators.habu import CREDENTIALS
from specclient.platforms.habu import tutorial_question_details
from specclient.testing import assert_no_secrets
from specclient.testing import vcr_config as specclient_vcr_config

PORT = 18423
BASE_URL = f"http://127.0.0.1:{PORT}/v1"
CASSETTES = Path(__file__).parent / "cassettes"
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}")


@pytest.fixture(scope="module")
def vcr_config():
    # saltKey is the spec's x-secret on run records; tokens and the Basic header are redacted
    # by specclient.testing for every platform
    return specclient_vcr_config(secret_fields=("saltKey",))


@pytest.fixture
def habu(request) -> Iterator[specclient.platforms.habu.HabuClient]:
    """A client for the fixed URL: served by the emulator while recording, by VCR otherwise."""
    recording = request.config.getoption("--record-mode") not in ("none", None)
    if recording:
        with specclient.emulators.running("habu", seed=11, port=PORT, result_rows=25) as emu:
            yield emu.client(token_cache=False, progress=False, page_size=10)
    else:
        client = specclient.connect(
            "habu",
            base_url=BASE_URL,
            clock=FakeClock(),
            token_cache=False,
            progress=False,
            page_size=10,
            **CREDENTIALS,
        )
        with client:
            yield client


@pytest.mark.vcr
def test_recorded_tutorial_replays_to_one_completed_run_and_its_rows(habu):
    room = habu.cleanrooms.create(
        name="cassette room",
        start_at="2026-01-01",
        type="Hybrid",
        parameters={"REGION": "REGION_US", "CLOUD": "CLOUD_AWS"},
    )
    conn = habu.data_connections.create(name="cassette exposures", category="Ad Exposure")
    fields = habu.data_connections.list_field_configurations(conn.id)
    habu.data_connections.map_field_configurations(
        conn.id, body=[{"fieldName": f.field_name, "dataType": f.data_type} for f in fields]
    )
    dataset = habu.cleanroom_datasets.configure(
        room.id, data_connection_id=conn.id, body={"rampIDConsent": False}
    )
    question_id = habu.create_question(tutorial_question_details("cassette"), cleanroom_id=room.id)
    crq = habu.cleanroom_questions.add(room.id, question_id=question_id, is_editable=True)
    habu.assign_question_datasets(crq.id, [{"macro": "@exposures", "dataset_id": dataset.id}])
    run = habu.run_question(crq.id, name="cassette run", parameters={"region": "US"})
    frame = habu.question_results(run.id)
    assert run.status == "COMPLETED"
    assert len(frame) == 25
    assert list(frame.columns) == ["segment", "day", "reach", "spend"]
    assert str(frame["reach"].dtype) == "Int64"
    runs = habu.cleanroom_question_runs.list(crq.id)
    assert [r.name for r in runs] == ["cassette run"]


def test_no_cassette_holds_a_secret_or_a_token():
    files = sorted(CASSETTES.rglob("*.yaml"))
    assert files, "the recorded cassettes are committed under tests/platforms/habu/cassettes"
    assert_no_secrets(CASSETTES, [CREDENTIALS["client_secret"]])
    for file in files:
        text = file.read_text()
        assert not _JWT.search(text), f"{file.name} holds a JWT-shaped token"
        assert "Bearer eyJ" not in text
        for match in re.finditer(r"(accessToken|saltKey)\W+(\S+)", text):
            assert "REDACTED" in match.group(2), f"{file.name}: {match.group(1)} not redacted"
