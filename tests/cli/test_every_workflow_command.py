"""Every workflow command of every platform, run (issue 14 item 6, Proof: "CLI tests for every
workflow command: exit status, output in each format, and to a file").

Each case names the arguments a user gives (ids made here, against one emulator per platform
whose clock moves on its own, as ``specclient emulate``'s does) and what its JSON answer must
hold. Each command then prints in every format: ``csv`` has the JSON's rows under a header,
``table`` as many lines, and ``--to`` writes those rows to a file. A workflow discovered without
a case here fails the coverage test, so a new workflow comes with its command's test.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from specclient.cli import main
from specclient.emulators import running

sys.path.insert(0, str(Path(__file__).parent))
from conftest import PACE, emulator_env  # noqa: E402  (tests/cli is no package)

HABU_CONFTEST = Path(__file__).resolve().parents[1] / "platforms" / "habu" / "conftest.py"

Case = tuple[list[str], Callable[[Any], bool]]


class Served:
    """One emulator for the module, and the ids its cases use (``made``)."""

    def __init__(self, platform: str, emu: Any, work: Path) -> None:
        self.platform, self.emu, self.work = platform, emu, work
        self.made: dict[str, Any] = {}

    def __call__(self, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
        status = main([self.platform, *argv, "--base-url", self.emu.base_url])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return status, out, err


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Served]]:
    work = tmp_path_factory.mktemp("workflow-commands")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPECCLIENT_CACHE_DIR", str(work / "cache"))
        patch.setenv("HOME", str(work))
        patch.chdir(work)
        for name in list(os.environ):
            if name.startswith(("HABU_", "USMART_", "CLICDATA_", "CIVIS_", "LIVERAMP_")):
                patch.delenv(name)
        out: dict[str, Served] = {}
        emus = [running(p, seed=1, pace=PACE) for p in ("habu", "usmart", "clicdata", "civis")]
        try:
            for emu in emus:
                started = emu.__enter__()
                platform = started.platform
                for key, value in emulator_env(platform, started).items():
                    patch.setenv(key, value)
                out[platform] = Served(platform, started, work)
                SETUP[platform](out[platform])
            yield out
        finally:
            for emu in reversed(emus):
                emu.__exit__(None, None, None)


# -- what each platform's cases need, made through the Python client --------------------------


def _habu_setup(s: Served) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("habu_setup", HABU_CONFTEST)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    client = s.emu.client(progress=False)
    crq, room = module.make_ready_question(client)
    run = client.run_question(crq.id, name="listed run")
    flow = client.cleanroom_flows.create(room.id, flow_name="f", nodes=[{"nodeIdentifier": crq.id}])
    flow_run = client.run_flow(room.id, flow.flow_id, name="flow run")
    node = client.cleanroom_flow_runs.list_output_nodes(room.id, flow_run.id)[0].node.id
    dataset = client.cleanroom_datasets.list(room.id)[0]
    from specclient.platforms.habu import tutorial_question_details

    (s.work / "question.json").write_text(json.dumps(tutorial_question_details("cli q")))
    s.made.update(
        crq=crq.id, room=room.id, run=run.id, flow=flow.flow_id, flow_run=flow_run.id,
        node=node, dataset=dataset.id,
    )  # fmt: skip


def _usmart_setup(s: Served) -> None:
    dataset = next(d for d in s.emu.state.datasets.values() if d.access_level == "public")
    (s.work / "counts.csv").write_text("site,date,count\nCanal Path,2026-07-01,5\n")
    s.made.update(
        usmart_dataset=dataset.guid,
        file=dataset.files[0].guid,
        api=next(c.guid for c in dataset.containers if c.pipeline_id == "data-api"),
    )


def _clicdata_setup(s: Served) -> None:
    client = s.emu.client()
    table = client.data.create_from_dataframe(
        "cli table", pd.DataFrame({"city": ["Lyon", "Oslo", "Lima"], "visits": [1, 2, 3]})
    )
    sales = next(k for k, t in s.emu.state.tables.items() if t.name == "Sales")
    client.data.rebuild(sales, method="rebuild")  # a version in its Data History
    (s.work / "rows.csv").write_text("city,visits\nRome,4\n")
    s.made.update(
        table=table,
        sales=sales,
        dashboard=next(iter(s.emu.state.dashboards)),
        schedule=next(iter(s.emu.state.schedules)),
    )


def _civis_setup(s: Served) -> None:
    client = s.emu.client()
    container = client.scripts.post_containers(
        required_resources={"cpu": 256, "memory": 512},
        docker_image_name="busybox",
        name="cli",
        docker_command="echo hi",
    )
    sql = client.scripts.post_sql(
        name="cli",
        remote_host_id=client.get_database_id("redshift-general"),
        credential_id=client.default_database_credential_id,
        sql="SELECT 1",
    )
    credential = client.credentials.get(client.default_database_credential_id)
    s.made.update(container=container.id, sql=sql.id, username=credential.username)


SETUP: dict[str, Callable[[Served], None]] = {
    "habu": _habu_setup,
    "usmart": _usmart_setup,
    "clicdata": _clicdata_setup,
    "civis": _civis_setup,
}


# -- the cases: (platform, command) -> (arguments, what the JSON answer holds) -----------------


def _rows(payload: Any) -> bool:
    return isinstance(payload, list) and len(payload) > 0 and isinstance(payload[0], dict)


def cases(m: dict[str, Any]) -> dict[tuple[str, str], Case]:
    """The cases, given the ids the set-up made (``m``)."""
    return {
        ("habu", "cleanroom_question_runs get_data"): (
            [m["run"]],
            lambda r: r["count"] >= len(r["stats"]) > 0,  # stats: a page of the rows
        ),
        ("habu", "question_result_batches"): (["--run-id", m["run"]], _rows),
        ("habu", "create_question_run"): (
            ["--cleanroom-question-id", m["crq"], "--name", "from the cli"],
            lambda r: r["name"] == "from the cli",
        ),
        ("habu", "find_question_run"): (
            ["--cleanroom-question-id", m["crq"], "--name", "listed run"],
            lambda r: r is not None and r["id"] == m["run"],
        ),
        ("habu", "wait_for_question_run"): (
            ["--run-id", m["run"]],
            lambda r: r["status"] == "COMPLETED",
        ),
        ("habu", "run_question"): (
            ["--cleanroom-question-id", m["crq"]],
            lambda r: r["status"] == "COMPLETED",
        ),
        ("habu", "question_results"): (["--run-id", m["run"]], _rows),
        ("habu", "create_question"): (
            ["--question-details", "@question.json", "--cleanroom-id", m["room"]],
            lambda r: isinstance(r, str) and len(r) == 36,  # the new question's UUID
        ),
        ("habu", "assign_question_datasets"): (
            [
                "--cleanroom-question-id",
                m["crq"],
                "--datasets",
                json.dumps([{"macro": "@exposures", "dataset_id": m["dataset"]}]),
            ],
            lambda r: r is None or isinstance(r, dict | list),
        ),  # fmt: skip
        ("habu", "run_flow"): (
            ["--cleanroom-id", m["room"], "--flow-id", m["flow"]],
            lambda r: r["status"] == "COMPLETED",
        ),
        ("habu", "flow_report"): (
            ["--cleanroom-id", m["room"], "--flow-run-id", m["flow_run"], "--node", m["node"]],
            _rows,
        ),
        ("usmart", "datasets get"): (
            [m["usmart_dataset"]],
            lambda r: [f["fileGUID"] for f in r["files"]][:1] == [m["file"]],
        ),
        ("usmart", "files upload"): (
            ["--dataset-guid", m["usmart_dataset"], "--path", "counts.csv"],
            lambda r: (r["fileName"], r["revision"]) == ("counts.csv", 1),
        ),
        ("usmart", "files update_revision"): (
            ["--file-guid", m["file"], "--path", "counts.csv"],
            lambda r: r["fileGUID"] == m["file"] and r["revision"] >= 2,
        ),
        ("usmart", "files table"): ([m["file"]], _rows),
        ("usmart", "pipelines create"): (
            ["--dataset-guid", m["usmart_dataset"], "--pipeline-id", "download-json"],
            lambda r: r["pipelineId"] == "download-json",
        ),
        ("usmart", "pipelines process"): (
            [m["api"], "--wait"],
            lambda r: (r["resourceContainerGUID"], r["state"]) == (m["api"], "processed"),
        ),
        ("usmart", "pipelines refresh_all"): (
            ["--dataset-guid", m["usmart_dataset"], "--wait"],
            lambda r: _rows(r) and all(o["ok"] for o in r),
        ),
        ("usmart", "pipelines wait"): (
            ["--dataset-guid", m["usmart_dataset"], "--container-guid", m["api"]],
            lambda r: r["state"] == "processed",
        ),
        ("usmart", "catalog datasets"): ([], lambda r: _rows(r) and "guid" in r[0]),
        ("usmart", "data query"): (
            ["--resource-guid", m["api"], "--limit", "3"],
            lambda r: _rows(r) and len(r) == 3,
        ),
        ("clicdata", "data describe"): (
            [str(m["table"])],
            lambda r: [c["name"] for c in r["columns"]][:2] == ["city", "visits"],
        ),
        ("clicdata", "data get"): (
            [str(m["table"])],
            lambda r: [row["city"] for row in r][:3] == ["Lyon", "Oslo", "Lima"],
        ),
        ("clicdata", "data history"): ([str(m["sales"])], _rows),
        ("clicdata", "data row_count"): ([str(m["sales"])], lambda r: isinstance(r, int) and r > 0),
        ("clicdata", "data create_from_dataframe"): (
            ["--name", "from the cli ({fmt})", "--df", "rows.csv"],  # a new name each time
            lambda r: isinstance(r, int),
        ),
        ("clicdata", "data append"): (
            [str(m["table"]), "--df", "rows.csv"],
            lambda r: r == 1,
        ),
        ("clicdata", "data rebuild"): (
            [str(m["sales"]), "--method", "rebuild"],
            lambda r: True,  # the rebuild's answer, printed; the exit status is the check
        ),
        ("clicdata", "data iter_batches"): (
            [str(m["table"])],
            lambda r: [row["city"] for row in r][:3] == ["Lyon", "Oslo", "Lima"],
        ),
        ("clicdata", "tables refresh"): (
            [str(m["sales"]), "rebuild", "--wait"],
            lambda r: isinstance(r, dict) and r.get("id") == m["sales"],  # the data set, refreshed
        ),
        ("clicdata", "data delete_rows"): (
            [str(m["table"]), "--filters", '{"city": "Rome"}'],
            lambda r: isinstance(r, int),
        ),
        ("clicdata", "data update_rows"): (
            [str(m["table"]), "--filters", '{"city": "Oslo"}', "--values", '{"visits": 20}'],
            lambda r: r == 1,
        ),
        ("clicdata", "dashboards thumbnail"): ([str(m["dashboard"])], None),  # bytes
        ("clicdata", "dashboards snapshot"): ([str(m["dashboard"])], None),
        ("clicdata", "schedules trigger"): (
            [str(m["schedule"]), "--wait"],
            lambda r: r["status"] == "Completed",
        ),
        ("civis", "jobs run"): (
            [str(m["container"]), "--wait"],
            lambda r: r["state"] == "succeeded",
        ),
        ("civis", "scripts run_containers"): (
            ["--id", str(m["container"]), "--wait"],
            lambda r: r["state"] == "succeeded",
        ),
        ("civis", "scripts run_sql"): (
            ["--id", str(m["sql"]), "--wait"],
            lambda r: r["state"] == "succeeded",
        ),
        ("civis", "get_database_id"): (["--database", "redshift-general"], lambda r: r == 1),
        ("civis", "get_database_credential_id"): (
            ["--username", m["username"], "--database-name", "redshift-general"],
            lambda r: isinstance(r, int),
        ),
        ("civis", "get_aws_credential_id"): (["--cred-name", "demo-aws"], lambda r: r == 103),
        ("civis", "get_table_id"): (
            ["--table", "public.customers", "--database", "redshift-general"],
            lambda r: r == 106,
        ),
        ("civis", "get_storage_host_id"): (["--storage-host", "s3"], lambda r: r == 1000),
        ("civis", "get_username"): ([], lambda r: r == "demo-user"),
        ("civis", "get_default_database_credential_id"): ([], lambda r: isinstance(r, int)),
    }


def _discovered() -> set[tuple[str, str]]:
    from specclient._cli_commands import CLIENT, workflow_methods
    from specclient.cli import _resource_classes
    from specclient.platforms import names

    found = set()
    for platform in names():
        for resource, cls in _resource_classes(platform).items():
            for name in workflow_methods(cls):
                found.add((platform, name if resource == CLIENT else f"{resource} {name}"))
    return found


_IDS = [
    "run",
    "crq",
    "room",
    "flow",
    "flow_run",
    "node",
    "dataset",
    "usmart_dataset",
    "file",
    "api",
]
_NUMBERS = ["table", "sales", "dashboard", "schedule", "container", "sql"]
ALL = sorted(cases({**dict.fromkeys(_IDS, "x"), **dict.fromkeys(_NUMBERS, 1), "username": "u"}))


def _in(argv: list[str], fmt: str) -> list[str]:
    """The arguments for one format's run (``{fmt}`` makes a name new for each run)."""
    return [word.replace("{fmt}", fmt) for word in argv]


