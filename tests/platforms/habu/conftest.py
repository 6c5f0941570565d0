"""Shared fixtures: a fresh Habu emulator per test, no user environment, no real token cache."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import specclient.emulators

HABU_ENV = (
    "HABU_API_CLIENT",
    "HABU_API_SECRET",
    "HABU_ORGANIZATION",
    "HABU_API",
    # LiveRamp SDK's names, read too
    "LIVERAMP_CLIENT_ID",
    "LIVERAMP_CLIENT_SECRET",
    "LIVERAMP_BASE_URL",
    "LIVERAMP_SERVICE_ACCOUNT_FILE",
    "LIVERAMP_ACCESS_TOKEN",
    "LIVERAMP_LR_ORG_ID",
    "LIVERAMP_RESTRICTED_LR_ORG_ID",
)


@pytest.fixture(scope="session")
def _cache_dir(tmp_path_factory) -> str:
    # one per session: the parsed spec is cached there once; tokens are keyed by the
    # emulator's URL, so tests do not see each other's tokens
    return str(tmp_path_factory.mktemp("specclient-cache"))


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, _cache_dir: str) -> None:
    """Tests never read the developer's credentials nor write to their caches."""
    for name in HABU_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", _cache_dir)
    monkeypatch.delenv("SPECCLIENT_TOKEN_CACHE", raising=False)


@pytest.fixture
def emu() -> Iterator[specclient.emulators.Emulator]:
    with specclient.emulators.running("habu", seed=1) as emulator:
        yield emulator


@pytest.fixture
def client(emu):
    return emu.client(progress=False)


def make_ready_question(client, *, title: str = "Reach by segment", macros=("@exposures",)):
    """Clean room -> data connection -> dataset -> question -> attach -> owners + datasets.

    Returns the clean-room question (READY to run) and the clean room.
    """
    from specclient.platforms.habu import tutorial_question_details

    room = client.cleanrooms.create(
        name=f"room {title}",
        start_at="2026-01-01",
        type="Hybrid",
        parameters={"REGION": "REGION_US", "CLOUD": "CLOUD_AWS"},
    )
    datasets = []
    for macro in macros:
        conn = client.data_connections.create(name=f"conn {macro}", category="Ad Exposure")
        datasets.append(
            client.cleanroom_datasets.configure(
                room.id, data_connection_id=conn.id, body={"rampIDConsent": False}
            )
        )
    details = tutorial_question_details(title)
    details["dataTypes"] = [{"macro": m, "importDataType": "AdExposure"} for m in macros]
    question_id = client.create_question(details, cleanroom_id=room.id)
    crq = client.cleanroom_questions.add(room.id, question_id=question_id, is_editable=True)
    client.assign_question_datasets(
        crq.id, [{"macro": m, "dataset_id": d.id} for m, d in zip(macros, datasets, strict=True)]
    )
    return crq, room


@pytest.fixture
def ready_question():
    """``ready_question(client, ...)`` -> (clean-room question READY to run, clean room)."""
    return make_ready_question
