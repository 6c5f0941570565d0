"""Each wire defect listed in issue 10, as seen on public API descriptions, now sent right.

Every test here failed before the engine's wire layer (the request went out wrong and raised
nothing, or raised a ``TypeError``/``AttributeError`` from deep inside), except
``test_helpers_keep_their_plain_names_when_no_resource_takes_them``, which guards what the
helpers' move must keep.
"""

from __future__ import annotations

import asyncio
import inspect
import io

import pytest
from wire_server import client, openapi, swagger

import specclient
from specclient.errors import ParameterError


def _query(name, schema, **extra):
    return {"name": name, "in": "query", "schema": schema, **extra}


STRINGS = {"type": "array", "items": {"type": "string"}}


# -- 1. parameters -------------------------------------------------------------------------------


def test_explode_false_query_array_is_comma_separated(wire):
    parameters = [_query("opt_fields", STRINGS, explode=False)]
    client(openapi("/tasks", parameters=parameters), wire).t.call(opt_fields=["a", "b"])
    assert wire.last.target == "/tasks?opt_fields=a,b"  # was opt_fields=a&opt_fields=b


def test_swagger_2_array_defaults_to_csv(wire):
    parameters = [{"name": "ids", "in": "query", "type": "array", "items": {"type": "string"}}]
    client(swagger("/things", parameters=parameters), wire).t.call(ids=["a", "b"])
    assert wire.last.target == "/things?ids=a,b"  # was ids=a&ids=b


def test_deep_object_filter_keeps_its_name(wire):
    parameters = [_query("created", {"type": "object"}, style="deepObject", explode=True)]
    client(openapi("/charges", parameters=parameters), wire).t.call(created={"gte": 1})
    assert wire.last.target == "/charges?created%5Bgte%5D=1"  # was ?gte=1


def test_header_array_is_simple_style_not_a_python_list(wire):
    parameters = [{"name": "X-Versions", "in": "header", "schema": STRINGS}]
    client(openapi("/h", parameters=parameters), wire).t.call(x_versions=["v1"])
    assert wire.last.header("X-Versions") == "v1"  # was ['v1']


def test_path_array_is_simple_style_not_a_quoted_repr(wire):
    parameters = [{"name": "ids", "in": "path", "required": True, "schema": STRINGS}]
    client(openapi("/items/{ids}", parameters=parameters), wire).t.call(["a", "b"])
    assert wire.last.target == "/items/a,b"  # was /items/%5B%27a%27...


# -- 2. bodies -----------------------------------------------------------------------------------


def _form(media, properties, **media_object):
    content = {media: {"schema": {"type": "object", "properties": properties}, **media_object}}
    return openapi("/f", "post", requestBody={"content": content})


def test_nested_form_object_is_never_a_python_repr(wire):
    document = _form("application/x-www-form-urlencoded", {"address": {"type": "object"}})
    client(document, wire).t.call(address={"city": "Paris"})
    assert wire.last.body == b"address=%7B%22city%22%3A%22Paris%22%7D"  # was address={'city': ...}
    document = _form(
        "application/x-www-form-urlencoded",
        {"address": {"type": "object"}},
        encoding={"address": {"style": "deepObject", "explode": True}},
    )
    client(document, wire).t.call(address={"city": "Paris"})
    assert wire.last.body == b"address%5Bcity%5D=Paris"


def test_multipart_without_file_is_sent_as_multipart(wire):
    client(_form("multipart/form-data", {"name": {"type": "string"}}), wire).t.call(name="x")
    assert wire.last.header("Content-Type").startswith("multipart/form-data; boundary=")


def test_array_of_files_is_sent_not_an_attribute_error(wire):
    properties = {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}}
    client(_form("multipart/form-data", properties), wire).t.call(
        files=[io.BytesIO(b"one"), io.BytesIO(b"two")]
    )
    assert wire.last.body.count(b'name="files"; filename="files"') == 2
    assert b"\r\n\r\none\r\n" in wire.last.body and b"\r\n\r\ntwo\r\n" in wire.last.body


@pytest.mark.parametrize("media", ["application/xml", "application/octet-stream"])
def test_xml_and_octet_stream_bodies_are_sent_raw(wire, media):
    document = openapi("/raw", "put", requestBody={"content": {media: {"schema": {}}}})
    client(document, wire).t.call(_body=b"<x/>")
    assert (wire.last.header("Content-Type"), wire.last.body) == (media, b"<x/>")


