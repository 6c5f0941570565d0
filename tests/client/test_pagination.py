"""iterator=True: items page by page, lazily, in every pagination style."""

from __future__ import annotations

import httpx

import specclient

ROWS = [{"id": str(i), "ageYears": i} for i in range(25)]


def offset_server(request: httpx.Request) -> httpx.Response:
    limit = int(request.url.params.get("limit", 10))
    offset = int(request.url.params.get("offset", 0))
    return httpx.Response(200, json={"items": ROWS[offset : offset + limit]})


def test_offset_pages_are_fetched_lazily(pets, recorder):
    recorder.handler = offset_server
    items = pets.pets.list(limit=10, iterator=True)
    assert recorder.requests == []  # nothing sent until iteration starts
    first = next(items)
    assert first.id == "0" and len(recorder.requests) == 1
    rest = list(items)
    assert [r.id for r in [first, *rest]] == [str(i) for i in range(25)]
    assert [r.url.params["offset"] for r in recorder.requests] == ["0", "10", "20"]


def test_underscore_spellings_walk_pages_too(pets, recorder):
    recorder.handler = offset_server
    items = pets.pets.list(limit=10, _iterator=True, _return_type="raw", _headers={"X-A": "1"})
    assert [r["id"] for r in items] == [str(i) for i in range(25)]
    assert [r.headers["X-A"] for r in recorder.requests] == ["1", "1", "1"]


def test_pages_of_an_operation_whose_spec_takes_the_option_names(recorder):
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://api.example"}],
        "paths": {
            "/rows": {
                "get": {
                    "parameters": [
                        {"name": name, "in": "query", "schema": {"type": "integer"}}
                        for name in ("limit", "offset", "timeout")
                    ],
                    "x-pagination": {
                        "style": "offset",
                        "items": "items",
                        "limit": "limit",
                        "offset": "offset",
                    },
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }
    recorder.handler = offset_server
    client = specclient.Client.from_spec(spec, http=recorder.transport, cache=False)
    rows = client.rows.list(limit=10, timeout=7, _iterator=True, _return_type="raw", _timeout=9.5)
    assert len(list(rows)) == 25
    assert [r.url.params["timeout"] for r in recorder.requests] == ["7", "7", "7"]
    assert [r.extensions["timeout"]["read"] for r in recorder.requests] == [9.5, 9.5, 9.5]


def test_pandas_over_all_pages_is_one_frame(pets, recorder):
    recorder.handler = offset_server
    frame = pets.pets.list(limit=10, iterator=True, return_type="pandas")
    assert len(frame) == 25 and str(frame["ageYears"].dtype) == "Int64"


def test_cursor_pagination_follows_next_until_it_is_empty(pets, recorder):
    pages = {
        None: {"data": [1, 2], "next": "c2"},
        "c2": {"data": [3], "next": "c3"},
        "c3": {"data": [4], "next": None},
    }
    recorder.handler = lambda r: httpx.Response(200, json=pages[r.url.params.get("cursor")])
    assert list(pets.feed.list(iterator=True)) == [1, 2, 3, 4]
    assert [r.url.params.get("cursor") for r in recorder.requests] == [None, "c2", "c3"]


CIVIS_STYLE = {
    "swagger": "2.0",
    "info": {"title": "c", "version": "1"},
    "host": "api.example",
    "schemes": ["https"],
    "paths": {
        "/tables/": {
            "get": {
                "summary": "List tables",
                "parameters": [
                    {"name": "limit", "in": "query", "type": "integer"},
                    {"name": "page_num", "in": "query", "type": "integer"},
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "schema": {
                            "type": "array",
                            "items": {"type": "object", "properties": {"id": {"type": "integer"}}},
                        },
                    }
                },
            }
        }
    },
}


def test_civis_style_page_num_is_recognised_and_honours_total_pages(recorder):
    def server(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page_num"])
        return httpx.Response(
            200,
            json=[{"id": page * 10 + i} for i in range(2)],
            headers={"X-Pagination-Total-Pages": "3"},
        )

    recorder.handler = server
    client = specclient.Client.from_spec(CIVIS_STYLE, http=recorder.transport, cache=False)
    ids = [t.id for t in client.tables.list(iterator=True, limit=2)]
    assert ids == [10, 11, 20, 21, 30, 31]
    assert [r.url.params["page_num"] for r in recorder.requests] == ["1", "2", "3"]
