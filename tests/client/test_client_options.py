"""The engine's public seams for platforms: ClientOptions, event hooks, the decoder hook and
error envelopes declared in the spec (docs/CONTRACTS.md)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import specclient
from specclient.errors import APIError, ForbiddenError, NotFoundError, ParameterError, SpecError
from specclient.response import Response, ResponseList

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "servers": [{"url": "https://api.example/v1"}],
    "x-error-envelope": {
        "when": {"success": False},
        "code": "error.code",
        "message": "error.description",
        "status": {"notfound": 404},
        "message_status": {"scope": 403},
    },
    "paths": {
        "/things": {"get": {"operationId": "listThings", "responses": {"200": {"description": ""}}}}
    },
}


def client_answering(reply: httpx.Response, seen: list[httpx.Request], **options: Any) -> Any:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return reply

    return specclient.Client(SPEC, http=httpx.MockTransport(handle), cache=False, **options)


# -- ClientOptions ---------------------------------------------------------------------------


def test_options_are_validated_when_built_and_frozen():
    with pytest.raises(ParameterError, match="return_type must be one of"):
        specclient.ClientOptions(return_type="camel")
    with pytest.raises(ParameterError, match="max_retries must be a whole number"):
        specclient.ClientOptions(max_retries=-1)
    with pytest.raises(ParameterError, match="event_hooks has no event 'sent'"):
        specclient.ClientOptions(event_hooks={"sent": []})
    with pytest.raises(ParameterError, match="response_class must be a Response subclass"):
        specclient.ClientOptions(response_class=dict)
    options = specclient.ClientOptions(settings={"page_size": 5})
    with pytest.raises(TypeError):
        options.settings["page_size"] = 6  # type: ignore[index]
    with pytest.raises(AttributeError):
        options.timeout = 1  # type: ignore[misc]


def test_the_options_repr_hides_secret_headers_and_url_credentials():
    options = specclient.ClientOptions(
        base_url="https://api.example/v1?api_key=hush-1",
        headers={"Authorization": "Bearer hush-2", "X-Trace": "t-1"},
    )
    shown = repr(options)
    assert "hush-1" not in shown and "hush-2" not in shown
    assert "X-Trace" in shown and "t-1" in shown


def test_a_client_takes_options_whole_or_as_keywords_and_refuses_unknown_ones():
    options = specclient.ClientOptions(base_url="http://127.0.0.1:1", settings={"a": 1})
    client = specclient.Client(SPEC, options=options, cache=False)
    assert client.options.base_url == "http://127.0.0.1:1" and client.settings == {"a": 1}
    assert client.options.cache is False and options.cache is True
    with pytest.raises(ParameterError, match="unknown option 'time_out' \\(did you mean 'timeout'"):
        specclient.Client(SPEC, time_out=3)


# -- event hooks -----------------------------------------------------------------------------


def test_request_hooks_change_what_is_sent_and_response_hooks_see_the_reply():
    seen: list[httpx.Request] = []
    replies: list[int] = []

    def tag(request: httpx.Request) -> None:
        request.url = request.url.copy_add_param("api_version", "2025.3")

    client = client_answering(
        httpx.Response(200, json=[]),
        seen,
        event_hooks={"request": [tag], "response": [lambda r: replies.append(r.status_code)]},
    )
    client.things.list()
    client.request("GET", "/other")
    assert [str(r.url) for r in seen] == [
        "https://api.example/v1/things?api_version=2025.3",
        "https://api.example/v1/other?api_version=2025.3",
    ]
    assert replies == [200, 200]


async def test_event_hooks_run_on_the_async_client_too():
    seen: list[httpx.Request] = []

    async def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    replies: list[int] = []
    async with specclient.AsyncClient(
        SPEC,
        http=httpx.MockTransport(handle),
        cache=False,
        event_hooks={
            "request": [lambda r: r.headers.__setitem__("X-Hooked", "1")],
            "response": [lambda r: replies.append(r.status_code)],
        },
    ) as client:
        await client.things.list()
    assert seen[0].headers["X-Hooked"] == "1" and replies == [200]


# -- decoder hook ----------------------------------------------------------------------------


class Shouting(Response):
    __slots__ = ()

    def json(self) -> Any:
        return {k.upper(): v for k, v in super().json().items()}


class ShoutingList(ResponseList):
    pass


Shouting.list_class = ShoutingList


def test_answers_decode_to_the_response_class_arrays_to_its_list_class():
    seen: list[httpx.Request] = []
    body = [{"name": "a", "inner": {"x": 1}}]
    client = client_answering(httpx.Response(200, json=body), seen, response_class=Shouting)
    things = client.things.list()
    assert type(things) is ShoutingList
    assert type(things[0]) is Shouting and type(things[0].inner) is Shouting
    assert things[0].json() == {"NAME": "a", "INNER": {"x": 1}}


# -- error envelopes -------------------------------------------------------------------------


def failure(code: str, description: str) -> httpx.Response:
    return httpx.Response(
        200, json={"success": False, "error": {"code": code, "description": description}}
    )


@pytest.mark.parametrize(
    ("reply", "error_class", "code"),
    [
        (failure("notfound", "no such table"), NotFoundError, "notfound"),
        (failure("unauthorized", "Missing scope data_write"), ForbiddenError, "unauthorized"),
        (failure("boom", "it broke"), APIError, "boom"),
    ],
)
def test_a_200_failure_envelope_is_the_api_error_its_code_stands_for(reply, error_class, code):
    seen: list[httpx.Request] = []
    client = client_answering(reply, seen)
    with pytest.raises(error_class) as caught:
        client.things.list()
    assert caught.value.code == code
    assert caught.value.description in str(caught.value)
    assert caught.value.status_code == 200


def test_a_platform_names_its_own_envelope_error_classes():
    class Mine(APIError):
        pass

    class MineNotFound(Mine, NotFoundError):
        pass

    seen: list[httpx.Request] = []
    client = client_answering(
        failure("notfound", "gone"), seen, envelope_errors={404: MineNotFound, None: Mine}
    )
    with pytest.raises(MineNotFound):
        client.things.list()
    other = client_answering(failure("odd", "?"), seen, envelope_errors={None: Mine})
    with pytest.raises(Mine):
        other.request("GET", "/things", return_type="snake")


def test_a_successful_body_that_mentions_success_false_deeper_is_not_an_error():
    seen: list[httpx.Request] = []
    rows = [{"success": False, "row": 1}]
    client = client_answering(httpx.Response(200, json=rows), seen)
    assert client.things.list()[0].row == 1


def test_a_malformed_envelope_declaration_is_a_spec_error():
    spec = {**SPEC, "x-error-envelope": {"code": "error.code"}}
    client = specclient.Client(
        spec, http=httpx.MockTransport(lambda r: httpx.Response(200, json=[])), cache=False
    )
    with pytest.raises(SpecError, match="x-error-envelope must be a mapping"):
        client.things.list()
