"""A data set as a Dask DataFrame on a 2-worker LocalCluster (issue 15): the partitions fetch
their own pages on the workers, the driver reads one row, and the computed frame equals the
stream's batches and, value for value, pandas'."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

pytest.importorskip("distributed")

from distributed import Client as DaskClient  # noqa: E402
from distributed import LocalCluster  # noqa: E402

import specclient.tables.partitions as shared  # noqa: E402
from specclient.errors import ParameterError  # noqa: E402


def _frame(rows: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": np.arange(rows, dtype="int64"),
            "value": np.arange(rows, dtype="float64") / 4,
            "flag": np.arange(rows) % 3 == 0,
            "at": pd.date_range("2024-01-01", periods=rows, freq="min", tz="UTC"),
            "label": pd.Series([f"r{i}" if i % 7 else None for i in range(rows)], dtype=object),
        }
    )


def test_partitions_fetch_their_own_pages_on_the_workers(emu, wire, monkeypatch):
    client = emu.client(http=wire)
    df = _frame(2_345)
    rec_id = client.data.create_from_dataframe("dask me", df, progress=False)
    expected = pa.Table.from_batches(list(client.data.iter_batches(rec_id))).to_pandas()
    # the workers authenticate from their own environment: nothing secret in the graph
    monkeypatch.setenv("CLICDATA_CLIENT_ID", emu.credentials["client_id"])
    monkeypatch.setenv("CLICDATA_CLIENT_SECRET", emu.credentials["client_secret"])
    monkeypatch.setattr(shared, "PARTITION_ROWS", 1_000)
    import specclient.platforms.clicdata.partitions as mine

    monkeypatch.setattr(mine, "PARTITION_ROWS", 1_000)
    wire.requests.clear()
    frame = client.data.get(rec_id, return_type="dask", page_size=500)
    assert frame.npartitions == 3  # 1,000 + 1,000 + 345 rows, two pages of 500 each at most
    assert [r.url.params.get("page_size") for r in wire.to(f"/data/{rec_id}")] == ["1"]
    meta = dict(frame.dtypes)
    assert emu.credentials["client_secret"] not in repr(dict(frame.dask))
    emu.faults.add("data.rows", "slow", delay=0)  # records each call
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        DaskClient(cluster),
    ):
        computed = frame.compute().reset_index(drop=True)
    assert len([f for f in emu.faults.fired if f.target == "data.rows"]) == 5  # each page once
    assert dict(computed.dtypes) == meta  # the graph's meta is what the partitions give
    # the stream's values; text in Dask's own string dtype (missing: NA)
    pd.testing.assert_frame_equal(computed.drop(columns="label"), expected.drop(columns="label"))
    labels = [None if pd.isna(v) else v for v in computed["label"]]
    assert labels == df["label"].tolist()
    # value for value the pandas read (a stream's number column is float64)
    pandas_read = client.data.get(rec_id, progress=False)
    assert computed["id"].tolist() == pandas_read["id"].astype(float).tolist()
    assert computed["at"].tolist() == pandas_read["at"].tolist()
    assert computed["flag"].tolist() == pandas_read["flag"].tolist()


def test_dask_needs_the_versioned_api(emu, wire):
    with pytest.raises(ParameterError, match='return_type="dask" needs the versioned API'):
        emu.client(http=wire, api_version=None).data.get(1, return_type="dask")
    assert wire.requests == []
