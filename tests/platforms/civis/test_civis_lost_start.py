"""A lost reply to a run start (issue 12, item 5): the error says the run may have started and
which call lists the runs; the start is not sent again."""

from __future__ import annotations

import pytest

from specclient.emulators import running
from specclient.platforms._lost import OutcomeUnknown


@pytest.fixture
def emu():
    with running("civis", seed=1, queue_seconds=2, run_seconds=10) as emulator:
        yield emulator


def _sql_script(client):
    return client.scripts.post_sql(
        name="lost start",
        remote_host_id=client.get_database_id("redshift-general"),
        credential_id=client.default_database_credential_id,
        sql="SELECT 1",
    )


def test_a_lost_sql_run_start_says_it_may_have_started_and_how_to_check(emu):
    client = emu.client()
    script = _sql_script(client)
    emu.faults.add("scripts.post_sql_runs", "drop_after", count=1)
    with pytest.raises(OutcomeUnknown) as caught:
        client.scripts.run_sql(script.id)
    message = str(caught.value)
    assert "may or may not have happened" in message
    assert f"client.scripts.list_sql_runs({script.id})" in message
    # it did start (the reply was lost after the server applied it), exactly once
    assert len(client.scripts.list_sql_runs(script.id)) == 1


async def test_the_async_client_says_the_same(emu):
    script = _sql_script(emu.client())
    emu.faults.add("scripts.post_sql_runs", "drop_after", count=1)
    async with emu.async_client() as client:
        with pytest.raises(OutcomeUnknown, match=r"list_sql_runs"):
            await client.scripts.run_sql(script.id)
