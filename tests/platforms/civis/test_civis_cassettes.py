"""Civis workflows replayed from cassettes (pytest-recording), and no secret in any cassette.

Recorded once against the emulator on a fixed port (``pytest --record-mode=rewrite
tests/platforms/civis/test_civis_cassettes.py``); replayed in CI (``--record-mode=none``, the
default), where nothing listens on that port, so a request missing from a cassette fails loudly.
The client gets the spec from the bundled file, not from ``/endpoints``, so the cassettes hold
calls, not a 400 kB spec. While recording, the client waits on the emulator's clock (so runs
finish); on replay on a fake clock, so nothing sleeps.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

import specclient
from specclient._clock import FakeClock
from specclient._resources import bundled_spec
from specclient.emulators import running
from specclient.emulators.civis import CREDENTIALS
from specclient.testing import assert_no_secrets
from specclient.testing import vcr_config as specclient_vcr_config

PORT = 47315
BASE_URL = f"http://127.0.0.1:{PORT}"
CASSETTES = Path(__file__).parent / "cassettes"
KEY = CREDENTIALS["api_key"]


@pytest.fixture(scope="module")
def vcr_config():
    return specclient_vcr_config()


@pytest.fixture
def client(record_mode):
    if record_mode == "none":
        with specclient.connect(
            "civis",
            base_url=BASE_URL,
            spec=str(bundled_spec("civis")),
            clock=FakeClock(),
            **CREDENTIALS,
        ) as replaying:
            yield replaying
        return
    with running("civis", seed=1, port=PORT) as emu:
        yield emu.client(spec=str(bundled_spec("civis")))


@pytest.mark.vcr
def test_helpers_find_ids_by_name(client):
    assert client.username == "demo-user"
    assert client.get_database_id("redshift-general") == 1
    assert client.default_database_credential_id == 101
    assert client.get_table_id("public.customers", "redshift-general") == 106
    assert client.get_aws_credential_id("shared-cred") == 105
    with pytest.raises(ValueError, match="Database nowhere not found"):
        client.get_database_id("nowhere")


@pytest.mark.vcr
def test_container_script_run_to_success(client):
    script = client.scripts.post_containers(
        required_resources={"cpu": 256, "memory": 512},
        docker_image_name="busybox",
        name="cassette job",
        docker_command="python run.py; sleep 5",
    )
    future = client.scripts.run_containers(script.id)
    final = future.result(timeout=600)
    assert (final.state, final.container_id, final.error) == ("succeeded", script.id, None)


@pytest.mark.vcr
def test_paging_tables_with_iterator(client):
    names = [t.name for t in client.tables.list(database_id=1, limit=2, iterator=True)]
    assert names == ["customers", "orders", "daily_revenue", "bar"]


def test_no_cassette_holds_the_api_key():
    basic = base64.b64encode(f"{KEY}:".encode()).decode()  # how the key travels
    assert_no_secrets(CASSETTES, [KEY, basic])
