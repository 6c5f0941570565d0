"""The ``specclient`` command: help from the specs, calls, output formats, exit statuses."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

import specclient.cli as cli
from specclient.cli import main
from specclient.emulators import running

ROOM_PARAMETERS = '{"REGION":"REGION_US","CLOUD":"CLOUD_AWS","ENABLE_EXPORT":"false"}'


@pytest.fixture(scope="module")
def token_dir(tmp_path_factory: pytest.TempPathFactory) -> Any:
    # One token cache for the module, as on a user's machine: Habu allows 2 tokens a day and
    # every CLI call is a new process that must reuse the token the previous one obtained.
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def no_ambient_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path, token_dir) -> None:
    for name in ("HABU_API_CLIENT", "HABU_API_SECRET", "HABU_ORGANIZATION", "HABU_API"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(token_dir))
    monkeypatch.setenv("HOME", str(tmp_path))  # no credentials file of the person running this


@pytest.fixture(scope="module")
def habu() -> Iterator[Any]:
    with running("habu", seed=1) as emulator:
        yield emulator


@pytest.fixture
def habu_env(habu: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Credentials in the environment, as a user sets them; returns the --base-url option."""
    monkeypatch.setenv("HABU_API_CLIENT", habu.credentials["client_id"])
    monkeypatch.setenv("HABU_API_SECRET", habu.credentials["client_secret"])
    return ["--base-url", habu.base_url]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


# -- help -------------------------------------------------------------------------------------


def test_root_help_lists_platforms_and_commands(capsys) -> None:
    status, out, _ = run(capsys, "--help")
    assert status == 0
    for name in ("habu", "usmart", "clicdata", "civis", "demo", "emulate"):
        assert f"\n  {name} " in out


def test_root_help_reads_no_spec_and_imports_no_adapter(capsys, monkeypatch) -> None:
    def refuse(platform: str) -> None:
        raise AssertionError(f"loaded the {platform} spec for the root help")

    monkeypatch.setattr(cli, "load_platform_spec", refuse)
    monkeypatch.setattr(cli, "_resource_classes", refuse)  # nor imports an adapter (pandas...)
    assert run(capsys, "--help")[0] == 0


def test_help_at_every_level_comes_from_the_spec(capsys) -> None:
    status, out, _ = run(capsys, "habu", "--help")
    assert status == 0
    assert "cleanroom_question_runs" in out and "cleanrooms" in out

    status, out, _ = run(capsys, "habu", "cleanrooms", "--help")
    assert status == 0
    assert "list" in out and "get" in out and "create" in out

    status, out, _ = run(capsys, "habu", "cleanrooms", "get", "--help")
    assert status == 0
    assert "Usage: specclient habu cleanrooms get [OPTIONS] CLEANROOM_ID" in out
    assert "GET /cleanrooms/{cleanroomId}" in out
    assert "--cleanroom-id" in out
    assert "--output [table|json|csv]" in out


def test_unknown_resource_is_a_usage_error_with_a_hint(capsys) -> None:
    status, _, err = run(capsys, "habu", "cleanroms", "list")
    assert status == 2
    assert "no resource 'cleanroms' in specclient habu. Did you mean 'cleanrooms'?" in err


def test_unknown_method_is_a_usage_error_with_a_hint(capsys) -> None:
    status, _, err = run(capsys, "habu", "cleanrooms", "lst")
    assert status == 2
    assert "no method 'lst' in specclient habu cleanrooms. Did you mean 'list'?" in err


def test_ill_typed_option_is_a_usage_error(capsys) -> None:
    status, _, err = run(capsys, "habu", "cleanrooms", "list", "--limit", "ten")
    assert status == 2
    assert "Invalid value for '--limit': 'ten' is not a valid integer." in err


def test_missing_path_argument_is_a_usage_error(capsys) -> None:
    status, _, err = run(capsys, "habu", "cleanrooms", "get")
    assert status == 2
    assert "missing required 'cleanroom_id': pass --cleanroom-id VALUE" in err


def test_bad_json_option_is_a_usage_error(capsys) -> None:
    status, _, err = run(
        capsys,
        "habu",
        "cleanrooms",
        "create",
        "--name",
        "x",
        "--start-at",
        "2026-01-01",
        "--type",
        "Hybrid",
        "--parameters",
        "{nope",
    )
    assert status == 2
    assert "Invalid value for '--parameters': not valid JSON" in err


# -- calls against the emulator -----------------------------------------------------------------


