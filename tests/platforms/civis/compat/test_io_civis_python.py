"""civis-python's own ``civis.io`` helpers, run with specclient's Civis client against the
emulator: every helper works, new tables included, and what they write is what specclient's
helpers read (and the other way round)."""

from __future__ import annotations

import io
import warnings

import pandas as pd
import pytest

from specclient.emulators import running
from specclient.platforms.civis import io as ours

civis = pytest.importorskip("civis")


@pytest.fixture
def emu(monkeypatch):
    # civis-python's futures poll in real time: its runs start and end at once here
    with running("civis", seed=1, queue_seconds=0, run_seconds=0) as emulator:
        monkeypatch.setenv("CIVIS_API_ENDPOINT", emulator.base_url)
        yield emulator


def test_dataframe_to_civis_creates_a_new_table(client):
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    result = civis.io.dataframe_to_civis(df, "redshift-general", "scratch.theirs", client=client)
    assert result.result().state == "succeeded"
    found = client.databases.get_schemas_tables(1, "scratch", "theirs")
    # civis-python lets Civis detect the types (files.post_preprocess_csv)
    assert [(c.name, c.sql_type) for c in found.columns] == [
        ("a", "INTEGER"),
        ("b", "VARCHAR(256)"),
    ]
    assert civis.io.read_civis("scratch.theirs", 1, client=client) == [
        ["a", "b"],
        ["1", "x"],
        ["2", "y"],
    ]
    typed = ours.read_civis("scratch.theirs", 1, return_as="pandas", client=client)
    assert typed["a"].tolist() == [1, 2] and str(typed["a"].dtype) == "Int64"


def test_csv_to_civis_and_civis_file_to_table(client, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("p,q\n1,2\n3,4\n")
    civis.io.csv_to_civis(str(path), 1, "scratch.csvd", client=client).result()
    file_id = civis.io.file_to_civis(io.BytesIO(path.read_bytes()), "again.csv", client=client)
    civis.io.civis_file_to_table(
        file_id, 1, "scratch.csvd", existing_table_rows="append", client=client
    ).result()
    rows = ours.read_civis("scratch.csvd", 1, client=client)
    assert rows == [["p", "q"], ["1", "2"], ["3", "4"], ["1", "2"], ["3", "4"]]


def test_reads_exports_queries_and_transfers(client, tmp_path):
    written = ours.dataframe_to_civis(
        pd.DataFrame({"n": [1, 2, 3], "w": ["a,b", "c", None]}), 1, "scratch.ours", client=client
    )
    written.result()
    sql = "SELECT * FROM scratch.ours"
    assert civis.io.read_civis_sql(sql, 1, client=client) == [
        ["n", "w"],
        ["1", "a,b"],
        ["2", "c"],
        ["3", ""],
    ]
    frame = civis.io.read_civis_sql(sql, 1, return_as="pandas", client=client)
    assert frame["n"].tolist() == [1, 2, 3]
    target = tmp_path / "out.csv"
    civis.io.civis_to_csv(str(target), sql, 1, client=client).result()
    assert target.read_bytes() == b'n,w\n1,"a,b"\n2,c\n3,\n'
    manifest = civis.io.civis_to_multifile_csv(sql, 1, client=client)
    assert manifest["header"] == ["n", "w"] and len(manifest["entries"]) == 1
    exported = civis.io.export_to_civis_file(sql, 1, client=client).result()
    assert exported["output"][0]["output_name"] == "output.csv"
    query = civis.io.query_civis("select count(*) from scratch.ours", 1, client=client).result()
    assert query.result_rows == [["3"]]
    civis.io.transfer_table(1, 2, "scratch.ours", "scratch.moved", client=client).result()
    assert ours.read_civis("scratch.moved", 2, client=client)[1:] == [
        ["1", "a,b"],
        ["2", "c"],
        ["3", ""],
    ]


def test_a_failed_import_fails_civis_pythons_future(client):
    df = pd.DataFrame({"a": [1]})
    civis.io.dataframe_to_civis(df, 1, "scratch.once", client=client).result()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        future = civis.io.dataframe_to_civis(df, 1, "scratch.once", client=client)
        with pytest.raises(civis.base.CivisJobFailure, match="already exists"):
            future.result()


def test_civis_pythons_multipart_upload_reaches_the_emulators_parts(client, monkeypatch, tmp_path):
    """civis-python's own ``_multipart_upload`` (4 threads, PUT per part, complete) against
    the emulator's ``/files/multipart``; specclient reads the file back whole."""
    monkeypatch.setattr(civis.io._files, "MIN_MULTIPART_SIZE", 1)
    monkeypatch.setattr(civis.io._files, "MIN_PART_SIZE", 3)
    data = bytes(range(256)) * 3
    (tmp_path / "parts.bin").write_bytes(data)
    with open(tmp_path / "parts.bin", "rb") as handle:
        file_id = civis.io.file_to_civis(handle, "parts.bin", client=client)
    out = io.BytesIO()
    ours.civis_to_file(file_id, out, client=client)
    assert out.getvalue() == data


def test_civis_pythons_file_helpers_read_what_ours_write(client):
    """civis-python's ``file_to_dataframe``, ``file_to_json`` and ``file_id_from_run_output``
    with specclient's client; the files written by specclient's helpers."""
    frame_id = ours.dataframe_to_file(pd.DataFrame({"a": [1, 2]}), index=False, client=client)
    assert civis.io.file_to_dataframe(frame_id, client=client)["a"].tolist() == [1, 2]
    json_id = ours.json_to_file({"k": [1]}, client=client)
    assert civis.io.file_to_json(json_id, client=client) == {"k": [1]}
    future = ours.export_to_civis_file("SELECT 1", 1, client=client)
    future.result()
    found = civis.io.file_id_from_run_output("output.csv", future.job_id, future.run_id,
                                             client=client)  # fmt: skip
    assert found == ours.file_id_from_run_output(
        "output.csv", future.job_id, future.run_id, client=client
    )
