"""Serving emulators: running(), clean shutdown, and serve_forever's first line in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import httpx
import pytest

from specclient.emulators import EmulatorClock, running, running_app
from specclient.emulators.core.server import bind_socket
from specclient.errors import ParameterError

SRC = Path(__file__).resolve().parents[2] / "src"

# A complete platform emulator module, as a user or a platform engineer would write one.
PLATFORM_MODULE = textwrap.dedent(
    """
    from specclient.emulators import EmuError, EmulatorApp
    from specclient.openapi import load

    CREDENTIALS = {"api_key": "demo-key"}
    DOC = {
        "openapi": "3.0.3",
        "info": {"title": "pets", "version": "1"},
        "servers": [{"url": "https://pets.example.com/v2"}],
        "paths": {"/pets": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }

    def build(*, seed, clock, api_key=CREDENTIALS["api_key"], **options):
        app = EmulatorApp(load(DOC, cache=False), clock=clock, seed=seed)

        def authenticate(req):
            if req.headers.get("x-key") != api_key:
                raise EmuError(401, "wrong key")

        app.authenticate = authenticate
        app.handle("pets.list")(lambda req: [{"seed": seed, "options": options}])
        return app
    """
)


@pytest.fixture
def platform_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    package = tmp_path / "myemus"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "petstore.py").write_text(PLATFORM_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def _emulator_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("specclient-emulator")]


def test_running_builds_the_platform_and_merges_credential_options(platform_dir):
    with running("myemus.petstore", seed=5, api_key="k2", extra=1) as emu:
        assert emu.base_url == f"http://127.0.0.1:{emu.port}/v2"
        assert emu.credentials == {"api_key": "k2"}
        response = httpx.get(emu.base_url + "/pets", headers={"X-Key": "k2"})
        refused = httpx.get(emu.base_url + "/pets", headers={"X-Key": "demo-key"})
    assert response.json() == [{"seed": 5, "options": {"extra": 1}}]
    assert refused.status_code == 401


def test_running_defaults_to_the_modules_credentials(platform_dir):
    with running("myemus.petstore") as emu:
        assert emu.credentials == {"api_key": "demo-key"}
        assert emu.app.credentials == {"api_key": "demo-key"}


def test_unknown_platform_is_refused_naming_the_choices():
    refused = pytest.raises(ParameterError, match=r"unknown platform 'nosuch'; choose one of habu")
    with refused, running("nosuch"):
        pass


def test_server_stops_and_its_thread_ends_even_when_the_block_raises(platform_dir):
    with pytest.raises(RuntimeError, match="boom"), running("myemus.petstore") as emu:
        port = emu.port
        raise RuntimeError("boom")
    assert _emulator_threads() == []
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/v2/pets")


def test_repeated_start_and_stop_leaks_no_threads(platform_dir):
    before = threading.active_count()
    for _ in range(5):
        with running("myemus.petstore") as emu, httpx.Client() as client:
            client.get(emu.base_url + "/pets", headers={"X-Key": "demo-key"})
    assert _emulator_threads() == []
    assert threading.active_count() == before


def test_two_emulators_run_side_by_side_on_different_ports(platform_dir):
    shared = EmulatorClock()
    with (
        running("myemus.petstore", seed=1, clock=shared) as one,
        running("myemus.petstore", seed=2, clock=shared) as two,
    ):
        assert one.port != two.port
        assert one.clock is two.clock is shared
        seeds = [
            httpx.get(e.base_url + "/pets", headers={"X-Key": "demo-key"}).json()[0]["seed"]
            for e in (one, two)
        ]
    assert seeds == [1, 2]


def test_a_fixed_port_is_honoured(platform_dir):
    probe = bind_socket()
    port = probe.getsockname()[1]
    probe.close()
    with running("myemus.petstore", port=port) as emu:
        assert emu.port == port
        assert emu.base_url == f"http://127.0.0.1:{port}/v2"


def test_listening_socket_disables_nagle():
    # Without TCP_NODELAY every reply waits ~40 ms for the client's delayed ACK.
    sock = bind_socket()
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        sock.close()


def test_emulator_repr_and_attributes_name_no_secret(platform_dir):
    with running("myemus.petstore", api_key="s3cret-value") as emu:
        assert "s3cret" not in repr(emu)
        assert "s3cret" not in repr(emu.app)
        assert emu.clock is emu.app.clock
        assert emu.faults is emu.app.faults
        assert emu.state is emu.app.state


def test_running_app_serves_a_hand_built_app_with_given_credentials(platform_dir):
    from myemus.petstore import build

    app = build(seed=0, clock=EmulatorClock(), api_key="x")
    with running_app(app, credentials={"api_key": "x"}) as emu:
        assert emu.platform is None
        assert emu.credentials == {"api_key": "x"}
        assert httpx.get(emu.base_url + "/pets", headers={"X-Key": "x"}).status_code == 200


def _read_line(stream, timeout: float) -> str:
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    assert line, f"no first line within {timeout} s"
    return line[0]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_serve_forever_prints_one_json_line_then_serves_until_signalled(platform_dir, stop):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(platform_dir)])}
    code = (
        "from specclient.emulators import serve_forever; "
        "serve_forever('myemus.petstore', port=0, seed=4, api_key='cli-key')"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        info = json.loads(_read_line(process.stdout, 30))
        assert set(info) == {"platform", "base_url", "credentials"}
        assert info["platform"] == "myemus.petstore"
        assert info["credentials"] == {"api_key": "cli-key"}
        assert info["base_url"].startswith("http://127.0.0.1:")
        assert info["base_url"].endswith("/v2")
        response = httpx.get(info["base_url"] + "/pets", headers={"X-Key": "cli-key"}, timeout=10)
        assert response.json() == [{"seed": 4, "options": {}}]
        process.send_signal(stop)
        process.wait(timeout=10)
        stderr = process.stderr.read()
        assert "Traceback" not in stderr
        # SIGINT ends quietly; uvicorn re-raises SIGTERM after its graceful shutdown.
        assert process.returncode in (0, -signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()