def test_wildcard_body_of_an_orchestration_api_goes_as_json(wire):
    # Kubernetes' Swagger 2.0: consumes */*, a body parameter with an object schema.
    body = {"name": "body", "in": "body", "required": True, "schema": {"type": "object"}}
    document = swagger("/api/v1/namespaces", "post", parameters=[body], consumes=["*/*"])
    client(document, wire).t.call(_body={"kind": "Namespace"})
    assert wire.last.header("Content-Type") == "application/json"
    assert wire.last.body == b'{"kind":"Namespace"}'  # was a TypeError


# -- 3. names never collide ----------------------------------------------------------------------


def _issue_tracker():
    schema = {
        "type": "object",
        "required": ["title"],
        "properties": {
            "title": {"type": "string"},
            "body": {"type": "string"},
            "headers": {"type": "string"},
            "timeout": {"type": "integer"},
        },
    }
    return openapi(
        "/repos/{owner}/issues",
        "post",
        parameters=[
            {"name": "owner", "in": "path", "required": True, "schema": {"type": "string"}}
        ],
        requestBody={"required": True, "content": {"application/json": {"schema": schema}}},
    )


def test_a_body_field_named_body_is_an_ordinary_field(wire):
    api = client(_issue_tracker(), wire)
    api.t.call("me", title="Bug", body="It broke", headers="h", timeout=5)
    assert wire.last.body == b'{"title":"Bug","body":"It broke","headers":"h","timeout":5}'
    params = inspect.signature(api.t.call).parameters
    assert {"body", "headers", "timeout", "_body", "_headers", "_timeout", "return_type"} <= set(
        params
    )


def test_per_call_options_keep_their_underscore_spelling_when_shadowed(wire):
    api = client(_issue_tracker(), wire)
    api.t.call("me", title="T", _headers={"X-Extra": "1"}, _return_type="raw", _timeout=3)
    assert wire.last.header("X-Extra") == "1"
    assert wire.last.body == b'{"title":"T"}'
    api.t.call("me", _body={"title": "whole", "body": "b"})
    assert wire.last.body == b'{"title":"whole","body":"b"}'


def test_plain_option_names_still_work_where_free(wire):
    parameters = [{"name": "q", "in": "query", "schema": {"type": "string"}}]
    api = client(openapi("/s", parameters=parameters), wire)
    api.t.call(q="x", headers={"X-A": "1"}, return_type="raw", timeout=2)
    assert wire.last.header("X-A") == "1"
    with pytest.raises(ParameterError, match="headers was given twice"):
        api.t.call(headers={"X-A": "1"}, _headers={"X-A": "2"})


def test_no_spec_name_becomes_a_leading_underscore(wire):
    parameters = [{"name": "_id", "in": "query", "schema": {"type": "string"}}]
    api = client(openapi("/docs", parameters=parameters), wire)
    assert list(inspect.signature(api.t.call).parameters)[0] == "id"
    api.t.call(id="7")
    assert wire.last.target == "/docs?_id=7"


def _shadowing_spec():
    paths = {}
    for resource in ("auth", "request", "spec", "http", "close", "base_url", "call"):
        paths[f"/{resource}"] = {"get": {"responses": {"200": {"description": "ok"}}}}
    paths["/things/method"] = {
        "get": {"x-method": "method", "responses": {"200": {"description": "ok"}}}
    }
    return {"openapi": "3.1.0", "info": {"title": "s", "version": "1"}, "paths": paths}


def test_resources_named_like_client_helpers_win(wire):
    with client(_shadowing_spec(), wire) as api:
        assert isinstance(api.auth, specclient.client.Resource)
        api.request.list()
        assert wire.last.target == "/request"
        api.close.list()
        api.things.method()  # a method named like the resource helper
        assert wire.last.target == "/things/method"
        assert api._spec.title == "s" and api._base_url == wire.base_url
        assert api._request("GET", "/raw").status_code == 200
        assert wire.last.target == "/raw"
        assert api._resource("spec") is api.spec
        assert {"auth", "request", "spec", "http", "close", "base_url", "call"} <= set(dir(api))


def test_helpers_keep_their_plain_names_when_no_resource_takes_them(wire):
    api = client(openapi("/x"), wire)
    assert api.base_url == wire.base_url
    assert api.spec.title == "wire"
    assert api.resource("t") is api.t
    api.close()
    assert api.t.method("call") is api.t.call


# -- 4. a required body is never sent empty ------------------------------------------------------


