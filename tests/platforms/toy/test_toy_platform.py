"""Adding a fifth platform is a spec and one short module (``tests/platforms/toy/``):
connect, the CLI, codegen and the demo pick it up from the registry."""

from __future__ import annotations

import shutil

import httpx
import pytest
from click.testing import CliRunner

import specclient
from specclient import platforms
from specclient.errors import AuthError, ParameterError

from . import PLATFORM, SPEC

NOTES = [{"id": 1, "noteText": "buy milk"}, {"id": 2, "noteText": "call mum"}]


@pytest.fixture
def toy():
    platforms.register(PLATFORM)
    yield PLATFORM
    platforms.unregister("toy")


@pytest.fixture
def seen():
    return []


@pytest.fixture
def transport(seen):
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("X-Toy-Key") != "toy-demo-key":
            return httpx.Response(401, json={"message": "bad key"})
        return httpx.Response(200, json=NOTES)

    return httpx.MockTransport(handle)


def test_the_registry_lists_it_and_connect_builds_its_client(toy, transport, seen):
    assert "toy" in platforms.names()
    client = specclient.connect("toy", api_key="toy-demo-key", http=transport, shouting=True)
    notes = client.notes.list(tag="home")
    assert [n.note_text for n in notes] == ["buy milk", "call mum"]
    [request] = seen
    assert str(request.url) == "https://api.toy.example/v1/notes?tag=home"
    assert request.headers["X-Toy-Key"] == "toy-demo-key"  # the spec's scheme, built for us
    assert client.settings == {"shouting": True}
    assert "toy-demo-key" not in repr(client) + repr(client.auth) + repr(client.options)
    connection = toy.connection({"api_key": "toy-demo-key"}, asynchronous=False)
    assert "toy-demo-key" not in repr(connection)


def test_its_credentials_come_from_the_environment_and_are_required(toy, transport, monkeypatch):
    monkeypatch.setenv("TOY_API_KEY", "toy-demo-key")
    assert len(specclient.connect("toy", http=transport).notes.list()) == 2
    monkeypatch.delenv("TOY_API_KEY")
    with pytest.raises(AuthError, match="missing credential 'api_key'.*TOY_API_KEY"):
        specclient.connect("toy")


def test_its_options_are_checked_before_anything_is_sent(toy, seen, transport):
    with pytest.raises(ParameterError, match="shouting must be True or False"):
        specclient.connect("toy", api_key="k", shouting="yes", http=transport)
    with pytest.raises(ParameterError, match="unknown option 'shout' \\(did you mean"):
        specclient.connect("toy", api_key="k", shout=True, http=transport)
    assert seen == []


async def test_connect_async_is_the_same_declaration(toy):
    async def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=NOTES)

    async with specclient.connect_async(
        "toy", api_key="toy-demo-key", http=httpx.MockTransport(handle)
    ) as client:
        assert [n.id for n in await client.notes.list()] == [1, 2]


def test_the_cli_offers_its_commands(toy, monkeypatch):
    from specclient.cli import cli

    runner = CliRunner()
    listed = runner.invoke(cli, ["--help"])
    assert "Toy notes API" in listed.output
    help_text = runner.invoke(cli, ["toy", "notes", "list", "--help"])
    assert help_text.exit_code == 0 and "--tag" in help_text.output


def test_codegen_renders_its_stubs_from_the_registry(toy, tmp_path):
    from codegen.build import render_bundled

    (tmp_path / "specs").mkdir()
    shutil.copy(SPEC, tmp_path / "specs" / "toy.yaml")
    toy_in_tmp = platforms.register(
        platforms.Platform(**{**vars(toy), "spec": "toy"})  # "specs/toy.yaml" of that root
    )
    assert toy_in_tmp.spec == "toy"
    files = render_bundled(tmp_path)
    assert "def list(" in files["toy.pyi"] and "note_text" in files["toy.pyi"]
    assert 'Literal["toy"], *, api_key: str | None = ...' in files["_package.pyi"]
    assert "shouting: Any = ..." in files["_package.pyi"]


def test_the_demo_runs_its_declared_demo(toy):
    from specclient._demo import _demo_function

    assert _demo_function("toy") is toy.demo
    lines: list[str] = []
    client = specclient.connect(
        "toy",
        api_key="toy-demo-key",
        http=httpx.MockTransport(lambda request: httpx.Response(200, json=NOTES)),
    )
    toy.demo(client, lines.append)
    assert lines == ["2 notes"]


def test_its_emulator_serves_a_client_connected_through_the_registry(toy):
    """``running("toy")`` finds the emulator the declaration names (through the one list of
    platforms); the client ``emu.client()`` makes is ``specclient.connect("toy", ...)``."""
    from specclient.emulators import running

    with running("toy", seed=1) as emu:
        assert emu.credentials == {"api_key": "toy-demo-key"}
        client = emu.client()
        assert [n.note_text for n in client.notes.list(tag="home")] == ["buy milk"]
        assert type(client) is specclient.Client and client.settings == {"shouting": False}
        with pytest.raises(AuthError):
            emu.client(api_key="wrong").notes.list()


def test_specclient_demo_runs_it_against_its_emulator(toy):
    from specclient._demo import run_demo

    lines: list[str] = []
    assert run_demo(["toy"], lines.append, seed=1) is True
    assert "  2 notes" in lines  # the toy's own demo, run on the emulator's client
    assert any(line.split()[:2] == ["toy", "ok"] for line in lines), lines


def test_an_unregistered_platform_has_no_emulator_by_name():
    from specclient.emulators import running

    with (
        pytest.raises(ParameterError, match="unknown platform 'toy'; choose one of habu"),
        running("toy"),
    ):
        pass
