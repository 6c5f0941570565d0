"""End to end, as a newcomer runs it (issue 14, Proof): ``specclient emulate`` in its own
process, and the README's commands and the workflows run by *separate* clients -- other
processes, or this test's own client -- that share nothing with the emulator but its URL.

Nothing here is timed: every wait is bounded (a subprocess timeout, a bounded read of the
emulator's first line) so a hang fails the test instead of stalling the suite.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import specclient

ROOT = Path(__file__).resolve().parents[2]
#: the emulated seconds per real second of the served emulators: a Habu run ends in ~1 s
PACE = "600"
#: seconds any one command may take before the test calls it hung
BOUND = 120


def specclient_argv(words: list[str]) -> list[str]:
    """``specclient ...`` as this interpreter runs the installed entry point."""
    assert words[0] == "specclient"
    return [
        sys.executable,
        "-c",
        "import sys; from specclient.cli import main; sys.exit(main())",
    ] + [*words[1:]]


def base_env(tmp: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HABU_", "USMART_", "CLICDATA_", "CIVIS_"))
    }
    env.update(HOME=str(tmp), SPECCLIENT_CACHE_DIR=str(tmp / "cache"), COLUMNS="200")
    return env


def run(words: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        specclient_argv(words), env=env, capture_output=True, text=True, timeout=BOUND, cwd=ROOT
    )


class Served:
    """``specclient emulate PLATFORM`` in its own process; ``info`` is its first line."""

    def __init__(self, platform: str, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            specclient_argv(["specclient", "emulate", platform, "--port", "0", "--pace", PACE]),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(self.process.stdout.readline()))
        reader.start()
        reader.join(BOUND)
        if not lines or not lines[0].strip():
            self.stop()
            raise AssertionError(f"specclient emulate {platform} printed no first line")
        self.info: dict[str, Any] = json.loads(lines[0])

    def connect(self) -> Any:
        info = self.info
        return specclient.connect(
            info["platform"], base_url=info["base_url"], **info["credentials"], **info["settings"]
        )

    def env(self, base: dict[str, str]) -> dict[str, str]:
        """A user's environment for the CLI: the platform's variables, from the first line."""
        from specclient.platforms import get

        declared = get(self.info["platform"])
        env = dict(base)
        given = {**self.info["credentials"], **self.info["settings"]}
        for item in (*declared.credentials, *declared.settings):
            name = getattr(item, "argument", None) or getattr(item, "name", "")
            if name in given and item.env:
                env[item.env[0]] = str(given[name])
        return env

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(BOUND)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck server
            self.process.kill()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
def env(tmp: Path) -> dict[str, str]:
    return base_env(tmp)


def _served(platform: str, env: dict[str, str]) -> Iterator[Served]:
    served = Served(platform, env)
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture(scope="module")
def habu(env: dict[str, str]) -> Iterator[Served]:
    yield from _served("habu", env)


@pytest.fixture(scope="module")
def civis(env: dict[str, str]) -> Iterator[Served]:
    yield from _served("civis", env)


@pytest.fixture(scope="module")
def usmart(env: dict[str, str]) -> Iterator[Served]:
    yield from _served("usmart", env)


# -- the README's command block, as written ------------------------------------------------------


def readme_commands() -> list[str]:
    """The ``specclient ...`` lines of the README's command-line block, comments removed."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = re.findall(r"^(specclient [^\n#]*?)\s*(?:#.*)?$", text, re.M)
    return [line.strip() for line in lines]


def test_the_readme_shows_the_commands_this_suite_runs() -> None:
    assert readme_commands() == [
        "specclient habu cleanrooms list --output table",
        "specclient civis tables list --database-id 1 --output csv",
        "specclient clicdata data list --help",
        "specclient emulate habu --port 8080",
        "specclient demo",
        "specclient demo --live habu",
    ]


def test_readme_habu_cleanrooms_list(habu: Served, env) -> None:
    with habu.connect() as c:  # a room to list (the emulator starts with none)
        c.cleanrooms.create(
            name="listed room", start_at="2026-01-01", type="Hybrid",
            parameters={"REGION": "REGION_US", "CLOUD": "CLOUD_AWS", "ENABLE_EXPORT": "false"},
        )  # fmt: skip
    user = habu.env(env)
    user["HABU_API"] = habu.info["base_url"]  # where the tutorial's variable points
    done = run(shlex.split(readme_commands()[0]), user)
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    assert re.search(r"\bid\b.*\bname\b", header)
    assert any("listed room" in row for row in rows)


