"""A small normalised spec built straight from the model classes.

Codegen reads only :mod:`specclient.openapi.model`, so its tests build the model directly: they
exercise every shape the templates handle (path, query, body fields, nullable, arrays, nested
responses, pagination, a waiter, a binary upload) without depending on the loader.
"""

from __future__ import annotations

from collections.abc import Mapping

from specclient.openapi.model import (
    Operation,
    Pagination,
    Param,
    RequestBody,
    ResponseShape,
    Spec,
    Waiter,
)

ROOM = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "description": "The room's UUID."},
        "displayName": {"type": "string"},
        "memberCount": {"type": "integer"},
        "owner": {
            "type": "object",
            "properties": {"userId": {"type": "integer"}, "email": {"type": "string"}},
        },
        "tags": {"type": "array", "items": {"type": "string"}},
        "@id": {"type": "string"},  # not an identifier: reachable only as room["@id"]
        "items": {"type": "integer"},  # clashes with Mapping.items: no attribute declared
    },
}

RUN = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "status": {"type": "string"}},
}


class StaticSpec(Spec):
    """A Spec over operations given in memory."""

    def __init__(self, operations: list[Operation], title: str = "Rooms API") -> None:
        self.title = title
        self.version = "1.0"
        self.openapi_version = "3.0.3"
        self.servers = ("https://rooms.example.com/v1",)
        self._by_resource: dict[str, dict[str, Operation]] = {}
        for op in operations:
            self._by_resource.setdefault(op.resource, {})[op.method] = op

    def resource_names(self) -> tuple[str, ...]:
        return tuple(self._by_resource)

    def operations(self, resource: str) -> Mapping[str, Operation]:
        return self._by_resource[resource]


def rooms_spec() -> StaticSpec:
    room_id = Param(
        "room_id",
        "roomId",
        "path",
        {"type": "string"},
        required=True,
        description="The room's UUID.",
    )
    body_fields = (
        Param(
            "name",
            "name",
            "body",
            {"type": "string"},
            required=True,
            description="Shown to members.",
        ),
        Param("capacity", "capacity", "body", {"type": "integer", "nullable": True}),
        Param("labels", "labels", "body", {"type": "array", "items": {"type": "string"}}),
    )
    return StaticSpec(
        [
            Operation(
                "rooms",
                "list",
                "get",
                "/rooms",
                params=(
                    Param("limit", "limit", "query", {"type": "integer"}, description="Page size."),
                    Param("offset", "offset", "query", {"type": "integer"}),
                    Param(
                        "status", "status", "query", {"type": "string", "enum": ["OPEN", "CLOSED"]}
                    ),
                ),
                responses=(
                    ResponseShape(
                        "200", "application/json", {"type": "array", "items": ROOM}, "The rooms."
                    ),
                ),
                summary="List rooms",
                pagination=Pagination("offset", "", limit_param="limit", offset_param="offset"),
            ),
            Operation(
                "rooms",
                "get",
                "get",
                "/rooms/{roomId}",
                params=(room_id,),
                responses=(ResponseShape("200", "application/json", ROOM, "One room."),),
                summary="Get a room",
                description="Fetch one room by its UUID.\n\nDisplay IDs are refused.",
            ),
            Operation(
                "rooms",
                "create",
                "post",
                "/rooms",
                params=body_fields,
                body=RequestBody(
                    "application/json", {"type": "object"}, required=True, fields=body_fields
                ),
                responses=(ResponseShape("201", "application/json", ROOM),),
                summary="Create a room",
            ),
            Operation(
                "rooms",
                "delete",
                "delete",
                "/rooms/{roomId}",
                params=(room_id,),
                responses=(ResponseShape("204"),),
                summary="Delete a room",
            ),
            Operation(
                "room_runs",
                "create",
                "post",
                "/rooms/{roomId}/runs",
                params=(room_id,),
                responses=(ResponseShape("202", "application/json", RUN),),
                summary='Start a "run" \\ of a room',
                waiter=Waiter("status", ("COMPLETED",), ("FAILED",), operation="room_runs.get"),
            ),
            Operation(
                "room_runs",
                "get",
                "get",
                "/runs/{runId}",
                params=(Param("run_id", "runId", "path", {"type": "string"}, required=True),),
                responses=(ResponseShape("200", "application/json", RUN),),
                summary="Get a run",
            ),
            Operation(
                "files",
                "upload",
                "post",
                "/files",
                params=(
                    Param(
                        "file",
                        "file",
                        "file",
                        {"type": "string", "format": "binary"},
                        required=True,
                    ),
                    Param("name", "name", "form", {"type": "string"}),
                ),
                body=RequestBody("multipart/form-data", {"type": "object"}),
                responses=(ResponseShape("200", "text/csv", {"type": "string"}),),
                summary="Upload a file",
            ),
        ]
    )
