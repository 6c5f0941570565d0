"""``copy_async``: the same copy flow on async clients (the twin is the driver, not a second
copy), waiting on an async run future; and progress reports."""

from __future__ import annotations

import asyncio

import pyarrow.parquet as pq
import pytest

import specclient
from specclient import transfer
from specclient.errors import ParameterError
from tests.copy.conftest import counters, habu_target, small_frame, values
from tests.platforms.habu.conftest import make_ready_question


async def test_async_copy_waits_for_the_run_and_writes_every_row_once(
    habu_emu, habu, clicdata_emu, clicdata
):
    habu_emu.state.result_rows = 321
    crq, _ = make_ready_question(habu)
    rec = habu_target(clicdata)
    async with habu_emu.async_client(progress=False) as ahabu, clicdata_emu.async_client() as acd:
        future = await ahabu.run_question(crq.id, name="async copy", wait=False)
        assert not future.done()
        result = await specclient.copy_async(
            transfer.habu_result(future, page_size=100), transfer.clicdata_dataset(acd, rec)
        )
        assert future.done()
    truth = habu.question_results(future.run_id, return_type="arrow")
    assert result.rows == 321
    assert values(clicdata.data.get(rec, return_type="arrow", progress=False)) == values(truth)


async def test_async_sources_stream_to_files(usmart_emu, usmart, clicdata_emu, clicdata, tmp_path):
    api = next(c for c in counters(usmart_emu).containers if c.pipeline_id == "data-api")
    stored = counters(usmart_emu).files[0]
    rec = clicdata.data.create_from_dataframe("source", small_frame(), progress=False)
    async with usmart_emu.async_client() as ausmart, clicdata_emu.async_client() as acd:
        copies = await asyncio.gather(
            specclient.copy_async(
                transfer.usmart_query(ausmart, api.guid), transfer.to_file(tmp_path / "q.parquet")
            ),
            specclient.copy_async(
                transfer.usmart_file(ausmart, stored.guid), transfer.to_file(tmp_path / "f.csv")
            ),
            specclient.copy_async(
                transfer.clicdata_data(acd, rec, page_size=2),
                transfer.to_file(tmp_path / "c.parquet"),
            ),
        )
    assert [c.rows for c in copies] == [90, 90, 5]
    query = usmart.data.query(api.guid)
    assert (
        pq.read_table(tmp_path / "q.parquet").to_pandas()["count"].tolist()
        == query["count"].tolist()
    )
    assert (tmp_path / "f.csv").read_text().count("\n") == 91
    assert values(pq.read_table(tmp_path / "c.parquet")) == values(
        clicdata.data.get(rec, return_type="arrow", progress=False)
    )


async def test_the_sync_copy_refuses_an_async_client(clicdata_emu, tmp_path):
    async with clicdata_emu.async_client() as acd:
        with pytest.raises(ParameterError, match="AsyncClicDataClient|use copy_async"):
            specclient.copy(transfer.clicdata_data(acd, 1), transfer.to_file(tmp_path / "x.csv"))


def test_the_async_copy_refuses_a_sync_client(clicdata, tmp_path):
    with pytest.raises(ParameterError, match="use specclient.copy"):
        asyncio.run(
            specclient.copy_async(
                transfer.clicdata_data(clicdata, 1), transfer.to_file(tmp_path / "x.csv")
            )
        )


def test_progress_reports_rows_after_every_batch(tmp_path):
    reports: list[transfer.CopyProgress] = []
    result = specclient.copy(
        transfer.frame(small_frame(), batch_rows=2),
        transfer.to_file(tmp_path / "x.csv"),
        progress=reports.append,
    )
    assert [(r.rows, r.skipped) for r in reports] == [(2, 0), (4, 0), (5, 0)]
    assert {r.copy_id for r in reports} == {result.copy_id}


def test_progress_must_be_a_flag_or_a_callable(tmp_path):
    with pytest.raises(ParameterError, match="progress must be True, False or a callable"):
        specclient.copy(
            transfer.frame(small_frame()), transfer.to_file(tmp_path / "x.csv"), progress="yes"
        )


async def test_async_civis_query_to_a_new_civis_table_then_replaced(civis_emu, civis):
    from specclient.platforms.civis import io
    from tests.copy.conftest import CIVIS_DATABASE

    truth = io.read_civis("public.customers", CIVIS_DATABASE, return_as="arrow", client=civis)
    async with civis_emu.async_client() as acivis:
        source = transfer.civis_sql(acivis, "SELECT * FROM public.customers", CIVIS_DATABASE)
        made = await specclient.copy_async(
            source, transfer.civis_destination(acivis, CIVIS_DATABASE, "public.copy")
        )
        replaced = await specclient.copy_async(
            source,
            transfer.civis_destination(
                acivis, CIVIS_DATABASE, "public.copy", existing_table_rows="truncate"
            ),
        )
    assert made.rows == replaced.rows == truth.num_rows
    stored = io.read_civis("public.copy", CIVIS_DATABASE, return_as="arrow", client=civis)
    assert values(stored) == values(truth)  # replaced, not appended
