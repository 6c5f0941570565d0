"""What one client may cost an emulator (issue 12 item 22): bodies read whole are bounded
(413), slow clients are dropped (408 / a closed connection), and under a low file-descriptor
limit the emulator answers 503 at once instead of leaving clients in the listen queue."""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from specclient.emulators import EmulatorApp, ServerLimits, running_app
from specclient.emulators.core.server import FD_RESERVE, connection_limit

SRC = Path(__file__).resolve().parents[2] / "src"
HANG_GUARD = 20.0  # seconds a socket read may block before the test calls it a hang

DOC = {
    "openapi": "3.0.3",
    "info": {"title": "items", "version": "1"},
    "servers": [{"url": "http://items.example/v1"}],
    "paths": {
        "/items": {
            "get": {"responses": {"200": {"description": "ok"}}},
            "post": {
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"201": {"description": "ok"}},
            },
        }
    },
}


class _Served:
    def __init__(self) -> None:
        self.bodies: list[bytes] = []


@pytest.fixture
def served() -> Iterator[tuple[str, _Served]]:
    app = EmulatorApp(DOC)
    seen = _Served()

    @app.handle("items.post")
    def post(req):  # type: ignore[no-untyped-def]
        seen.bodies.append(req.body())
        return {"size": len(req.body())}

    app.handle("items.list")(lambda req: [])
    limits = ServerLimits(max_body_bytes=1000, idle_timeout=0.3, request_timeout=1.0)
    with running_app(app, limits=limits) as emu:
        yield emu.origin, seen


def _json_body(size: int) -> bytes:
    return b'{"pad": "' + b"x" * (size - 11) + b'"}'


# -- bodies ----------------------------------------------------------------------------------


def test_a_body_within_the_limit_reaches_the_handler(served) -> None:
    origin, seen = served
    body = _json_body(1000)
    reply = httpx.post(
        origin + "/v1/items", content=body, headers={"Content-Type": "application/json"}
    )
    assert reply.status_code == 201
    assert reply.json() == {"size": 1000}
    assert seen.bodies == [body]


def test_a_declared_body_over_the_limit_is_refused_with_413_before_the_handler(served) -> None:
    origin, seen = served
    reply = httpx.post(
        origin + "/v1/items", content=_json_body(5000), headers={"Content-Type": "application/json"}
    )
    assert reply.status_code == 413
    assert reply.json()["message"] == (
        "the request body is larger than this emulator accepts (1000 bytes; it declares 5000 "
        "bytes); raise it with ServerLimits(max_body_bytes=...)"
    )
    assert reply.headers["connection"] == "close"
    assert seen.bodies == []


