"""From a Python call to the parts of a request: bind, check, and sort arguments by location.

Everything here runs before a byte is sent, so a wrong argument costs nothing on the server.
The checks are deliberately shallow (type of each argument, items of arrays, enums, required
body fields): they catch the mistakes people make at a call site with a message that names the
operation and the argument; the server remains the judge of deeper rules.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import numbers
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ._annotations import KIND_NAMES, body_annotation, parameter_annotation, return_annotation
from .errors import ParameterError
from .openapi.model import MISSING, Operation, Param, is_nullable, schema_types

#: Per-call options every method accepts, unless the spec itself has a parameter of that name
#: (then the spec's parameter wins and the option is not available for that method).
CALL_OPTIONS = ("return_type", "timeout", "headers", "iterator", "body")
RETURN_TYPES = ("snake", "raw", "pandas")
_ITEMS_CHECKED = 100


@dataclass
class CallParts:
    """A bound call, sorted by where each value goes on the wire (wire names as keys)."""

    path: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    body: Any = MISSING  # JSON body (dict of fields, or what body= gave)
    form: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)  # return_type, timeout, headers, iterator


class Binder:
    """Signature and argument checking for one operation (built once per method, on first use)."""

    def __init__(self, operation: Operation) -> None:
        self.operation = operation
        self.params: tuple[Param, ...] = operation.params
        self._by_name = {p.name: p for p in self.params}
        self.options = tuple(o for o in CALL_OPTIONS if o not in self._by_name)
        self.has_body_option = "body" in self.options and operation.body is not None

    @property
    def qualname(self) -> str:
        return self.operation.qualname

    @cached_property
    def signature(self) -> inspect.Signature:
        """Required parameters positional-or-keyword (path first), the rest keyword-only.

        This is civis-python's rule, which keeps code written for it working
        (``client.scripts.post_sql(name, remote_host_id, credential_id, sql)``), and it puts
        path parameters first, as the design asks.
        """
        required = [p for p in self.params if p.required and p.location == "path"]
        required += [p for p in self.params if p.required and p.location != "path"]
        optional = [p for p in self.params if not p.required]
        out = [
            inspect.Parameter(
                p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=parameter_annotation(p)
            )
            for p in required
        ]
        out += [
            inspect.Parameter(
                p.name,
                inspect.Parameter.KEYWORD_ONLY,
                default=p.default if p.default is not MISSING else None,
                annotation=parameter_annotation(p),
            )
            for p in optional
        ]
        option_annotations = {
            "return_type": "str | None",
            "timeout": "float | None",
            "headers": "Mapping[str, str] | None",
            "iterator": "bool",
            "body": body_annotation(self.operation) or "Any",
        }
        for name in self.options:
            if name == "iterator" and self.operation.pagination is None:
                continue
            if name == "body" and not self.has_body_option:
                continue
            default = False if name == "iterator" else None
            out.append(
                inspect.Parameter(
                    name,
                    inspect.Parameter.KEYWORD_ONLY,
                    default=default,
                    annotation=option_annotations[name],
                )
            )
        return inspect.Signature(out, return_annotation=return_annotation(self.operation.success))

    def bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> CallParts:
        """Check the arguments and sort them by location. Raises ParameterError."""
        op = self.operation
        parts = CallParts()
        for name in self.options:
            if name in kwargs:
                parts.options[name] = kwargs.pop(name)
        if parts.options.get("iterator") and op.pagination is None:
            raise ParameterError(
                op.qualname,
                "iterator=True is not available: the operation is not paginated",
                "iterator",
            )
        return_type = parts.options.get("return_type")
        if return_type is not None and return_type not in RETURN_TYPES:
            raise ParameterError(
                op.qualname,
                f"return_type must be one of {RETURN_TYPES}, not {return_type!r}",
                "return_type",
            )
        body_override = parts.options.pop("body", MISSING)
        whole_body = body_override is not MISSING and body_override is not None
        signature = self._body_optional_signature if whole_body else self._plain_signature
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise ParameterError(op.qualname, self._explain_bind_error(args, kwargs, exc)) from None

        if whole_body and not self.has_body_option:
            raise ParameterError(
                op.qualname, "body= is not available: the operation takes no request body", "body"
            )
        for name, value in bound.arguments.items():
            if value is MISSING:
                continue
            param = self._by_name[name]
            self._check(param, value)
            self._place(parts, param, value)
        if whole_body:
            self._apply_body_override(parts, body_override)
        self._check_required_body(parts, body_override)
        return parts

    # -- helpers -------------------------------------------------------------------------------

    @cached_property
    def _plain_signature(self) -> inspect.Signature:
        options = set(self.options)
        return self.signature.replace(
            parameters=[p for p in self.signature.parameters.values() if p.name not in options]
        )

    @cached_property
    def _body_optional_signature(self) -> inspect.Signature:
        """With ``body=`` given, body fields may be left out: the body carries them."""
        keep = []
        for p in self._plain_signature.parameters.values():
            param = self._by_name.get(p.name)
            if param is not None and param.location in ("body", "form", "file"):
                p = p.replace(default=MISSING)
            keep.append(p)
        # Parameters with a default must follow those without; the sort is stable.
        keep.sort(key=lambda p: (p.kind, p.default is not inspect.Parameter.empty))
        return self._plain_signature.replace(parameters=keep)

    def _explain_bind_error(self, args: tuple, kwargs: dict, exc: TypeError) -> str:
        unknown = [k for k in kwargs if k not in self._by_name]
        if unknown:
            known = ", ".join(p.name for p in self.params) or "none"
            hint = _closest(unknown[0], [p.name for p in self.params] + list(self.options))
            hint_text = f" (did you mean {hint!r}?)" if hint else ""
            return f"unknown argument {unknown[0]!r}{hint_text}; parameters are: {known}"
        message = str(exc)
        if "missing" in message:
            missing = [
                p.name
                for p in self._plain_signature.parameters.values()
                if p.default is inspect.Parameter.empty and p.name not in kwargs
            ][len(args) :]
            if missing:
                return f"missing required argument{'s' if len(missing) > 1 else ''}: " + ", ".join(
                    repr(m) for m in missing
                )
        return message

    def _check(self, param: Param, value: Any) -> None:
        if value is None:
            if param.required and param.location == "path":
                raise ParameterError(
                    self.qualname, f"{param.name!r} is required and cannot be None", param.name
                )
            return
        if param.location == "file":
            return
        if (
            param.location in ("path", "query", "header", "cookie")
            and isinstance(value, numbers.Integral)
            and not isinstance(value, bool)
            and "string" in schema_types(param.schema)
            and not param.schema.get("enum")
        ):
            return  # an integer ID for a string path/query parameter travels the same
        problem = type_problem(value, param.schema)
        if problem:
            raise ParameterError(self.qualname, f"argument {param.name!r}: {problem}", param.name)

    def _place(self, parts: CallParts, param: Param, value: Any) -> None:
        location = param.location
        if location == "path":
            parts.path[param.wire_name] = value
        elif value is None and location in ("query", "header", "cookie"):
            return  # an explicit None for an optional query/header means "leave it out"
        elif location == "query":
            parts.query[param.wire_name] = value
        elif location == "header":
            parts.headers[param.wire_name] = wire_scalar(value)
        elif location == "cookie":
            parts.cookies[param.wire_name] = wire_scalar(value)
        elif location == "body":
            if parts.body is MISSING:
                parts.body = {}
            parts.body[param.wire_name] = value
        elif location == "form":
            parts.form[param.wire_name] = value
        elif location == "file":
            parts.files[param.wire_name] = value

    def _apply_body_override(self, parts: CallParts, body: Any) -> None:
        request_body = self.operation.body
        assert request_body is not None
        if request_body.fields and any(f.location in ("form", "file") for f in request_body.fields):
            if not isinstance(body, Mapping):
                raise ParameterError(
                    self.qualname, "body= must be a mapping of form fields", "body"
                )
            for key, value in body.items():
                target = parts.files if _looks_like_file(value) else parts.form
                target[key] = value
            return
        if isinstance(parts.body, dict) and parts.body and isinstance(body, Mapping):
            # Keyword fields refine a body= mapping rather than being silently dropped.
            parts.body = {**body, **parts.body}
        else:
            parts.body = body

    def _check_required_body(self, parts: CallParts, body_override: Any) -> None:
        request_body = self.operation.body
        if request_body is None:
            return
        given_whole_body = body_override is not MISSING and body_override is not None
        if request_body.required and not request_body.fields and not given_whole_body:
            raise ParameterError(self.qualname, "a request body is required: pass body=", "body")
        if given_whole_body and isinstance(parts.body, Mapping):
            missing = [
                f
                for f in request_body.fields
                if f.required and f.location == "body" and f.wire_name not in parts.body
            ]
            if missing:
                raise ParameterError(
                    self.qualname,
                    "body is missing required field"
                    + ("s" if len(missing) > 1 else "")
                    + ": "
                    + ", ".join(repr(f.wire_name) for f in missing),
                    missing[0].name,
                )


def type_problem(value: Any, schema: Mapping[str, Any] | None, depth: int = 0) -> str | None:
    """Why ``value`` does not fit ``schema`` (shallow), or None when it fits."""
    if not schema:
        return None
    if value is None:
        return None if is_nullable(schema) or depth == 0 else "null is not allowed"
    enum = schema.get("enum")
    if enum and isinstance(value, str | int | float | bool) and value not in enum:
        allowed = ", ".join(repr(e) for e in enum[:20])
        more = ", ..." if len(enum) > 20 else ""
        return f"{value!r} is not one of {allowed}{more}"
    kinds = schema_types(schema)
    if not kinds:
        return None
    for kind in kinds:
        if _fits(value, kind, schema):
            if kind == "array" and depth < 2 and isinstance(schema.get("items"), Mapping):
                # A sample is enough to catch a call-site mistake; checking a million rows
                # item by item would cost more than sending them.
                for index, item in enumerate(value[:_ITEMS_CHECKED]):
                    problem = type_problem(item, schema["items"], depth + 1)
                    if problem:
                        return f"item {index}: {problem}"
            return None
    wanted = " or ".join(KIND_NAMES.get(k, k) for k in kinds)
    return f"expected {wanted}, got {type(value).__name__} {_short_repr(value)}"


def _fits(value: Any, kind: str, schema: Mapping[str, Any]) -> bool:
    if kind == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, numbers.Integral):
            return True
        return isinstance(value, float) and value.is_integer()
    if kind == "number":
        return isinstance(value, numbers.Real) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool) or type(value).__name__ == "bool_"
    if kind == "string":
        if isinstance(value, str):
            return True
        if schema.get("format") in ("date-time", "date") and isinstance(value, _dt.date):
            return True
        return schema.get("format") == "binary" and _looks_like_file(value)
    if kind == "array":
        return isinstance(value, list | tuple)
    if kind == "object":
        return isinstance(value, Mapping)
    if kind == "file":
        return _looks_like_file(value)
    return True


def _looks_like_file(value: Any) -> bool:
    return (
        isinstance(value, bytes | bytearray | os.PathLike)
        or hasattr(value, "read")
        or (isinstance(value, tuple) and len(value) in (2, 3))
    )


def wire_scalar(value: Any) -> str:
    """How a scalar travels in a path, query or header: JSON-ish, not Python's repr."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.datetime | _dt.date):
        return value.isoformat()
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return wire_scalar(value.item())
    return str(value)


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _closest(word: str, choices: list[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return match[0] if match else None
