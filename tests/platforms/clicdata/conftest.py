"""Shared fixtures: a fresh ClicData emulator per test, and a transport that keeps the wire."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

import specclient.emulators

CLICDATA_ENV = (
    "CLICDATA_CLIENT_ID",
    "CLICDATA_CLIENT_SECRET",
    "CLICDATA_API_KEY",
    "CLICDATA_USERNAME",
    "CLICDATA_EMAIL",
    "CLICDATA_PASSWORD",
    "CLICDATA_BASE_URL",
    "CLICDATA_API_VERSION",
    "CLICDATA_CREDENTIALS_FILE",
)


@pytest.fixture(autouse=True)
def _no_clicdata_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CLICDATA_ENV:
        monkeypatch.delenv(name, raising=False)


class Wire(httpx.HTTPTransport):
    """A real loopback transport that records every request it sends (bodies read)."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return super().handle_request(request)

    def to(self, path_suffix: str, method: str | None = None) -> list[httpx.Request]:
        return [
            r
            for r in self.requests
            if r.url.path.endswith(path_suffix) and (method is None or r.method == method)
        ]

    @staticmethod
    def body(request: httpx.Request) -> object:
        return json.loads(request.content)


@pytest.fixture
def emu() -> Iterator[specclient.emulators.Emulator]:
    with specclient.emulators.running("clicdata", seed=1) as emulator:
        yield emulator


@pytest.fixture
def wire() -> Wire:
    return Wire()
