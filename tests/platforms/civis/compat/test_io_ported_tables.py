"""civis-python 2.10.1's ``tests/test_io.py``, its table and SQL helpers (``civis.io._tables``)
beyond those in test_io_ported.py: each behaviour asserted with mocks there is asserted here on
specclient's helpers through the Civis emulator (the jobs that reached Civis and their fields,
the table's columns and rows, the error raised). The source test is named in each docstring;
compat/tally.py accounts for every test of that file."""

from __future__ import annotations

import csv
import io
import itertools
import re

import pandas as pd
import pytest
from _strict import warnings_as_errors

from specclient.emulators import running
from specclient.platforms.civis import io as civis_io

TABLE = "scratch.api_client_test_fixture"


@pytest.fixture
def emu(monkeypatch):
    with running("civis", seed=1) as emulator:
        emulator.state.queue_seconds = 0
        monkeypatch.setenv("CIVIS_API_ENDPOINT", emulator.base_url)
        yield emulator


def _file(client, text, name="x.csv"):
    return civis_io.file_to_civis(io.BytesIO(text.encode()), name, client=client)


def _jobs(emu, kind):
    return [job for job in emu.state.jobs.values() if job["_kind"] == kind]


def _cleaned_ids(emu):
    """The files the preprocess runs wrote, in the order of their jobs."""
    return [
        emu.state.runs[job["id"]][-1].outputs[0]["objectId"] for job in _jobs(emu, "preprocess")
    ]


# -- civis_file_to_table -------------------------------------------------------------------------
def test_csv_to_civis(emu, client, tmp_path):
    """test_csv_to_civis: the file is uploaded under its base name, then imported with the
    options given and civis-python's defaults; a future on the import is returned."""
    (tmp_path / "a").mkdir()
    path = tmp_path / "a" / "tempfile"
    path.write_text("some,test,data\n1,2,3\n")
    future = civis_io.csv_to_civis(
        str(path), "redshift-general", TABLE, client=client, existing_table_rows="truncate"
    )
    assert future.result().state == "succeeded"
    uploaded = min(emu.state.file_store.files.values(), key=lambda f: f["id"])
    assert uploaded["name"] == "tempfile"
    (job,) = _jobs(emu, "csv_import")
    assert job["id"] == future.job_id
    assert (job["existingTableRows"], job["columnDelimiter"], job["maxErrors"]) == (
        "truncate", "comma", None,
    )  # fmt: skip
    assert (job["escaped"], job["execution"], job["hidden"]) == (False, "immediate", True)
    assert civis_io.read_civis(TABLE, 1, client=client) == [
        ["some", "test", "data"],
        ["1", "2", "3"],
    ]


def test_civis_file_to_table_table_doesnt_exist(emu, client):
    """test_civis_file_to_table_table_doesnt_exist (and test_process_cleaning_results: the
    cleaned file, its detected header, compression, delimiter and columns are what the
    import gets): a new table gets the detected columns with ``loosen_types``."""
    file_id = _file(client, "foo\n1\n2\n")
    future = civis_io.civis_file_to_table(
        file_id, "redshift-general", TABLE, existing_table_rows="truncate", delimiter=",",
        headers=True, client=client,
    )  # fmt: skip
    (cleaning,) = _jobs(emu, "preprocess")
    assert (cleaning["fileId"], cleaning["detectTableColumns"], cleaning["includeHeader"]) == (
        file_id, True, True,
    )  # fmt: skip
    (job,) = _jobs(emu, "csv_import")
    assert job["name"] == "CSV import to scratch.api_client_test_fixture"
    assert job["source"]["fileIds"] == _cleaned_ids(emu) != [file_id]
    assert job["destination"] == {
        "schema": "scratch", "table": "api_client_test_fixture", "remoteHostId": 1,
        "credentialId": client.default_database_credential_id, "primaryKeys": [],
        "lastModifiedKeys": [],
    }  # fmt: skip
    assert job["firstRowIsHeader"] is True and job["loosenTypes"] is True
    assert job["tableColumns"] == [{"name": "foo", "sqlType": "INTEGER"}]
    assert (job["existingTableRows"], job["columnDelimiter"], job["compression"]) == (
        "truncate", "comma", "none",
    )  # fmt: skip
    assert (job["hidden"], job["escaped"], job["execution"]) == (True, False, "immediate")
    assert (future.job_id, future.result().state) == (job["id"], "succeeded")