def test_create_then_list_as_json_table_and_csv(capsys, habu_env: list[str]) -> None:
    status, out, _ = run(
        capsys,
        "habu",
        "cleanrooms",
        "create",
        "--name",
        "CLI room",
        "--start-at",
        "2026-01-01",
        "--type",
        "Hybrid",
        "--parameters",
        ROOM_PARAMETERS,
        "-o",
        "json",
        *habu_env,
    )
    assert status == 0
    created = json.loads(out)
    assert created["name"] == "CLI room"  # the payload as sent: wire names
    assert created["cleanRoomParameters"]["REGION"] == "REGION_US"

    status, out, _ = run(capsys, "habu", "cleanrooms", "list", "-o", "csv", *habu_env)
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    mine = [row for row in rows if row["id"] == created["id"]]
    assert mine and mine[0]["name"] == "CLI room"
    assert json.loads(mine[0]["cleanRoomParameters"])["CLOUD"] == "CLOUD_AWS"

    status, out, _ = run(capsys, "habu", "cleanrooms", "list", "-o", "table", *habu_env)
    assert status == 0
    header = out.splitlines()[0].split()
    assert header[:3] == ["id", "displayId", "name"]
    assert created["displayId"] in out


def test_path_parameter_as_argument_or_option(capsys, habu_env: list[str]) -> None:
    _, out, _ = run(
        capsys,
        "habu",
        "cleanrooms",
        "create",
        "--name",
        "By id",
        "--start-at",
        "2026-01-01",
        "--type",
        "Hybrid",
        "--parameters",
        ROOM_PARAMETERS,
        "-o",
        "json",
        *habu_env,
    )
    room_id = json.loads(out)["id"]
    by_argument = run(capsys, "habu", "cleanrooms", "get", room_id, "-o", "json", *habu_env)
    by_option = run(
        capsys, "habu", "cleanrooms", "get", "--cleanroom-id", room_id, "-o", "json", *habu_env
    )
    assert by_argument[0] == by_option[0] == 0
    assert json.loads(by_argument[1])["name"] == json.loads(by_option[1])["name"] == "By id"


def test_output_is_json_when_stdout_is_not_a_terminal(capsys, habu_env: list[str]) -> None:
    status, out, _ = run(capsys, "habu", "cleanrooms", "list", *habu_env)
    assert status == 0
    assert isinstance(json.loads(out), list)


def test_api_error_exits_1_with_the_status_and_no_traceback(capsys, habu_env: list[str]) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    status, out, err = run(capsys, "habu", "cleanrooms", "get", missing, *habu_env)
    assert status == 1
    assert out == ""
    assert err.startswith(f"error: 404 Cleanroom {missing} not found")


def test_missing_credentials_exit_1_naming_where_to_put_them(capsys, habu) -> None:
    status, _, err = run(capsys, "habu", "cleanrooms", "list", "--base-url", habu.base_url)
    assert status == 1
    assert "missing credential 'client_id'" in err
    assert "HABU_API_CLIENT" in err


def test_refused_credentials_exit_1_and_never_print_the_secret(
    capsys, habu, monkeypatch, tmp_path
) -> None:
    secret = "not-the-secret-5b8e1d"
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(tmp_path))  # no token cached: must ask
    monkeypatch.setenv("HABU_API_CLIENT", habu.credentials["client_id"])
    monkeypatch.setenv("HABU_API_SECRET", secret)
    status, out, err = run(capsys, "habu", "cleanrooms", "list", "--base-url", habu.base_url)
    assert status == 1
    assert err.startswith("error: ")
    assert secret not in out + err
    assert habu.credentials["client_secret"] not in out + err


def test_a_successful_call_prints_no_secret(capsys, habu_env: list[str], habu) -> None:
    _, out, err = run(capsys, "habu", "cleanrooms", "list", "-o", "json", *habu_env)
    assert habu.credentials["client_secret"] not in out + err


# -- emulate ------------------------------------------------------------------------------------


