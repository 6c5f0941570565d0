"""``specclient demo``: every platform's workflow on its emulator, with a short report."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

import specclient._demo as demo_module
from specclient.cli import main
from specclient.errors import NotFoundError


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def _summary(out: str) -> dict[str, str]:
    tail = out.split("== summary ==")[1]
    return {
        m.group(1): m.group(2) for m in re.finditer(r"^  (\w+)\s+(ok|failed|skipped)", tail, re.M)
    }


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path, model_cache) -> Iterator[None]:
    cache = model_cache.private(tmp_path / "cache")  # parsed models shared, tokens its own
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(cache))
    monkeypatch.setenv("HOME", str(tmp_path))
    yield
    model_cache.keep(cache)


# The whole demo (all four platforms, its summary and timings) runs as the README's command,
# in its own process: tests/e2e/test_commands_as_written.py::test_readme_demo.


def test_demo_ends_with_where_its_code_is_and_how_to_go_on(capsys) -> None:
    import importlib

    clicdata_demo = importlib.import_module("specclient.platforms.clicdata.demo")
    status, out, _ = run(capsys, "demo", "clicdata", "habu")
    assert status == 0
    after = out.split("== next ==")[1]
    assert "The emulators ran inside this process and have stopped." in after
    assert f"    clicdata  {clicdata_demo.__file__}" in after
    assert (
        '    habu      specclient emulate habu --port 8080  ->  specclient.connect("habu", '
        'base_url="http://127.0.0.1:8080/v1", **info["credentials"], **info["settings"])'
    ) in after
    assert "specclient emulate clicdata --port 8080" in after
    assert "usmart" not in after  # only the platforms that ran


def test_demo_of_one_platform(capsys) -> None:
    status, out, _ = run(capsys, "demo", "clicdata")
    assert status == 0
    assert _summary(out) == {"clicdata": "ok"}
    assert "emulator at http://127.0.0.1:" in out


def test_platform_without_a_demo_is_reported_and_skipped(capsys, monkeypatch) -> None:
    monkeypatch.setattr(demo_module, "_demo_function", lambda platform: None)
    status, out, _ = run(capsys, "demo", "usmart")
    assert status == 0
    assert "skipped: no demo in specclient.platforms yet" in out
    assert _summary(out) == {"usmart": "skipped"}


def test_failing_demo_is_reported_and_exits_1(capsys, monkeypatch) -> None:
    def broken(client: Any, echo: Any) -> None:
        echo("about to fail")
        raise NotFoundError(
            "Dataset not found",
            status_code=404,
            method="GET",
            url="http://127.0.0.1/x?api_key=hidden-value",
        )

    monkeypatch.setattr(demo_module, "_demo_function", lambda platform: broken)
    status, out, _ = run(capsys, "demo", "clicdata", "usmart")
    assert status == 1
    assert "  about to fail" in out
    assert "failed: NotFoundError: 404 Dataset not found" in out
    assert "hidden-value" not in out
    assert _summary(out) == {"clicdata": "failed", "usmart": "failed"}  # carried on to the next


def test_live_demo_without_credentials_exits_1_naming_them(capsys, monkeypatch) -> None:
    for name in ("HABU_API_CLIENT", "HABU_API_SECRET", "HABU_ORGANIZATION"):
        monkeypatch.delenv(name, raising=False)
    status, out, _ = run(capsys, "demo", "--live", "habu")
    assert status == 1
    assert "missing credential 'client_id'" in out
    assert "HABU_API_CLIENT" in out