def test_civis_file_to_table_table_doesnt_exist_all_sql_types_missing(emu, client):
    """test_civis_file_to_table_table_doesnt_exist_all_sql_types_missing: columns named but
    not typed are detected (types and names from the files), with ``loosen_types``."""
    file_id = _file(client, "a,b\n1,xyz\n")
    columns = [{"name": "a", "sql_type": ""}, {"name": "b", "sql_type": ""}]
    civis_io.civis_file_to_table(
        file_id, 1, TABLE, existing_table_rows="truncate", headers=True, client=client,
        table_columns=columns,
    ).result()  # fmt: skip
    (cleaning,) = _jobs(emu, "preprocess")
    assert cleaning["detectTableColumns"] is True
    (job,) = _jobs(emu, "csv_import")
    assert job["tableColumns"] == [
        {"name": "a", "sqlType": "INTEGER"}, {"name": "b", "sqlType": "VARCHAR(256)"},
    ]  # fmt: skip
    assert job["loosenTypes"] is True


def test_civis_file_to_table_table_does_not_exist_some_sql_types_missing(emu, client):
    """test_civis_file_to_table_table_does_not_exist_some_sql_types_missing: refused with a
    ValueError before any job."""
    file_id = _file(client, "a,b\n1,2\n")
    columns = [{"name": "a", "sql_type": "INT"}, {"name": "b", "sql_type": ""}]
    with pytest.raises(ValueError, match="Some table columns have a sql type provided"):
        civis_io.civis_file_to_table(
            file_id, 1, TABLE, existing_table_rows="truncate", headers=True, client=client,
            table_columns=columns,
        )  # fmt: skip
    assert [job["_kind"] for job in emu.state.jobs.values()] == []


def test_civis_file_to_table_table_columns_keys_misspelled(emu, client):
    """test_civis_file_to_table_table_columns_keys_misspelled"""
    file_id = _file(client, "a,b\n1,2\n")
    columns = [{"name": "a", "sqlType": "INT"}, {"name": "b", "bad_type": ""}]
    with pytest.raises(ValueError) as err:
        civis_io.civis_file_to_table(
            file_id, 1, TABLE, existing_table_rows="drop", delimiter=",", headers=True,
            client=client, table_columns=columns,
        )  # fmt: skip
    assert "must be one of ('name', 'sql_type')" in str(err.value)
    assert "also has ('bad_type', 'sqlType')" in str(err.value)
    assert list(emu.state.jobs) == []


@pytest.mark.parametrize("count", [1, 2])
def test_run_cleaning(emu, client, count):
    """test_run_cleaning: one preprocess job per file, each with civis-python's arguments
    (not in place, forced character set conversion, hidden), each run."""
    file_ids = [_file(client, "a,b\n1,2\n", f"{n}.csv") for n in range(count)]
    civis_io.civis_file_to_table(
        file_ids, 1, TABLE, headers=True, delimiter=",", client=client
    ).result()
    jobs = _jobs(emu, "preprocess")
    assert [job["fileId"] for job in jobs] == file_ids
    for job in jobs:
        assert (job["inPlace"], job["forceCharacterSetConversion"], job["hidden"]) == (
            False, True, True,
        )  # fmt: skip
        assert (job["detectTableColumns"], job["includeHeader"]) == (True, True)
        assert job["columnDelimiter"] == "comma"
        assert len(emu.state.runs[job["id"]]) == 1


