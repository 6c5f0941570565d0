"""Filling tables and exporting results: dataframe_to_civis, csv_to_civis, civis_file_to_table,
civis_to_csv, civis_to_multifile_csv, export_to_civis_file, query_civis, transfer_table."""

from __future__ import annotations

import asyncio
import gzip
import io
import zipfile

import pandas as pd
import pytest

from specclient.emulators.civis import CREDENTIALS
from specclient.platforms.civis import io as civis_io
from specclient.platforms.civis.futures import CivisFuture, CivisJobFailure

FRAME = pd.DataFrame(
    {
        "id": pd.array([1, 2, None], dtype="Int64"),
        "name": pd.array(["ann", None, "0042"], dtype="string"),
        "score": [1.5, None, -3.0],
        "ok": [True, False, True],
        "at": pd.to_datetime(["2024-01-02 03:04:05", None, "2024-12-31 23:59:59"], utc=True),
    }
)


def _columns(client, schema, name, database=1):
    found = client.databases.get_schemas_tables(database, schema, name)
    return [(c.name, c.sql_type) for c in found.columns]


def test_a_dataframe_makes_a_new_table_typed_by_its_dtypes_and_reads_back_equal(client):
    future = civis_io.dataframe_to_civis(FRAME, "redshift-general", "scratch.people", client=client)
    assert isinstance(future, CivisFuture)
    assert future.result().state == "succeeded"
    assert _columns(client, "scratch", "people") == [
        ("id", "BIGINT"),
        ("name", "VARCHAR(256)"),
        ("score", "DOUBLE PRECISION"),
        ("ok", "BOOLEAN"),
        ("at", "TIMESTAMP"),
    ]
    back = civis_io.read_civis("scratch.people", 1, return_as="pandas", client=client)
    expected = FRAME.astype({"score": "Float64", "ok": "boolean", "at": "datetime64[ns, UTC]"})
    pd.testing.assert_frame_equal(back, expected)


def test_existing_table_rows_fail_append_truncate_drop(client):
    civis_io.dataframe_to_civis(FRAME, 1, "scratch.t", client=client).result()
    with pytest.raises(CivisJobFailure, match="Table scratch.t already exists"):
        civis_io.dataframe_to_civis(FRAME, 1, "scratch.t", client=client).result()
    civis_io.dataframe_to_civis(FRAME, 1, "scratch.t", existing_table_rows="append",
                                client=client).result()  # fmt: skip
    assert len(civis_io.read_civis("scratch.t", 1, return_as="arrow", client=client)) == 6
    civis_io.dataframe_to_civis(FRAME.head(1), 1, "scratch.t", existing_table_rows="truncate",
                                client=client).result()  # fmt: skip
    assert len(civis_io.read_civis("scratch.t", 1, return_as="arrow", client=client)) == 1
    other = pd.DataFrame({"x": ["a"]})
    civis_io.dataframe_to_civis(other, 1, "scratch.t", existing_table_rows="drop",
                                client=client).result()  # fmt: skip
    assert _columns(client, "scratch", "t") == [("x", "VARCHAR(256)")]


