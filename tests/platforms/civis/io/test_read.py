"""Reading query results: civis-python's ``return_as`` choices, DataFrames typed from the
table's own column types, Arrow tables and lazy batches, sync and async."""

from __future__ import annotations

import asyncio
import warnings

import pandas as pd
import pyarrow as pa
import pytest

from specclient.emulators.civis import CREDENTIALS
from specclient.platforms.civis import io as civis_io
from specclient.platforms.civis.futures import CivisJobFailure

COLUMNS = [
    ("id", "BIGINT"),
    ("zip", "VARCHAR(5)"),
    ("amount", "DOUBLE PRECISION"),
    ("active", "BOOLEAN"),
    ("born", "DATE"),
    ("seen", "TIMESTAMP"),
]
ROWS = [
    (1, "02134", 1.5, "t", "1990-01-02", "2024-05-06 07:08:09"),
    (2, "", None, "f", None, None),
    (3, "10001", -2.25, None, "2001-12-31", "2024-01-01 00:00:00"),
]


@pytest.fixture
def people(table):
    return table("crm.people", COLUMNS, ROWS)


def test_list_is_civis_pythons_rows_of_text_header_first(client, people):
    rows = civis_io.read_civis_sql("SELECT * FROM crm.people", "redshift-general", client=client)
    assert rows == [
        ["id", "zip", "amount", "active", "born", "seen"],
        ["1", "02134", "1.5", "t", "1990-01-02", "2024-05-06 07:08:09"],
        ["2", "", "", "f", "", ""],
        ["3", "10001", "-2.25", "", "2001-12-31", "2024-01-01 00:00:00"],
    ]


def test_a_dataframe_is_typed_by_the_tables_columns_not_guessed(client, people):
    df = civis_io.read_civis("crm.people", "redshift-general", return_as="pandas", client=client)
    assert {name: str(dtype) for name, dtype in df.dtypes.items()} == {
        "id": "Int64",
        "zip": "string",
        "amount": "Float64",
        "active": "boolean",
        "born": "datetime64[ns]",
        "seen": "datetime64[ns, UTC]",
    }
    # a VARCHAR of digits keeps its leading zero (pandas' guess would make it the int 2134)
    assert df["zip"].tolist()[0] == "02134" and df["zip"].isna().tolist() == [False, True, False]
    assert df["id"].tolist() == [1, 2, 3]
    assert df["amount"].isna().tolist() == [False, True, False]
    assert df["active"].tolist()[:2] == [True, False] and df["active"].isna()[2]
    assert df["seen"][0] == pd.Timestamp("2024-05-06 07:08:09", tz="UTC")
    assert df["born"][2] == pd.Timestamp("2001-12-31")


def test_civis_python_reads_the_same_table_by_guessing(emu, client, people):
    civis = pytest.importorskip("civis")
    emu.state.queue_seconds = emu.state.run_seconds = 0  # civis-python polls in real time
    theirs = civis.io.read_civis("crm.people", 1, return_as="pandas", client=client)
    assert str(theirs["zip"].dtype) == "float64"  # what the honest types above avoid


def test_arrow_and_a_column_subset(client, people):
    got = civis_io.read_civis(
        "crm.people", 1, columns=["amount", "id"], return_type="arrow", client=client
    )
    assert got.schema == pa.schema([("amount", pa.float64()), ("id", pa.int64())])
    assert got.column("id").to_pylist() == [1, 2, 3]


def test_a_statement_on_no_known_table_is_typed_by_inference(client):
    got = civis_io.read_civis_sql("SELECT 1", 1, return_as="arrow", client=client)
    assert got.schema == pa.schema([("?column?", pa.int64())])
    assert got.to_pylist() == [{"?column?": 1}]


