"""AsyncClient: the same surface, awaitable, sharing request building with Client."""

from __future__ import annotations

import inspect

import httpx
import pytest

import specclient
from specclient.errors import NotFoundError, ParameterError


@pytest.fixture
def async_pets(pets_spec, recorder):
    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        recorder.requests.append(request)
        return recorder.handler(request)

    return specclient.AsyncClient.from_spec(
        pets_spec, http=httpx.MockTransport(handler), cache=False
    )


async def test_async_call_sends_the_same_bytes(async_pets, recorder):
    recorder.handler = lambda r: httpx.Response(201, json={"id": "3"})
    created = await async_pets.pets.post("Rex", "dog", age_years=2)
    assert created.id == "3"
    assert recorder.requests[-1].content == b'{"name":"Rex","kind":"dog","ageYears":2}'
    assert inspect.signature(async_pets.pets.post) == inspect.signature(
        specclient.Client.from_spec(async_pets.spec).pets.post
    )


async def test_async_validation_and_errors(async_pets, recorder):
    with pytest.raises(ParameterError):
        await async_pets.pets.post(name="Rex")
    recorder.handler = lambda r: httpx.Response(404, json={"message": "gone"})
    with pytest.raises(NotFoundError, match="gone"):
        await async_pets.pets.get("1")


async def test_async_iterator_walks_pages(async_pets, recorder):
    rows = [{"id": str(i)} for i in range(5)]

    def server(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("offset", 0))
        return httpx.Response(200, json={"items": rows[offset : offset + 2]})

    recorder.handler = server
    ids = [item.id async for item in await async_pets.pets.list(limit=2, iterator=True)]
    assert ids == ["0", "1", "2", "3", "4"]
    frame = await async_pets.pets.list(limit=2, iterator=True, return_type="pandas")
    assert list(frame["id"]) == ["0", "1", "2", "3", "4"]
