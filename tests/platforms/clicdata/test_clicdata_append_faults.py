"""Chunked appends under faults: whatever fails, the table ends with exactly the frame's rows,
none twice, none missing (the row count decides whether an ambiguous chunk is resent)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import specclient.emulators
from specclient.errors import ConflictError, ParameterError, ServerError
from specclient.platforms.clicdata import AppendInterrupted
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
    # issue 12.6: the server's error is the cause of one that says what is stored
    with pytest.raises(AppendInterrupted, match="stopped after the first 0 of 300 rows") as caught:
        client.data.append(rec_id, df, chunk_size=100, max_attempts=3, progress=False)
    assert isinstance(caught.value.__cause__, ServerError)
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


# -- issue 12.6: every cell checked before the first chunk; a stop midway says what is stored --


def _fail_inserts_after(
    emu, rec_id: int, chunks: int, kind: str = "500", *, counts_too: bool = False
) -> None:
    """From the ``chunks``-th stored chunk on, every insert fails with ``kind`` (and with
    ``counts_too`` every row count read answers 503)."""
    table = emu.state.tables[rec_id]
    original = table.append
    stored = []

    def append_then_break(records):
        added = original(records)
        stored.append(added)
        if len(stored) == chunks:
            emu.faults.add("data.insert", kind)
            if counts_too:
                emu.faults.add("data.rows", "503")
        return added

    table.append = append_then_break


@pytest.mark.parametrize(
    ("column", "bad", "shown"),
    [
        ("value", "n/a", "'n/a'"),  # a number column
        ("flag", 2, "2"),  # a checkbox column
        ("at", "yesterday", "'yesterday'"),  # a datetime column
        ("id", True, "True"),  # a bool is not a number
    ],
)
def test_a_bad_cell_at_row_700_is_refused_before_anything_is_sent(emu, wire, column, bad, shown):
    client = emu.client(http=wire)
    df = _frame(1000)
    rec_id = _empty_table(client, df)
    bad_frame = df.astype({column: object})
    bad_frame.loc[700, column] = bad
    with pytest.raises(ParameterError) as caught:
        client.data.append(rec_id, bad_frame, chunk_size=100, progress=False)
    message = str(caught.value)
    assert f"row 700 (index 700), column {column!r}" in message
    assert f"cannot hold {shown}; nothing was sent" in message
    assert wire.to(f"/data/{rec_id}/insert") == []
    assert emu.state.tables[rec_id].row_count == 0


def test_cells_that_fit_their_columns_pass_whatever_the_dtype(emu):
    client = emu.client()
    df = _frame(50)
    rec_id = _empty_table(client, df)
    loose = df.astype(object)  # numbers, bools and timestamps as Python objects
    loose["value"] = [str(v) for v in df["value"]]  # numbers as text a number column takes
    loose["flag"] = [int(v) for v in df["flag"]]  # 0/1 into a checkbox
    assert client.data.append(rec_id, loose, progress=False) == 50
    assert emu.state.tables[rec_id].row_count == 50


def test_a_failure_midway_names_the_rows_stored_and_resuming_finishes_exactly(emu):
    client = emu.client(max_retries=0)
    df = _frame(1000)
    rec_id = _empty_table(client, df)
    _fail_inserts_after(emu, rec_id, chunks=3)
    with pytest.raises(AppendInterrupted) as caught:
        client.data.append(rec_id, df, chunk_size=100, max_attempts=2, progress=False)
    error = caught.value
    assert (error.rows_stored, error.rows_total, error.rows_unsure) == (300, 1000, 0)
    assert "stopped after the first 300 of 1000 rows of the frame (df.iloc[:300])" in str(error)
    assert f"To resume: client.data.append({rec_id}, df.iloc[300:])" in str(error)
    assert isinstance(error.__cause__, ServerError)
    assert emu.state.tables[rec_id].row_count == 300
    emu.faults.clear()
    assert client.data.append(rec_id, df.iloc[error.rows_stored :], progress=False) == 700
    _assert_exactly(emu, rec_id, df)


def test_when_the_row_count_cannot_be_read_either_the_message_says_both_ways_to_resume(emu):
    client = emu.client(max_retries=0)
    df = _frame(600)
    rec_id = _empty_table(client, df)
    # three chunks stored; the fourth is stored but its reply lost, and the row count that
    # would tell is unreadable
    _fail_inserts_after(emu, rec_id, chunks=3, kind="drop_after", counts_too=True)
    with pytest.raises(AppendInterrupted) as caught:
        client.data.append(rec_id, df, chunk_size=100, max_attempts=2, progress=False)
    error = caught.value
    assert (error.rows_stored, error.rows_unsure) == (300, 100)
    message = str(error)
    assert "The next 100 rows (df.iloc[300:400]) may be stored" in message
    assert (
        f"if client.data.row_count({rec_id}) is 300, client.data.append({rec_id}, df.iloc[300:])"
        in message
    )
    assert f"if it is 400, client.data.append({rec_id}, df.iloc[400:])" in message
    emu.faults.clear()
    held = client.data.row_count(rec_id)
    assert held == 400
    client.data.append(rec_id, df.iloc[held:], progress=False)
    _assert_exactly(emu, rec_id, df)


async def test_async_append_checks_cells_first_and_resumes_after_a_stop(emu):
    df = _frame(500)
    async with emu.async_client(max_retries=0) as client:
        rec_id = await client.data.create_from_dataframe("t", df.iloc[:0], progress=False)
        bad = df.astype({"value": object})
        bad.loc[450, "value"] = "x"
        with pytest.raises(ParameterError, match="row 450"):
            await client.data.append(rec_id, bad, progress=False)
        _fail_inserts_after(emu, rec_id, chunks=2)
        with pytest.raises(AppendInterrupted) as caught:
            await client.data.append(rec_id, df, chunk_size=100, max_attempts=2, progress=False)
        assert caught.value.rows_stored == 200
        emu.faults.clear()
        await client.data.append(rec_id, df.iloc[200:], progress=False)
    _assert_exactly(emu, rec_id, df)