def test_readme_civis_tables_list(civis: Served, env) -> None:
    user = civis.env(env)
    user["CIVIS_API_ENDPOINT"] = civis.info["base_url"]
    done = run(shlex.split(readme_commands()[1]), user)
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    assert header.startswith("id,database_id,schema,name")
    assert "106,1,public,customers" in rows[0]


def test_readme_clicdata_help(env) -> None:
    done = run(shlex.split(readme_commands()[2]), env)
    assert done.returncode == 0
    assert "Usage: specclient clicdata data list [OPTIONS]" in done.stdout


def test_readme_emulate_prints_where_to_connect(env) -> None:
    # as written but on a free port: 8080 may be taken on the machine running the tests
    words = shlex.split(readme_commands()[3].replace("--port 8080", "--port 0"))
    served = Served.__new__(Served)
    served.process = subprocess.Popen(
        specclient_argv(words), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        first = json.loads(served.process.stdout.readline())
    finally:
        served.stop()
    assert first["platform"] == "habu"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", first["base_url"])
    assert set(first["credentials"]) == {"client_id", "client_secret", "organization"}
    assert first["settings"] == {"poll_interval": 5.0}  # 300 s at the default pace of 60


def test_readme_demo(env) -> None:
    done = run(shlex.split(readme_commands()[4]), env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 of 4 workflows ran offline" in done.stdout
    assert "== next ==" in done.stdout


def test_readme_live_demo_without_credentials_names_them(env) -> None:
    done = run(shlex.split(readme_commands()[5]), env)
    assert done.returncode == 1
    assert "HABU_API_CLIENT" in done.stdout + done.stderr


# -- a separate client completes each platform's long work within seconds ----------------------


def test_habu_run_question_against_a_standalone_emulator(habu: Served, env) -> None:
    from specclient.platforms.habu.demo import tutorial_question_details

    c = habu.connect()  # this process: another client than the emulator's
    room = c.cleanrooms.create(
        name="e2e", start_at="2026-01-01", type="Hybrid",
        parameters={"REGION": "REGION_US", "CLOUD": "CLOUD_AWS", "ENABLE_EXPORT": "false"},
    )  # fmt: skip
    connection = c.data_connections.create(
        name="e2e exposures", category="Ad Exposure", data_type={"displayName": "Ad Exposure"}
    )
    fields = c.data_connections.list_field_configurations(connection.id)
    c.data_connections.map_field_configurations(
        connection.id,
        body=[
            {
                "fieldName": f.field_name, "dataType": f.data_type, "isExcluded": False,
                "isPii": False, "isUserIdField": f.field_name == "email_sha256",
                "identifierType": "Hashed Emails" if f.field_name == "email_sha256" else "",
                "delimiter": "",
            }
            for f in fields
        ],
    )  # fmt: skip
    dataset = c.cleanroom_datasets.configure(
        room.id, data_connection_id=connection.id, body={"rampIDConsent": False}
    )
    question = c.create_question(tutorial_question_details(), cleanroom_id=room.id)
    crq = c.cleanroom_questions.add(room.id, question_id=question, is_editable=True)
    c.assign_question_datasets(crq.id, [{"macro": "@exposures", "dataset_id": dataset.id}])
    c.close()

    user = habu.env(env)  # HABU_POLL_INTERVAL from the first line's settings
    user["HABU_API"] = habu.info["base_url"]
    done = run(
        ["specclient", "habu", "run_question", "--cleanroom-question-id", crq.id, "-o", "json"],
        user,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "COMPLETED"


def test_civis_sql_run_against_a_standalone_emulator(civis: Served, env) -> None:
    c = civis.connect()
    script = c.scripts.post_sql(
        name="e2e",
        remote_host_id=c.get_database_id("redshift-general"),
        credential_id=c.default_database_credential_id,
        sql="SELECT 1",
    )
    c.close()
    user = civis.env(env)
    user["CIVIS_API_ENDPOINT"] = civis.info["base_url"]
    words = ["specclient", "civis", "scripts", "run_sql", "--id", str(script.id), "--wait"]
    done = run([*words, "-o", "json"], user)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["state"] == "succeeded"


def test_usmart_refresh_all_against_a_standalone_emulator(usmart: Served, env) -> None:
    c = usmart.connect()
    [dataset] = [d for d in c.catalog.datasets(private=True)["guid"]][:1]
    c.close()
    done = run(
        ["specclient", "usmart", "pipelines", "refresh_all", "--dataset-guid", dataset, "--wait",
         "--echo", "-o", "json", "--base-url", usmart.info["base_url"]],
        usmart.env(env),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    outcomes = json.loads(done.stdout)
    assert outcomes and all(o["ok"] and o["state"] == "processed" for o in outcomes)
    assert all(f"{o['container_guid']}: processed" in done.stderr for o in outcomes)
