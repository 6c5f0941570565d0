"""Every source x destination pair of ``specclient.copy`` on small tables against the
emulators: the destination ends with exactly the source's rows, in order, with the types the
destination gives them.

Each source's truth is read through the platform's own table call (not through copy); each
destination is read back from the emulator's state or the file on disk.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

import specclient
from specclient import transfer
from tests.copy.conftest import CIVIS_DATABASE, counters, small_frame, values

SOURCES = [
    "habu",
    "clicdata",
    "usmart_query",
    "usmart_file",
    "civis_table",
    "civis_sql",
    "frame",
    "parquet",
    "csv",
]
DESTINATIONS = [
    "clicdata_append",
    "clicdata_replace",
    "usmart_new",
    "usmart_revision",
    "civis",
    "parquet",
    "csv",
]


@pytest.fixture
def make_source(request, tmp_path):
    """``make_source(name)`` -> (descriptor, the source's rows as an Arrow table)."""

    def make(name: str):
        if name == "habu":
            habu_emu = request.getfixturevalue("habu_emu")
            habu = request.getfixturevalue("habu")
            habu_emu.state.result_rows = 57
            from tests.platforms.habu.conftest import make_ready_question

            crq, _ = make_ready_question(habu)
            run = habu.run_question(crq.id, name="pairs", wait=False)
            truth = habu.question_results(run.result().id, return_type="arrow")
            return transfer.habu_result(run, page_size=20), truth
        if name == "clicdata":
            clicdata = request.getfixturevalue("clicdata")
            rec = clicdata.data.create_from_dataframe("source", small_frame(), progress=False)
            truth = clicdata.data.get(rec, return_type="arrow", progress=False)
            return transfer.clicdata_data(clicdata, rec, page_size=2), truth
        if name == "usmart_query":
            usmart_emu = request.getfixturevalue("usmart_emu")
            usmart = request.getfixturevalue("usmart")
            api = next(c for c in counters(usmart_emu).containers if c.pipeline_id == "data-api")
            truth = pa.Table.from_pandas(usmart.data.query(api.guid), preserve_index=False)
            return transfer.usmart_query(usmart, api.guid), truth
        if name == "usmart_file":
            usmart_emu = request.getfixturevalue("usmart_emu")
            usmart = request.getfixturevalue("usmart")
            stored = counters(usmart_emu).files[0]
            truth = pcsv.read_csv(stored.latest.blob.path)
            return transfer.usmart_file(usmart, stored.guid), truth
        if name.startswith("civis"):
            from specclient.platforms.civis import io

            civis = request.getfixturevalue("civis")
            truth = io.read_civis("public.orders", CIVIS_DATABASE, return_as="arrow", client=civis)
            if name == "civis_table":
                return transfer.civis_table(civis, CIVIS_DATABASE, "public.orders"), truth
            sql = "SELECT * FROM public.orders"
            return transfer.civis_sql(civis, sql, CIVIS_DATABASE), truth
        df = small_frame()
        truth = pa.Table.from_pandas(df, preserve_index=False)
        if name == "frame":
            return transfer.frame(df, batch_rows=2), truth
        path = tmp_path / f"source.{name}"
        if name == "parquet":
            pq.write_table(truth, path)
        else:
            pcsv.write_csv(truth, path)
            truth = pcsv.read_csv(path)
        return transfer.file(path, batch_rows=2), truth

    return make


def _empty_frame(schema: pa.Schema) -> pd.DataFrame:
    return schema.empty_table().to_pandas(date_as_object=False)


@pytest.fixture
def make_destination(request, tmp_path):
    """``make_destination(name, schema)`` -> (descriptor, read back: () -> Arrow table)."""

    def make(name: str, truth: pa.Table):
        if name.startswith("clicdata"):
            clicdata = request.getfixturevalue("clicdata")
            rec = clicdata.data.create_from_dataframe(
                "target", _empty_frame(truth.schema), progress=False
            )
            mode = name.removeprefix("clicdata_")
            if mode == "replace":  # rows that must be gone afterwards
                clicdata.data.append(rec, truth.slice(0, 3).to_pandas(), progress=False)
            read = lambda: clicdata.data.get(rec, return_type="arrow", progress=False)  # noqa: E731
            return transfer.clicdata_dataset(clicdata, rec, mode=mode), read
        if name.startswith("usmart"):
            usmart_emu = request.getfixturevalue("usmart_emu")
            usmart = request.getfixturevalue("usmart")
            dataset = counters(usmart_emu)
            if name == "usmart_new":
                destination = transfer.usmart_dataset(usmart, dataset.guid, file_name="copied.csv")
            else:
                first = dataset.files[0].guid
                destination = transfer.usmart_dataset(usmart, dataset.guid, file_guid=first)

            wanted = "copied.csv" if name == "usmart_new" else "cycle_counts.csv"

            def read():
                stored = next(f for f in dataset.files if f.file_name == wanted)
                return _read_csv(stored.latest.blob.path, truth.schema)

            return destination, read
        if name == "civis":
            from specclient.platforms.civis import io

            civis = request.getfixturevalue("civis")
            destination = transfer.civis_destination(civis, CIVIS_DATABASE, "public.copied")
            read = lambda: io.read_civis(  # noqa: E731
                "public.copied", CIVIS_DATABASE, return_as="arrow", client=civis
            )
            return destination, read
        path = tmp_path / f"out.{name}"
        if name == "parquet":
            return transfer.to_file(path), lambda: pq.read_table(path)
        return transfer.to_file(path), lambda: _read_csv(path, truth.schema)

    return make


@pytest.mark.parametrize("destination_name", DESTINATIONS)
@pytest.mark.parametrize("source_name", SOURCES)
def test_copy_writes_exactly_the_source_rows(
    make_source, make_destination, source_name, destination_name
):
    source, truth = make_source(source_name)
    destination, read_back = make_destination(destination_name, truth)
    result = specclient.copy(source, destination, progress=False)
    assert result.rows == truth.num_rows and result.resumed == 0
    stored = read_back()
    assert stored.column_names == truth.column_names
    assert values(stored) == values(truth)
    if destination_name == "parquet":  # Parquet keeps every Arrow type the source gave
        expected = [_plain(f.type) for f in truth.schema]
        if source_name == "clicdata":  # ClicData's number is a double, whole or not
            expected = [pa.float64() if pa.types.is_integer(t) else t for t in expected]
        assert [_plain(f.type) for f in stored.schema] == expected


def _plain(data_type: pa.DataType) -> pa.DataType:
    return pa.string() if pa.types.is_large_string(data_type) else data_type


def _read_csv(path, schema: pa.Schema) -> pa.Table:
    """A CSV read back with the source's column types: every cell must parse as its type."""
    options = pcsv.ConvertOptions(column_types={f.name: _plain(f.type) for f in schema})
    return pcsv.read_csv(path, convert_options=options)
