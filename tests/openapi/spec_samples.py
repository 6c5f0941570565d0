"""Sample documents shared by the spec tests."""

from __future__ import annotations

PETS_30 = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1.2"},
    "servers": [
        {
            "url": "https://{region}.pets.example/{base}",
            "variables": {"region": {"default": "eu"}, "base": {"default": "api"}},
        }
    ],
    "security": [{"oauth": []}],
    "paths": {
        "/pets": {
            "parameters": [
                {"name": "X-Trace-Id", "in": "header", "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer"}},
            ],
            "get": {
                "operationId": "listPets",
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "integer", "default": 20},
                    },
                    {"name": "session", "in": "cookie", "schema": {"type": "string"}},
                    {"name": "from", "in": "query", "schema": {"type": "string"}},
                ],
                "x-pagination": {
                    "style": "offset",
                    "items": "data",
                    "limit": "limit",
                    "offset": "startAt",
                },
                "x-records": "data",
                "responses": {
                    "200": {
                        "description": "ok",
                        "headers": {"X-Total": {"schema": {"type": "integer"}}},
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Pet"},
                                }
                            }
                        },
                    }
                },
            },
            "post": {
                "security": [],
                "x-idempotent": True,
                "requestBody": {"$ref": "#/components/requestBodies/NewPet"},
                "responses": {"201": {"$ref": "#/components/responses/PetCreated"}},
            },
        },
        "/pets/{petId}": {
            "parameters": [{"$ref": "#/components/parameters/PetId"}],
            "get": {"deprecated": True, "responses": {"default": {"description": "any"}}},
            "delete": {
                "x-waiter": {
                    "field": "state",
                    "success": ["GONE"],
                    "failure": "STUCK",
                    "maxDelay": 9,
                },
                "responses": {"204": {"description": "gone"}},
            },
        },
        "/pets/{petId}/photo": {
            "put": {
                "parameters": [{"$ref": "#/components/parameters/PetId"}],
                "requestBody": {
                    "content": {
                        "application/octet-stream": {
                            "schema": {"type": "string", "format": "binary"}
                        }
                    }
                },
                "responses": {"200": {"description": "ok"}},
            },
            "post": {
                "parameters": [{"$ref": "#/components/parameters/PetId"}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {
                                    "file": {"type": "string", "format": "binary"},
                                    "caption": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                "responses": {"200": {"description": "ok"}},
            },
        },
        "/pets/{petId}/vaccinations": {"$ref": "#/components/pathItems/Vaccinations"},
        "/org/{orgGuid}/dataset:view": {
            "post": {
                "x-resource": "datasets",
                "x-method": "view",
                "parameters": [
                    {
                        "name": "orgGuid",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "name": {"type": "string"},
                                    "apiKey": {"type": "string"},
                                },
                            }
                        }
                    }
                },
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
    "components": {
        "parameters": {
            "PetId": {
                "name": "petId",
                "in": "path",
                "required": True,
                "schema": {"type": "integer"},
            },
        },
        "requestBodies": {
            "NewPet": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "allOf": [
                                {"$ref": "#/components/schemas/PetBase"},
                                {
                                    "type": "object",
                                    "required": ["name"],
                                    "properties": {
                                        "name": {"type": "string"},
                                        "id": {"type": "integer", "readOnly": True},
                                        "password": {"type": "string"},
                                        "token": {"type": "string", "x-secret": True},
                                    },
                                },
                            ]
                        }
                    }
                },
            },
        },
        "responses": {
            "PetCreated": {
                "description": "created",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}},
            },
        },
        "pathItems": {},
        "schemas": {
            "PetBase": {
                "type": "object",
                "properties": {"tag": {"type": "string"}, "class": {"type": "string"}},
            },
            "Pet": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "owner": {
                        "type": "object",
                        "properties": {"ssn": {"type": "string", "x-secret": True}},
                    },
                    "parent": {"$ref": "#/components/schemas/Pet"},
                },
            },
        },
        "securitySchemes": {
            "oauth": {
                "type": "oauth2",
                "flows": {
                    "clientCredentials": {
                        "tokenUrl": "https://auth.pets.example/token",
                        "scopes": {},
                    }
                },
            },
            "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
            "basic": {"type": "http", "scheme": "Basic"},
        },
    },
}
# 3.0 has no components.pathItems; the path item is referenced from another path instead.
PETS_30["paths"]["/pets/{petId}/vaccinations"] = {"$ref": "#/paths/~1pets~1{petId}"}
del PETS_30["components"]["pathItems"]
