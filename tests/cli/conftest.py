"""Running ``specclient`` commands in-process against an emulator whose clock moves on its own
(the CLI's clients are separate from the emulator, as a user's are)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from specclient.cli import main
from specclient.emulators import running

#: emulated seconds per real second: a Habu run (660 emulated s) ends in about a second
PACE = 600.0


def emulator_env(platform: str, emu: Any) -> dict[str, str]:
    """The environment variables a user would set to reach ``emu``: its credentials under the
    platform's declared names, and the settings ``specclient emulate`` announces."""
    from specclient.cli import paced_settings
    from specclient.platforms import get

    declared = get(platform)
    env: dict[str, str] = {}
    for credential in declared.credentials:
        if credential.argument in emu.credentials and credential.env:
            env[credential.env[0]] = str(emu.credentials[credential.argument])
    announced = {**emu.credentials, **paced_settings(platform, PACE)}
    for setting in declared.settings:
        if setting.name in announced and setting.env:
            env[setting.env[0]] = str(announced[setting.name])
    return env


class CLI:
    """``cli("data", "get", ...)`` runs ``specclient <platform> ... --base-url <emulator>``."""

    def __init__(self, platform: str, emu: Any, capsys: pytest.CaptureFixture[str]) -> None:
        self.platform, self.emu, self.capsys = platform, emu, capsys

    def __call__(self, *argv: str, base_url: bool = True) -> tuple[int, str, str]:
        extra = ["--base-url", self.emu.base_url] if base_url else []
        status = main([self.platform, *argv, *extra])
        out, err = self.capsys.readouterr()
        assert "Traceback" not in out + err
        return status, out, err


def _cli(platform: str, request: pytest.FixtureRequest) -> Iterator[CLI]:
    monkeypatch = request.getfixturevalue("monkeypatch")
    tmp_path = request.getfixturevalue("tmp_path")
    capsys = request.getfixturevalue("capsys")
    # the test's own tokens and fetched specs, the process's parsed models (tests/_model_cache.py)
    models = request.getfixturevalue("model_cache")
    cache = models.private(tmp_path / "cache")
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(cache))
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in list(os.environ):
        if name.startswith(("HABU_", "USMART_", "CLICDATA_", "CIVIS_")):
            monkeypatch.delenv(name)
    with running(platform, seed=1, pace=PACE) as emu:
        for name, value in emulator_env(platform, emu).items():
            monkeypatch.setenv(name, value)
        yield CLI(platform, emu, capsys)
    models.keep(cache)


@pytest.fixture
def clicdata_cli(request: pytest.FixtureRequest) -> Iterator[CLI]:
    yield from _cli("clicdata", request)


@pytest.fixture
def usmart_cli(request: pytest.FixtureRequest) -> Iterator[CLI]:
    yield from _cli("usmart", request)


@pytest.fixture
def civis_cli(request: pytest.FixtureRequest) -> Iterator[CLI]:
    yield from _cli("civis", request)


@pytest.fixture
def habu_cli(request: pytest.FixtureRequest) -> Iterator[CLI]:
    yield from _cli("habu", request)