def test_emulate_serves_the_platform_on_the_port_and_seed_given(capsys, monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(
        "specclient.emulators.serve_forever", lambda platform, **kw: calls.append((platform, kw))
    )
    status, _, _ = run(capsys, "emulate", "usmart", "--port", "8099", "--seed", "3")
    assert status == 0
    # the pace and what the first line announces are passed explicitly (issue 14 item 1)
    assert calls == [
        ("usmart", {"port": 8099, "seed": 3, "pace": 60.0, "announce": {"settings": {}}})
    ]


def test_emulate_announces_habu_polling_at_the_emulator_pace(capsys, monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(
        "specclient.emulators.serve_forever", lambda platform, **kw: calls.append((platform, kw))
    )
    assert run(capsys, "emulate", "habu", "--pace", "600")[0] == 0
    # Habu polls every 300 s of its own time; at 600x that is half a real second
    assert calls[0][1]["announce"] == {"settings": {"poll_interval": 0.5}}
    assert run(capsys, "emulate", "habu", "--pace", "0")[0] == 0
    assert calls[1][1]["announce"] == {"settings": {}}  # a frozen clock: nothing to pace


def test_emulate_unknown_platform_is_a_usage_error(capsys) -> None:
    status, _, err = run(capsys, "emulate", "salesforce")
    assert status == 2
    assert "'salesforce' is not one of 'habu', 'usmart', 'clicdata', 'civis'" in err


# -- progress ------------------------------------------------------------------------------------


def test_progress_is_silent_when_stderr_is_not_a_terminal(capsys, tmp_path) -> None:
    assert list(cli._with_progress(iter(range(5)), "items")) == [0, 1, 2, 3, 4]
    upload = tmp_path / "rows.csv"
    upload.write_bytes(b"a,b\n1,2\n")
    with cli._open_upload(str(upload)) as handle:
        assert handle.read() == b"a,b\n1,2\n"
    assert capsys.readouterr().err == ""


def test_progress_bar_shows_on_a_terminal(capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(cli, "stderr_is_terminal", lambda: True)
    upload = tmp_path / "rows.csv"
    upload.write_bytes(b"x" * 4096)
    with cli._open_upload(str(upload)) as handle:
        assert len(handle.read()) == 4096
    assert "upload" in capsys.readouterr().err


# -- workflows: a platform's multi-call methods are commands too ----------------------------------


@pytest.fixture(scope="module")
def usmart() -> Iterator[Any]:
    with running("usmart", seed=1) as emulator:
        yield emulator


@pytest.fixture
def usmart_env(usmart: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("USMART_API_KEY_ID", usmart.credentials["api_key_id"])
    monkeypatch.setenv("USMART_API_KEY_SECRET", usmart.credentials["api_key_secret"])
    monkeypatch.setenv("USMART_ORG_GUID", usmart.credentials["org_guid"])
    return ["--base-url", usmart.base_url]


def test_workflow_is_listed_with_its_docstring(capsys) -> None:
    status, out, _ = run(capsys, "usmart", "files", "--help")
    assert status == 0
    assert "upload" in out and "Upload a local file as a new file of a dataset." in out
    status, out, _ = run(capsys, "usmart", "files", "upload", "--help")
    assert status == 0
    assert "--dataset-guid TEXT" in out and "--path TEXT" in out
    assert "--progress / --no-progress" in out


def test_upload_workflow_from_the_command_line(capsys, usmart_env: list[str], tmp_path) -> None:
    status, out, _ = run(
        capsys, "usmart", "catalog", "datasets", "--private", "-o", "json", *usmart_env
    )
    assert status == 0
    guid = json.loads(out)[0]["guid"]
    upload = tmp_path / "counts.csv"
    upload.write_text("site,date,count\nRiver Walk,2026-07-01,123\n")
    status, out, err = run(
        capsys,
        "usmart",
        "files",
        "upload",
        "--dataset-guid",
        guid,
        "--path",
        str(upload),
        "-o",
        "json",
        *usmart_env,
    )
    assert status == 0, err
    assert "counts.csv" in out
    assert err == ""  # no progress bar: stderr is not a terminal


def test_workflow_refusing_its_input_is_a_usage_error(capsys, usmart_env, tmp_path) -> None:
    missing = tmp_path / "missing.csv"
    status, _, err = run(
        capsys,
        "usmart",
        "files",
        "upload",
        "--dataset-guid",
        "not-a-guid",
        "--path",
        str(missing),
        *usmart_env,
    )
    assert status == 2  # ParameterError: refused before anything was sent
    assert err == f"error: files.upload(): no such file: '{missing}'\n"


def test_version_needs_no_installed_metadata(capsys) -> None:
    import specclient

    status, out, _ = run(capsys, "--version")
    assert status == 0
    assert out == f"specclient, version {specclient.__version__}\n"


# -- Civis: civis-python's names, pages walked with --all-pages -----------------------------------


def test_civis_tables_all_pages_as_csv(capsys, monkeypatch) -> None:
    with running("civis", seed=1) as civis:
        monkeypatch.setenv("CIVIS_API_KEY", civis.credentials["api_key"])
        status, out, err = run(
            capsys,
            "civis",
            "tables",
            "list",
            "--database-id",
            "1",
            "--all-pages",
            "--limit",
            "2",
            "-o",
            "csv",
            "--base-url",
            civis.base_url,
        )
    assert status == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    names = {f"{row['schema']}.{row['name']}" for row in rows}
    assert {"public.customers", "public.orders"} <= names
    assert len(rows) > 2  # more than one page of 2


# -- --wait: the x-waiter's poll, with a status line only on a terminal ---------------------------


def _ready_question(client: Any) -> Any:
    """A clean-room question READY to run: room, connection, dataset, question, assignment."""
    from specclient.platforms.habu import tutorial_question_details

    room = client.cleanrooms.create(
        name="cli room",
        start_at="2026-01-01",
        type="Hybrid",
        parameters={"REGION": "REGION_US", "CLOUD": "CLOUD_AWS"},
    )
    connection = client.data_connections.create(name="cli conn", category="Ad Exposure")
    dataset = client.cleanroom_datasets.configure(
        room.id, data_connection_id=connection.id, body={"rampIDConsent": False}
    )
    details = tutorial_question_details("cli question")
    details["dataTypes"] = [{"macro": "@exposures", "importDataType": "AdExposure"}]
    question_id = client.create_question(details, cleanroom_id=room.id)
    crq = client.cleanroom_questions.add(room.id, question_id=question_id, is_editable=True)
    client.assign_question_datasets(crq.id, [{"macro": "@exposures", "dataset_id": dataset.id}])
    return crq


def test_wait_option_polls_a_real_run_until_the_waiter_says_done(capsys, monkeypatch) -> None:
    import httpx

    import specclient.platforms

    with running("habu", seed=2) as emu, httpx.Client() as http:
        client = emu.client(progress=False)
        # wait=False: a future on the run; .run is the run record as created
        run_ = client.run_question(_ready_question(client).id, name="cli wait", wait=False).run
        assert run_.status != "COMPLETED"
        sent: list[httpx.Request] = []
        http.event_hooks["request"] = [sent.append]
        connect = specclient.platforms.connect

        def connect_on_the_emulator_clock(platform: str, **options: Any) -> Any:
            # The CLI's own client, polling on the emulator's clock (its sleeps advance it).
            return connect(platform, clock=emu.clock, http=http, **options)

        monkeypatch.setattr(specclient.platforms, "connect", connect_on_the_emulator_clock)
        monkeypatch.setenv("HABU_API_CLIENT", emu.credentials["client_id"])
        monkeypatch.setenv("HABU_API_SECRET", emu.credentials["client_secret"])
        started = emu.clock.monotonic()
        status, out, err = run(
            capsys,
            "habu",
            "cleanroom_question_runs",
            "get",
            run_.id,
            "--wait",
            "-o",
            "json",
            "--base-url",
            emu.base_url,
        )
        waited = emu.clock.monotonic() - started
    assert status == 0, err
    shown = json.loads(out)
    assert shown["id"] == run_.id and shown["status"] == "COMPLETED"
    polls = [r for r in sent if r.url.path.endswith(f"/cleanroom-question-runs/{run_.id}")]
    assert len(polls) >= 2 and {r.method for r in polls} == {"GET"}  # polled until done
    assert waited > 0  # slept between polls, on the emulator's clock
    assert err == ""  # no status line when stderr is not a terminal


@pytest.mark.parametrize("url", ["nonsense", "http://[::1", "ftp://example.com/v1"])
def test_bad_base_url_is_a_usage_error(capsys, url: str) -> None:
    status, _, err = run(capsys, "habu", "cleanrooms", "list", "--base-url", url)
    assert status == 2
    assert f"Invalid value for '--base-url': {url!r}" in err


def test_unexpected_failure_is_one_line_not_a_traceback(capsys, monkeypatch) -> None:
    def broken(platform: str, **options: Any) -> Any:
        raise KeyError("a bug")

    monkeypatch.setattr(cli, "connect", broken)
    monkeypatch.delenv("SPECCLIENT_DEBUG", raising=False)
    status, _, err = run(capsys, "habu", "cleanrooms", "list")
    assert status == 1
    assert err == "error: unexpected KeyError: 'a bug' (set SPECCLIENT_DEBUG=1 for details)\n"


# `specclient emulate` in its own process (first line JSON, then a working server): every
# platform's, in tests/e2e/test_commands_as_written.py.


def test_a_library_error_quoting_a_signed_url_is_redacted(capsys, monkeypatch) -> None:
    def broken(platform: str, **options: Any) -> Any:
        raise RuntimeError("GET https://bucket.example/f.csv?X-Amz-Signature=abc123secret failed")

    monkeypatch.setattr(cli, "connect", broken)
    status, _, err = run(capsys, "habu", "cleanrooms", "list")
    assert status == 1
    assert "abc123secret" not in err
    assert "X-Amz-Signature=***" in err