def test_batches_download_only_when_read_and_come_in_blocks(emu, table, monkeypatch):
    from specclient.tables import csv_batches

    monkeypatch.setattr(csv_batches, "BLOCK_SIZE", 64)
    table(
        "crm.many", [("n", "INTEGER"), ("word", "VARCHAR(20)")], [(i, f"w{i}") for i in range(50)]
    )
    seen = []
    client = emu.client(event_hooks={"request": [lambda r: seen.append(r.url.path)]})
    batches = civis_io.read_civis_sql(
        "select * from crm.many", 1, return_as="batches", client=client
    )
    assert not any("/_storage/download/" in path for path in seen)
    first = next(batches)
    assert any("/_storage/download/" in path for path in seen)
    rest = list(batches)
    assert len(rest) >= 2, "a small block size gives several batches"
    whole = pa.Table.from_batches([first, *rest])
    assert whole.column("n").to_pylist() == list(range(50))
    assert whole.schema.field("n").type == pa.int64()


def test_a_statement_without_a_result_set_is_an_empty_result(client, people):
    with pytest.raises(civis_io.EmptyResultError, match=r"Query \d+ returned no output\."):
        civis_io.read_civis_sql("DROP TABLE crm.people", 1, client=client)
    with pytest.raises(CivisJobFailure, match='relation "crm.people" does not exist'):
        civis_io.read_civis("crm.people", 1, client=client)


def test_sql_the_emulator_does_not_understand_is_refused_with_what_it_does(client):
    from specclient.platforms.civis.errors import CivisAPIError

    with pytest.raises(CivisAPIError, match="answers only: SELECT \\* FROM schema.table") as info:
        civis_io.read_civis_sql("SELECT a FROM x JOIN y ON x.id = y.id", 1, client=client)
    assert info.value.status_code == 400


def test_bad_arguments_are_refused_before_anything_is_sent(client):
    with pytest.raises(ValueError, match="unsupported return_as option: frame"):
        civis_io.read_civis_sql("select 1", 1, return_as="frame", client=client)
    with pytest.raises(ValueError, match="sql_params_arguments must be a dict with keys in"):
        civis_io.read_civis_sql("select 1", 1, sql_params_arguments={"x": 1}, client=client)
    with pytest.raises(TypeError, match="columns must be a list, tuple or None"):
        civis_io.read_civis("crm.people", 1, columns="id", client=client)
    with pytest.raises(ValueError, match="conflict"):
        civis_io.read_civis_sql("select 1", 1, "pandas", return_type="arrow", client=client)
    assert client.last_response is None


def test_use_pandas_is_deprecated_as_in_civis_python(client, people):
    with pytest.warns(FutureWarning, match="'use_pandas' is deprecated since civis-python"):
        df = civis_io.read_civis("crm.people", 1, use_pandas=True, client=client)
    assert isinstance(df, pd.DataFrame)
    with pytest.raises(ValueError, match="use_pandas=False but return_as='pandas'"):
        civis_io.read_civis("crm.people", 1, return_as="pandas", use_pandas=False, client=client)


def test_pandas_options_read_the_file_as_civis_python_does(client, people):
    df = civis_io.read_civis("crm.people", 1, return_as="pandas", dtype=str, client=client)
    assert df["id"].tolist() == ["1", "2", "3"]


def test_the_async_client_awaits_the_same_reads(emu, people):
    from specclient.platforms.civis import connect_async

    async def main():
        async with connect_async(
            api_key=CREDENTIALS["api_key"], base_url=emu.base_url, clock=emu.clock
        ) as client:
            df = await civis_io.read_civis("crm.people", 1, return_as="pandas", client=client)
            batches = await civis_io.read_civis("crm.people", 1, return_as="batches",
                                                client=client)  # fmt: skip
            streamed = [batch async for batch in batches]
            return df, streamed

    df, streamed = asyncio.run(main())
    assert str(df["id"].dtype) == "Int64" and df["zip"][0] == "02134"
    assert sum(b.num_rows for b in streamed) == 3


def test_polars_is_refused_clearly_when_not_installed(client):
    try:
        import polars  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="polars is not installed"):
            civis_io.read_civis_sql("select 1", 1, return_as="polars", client=client)
    else:  # pragma: no cover - polars present
        with warnings.catch_warnings():
            got = civis_io.read_civis_sql("select 1", 1, return_as="polars", client=client)
        assert got.shape == (1, 1)
