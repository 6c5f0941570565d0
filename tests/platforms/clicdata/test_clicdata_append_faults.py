"""Chunked appends under faults: whatever fails, the table ends with exactly the frame's rows,
none twice, none missing (the row count decides whether an ambiguous chunk is resent)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import specclient.emulators
from specclient.errors import ConflictError, ServerError
from specclient.platforms.clicdata.frames import iter_record_blocks


def _frame(rows: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": np.arange(rows, dtype="int64"),
            "value": np.arange(rows, dtype="float64") / 4,
            "flag": np.arange(rows) % 2 == 0,
            "at": pd.date_range("2024-01-01", periods=rows, freq="min", tz="UTC"),
            "label": [f"r{i}" if i % 7 else None for i in range(rows)],
        }
    )


def _sent_rows(df: pd.DataFrame) -> list[dict]:
    return [
        dict(zip(names, row, strict=True)) for names, rows in iter_record_blocks(df) for row in rows
    ]


def _empty_table(client, df: pd.DataFrame, name: str = "target") -> int:
    return client.data.create_from_dataframe(name, df.iloc[:0], progress=False)


def _assert_exactly(emu, rec_id: int, df: pd.DataFrame) -> None:
    table = emu.state.tables[rec_id]
    assert table.row_count == len(df)
    assert table.data["id"] == list(range(len(df)))  # each row once, in order
    assert table.rows(0, table.row_count) == _sent_rows(df)


@pytest.mark.parametrize("kind", ["drop_after", "drop_before", "500", "502", "503"])
def test_one_failed_chunk_is_neither_lost_nor_duplicated(emu, wire, kind):
    client = emu.client(http=wire)
    df = _frame(1000)
    rec_id = _empty_table(client, df)
    emu.faults.add("data.insert", kind, count=1)
    assert client.data.append(rec_id, df, chunk_size=250, progress=False) == 1000
    _assert_exactly(emu, rec_id, df)
    inserts = wire.to(f"/data/{rec_id}/insert")
    # drop_after stored the chunk: 4 inserts; the others refused it: sent again, 5 inserts.
    assert len(inserts) == (4 if kind == "drop_after" else 5)


def test_random_faults_over_many_chunks_leave_exactly_the_frame():
    with specclient.emulators.running("clicdata", seed=7) as emu:
        client = emu.client()
        df = _frame(3000)
        rec_id = _empty_table(client, df)
        for kind in ("drop_after", "500", "drop_before", "429"):
            emu.faults.add("data.insert", kind, rate=0.08)
        emu.faults.add("data.rows", "503", rate=0.1)  # the row-count checks fail too
        appended = client.data.append(rec_id, df, chunk_size=100, max_attempts=8, progress=False)
        assert appended == 3000
        fired = {f.kind for f in emu.faults.fired}
        assert {"drop_after", "500", "drop_before"} <= fired
        _assert_exactly(emu, rec_id, df)


def test_an_expired_token_mid_append_is_renewed_and_the_chunk_sent_once(emu, wire):
    client = emu.client(http=wire)
    df = _frame(600)
    rec_id = _empty_table(client, df)
    emu.faults.add("data.insert", "expired_token", count=1)
    client.data.append(rec_id, df, chunk_size=300, progress=False)
    _assert_exactly(emu, rec_id, df)
    assert emu.state.tokens_issued == 2


def test_appending_to_a_table_with_rows_keeps_them_and_adds_the_frame(emu):
    client = emu.client()
    df = _frame(400)
    rec_id = _empty_table(client, df)
    client.data.append(rec_id, df.iloc[:150], progress=False)
    emu.faults.add("data.insert", "drop_after", count=1)
    client.data.append(rec_id, df.iloc[150:], chunk_size=100, progress=False)
    _assert_exactly(emu, rec_id, df)


def test_a_server_that_keeps_failing_stops_the_append_with_the_error(emu):
    client = emu.client(max_retries=0)
    df = _frame(300)
    rec_id = _empty_table(client, df)
    emu.faults.add("data.insert", "500")
    with pytest.raises(ServerError):
        client.data.append(rec_id, df, chunk_size=100, max_attempts=3, progress=False)
    assert emu.state.tables[rec_id].row_count == 0


def test_another_writer_is_reported_instead_of_guessing(emu):
    client = emu.client()
    df = _frame(200)
    rec_id = _empty_table(client, df)
    table = emu.state.tables[rec_id]
    original = table.append

    def store_and_add_a_stranger(records):
        # This chunk lands, and someone else's row lands with it; then the reply is lost.
        original(records)
        return original([{"id": -1}])

    table.append = store_and_add_a_stranger
    emu.faults.add("data.insert", "drop_after", count=1)
    with pytest.raises(ConflictError, match="something else is writing to it"):
        client.data.append(rec_id, df, chunk_size=100, progress=False)