def test_a_chunked_body_is_refused_once_it_passes_the_limit(served) -> None:
    origin, seen = served

    def chunks() -> Iterator[bytes]:
        yield b'{"pad": "'
        for _ in range(50):
            yield b"x" * 100
        yield b'"}'

    reply = httpx.post(
        origin + "/v1/items", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert reply.status_code == 413
    assert "(1000 bytes; more arrived)" in reply.json()["message"]
    assert seen.bodies == []


def test_the_default_limits_are_documented_values() -> None:
    limits = EmulatorApp(DOC).limits
    assert limits == ServerLimits()
    assert limits.max_body_bytes == 100 * 1024 * 1024
    assert (limits.idle_timeout, limits.request_timeout) == (30.0, 300.0)


# -- slow clients ----------------------------------------------------------------------------


def _connect(origin: str) -> socket.socket:
    host, port = origin.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=HANG_GUARD)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    data = b""
    try:
        while chunk := sock.recv(4096):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def _read_reply(sock: socket.socket) -> bytes:
    """One whole reply (headers, then Content-Length bytes of body) from a kept-open socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(4096)
    return head + b"\r\n\r\n" + body


def test_a_connection_that_sends_nothing_is_answered_408_and_closed(served) -> None:
    origin, _ = served
    with _connect(origin) as sock:
        reply = _read_all(sock)  # the server ends it; a hang would trip HANG_GUARD
    assert reply.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert reply.endswith(b"the request did not arrive in time\r\n")


def test_headers_that_stop_halfway_are_answered_408_and_closed(served) -> None:
    origin, _ = served
    with _connect(origin) as sock:
        sock.sendall(b"GET /v1/items HTTP/1.1\r\nHost: x\r\n")
        reply = _read_all(sock)
    assert reply.startswith(b"HTTP/1.1 408 Request Timeout\r\n")


def test_a_body_trickled_past_the_request_timeout_is_dropped(served) -> None:
    """A byte every 0.1 s never trips the idle limit (0.3 s) but does the total (1 s)."""
    origin, seen = served
    dropped = False
    with _connect(origin) as sock:
        sock.sendall(
            b"POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 900\r\n\r\n{"
        )
        for _ in range(600):  # up to a minute of trickling: far past the limit
            try:
                sock.sendall(b" ")
            except (BrokenPipeError, ConnectionResetError):
                dropped = True
                break
            time.sleep(0.1)
    assert dropped
    assert seen.bodies == []


def test_an_idle_keep_alive_connection_between_requests_is_not_dropped(served) -> None:
    """The idle limit is for a request in progress; between requests uvicorn's keep-alive
    (60 s) decides, so a client reusing its connection sees no spurious reset."""
    origin, _ = served
    request = b"GET /v1/items HTTP/1.1\r\nHost: x\r\n\r\n"
    with _connect(origin) as sock:  # one socket: a client library would reconnect silently
        sock.sendall(request)
        assert _read_reply(sock).startswith(b"HTTP/1.1 200 OK\r\n")
        time.sleep(0.8)  # longer than the idle limit
        sock.sendall(request)
        assert _read_reply(sock).startswith(b"HTTP/1.1 200 OK\r\n")


# -- file descriptors ------------------------------------------------------------------------


def test_the_connection_limit_follows_the_descriptor_limit() -> None:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert connection_limit(ServerLimits()) == soft - FD_RESERVE
    assert connection_limit(ServerLimits(max_connections=5)) == 5
    assert connection_limit(ServerLimits(max_connections=10**9)) == soft - FD_RESERVE


EMULATOR = textwrap.dedent(
    """
    import resource, sys
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))
    from specclient.emulators import serve_forever
    serve_forever("lowfd.items", port=0)
    """
)
PLATFORM = textwrap.dedent(
    f"""
    from specclient.emulators import EmulatorApp
    from specclient.openapi import load

    CREDENTIALS = {{}}

    def build(*, seed, clock, **options):
        app = EmulatorApp(load({DOC!r}, cache=False), clock=clock, seed=seed)
        app.handle("items.list")(lambda req: [])
        return app
    """
)


def test_under_a_low_descriptor_limit_extra_clients_get_503_and_it_recovers(
    tmp_path: Path,
) -> None:
    (tmp_path / "lowfd").mkdir()
    (tmp_path / "lowfd" / "__init__.py").write_text("")
    (tmp_path / "lowfd" / "items.py").write_text(PLATFORM)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(tmp_path)])}
    process = subprocess.Popen(
        [sys.executable, "-c", EMULATOR],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    held: list[socket.socket] = []
    try:
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(process.stdout.readline()))
        reader.start()
        reader.join(60)
        assert line and line[0], process.stderr.read() if process.poll() is not None else ""
        origin = json.loads(line[0])["base_url"].removesuffix("/v1")
        statuses: list[int] = []
        for _ in range(100):  # more than 64 descriptors' worth, each kept open
            sock = _connect(origin)
            held.append(sock)
            sock.sendall(b"GET /v1/items HTTP/1.1\r\nHost: x\r\n\r\n")
            head = _read_reply(sock)  # a hang (the old behaviour) trips HANG_GUARD
            statuses.append(int(head.split(b" ", 2)[1]))
        assert set(statuses) == {200, 503}
        assert statuses.index(503) == 64 - FD_RESERVE - 1  # every connection after the limit
        assert statuses[statuses.index(503) :] == [503] * (100 - statuses.index(503))
        for sock in held:
            sock.close()
        held.clear()
        for _ in range(200):  # the held connections close in the server's own time
            reply = httpx.get(origin + "/v1/items", timeout=HANG_GUARD)
            if reply.status_code == 200:
                break
            time.sleep(0.05)
        assert reply.status_code == 200
        assert reply.json() == []
    finally:
        for sock in held:
            sock.close()
        process.kill()
        process.wait()
        process.stdout.close()
        process.stderr.close()
