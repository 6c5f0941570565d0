"""Every platform's workflows as commands (issue 14 items 3, 4, 6, 7, 8): discovered from the
platform declarations, typed from their signatures, waiting on the futures they return."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pandas as pd
import pytest

from specclient._cli_commands import CLIENT, workflow_methods
from specclient.cli import _resource_classes, main
from specclient.platforms import names

CLI = Any  # the conftest fixtures' runner (tests/cli is no package)


# -- discovery: every workflow is a command with help -------------------------------------------


def _every_workflow() -> list[tuple[str, list[str]]]:
    found = []
    for platform in names():
        for resource, cls in _resource_classes(platform).items():
            for name in workflow_methods(cls):
                where = [name] if resource == CLIENT else [resource, name]
                found.append((platform, where))
    return found


WORKFLOWS = _every_workflow()


def test_the_known_workflows_are_all_discovered() -> None:
    commands = {(p, " ".join(w)) for p, w in WORKFLOWS}
    for expected in [
        ("habu", "run_question"),
        ("habu", "question_results"),
        ("habu", "run_flow"),
        ("usmart", "pipelines refresh_all"),
        ("usmart", "files upload"),
        ("usmart", "data query"),
        ("clicdata", "data append"),
        ("clicdata", "data rebuild"),
        ("civis", "scripts run_sql"),
        ("civis", "jobs run"),
        ("civis", "get_database_id"),
    ]:
        assert expected in commands


@pytest.mark.parametrize(("platform", "where"), WORKFLOWS, ids=lambda v: str(v))
def test_every_workflow_is_a_command_with_help(platform, where, capsys) -> None:
    status = main([platform, *where, "--help"])
    out = " ".join(capsys.readouterr().out.split())  # long names wrap the usage line
    assert status == 0
    assert f"Usage: specclient {platform} {' '.join(where)} [OPTIONS]" in out
    assert "--output [table|json|csv]" in out and "--to FILE" in out


def test_a_future_returning_workflow_offers_wait(capsys) -> None:
    main(["civis", "scripts", "run_sql", "--help"])
    assert "--wait " in capsys.readouterr().out
    main(["habu", "run_question", "--help"])
    out = capsys.readouterr().out
    assert "--wait / --no-wait" in out and "--wait-param" not in out
    assert "--progress" not in out  # the command's own status line shows a run's progress
    main(["clicdata", "data", "append", "--help"])
    assert "--progress / --no-progress" in capsys.readouterr().out  # a bar, on or off


# -- item 3: values convert by the schema type ---------------------------------------------------


def test_clicdata_schedule_id_given_positionally_is_an_integer(clicdata_cli: CLI) -> None:
    schedule = next(iter(clicdata_cli.emu.state.schedules))
    status, out, err = clicdata_cli("schedules", "trigger", str(schedule), "-o", "json")
    assert (status, err) == (0, "")
    assert set(json.loads(out)) <= {"run_id", "state", "url"}  # the started run, no raw dict
    status, out, err = clicdata_cli("schedules", "trigger", str(schedule), "--wait", "-o", "json")
    assert (status, err) == (0, "")
    assert json.loads(out)["status"] == "Completed"


def test_civis_table_id_given_positionally_is_an_integer(civis_cli: CLI) -> None:
    status, out, _ = civis_cli("tables", "get", "106", "-o", "json")
    assert status == 0
    assert json.loads(out)["name"] == "customers"


def test_a_non_integer_positional_id_is_a_usage_error(civis_cli: CLI) -> None:
    status, _, err = civis_cli("tables", "get", "customers")
    assert status == 2
    assert "'customers' is not a valid integer" in err


# -- item 4: uSmart sort/select strings ------------------------------------------------------------


def _api_container(emu: Any) -> str:
    dataset = next(iter(emu.state.datasets.values()))
    return next(c.guid for c in dataset.containers if c.pipeline_id == "data-api")


def test_usmart_query_sort_and_select_from_the_command_line(usmart_cli: CLI) -> None:
    api = _api_container(usmart_cli.emu)
    status, out, _ = usmart_cli(
        "data", "query", "--resource-guid", api, "--sort", "-count", "--select", "site,count",
        "--limit", "4", "-o", "csv",
    )  # fmt: skip
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["usmart_id", "site", "count"]
    counts = [int(r["count"]) for r in rows]
    assert len(counts) == 4 and counts == sorted(counts, reverse=True)


def test_usmart_query_takes_revision_latest_and_raw_terms(usmart_cli: CLI, tmp_path) -> None:
    api = _api_container(usmart_cli.emu)
    target = tmp_path / "canal.parquet"
    status, _, _ = usmart_cli(
        "data", "query", "--resource-guid", api, "eq(site,Canal%20Path)", "--revision", "latest",
        "--limit", "3", "--to", str(target),
    )  # fmt: skip
    assert status == 0
    frame = pd.read_parquet(target)
    assert len(frame) == 3 and set(frame["site"]) == {"Canal Path"}


def test_usmart_refresh_all_echo_prints_a_line_per_pipeline(usmart_cli: CLI) -> None:
    dataset = next(iter(usmart_cli.emu.state.datasets.values()))
    status, out, err = usmart_cli(
        "pipelines", "refresh_all", "--dataset-guid", dataset.guid, "--wait", "--echo",
        "-o", "json",
    )  # fmt: skip
    assert status == 0
    outcomes = json.loads(out)
    assert {o["pipeline_id"] for o in outcomes} == {c.pipeline_id for c in dataset.containers}
    assert all(o["ok"] and o["state"] == "processed" for o in outcomes)
    for container in dataset.containers:  # --echo: one line each, on stderr
        assert f"{container.pipeline_id} {container.guid}: processed" in err


def test_usmart_refresh_all_without_wait_prints_the_started_refresh(usmart_cli: CLI) -> None:
    dataset = next(iter(usmart_cli.emu.state.datasets.values()))
    status, out, _ = usmart_cli("pipelines", "refresh_all", "--dataset-guid", dataset.guid)
    assert status == 0
    # the future's run id (and state and link, once known), not a repr
    assert json.loads(out)["run_id"] == dataset.guid


# -- item 6: ClicData append from a file or stdin -------------------------------------------------


@pytest.fixture
def table(clicdata_cli: CLI) -> int:
    client = clicdata_cli.emu.client()
    rec_id: int = client.data.create_from_dataframe(
        "cli rows", pd.DataFrame({"a": [0], "b": ["z"]})
    )
    return rec_id


def _rows(cli: CLI, rec_id: int) -> list[dict[str, str]]:
    status, out, _ = cli("data", "get", "--rec-id", str(rec_id), "-o", "csv")
    assert status == 0
    return list(csv.DictReader(io.StringIO(out)))


def test_clicdata_append_reads_csv_jsonl_and_parquet_files(clicdata_cli, table, tmp_path) -> None:
    (tmp_path / "rows.csv").write_text("a,b\n1,x\n2,y\n")
    (tmp_path / "rows.jsonl").write_text('{"a": 3, "b": "j"}\n{"a": 4, "b": "k"}\n')
    pd.DataFrame({"a": [5], "b": ["p"]}).to_parquet(tmp_path / "rows.parquet")
    for name, appended in [("rows.csv", "2"), ("rows.jsonl", "2"), ("rows.parquet", "1")]:
        status, out, _ = clicdata_cli(
            "data", "append", "--rec-id", str(table), "--df", str(tmp_path / name), "-o", "json"
        )
        assert (status, out.strip()) == (0, appended)
    assert [(r["a"], r["b"]) for r in _rows(clicdata_cli, table)] == [
        ("0", "z"), ("1", "x"), ("2", "y"), ("3", "j"), ("4", "k"), ("5", "p"),
    ]  # fmt: skip


def test_clicdata_append_reads_stdin(clicdata_cli, table, monkeypatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"a,b\n7,s\n"))
    monkeypatch.setattr("sys.stdin", stdin)
    status, out, _ = clicdata_cli("data", "append", "--rec-id", str(table), "--df", "-")
    assert (status, out.strip()) == (0, "1")
    assert _rows(clicdata_cli, table)[-1] == {"a": "7", "b": "s"}


def test_clicdata_append_of_a_missing_file_is_a_usage_error(clicdata_cli, table) -> None:
    status, _, err = clicdata_cli("data", "append", "--rec-id", str(table), "--df", "nope.csv")
    assert status == 2
    assert "Invalid value for '--df': File 'nope.csv' does not exist." in err


# -- items 6 and 7: runs are futures; --wait waits ---------------------------------------------------


@pytest.fixture
def sql_script(civis_cli: CLI) -> int:
    client = civis_cli.emu.client()
    script = client.scripts.post_sql(
        name="q",
        remote_host_id=client.get_database_id("redshift-general"),
        credential_id=client.default_database_credential_id,
        sql="SELECT 1",
    )
    return int(script.id)


def test_civis_run_sql_without_wait_prints_the_run_not_a_repr(civis_cli, sql_script) -> None:
    status, out, _ = civis_cli("scripts", "run_sql", "--id", str(sql_script), "-o", "json")
    assert status == 0
    started = json.loads(out)
    assert set(started) == {"run_id", "state", "url"}
    assert started["url"].endswith(f"/jobs/{sql_script}?runId={started['run_id']}")


def test_civis_run_sql_with_wait_prints_the_finished_run(civis_cli, sql_script) -> None:
    status, out, _ = civis_cli(
        "scripts", "run_sql", "--id", str(sql_script), "--wait", "-o", "json"
    )
    assert status == 0
    run = json.loads(out)
    assert run["state"] == "succeeded"
    assert run["output"][0]["output_name"] == "output.csv"


def test_the_wait_line_is_silent_when_stderr_is_piped(civis_cli, sql_script) -> None:
    status, _, err = civis_cli("scripts", "run_sql", "--id", str(sql_script), "--wait")
    assert (status, err) == (0, "")


def test_the_wait_line_ticks_between_polls_and_shows_each_state(civis_cli, sql_script) -> None:
    import specclient
    from specclient._cli_wait import wait_live

    # a client of its own (the system clock), as the CLI's is: the run moves only when the
    # emulator's clock does, and that is frozen until the status line has ticked twice
    client = specclient.connect("civis", base_url=civis_cli.emu.base_url)
    civis_cli.emu.clock.freeze()
    future = client.scripts.run_sql(sql_script, polling_interval=0.01)
    stream = io.StringIO()
    ticks = []

    def tick_then_finish(line: str) -> int:
        ticks.append(line)
        if len(ticks) == 3:  # two ticks with the run still going, then let it end
            civis_cli.emu.clock.advance(600)
        return len(line)

    stream.write = tick_then_finish  # type: ignore[method-assign]
    assert wait_live(future, show=True, stream=stream, tick=0.01).state == "succeeded"
    text = "".join(ticks)
    assert f"run {future.run_id}: " in text
    assert "-> succeeded" in text  # each state change kept on its own line
    assert text.endswith("\n")


def _visible_lines(written: str) -> list[str]:
    """What a terminal shows for ``written``: per line, the text after its last carriage
    return, without the clear-to-end-of-line codes."""
    return [part.split("\r")[-1].replace("\x1b[K", "") for part in written.split("\n")]


def test_echo_lines_during_a_wait_go_above_the_status_line_not_onto_it() -> None:
    import concurrent.futures
    import threading

    from specclient._cli_commands import _echo_to_stderr
    from specclient._cli_wait import wait_live

    future: concurrent.futures.Future[str] = concurrent.futures.Future()
    future.run_id = "r1"  # type: ignore[attr-defined]
    stream = io.StringIO()
    ticked = threading.Event()

    def write(text: str) -> int:
        io.StringIO.write(stream, text)
        if "run r1: started" in text:
            ticked.set()  # the status line is on screen
        return len(text)

    stream.write = write  # type: ignore[method-assign]

    def pipeline_ends() -> None:
        ticked.wait(30)
        _echo_to_stderr("data-api c1: processed")  # a workflow's --echo, from another thread
        future.set_result("done")

    threading.Thread(target=pipeline_ends).start()
    assert wait_live(future, show=True, stream=stream, tick=0.01) == "done"
    shown = _visible_lines(stream.getvalue())
    assert "data-api c1: processed" in shown  # a line of its own...
    assert not any("run r1" in line and "data-api" in line for line in shown)  # ...not appended
    assert shown[-2].startswith("run r1: done (") and shown[-1] == ""  # the end, then a newline


def test_a_download_streams_its_bytes_with_a_byte_bar_on_a_terminal(
    usmart_cli: CLI, monkeypatch
) -> None:
    import sys

    dataset = next(iter(usmart_cli.emu.state.datasets.values()))
    stored = dataset.files[0]
    monkeypatch.setattr("specclient.cli.stderr_is_terminal", lambda: True)
    written = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(written))  # bytes, as a process has
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    argv = ["usmart", "files", "download", "--resource-guid", stored.guid]
    status = main([*argv, "--base-url", usmart_cli.emu.base_url])
    assert status == 0
    assert written.getvalue() == stored.latest.blob.path.read_bytes()  # byte for byte
    bar = sys.stderr.getvalue()
    assert "download:" in bar and "B/s" in bar  # the byte bar, on "a terminal"


def test_a_download_draws_nothing_when_stderr_is_piped(usmart_cli: CLI) -> None:
    dataset = next(iter(usmart_cli.emu.state.datasets.values()))
    status, out, err = usmart_cli("files", "download", "--resource-guid", dataset.files[0].guid)
    assert (status, err) == (0, "")
    assert out.encode() == dataset.files[0].latest.blob.path.read_bytes()


# -- item 2: token errors on the command line say what happened ------------------------------------


def test_with_the_token_cache_off_the_third_command_names_the_daily_cap(
    habu_cli: CLI, monkeypatch
) -> None:
    monkeypatch.setenv("SPECCLIENT_TOKEN_CACHE", "0")
    for _ in range(2):
        assert habu_cli("cleanrooms", "list", "-o", "json")[0] == 0
    status, out, err = habu_cli("cleanrooms", "list", "-o", "json")
    assert (status, out) == (1, "")
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "Token limit reached: at most 2 access tokens per 24 hours" in err
    assert "SPECCLIENT_TOKEN_CACHE unset" in err  # ...and how to keep within it
    assert "check client_id" not in err


def test_a_base_url_without_v1_is_named_on_the_command_line(habu_cli: CLI) -> None:
    root = habu_cli.emu.base_url.removesuffix("/v1")
    status, out, err = habu_cli("cleanrooms", "list", "--base-url", root, base_url=False)
    assert (status, out) == (1, "")
    assert "there is no token endpoint at" in err and "(404" in err
    assert "check base_url: Habu's ends in /v1 (https://api.habu.com/v1)" in err
    assert "check client_id" not in err


# -- item 8: did you mean ---------------------------------------------------------------------------


def test_a_misspelt_workflow_command_suggests_it(capsys) -> None:
    status = main(["clicdata", "data", "apend"])
    err = capsys.readouterr().err
    assert status == 2
    assert "no method 'apend' in specclient clicdata data. Did you mean 'append'?" in err
    main(["habu", "run_questoin"])
    assert "Did you mean 'run_question'?" in capsys.readouterr().err


# -- item 10: a bad base URL ------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["127.0.0.1:8080/v1", "ftp://host/v1", "http://"])
def test_a_bad_base_url_is_a_usage_error_before_connecting(url, capsys) -> None:
    status = main(["habu", "cleanrooms", "list", "--base-url", url])
    err = capsys.readouterr().err
    assert status == 2
    assert f"not {url!r} (e.g. https://host/v1)" in err


# -- output in each format ----------------------------------------------------------------------


def test_a_frame_workflow_prints_in_each_format(clicdata_cli: CLI, table: int) -> None:
    status, out, _ = clicdata_cli("data", "get", "--rec-id", str(table), "-o", "json")
    assert status == 0 and json.loads(out) == [{"a": 0, "b": "z"}]
    status, out, _ = clicdata_cli("data", "get", "--rec-id", str(table), "-o", "csv")
    assert status == 0 and out.splitlines() == ["a,b", "0,z"]
    status, out, _ = clicdata_cli("data", "get", "--rec-id", str(table), "-o", "table")
    assert status == 0 and [line.split() for line in out.splitlines()] == [["a", "b"], ["0", "z"]]


def test_a_scalar_workflow_prints_in_each_format(civis_cli: CLI) -> None:
    for fmt in ("json", "csv", "table"):
        status, out, _ = civis_cli("get_database_id", "--database", "redshift-general", "-o", fmt)
        assert (status, out) == (0, "1\n")


def test_a_workflow_failure_exits_1_with_one_line(civis_cli: CLI) -> None:
    status, out, err = civis_cli("get_database_id", "--database", "no-such-db")
    assert (status, out) == (1, "")
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "no-such-db" in err


def test_to_a_file_of_another_kind_is_refused_before_the_workflow_runs(
    clicdata_cli, table, tmp_path
) -> None:
    before = _rows(clicdata_cli, table)
    (tmp_path / "rows.csv").write_text("a,b\n1,x\n")
    status, _, err = clicdata_cli(
        "data", "append", "--rec-id", str(table), "--df", str(tmp_path / "rows.csv"),
        "--to", "rows.xlsx",
    )  # fmt: skip
    assert status == 2
    assert "Invalid value for '--to': rows.xlsx: name a .parquet or .csv file" in err
    assert _rows(clicdata_cli, table) == before  # nothing appended


def test_a_workflow_argument_given_twice_or_never_is_a_usage_error(capsys) -> None:
    assert main(["clicdata", "schedules", "trigger", "105", "--id", "106"]) == 2
    assert "id given twice (105 and --id 106)" in capsys.readouterr().err
    assert main(["clicdata", "schedules", "trigger"]) == 2
    assert "missing required 'id': pass --id VALUE or give it as the ID argument" in (
        capsys.readouterr().err
    )
