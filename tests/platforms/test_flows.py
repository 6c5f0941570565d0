"""What ``platforms/_flows.py`` adds for workflows written once: ``@workflow`` methods on sync
and async twins, streamed uploads and downloads, and ``Wait.pick``. The uSmart tests run these
against the emulator; here, the edges they do not reach, over in-process transports."""

from __future__ import annotations

import inspect
import json

import httpx
import pytest

from specclient._clock import FakeClock
from specclient.client import AsyncClient, Client
from specclient.errors import NotFoundError, ParameterError
from specclient.platforms._flows import Download, Flow, Request, Upload, Workflows, workflow

SPEC = {"openapi": "3.0.3", "info": {"title": "flows", "version": "1"}, "paths": {}}
BASE = "https://flows.test"


class EchoWorkflows(Workflows):
    @workflow
    def echo(self, text: str, *, times: int = 1) -> Flow[list[str]]:
        """Send ``text`` and return the answer ``times`` times."""
        if not isinstance(text, str):
            raise ParameterError("echo", "text must be a string", "text")
        reply = yield Request("POST", "/echo", {"content": text.encode(), "return_type": "raw"})
        return [reply.text] * times


class EchoClient(EchoWorkflows, Client):
    pass


class AsyncEchoClient(EchoWorkflows, AsyncClient):
    pass


def echo_server(seen: list[bytes]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.read())
        return httpx.Response(200, content=request.content.upper())

    return httpx.MockTransport(answer)


def test_one_definition_gives_the_same_method_to_both_twins():
    sync, asynchronous = EchoClient.echo, AsyncEchoClient.echo
    assert not inspect.iscoroutinefunction(sync) and inspect.iscoroutinefunction(asynchronous)
    assert str(inspect.signature(sync)) == "(self, text: 'str', *, times: 'int' = 1) -> 'list[str]'"
    assert inspect.signature(sync) == inspect.signature(asynchronous)
    assert (
        sync.__doc__
        == asynchronous.__doc__
        == "Send ``text`` and return the answer ``times`` times."
    )
    assert "echo" in vars(EchoClient) and "echo" in vars(
        AsyncEchoClient
    )  # own methods: codegen sees them


async def test_both_twins_send_the_same_and_return_the_same():
    seen: list[bytes] = []
    sync = EchoClient(SPEC, base_url=BASE, http=echo_server(seen))
    assert sync.echo("hi", times=2) == ["HI", "HI"]
    async with AsyncEchoClient(SPEC, base_url=BASE, http=echo_server(seen)) as asynchronous:
        assert await asynchronous.echo("hi", times=2) == ["HI", "HI"]
    assert seen == [b"hi", b"hi"]


async def test_bad_input_is_refused_before_anything_is_sent_on_both():
    seen: list[bytes] = []
    sync = EchoClient(SPEC, base_url=BASE, http=echo_server(seen))
    with pytest.raises(ParameterError, match="text must be a string"):
        sync.echo(42)
    async with AsyncEchoClient(SPEC, base_url=BASE, http=echo_server(seen)) as asynchronous:
        with pytest.raises(ParameterError, match="text must be a string"):
            await asynchronous.echo(42)
    assert seen == []


# -- Download: a streamed reply, chunk by chunk -----------------------------------------------------


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A reply body of ``count`` chunks that records how much was read and whether it closed."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.read = 0
        self.closed = False

    def __iter__(self):
        for n in range(self.count):
            self.read += 1
            yield f"{n};".encode()

    async def __aiter__(self):
        for chunk in self.__iter__():
            yield chunk

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def download_flow(stop_after: int | None, got: list[bytes]) -> Flow[bool]:
    def each(chunk: bytes) -> bool:
        got.append(chunk)
        return stop_after is not None and len(got) >= stop_after

    return (yield Download(Request("GET", "/rows"), 2, each))  # one 2-byte chunk each


class DownloadWorkflows(Workflows):
    @workflow
    def rows(self, stop_after: int | None, got: list[bytes]) -> Flow[bool]:
        return (yield from download_flow(stop_after, got))


class DownloadClient(DownloadWorkflows, Client):
    pass


class AsyncDownloadClient(DownloadWorkflows, AsyncClient):
    pass


@pytest.mark.parametrize("stop_after", [2, None])
async def test_download_hands_over_chunks_until_told_to_stop_and_closes_the_reply(stop_after):
    for kind in ("sync", "async"):
        body = Chunks(5)
        transport = httpx.MockTransport(lambda request, body=body: httpx.Response(200, stream=body))
        got: list[bytes] = []
        if kind == "sync":
            stopped = DownloadClient(SPEC, base_url=BASE, http=transport).rows(stop_after, got)
        else:
            async with AsyncDownloadClient(SPEC, base_url=BASE, http=transport) as client:
                stopped = await client.rows(stop_after, got)
        expected = 5 if stop_after is None else stop_after
        assert (stopped, len(got), body.read, body.closed) == (
            stop_after is not None,
            expected,
            expected,
            True,
        ), kind
        assert b"".join(got) == b"".join(f"{n};".encode() for n in range(expected))


async def test_download_error_status_raises_with_the_server_text_and_hands_over_nothing():
    reply = json.dumps({"error": "NotFound", "message": "no resource r-1"}).encode()
    for kind in ("sync", "async"):
        transport = httpx.MockTransport(lambda request: httpx.Response(404, content=reply))
        got: list[bytes] = []
        with pytest.raises(NotFoundError, match="no resource r-1") as info:
            if kind == "sync":
                DownloadClient(SPEC, base_url=BASE, http=transport).rows(None, got)
            else:
                async with AsyncDownloadClient(SPEC, base_url=BASE, http=transport) as client:
                    await client.rows(None, got)
        assert got == [] and "no resource r-1" in (info.value.response_excerpt or ""), kind


# -- Upload: a re-readable body, sync or async ------------------------------------------------------


class Body:
    """A Streamed body that records which way it was read."""

    def __init__(self) -> None:
        self.reads: list[str] = []

    def __iter__(self):
        self.reads.append("sync")
        yield from (b"ab", b"cd")

    async def __aiter__(self):
        self.reads.append("async")
        for chunk in (b"ab", b"cd"):
            yield chunk


class UploadWorkflows(Workflows):
    @workflow
    def put(self, body: Body) -> Flow[int]:
        options = {"headers": {"Content-Length": "4"}, "idempotent": True, "return_type": "raw"}
        return (yield Upload("PUT", f"{BASE}/blob", body, options)).status_code


class UploadClient(UploadWorkflows, Client):
    pass


class AsyncUploadClient(UploadWorkflows, AsyncClient):
    pass


async def test_upload_streams_the_body_the_way_each_client_sends_and_again_on_a_retry():
    def flaky():
        attempts: list[bytes] = []

        def answer(request: httpx.Request) -> httpx.Response:
            attempts.append(request.read())
            return httpx.Response(503 if len(attempts) == 1 else 200)

        return attempts, httpx.MockTransport(answer)

    attempts, transport = flaky()
    body = Body()
    assert UploadClient(SPEC, base_url=BASE, http=transport, clock=FakeClock()).put(body) == 200
    assert (attempts, body.reads) == ([b"abcd", b"abcd"], ["sync", "sync"])

    attempts, transport = flaky()
    body = Body()
    async with AsyncUploadClient(SPEC, base_url=BASE, http=transport, clock=FakeClock()) as client:
        assert await client.put(body) == 200
    assert (attempts, body.reads) == ([b"abcd", b"abcd"], ["async", "async"])
