"""Refreshes are sent once (issue 12.1): a lost reply is reconciled with the data set's
``last_data_update_date``, never replayed; when the date cannot tell, the error says the
refresh may have happened and how to check. Rebuilds return a future (issue 18)."""

from __future__ import annotations

import asyncio
import concurrent.futures

import pytest

from specclient.errors import ParameterError
from specclient.platforms.clicdata import RefreshFuture, RefreshLost


def _sales(emu):
    return next(t for t in emu.state.tables.values() if t.name == "Sales")


def test_refresh_operations_are_not_marked_idempotent(emu):
    """Only operations whose repetition has the same effect may be replayed by the engine."""
    client = emu.client()
    for resource, method in [
        ("data", "refresh_recreate"),
        ("data", "refresh_rebuild"),
        ("data", "refresh_append"),
        ("data", "refresh_update"),
        ("data", "refresh_updateappend"),
        ("tables", "refresh"),
    ]:
        operation = client._resource(resource)._method(method).operation
        assert operation.idempotent is False, (resource, method)
    # the two kept: adding a user already in a team, setting a parameter to the same value
    assert client._resource("teams")._method("add_user").operation.idempotent is True
    assert client._resource("teams")._method("set_parameter").operation.idempotent is True


@pytest.mark.parametrize("kind", ["drop_after", "500", "502"])
def test_an_append_refresh_whose_reply_is_lost_after_it_ran_appends_once(emu, kind):
    client = emu.client()
    table = _sales(emu)
    assert table.row_count == 120
    if kind == "drop_after":
        emu.faults.add("data.refresh_append", kind, count=1)
        result = client.data.rebuild(table.rec_id, method="append", wait=True)
        assert table.row_count == 130  # one append refresh, not two (the defect: 140)
        assert result["row_count"] == 130
        assert len(table.versions) == 1
    else:
        # the server refused before applying: nothing happened, and the error says to check
        emu.faults.add("data.refresh_append", kind, count=1)
        with pytest.raises(RefreshLost) as caught:
            client.data.rebuild(table.rec_id, method="append")
        assert table.row_count == 120 and table.versions == []
        message = str(caught.value)
        assert "may or may not have happened" in message
        assert f"client.data.describe({table.rec_id!r})['last_data_update_date']" in message


def test_a_refresh_lost_before_the_server_applied_it_is_not_sent_again(emu, wire):
    client = emu.client(http=wire)
    table = _sales(emu)
    emu.faults.add("data.refresh_rebuild", "drop_before", count=1)
    with pytest.raises(RefreshLost) as caught:
        client.data.rebuild(table.rec_id)
    assert caught.value.rec_id == table.rec_id and caught.value.mode == "rebuild"
    assert len(wire.to(f"/data/{table.rec_id}/rebuild")) == 1
    assert table.versions == [] and table.row_count == 120


def test_tables_refresh_append_with_a_lost_reply_refreshes_once(emu):
    client = emu.client()
    table = _sales(emu)
    emu.faults.add("tables.refresh", "drop_after", count=1)
    future = client.tables.refresh(table.rec_id, mode="append")
    assert isinstance(future, RefreshFuture)
    assert future.reply["mode"] == "append"  # rebuilt from the data set after the lost reply
    assert future.result()["row_count"] == 130
    assert table.row_count == 130 and len(table.versions) == 1


def test_tables_refresh_rejects_an_unknown_mode_before_sending(emu, wire):
    with pytest.raises(ParameterError, match="mode must be one of reload, rebuild"):
        emu.client(http=wire).tables.refresh(1, mode="everything")
    assert wire.requests == []


def test_rebuild_returns_a_future_on_the_refresh(emu):
    client = emu.client()
    table = _sales(emu)
    seen = []
    future = client.data.rebuild(table.rec_id, method="append", progress=seen.append)
    assert isinstance(future, concurrent.futures.Future)
    assert future.reply["mode"] == "append"
    done, _ = concurrent.futures.wait([future], timeout=30)
    assert future in done
    described = future.result()
    assert described["id"] == table.rec_id and described["row_count"] == 130
    assert described["last_data_update_date"] == future.reply["last_data_update_date"]
    assert [(p.previous, p.state) for p in seen] == [(None, "refreshed")]
    # the blocking form: a thin result() call
    assert client.data.rebuild(table.rec_id, method="append", wait=True)["row_count"] == 140


def test_a_legacy_rebuild_answers_text_and_its_future_reads_the_date(emu):
    client = emu.client(api_version=None)
    table = _sales(emu)
    future = client.data.rebuild(table.rec_id, method="append")
    assert "completed" in future.reply  # the legacy text reply
    assert future.result()["row_count"] == 130


async def test_async_rebuilds_with_lost_replies_refresh_once_each(emu):
    table = _sales(emu)
    emu.faults.add("data.refresh_append", "drop_after", count=1)
    async with emu.async_client() as client:
        future = await client.data.rebuild(table.rec_id, method="append")
        assert isinstance(future, asyncio.Future)
        described = await future
        assert described["row_count"] == 130
        emu.faults.add("tables.refresh", "drop_after", count=1)
        again = await client.tables.refresh(table.rec_id, mode="append", wait=True)
        assert again["row_count"] == 140
        emu.faults.add("data.refresh_append", "drop_before", count=1)
        with pytest.raises(RefreshLost):
            await client.data.rebuild(table.rec_id, method="append")
    assert table.row_count == 140 and len(table.versions) == 2
