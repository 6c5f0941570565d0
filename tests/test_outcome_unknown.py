"""``OutcomeUnknown`` is public: users catch it after a lost reply to a start, so it is
exported from ``specclient.errors`` and ``specclient``, and the old private path still works."""

from __future__ import annotations

import pytest

import specclient
from specclient.emulators import running


def test_outcome_unknown_is_one_class_under_every_import_path():
    from specclient import OutcomeUnknown as top
    from specclient.errors import OutcomeUnknown as public
    from specclient.platforms._lost import OutcomeUnknown as old

    assert top is public is old
    assert "OutcomeUnknown" in specclient.errors.__all__
    assert issubclass(public, specclient.errors.SpecClientError)
    assert public.__module__ == "specclient.errors"


def test_the_platforms_own_lost_errors_are_caught_as_the_public_class():
    from specclient.platforms.clicdata.refresh import RefreshLost
    from specclient.platforms.clicdata.schedules import ScheduleTriggerLost

    assert issubclass(RefreshLost, specclient.OutcomeUnknown)
    assert issubclass(ScheduleTriggerLost, specclient.OutcomeUnknown)


def test_a_lost_run_start_is_caught_by_the_public_name():
    with running("civis", seed=1, queue_seconds=2, run_seconds=10) as emu:
        client = emu.client()
        script = client.scripts.post_sql(
            name="lost start",
            remote_host_id=client.get_database_id("redshift-general"),
            credential_id=client.default_database_credential_id,
            sql="SELECT 1",
        )
        emu.faults.add("scripts.post_sql_runs", "drop_after", count=1)
        with pytest.raises(specclient.OutcomeUnknown) as caught:
            client.scripts.run_sql(script.id)
    assert caught.value.action and f"list_sql_runs({script.id})" in caught.value.check
    assert isinstance(caught.value.__cause__, specclient.errors.TransportError)
