"""Every Python example of docs/platforms/*.md, run as written against the emulators (issue 14
item 5).

- The tutorial: every fenced ``python`` block preceded by ``<!-- runnable -->`` runs, in page
  order, in one namespace, with the emulator's URL, credentials and announced settings in the
  platform's environment variables -- the way a reader who exported them would run the page.
- Every other ``python`` block (quick starts, async forms, emulator snippets) runs too, each in
  a namespace of its own that holds only the page's *given* names: the ids and files a reader
  brings (``crq_id``, ``dataset_guid``, ``counts.csv``...), made here against the emulator. A
  block that uses any other name it does not define fails, so a sketch cannot pass for an
  example. Top-level ``await`` runs as in ``python -m asyncio`` or a notebook.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import importlib.util
import inspect
import io
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from specclient.emulators import running

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "platforms"
BLOCK = re.compile(r"(<!-- runnable -->\s*\n)?```python\n(.*?)\n```", re.S)
PACE = 600.0  # a Habu run (660 emulated seconds) ends in about a second


def python_blocks(platform: str) -> list[tuple[bool, str, int]]:
    """(is a tutorial step, code, line) of every ``python`` block of the platform's page."""
    text = (DOCS / f"{platform}.md").read_text(encoding="utf-8")
    return [
        (bool(m.group(1)), m.group(2), text.count("\n", 0, m.start(2)) + 1)
        for m in BLOCK.finditer(text)
    ]


def runnable_blocks(platform: str) -> list[str]:
    return [code for step, code, _ in python_blocks(platform) if step]


def emulator_environment(platform: str, emu: Any) -> dict[str, str]:
    from specclient.cli import paced_settings
    from specclient.platforms import get

    declared = get(platform)
    given = {**emu.credentials, **paced_settings(platform, PACE)}
    env = {declared.base_url_env[0]: emu.base_url}
    for item in (*declared.credentials, *declared.settings):
        name = getattr(item, "argument", None) or getattr(item, "name", "")
        if name in given and item.env:
            env[item.env[0]] = str(given[name])
    return env


# -- what a reader brings to each page: ids of their own, files in the working directory -------


def _habu_ready_question() -> Callable[..., Any]:
    path = ROOT / "tests" / "platforms" / "habu" / "conftest.py"
    spec = importlib.util.spec_from_file_location("habu_test_setup", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_ready_question  # type: ignore[no-any-return]


def _habu(emu: Any, client: Any) -> dict[str, Any]:
    from specclient.emulators.habu import service_account_file

    service_account_file("service_account.json", emu.base_url)
    crq, _ = _habu_ready_question()(client)
    return {"crq_id": crq.id}


def _usmart(emu: Any, client: Any) -> dict[str, Any]:
    dataset = next(d for d in emu.state.datasets.values() if d.access_level == "public")
    api = next(c for c in dataset.containers if c.pipeline_id == "data-api")
    Path("counts.csv").write_text("site,date,count\nCanal Path,2026-07-01,5\n")
    Path("counts_v2.csv").write_text("site,date,count\nCanal Path,2026-07-01,6\n")
    return {
        "dataset_guid": dataset.guid,
        "file_guid": dataset.files[0].guid,
        "api_guid": api.guid,
        "resource_guid": api.guid,
    }


def _clicdata(emu: Any, client: Any) -> dict[str, Any]:
    import pandas as pd

    orders = pd.DataFrame(
        {"region": ["East", "West"], "amount": [10.5, 7.0], "paid": [True, False]}
    )
    sales = next(key for key, table in emu.state.tables.items() if table.name == "Sales")
    for _ in range(3):  # a data set with Data History on and three versions
        client.data.rebuild(sales, method="rebuild")
    return {
        "rec_id": sales,
        "orders": orders,
        "more_orders": orders.assign(amount=[3.0, 4.5]),
        "dashboard_id": next(iter(emu.state.dashboards)),
        "schedule_id": next(iter(emu.state.schedules)),
    }


def _civis(emu: Any, client: Any) -> dict[str, Any]:
    Path("report.csv").write_text("id,total\n1,10\n")
    database = client.get_database_id("redshift-general")
    sql_ids = [
        client.scripts.post_sql(
            name=f"q{n}",
            remote_host_id=database,
            credential_id=client.default_database_credential_id,
            sql="SELECT 1",
        ).id
        for n in range(2)
    ]
    # civis-python's local_api_spec: the API description as JSON, saved beforehand
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the pure-Python one takes seconds
    spec = yaml.load((ROOT / "specs" / "civis.yaml").read_text(encoding="utf-8"), Loader=loader)
    Path("civis_api_spec.json").write_text(json.dumps(spec), encoding="utf-8")
    return {
        "sql_ids": sql_ids,
        "api_key": emu.credentials["api_key"],
        "local_api_spec": "civis_api_spec.json",
    }


GIVEN: dict[str, Callable[[Any, Any], dict[str, Any]]] = {
    "habu": _habu,
    "usmart": _usmart,
    "clicdata": _clicdata,
    "civis": _civis,
}


def _run(code: str, where: str, namespace: dict[str, Any]) -> str:
    """Run one block in ``namespace``; what it printed. Top-level ``await`` is allowed."""
    compiled = compile(code, where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        outcome = eval(compiled, namespace)  # noqa: S307 - the docs' own examples
        if inspect.iscoroutine(outcome):
            asyncio.run(outcome)
    return printed.getvalue()


@pytest.mark.parametrize("platform", ["habu", "usmart", "clicdata", "civis"])
def test_every_python_example_runs_as_written(platform, monkeypatch, tmp_path, model_cache) -> None:
    blocks = python_blocks(platform)
    assert len(runnable_blocks(platform)) >= 3, f"docs/platforms/{platform}.md: too few steps"
    for name in list(os.environ):
        if name.startswith(("HABU_", "USMART_", "CLICDATA_", "CIVIS_", "LIVERAMP_")):
            monkeypatch.delenv(name)
    cache = model_cache.private(tmp_path / "cache")  # parsed models shared, tokens its own
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(cache))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # examples that read or write a file do it here
    with running(platform, seed=1, pace=PACE) as emu:
        for name, value in emulator_environment(platform, emu).items():
            monkeypatch.setenv(name, value)
        with emu.client() as setup:
            given = GIVEN[platform](emu, setup)
        tutorial: dict[str, Any] = {"__name__": f"docs_{platform}"}
        ran = 0
        for step, code, line in blocks:
            where = f"docs/platforms/{platform}.md:{line}"
            namespace = tutorial if step else {"__name__": f"docs_{platform}", **given}
            try:
                _run(code, where, namespace)
            except Exception as exc:
                raise AssertionError(
                    f"{where} failed: {type(exc).__name__}: {exc}\n{code}"
                ) from exc
            ran += 1
            for value in namespace.values():  # clients the example left open
                if not step and hasattr(value, "close") and type(value).__name__.endswith("Client"):
                    value.close()
        client = tutorial.get("client")
        if client is not None and hasattr(client, "close"):
            client.close()
    model_cache.keep(cache)
    assert ran == len(blocks)
