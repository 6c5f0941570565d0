"""A column the destination cannot hold is refused before anything is written, with an error
naming it; the destination is left exactly as it was."""

from __future__ import annotations

import pandas as pd
import pytest

import specclient
from specclient import transfer
from specclient.errors import ParameterError
from tests.copy.conftest import counters, small_frame


def _inserts(emu) -> int:
    return sum(1 for f in emu.faults.fired if f.target == "data.insert")


def test_a_nested_column_is_refused_before_clicdata_sees_a_row(clicdata, clicdata_emu):
    rec = clicdata.data.create_from_dataframe("t", small_frame(), progress=False)
    df = small_frame().assign(tags=[[1], [2], [3], [4], [5]])
    with pytest.raises(transfer.CopyTypeError) as caught:
        specclient.copy(transfer.frame(df), transfer.clicdata_dataset(clicdata, rec))
    assert caught.value.column == "tags"
    assert str(caught.value) == (
        "copy(): column 'tags' is list<item: int64>, which ClicData has no type for"
    )
    assert isinstance(caught.value, ParameterError)
    assert clicdata_emu.state.tables[rec].row_count == 5  # only the rows it was made with


def test_text_into_a_number_column_is_refused_naming_both_types(clicdata, clicdata_emu):
    rec = clicdata.data.create_from_dataframe("t", small_frame(), progress=False)
    df = small_frame().assign(id=["x1", "x2", "x3", "x4", "x5"])
    clicdata_emu.faults.add("data.insert", "slow", delay=0)  # records every insert
    with pytest.raises(transfer.CopyTypeError, match="column 'id' holds string values") as caught:
        specclient.copy(transfer.frame(df), transfer.clicdata_dataset(clicdata, rec))
    assert "ClicData column type 'number'" in str(caught.value)
    assert _inserts(clicdata_emu) == 0
    assert clicdata_emu.state.tables[rec].row_count == 5


def test_a_column_missing_from_the_data_set_is_named(clicdata, clicdata_emu):
    rec = clicdata.data.create_from_dataframe("t", small_frame(), progress=False)
    df = small_frame().assign(extra=1)
    with pytest.raises(transfer.CopyTypeError, match="column 'extra' is not in ClicData data set"):
        specclient.copy(
            transfer.frame(df), transfer.clicdata_dataset(clicdata, rec, mode="replace")
        )
    assert clicdata_emu.state.tables[rec].row_count == 5  # a replace refused clears nothing


def test_a_nested_column_is_refused_for_csv_and_no_file_appears(tmp_path):
    df = pd.DataFrame({"id": [1, 2], "tags": [{"a": 1}, {"a": 2}]})
    with pytest.raises(transfer.CopyTypeError, match="column 'tags' is struct"):
        specclient.copy(transfer.frame(df), transfer.to_file(tmp_path / "out.csv"))
    assert list(tmp_path.iterdir()) == []


def test_parquet_holds_what_csv_cannot(tmp_path):
    import pyarrow.parquet as pq

    df = pd.DataFrame({"id": [1, 2], "tags": [[1, 2], [3]]})
    specclient.copy(transfer.frame(df), transfer.to_file(tmp_path / "out.parquet"))
    assert pq.read_table(tmp_path / "out.parquet").column("tags").to_pylist() == [[1, 2], [3]]


def test_a_column_pandas_cannot_type_is_named(tmp_path):
    df = pd.DataFrame({"mixed": [1, "two", 3.0]})
    with pytest.raises(transfer.CopyTypeError, match="column 'mixed' cannot be read as one type"):
        specclient.copy(transfer.frame(df), transfer.to_file(tmp_path / "out.parquet"))


def test_a_usmart_destination_refuses_a_nested_column_before_uploading(usmart, usmart_emu):
    dataset = counters(usmart_emu)
    files, uploads = len(dataset.files), dict(usmart_emu.state.uploads)  # the seeded ones
    df = pd.DataFrame({"id": [1], "tags": [[1]]})
    with pytest.raises(transfer.CopyTypeError, match="'tags'"):
        specclient.copy(
            transfer.frame(df), transfer.usmart_dataset(usmart, dataset.guid, file_name="x.csv")
        )
    assert len(dataset.files) == files and usmart_emu.state.uploads == uploads


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: transfer.clicdata_dataset(object(), "7"), "rec_id must be an int"),
        (lambda: transfer.clicdata_dataset(object(), 7, mode="upsert"), "mode must be"),
        (lambda: transfer.usmart_dataset(object(), "g"), "give file_name= "),
        (lambda: transfer.usmart_dataset(object(), "g", file_name="x.xlsx"), "must end .csv"),
        (lambda: transfer.to_file("out.txt"), "say format="),
        (lambda: transfer.habu_result("run-id"), "needs client="),
    ],
)
def test_bad_descriptors_are_refused_at_once(make, message):
    with pytest.raises(ParameterError, match=message):
        make()


def test_a_civis_table_is_not_appended_to_because_that_could_not_be_exactly_once(civis):
    with pytest.raises(ParameterError, match="an appending import cannot be made exactly once"):
        transfer.civis_destination(
            civis, "redshift-general", "public.t", existing_table_rows="append"
        )


def test_a_nested_column_is_refused_before_civis_sees_a_file(civis, civis_emu):
    files, tables = len(civis_emu.state.file_store.files), len(civis_emu.state.tables)
    df = pd.DataFrame({"id": [1], "tags": [[1, 2]]})
    with pytest.raises(
        transfer.CopyTypeError, match="column 'tags' is list<item: int64>, which Civis"
    ):
        specclient.copy(
            transfer.frame(df), transfer.civis_destination(civis, "redshift-general", "public.t")
        )
    assert len(civis_emu.state.file_store.files) == files  # nothing uploaded
    assert len(civis_emu.state.tables) == tables
