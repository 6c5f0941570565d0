"""End to end, as a newcomer runs it (issue 14, Proof): ``specclient emulate`` in its own
process, and the README's and docs/cli.md's commands and the workflows run by *separate*
clients -- other processes, or this test's own client -- that share nothing with the emulator
but its URL.

Each platform's emulator is started once for the module. Every command is run as written, in a
process of its own, in a working directory of this module's (the files the docs name are put
there); ``$VARIABLES`` in docs/cli.md are ids made here, expanded as a shell expands them.

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
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

import specclient

ROOT = Path(__file__).resolve().parents[2]
CLI_DOC = ROOT / "docs" / "cli.md"
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
        if not k.startswith(("HABU_", "USMART_", "CLICDATA_", "CIVIS_", "LIVERAMP_"))
    }
    env.update(HOME=str(tmp), SPECCLIENT_CACHE_DIR=str(tmp / "cache"), COLUMNS="200")
    return env


def run(
    words: list[str], env: Mapping[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        specclient_argv(words),
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=BOUND,
        cwd=cwd or ROOT,
    )


def as_written(line: str, variables: Mapping[str, str]) -> list[str]:
    """A documented command line's words, its ``"$VAR"``s expanded as a shell does."""
    words = shlex.split(line, comments=True)
    return [re.sub(r"\$([A-Z_]+)", lambda m: variables[m.group(1)], word) for word in words]


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
        self.first_line = self._first_line(platform)
        self.info: dict[str, Any] = json.loads(self.first_line)

    def _first_line(self, platform: str) -> str:
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(self.process.stdout.readline()))
        reader.start()
        reader.join(BOUND)
        if not lines or not lines[0].strip():
            self.stop()
            raise AssertionError(f"specclient emulate {platform} printed no first line")
        return lines[0]

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
        env[declared.base_url_env[0]] = self.info["base_url"]
        return env

    def set_clock(self, change: dict[str, Any]) -> None:
        """Pace or freeze the emulator's clock (``<base_url>/_emulator/clock``)."""
        reply = httpx.post(self.info["base_url"] + "/_emulator/clock", json=change, timeout=BOUND)
        reply.raise_for_status()

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


@pytest.fixture(scope="module")
def work(tmp: Path) -> Path:
    """The working directory the documented commands run in."""
    (tmp / "work").mkdir()
    return tmp / "work"


def _served(platform: str, env: dict[str, str]) -> Iterator[Served]:
    served = Served(platform, env)
    try:
        yield served
    finally:
        served.stop()


def _in_use(served: Served) -> Iterator[Served]:
    """The emulator's clock moves only while one of this module's tests uses it.

    pytest-xdist may run other modules' tests between this module's (a property run takes
    minutes on a loaded machine). At 600 emulated seconds a second, a Habu token (12 h) would
    expire in 72 s of someone else's test, and with Habu's two tokens a day already issued,
    the next command would be refused.
    """
    served.set_clock({"pace": float(PACE)})
    yield served
    served.set_clock({"freeze": True})


@pytest.fixture(scope="module")
def habu_process(env: dict[str, str]) -> Iterator[Served]:
    yield from _served("habu", env)


@pytest.fixture(scope="module")
def civis_process(env: dict[str, str]) -> Iterator[Served]:
    yield from _served("civis", env)


@pytest.fixture(scope="module")
def usmart_process(env: dict[str, str]) -> Iterator[Served]:
    yield from _served("usmart", env)


@pytest.fixture(scope="module")
def clicdata_process(env: dict[str, str]) -> Iterator[Served]:
    yield from _served("clicdata", env)


@pytest.fixture
def habu(habu_process: Served) -> Iterator[Served]:
    yield from _in_use(habu_process)


@pytest.fixture
def civis(civis_process: Served) -> Iterator[Served]:
    yield from _in_use(civis_process)


