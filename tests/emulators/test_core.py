"""Emulator core: routing, validation, auth, responses and helpers, seen through real HTTP."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
import requests

from specclient._clock import Clock
from specclient.emulators import (
    EmuError,
    EmulatorApp,
    EmulatorClock,
    EmuResponse,
    paginate_cursor,
    paginate_offset,
    paginate_page,
    running_app,
    serve_spec,
)
from specclient.errors import ParameterError
from specclient.openapi import load

PET = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "id": {"type": "string", "readOnly": True},
        "name": {"type": "string"},
        "age": {"type": "integer", "minimum": 0},
        "kind": {"type": "string", "enum": ["cat", "dog"], "nullable": True},
        "owner": {
            "type": "object",
            "required": ["email"],
            "properties": {"email": {"type": "string"}},
        },
    },
}


def _ok(schema: dict[str, Any] | None = None, status: str = "200") -> dict[str, Any]:
    response: dict[str, Any] = {"description": "ok"}
    if schema is not None:
        response["content"] = {"application/json": {"schema": schema}}
    return {status: response}


def _path(name: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


DOC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "pets", "version": "1"},
    "servers": [{"url": "https://api.example.com/v1/"}],
    "components": {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}},
    "security": [{"key": []}],
    "paths": {
        "/health": {
            "get": {
                "security": [],
                "responses": _ok({"type": "object", "properties": {"status": {"type": "string"}}}),
            }
        },
        "/pets": {
            "get": {
                "x-method": "list",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {
                        "name": "kind",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["cat", "dog"]},
                    },
                    {
                        "name": "tag",
                        "in": "query",
                        "schema": {"type": "array", "items": {"type": "string"}},
                    },
                    {
                        "name": "X-Trace",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string"},
                    },
                ],
                "responses": _ok({"type": "array", "items": PET}),
            },
            "post": {
                "x-method": "create",
                "requestBody": {"required": True, "content": {"application/json": {"schema": PET}}},
                "responses": _ok(PET, "201"),
            },
        },
        "/pets/search": {
            "get": {
                "x-resource": "pets",
                "x-method": "search",
                "parameters": [
                    {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}
                ],
                "responses": _ok({"type": "array", "items": PET}),
            }
        },
        "/pets/{petId}": {
            "get": {
                "x-resource": "pets",
                "x-method": "get",
                "parameters": [_path("petId")],
                "responses": _ok(PET),
            },
            "delete": {
                "x-resource": "pets",
                "x-method": "delete",
                "parameters": [_path("petId")],
                "responses": {"204": {"description": "gone"}},
            },
        },
        "/counters/{n}": {
            "get": {
                "x-resource": "counters",
                "x-method": "get",
                "parameters": [_path("n", "integer")],
                "responses": _ok({"type": "object"}),
            }
        },
        "/org/{orgGuid}/dataset:view": {
            "post": {
                "x-resource": "datasets",
                "x-method": "view",
                "parameters": [_path("orgGuid")],
                "responses": _ok({"type": "object"}),
            }
        },
        "/runs/{runId}:cancel": {
            "post": {
                "x-resource": "runs",
                "x-method": "cancel",
                "parameters": [_path("runId")],
                "responses": _ok({"type": "object"}),
            }
        },
        "/oauth/token": {
            "post": {
                "security": [],
                "x-resource": "oauth",
                "x-method": "token",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "required": ["grant_type"],
                                "properties": {
                                    "grant_type": {
                                        "type": "string",
                                        "enum": ["client_credentials"],
                                    },
                                    "scope": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                "responses": _ok({"type": "object"}),
            }
        },
        "/catalogue/{id}": {
            "servers": [{"url": "https://discovery.example.com/cat"}],
            "get": {
                "x-resource": "catalogue",
                "x-method": "get",
                "parameters": [_path("id")],
                "responses": _ok({"type": "object"}),
            },
        },
    },
}

KEY = "k-123"


def make_app(**options: Any) -> EmulatorApp:
    """The pets emulator every test here talks to: in-memory, keyed by X-Key."""
    app = EmulatorApp(load(DOC, cache=False), clock=EmulatorClock(), seed=3, **options)
    pets: dict[str, dict[str, Any]] = {}
    app.state = {"pets": pets}

    def authenticate(req: Any) -> str:
        if req.headers.get("x-key") != KEY:
            raise EmuError(401, "missing or wrong X-Key")
        return "alice"

    app.authenticate = authenticate

    @app.handle("health.list")
    def health(req: Any) -> Any:
        return {"status": "UP", "principal": req.principal}

    @app.handle("pets.list")
    def list_pets(req: Any) -> Any:
        return {"query": {k: req.query.getlist(k) for k in req.query}, "who": req.principal}

    @app.handle("pets.create")
    def create(req: Any) -> Any:
        pet = {**req.json(), "id": str(len(pets) + 1)}
        pets[pet["id"]] = pet
        return pet

    @app.handle("pets.search")
    def search(req: Any) -> Any:
        return [p for p in pets.values() if req.query["q"] in p["name"]]

    @app.handle("pets.get")
    def get(req: Any) -> Any:
        if req.path_params["petId"] not in pets:
            raise EmuError(404, f"no pet {req.path_params['petId']}", code="not_found")
        return pets[req.path_params["petId"]]

    @app.handle("counters.get")
    def counter(req: Any) -> Any:
        return {"n": req.path_params["n"]}

    @app.handle("datasets.view")
    def view(req: Any) -> Any:
        return {"org": req.path_params["orgGuid"]}

    @app.handle("runs.cancel")
    def cancel(req: Any) -> Any:
        return {"cancelled": req.path_params["runId"]}

    @app.handle("oauth.token")
    def token(req: Any) -> Any:
        return {"grant": req.form()["grant_type"], "scope": req.form().get("scope")}

    @app.handle("catalogue.get")
    def catalogue(req: Any) -> Any:
        return {"id": req.path_params["id"]}

    return app


@pytest.fixture(scope="module")
def emu():
    with running_app(make_app()) as running:
        yield running


@pytest.fixture
def http(emu):
    emu.app.state["pets"].clear()
    with httpx.Client(base_url=emu.base_url, headers={"X-Key": KEY}) as client:
        yield client


# -- routing -------------------------------------------------------------------------------------
def test_base_url_carries_the_spec_base_path(emu):
    assert emu.base_url.startswith("http://127.0.0.1:")
    assert emu.base_url.endswith("/v1")
    assert httpx.get(emu.origin + "/health").status_code == 404
    assert httpx.get(emu.base_url + "/health").json() == {"status": "UP", "principal": None}


def test_colon_path_matches_literal_and_percent_encoded_colon(http):
    assert http.post("/org/o-1/dataset:view").json() == {"org": "o-1"}
    assert http.post("/org/o-1/dataset%3Aview").json() == {"org": "o-1"}
    assert http.post("/org/o-1/dataset:edit").status_code == 404


def test_parameter_inside_a_colon_segment(http):
    assert http.post("/runs/r%2F9:cancel").json() == {"cancelled": "r/9"}


def test_path_parameters_are_one_segment_and_percent_decoded(http):
    assert http.get("/counters/7").json() == {"n": "7"}
    response = http.get("/pets/a%2Fb%20c%C3%A9")
    assert response.status_code == 404
    assert response.json()["message"] == "no pet a/b cé"
    assert http.get("/pets/a/b").status_code == 404  # two segments: no such route


def test_literal_segment_beats_parameter(http):
    http.post("/pets", json={"name": "rex"})
    assert http.get("/pets/search", params={"q": "re"}).json()[0]["name"] == "rex"


def test_operation_servers_path_is_honoured(http, emu):
    assert httpx.get(emu.origin + "/cat/catalogue/c1", headers={"X-Key": KEY}).json() == {
        "id": "c1"
    }


def test_unknown_path_is_404_and_wrong_verb_405_with_allow(http):
    missing = http.get("/nothing/here")
    assert missing.status_code == 404
    assert missing.json()["message"] == "no operation matches GET /v1/nothing/here"
    wrong = http.put("/pets")
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET, POST"


def test_head_is_answered_by_get_without_body(http):
    response = http.head("/health")
    assert response.status_code == 200
    assert response.content == b""


def test_handle_rejects_an_operation_the_spec_lacks():
    app = make_app()
    with pytest.raises(ParameterError, match=r"no operation 'pets\.lst'.*pets\.create"):
        app.handle("pets.lst")


def test_unregistered_operation_answers_501_naming_it(http):
    response = http.delete("/pets/1")
    assert response.status_code == 501
    assert "pets.delete (DELETE /pets/{petId}) is not implemented" in response.json()["message"]


def test_unhandled_lists_operations_without_handlers():
    assert make_app().unhandled == ["pets.delete"]


# -- validation ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "message", "field"),
    [
        (lambda c: c.get("/counters/abc"), "path parameter 'n' must be an integer, got 'abc'", "n"),
        (
            lambda c: c.get("/pets", params={"limit": "x"}),
            "query parameter 'limit' must be an integer, got 'x'",
            "limit",
        ),
        (
            lambda c: c.get("/pets", params={"kind": "cow"}),
            "query parameter 'kind': 'cow' is not one of ['cat', 'dog']",
            "kind",
        ),
        (lambda c: c.get("/pets/search"), "missing required query parameter 'q'", "q"),
        (lambda c: c.post("/pets", json={"age": 2}), "missing required body field 'name'", "name"),
        (
            lambda c: c.post("/pets", json={"name": 5}),
            "body field 'name': 5 is not of type 'string'",
            "name",
        ),
        (
            lambda c: c.post("/pets", json={"name": "a", "age": -1}),
            "body field 'age': -1 is less than the minimum of 0",
            "age",
        ),
        (
            lambda c: c.post("/pets", json={"name": "a", "owner": {}}),
            "missing required body field 'owner.email'",
            "owner.email",
        ),
        (lambda c: c.post("/pets"), "request body is required", "body"),
        (
            lambda c: c.post(
                "/pets", content=b"{nope", headers={"content-type": "application/json"}
            ),
            "request body is not valid JSON",
            "body",
        ),
        (
            lambda c: c.post("/oauth/token", data={"scope": "x"}),
            "missing required form field 'grant_type'",
            "grant_type",
        ),
        (
            lambda c: c.post("/oauth/token", data={"grant_type": "password"}),
            "form field 'grant_type': 'password' is not one of ['client_credentials']",
            "grant_type",
        ),
    ],
)
def test_invalid_requests_get_400_naming_the_field(http, call, message, field):
    response = call(http)
    assert response.status_code == 400
    assert response.json()["message"].startswith(message)
    assert response.json()["field"] == field


def test_valid_requests_reach_the_handler_with_typed_values(http):
    created = http.post("/pets", json={"name": "tom", "kind": None, "age": 3})
    assert created.status_code == 201  # the spec's success status
    assert created.json() == {"name": "tom", "kind": None, "age": 3, "id": "1"}
    listed = http.get("/pets", params=[("tag", "a"), ("tag", "b"), ("limit", "2")])
    assert listed.json()["query"] == {"tag": ["a", "b"], "limit": ["2"]}
    token = http.post("/oauth/token", data={"grant_type": "client_credentials", "scope": "s"})
    assert token.json() == {"grant": "client_credentials", "scope": "s"}


def test_json_body_where_a_form_is_expected_is_415(http):
    response = http.post("/oauth/token", json={"grant_type": "client_credentials"})
    assert response.status_code == 415
    assert "expected application/x-www-form-urlencoded" in response.json()["message"]


def test_platform_chooses_validation_status_and_envelope():
    def envelope(error: EmuError, req: Any) -> Any:
        return {
            "success": False,
            "error": {"code": error.status, "description": error.message, "uri": req.path},
        }

    app = make_app(error_body=envelope, validation_status=422)
    with running_app(app) as emu:
        response = httpx.get(emu.base_url + "/counters/x", headers={"X-Key": KEY})
        unknown = httpx.get(emu.base_url + "/nope")
    assert response.status_code == 422
    assert response.json() == {
        "success": False,
        "error": {
            "code": 422,
            "description": "path parameter 'n' must be an integer, got 'x'",
            "uri": "/v1/counters/x",
        },
    }
    assert unknown.json()["error"]["code"] == 404


def test_validation_can_be_switched_off_per_handler():
    app = make_app()
    app.handle("counters.get", validate=False)(lambda req: {"raw": req.path_params["n"]})
    with running_app(app) as emu:
        assert httpx.get(emu.base_url + "/counters/x", headers={"X-Key": KEY}).json() == {
            "raw": "x"
        }


# -- auth ----------------------------------------------------------------------------------------
def test_auth_hook_refuses_before_validation_and_handler(emu):
    response = httpx.post(emu.base_url + "/pets", json={})
    assert response.status_code == 401
    assert response.json()["message"] == "missing or wrong X-Key"
    assert emu.app.state["pets"] == {}


def test_auth_hook_principal_reaches_the_handler(http):
    assert http.get("/pets").json()["who"] == "alice"


def test_operations_with_empty_security_skip_the_auth_hook(emu):
    assert httpx.get(emu.base_url + "/health").status_code == 200
    form = {"grant_type": "client_credentials"}
    assert httpx.post(emu.base_url + "/oauth/token", data=form).status_code == 200


# -- responses -----------------------------------------------------------------------------------
def test_handlers_may_return_responses_bytes_none_and_streams():
    app = make_app()
    app.handle("pets.delete")(lambda req: None)
    app.handle("counters.get")(
        lambda req: EmuResponse(202, json={"n": 1}, headers={"X-Extra": "yes"})
    )
    app.handle("runs.cancel")(lambda req: EmuResponse(200, body="plain", media_type="text/csv"))
    app.handle("datasets.view")(lambda req: EmuResponse(200, body=(b"x" * 10 for _ in range(3))))
    app.handle("catalogue.get")(lambda req: b"\x00\x01")
    with running_app(app) as emu, httpx.Client(base_url=emu.base_url, headers={"X-Key": KEY}) as c:
        deleted = c.delete("/pets/1")
        counted = c.get("/counters/1")
        text = c.post("/runs/1:cancel")
        streamed = c.post("/org/o/dataset:view")
        raw = httpx.get(emu.origin + "/cat/catalogue/1", headers={"X-Key": KEY})
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert (counted.status_code, counted.json(), counted.headers["x-extra"]) == (
        202,
        {"n": 1},
        "yes",
    )
    assert (text.text, text.headers["content-type"]) == ("plain", "text/csv; charset=utf-8")
    assert streamed.content == b"x" * 30
    assert (raw.content, raw.headers["content-type"]) == (b"\x00\x01", "application/octet-stream")


def test_every_response_carries_a_seeded_request_id():
    ids = []
    for _ in range(2):
        with running_app(make_app()) as emu:
            ids.append(httpx.get(emu.base_url + "/health").headers["x-request-id"])
    assert ids[0] == ids[1]
    assert len(ids[0]) == 36


def test_handler_crash_answers_500_naming_the_operation(caplog):
    app = make_app()

    @app.handle("pets.delete")
    def broken(req: Any) -> Any:
        raise KeyError("nope")

    with running_app(app) as emu:
        response = httpx.delete(emu.base_url + "/pets/1", headers={"X-Key": KEY})
    assert response.status_code == 500
    assert response.json()["message"] == "emulator error in pets.delete: KeyError: 'nope'"


def test_extra_routes_stream_large_uploads_chunk_by_chunk():
    app = make_app()
    seen: dict[str, Any] = {}

    @app.route("PUT", "/upload/{key:path}", name="upload", stream=True)
    async def upload(req: Any) -> Any:
        chunks = [len(chunk) async for chunk in req.stream()]
        seen.update(key=req.path_params["key"], chunks=len(chunks), size=sum(chunks))
        return EmuResponse(200, headers={"ETag": '"abc"'})

    def body():
        for _ in range(64):
            yield b"\x00" * 65536

    with running_app(app) as emu:
        response = httpx.put(emu.origin + "/upload/a/b%20c.csv", content=body())
    assert response.status_code == 200
    assert seen["key"] == "a/b c.csv"
    assert seen["size"] == 64 * 65536
    assert seen["chunks"] > 1  # it arrived in pieces, not as one buffered body


def test_requests_library_gets_the_same_answers(emu):
    response = requests.get(emu.base_url + "/pets", params={"kind": "cow"}, headers={"X-Key": KEY})
    assert response.status_code == 400
    assert response.json()["field"] == "kind"


async def test_async_client_is_served_too(emu):
    async with httpx.AsyncClient(base_url=emu.base_url, headers={"X-Key": KEY}) as client:
        responses = [await client.get("/counters/5") for _ in range(3)]
    assert [r.json() for r in responses] == [{"n": "5"}] * 3


# -- generic emulator ----------------------------------------------------------------------------
def test_serve_spec_answers_with_bodies_made_from_the_schemas():
    with serve_spec(DOC) as emu:
        pet = httpx.get(emu.base_url + "/pets/p7").json()
        created = httpx.post(emu.base_url + "/pets", json={"name": "x"})
        bad = httpx.post(emu.base_url + "/pets", json={})
    assert pet == {
        "id": "string",
        "name": "string",
        "age": 0,
        "kind": "cat",
        "owner": {"email": "string"},
    }
    assert created.status_code == 201
    assert bad.status_code == 400


# -- clock ---------------------------------------------------------------------------------------
def test_clock_moves_only_when_advanced_or_slept_on():
    clock = EmulatorClock(start=1_000.0)
    assert isinstance(clock, Clock)
    assert (clock.time(), clock.monotonic()) == (1_000.0, 0.0)
    clock.advance(60)
    clock.sleep(30)
    assert clock.time() == 1_090.0
    assert clock.sleeps == [30]
    assert clock.now().isoformat() == "1970-01-01T00:18:10+00:00"
    with pytest.raises(ValueError, match="negative"):
        clock.advance(-1)


async def test_clock_asleep_advances_without_waiting():
    clock = EmulatorClock()
    await clock.asleep(3600)
    assert clock.monotonic() == 3600


def test_clock_is_safe_to_advance_from_many_threads():
    clock = EmulatorClock(start=0)
    threads = [
        threading.Thread(target=lambda: [clock.advance(1) for _ in range(1000)]) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert clock.time() == 8000


def test_handlers_see_the_emulator_clock():
    app = make_app()
    app.handle("counters.get")(lambda req: {"t": req.clock.time()})
    with running_app(app) as emu:
        emu.clock.advance(125)
        body = httpx.get(emu.base_url + "/counters/1", headers={"X-Key": KEY}).json()
    assert body == {"t": emu.clock.time()} == {"t": 1_700_000_125.0}


# -- pagination helpers --------------------------------------------------------------------------
def test_paginate_offset_slices_and_rejects_bad_numbers():
    assert paginate_offset(list(range(10)), 3, 8) == [8, 9]
    assert paginate_offset(list(range(10)), "2", None) == [0, 1]
    with pytest.raises(EmuError, match="offset must be >= 0"):
        paginate_offset([], 3, -1)
    with pytest.raises(EmuError, match="limit must be an integer"):
        paginate_offset([], "x", 0)


def test_paginate_page_sets_civis_headers():
    page = paginate_page(list(range(45)), 3, 20)
    assert page.json == list(range(40, 45))
    assert page.headers == {
        "X-Pagination-Current-Page": "3",
        "X-Pagination-Per-Page": "20",
        "X-Pagination-Total-Entries": "45",
        "X-Pagination-Total-Pages": "3",
    }


def test_paginate_cursor_walks_every_item_once():
    items, cursor, seen = list(range(7)), None, []
    while True:
        page, cursor = paginate_cursor(items, cursor, 3)
        seen += page
        if cursor is None:
            break
    assert seen == items
    with pytest.raises(EmuError, match="invalid cursor"):
        paginate_cursor(items, "garbage!", 3)


async def test_async_client_of_a_hand_built_app_uses_the_spec(emu):
    client = emu.async_client(headers={"X-Key": KEY})
    try:
        assert (await client.counters.get(8))["n"] == "8"
    finally:
        await client.aclose()


def test_public_names_are_exactly_the_documented_ones():
    import specclient.emulators as emulators

    assert sorted(emulators.__all__) == sorted(
        [
            "PLATFORMS",
            "Collection",
            "EmuError",
            "EmuRequest",
            "EmuResponse",
            "Emulator",
            "EmulatorApp",
            "EmulatorClock",
            "Fault",
            "FaultInjector",
            "FiredFault",
            "Routes",
            "ServerLimits",
            "build_generic",
            "check_options",
            "default_error_body",
            "paginate_cursor",
            "paginate_offset",
            "paginate_page",
            "running",
            "running_app",
            "serve_forever",
            "serve_spec",
        ]
    )
    assert all(hasattr(emulators, name) for name in emulators.__all__)


def test_check_responses_reports_replies_the_spec_does_not_promise():
    app = make_app(check_responses=True)
    app.handle("pets.get")(lambda req: {"id": "1", "name": 7})
    app.handle("counters.get")(lambda req: EmuResponse(200, json=[1]))
    app.handle("health.list")(lambda req: {"status": None})  # optional: null tolerated
    with running_app(app) as emu, httpx.Client(base_url=emu.base_url, headers={"X-Key": KEY}) as c:
        wrong_field = c.get("/pets/1")
        wrong_type = c.get("/counters/1")
        fine = c.get("/health")
    assert wrong_field.status_code == 500
    assert wrong_field.json()["message"] == (
        "emulator reply for pets.get breaks the spec: response body field 'name': "
        "7 is not of type 'string'"
    )
    assert "response body: [1] is not of type 'object'" in wrong_type.json()["message"]
    assert fine.status_code == 200


def test_a_broken_error_envelope_falls_back_to_the_default_one():
    def envelope(error: EmuError, req: Any) -> Any:
        raise RuntimeError("bug in the envelope")

    with running_app(make_app(error_body=envelope)) as emu:
        response = httpx.get(emu.base_url + "/nothing")
    assert response.status_code == 404
    assert response.json()["message"] == "no operation matches GET /v1/nothing"
