"""uSmart URQL results and data files through the table pipeline: Arrow tables, lazy record
batches and Parquet/CSV files hold the records the emulator serves, typed from their values,
equal to the DataFrame the same answer gives."""

from __future__ import annotations

import asyncio
import json

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from specclient.errors import ParameterError, SpecClientError


def _api(dataset):
    return next(c for c in dataset.containers if c.pipeline_id == "data-api")


def _serve_only(emu, client, dataset, path):
    """The data set's Data API container, serving nothing but the file at ``path``."""
    emu.state.datasets[dataset.guid].files.clear()
    client.files.upload(dataset.guid, path)
    api = _api(dataset)
    client.pipelines.process(api.guid)
    emu.clock.advance(5)
    return api


def test_query_as_arrow_is_typed_and_equals_the_frame(client, dataset):
    api = _api(dataset)
    frame = client.data.query(api.guid)
    table = client.data.query(api.guid, return_type="arrow")
    assert isinstance(table, pa.Table)
    assert {f.name: f.type for f in table.schema} == {
        "site": pa.string(),
        "date": pa.string(),
        "count": pa.int64(),
        "usmart_id": pa.string(),
    }
    assert table.to_pandas().astype(frame.dtypes.to_dict()).equals(frame)


def test_query_as_pandas_through_the_pipeline_has_nullable_dtypes(client, dataset):
    typed = client.data.query(_api(dataset).guid, return_type="pandas", sort="-count", limit=4)
    assert [str(t) for t in typed.dtypes] == ["string", "string", "Int64", "string"]
    assert typed["count"].is_monotonic_decreasing and len(typed) == 4


def test_query_streams_to_parquet_and_csv(client, dataset, tmp_path):
    api = _api(dataset)
    frame = client.data.query(api.guid)
    assert client.data.query(api.guid, to_parquet=tmp_path / "q.parquet") == tmp_path / "q.parquet"
    assert (
        pq.read_table(tmp_path / "q.parquet").column("count").to_pylist() == frame["count"].tolist()
    )
    client.data.query(api.guid, to_csv=tmp_path / "q.csv")
    assert pcsv.read_csv(tmp_path / "q.csv").column("site").to_pylist() == frame["site"].tolist()


def test_query_batches_are_lazy_and_hold_every_record(emu, dataset, tmp_path):
    big = tmp_path / "big.csv"
    big.write_text("n,half\n" + "".join(f"{i},{i / 2}\n" for i in range(25_000)))
    client = emu.client()
    api = _serve_only(emu, client, dataset, big)
    batches = client.data.query_batches(api.guid)
    first = next(batches)
    assert first.num_rows == 10_000  # one batch decoded before the rest is asked for
    rest = list(batches)
    assert [b.num_rows for b in rest] == [10_000, 5_000]
    table = pa.Table.from_batches([first, *rest])
    assert table.column("n").to_pylist() == list(range(25_000))
    assert table.schema.field("half").type == pa.float64()  # 0 and 0.5: a fraction, number


def test_a_value_that_does_not_fit_its_inferred_column_is_an_error_naming_it(
    emu, dataset, tmp_path
):
    data = tmp_path / "late.json"
    data.write_text(json.dumps([{"v": i} for i in range(10_000)] + [{"v": 1.5}]))
    client = emu.client()
    api = _serve_only(emu, client, dataset, data)
    with pytest.raises(SpecClientError, match=r"record 10000 has v=1.5, but 'v' is integer"):
        client.data.query(api.guid, return_type="arrow")
    table = client.data.query(api.guid, return_type="arrow", kinds={"v": "number"})
    assert table.column("v").to_pylist()[-2:] == [9999.0, 1.5]


def test_kinds_must_be_table_kinds(client, dataset):
    with pytest.raises(ParameterError, match=r"kinds\['v'\] must be one of"):
        client.data.query(_api(dataset).guid, return_type="arrow", kinds={"v": "int"})


def test_a_bad_return_type_is_refused_before_anything_is_sent(client, dataset):
    with pytest.raises(ParameterError, match="return_type must be one of"):
        client.data.query(_api(dataset).guid, return_type="polars")


def test_a_csv_file_as_a_table(client, dataset, tmp_path):
    stored = dataset.files[0]
    read = pcsv.read_csv(stored.latest.blob.path)
    assert read.schema.field("date").type == pa.date32()
    # a date is timestamp[ns] in every table of the pipeline (Habu's DATE columns too)
    expected = read.cast(read.schema.set(1, pa.field("date", pa.timestamp("ns"))))
    table = client.files.table(stored.guid, return_type="arrow")
    assert table.equals(expected)
    frame = client.files.table(stored.guid)
    assert (
        isinstance(frame, pd.DataFrame) and frame["count"].tolist() == expected["count"].to_pylist()
    )
    client.files.table(stored.guid, to_parquet=tmp_path / "f.parquet")
    assert pq.read_table(tmp_path / "f.parquet").equals(expected)


def test_a_json_file_as_batches(emu):
    air = next(d for d in emu.state.datasets.values() if d.title.startswith("Air"))
    stored = air.files[0]
    client = emu.client()
    records = json.loads(stored.latest.blob.path.read_bytes())
    batches = list(client.files.batches(stored.guid))
    table = pa.Table.from_batches(batches)
    assert table.to_pylist() == records
    assert table.schema.field("lat").type == pa.float64()


def test_async_file_batches_and_query_batches(emu, dataset):
    async def read():
        async with emu.async_client() as client:
            files = [b async for b in await client.files.batches(dataset.files[0].guid)]
            query = [b async for b in await client.data.query_batches(_api(dataset).guid)]
            return files, query

    files, query = asyncio.run(read())
    assert sum(b.num_rows for b in files) == sum(b.num_rows for b in query) == 90


def test_a_query_without_return_type_is_typed_by_the_pipeline_as_the_arrow_answer(
    emu, dataset, tmp_path
):
    # kinds pandas cannot guess from Python objects: "n" is named a number though its values
    # are whole; "gaps" holds whole numbers and a null; "flag" booleans; "label" text
    data = tmp_path / "typed.json"
    data.write_text(
        json.dumps(
            [
                {"n": 1, "gaps": 10, "ratio": 0.5, "flag": True, "label": "a"},
                {"n": 2, "gaps": None, "ratio": 1.0, "flag": False, "label": "b"},
                {"n": 3, "gaps": 30, "ratio": 2.25, "flag": True, "label": None},
            ]
        )
    )
    client = emu.client()
    api = _serve_only(emu, client, dataset, data)

    frame = client.data.query(api.guid, kinds={"n": "number"})
    table = client.data.query(api.guid, return_type="arrow", kinds={"n": "number"})
    assert frame.dtypes.to_dict() == table.to_pandas().dtypes.to_dict()
    assert frame.equals(table.to_pandas())
    dtypes = {name: str(dtype) for name, dtype in frame.dtypes.items()}
    assert {k: dtypes[k] for k in ("n", "gaps", "ratio", "flag")} == {
        "n": "float64",  # the kind asked for, not pandas' int64 guess
        "gaps": "float64",  # an integer column with a gap, as Arrow gives it to pandas
        "ratio": "float64",
        "flag": "bool",
    }
    assert pd.api.types.is_string_dtype(frame["label"]) and frame["label"].isna().tolist() == [
        False,
        False,
        True,
    ]
    assert frame["n"].tolist() == [1.0, 2.0, 3.0]
    assert frame["gaps"].isna().tolist() == [False, True, False]
    # without kinds the whole numbers stay integers
    assert str(client.data.query(api.guid)["n"].dtype) == "int64"