@pytest.fixture
def usmart(usmart_process: Served) -> Iterator[Served]:
    yield from _in_use(usmart_process)


@pytest.fixture
def clicdata(clicdata_process: Served) -> Iterator[Served]:
    yield from _in_use(clicdata_process)


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
    out = done.stdout
    assert "Traceback" not in out + done.stderr
    summary = out.split("== summary ==")[1]
    assert {
        m.group(1): m.group(2)
        for m in re.finditer(r"^  (\w+)\s+(ok|failed|skipped)", summary, re.M)
    } == {"habu": "ok", "usmart": "ok", "clicdata": "ok", "civis": "ok"}
    # each platform prints its own short results under its heading
    for heading in ("== habu ==", "== usmart ==", "== clicdata ==", "== civis =="):
        assert heading in out
    assert re.search(r"^  habu\s+ok\s+\d+\.\d\ds$", out, re.M)  # with its timing
    assert re.search(r"^  4 of 4 workflows ran offline in \d+\.\d\ds$", out, re.M)
    assert "== next ==" in out


def test_emulate_clicdata_prints_its_first_line_then_serves(clicdata: Served) -> None:
    info = clicdata.info
    assert info["platform"] == "clicdata"
    assert info["base_url"].startswith("http://127.0.0.1:")
    with specclient.connect("clicdata", base_url=info["base_url"], **info["credentials"]) as c:
        assert c.data.list(return_type="raw").status_code == 200


def test_readme_live_demo_without_credentials_names_them(env) -> None:
    done = run(shlex.split(readme_commands()[5]), env)
    assert done.returncode == 1
    assert "HABU_API_CLIENT" in done.stdout + done.stderr


# -- docs/cli.md, every command as written ------------------------------------------------------


def cli_doc_commands() -> list[str]:
    """Every command of docs/cli.md: the ``$ `` lines of its console blocks and the command
    column of its Python-to-command table, comments removed."""
    text = CLI_DOC.read_text(encoding="utf-8")
    table = re.findall(r"^\| `[^`]*` \| `(specclient [^`]*)`", text, re.M)
    console = [line.split("   #")[0].strip() for line in re.findall(r"^\$ (.*)$", text, re.M)]
    inline = re.findall(r"`(specclient usmart files download [^`]*)`", text)
    return table + console + inline


CLI_DOC_COMMANDS = [
    "specclient habu cleanrooms list",
    "specclient habu cleanrooms create --name Q3 --start-at 2026-01-01 --type Hybrid --parameters"
    ' \'{"REGION": "REGION_US", "CLOUD": "CLOUD_AWS", "ENABLE_EXPORT": "false"}\'',
    'specclient habu cleanrooms get "$ROOM"',
    "specclient civis tables list --database-id 1 --all-pages",
    'specclient habu run_question --cleanroom-question-id "$CRQ" -o json',
    'specclient habu question_results --run-id "$RUN" --to rows.parquet',
    'specclient usmart files upload --dataset-guid "$DATASET" --path counts.csv',
    'specclient usmart pipelines refresh_all --dataset-guid "$DATASET" --wait --echo',
    'specclient usmart pipelines process "$API" --wait -o json',
    'specclient usmart data query --resource-guid "$API" --sort -count --select site,count'
    " --limit 3",
    'specclient clicdata data append --rec-id "$TABLE" --df rows.csv',
    "specclient clicdata schedules trigger 105 --wait",
    'specclient civis scripts run_sql --id "$SCRIPT" --wait',
    "specclient civis get_database_id --database redshift-general",
    "specclient emulate habu --port 8080",
    "curl http://127.0.0.1:8080/v1/_emulator/clock",
    "curl -X POST http://127.0.0.1:8080/v1/_emulator/clock -d '{\"advance\": 600}'",
    "curl -X POST http://127.0.0.1:8080/v1/_emulator/clock -d '{\"pace\": 600}'",
    "curl -X POST http://127.0.0.1:8080/v1/_emulator/clock -d '{\"freeze\": true}'",
    "specclient demo",
    'specclient usmart files download --resource-guid "$FILE" > data.csv',
]


