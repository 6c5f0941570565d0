"""Table-shaped answers of any spec: pandas and Arrow from one typing of the columns, and
Arrow record batches page by page, lazily, all of one schema."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pyarrow as pa
import pytest

import specclient
from specclient.errors import ParameterError

ROWS = [
    {"id": str(i), "name": f"pet {i}", "ageYears": None if i % 4 == 0 else i,
     "bornAt": f"2020-01-{i % 28 + 1:02d}T08:30:00Z"}
    for i in range(25)
]  # fmt: skip


def offset_server(request: httpx.Request) -> httpx.Response:
    limit = int(request.url.params.get("limit", 10))
    offset = int(request.url.params.get("offset", 0))
    return httpx.Response(200, json={"items": ROWS[offset : offset + limit]})


def test_arrow_columns_are_typed_from_the_items_schema(pets, recorder):
    recorder.handler = offset_server
    table = pets.pets.list(limit=25, return_type="arrow")
    assert isinstance(table, pa.Table)
    assert {f.name: f.type for f in table.schema} == {
        "id": pa.string(),
        "name": pa.string(),
        "ageYears": pa.int64(),
        "bornAt": pa.timestamp("ns", tz="UTC"),
    }
    assert table.column("ageYears").to_pylist() == [r["ageYears"] for r in ROWS]
    assert table.column("bornAt")[1].as_py() == datetime(2020, 1, 2, 8, 30, tzinfo=UTC)


def test_pandas_and_arrow_give_the_same_values_and_dtypes(pets, recorder):
    recorder.handler = offset_server
    frame = pets.pets.list(limit=25, return_type="pandas")
    table = pets.pets.list(limit=25, return_type="arrow")
    assert [str(t) for t in frame.dtypes] == ["string", "string", "Int64", "datetime64[ns, UTC]"]
    assert frame["ageYears"].isna().tolist() == [r["ageYears"] is None for r in ROWS]
    for name in ("id", "name", "ageYears"):
        values = frame[name].astype(object).where(frame[name].notna(), None).tolist()
        assert values == table.column(name).to_pylist()
    assert frame["bornAt"].tolist() == table.column("bornAt").to_pandas().tolist()


def test_iterator_with_arrow_gives_one_batch_per_page_lazily(pets, recorder):
    recorder.handler = offset_server
    batches = pets.pets.list(limit=10, iterator=True, return_type="arrow")
    assert recorder.requests == []
    first = next(batches)
    assert isinstance(first, pa.RecordBatch) and first.num_rows == 10
    assert len(recorder.requests) == 1
    rest = list(batches)
    assert [b.num_rows for b in rest] == [10, 5]
    assert all(b.schema == first.schema for b in rest)
    whole = pa.Table.from_batches([first, *rest])
    assert whole.column("id").to_pylist() == [r["id"] for r in ROWS]


async def test_async_iterator_with_arrow_gives_the_same_batches(pets_spec, recorder):
    recorder.handler = offset_server
    transport = httpx.MockTransport(lambda r: recorder.handler(r))
    async with specclient.AsyncClient.from_spec(pets_spec, http=transport, cache=False) as c:
        batches = [
            b async for b in await c.pets.list(limit=10, _iterator=True, _return_type="arrow")
        ]
    sync = specclient.Client.from_spec(pets_spec, http=httpx.MockTransport(offset_server))
    expected = pa.Table.from_batches(sync.pets.list(limit=10, iterator=True, return_type="arrow"))
    assert pa.Table.from_batches(batches).equals(expected)


def test_without_a_schema_the_values_decide_and_nested_values_stay_objects(recorder):
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://api.example"}],
        "paths": {"/rows": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    rows = [
        {"n": 1, "x": 1.5, "ok": True, "s": "a", "tags": ["a", "b"]},
        {"n": None, "x": 2, "ok": None, "s": None, "tags": {"k": 1}},
    ]
    recorder.handler = lambda r: httpx.Response(200, json=rows)
    client = specclient.Client.from_spec(spec, http=recorder.transport, cache=False)
    frame = client.rows.list(return_type="pandas")
    assert [str(t) for t in frame.dtypes] == ["Int64", "Float64", "boolean", "string", "object"]
    assert frame["tags"].tolist() == [["a", "b"], {"k": 1}]
    table = client.rows.list(return_type="arrow")
    assert table.column("n").to_pylist() == [1, None]
    assert table.column("x").to_pylist() == [1.5, 2.0]
    assert [json.loads(v) for v in table.column("tags").to_pylist()] == [["a", "b"], {"k": 1}]


def test_a_csv_reply_reads_as_an_arrow_table(pets, recorder):
    recorder.handler = lambda r: httpx.Response(
        200, content=b"id,age\n1,3\n2,\n", headers={"content-type": "text/csv"}
    )
    table = pets.pets.get("all", return_type="arrow")
    assert table.column("age").to_pylist() == [3, None]


def test_an_unknown_return_type_is_refused_naming_the_choices(pets_spec):
    with pytest.raises(ParameterError, match="arrow"):
        specclient.Client.from_spec(pets_spec, return_type="polars", cache=False)
