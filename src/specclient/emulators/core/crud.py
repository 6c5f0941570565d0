"""Stateful answers, read from the spec, for the operations a platform does not model by hand.

A fake that answers 501 breaks its users' tests (issue 17), yet many operations of a large
spec (Habu's 152) are plain records: things created under a collection, read, listed, changed
and deleted. :class:`SpecRecords` answers each of them from the spec alone:

- ``POST /things`` (when ``GET /things`` lists the same path) creates a record: the body, a
  new id, the path's parent ids; ``GET /things`` lists the records made there;
- ``GET|PUT|PATCH|DELETE /things/{thingId}`` reads, merges the body into, or removes one
  record (404 in the platform's words when there is none);
- anything else (an action such as ``POST /things/{id}/retry``) answers its example.

Every reply is the response schema's example (:func:`~.generic.example_for`) with the
record's fields laid over it where they fit the schema, so a reply is always within the spec.
Parent ids the platform keeps (``cleanroomId``) are looked up first through ``parents``, so an
unknown parent is the platform's own 404 before anything is stored.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from jsonschema import Draft4Validator

from specclient.emulators.core.app import EmulatorApp
from specclient.emulators.core.generic import example_for
from specclient.emulators.core.messages import EmuError, EmuRequest, EmuResponse
from specclient.emulators.core.validation import to_json_schema
from specclient.openapi.model import Operation

__all__ = ["SpecRecords"]

Lookup = Callable[[str], Any]


class SpecRecords:
    """Records for the operations of ``app`` that have no handler (see the module docstring).

    Parameters
    ----------
    app : EmulatorApp
    parents : mapping of path parameter name -> ``lookup(value)``
        How the platform finds what a parent id names; ``lookup`` raises the platform's
        404 (or 400) when it names nothing.
    not_found : callable ``(noun, id) -> EmuError``
        The platform's 404 for a record this class keeps.
    uuid_ids : bool
        The platform's ids are UUIDs: an id-named string field (``id``, ``*Id``, ``*ID``) of
        an example reply is a UUID, not ``"string"``, so a client that feeds it back (as
        Schemathesis's stateful runs do) sends an id of the right shape.
    """

    def __init__(
        self,
        app: EmulatorApp,
        *,
        parents: Mapping[str, Lookup] | None = None,
        not_found: Callable[[str, str], EmuError] | None = None,
        uuid_ids: bool = False,
    ) -> None:
        self.app = app
        self.uuid_ids = uuid_ids
        self.parents = dict(parents or {})
        self.not_found = not_found or (lambda noun, key: EmuError(404, f"{noun} {key} not found"))
        # (collection path template, parent id values) -> record id -> record
        self.records: dict[tuple[str, tuple[str, ...]], dict[str, dict[str, Any]]] = {}
        self._numbers = itertools.count(1)
        self._listed = {op.path for op in app.operations.values() if op.verb.lower() == "get"}

    def serve(self) -> list[str]:
        """Answer every operation that still has no handler; returns their qualnames."""
        served = self.app.unhandled
        for qualname in served:
            operation = self.app.operations[qualname]
            self.app.handle(qualname)(self._handler(operation))
        return served

    # -- one operation ----------------------------------------------------------------------
    def _handler(self, operation: Operation) -> Callable[[EmuRequest], Any]:
        verb = operation.verb.lower()
        segments = operation.path.rstrip("/").split("/")
        item_param = _param(segments[-1])
        if item_param is not None and verb in ("get", "put", "patch", "delete"):
            collection = "/".join(segments[:-1])
            return lambda req: self._item(operation, req, collection, item_param)
        if item_param is None and verb == "post" and operation.path in self._listed:
            return lambda req: self._create(operation, req)
        if item_param is None and verb == "get":
            return lambda req: self._list(operation, req)
        return lambda req: self._reply(operation, req, {})

    def _parents(self, req: EmuRequest, skip: str | None = None) -> tuple[str, ...]:
        values = []
        for name, value in req.path_params.items():
            if name == skip:
                continue
            lookup = self.parents.get(name)
            if lookup is not None:
                lookup(value)  # the platform's 404 for an unknown parent
            values.append(value)
        return tuple(values)

    def _create(self, operation: Operation, req: EmuRequest) -> Any:
        where = (operation.path, self._parents(req))
        body = req.json() if req.has_body else None
        record: dict[str, Any] = dict(body) if isinstance(body, dict) else {}
        param, kind = _item_param(operation, self.app)
        key = self._new_id(kind)
        record.update(req.path_params)
        # the id under every name a reply may give it: id, ID and the item route's parameter
        record.update({"id": key, "ID": key, **({param: key} if param else {})})
        self.records.setdefault(where, {})[key] = record
        return self._reply(operation, req, record)

    def _item(self, operation: Operation, req: EmuRequest, collection: str, param: str) -> Any:
        key = req.path_params[param]
        where = (collection, self._parents(req, skip=param))
        kept = self.records.get(where, {})
        record = kept.get(key)
        if record is None:
            raise self.not_found(_noun(collection), key)
        verb = req.method.lower()
        if verb == "delete":
            del kept[key]
        elif verb in ("put", "patch"):
            body = req.json() if req.has_body else None
            if isinstance(body, dict):
                record.update(body)
            record.update({"id": key, "ID": key, param: key})
        return self._reply(operation, req, record)

    def _list(self, operation: Operation, req: EmuRequest) -> Any:
        kept = self.records.get((operation.path, self._parents(req)), {})
        return self._reply(operation, req, {}, items=list(kept.values()))

    # -- replies ----------------------------------------------------------------------------
    def _reply(
        self,
        operation: Operation,
        req: EmuRequest,
        record: Mapping[str, Any],
        items: list[dict[str, Any]] | None = None,
    ) -> Any:
        success = operation.success
        if success is None or success.schema is None:
            return None
        schema = success.schema
        now = req.clock.time()
        fields = {**req.path_params, **record}
        if items is not None:
            reply = _listing(schema, items, now)
        else:
            reply = _laid_over(schema, fields, now)
        if self.uuid_ids:
            _uuid_ids(reply, schema, self.app.rng)
        if isinstance(reply, dict) and reply.get("success") is False:
            reply["success"] = True  # the example's False would contradict a success status
        media_type = success.media_type or "application/json"
        if "json" not in media_type:
            status = int(success.status) if success.status.isdigit() else 200
            return EmuResponse(status, body=str(reply or ""), media_type=media_type)
        return reply

    def _new_id(self, kind: str | None) -> str:
        number = next(self._numbers)
        if kind in ("integer", "number"):
            return str(number)
        return str(uuid.UUID(int=self.app.rng.getrandbits(128), version=4))


def _param(segment: str) -> str | None:
    return segment[1:-1] if segment.startswith("{") and segment.endswith("}") else None


def _noun(collection: str) -> str:
    last = collection.rstrip("/").rsplit("/", 1)[-1]
    return last.replace("-", " ").rstrip("s").capitalize() or "Record"


def _item_param(operation: Operation, app: EmulatorApp) -> tuple[str | None, str | None]:
    """The parameter (and its type) that names one item of this collection, from the item
    route beside it (``/things/{thingId}``), or ``(None, None)`` when there is none."""
    prefix = operation.path.rstrip("/") + "/{"
    depth = operation.path.rstrip("/").count("/") + 1
    for other in app.operations.values():
        if not other.path.startswith(prefix) or other.path.count("/") != depth:
            continue
        for param in other.params:
            if param.location == "path" and other.path.endswith("{" + param.wire_name + "}"):
                kind = (param.schema or {}).get("type")
                return param.wire_name, kind if isinstance(kind, str) else None
    return None, None


def _fits(schema: Mapping[str, Any], value: Any) -> bool:
    return bool(Draft4Validator(to_json_schema(schema, request=True)).is_valid(value))


def _laid_over(schema: Mapping[str, Any], fields: Mapping[str, Any], now: float) -> Any:
    """The schema's example with every field of ``fields`` that fits the schema laid over it."""
    reply = example_for(schema, now=now)
    properties = _properties(schema)
    if isinstance(reply, dict) and properties:
        laid = 0
        for name, value in fields.items():
            sub = properties.get(name)
            if isinstance(sub, Mapping) and _fits(sub, value):
                reply[name] = value
                laid += 1
        if not laid:  # a wrapper (`{"partnerAccount": {...}}`): the record sits one level down
            for name, sub in properties.items():
                if isinstance(sub, Mapping) and _properties(sub):
                    reply[name] = _laid_over(sub, fields, now)
    return reply


def _listing(schema: Mapping[str, Any], items: list[dict[str, Any]], now: float) -> Any:
    """A list reply: the array itself, or the schema's example with its array of records."""
    if schema.get("type") == "array":
        return [_laid_over(schema.get("items") or {}, item, now) for item in items]
    reply = example_for(schema, now=now)
    if isinstance(reply, dict):
        for name, sub in _properties(schema).items():
            if isinstance(sub, Mapping) and sub.get("type") == "array":
                reply[name] = [_laid_over(sub.get("items") or {}, item, now) for item in items]
                break
    return reply


def _uuid_ids(reply: Any, schema: Mapping[str, Any], rng: Any) -> None:
    """Replace the example ``"string"`` of id-named string fields with UUIDs, in place."""
    if isinstance(reply, list):
        for item in reply:
            _uuid_ids(item, schema.get("items") or {}, rng)
        return
    if not isinstance(reply, dict):
        return
    for name, sub in _properties(schema).items():
        if not isinstance(sub, Mapping) or name not in reply:
            continue
        named_id = name == "id" or name.endswith(("Id", "ID"))
        if named_id and reply[name] == "string" and sub.get("type") == "string":
            reply[name] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        elif isinstance(reply[name], dict | list):
            _uuid_ids(reply[name], sub, rng)


def _properties(schema: Mapping[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = dict(schema.get("properties") or {})
    for part in schema.get("allOf") or ():
        if isinstance(part, Mapping):
            merged.update(_properties(part))
    return merged
