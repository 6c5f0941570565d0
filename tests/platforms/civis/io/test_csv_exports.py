"""The emulator's CSV exports (``/exports/files/csv``, the Civis API's export of a statement
to files, per the published spec): a run writes the file its settings describe, listed as the
run's ``File`` output, and read back through civis.io's file helpers."""

from __future__ import annotations

import gzip
import io

import pytest

from specclient.platforms.civis import io as civis_io


def _export(client, table, **settings):
    created = client.exports.post_files_csv(
        {
            "sql": f"select * from {table}",
            "remote_host_id": 1,
            "credential_id": client.default_database_credential_id,
        },
        {"filename_prefix": "report"},
        **settings,
    )
    run = client.exports.post_files_csv_runs(created.id)
    return created, run


def test_an_export_run_writes_the_file_its_settings_describe(emu, client, table):
    table("scratch.people", [("id", "INTEGER"), ("name", "VARCHAR(20)")], [[1, "ann"], [2, "bo"]])
    created, run = _export(client, "scratch.people", column_delimiter="pipe")
    assert (created.compression, created.include_header, created.column_delimiter) == (
        "gzip", True, "pipe",
    )  # fmt: skip
    emu.clock.advance(60)
    assert client.exports.get_files_csv_runs(created.id, run.id).state == "succeeded"
    (output,) = client.exports.list_files_csv_runs_outputs(created.id, run.id)
    assert (output.object_type, output.name) == ("File", "output.csv.gz")
    buf = io.BytesIO()
    civis_io.civis_to_file(output.object_id, buf, client=client)
    assert gzip.decompress(buf.getvalue()) == b"id|name\n1|ann\n2|bo\n"
    found = civis_io.file_id_from_run_output("output.csv.gz", created.id, run.id, client=client)
    assert found == output.object_id


def test_a_multifile_export_lists_its_parts_in_a_manifest(emu, client, table):
    table("scratch.people", [("id", "INTEGER")], [[1], [2]])
    created, run = _export(
        client, "scratch.people", compression="none", force_multifile=True, include_header=False
    )
    emu.clock.advance(60)
    (output,) = client.exports.list_files_csv_runs_outputs(created.id, run.id)
    manifest = civis_io.file_to_json(output.object_id, client=client)
    assert manifest["query"] == "select * from scratch.people"
    assert "header" not in manifest  # includeHeader false, as a SQL run's manifest
    assert [entry["name"] for entry in manifest["entries"]] == ["report_0000.csv"]
    parts = b"".join(
        client.request("GET", entry["url_signed"], auth=False).content
        for entry in manifest["entries"]
    )
    assert parts == b"1\n2\n"


def test_an_export_of_a_statement_the_emulator_cannot_answer_is_refused(client):
    from specclient.errors import BadRequestError

    with pytest.raises(BadRequestError, match="SELECT"):
        client.exports.post_files_csv(
            {"sql": "UPDATE x SET y = 1", "remote_host_id": 1, "credential_id": 101}, {}
        )
