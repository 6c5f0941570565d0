"""A loopback HTTP server that records each request exactly as it arrived, and spec builders.

The server reads the raw bytes off the socket (request target, header lines, body, with
chunked transfer decoded), so tests assert what a real server would see, not what httpx
objects say they hold.
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import specclient


@dataclass
class Raw:
    method: str
    target: str  # path and query exactly as sent
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        found = [v for k, v in self.headers if k.lower() == name.lower()]
        return found[0] if found else None

    def header_all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]


@dataclass
class Wire:
    base_url: str
    requests: list[Raw] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answers to give first, then 200s

    @property
    def last(self) -> Raw:
        return self.requests[-1]


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        while True:
            line = self.rfile.readline()
            if not line:
                return
            method, target, _ = line.decode("latin-1").split(" ", 2)
            headers: list[tuple[str, str]] = []
            while True:
                header = self.rfile.readline().decode("latin-1").rstrip("\r\n")
                if not header:
                    break
                name, _, value = header.partition(":")
                headers.append((name, value.strip()))
            lowered = {k.lower(): v for k, v in headers}
            if lowered.get("transfer-encoding", "").lower() == "chunked":
                body = b""
                while True:
                    size_line = self.rfile.readline()
                    if not size_line:  # the client went away mid-body (a cancelled stream)
                        return
                    size = int(size_line.strip().split(b";")[0], 16)
                    chunk = self.rfile.read(size + 2)[:size]
                    if size == 0:
                        break
                    body += chunk
            else:
                body = self.rfile.read(int(lowered.get("content-length", "0")))
            self.server.wire.requests.append(Raw(method, target, headers, body))  # type: ignore[attr-defined]
            wire = self.server.wire  # type: ignore[attr-defined]
            status = wire.statuses.pop(0) if wire.statuses else 200
            reply = b"{}"
            self.wfile.write(
                f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n".encode()
                + f"Content-Length: {len(reply)}\r\n\r\n".encode()
                + reply
            )
            self.wfile.flush()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture(scope="session")
def wire_server() -> Iterator[Wire]:
    server = _Server(("127.0.0.1", 0), _Handler)
    host, port = server.server_address[:2]
    server.wire = Wire(f"http://{host}:{port}")  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.wire  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


@pytest.fixture
def wire(wire_server: Wire) -> Wire:
    wire_server.requests.clear()
    wire_server.statuses.clear()
    return wire_server


def openapi(path: str, verb: str = "get", **operation: Any) -> dict[str, Any]:
    """A one-operation OpenAPI 3.1 document."""
    operation.setdefault("responses", {"200": {"description": "ok"}})
    operation.setdefault("operationId", "op")
    operation.setdefault("x-resource", "t")
    operation.setdefault("x-method", "call")
    return {
        "openapi": "3.1.0",
        "info": {"title": "wire", "version": "1"},
        "paths": {path: {verb: operation}},
    }


def swagger(path: str, verb: str = "get", **operation: Any) -> dict[str, Any]:
    """A one-operation Swagger 2.0 document."""
    operation.setdefault("responses", {"200": {"description": "ok"}})
    operation.setdefault("x-resource", "t")
    operation.setdefault("x-method", "call")
    return {
        "swagger": "2.0",
        "info": {"title": "wire", "version": "1"},
        "paths": {path: {verb: operation}},
    }


def client(document: dict[str, Any], wire: Wire, **options: Any) -> Any:
    options.setdefault("max_retries", 0)
    options.setdefault("base_url", wire.base_url)
    return specclient.Client.from_spec(document, cache=False, **options)
