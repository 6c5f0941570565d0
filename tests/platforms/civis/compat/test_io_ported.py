"""civis-python 2.10.1's own civis.io tests (``tests/test_io.py`` of its sdist), ported: each
behaviour it asserts with mocks is asserted here on specclient's helpers through the emulator
(the request that reached Civis, the file written, the error raised). The source test is named
in each docstring; what is not ported is listed in docs/platforms/civis-io.md."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from specclient.platforms.civis import io as civis_io


@pytest.mark.parametrize(
    "table,expected",
    [
        ("schema.table", ("schema", "table")),
        ('schema."t.able"', ("schema", "t.able")),
        ('schema.table"', ("schema", 'table"')),
        ('"sch.ema"."t.able"', ("sch.ema", "t.able")),
        ('schema."tab""le."', ("schema", 'tab"le.')),
        ("table_with_no_schema", (None, "table_with_no_schema")),
    ],
)
def test_split_schema_tablename(table, expected):
    """test_split_schema_tablename"""
    assert civis_io.split_schema_tablename(table) == expected


def test_split_schema_tablename_raises():
    """test_split_schema_tablename_raises"""
    with pytest.raises(ValueError, match="Cannot parse schema and table"):
        civis_io.split_schema_tablename("table.with.too.many.periods")


def test_sql_script_and_export_to_civis_file(emu, client):
    """test_sql_script, test_export_to_civis_file: the script is posted with the job name, the
    database's id, the default credential, the SQL, ``hidden`` and the csv settings; the
    future's result lists the output file."""
    future = civis_io.export_to_civis_file(
        "SELECT 1", "redshift-general", job_name="My job", hidden=False, client=client
    )
    script = client.scripts.get_sql(future.job_id)
    assert (script.name, script.remote_host_id, script.sql, script.hidden) == (
        "My job",
        1,
        "SELECT 1",
        False,
    )
    assert script.credential_id == client.default_database_credential_id
    output = future.result()["output"]
    out = io.BytesIO()
    civis_io.civis_to_file(output[0]["file_id"], out, client=client)
    assert out.getvalue() == b"?column?\n1\n"


def test_get_sql_select(client, emu):
    """test_get_sql_select: read_civis selects the columns given, else ``*``."""
    emu.state.queue_seconds = 0
    civis_io.read_civis("public.orders", 1, columns=["id", "value"], client=client)
    civis_io.read_civis("public.orders", 1, client=client)
    sqls = [job["sql"] for job in emu.state.jobs.values() if job["_kind"] == "sql"]
    assert sqls == ["select id, value from public.orders", "select * from public.orders"]


def test_read_civis_sql_no_dataframe_special_encoding(emu, client):
    """test_read_civis_sql_no_dataframe_special_encoding_sad_path / _happy_path."""
    with emu.app.lock:
        table = emu.state.warehouse.create(1, "crm", "names", [{"name": "n", "sqlType": "TEXT"}])
        emu.state.warehouse.put(table, "café\n".encode("latin-1"), 1)
    with pytest.raises(UnicodeDecodeError):
        civis_io.read_civis("crm.names", 1, client=client)
    assert civis_io.read_civis("crm.names", 1, encoding="latin-1", client=client) == [
        ["n"],
        ["café"],
    ]


def _file(client, text, name):
    return civis_io.file_to_civis(io.BytesIO(text.encode()), name, client=client)


def test_check_column_types_differing_numbers(client):
    """test_check_column_types_differing_numbers"""
    one, two = _file(client, "col1\n1\n", "a.csv"), _file(client, "col1,col2\n1,2.5\n", "b.csv")
    with pytest.raises(civis_io.CivisImportError) as info:
        civis_io.civis_file_to_table([one, two], 1, "scratch.t", client=client)
    assert str(info.value).startswith("All files must have the same number of columns, however")
    assert "\t1 from: file " in str(info.value) and "(a.csv)" in str(info.value)


def test_check_column_types_differing_types(client):
    """test_check_column_types_differing_types"""
    one, two = _file(client, "col1\n1\n2\n", "a.csv"), _file(client, "col1\n1.5\n2\n", "b.csv")
    with pytest.raises(civis_io.CivisImportError) as info:
        civis_io.civis_file_to_table([one, two], 1, "scratch.t", client=client)
    message = str(info.value)
    assert message.startswith("All sql_types for column 'col1' must be the same, however --\n")
    assert "\tINTEGER from: file" in message and "\tDOUBLE PRECISION from: file" in message


def test_check_column_types_coerce_to_varchar_and_multi_file(client):
    """test_check_column_types_coerce_to_varchar, test_civis_file_to_table_multi_file: a
    VARCHAR beside another type makes the column VARCHAR; the files load as one."""
    one = _file(client, "col1,col2\n1,x\n", "a.csv")
    two = _file(client, "col1,col2\n2,3\n", "b.csv")
    civis_io.civis_file_to_table([one, two], 1, "scratch.both", client=client).result()
    found = client.databases.get_schemas_tables(1, "scratch", "both")
    assert [(c.name, c.sql_type) for c in found.columns] == [
        ("col1", "INTEGER"),
        ("col2", "VARCHAR"),
    ]
    assert civis_io.read_civis("scratch.both", 1, client=client)[1:] == [["1", "x"], ["2", "3"]]


