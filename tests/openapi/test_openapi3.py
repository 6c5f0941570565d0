"""OpenAPI 3.0 and 3.1 documents normalise into the model the client reads."""

from __future__ import annotations

import copy

import pytest
from spec_samples import PETS_30

from specclient.openapi import MISSING, load


@pytest.fixture(scope="module")
def pets():
    return load(copy.deepcopy(PETS_30), cache=False)


def test_document_level_facts(pets):
    assert pets.title == "Pets" and pets.version == "1.2"
    assert pets.openapi_version == "3.0.3"
    assert pets.servers == ("https://eu.pets.example/api",)
    assert pets.default_security == ("oauth",)
    oauth = pets.security_schemes["oauth"]
    assert (oauth.type, oauth.token_url) == ("oauth2", "https://auth.pets.example/token")
    key = pets.security_schemes["key"]
    assert (key.location, key.param_name) == ("header", "X-Key")
    assert pets.security_schemes["basic"].scheme == "basic"


def test_resources_and_methods_follow_the_path_rule(pets):
    assert pets.resource_names() == ("pets", "datasets")
    assert list(pets.operations("pets")) == [
        "list",
        "post",
        "get",
        "delete",
        "put_photo",
        "post_photo",
        "list_vaccinations",
        "delete_vaccinations",
    ]


def test_path_level_parameters_are_merged_and_overridden(pets):
    op = pets.operation("pets.list")
    by_name = {p.name: p for p in op.params}
    assert [p.location for p in op.params] == ["query", "query", "header", "cookie"]
    assert by_name["limit"].required is True  # the operation's definition wins
    assert by_name["limit"].default == 20
    assert by_name["x_trace_id"].wire_name == "X-Trace-Id"
    assert by_name["session"].location == "cookie"
    assert by_name["from_"].wire_name == "from"  # keyword made safe
    assert op.operation_id == "listPets"


def test_x_annotations_are_read(pets):
    op = pets.operation("pets.list")
    assert op.pagination.style == "offset"
    assert (op.pagination.items, op.pagination.limit_param) == ("data", "limit")
    assert op.pagination.offset_param == "start_at"
    assert op.records == "data"
    assert op.responses[0].headers == ("X-Total",)
    assert op.security is None
    post = pets.operation("pets.post")
    assert post.idempotent is True and post.security == ()
    waiter = pets.operation("pets.delete").waiter
    assert (waiter.field, waiter.success, waiter.failure, waiter.max_delay) == (
        "state",
        ("GONE",),
        ("STUCK",),
        9.0,
    )


def test_json_body_fields_merge_allof_and_skip_read_only(pets):
    op = pets.operation("pets.post")
    assert op.body.media_type == "application/json" and op.body.required
    fields = {f.name: f for f in op.body.fields}
    assert list(fields) == ["tag", "class_", "name", "password", "token"]
    assert {f.location for f in fields.values()} == {"body"}
    assert fields["name"].required and not fields["tag"].required
    assert fields["class_"].wire_name == "class"
    assert fields["token"].secret and fields["password"].secret
    assert op.params[-5:] == op.body.fields
    assert {"token", "password", "ssn"} <= op.secret_fields


def test_recursive_schema_is_cut_at_the_cycle(pets):
    schema = pets.operation("pets.post").success.schema
    assert schema["properties"]["parent"] == {"$recursive": "Pet"}
    listed = pets.operation("pets.list").success.schema
    assert listed["items"]["properties"]["parent"] == {"$recursive": "Pet"}


def test_binary_and_multipart_bodies(pets):
    put = pets.operation("pets.put_photo")
    assert put.body.media_type == "application/octet-stream" and put.body.fields == ()
    post = pets.operation("pets.post_photo")
    assert post.body.media_type == "multipart/form-data"
    assert [(f.name, f.location, f.required) for f in post.body.fields] == [
        ("file", "file", True),
        ("caption", "form", False),
    ]


def test_colon_path_form_body_and_explicit_names(pets):
    op = pets.operation("datasets.view")
    assert op.path == "/org/{orgGuid}/dataset:view"
    assert [(p.name, p.location) for p in op.params] == [
        ("org_guid", "path"),
        ("name", "form"),
        ("api_key", "form"),
    ]
    assert op.body.media_type == "application/x-www-form-urlencoded"
    assert op.params[2].secret