def test_a_csv_file_is_preprocessed_then_imported_with_detected_types(client, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("n,word,day\n1,hello,2024-01-01\n2,world,2024-02-02\n")
    future = civis_io.csv_to_civis(str(path), 1, "scratch.from_csv", client=client)
    assert future.result().state == "succeeded"
    assert _columns(client, "scratch", "from_csv") == [
        ("n", "INTEGER"),
        ("word", "VARCHAR(256)"),
        ("day", "DATE"),
    ]
    assert civis_io.read_civis("scratch.from_csv", 1, client=client) == [
        ["n", "word", "day"],
        ["1", "hello", "2024-01-01"],
        ["2", "world", "2024-02-02"],
    ]


def test_files_whose_columns_disagree_are_not_imported_together(client):
    one = civis_io.file_to_civis(io.BytesIO(b"a,b\n1,2\n"), "one.csv", client=client)
    two = civis_io.file_to_civis(io.BytesIO(b"a\n1\n"), "two.csv", client=client)
    with pytest.raises(civis_io.CivisImportError, match="same number of columns"):
        civis_io.civis_file_to_table([one, two], 1, "scratch.both", client=client)


def test_table_arguments_are_checked_before_anything_is_sent(client):
    with pytest.raises(TypeError, match="Invalid type for file_id: str"):
        civis_io.civis_file_to_table("1", 1, "scratch.t", client=client)
    with pytest.raises(ValueError, match="Provide a schema as part of the `table` input."):
        civis_io.civis_file_to_table(1, 1, "t", client=client)
    with pytest.raises(ValueError, match="Provide one or multiple meaningful input file IDs."):
        civis_io.civis_file_to_table([], 1, "scratch.t", client=client)
    with pytest.raises(ValueError, match=r"must be one of \('name', 'sql_type'\)"):
        civis_io.dataframe_to_civis(FRAME, 1, "scratch.t", table_columns=[{"name": "a",
                                    "sqltype": "INT"}], client=client)  # fmt: skip
    with pytest.raises(ValueError, match="Some table columns have a sql type provided"):
        civis_io.civis_file_to_table(1, 1, "scratch.t", client=client, table_columns=[
            {"name": "a", "sql_type": "INT"}, {"name": "b", "sql_type": ""}])  # fmt: skip
    with pytest.raises(ValueError, match="unsuppported dataframe type"):
        civis_io.dataframe_to_civis([[1]], 1, "scratch.t", client=client)
    assert client.last_response is None


@pytest.fixture
def words(table):
    return table("crm.words", [("n", "INTEGER"), ("w", "VARCHAR(10)")], [(1, "a,b"), (2, "c")])


def test_civis_to_csv_writes_the_file_when_the_run_succeeds(client, words, tmp_path):
    target = tmp_path / "out.csv"
    future = civis_io.civis_to_csv(str(target), "SELECT * FROM crm.words", 1, client=client)
    assert future.result().state == "succeeded"
    assert target.read_bytes() == b'n,w\n1,"a,b"\n2,c\n'
    piped = tmp_path / "out.psv"
    civis_io.civis_to_csv(str(piped), "SELECT * FROM crm.words", 1, delimiter="|",
                          include_header=False, compression="gzip", client=client).result()  # fmt: skip
    assert gzip.decompress(piped.read_bytes()) == b"1|a,b\n2|c\n"
    zipped = tmp_path / "out.zip"
    civis_io.civis_to_csv(str(zipped), "SELECT * FROM crm.words", 1, compression="zip",
                          client=client).result()  # fmt: skip
    with zipfile.ZipFile(zipped) as archive:
        assert archive.read("out.csv") == b'n,w\n1,"a,b"\n2,c\n'
    with pytest.raises(ValueError, match="delimiter must be one of"):
        civis_io.civis_to_csv(str(target), "SELECT 1", 1, delimiter=";", client=client)


def test_multifile_gives_civis_pythons_manifest(client, table):
    table("crm.big", [("n", "INTEGER")], [(i,) for i in range(300_000)])
    manifest = civis_io.civis_to_multifile_csv(
        "SELECT * FROM crm.big", 1, max_file_size=1, client=client
    )
    assert manifest["header"] == ["n"] and manifest["delimiter"] == "|"
    assert manifest["query"] == "SELECT * FROM crm.big"
    assert len(manifest["entries"]) >= 2
    rows = b""
    for entry in manifest["entries"]:
        assert set(entry) == {"id", "name", "size", "url", "url_signed"}
        out = io.BytesIO()
        civis_io.civis_to_file(entry["id"], out, client=client)
        assert len(out.getvalue()) == entry["size"]
        rows += out.getvalue()
    assert rows.split() == [str(i).encode() for i in range(300_000)]


def test_export_query_and_transfer(client, words):
    finished = civis_io.export_to_civis_file("SELECT * FROM crm.words", 1, client=client).result()
    out = io.BytesIO()
    civis_io.civis_to_file(finished["output"][0]["file_id"], out, client=client)
    assert out.getvalue() == b'n,w\n1,"a,b"\n2,c\n'
    query = civis_io.query_civis("SELECT * FROM crm.words", 1, preview_rows=1, client=client)
    done = query.result()
    assert (done.result_columns, done.result_rows) == (["n", "w"], [["1", "a,b"]])
    moved = civis_io.transfer_table(1, "postgres-analytics", "crm.words", "archive.words",
                                    client=client)  # fmt: skip
    assert moved.result().state == "succeeded"
    assert civis_io.read_civis("archive.words", 2, client=client) == [
        ["n", "w"],
        ["1", "a,b"],
        ["2", "c"],
    ]


def test_the_async_client_gets_awaitable_futures(emu, words, tmp_path):
    from specclient.platforms.civis import AsyncCivisFuture, connect_async

    async def main():
        async with connect_async(
            api_key=CREDENTIALS["api_key"], base_url=emu.base_url, clock=emu.clock
        ) as client:
            future = await civis_io.dataframe_to_civis(FRAME, 1, "scratch.a", client=client)
            assert isinstance(future, AsyncCivisFuture)
            await future
            finished = await civis_io.civis_to_csv(
                str(tmp_path / "a.csv"), "SELECT * FROM crm.words", 1, client=client
            )
            return finished.state, await civis_io.read_civis("scratch.a", 1, client=client)

    state, rows = asyncio.run(main())
    assert state == "succeeded" and (tmp_path / "a.csv").read_bytes() == b'n,w\n1,"a,b"\n2,c\n'
    assert rows[0] == ["id", "name", "score", "ok", "at"] and len(rows) == 4
