"""The CLI's refresh commands follow the refresh's future: ``--wait`` prints the data set as
the refresh left it, and each command refreshes exactly once."""

from __future__ import annotations

import json

from specclient.cli import main


def test_rebuild_and_tables_refresh_with_wait_print_the_refreshed_data_set(
    emu, capsys, monkeypatch, tmp_path
):
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CLICDATA_CLIENT_ID", emu.credentials["client_id"])
    monkeypatch.setenv("CLICDATA_CLIENT_SECRET", emu.credentials["client_secret"])
    table = next(t for t in emu.state.tables.values() if t.name == "Sales")
    where = ["--base-url", emu.base_url, "-o", "json"]
    argv = ["clicdata", "data", "rebuild", str(table.rec_id), "--method", "append", "--wait"]
    assert main([*argv, *where]) == 0
    assert json.loads(capsys.readouterr().out)["row_count"] == 130
    argv = ["clicdata", "tables", "refresh", str(table.rec_id), "--mode", "append", "--wait"]
    assert main([*argv, *where]) == 0
    assert json.loads(capsys.readouterr().out)["row_count"] == 140
    assert table.row_count == 140 and len(table.versions) == 2