def test_process_cleaning_results_raises_imports(emu, client):
    """test_process_cleaning_results_raises_imports: files whose detected delimiters differ
    are refused, each file named with its cleaned id and name, before any import."""
    _file(client, "a,b\n1,2\n", "file1.csv")
    _file(client, "a|b\n1|2\n", "file2.csv")
    ids = sorted(emu.state.file_store.files)
    with pytest.raises(civis_io.CivisImportError) as info:
        civis_io.civis_file_to_table(ids, 1, TABLE, client=client)
    one, two = _cleaned_ids(emu)
    assert str(info.value) == (
        "All detected values for 'columnDelimiter' must be the same, however --\n"
        f"\tcomma from: file {one} (file1.csv)\n"
        f"\tpipe from: file {two} (file2.csv)"
    )
    assert _jobs(emu, "csv_import") == []


def test_check_column_types_passing(emu, client):
    """test_check_column_types_passing: VARCHARs of different widths agree; the table takes
    the first file's column types."""
    wide = "y" * 300
    one = _file(client, "col1,col2\n1,x\n", "a.csv")
    two = _file(client, f"col1,col2\n2,{wide}\n", "b.csv")
    civis_io.civis_file_to_table([one, two], 1, TABLE, client=client).result()
    detected = [
        emu.state.file_store.files[i]["detectedInfo"]["tableColumns"][1]["sqlType"]
        for i in _cleaned_ids(emu)
    ]
    assert detected == ["VARCHAR(256)", "VARCHAR(300)"]
    (job,) = _jobs(emu, "csv_import")
    assert job["tableColumns"] == [
        {"name": "col1", "sqlType": "INTEGER"}, {"name": "col2", "sqlType": "VARCHAR(256)"},
    ]  # fmt: skip
    assert job["firstRowIsHeader"] is True


def test_dataframe_to_civis_polars(emu, client):
    """test_dataframe_to_civis_polars: a polars frame is written with ``write_csv`` and
    imported; civis-python's defaults reach the import (the preprocessing is skipped on
    purpose, as for pandas: docs/platforms/civis-io.md)."""
    pl = pytest.importorskip("polars")
    df = pl.DataFrame([[1, 2, 3], [2, 3, 4]], orient="row")
    future = civis_io.dataframe_to_civis(
        df, "redshift-general", TABLE, existing_table_rows="truncate", client=client
    )
    assert future.result().state == "succeeded"
    assert _jobs(emu, "preprocess") == []
    (job,) = _jobs(emu, "csv_import")
    assert (job["existingTableRows"], job["firstRowIsHeader"], job["hidden"]) == (
        "truncate", True, True,
    )  # fmt: skip
    assert civis_io.read_civis(TABLE, 1, client=client) == [
        ["column_0", "column_1", "column_2"], ["1", "2", "3"], ["2", "3", "4"],
    ]  # fmt: skip


# -- civis_to_csv --------------------------------------------------------------------------------
def test_civis_to_csv_download_success(client, tmp_path):
    """test_civis_to_csv_download_success, test_download_file: the run succeeds, the file is
    written (what civis-python's private ``_download_file`` writes), no error is kept."""
    target = tmp_path / "out.csv"
    future = civis_io.civis_to_csv(str(target), "select id from public.orders", 1, client=client)
    assert future.result().state == "succeeded"
    assert future.exception() is None
    lines = target.read_text().splitlines()
    assert lines[0] == "id" and len(lines) > 1


def test_civis_to_csv_propagates_download_exception(client, tmp_path):
    """test_civis_to_csv_propagates_download_exception: the unload succeeds but writing the
    file fails; ``result()`` and ``exception()`` give that error, it is not swallowed."""
    target = tmp_path / "missing-folder" / "out.csv"
    future = civis_io.civis_to_csv(str(target), "select id from public.orders", 1, client=client)
    with pytest.raises(FileNotFoundError):
        future.result()
    assert isinstance(future.exception(), FileNotFoundError)
    assert future.done()


