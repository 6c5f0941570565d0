"""Reading a data set page by page (issue 15): the largest page by default, the pages after the
first fetched two at a time yet kept in order, Parquet/CSV written as pages arrive, and a lazy
iterator of record batches, sync and async."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from specclient.errors import ParameterError, ServerError


def _frame(rows: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": np.arange(rows, dtype="int64"),
            "value": np.arange(rows, dtype="float64") / 4,
            "flag": np.arange(rows) % 2 == 0,
            "at": pd.date_range("2024-01-01", periods=rows, freq="min", tz="UTC"),
            "label": pd.Series([f"r{i}" if i % 7 else None for i in range(rows)], dtype=object),
        }
    )


def _as_read(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` as a read gives it back (timestamps in nanoseconds, missing text as NaN)."""
    label = pd.Series([np.nan if v is None else v for v in df["label"]], dtype=object)
    return df.astype({"at": "datetime64[ns, UTC]"}).assign(label=label)


@pytest.fixture
def stored(emu):
    client = emu.client()
    df = _frame(1050)
    rec_id = client.data.create_from_dataframe("stream me", df, progress=False)
    return rec_id, df


def test_the_default_page_is_the_largest_the_spec_allows(emu, wire, stored):
    rec_id, df = stored
    got = emu.client(http=wire).data.get(rec_id, progress=False)
    pages = wire.to(f"/data/{rec_id}")
    assert [p.url.params["page_size"] for p in pages] == ["10000"]  # PageSize's maximum
    pd.testing.assert_frame_equal(got, _as_read(df))


def test_pages_after_the_first_come_two_at_a_time_and_stay_in_order(emu, wire, stored):
    rec_id, df = stored
    got = emu.client(http=wire, page_size=100).data.get(rec_id, progress=False)
    pages = sorted(int(p.url.params["page"]) for p in wire.to(f"/data/{rec_id}"))
    assert pages == list(range(1, 12))  # every page once
    pd.testing.assert_frame_equal(got, _as_read(df))  # rows in the table's order


async def test_async_reads_in_order_too(emu, stored):
    rec_id, df = stored
    async with emu.async_client(page_size=100) as client:
        got = await client.data.get(rec_id, progress=False)
    pd.testing.assert_frame_equal(got, _as_read(df))


def test_to_parquet_writes_every_row_a_row_group_a_page(emu, stored, tmp_path):
    rec_id, df = stored
    path = tmp_path / "out.parquet"
    client = emu.client(page_size=200)
    assert client.data.get(rec_id, to_parquet=path, progress=False) == path
    written = pq.ParquetFile(path)
    assert written.metadata.num_row_groups == 6  # 1,050 rows in pages of 200
    assert [written.metadata.row_group(i).num_rows for i in range(6)] == [200] * 5 + [50]
    table = written.read()
    assert table.schema.field("id").type == pa.float64()  # a stream's number column
    assert table.schema.field("flag").type == pa.bool_()
    assert table.schema.field("at").type == pa.timestamp("ns", tz="UTC")
    assert table.column("id").to_pylist() == df["id"].astype(float).tolist()
    assert table.column("label").to_pylist() == df["label"].tolist()
    assert table.column("at").to_pandas().tolist() == _as_read(df)["at"].tolist()
    assert not (tmp_path / "out.parquet.partial").exists()


def test_to_csv_writes_a_header_and_every_row(emu, stored, tmp_path):
    rec_id, df = stored
    path = tmp_path / "out.csv"
    emu.client(page_size=500).data.get(rec_id, to_csv=path, progress=False)
    table = pcsv.read_csv(path)
    assert table.column_names == ["id", "value", "flag", "at", "label"]
    assert table.num_rows == 1050
    assert table.column("value").to_pylist() == df["value"].tolist()


def test_a_failed_page_leaves_no_file_that_looks_finished(emu, stored, tmp_path):
    rec_id, _ = stored
    path = tmp_path / "out.parquet"
    emu.faults.add("data.rows", "500")
    with pytest.raises(ServerError):
        emu.client(page_size=200, max_retries=0).data.get(rec_id, to_parquet=path)
    assert not path.exists() and not (tmp_path / "out.parquet.partial").exists()


def test_both_file_targets_are_refused_before_anything_is_sent(emu, wire, tmp_path):
    with pytest.raises(ParameterError, match="give to_parquet= or to_csv=, not both"):
        emu.client(http=wire).data.get(1, to_parquet=tmp_path / "a", to_csv=tmp_path / "b")
    assert wire.requests == []


def test_iter_batches_fetches_one_page_per_batch_lazily(emu, wire, stored):
    rec_id, df = stored
    batches = emu.client(http=wire).data.iter_batches(rec_id, page_size=400)
    assert wire.to(f"/data/{rec_id}") == []  # nothing fetched before the first batch is asked
    first = next(batches)
    assert first.num_rows == 400 and len(wire.to(f"/data/{rec_id}")) == 1
    rest = list(batches)
    assert [b.num_rows for b in rest] == [400, 250]
    assert len({b.schema for b in [first, *rest]}) == 1
    table = pa.Table.from_batches([first, *rest])
    assert table.column("id").to_pylist() == df["id"].astype(float).tolist()


async def test_async_iter_batches(emu, stored):
    rec_id, df = stored
    async with emu.async_client() as client:
        batches = [b async for b in client.data.iter_batches(rec_id, page_size=300)]
    assert [b.num_rows for b in batches] == [300, 300, 300, 150]
    assert pa.Table.from_batches(batches).column("label").to_pylist() == df["label"].tolist()
