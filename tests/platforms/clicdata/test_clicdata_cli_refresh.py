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


def test_a_command_that_makes_no_frame_does_not_import_pandas(emu, tmp_path):
    # pandas costs about half a second of start-up; only a command that builds a frame pays it
    import os
    import subprocess
    import sys

    table = next(t for t in emu.state.tables.values() if t.name == "Sales")
    code = (
        "import sys\n"
        "from specclient.cli import main\n"
        "status = main(sys.argv[1:])\n"
        "print(json.dumps({'status': status, 'pandas': 'pandas' in sys.modules}))\n"
    )
    env = {
        **os.environ,
        "SPECCLIENT_CACHE_DIR": str(tmp_path / "cache"),
        "CLICDATA_CLIENT_ID": emu.credentials["client_id"],
        "CLICDATA_CLIENT_SECRET": emu.credentials["client_secret"],
    }
    argv = ["clicdata", "data", "row_count", str(table.rec_id), "--base-url", emu.base_url]
    out = subprocess.run(
        [sys.executable, "-c", "import json\n" + code, *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "120"  # the command's own output: the Sales table's rows
    assert json.loads(lines[-1]) == {"status": 0, "pandas": False}
