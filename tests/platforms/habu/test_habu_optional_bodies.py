"""The emulator accepts what the spec allows: configure's body is optional (``required: false``),
so a request without one configures the dataset without RampID consent (found by the
property run, tests/emulators/test_properties.py, when it happened to send no body)."""

from __future__ import annotations


def test_configuring_a_dataset_without_a_body_is_accepted(emu, client):
    room = client.cleanrooms.create(
        name="room",
        start_at="2026-01-01",
        type="Hybrid",
        parameters={"REGION": "REGION_US", "CLOUD": "CLOUD_AWS"},
    )
    conn = client.data_connections.create(name="conn", category="Ad Exposure")
    dataset = client.cleanroom_datasets.configure(room.id, data_connection_id=conn.id)
    stored = emu.state.dataset(room.id, dataset.id)
    assert stored["dataConnectionId"] == conn.id