# -- read_civis_sql / read_civis -------------------------------------------------------------------
@pytest.fixture
def foo_bar(emu):
    """The table civis-python's read tests read: ``foo,bar`` / ``123,very good``."""
    with emu.app.lock:
        columns = [{"name": "foo", "sqlType": "INTEGER"}, {"name": "bar", "sqlType": "VARCHAR"}]
        table = emu.state.warehouse.create(1, "schema", "tablename", columns)
        emu.state.warehouse.put(table, b"123,very good\n", 1)
    return "foo,bar\n123,very good\n"


def test_read_civis_sql_no_dataframe(client, foo_bar):
    """test_read_civis_sql_no_dataframe"""
    actual = civis_io.read_civis_sql(
        "select * from schema.tablename", "redshift-general", return_as="list", client=client
    )
    assert actual == list(csv.reader(io.StringIO(foo_bar)))


def test_read_civis_sql_pandas(client, foo_bar):
    """test_read_civis_sql_pandas: the same values as ``pd.read_csv`` of the text; the
    dtypes are the table's own (nullable ``Int64`` / ``string``), a difference on purpose
    (docs/platforms/civis-io.md, "Honest types")."""
    actual = civis_io.read_civis_sql(
        "select * from schema.tablename", 1, return_as="pandas", client=client
    )
    guessed = pd.read_csv(io.StringIO(foo_bar))
    assert actual.astype(object).equals(guessed.astype(object))
    assert [str(t) for t in actual.dtypes] == ["Int64", "string"]
    assert str(guessed.dtypes["foo"]) == "int64"  # guessed from the text, not nullable


def test_read_civis_sql_polars(client, foo_bar):
    """test_read_civis_sql_polars: equal to ``pl.read_csv`` of the text."""
    pl = pytest.importorskip("polars")
    actual = civis_io.read_civis_sql(
        "select * from schema.tablename", 1, return_as="polars", client=client
    )
    assert pl.read_csv(io.StringIO(foo_bar)).equals(actual)


def test_get_sql_select_refuses_a_string_of_columns(client):
    """test_get_sql_select (its TypeError): ``columns`` must be a list, not a string."""
    with pytest.raises(TypeError):
        civis_io.read_civis("schema.table", 1, columns="column_a", client=client)


@pytest.mark.parametrize(
    ("func_name", "use_pandas", "return_as"),
    list(
        itertools.product(
            ("read_civis_sql", "read_civis"), (True, False, "unset"), ("list", "pandas", "polars")
        )
    ),
)
def test_warns_or_raise_exception_for_deprecated_use_pandas(
    client, foo_bar, func_name, use_pandas, return_as
):
    """test_warns_or_raise_exception_for_deprecated_use_pandas: ``use_pandas`` given warns
    (FutureWarning) unless it contradicts ``return_as`` (ValueError); not given, silence."""
    pytest.importorskip("polars")
    if use_pandas == "unset":
        expected = None
    elif (use_pandas is True and return_as == "polars") or (
        use_pandas is False and return_as == "pandas"
    ):
        expected = ValueError
    else:
        expected = FutureWarning
    args = {"database": 1, "return_as": return_as, "client": client}
    if use_pandas != "unset":
        args["use_pandas"] = use_pandas
    if func_name == "read_civis":
        args["table"] = "schema.tablename"
    else:
        args["sql"] = "select * from schema.tablename"
    func = getattr(civis_io, func_name)
    if expected is FutureWarning:
        with pytest.warns(FutureWarning, match="use_pandas"):
            func(**args)
    elif expected is ValueError:
        with pytest.raises(ValueError, match="Conflicting argument values"):
            func(**args)
    else:
        with warnings_as_errors():
            func(**args)


# -- names ---------------------------------------------------------------------------------------
def test_maybe_random_name_random(client):
    """test_maybe_random_name_random: an unnamed export job gets a random hex name
    (``uuid.uuid4().hex``)."""
    future = civis_io.export_to_civis_file("SELECT 1", 1, client=client)
    name = client.scripts.get_sql(future.job_id).name
    assert re.fullmatch(r"[0-9a-f]{32}", name)
    other = civis_io.export_to_civis_file("SELECT 1", 1, client=client)
    assert client.scripts.get_sql(other.job_id).name != name