def test_required_body_with_only_optional_fields_is_refused_before_sending(wire):
    schema = {"type": "object", "properties": {"note": {"type": "string"}}}
    document = openapi(
        "/runs",
        "post",
        requestBody={"required": True, "content": {"application/json": {"schema": schema}}},
    )
    api = client(document, wire)
    with pytest.raises(
        ParameterError, match=r"a request body is required: .*body=\{\} to send an empty"
    ):
        api.t.call()
    assert wire.requests == []
    api.t.call(_body={})
    assert wire.last.body == b"{}"


# -- 5. servers ----------------------------------------------------------------------------------


def _upload_spec(server_url, level="operation"):
    operation = {
        "x-resource": "files",
        "x-method": "upload",
        "responses": {"200": {"description": "ok"}},
    }
    item = {"post": operation}
    (operation if level == "operation" else item)["servers"] = [{"url": server_url}]
    paths = {
        "/upload": item,
        "/list": {
            "get": {
                "x-resource": "files",
                "x-method": "list",
                "responses": {"200": {"description": "ok"}},
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "s", "version": "1"},
        "servers": [{"url": "https://api.example.invalid/v1"}],
        "paths": paths,
    }


@pytest.mark.parametrize("level", ["operation", "path"])
def test_an_absolute_operation_server_is_honoured_and_can_be_mapped(wire, level):
    spec = _upload_spec("https://{region}.uploads.example.invalid/v2", level)
    servers = spec["paths"]["/upload"].get("servers") or spec["paths"]["/upload"]["post"]["servers"]
    servers[0]["variables"] = {"region": {"default": "eu"}}
    api = client(
        spec, wire, servers={"https://eu.uploads.example.invalid/v2": wire.base_url + "/up"}
    )
    api.files.upload()
    assert wire.last.target == "/up/upload"
    api.files.list()
    assert wire.last.target == "/list"  # base_url= replaces only the document-level servers


def test_an_unmapped_absolute_operation_server_is_where_the_request_goes():
    spec = _upload_spec("https://uploads.example.invalid")
    api = specclient.Client.from_spec(spec, base_url="http://127.0.0.1:9", cache=False)
    assert api._server_for(api.files.upload.operation) == "https://uploads.example.invalid"


def test_connect_passes_servers_to_the_client():
    mapped = {"https://uploads.example.invalid": "http://127.0.0.1:9"}
    client = specclient.connect("habu", client_id="i", client_secret="s", servers=mapped)
    assert client._server_map == mapped


def test_a_relative_operation_server_resolves_against_the_base_url(wire):
    client(_upload_spec("/uploads"), wire).files.upload()
    assert wire.last.target == "/uploads/upload"
    client(_upload_spec("/uploads"), wire, base_url=wire.base_url + "/api").files.upload()
    assert wire.last.target == "/uploads/upload"
    client(_upload_spec("uploads"), wire, base_url=wire.base_url + "/api").files.upload()
    assert wire.last.target == "/api/uploads/upload"


def test_a_path_template_keeps_its_own_query_string(wire):
    parameters = [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "reason", "in": "query", "schema": {"type": "string"}},
    ]
    document = openapi("/responses/{id}/cancel?beta=true", "post", parameters=parameters)
    client(document, wire).t.call("r 1", reason="late")
    assert wire.last.target == "/responses/r%201/cancel?beta=true&reason=late"


# -- the async client sends the same bytes -------------------------------------------------------


def test_async_client_streams_the_same_multipart_body(wire):
    document = _form("multipart/form-data", {"doc": {"type": "string", "format": "binary"}})

    async def send():
        async with specclient.AsyncClient(document, base_url=wire.base_url, cache=False) as api:
            await api.t.call(doc=io.BytesIO(b"async bytes"))

    asyncio.run(send())
    assert (
        b'name="doc"; filename="doc"\r\nContent-Type: application/octet-stream\r\n\r\nasync bytes'
        in (wire.last.body)
    )


def test_async_client_streams_an_async_generator_body(wire):
    document = openapi("/raw", "put", requestBody={"content": {"application/octet-stream": {}}})

    async def chunks():
        yield b"first "
        yield b"second"

    async def send():
        async with specclient.AsyncClient(document, base_url=wire.base_url, cache=False) as api:
            await api.t.call(_body=chunks())

    asyncio.run(send())
    assert wire.last.header("Transfer-Encoding") == "chunked"
    assert wire.last.body == b"first second"
