"""httpcore asks ``import sniffio`` on every async request and, when the import fails, falls
back to asyncio without remembering the failure: each async call searched all of sys.path
again (encode/httpcore#1103). specclient depends on sniffio so the import is a lookup in
sys.modules; this fails if it ever stops being installed."""

from __future__ import annotations

import asyncio
import importlib.abc
import sys

import httpcore._synchronization as synchronization  # the function the requests go through


class _Recorder(importlib.abc.MetaPathFinder):
    def __init__(self) -> None:
        self.searched: list[str] = []

    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        self.searched.append(name)
        return None  # let the real finders answer


def test_an_async_request_finds_sniffio_without_searching_for_it():
    async def which() -> str:
        return synchronization.current_async_library()

    asyncio.run(which())  # the first call may import it
    recorder = _Recorder()
    sys.meta_path.insert(0, recorder)
    try:
        assert asyncio.run(which()) == "asyncio"
    finally:
        sys.meta_path.remove(recorder)
    assert "sniffio" not in recorder.searched
