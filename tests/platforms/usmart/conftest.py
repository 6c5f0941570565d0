"""Shared fixtures for the uSmart adapter: a served emulator per test, small files to upload.

``client`` and ``make_client`` are parametrized over the sync and the async client: every test
that takes them runs on both, with the same assertions, since the workflows are written once
for the two (the async client is driven from the test through :class:`Blocking`).
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import shutil
from typing import Any

import pytest

from specclient.emulators import running

ENV = ("USMART_API_KEY_ID", "USMART_API_KEY_SECRET", "USMART_ORG_GUID", "USMART_CREDENTIALS_FILE")


class Blocking:
    """An async client (or a resource or method of one) driven from synchronous test code.

    Every attribute is wrapped again and every awaitable a call returns is run to completion on
    ``loop``, one event loop for the whole test (an ``AsyncClient`` keeps its connections on the
    loop that opened them). Replies come back as they are, so a test reads them as it reads
    the sync client's.
    """

    def __init__(self, target: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._target = target
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        return self._wrap(getattr(self._target, name))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._wrap(self._target(*args, **kwargs))

    def _wrap(self, value: Any) -> Any:
        if isinstance(value, asyncio.Future):  # a run's future: result() awaits it on the loop
            return BlockingFuture(value, self._loop)
        if inspect.isawaitable(value):
            return self._wrap(self._loop.run_until_complete(value))
        if callable(value) and not isinstance(value, type) or _is_resource(value):
            return Blocking(value, self._loop)
        return value


class BlockingFuture:
    """An async client's run future read from synchronous test code as a sync one."""

    def __init__(self, future: asyncio.Future, loop: asyncio.AbstractEventLoop) -> None:
        self._future = future
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        return getattr(self._future, name)

    def result(self) -> Any:
        return self._loop.run_until_complete(self._future)


def _is_resource(value: Any) -> bool:
    from specclient.client import AsyncResource

    return isinstance(value, AsyncResource)


@pytest.fixture(autouse=True)
def _clean_env(tmp_path, monkeypatch):
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(tmp_path / "cache"))
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def emu():
    with running("usmart", seed=1) as emulator:
        yield emulator
    # Uploaded bytes live on disk; do not leave them for the end of the session.
    shutil.rmtree(emulator.state.root, ignore_errors=True)


@pytest.fixture(params=["sync", "async"])
def make_client(request, emu):
    """``make_client(**overrides)``: ``emu.client(...)``, or the async client behind Blocking."""
    if request.param == "sync":
        yield emu.client
        return
    loop = asyncio.new_event_loop()
    made = []

    def make(**overrides: Any) -> Blocking:
        client = emu.async_client(**overrides)
        made.append(client)
        return Blocking(client, loop)

    try:
        yield make
    finally:
        for client in made:
            loop.run_until_complete(client.aclose())
        loop.close()


@pytest.fixture
def client(make_client):
    return make_client()


@pytest.fixture
def dataset(emu):
    """The first public dataset (two pipelines: data-api and download-csv)."""
    return next(d for d in emu.state.datasets.values() if d.access_level == "public")


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "nested" / "counts.csv"
    path.parent.mkdir()
    path.write_bytes(b"site,date,count\nRiver Walk,2026-07-01,123\nRiver Walk,2026-07-02,98\n")
    return path


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
