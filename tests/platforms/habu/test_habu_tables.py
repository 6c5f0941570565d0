"""Question-run results through the table pipeline: Arrow, Parquet, CSV and lazy batches all
hold the rows the emulator computed, typed from the result metadata, equal to the DataFrame."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from specclient.emulators.habu.state import HabuError, result_page
from specclient.errors import NotFoundError, ParameterError

ARROW_TYPES = {
    "segment": pa.string(),
    "day": pa.timestamp("ns"),
    "reach": pa.int64(),
    "spend": pa.float64(),
}


@pytest.fixture
def run(emu, client, ready_question):
    emu.state.result_rows = 1234
    crq, _ = ready_question(client)
    return client.run_question(crq.id, name="tables")


def _expected(emu, run) -> list[dict[str, str]]:
    stored = emu.state.runs[run.id]
    return result_page(emu.state.seed, run.id, stored.columns, 0, stored.rows, stored.rows)


def _data_requests(emu) -> int:
    return sum(1 for f in emu.faults.fired if f.target == "cleanroom_question_runs.get_data")


def test_arrow_output_is_typed_and_holds_the_same_rows_as_the_frame(emu, client, run):
    table = client.question_results(run.id, return_type="arrow", page_size=500)
    frame = client.question_results(run.id, page_size=500)
    expected = _expected(emu, run)
    assert isinstance(table, pa.Table)
    assert {f.name: f.type for f in table.schema} == ARROW_TYPES
    assert table.column("reach").to_pylist() == [int(r["reach"]) for r in expected]
    assert table.column("spend").to_pylist() == [float(r["spend"]) for r in expected]
    assert table.column("segment").to_pylist() == frame["segment"].tolist()
    days = [d.date().isoformat() for d in table.column("day").to_pylist()]
    assert days == [r["day"] for r in expected]
    # the same answer through pandas: values and dtypes
    converted = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    assert converted["reach"].equals(frame["reach"])
    assert [str(t) for t in frame.dtypes] == ["string", "datetime64[ns]", "Int64", "Float64"]


def test_the_default_page_is_ten_thousand_rows_when_connect_names_none(emu, client, ready_question):
    emu.state.result_rows = 25_000
    crq, _ = ready_question(client)
    run = client.run_question(crq.id, name="big")
    emu.faults.add("cleanroom_question_runs.get_data", "slow", delay=0)  # records each call
    frame = client.question_results(run.id)
    assert len(frame) == 25_000
    assert _data_requests(emu) == 3


def test_to_parquet_writes_every_row_typed_and_returns_the_path(emu, client, run, tmp_path):
    path = tmp_path / "result.parquet"
    frame = client.question_results(run.id, page_size=300)
    written = client.question_results(run.id, page_size=300, to_parquet=path)
    assert written == path
    stored = pq.read_table(path)
    assert stored.num_rows == 1234
    assert {f.name: f.type for f in stored.schema} == ARROW_TYPES
    assert stored.column("reach").to_pylist() == frame["reach"].tolist()
    assert pq.ParquetFile(path).metadata.num_row_groups == 5  # one per page: 4 x 300 + 34
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.parquet"]


def test_to_csv_writes_a_header_then_every_row(emu, client, run, tmp_path):
    path = tmp_path / "result.csv"
    client.question_results(run.id, page_size=500, to_csv=path)
    lines = path.read_text().splitlines()
    expected = _expected(emu, run)
    assert lines[0] == '"segment","day","reach","spend"'
    assert len(lines) == 1 + 1234
    first = expected[0]
    assert lines[1].startswith(f'"{first["segment"]}",{first["day"]} 00:00:00')
    assert lines[1].endswith(f",{int(first['reach'])},{float(first['spend'])}")


def test_a_fetch_that_fails_midway_leaves_no_file(emu, client, run, tmp_path):
    original = emu.state.run_data

    def failing(run_id, limit, offset):
        if offset >= 600:
            raise HabuError(404, "gone")
        return original(run_id, limit, offset)

    emu.state.run_data = failing
    path = tmp_path / "result.parquet"
    with pytest.raises(NotFoundError):
        client.question_results(run.id, page_size=300, workers=1, to_parquet=path)
    assert list(tmp_path.iterdir()) == []


def test_batches_are_fetched_lazily_one_page_per_batch(emu, client, run):
    emu.faults.add("cleanroom_question_runs.get_data", "slow", delay=0)
    batches = client.question_result_batches(run.id, page_size=500)
    assert _data_requests(emu) == 0  # nothing is sent before the first batch is asked for
    first = next(batches)
    assert first.num_rows == 500 and _data_requests(emu) == 1
    rest = list(batches)
    assert [b.num_rows for b in rest] == [500, 234] and _data_requests(emu) == 3
    whole = pa.Table.from_batches([first, *rest])
    assert whole.equals(client.question_results(run.id, return_type="arrow"))


async def test_async_outputs_equal_the_sync_ones(emu, client, run, tmp_path):
    expected = client.question_results(run.id, return_type="arrow")
    async with emu.async_client(progress=False, page_size=400) as aclient:
        table = await aclient.question_results(run.id, return_type="arrow", workers=2)
        batches = [b async for b in await aclient.question_result_batches(run.id)]
        path = await aclient.question_results(run.id, to_parquet=tmp_path / "r.parquet")
    assert table.equals(expected)
    assert [b.num_rows for b in batches] == [400, 400, 400, 34]
    assert pa.Table.from_batches(batches).equals(expected)
    assert pq.read_table(path).equals(expected)


def test_get_data_gives_arrow_too(emu, client, run):
    whole = client.cleanroom_question_runs.get_data(run.id, return_type="arrow")
    page = client.cleanroom_question_runs.get_data(
        run.id, limit=10, offset=1230, return_type="arrow"
    )
    assert whole.num_rows == 1234 and whole.schema.field("reach").type == pa.int64()
    assert page.num_rows == 4 and page.equals(whole.slice(1230))


def test_bad_outputs_are_refused_before_anything_is_sent(emu, client, run, tmp_path):
    emu.faults.add("cleanroom_question_runs.get_data", "slow", delay=0)
    with pytest.raises(ParameterError, match="return_type must be one of"):
        client.question_results(run.id, return_type="dask-ish")
    with pytest.raises(ParameterError, match="not both"):
        client.question_results(run.id, to_parquet=tmp_path / "a", to_csv=tmp_path / "b")
    assert _data_requests(emu) == 0


def test_a_progress_bar_counts_the_rows_read_only_when_asked_or_on_a_terminal(
    emu, client, run, capsys
):
    """Issue 14 item 7: work of known size shows a bar (the first page's ``count`` is the
    total); piped output stays quiet unless ``progress=True``."""
    rows = len(_expected(emu, run))
    client.question_results(run.id, page_size=300)
    assert capsys.readouterr().err == ""  # stderr is not a terminal here
    frame = client.question_results(run.id, page_size=300, progress=True)
    err = capsys.readouterr().err
    assert len(frame) == rows
    assert "reading" in err and f"/{rows} " in err  # out of the run's row count
