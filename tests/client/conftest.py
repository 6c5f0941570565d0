"""A small spec exercising every feature of the engine, and a recording transport."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

PETS_SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1"},
    "servers": [{"url": "https://pets.example/v1"}],
    "paths": {
        "/pets": {
            "get": {
                "summary": "List pets",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {"name": "offset", "in": "query", "schema": {"type": "integer"}},
                    {
                        "name": "tags",
                        "in": "query",
                        "schema": {"type": "array", "items": {"type": "string"}},
                    },
                    {"name": "onlyHealthy", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                ],
                "x-pagination": {
                    "style": "offset",
                    "items": "items",
                    "limit": "limit",
                    "offset": "offset",
                },
                "x-records": "items",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "items": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/Pet"},
                                        }
                                    },
                                }
                            }
                        },
                    }
                },
            },
            "post": {
                "summary": "Create a pet",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/NewPet"}}
                    },
                },
                "responses": {
                    "201": {
                        "description": "created",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                        },
                    }
                },
            },
        },
        "/pets/{petId}": {
            "parameters": [
                {"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "get": {
                "summary": "Get a pet",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                        },
                    }
                },
                "x-waiter": {
                    "field": "status",
                    "success": ["ADOPTED"],
                    "failure": ["LOST"],
                    "delay": 10,
                    "timeout": 600,
                    "reason_field": "lostReason",
                },
            },
            "delete": {"summary": "Remove a pet", "responses": {"204": {"description": "gone"}}},
        },
        "/pets/{petId}/photo": {
            "put": {
                "parameters": [
                    {"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "requestBody": {
                    "content": {
                        "application/octet-stream": {
                            "schema": {"type": "string", "format": "binary"}
                        }
                    }
                },
                "responses": {"204": {"description": "stored"}},
            },
        },
        "/owners/{ownerId}/pets:adopt": {
            "post": {
                "x-resource": "owners",
                "x-method": "adopt",
                "parameters": [
                    {
                        "name": "ownerId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "required": ["petId"],
                                "properties": {
                                    "petId": {"type": "string"},
                                    "note": {"type": "string"},
                                },
                            }
                        }
                    }
                },
                "responses": {"200": {"description": "ok"}},
            },
        },
        "/feed": {
            "get": {
                "parameters": [{"name": "cursor", "in": "query", "schema": {"type": "string"}}],
                "x-pagination": {
                    "style": "cursor",
                    "items": "data",
                    "cursor": "cursor",
                    "next": "next",
                },
                "responses": {"200": {"description": "ok"}},
            },
        },
    },
    "components": {
        "schemas": {
            "Pet": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "ageYears": {"type": "integer", "nullable": True},
                    "bornAt": {"type": "string", "format": "date-time"},
                    "status": {"type": "string"},
                    "kind": {"type": "string", "enum": ["cat", "dog"]},
                },
            },
            "NewPet": {
                "type": "object",
                "required": ["name", "kind"],
                "properties": {
                    "name": {"type": "string"},
                    "kind": {"type": "string", "enum": ["cat", "dog"]},
                    "startAt": {"type": "string", "format": "date-time"},
                    "ageYears": {"type": "integer"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}


class Recorder:
    """An httpx transport that records requests and answers from a handler."""

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.handler = handler or (lambda request: httpx.Response(200, json={}))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self.handler(request)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def last_json(self) -> Any:
        return json.loads(self.last.content)


@pytest.fixture
def pets_spec() -> dict[str, Any]:
    return json.loads(json.dumps(PETS_SPEC))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def pets(pets_spec, recorder):
    import specclient

    return specclient.Client.from_spec(pets_spec, http=recorder.transport, cache=False)
