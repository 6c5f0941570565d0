"""Swagger 2.0 documents normalise into the same model as OpenAPI 3."""

from __future__ import annotations

import pytest

from specclient.openapi import load

STORE_20 = {
    "swagger": "2.0",
    "info": {"title": "Store", "version": "2"},
    "host": "store.example:8443",
    "basePath": "/api",
    "schemes": ["https", "http"],
    "consumes": ["application/json"],
    "produces": ["application/json"],
    "securityDefinitions": {
        "app": {
            "type": "oauth2",
            "flow": "application",
            "tokenUrl": "https://store.example/oauth/token",
        },
        "basic": {"type": "basic"},
        "key": {"type": "apiKey", "in": "query", "name": "api_key"},
    },
    "security": [{"app": []}],
    "parameters": {
        "OrderId": {"name": "orderId", "in": "path", "required": True, "type": "integer"}
    },
    "responses": {"NotFound": {"description": "missing"}},
    "definitions": {
        "Order": {
            "type": "object",
            "required": ["sku"],
            "properties": {
                "sku": {"type": "string"},
                "quantity": {"type": "integer", "default": 1},
                "lines": {"type": "array", "items": {"$ref": "#/definitions/Order"}},
                "cardNumber": {"type": "string", "x-secret": True},
            },
        },
    },
    "paths": {
        "/orders": {
            "get": {
                "parameters": [
                    {
                        "name": "tags",
                        "in": "query",
                        "type": "array",
                        "items": {"type": "string"},
                        "collectionFormat": "multi",
                    },
                    {"name": "X-Request-Id", "in": "header", "type": "string"},
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "schema": {"type": "array", "items": {"$ref": "#/definitions/Order"}},
                    }
                },
            },
            "post": {
                "parameters": [
                    {
                        "name": "order",
                        "in": "body",
                        "required": True,
                        "schema": {"$ref": "#/definitions/Order"},
                    }
                ],
                "responses": {
                    "201": {"description": "ok", "schema": {"$ref": "#/definitions/Order"}}
                },
            },
        },
        "/orders/{orderId}": {
            "parameters": [{"$ref": "#/parameters/OrderId"}],
            "get": {
                "responses": {"200": {"description": "ok"}, "404": {"$ref": "#/responses/NotFound"}}
            },
        },
        "/orders/{orderId}/receipt": {
            "post": {
                "consumes": ["multipart/form-data"],
                "parameters": [
                    {"$ref": "#/parameters/OrderId"},
                    {"name": "file", "in": "formData", "type": "file", "required": True},
                    {"name": "note", "in": "formData", "type": "string", "x-secret": True},
                ],
                "responses": {"200": {"description": "ok"}},
            },
            "put": {
                "consumes": ["application/x-www-form-urlencoded"],
                "parameters": [
                    {"$ref": "#/parameters/OrderId"},
                    {"name": "note", "in": "formData", "type": "string"},
                ],
                "responses": {"200": {"description": "ok"}},
            },
        },
    },
}


@pytest.fixture(scope="module")
def store():
    return load(STORE_20, cache=False)


def test_host_base_path_and_schemes_become_servers(store):
    assert store.openapi_version == "2.0"
    assert store.servers == ("https://store.example:8443/api", "http://store.example:8443/api")


def test_security_definitions_including_application_flow(store):
    app = store.security_schemes["app"]
    assert (app.type, app.token_url) == ("oauth2", "https://store.example/oauth/token")
    assert (store.security_schemes["basic"].type, store.security_schemes["basic"].scheme) == (
        "http",
        "basic",
    )
    key = store.security_schemes["key"]
    assert (key.location, key.param_name) == ("query", "api_key")
    assert store.default_security == ("app",)


def test_in_body_parameter_becomes_json_body_fields(store):
    op = store.operation("orders.post")
    assert op.body.media_type == "application/json" and op.body.required
    assert [(f.name, f.wire_name, f.location, f.required) for f in op.body.fields] == [
        ("sku", "sku", "body", True),
        ("quantity", "quantity", "body", False),
        ("lines", "lines", "body", False),
        ("card_number", "cardNumber", "body", False),
    ]
    assert op.body.fields[1].default == 1
    assert op.body.schema["properties"]["lines"]["items"] == {"$recursive": "Order"}
    assert "cardNumber" in op.secret_fields and op.body.fields[3].secret


def test_query_array_collection_format_and_header(store):
    op = store.operation("orders.list")
    tags, request_id = op.params
    assert tags.schema == {
        "type": "array",
        "items": {"type": "string"},
        "collectionFormat": "multi",
    }
    assert (tags.style, tags.explode) == ("form", True)
    assert (request_id.name, request_id.location) == ("x_request_id", "header")
    assert op.success.media_type == "application/json"
    assert op.success.schema["type"] == "array"


def test_referenced_path_parameter_and_response(store):
    op = store.operation("orders.get")
    assert [(p.name, p.wire_name, p.required) for p in op.params] == [("order_id", "orderId", True)]
    assert [r.status for r in op.responses] == ["200", "404"]
    assert op.responses[1].description == "missing"


def test_form_data_with_file_is_multipart(store):
    op = store.operation("orders.post_receipt")
    assert op.body.media_type == "multipart/form-data"
    assert [(p.name, p.location) for p in op.params] == [
        ("order_id", "path"),
        ("file", "file"),
        ("note", "form"),
    ]
    assert op.body.required and "note" in op.secret_fields


def test_form_data_without_file_is_urlencoded(store):
    op = store.operation("orders.put_receipt")
    assert op.body.media_type == "application/x-www-form-urlencoded"
    assert [f.location for f in op.body.fields] == ["form"]


def test_swagger_without_host_keeps_relative_base_path():
    spec = load(
        {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "basePath": "/v2", "paths": {}},
        cache=False,
    )
    assert spec.servers == ("/v2",)
    assert spec.resource_names() == ()
