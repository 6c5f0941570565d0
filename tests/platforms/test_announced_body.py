"""A body that says when it has been written: the same bytes as a bytes body, framed by
Content-Length, and on_sent called only after the last byte is handed over (each time it is
sent: a retry sends it again)."""

from __future__ import annotations

import httpx
import pytest

from specclient.platforms._announced import announcing

BODY = b'{"data":[{"id":1}]}'


def _options() -> dict:
    return {"content": BODY, "headers": {"Content-Type": "application/json"}, "idempotent": False}


def test_sync_body_is_the_bytes_and_announces_after_the_last_one():
    calls: list[str] = []
    options = announcing(_options(), lambda: calls.append("sent"), asynchronous=False)
    assert options["idempotent"] is False
    request = httpx.Request("POST", "http://x/data/1/insert", **_without_idempotent(options))
    assert request.headers["Content-Length"] == str(len(BODY))
    assert "Transfer-Encoding" not in request.headers
    chunks = []
    for chunk in request.stream:
        assert calls == []  # not before the bytes are handed over
        chunks.append(chunk)
    assert b"".join(chunks) == BODY and calls == ["sent"]
    assert b"".join(request.stream) == BODY  # sent again (a retry): the same bytes
    assert calls == ["sent", "sent"]


async def test_async_body_is_the_bytes_and_announces_after_the_last_one():
    calls: list[str] = []
    options = announcing(_options(), lambda: calls.append("sent"), asynchronous=True)
    request = httpx.Request("POST", "http://x/data/1/insert", **_without_idempotent(options))
    assert request.headers["Content-Length"] == str(len(BODY))
    assert "Transfer-Encoding" not in request.headers
    # an async stream only: a sync client refuses it rather than sending it wrongly
    assert isinstance(request.stream, httpx.AsyncByteStream)
    assert not isinstance(request.stream, httpx.SyncByteStream)
    chunks = [chunk async for chunk in request.stream]
    assert b"".join(chunks) == BODY and calls == ["sent"]


def test_only_a_bytes_body_can_announce():
    with pytest.raises(TypeError, match="bytes body"):
        announcing({"json": {"a": 1}}, lambda: None, asynchronous=False)


def _without_idempotent(options: dict) -> dict:
    return {k: v for k, v in options.items() if k != "idempotent"}
