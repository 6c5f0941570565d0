"""Checking a request against its operation in the spec, before any handler runs.

jsonschema does the schema work (types, enums, required properties, nested shapes); this module
turns the spec's OpenAPI flavour of schema into plain JSON Schema, turns query/path/header
strings into the types the spec declares, and words the first problem so it names the field.
One :class:`OperationValidator` is built per operation on first use and shared by every app
serving the same spec (:mod:`.specs`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from jsonschema import Draft4Validator, Draft202012Validator
from jsonschema.exceptions import best_match

from specclient.openapi.model import Operation, Param, schema_types

__all__ = ["OperationValidator", "RequestInvalid", "body_kind", "to_json_schema"]

# Header parameters OpenAPI says to ignore: the transport and the auth layer own them.
_IGNORED_HEADERS = {"accept", "content-type", "authorization"}


class RequestInvalid(Exception):
    """A request breaks its spec; ``field`` names what is wrong, ``status`` overrides 400."""

    def __init__(self, message: str, field: str | None = None, status: int | None = None) -> None:
        self.message = message
        self.field = field
        self.status = status
        super().__init__(message)


def body_kind(media_type: str | None) -> str:
    """``json``, ``form``, ``multipart`` or ``other`` for a media type (parameters ignored)."""
    if not media_type:
        return "other"
    main = media_type.split(";", 1)[0].strip().lower()
    if main == "application/json" or main.endswith("+json"):
        return "json"
    if main == "application/x-www-form-urlencoded":
        return "form"
    if main.startswith("multipart/"):
        return "multipart"
    return "other"


def to_json_schema(schema: Mapping[str, Any] | None, *, request: bool = True) -> dict[str, Any]:
    """Plain JSON Schema for a model schema.

    ``nullable``/``x-nullable`` become a ``"null"`` type (jsonschema does not know them),
    recursive markers and Swagger's ``type: file`` accept anything, and in a request the
    ``readOnly`` properties stop being required (the server fills them in); in a response,
    the ``writeOnly`` ones.
    """
    if not isinstance(schema, Mapping):
        return {}
    if "$recursive" in schema:
        return {}
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("properties", "patternProperties") and isinstance(value, Mapping):
            out[key] = {name: to_json_schema(sub, request=request) for name, sub in value.items()}
            if not request and key == "properties":
                # Real APIs send null for optional fields their specs forget to mark
                # nullable; a reply check should flag wrong shapes, not that.
                required = set(schema.get("required") or ())
                for name, sub in out[key].items():
                    if name not in required:
                        out[key][name] = _or_null(sub)
        elif key in ("items", "additionalProperties", "not") and isinstance(value, Mapping):
            out[key] = to_json_schema(value, request=request)
        elif key in ("allOf", "anyOf", "oneOf", "items") and isinstance(value, list):
            out[key] = [to_json_schema(sub, request=request) for sub in value]
        else:
            out[key] = value
    if out.get("type") == "file":
        del out["type"]
    if schema.get("nullable") or schema.get("x-nullable"):
        out = _or_null(out)
    if (
        request
        and isinstance(out.get("required"), list)
        and isinstance(out.get("properties"), dict)
    ):
        # readOnly fields are the server's to fill, writeOnly ones never come back.
        one_way = "readOnly" if request else "writeOnly"
        skipped = {
            name
            for name, sub in schema.get("properties", {}).items()
            if isinstance(sub, Mapping) and sub.get(one_way)
        }
        if skipped:
            out["required"] = [name for name in out["required"] if name not in skipped]
    return out


NO_VALIDATOR: Any = object()


def _raise_first(validator: Any, value: Any, what: str) -> None:
    """Raise :class:`RequestInvalid` for the most relevant schema error, naming its field."""
    error = best_match(validator.iter_errors(value))
    if error is None:
        return
    parts = list(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, Mapping):
        missing = [n for n in error.validator_value if n not in error.instance]
        if missing:
            field = _field_path("", [*parts, missing[0]])
            noun = "body field" if what == "request body" else f"{what} field"
            raise RequestInvalid(f"missing required {noun} {field!r}", field)
    field = _field_path("", parts)
    if not field:
        raise RequestInvalid(f"{what}: {error.message}", "body")
    noun = "body field" if what == "request body" else f"{what} field"
    raise RequestInvalid(f"{noun} {field!r}: {error.message}", field)


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str):
        schema = {**schema, "type": [kind, "null"]}
    elif isinstance(kind, list) and "null" not in kind:
        schema = {**schema, "type": [*kind, "null"]}
    if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
        schema = {**schema, "enum": [*schema["enum"], None]}
    return schema


def _field_path(prefix: str, parts: Iterable[Any]) -> str:
    path = prefix
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else str(part)
    return path


_TYPE_WORDS = {"integer": "an integer", "number": "a number", "boolean": "a boolean"}


def _coerce(value: str, schema: Mapping[str, Any], what: str) -> Any:
    """Turn a string from the URL or a form into the type its schema declares."""
    kinds = schema_types(schema)
    kind = kinds[0] if len(kinds) == 1 else ""
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        raise RequestInvalid(f"{what} must be {_TYPE_WORDS[kind]}, got {value!r}") from None
    if kind == "boolean":
        lowered = value.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise RequestInvalid(f"{what} must be {_TYPE_WORDS[kind]}, got {value!r}")
    return value


class OperationValidator:
    """Everything needed to check one operation's requests, compiled once.

    Parameters
    ----------
    operation : Operation
        The operation from the spec.
    draft : str
        ``"4"`` for Swagger 2.0 / OpenAPI 3.0 schemas (boolean ``exclusiveMinimum``),
        ``"2020-12"`` for OpenAPI 3.1.
    """

    def __init__(self, operation: Operation, draft: str = "4") -> None:
        self.operation = operation
        self._validator_class = Draft202012Validator if draft == "2020-12" else Draft4Validator
        self._param_validators: dict[tuple[str, str], Any] = {}
        self.params = [p for p in operation.params if p.location in ("path", "query", "header")]
        body = operation.body
        self.body_kind = body_kind(body.media_type) if body else None
        self.body_required = bool(body and body.required)
        self.form_fields = (
            [p for p in body.fields if p.location in ("form", "file", "body")] if body else []
        )
        self._body_validator = None
        self._response_validator: Any = NO_VALIDATOR
        if body is not None and self.body_kind == "json" and body.schema:
            self._body_validator = self._compile(body.schema)

    def _compile(self, schema: Mapping[str, Any]) -> Any:
        return self._validator_class(to_json_schema(schema))

    def _param_validator(self, param: Param) -> Any:
        key = (param.location, param.wire_name)
        if key not in self._param_validators:
            self._param_validators[key] = self._compile(param.schema)
        return self._param_validators[key]

    # -- parameters -------------------------------------------------------------------------
    def check_params(
        self, path_params: Mapping[str, str], query: Any, headers: Mapping[str, str]
    ) -> None:
        """Raise :class:`RequestInvalid` for the first missing or ill-typed parameter."""
        for param in self.params:
            if param.location == "header" and param.wire_name.lower() in _IGNORED_HEADERS:
                continue
            what = {
                "path": f"path parameter {param.wire_name!r}",
                "query": f"query parameter {param.wire_name!r}",
                "header": f"header {param.wire_name!r}",
            }[param.location]
            if param.location == "query":
                values = query.getlist(param.wire_name)
            elif param.location == "path":
                values = [path_params[param.wire_name]] if param.wire_name in path_params else []
            else:
                values = [headers[param.wire_name]] if param.wire_name in headers else []
            if not values:
                if param.required or param.location == "path":
                    raise RequestInvalid(f"missing required {what}", param.wire_name)
                continue
            self._check_value(param, values, what)

    def _check_value(self, param: Param, values: list[str], what: str) -> None:
        schema = param.schema or {}
        kinds = schema_types(schema)
        try:
            if kinds == ("array",):
                items = schema.get("items") or {}
                if len(values) == 1 and param.explode is False:
                    values = values[0].split(",") if values[0] else []
                value: Any = [_coerce(v, items, f"{what} item") for v in values]
            elif kinds == ("object",):
                return  # deepObject and friends: left to the handler
            else:
                value = _coerce(values[-1], schema, what)
        except RequestInvalid as problem:
            problem.field = param.wire_name
            raise
        error = best_match(self._param_validator(param).iter_errors(value))
        if error is not None:
            raise RequestInvalid(f"{what}: {error.message}", param.wire_name)

    # -- bodies -----------------------------------------------------------------------------
    def check_content_type(self, content_type: str | None, has_body: bool) -> None:
        """415 when a body's media type is of another family than the spec's (JSON vs form)."""
        if not has_body or self.body_kind in (None, "other"):
            return
        sent = body_kind(content_type)
        if sent != "other" and sent != self.body_kind:
            expected = self.operation.body.media_type if self.operation.body else ""
            raise RequestInvalid(
                f"unsupported media type {content_type!r} for {self.operation.qualname}; "
                f"expected {expected}",
                "Content-Type",
                status=415,
            )

    def parse_json(self, raw: bytes) -> Any:
        """Decode a JSON body, or explain why it is not JSON."""
        try:
            return json.loads(raw)
        except ValueError as problem:
            raise RequestInvalid(f"request body is not valid JSON: {problem}", "body") from None

    def check_missing_body(self, has_body: bool) -> None:
        if self.body_required and not has_body:
            raise RequestInvalid("request body is required", "body")

    def check_json(self, value: Any) -> None:
        """Validate a decoded JSON body against the body schema."""
        if self._body_validator is not None:
            _raise_first(self._body_validator, value, "request body")

    def check_response(self, value: Any) -> None:
        """Validate a handler's JSON reply against the success response schema.

        For emulator authors (``check_responses=True``): a reply the spec does not promise
        is a bug in the emulator, and the message names the field.
        """
        if self._response_validator is NO_VALIDATOR:
            shape = self.operation.success
            schema = (
                shape.schema
                if shape is not None and body_kind(shape.media_type) == "json"
                else None
            )
            self._response_validator = (
                self._validator_class(to_json_schema(schema, request=False)) if schema else None
            )
        if self._response_validator is not None:
            _raise_first(self._response_validator, value, "response body")

    def check_form(self, form: Any) -> None:
        """Required fields of a form or multipart body are there, and simple ones typed."""
        for field in self.form_fields:
            values = form.getlist(field.wire_name) if hasattr(form, "getlist") else []
            if not values:
                if field.required:
                    raise RequestInvalid(
                        f"missing required form field {field.wire_name!r}", field.wire_name
                    )
                continue
            strings = [v for v in values if isinstance(v, str)]
            if field.location == "file" or len(strings) != len(values):
                continue
            self._check_value(field, strings, f"form field {field.wire_name!r}")