#: commands that do not work yet, each with the reason (strict: fixing one fails its xfail)
KNOWN_BROKEN: dict[tuple[str, str], str] = {}


def test_every_discovered_workflow_command_has_a_case() -> None:
    assert set(ALL) == _discovered()


@pytest.mark.parametrize(
    ("platform", "command"),
    [
        pytest.param(*case, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BROKEN[case]))
        if case in KNOWN_BROKEN
        else case
        for case in ALL
    ],
    ids=lambda v: str(v).replace(" ", "."),
)
def test_the_command_in_each_format(served, platform, command, capsys) -> None:
    s = served[platform]
    made = {key: value for each in served.values() for key, value in each.made.items()}
    argv, holds = cases(made)[(platform, command)]
    words = command.split()
    if holds is None:  # a binary answer: its bytes to stdout as they are
        written = io.BytesIO()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sys, "stdout", io.TextIOWrapper(written))
            status = main([platform, *words, *argv, "--base-url", s.emu.base_url])
            sys.stdout.flush()
            image = written.getvalue()
        assert status == 0, capsys.readouterr().err
        assert image.startswith(b"\x89PNG\r\n\x1a\n")  # an image, whole
        return
    status, out, err = s(capsys, *words, *_in(argv, "json"), "-o", "json")
    assert status == 0, err
    payload = json.loads(out)
    assert holds(payload), payload
    rows = payload if _rows(payload) else None
    status, out, err = s(capsys, *words, *_in(argv, "csv"), "-o", "csv")
    assert status == 0, err
    if rows is not None:
        read = list(csv.DictReader(io.StringIO(out)))
        assert len(read) == len(rows) and set(read[0]) == set(rows[0])
        status, out, err = s(capsys, *words, *_in(argv, "table"), "-o", "table")
        assert status == 0, err
        assert len(out.splitlines()) == len(rows) + 1  # a header, then a line per row
        target = s.work / f"{platform}-{command.replace(' ', '-')}.csv"
        status, _, err = s(capsys, *words, *_in(argv, "to"), "--to", str(target))
        assert status == 0, err
        assert len(pd.read_csv(target)) == len(rows)
    else:
        assert out.strip()  # one value or one object: printed, not a repr
        assert "object at 0x" not in out