def test_check_detected_info_raises(client):
    """test_check_detected_info_raises"""
    one = _file(client, "a,b\n1,2\n", "a.csv")
    two = _file(client, "a|b\n1|2\n", "b.csv")
    with pytest.raises(civis_io.CivisImportError, match="'columnDelimiter' must be the same"):
        civis_io.civis_file_to_table([one, two], 1, "scratch.t", client=client)


def test_civis_file_to_table_table_exists(client, emu):
    """test_civis_file_to_table_table_exists: no column detection; the import appends."""
    file_id = _file(client, "id,value,updated_at\n9,1.5,2024-01-01 00:00:00\n", "more.csv")
    before = client.databases.get_schemas_tables(1, "public", "orders").row_count
    civis_io.civis_file_to_table(
        file_id, 1, "public.orders", existing_table_rows="append", client=client
    ).result()
    assert client.databases.get_schemas_tables(1, "public", "orders").row_count == before + 1
    (job,) = [j for j in emu.state.jobs.values() if j["_kind"] == "preprocess"]
    assert job["detectTableColumns"] is False


def test_civis_file_to_table_provide_table_columns(client, emu):
    """test_civis_file_to_table_table_doesnt_exist_provide_table_columns"""
    file_id = _file(client, "foo,bar\n1,x\n", "in.csv")
    columns = [{"name": "foo", "sql_type": "INTEGER"}, {"name": "bar", "sql_type": "VARCHAR(42)"}]
    civis_io.civis_file_to_table(file_id, 1, "scratch.given", table_columns=columns,
                                 client=client).result()  # fmt: skip
    (job,) = [j for j in emu.state.jobs.values() if j["_kind"] == "csv_import"]
    assert job["tableColumns"] == [
        {"name": "foo", "sqlType": "INTEGER"},
        {"name": "bar", "sqlType": "VARCHAR(42)"},
    ]
    assert job["loosenTypes"] is False and job["firstRowIsHeader"] is True


def test_dataframe_to_civis_pandas_passes_to_csv_options(client, emu):
    """test_dataframe_to_civis_pandas: the index is left out, ``**kwargs`` reach ``to_csv``,
    ``header=False`` makes the import read no header."""
    df = pd.DataFrame([[1, 2, 3], [2, 3, 4]], columns=["a", "b", "c"], index=["x", "y"])
    columns = [{"name": n, "sql_type": "INT"} for n in "abc"]
    civis_io.dataframe_to_civis(df, 1, "scratch.df", table_columns=columns, header=False,
                                client=client).result()  # fmt: skip
    (job,) = [j for j in emu.state.jobs.values() if j["_kind"] == "csv_import"]
    assert job["firstRowIsHeader"] is False
    assert civis_io.read_civis("scratch.df", 1, client=client) == [
        ["a", "b", "c"],
        ["1", "2", "3"],
        ["2", "3", "4"],
    ]


def test_transfer_table(client, emu):
    """test_transfer_table: a Dbsync import with the two databases, one sync of the paths, the
    advanced options passed on."""
    future = civis_io.transfer_table(
        "redshift-general", "postgres-analytics", "public.orders", "copy.orders",
        job_name="move", existing_table_rows="drop", client=client,
    )  # fmt: skip
    job = emu.state.jobs[future.job_id]
    assert (job["name"], job["syncType"], job["isOutbound"]) == ("move", "Dbsync", True)
    assert (job["source"]["remoteHostId"], job["destination"]["remoteHostId"]) == (1, 2)
    (sync,) = job["syncs"]
    assert sync["source"]["path"] == "public.orders"
    assert sync["destination"]["path"] == "copy.orders"
    assert sync["advancedOptions"] == {"existingTableRows": "drop"}
    assert future.result().state == "succeeded"


def test_civis_to_multifile_passes_client_and_reads_the_manifest(client):
    """test_civis_to_multifile_passes_client"""
    manifest = civis_io.civis_to_multifile_csv("select * from public.orders", 1, client=client)
    assert manifest["query"] == "select * from public.orders"
    assert manifest["entries"][0]["url_signed"].startswith("http://")


def test_civis_to_csv_without_output_warns_and_writes_nothing(client, tmp_path):
    """test_civis_to_csv (no output): a statement without a result set writes no file."""
    target = tmp_path / "none.csv"
    with pytest.warns(RuntimeWarning, match="does not have any output to download"):
        civis_io.civis_to_csv(str(target), "DROP TABLE public.orders", 1, client=client).result()
    assert not target.exists()
