"""Issue 12 items 12, 13, 16 and 21: reply size limits (gzip bombs), a whole-reply deadline
over a trickling server, one pool for many threads' first call, and one AsyncClient across
event loops. Real sockets on 127.0.0.1; every server is bounded in bytes and time."""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
from typing import Any

import httpx
import pytest

from specclient import AsyncClient, Client, errors
from specclient.http.retry import RetryPolicy
from specclient.http.transport import DEFAULT_MAX_RESPONSE_BYTES, Sender
from tests.http.loopback import Reply, serve, trickle

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/data": {
            "get": {
                "operationId": "data",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        }
    },
}

# 8 MiB of zeros: 8 KB on the wire.
BOMB = gzip.compress(b"0" * (8 * 1024 * 1024), compresslevel=9)


def _bomb(method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
    return Reply(
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        chunks=[BOMB[i : i + 4096] for i in range(0, len(BOMB), 4096)],
    )


# -- item 12: a size limit, counted after decompression -----------------------------------


def test_a_gzip_reply_larger_than_the_limit_once_decompressed_is_refused() -> None:
    with serve(_bomb) as server:
        client = Client(SPEC, base_url=server.url, max_response_bytes=1024 * 1024)
        with pytest.raises(errors.ResponseTooLargeError) as caught:
            client.data.list()
        client._close()
    assert caught.value.limit == 1024 * 1024
    assert "exceeds the limit of 1048576 bytes (it is larger once decompressed)" in str(
        caught.value
    )
    assert "max_response_bytes=" in str(caught.value)
    assert len(server.requests) == 1  # not retried: the answer would be as large again


def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    def big(method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        return Reply(headers={"Content-Length": str(10 * 1024**3)}, chunks=[b"{}"])

    too_large = pytest.raises(errors.ResponseTooLargeError, match="declares 10737418240 bytes")
    with serve(big) as server, Sender(max_response_bytes=1000) as sender, too_large:
        sender.send(httpx.Request("GET", f"{server.url}/x"))


async def test_the_async_client_has_the_same_limit() -> None:
    with serve(_bomb) as server:
        client = AsyncClient(SPEC, base_url=server.url, max_response_bytes=1024 * 1024)
        with pytest.raises(errors.ResponseTooLargeError):
            await client.data.list()
        await client._aclose()


def test_a_reply_within_the_limit_reads_as_before() -> None:
    with serve(_bomb) as server:
        client = Client(SPEC, base_url=server.url, max_response_bytes=None)
        reply = client._request("GET", "/data")
        client._close()
    assert len(reply.content) == 8 * 1024 * 1024


def test_the_default_limit_and_bad_limits() -> None:
    assert DEFAULT_MAX_RESPONSE_BYTES == 256 * 1024 * 1024
    for bad in (0, -1, True, 1.5, "1"):
        with pytest.raises(errors.ParameterError, match="max_response_bytes must be"):
            Sender(max_response_bytes=bad)


# -- item 13: the timeout is a deadline for the whole reply --------------------------------


def test_a_trickling_reply_cannot_hold_a_call_past_its_timeout() -> None:
    # 40 bytes, one every 0.25 s: each read is quick, the whole reply takes 10 s.
    def slow(method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        return trickle(b'{"padding": "' + b"x" * 26 + b'"}', 0.25)

    with serve(slow) as server:
        client = Client(SPEC, base_url=server.url, timeout=1.0, max_retries=1)
        client._retry = RetryPolicy(max_retries=1, backoff_base=0.01, jitter=False)
        with pytest.raises(errors.TimeoutError) as caught:
            client.data.list()
        client._close()
    assert "still arriving after the call's timeout of 1 s" in str(caught.value)
    assert "after 2 attempts" in str(caught.value)  # a GET is retried, each attempt bounded
    assert len(server.requests) == 2


async def test_a_trickling_reply_cannot_hold_an_async_call_either() -> None:
    def slow(method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        return trickle(b"{}" + b" " * 38, 0.25)

    with serve(slow) as server:
        client = AsyncClient(SPEC, base_url=server.url, timeout=1.0, max_retries=0)
        with pytest.raises(errors.TimeoutError, match="still arriving"):
            await client.data.list()
        await client._aclose()


# -- item 16: one pool for a new client's first calls from many threads -------------------


def test_sixteen_threads_first_calls_build_one_sender_and_close_leaves_no_socket() -> None:
    def ok(method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        return Reply(chunks=[b"{}"], headers={"Content-Type": "application/json"})

    built: list[Any] = []
    start = threading.Barrier(16)
    with serve(ok) as server:
        client = Client(SPEC, base_url=server.url)
        real = client._new_sender

        def counting() -> Any:
            built.append(1)
            time.sleep(0.05)  # widens the race the lock closes; nothing is timed
            return real()

        client._new_sender = counting  # type: ignore[method-assign]

        def first_call() -> None:
            start.wait()
            client.data.list()

        threads = [threading.Thread(target=first_call) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        pool = client._sender.client._transport._plain._pool
        assert len(built) == 1
        assert pool.connections  # the calls did use it
        client._close()
        assert pool.connections == []


# -- item 21: one AsyncClient, two event loops --------------------------------------------


def test_an_async_client_survives_a_second_asyncio_run() -> None:
    def ok(method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        # Connection: close, so the first loop leaves no pooled socket behind to be found
        # unclosed by the garbage collector in some later test
        headers = {"Content-Type": "application/json", "Connection": "close"}
        return Reply(chunks=[b'{"n": 1}'], headers=headers)

    with serve(ok) as server:
        client = AsyncClient(SPEC, base_url=server.url)
        assert asyncio.run(client.data.list()) == {"n": 1}

        async def again_then_close() -> object:
            async with client:
                return await client.data.list()

        assert asyncio.run(again_then_close()) == {"n": 1}  # was: RuntimeError, loop closed


def test_an_async_client_in_use_on_a_live_loop_is_refused_on_another() -> None:
    def ok(method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        return Reply(chunks=[b"{}"], headers={"Content-Type": "application/json"})

    with serve(ok) as server:
        client = AsyncClient(SPEC, base_url=server.url)
        first = asyncio.new_event_loop()
        try:
            first.run_until_complete(client.data.list())
            with pytest.raises(errors.TransportError, match="one AsyncClient per event loop"):
                asyncio.run(client.data.list())
        finally:
            first.run_until_complete(client._aclose())
            first.close()
