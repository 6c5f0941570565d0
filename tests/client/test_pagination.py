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


# -- Civis: the server's page count decides how many pages are fetched ---------------------------


def _civis_pages_on_the_wire(limit: int | None) -> tuple[list[str], list[httpx.Request]]:
    from specclient.emulators import running

    sent: list[httpx.Request] = []
    with (
        running("civis", seed=1) as emu,
        httpx.Client(event_hooks={"request": [sent.append]}) as http,
    ):
        client = emu.client(http=http)
        options = {} if limit is None else {"limit": limit}
        names = [t.name for t in client.tables.list(iterator=True, **options)]
    return names, [r for r in sent if r.url.path.rstrip("/").endswith("/tables")]


def test_civis_iterator_sends_one_request_when_the_server_says_there_is_one_page():
    names, sent = _civis_pages_on_the_wire(limit=None)
    assert names == ["customers", "orders", "daily_revenue", "bar"]
    assert [r.url.params["page_num"] for r in sent] == ["1"]


def test_civis_iterator_stops_at_the_last_full_page_the_server_announced():
    # 4 tables in pages of 2: X-Pagination-Total-Pages is 2, so no third (empty) page is asked for
    names, sent = _civis_pages_on_the_wire(limit=2)
    assert names == ["customers", "orders", "daily_revenue", "bar"]
    assert [(r.url.params["page_num"], r.url.params["limit"]) for r in sent] == [
        ("1", "2"),
        ("2", "2"),
    ]


async def test_async_civis_iterator_sends_as_many_requests_as_the_server_has_pages():
    from specclient.emulators import running

    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    with running("civis", seed=1) as emu:
        async with (
            httpx.AsyncClient(event_hooks={"request": [record]}) as http,
            emu.async_client(http=http) as client,
        ):
            pages = await client.tables.list(limit=2, iterator=True)
            names = [t.name async for t in pages]
    assert names == ["customers", "orders", "daily_revenue", "bar"]
    assert [
        r.url.params["page_num"] for r in sent if r.url.path.rstrip("/").endswith("/tables")
    ] == ["1", "2"]


# -- pages without I/O: each page knows the call that fetches the next ---------------------------


def test_a_page_knows_the_next_call_until_the_announced_item_total_is_reached():
    from specclient.openapi.model import Pagination
    from specclient.pagination import first_page_arguments, read_page

    rule = Pagination(
        style="page", items="data", page_param="page", limit_param="size", total="meta.total"
    )
    first = first_page_arguments(rule, {"size": 2, "q": "x"})
    assert first == {"size": 2, "q": "x", "page": 0}
    one = read_page(rule, first, {"data": [1, 2], "meta": {"total": 3}}, {})
    assert (one.items, one.next_arguments, one.seen) == ([1, 2], {**first, "page": 1}, 2)
    two = read_page(rule, one.next_arguments, {"data": [3], "meta": {"total": 3}}, {}, one.seen)
    assert (two.items, two.next_arguments, two.seen) == ([3], None, 3)


def test_without_a_total_a_full_page_asks_for_more_and_an_empty_or_short_one_ends():
    from specclient.openapi.model import Pagination
    from specclient.pagination import first_page_arguments, read_page

    rule = Pagination(style="offset", offset_param="offset", limit_param="limit")
    first = first_page_arguments(rule, {"limit": 2})
    full = read_page(rule, first, [1, 2], {})
    assert full.next_arguments == {"limit": 2, "offset": 2}
    assert read_page(rule, full.next_arguments, [3], {}, 2).next_arguments is None
    assert read_page(rule, full.next_arguments, [], {}, 2).next_arguments is None


def test_a_repeated_cursor_ends_the_walk_instead_of_looping():
    from specclient.openapi.model import Pagination
    from specclient.pagination import first_page_arguments, read_page

    rule = Pagination(style="cursor", items="data", cursor_param="cursor", next_path="next")
    first = first_page_arguments(rule, {"cursor": None})
    assert first == {}  # no cursor yet: the server starts at the beginning
    one = read_page(rule, first, {"data": [1], "next": "c2"}, {})
    assert one.next_arguments == {"cursor": "c2"}
    assert (
        read_page(rule, one.next_arguments, {"data": [2], "next": "c2"}, {}).next_arguments is None
    )