def test_docs_cli_shows_the_commands_this_suite_runs() -> None:
    assert cli_doc_commands() == CLI_DOC_COMMANDS


def _doc(number: int, **variables: str) -> list[str]:
    return as_written(CLI_DOC_COMMANDS[number], variables)


def test_docs_cli_table_commands(habu: Served, civis: Served, env, work) -> None:
    user = habu.env(env)
    done = run(_doc(1), {**user}, work)  # create, its parameters as JSON
    assert done.returncode == 0, done.stderr
    room = json.loads(done.stdout)
    assert (room["name"], room["cleanRoomTypeId"]) == ("Q3", "Hybrid")  # the wire's names
    done = run(_doc(2, ROOM=room["id"]), user, work)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["displayId"] == room["displayId"]
    done = run(_doc(0), user, work)
    assert done.returncode == 0, done.stderr
    assert room["id"] in {r["id"] for r in json.loads(done.stdout)}
    done = run(_doc(3), civis.env(env), work)
    assert done.returncode == 0, done.stderr
    assert [(t["schema"], t["name"]) for t in json.loads(done.stdout)][:1] == [
        ("public", "customers")
    ]


def _ready_question(habu: Served) -> str:
    """A clean-room question ready to run, made by this process's own client."""
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
    return str(crq.id)


def test_habu_run_question_and_results_against_a_standalone_emulator(habu, env, work) -> None:
    crq = _ready_question(habu)
    user = habu.env(env)  # HABU_POLL_INTERVAL from the first line's settings
    done = run(_doc(4, CRQ=crq), user, work)
    assert done.returncode == 0, done.stderr
    finished = json.loads(done.stdout)
    assert finished["status"] == "COMPLETED"
    done = run(_doc(5, RUN=finished["id"]), user, work)
    assert done.returncode == 0, done.stderr
    import pandas as pd

    frame = pd.read_parquet(work / "rows.parquet")
    assert len(frame) > 0 and {"segment", "reach"} <= set(frame.columns)


