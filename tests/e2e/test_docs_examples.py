"""The runnable examples of docs/platforms/*.md, run as written against the emulators (issue 14
item 5): every fenced ``python`` block preceded by ``<!-- runnable -->`` runs, in page order, in
one namespace, with the emulator's URL, credentials and announced settings in the platform's
environment variables -- the way a reader who exported them would run the page."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

from specclient.emulators import running

DOCS = Path(__file__).resolve().parents[2] / "docs" / "platforms"
BLOCK = re.compile(r"<!-- runnable -->\s*\n```python\n(.*?)\n```", re.S)
PACE = 600.0  # a Habu run (660 emulated seconds) ends in about a second


def runnable_blocks(platform: str) -> list[str]:
    return BLOCK.findall((DOCS / f"{platform}.md").read_text(encoding="utf-8"))


def emulator_environment(platform: str, emu) -> dict[str, str]:
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


@pytest.mark.parametrize("platform", ["habu", "usmart", "clicdata", "civis"])
def test_every_tutorial_step_runs_as_written(platform, monkeypatch, tmp_path) -> None:
    blocks = runnable_blocks(platform)
    assert len(blocks) >= 3, f"docs/platforms/{platform}.md has too few runnable examples"
    for name in list(os.environ):
        if name.startswith(("HABU_", "USMART_", "CLICDATA_", "CIVIS_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # examples that write a file write it here
    with running(platform, seed=1, pace=PACE) as emu:
        for name, value in emulator_environment(platform, emu).items():
            monkeypatch.setenv(name, value)
        namespace: dict[str, object] = {"__name__": f"docs_{platform}"}
        for number, block in enumerate(blocks, 1):
            printed = io.StringIO()
            try:
                with contextlib.redirect_stdout(printed):
                    exec(
                        compile(block, f"docs/platforms/{platform}.md#{number}", "exec"), namespace
                    )
            except Exception as exc:
                raise AssertionError(
                    f"docs/platforms/{platform}.md runnable example {number} failed: "
                    f"{type(exc).__name__}: {exc}\n{block}"
                ) from exc
        client = namespace.get("client")
        if client is not None and hasattr(client, "close"):
            client.close()