def test_deprecated_operation_is_kept_and_flagged(pets):
    op = pets.operation("pets.get")
    assert op.deprecated is True
    assert op.success.status == "default"


def test_path_item_ref_is_followed(pets):
    op = pets.operation("pets.list_vaccinations")
    assert op.path == "/pets/{petId}/vaccinations"
    assert [p.name for p in op.params] == ["pet_id"]
    assert op.pointer == "#/paths/~1pets~1{petId}~1vaccinations/get"


def test_param_without_default_is_missing(pets):
    assert pets.operation("pets.list").params[1].default is MISSING


def test_openapi_31_null_types_ref_siblings_and_path_items():
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/v1/nodes/{id}": {"$ref": "#/components/pathItems/Node"},
            "/v1/things": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "$ref": "#/components/schemas/Thing",
                                        "description": "overridden",
                                    }
                                }
                            },
                        }
                    }
                }
            },
        },
        "components": {
            "pathItems": {
                "Node": {
                    "get": {
                        "parameters": [
                            {
                                "name": "id",
                                "in": "path",
                                "required": True,
                                "schema": {"type": ["string", "null"]},
                            }
                        ],
                        "responses": {"200": {"description": "ok"}},
                    }
                }
            },
            "schemas": {
                "Thing": {
                    "type": ["object", "null"],
                    "description": "orig",
                    "properties": {"next": {"$ref": "#/components/schemas/Thing"}},
                }
            },
        },
    }
    spec = load(doc, cache=False)
    assert spec.openapi_version == "3.1.0"
    assert spec.resource_names() == ("nodes", "things")  # the /v1 base path is skipped
    node = spec.operation("nodes.get")
    assert node.path == "/v1/nodes/{id}"
    assert node.params[0].schema["type"] == ["string", "null"]
    thing = spec.operation("things.list").success.schema
    assert thing["description"] == "overridden"
    assert thing["properties"]["next"] == {"$recursive": "Thing"}


def test_form_urlencoded_and_multipart_in_31_with_content_media_type():
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/uploads": {
                "post": {
                    "requestBody": {
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "doc": {
                                            "type": "string",
                                            "contentMediaType": "application/pdf",
                                        },
                                        "many": {
                                            "type": "array",
                                            "items": {"type": "string", "format": "binary"},
                                        },
                                        "note": {"type": "string"},
                                    },
                                }
                            }
                        }
                    },
                    "responses": {"201": {"description": "ok"}},
                }
            }
        },
    }
    op = load(doc, cache=False).operation("uploads.post")
    assert [(f.name, f.location) for f in op.body.fields] == [
        ("doc", "file"),
        ("many", "file"),
        ("note", "form"),
    ]


def test_accept_content_type_and_authorization_header_params_are_ignored():
    doc = {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {
                "get": {
                    "parameters": [
                        {"name": n, "in": "header", "schema": {"type": "string"}}
                        for n in ("Accept", "Content-Type", "Authorization", "X-Keep")
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }
    op = load(doc, cache=False).operation("a.list")
    assert [p.wire_name for p in op.params] == ["X-Keep"]


def test_secret_parameters_and_server_overrides():
    doc = {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://main.example"}],
        "paths": {
            "/files": {
                "servers": [
                    {
                        "url": "https://{region}.files.example",
                        "variables": {"region": {"default": "us"}},
                    }
                ],
                "get": {
                    "parameters": [
                        {
                            "name": "signature",
                            "in": "query",
                            "x-secret": True,
                            "schema": {"type": "string"},
                        },
                        {"name": "api_key", "in": "query", "schema": {"type": "string"}},
                        {"name": "page", "in": "query", "schema": {"type": "integer"}},
                    ],
                    "responses": {"200": {"description": "ok"}},
                },
                "post": {
                    "servers": [{"url": "https://upload.example/"}],
                    "responses": {"200": {"description": "ok"}},
                },
            }
        },
    }
    spec = load(doc, cache=False)
    listed = spec.operation("files.list")
    assert [p.secret for p in listed.params] == [True, True, False]
    assert listed.secret_fields == {"signature", "api_key"}
    assert listed.servers == ("https://us.files.example",)
    assert spec.operation("files.post").servers == ("https://upload.example",)
    assert spec.servers == ("https://main.example",)