def test_usmart_workflows_against_a_standalone_emulator(usmart: Served, env, work) -> None:
    c = usmart.connect()
    dataset = c.catalog.datasets(private=True)["guid"].iloc[0]
    view = c.datasets.get(dataset)
    api = next(x for x in view["resource_containers"] if x["pipeline_id"] == "data-api")
    api = api["resource_container_guid"]
    c.close()
    user = usmart.env(env)
    (work / "counts.csv").write_text("site,date,count\nCanal Path,2026-07-01,5\n")
    done = run(_doc(6, DATASET=dataset), user, work)
    assert done.returncode == 0, done.stderr
    uploaded = json.loads(done.stdout)
    assert (uploaded["fileName"], uploaded["fileSize"]) == ("counts.csv", 40)  # the wire's

    done = run(_doc(7, DATASET=dataset), user, work)  # refresh_all --wait --echo
    assert done.returncode == 0, done.stderr
    outcomes = json.loads(done.stdout)
    assert outcomes and all(o["ok"] and o["state"] == "processed" for o in outcomes)
    assert all(f"{o['container_guid']}: processed" in done.stderr for o in outcomes)

    done = run(_doc(8, API=api), user, work)  # process one pipeline, --wait
    assert done.returncode == 0, done.stderr
    processed = json.loads(done.stdout)
    assert (processed["resourceContainerGUID"], processed["state"]) == (api, "processed")

    done = run(_doc(9, API=api), user, work)  # query, sorted and selected
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [sorted(r) for r in rows] == [["count", "site", "usmart_id"]] * 3
    assert [r["count"] for r in rows] == sorted((r["count"] for r in rows), reverse=True)

    # a download, byte for byte, to a file by the shell's redirection
    words = as_written(CLI_DOC_COMMANDS[20].split(" > ")[0], {"FILE": uploaded["fileGUID"]})
    with open(work / "data.csv", "wb") as target:
        done = subprocess.run(
            specclient_argv(words), env=user, cwd=work, stdout=target, stderr=subprocess.PIPE,
            timeout=BOUND,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (work / "data.csv").read_bytes() == (work / "counts.csv").read_bytes()


def test_clicdata_workflows_against_a_standalone_emulator(clicdata: Served, env, work) -> None:
    import pandas as pd

    with clicdata.connect() as c:
        table = c.data.create_from_dataframe("e2e rows", pd.DataFrame({"a": [0], "b": ["z"]}))
    (work / "rows.csv").write_text("a,b\n1,x\n2,y\n")
    user = clicdata.env(env)
    done = run(_doc(10, TABLE=str(table)), user, work)
    assert (done.returncode, done.stdout.strip()) == (0, "2"), done.stderr
    with clicdata.connect() as c:
        assert c.data.get(table)[["a", "b"]].values.tolist() == [[0, "z"], [1, "x"], [2, "y"]]
    done = run(_doc(11), user, work)  # schedules trigger 105 --wait
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "Completed"


def test_civis_sql_run_against_a_standalone_emulator(civis: Served, env, work) -> None:
    c = civis.connect()
    script = c.scripts.post_sql(
        name="e2e",
        remote_host_id=c.get_database_id("redshift-general"),
        credential_id=c.default_database_credential_id,
        sql="SELECT 1",
    )
    c.close()
    user = civis.env(env)
    done = run(_doc(12, SCRIPT=str(script.id)), user, work)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["state"] == "succeeded"
    done = run(_doc(13), user, work)
    assert (done.returncode, done.stdout) == (0, "1\n"), done.stderr


def test_docs_cli_emulate_line_and_connect_snippet(habu: Served) -> None:
    # the emulate command is the README's, run there; its first line has the keys shown here
    assert CLI_DOC_COMMANDS[14] == readme_commands()[3]
    text = CLI_DOC.read_text(encoding="utf-8")
    shown = json.loads(re.search(r"^(\{\"platform\": \"habu\".*)$", text, re.M).group(1))
    assert set(shown) <= set(habu.info) and set(shown["credentials"]) == set(
        habu.info["credentials"]
    )
    [snippet] = re.findall(r"```python\n(info = json.loads\(first_line\).*?)```", text, re.S)
    namespace: dict[str, Any] = {"json": json, "specclient": specclient}
    namespace["first_line"] = habu.first_line
    exec(compile(snippet, "docs/cli.md", "exec"), namespace)  # noqa: S102 - the doc's own
    with namespace["client"] as client:
        assert client.cleanrooms.list() is not None  # connected, with the announced settings
        assert client.settings["poll_interval"] == habu.info["settings"]["poll_interval"]


def test_docs_cli_clock_over_http(habu: Served) -> None:
    port = habu.info["base_url"].split(":")[2].split("/")[0]

    def curl(number: int) -> Any:
        words = shlex.split(CLI_DOC_COMMANDS[number].replace(":8080/", f":{port}/"))
        done = subprocess.run(words, capture_output=True, text=True, timeout=BOUND)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    read = curl(15)
    assert set(read) == {"time", "now", "pace"} and read["pace"] == float(PACE)
    jumped = curl(16)
    assert jumped["time"] >= read["time"] + 600
    assert curl(17)["pace"] == 600.0
    frozen = curl(18)
    assert frozen["pace"] == 0.0 and curl(15)["time"] == frozen["time"]
    # the next test to use it sets its pace again (the habu fixture)


def test_docs_cli_demo_is_the_readmes(env) -> None:
    assert CLI_DOC_COMMANDS[19] == readme_commands()[4]  # run by test_readme_demo
