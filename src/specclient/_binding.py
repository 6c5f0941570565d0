"""From a Python call to the parts of a request: bind, check, and sort arguments by location.

Everything here runs before a byte is sent, so a wrong argument costs nothing on the server.
The checks are deliberately shallow (type of each argument, items of arrays, enums, required
body fields): they catch the mistakes people make at a call site with a message that names the
operation and the argument; the server remains the judge of deeper rules.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Mapping
from functools import cached_property

from ._annotations import KIND_NAMES, body_annotation, parameter_annotation, return_annotation
from .errors import ParameterError
from .openapi.model import MISSING, Operation, Param, is_nullable, schema_types
from .options import RETURN_TYPES, check_headers, check_timeout

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

#: Per-call options every method accepts, spelled with a leading underscore (``_timeout=``),
#: which no name from a spec can take (the naming rule drops leading underscores). The first
#: five also answer to their plain name (``timeout=``) when the operation has no parameter of
#: that name: civis-python code passes ``iterator=True``.
CALL_OPTIONS = ("return_type", "timeout", "headers", "iterator", "body", "content_type")
PLAIN_OPTIONS = frozenset({"return_type", "timeout", "headers", "iterator", "body"})
_OPTION_ANNOTATIONS = {
    "return_type": "str | None",
    "timeout": "float | None",
    "headers": "Mapping[str, str] | None",
    "iterator": "bool",
    "body": "Any",
    "content_type": "str | None",
}
_ITEMS_CHECKED = 100


class CallParts:
    """A bound call, sorted by where each value goes on the wire (wire names as keys).

    Values are kept as the caller gave them; :mod:`specclient._request` serialises each one
    per its parameter's style, and the body per the media type chosen. (A plain class: made
    for every call and never compared, it need not cost a dataclass's creation at import.)
    """

    __slots__ = ("path", "query", "headers", "cookies", "body", "options")

    def __init__(self) -> None:
        self.path: dict[str, Any] = {}
        self.query: dict[str, Any] = {}
        self.headers: dict[str, Any] = {}
        self.cookies: dict[str, Any] = {}
        self.body: Any = MISSING  # the body's fields by wire name, or the whole body (_body=)
        self.options: dict[str, Any] = {}  # per-call options, plain names as keys


class Binder:
    """Signature and argument checking for one operation (built once per method, on first use)."""

    def __init__(
        self,
        operation: Operation,
        coerce: Callable[[Any, tuple[str, ...]], Any] | None = None,
    ) -> None:
        self.operation = operation
        #: the platform's argument conversion (``ClientOptions.value_coercion``)
        self.coerce = coerce
        self.params: tuple[Param, ...] = operation.params
        self._by_name = {p.name: p for p in self.params}
        body = operation.body
        offered = {
            "iterator": operation.pagination is not None,
            "body": body is not None,
            "content_type": body is not None
            and (len(body.media_types) > 1 or "*" in body.media_type),
        }
        #: the options this operation takes, by their plain name
        self.options = tuple(o for o in CALL_OPTIONS if offered.get(o, True))
        #: every accepted spelling -> the option's plain name
        self.spellings: dict[str, str] = {}
        #: the spelling the signature shows: the plain one when no spec name takes it
        self.shown: dict[str, str] = {}
        for option in CALL_OPTIONS:
            plain_free = option in PLAIN_OPTIONS and option not in self._by_name
            self.spellings["_" + option] = option
            if plain_free:
                self.spellings[option] = option
            self.shown[option] = option if plain_free else "_" + option

    @property
    def qualname(self) -> str:
        return self.operation.qualname

    @cached_property
    def signature(self) -> inspect.Signature:
        """Required parameters positional-or-keyword (path first), the rest keyword-only.

        This is civis-python's rule, which keeps code written for it working
        (``client.scripts.post_sql(name, remote_host_id, credential_id, sql)``), and it puts
        path parameters first, as the design asks. Per-call options come last, each under the
        spelling that works for this method.
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
        for option in self.options:
            out.append(
                inspect.Parameter(
                    self.shown[option],
                    inspect.Parameter.KEYWORD_ONLY,
                    default=False if option == "iterator" else None,
                    annotation=self._option_annotation(option),
                )
            )
        return inspect.Signature(out, return_annotation=return_annotation(self.operation.success))

    def _option_annotation(self, option: str) -> str:
        if option == "body":  # the whole body: typed like the stub's body= (one type mapper)
            return body_annotation(self.operation) or _OPTION_ANNOTATIONS["body"]
        return _OPTION_ANNOTATIONS[option]

    def split_options(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Take the per-call options out of ``kwargs``; plain names as keys."""
        options: dict[str, Any] = {}
        for spelling in [k for k in kwargs if k in self.spellings]:
            option = self.spellings[spelling]
            if option in options:
                raise ParameterError(
                    self.qualname, f"{self.shown[option]} was given twice", self.shown[option]
                )
            options[option] = kwargs.pop(spelling)
        return options

    def bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> CallParts:
        """Check the arguments and sort them by location. Raises ParameterError."""
        op = self.operation
        parts = CallParts()
        parts.options = self.split_options(kwargs)
        for option in parts.options:
            accepted = option in self.options or (
                option == "content_type" and self.operation.body is not None
            )
            if not accepted and parts.options[option] not in (None, False):
                raise ParameterError(op.qualname, self._unavailable(option), self.shown[option])
        return_type = parts.options.get("return_type")
        if return_type is not None and return_type not in RETURN_TYPES:
            raise ParameterError(
                op.qualname,
                f"return_type must be one of {RETURN_TYPES}, not {return_type!r}",
                self.shown["return_type"],
            )
        if parts.options.get("timeout") is not None:
            check_timeout(parts.options["timeout"], op.qualname, self.shown["timeout"])
        if parts.options.get("headers") is not None:
            check_headers(parts.options["headers"], op.qualname, self.shown["headers"])
        body_override = parts.options.pop("body", MISSING)
        whole_body = body_override is not MISSING and body_override is not None
        signature = self._body_optional_signature if whole_body else self._plain_signature
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise ParameterError(op.qualname, self._explain_bind_error(args, kwargs, exc)) from None
        for name, value in bound.arguments.items():
            if value is MISSING:
                continue
            param = self._by_name[name]
            if self.coerce is not None and value is not None:
                value = self.coerce(value, schema_types(param.schema))
            self._check(param, value)
            self._place(parts, param, _as_declared(param, value))
        if whole_body:
            self._apply_body_override(parts, body_override)
        self._check_required_body(parts, whole_body)
        return parts

    # -- helpers -------------------------------------------------------------------------------

    def _unavailable(self, option: str) -> str:
        if option == "iterator":
            return f"{self.shown[option]}=True is not available: the operation is not paginated"
        if option == "body":
            return f"{self.shown[option]}= is not available: the operation takes no request body"
        body = self.operation.body
        accepted = ", ".join(body.media_types or (body.media_type,)) if body else "none"
        return (
            f"{self.shown[option]}= is not available: the operation accepts one media type "
            f"({accepted})"
        )

    @cached_property
    def _plain_signature(self) -> inspect.Signature:
        options = set(self.shown.values())
        return self.signature.replace(
            parameters=[p for p in self.signature.parameters.values() if p.name not in options]
        )

    @cached_property
    def _body_optional_signature(self) -> inspect.Signature:
        """With ``_body=`` given, body fields may be left out: the body carries them."""
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
            choices = [p.name for p in self.params] + [self.shown[o] for o in self.options]
            hint = _closest(unknown[0], choices)
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
            # A required path value, or a required body field the schema does not make
            # nullable, has no "leave it out" reading: null would be sent as the value.
            required_field = param.location in ("body", "form") and not is_nullable(param.schema)
            if param.required and (param.location == "path" or required_field):
                raise ParameterError(
                    self.qualname, f"{param.name!r} is required and cannot be None", param.name
                )
            return
        if param.location == "file" or (param.location == "form" and _looks_like_file(value)):
            return  # bytes or a file for a form part: its Encoding Object says what it is
        import numbers  # at the first call, not when a client is built (as datetime below)

        if (
            param.location in ("path", "query", "header", "cookie")
            and isinstance(value, numbers.Integral)
            and not isinstance(value, bool)
            and "string" in schema_types(param.schema)
            and not param.schema.get("enum")
        ):
            return  # an integer ID for a string path/query parameter travels the same
        problem = type_problem(value, param.schema, secret=param.secret)
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
            parts.headers[param.wire_name] = value
        elif location == "cookie":
            parts.cookies[param.wire_name] = value
        else:  # body, form, file: the encoder for the media type decides what each becomes
            if parts.body is MISSING:
                parts.body = {}
            parts.body[param.wire_name] = value

    def _apply_body_override(self, parts: CallParts, body: Any) -> None:
        self._check_whole_body(body, parts.options.get("content_type"))
        if isinstance(parts.body, dict) and parts.body and isinstance(body, Mapping):
            # Keyword fields refine a _body= mapping rather than being silently dropped.
            parts.body = {**body, **parts.body}
        else:
            parts.body = body

    def _check_whole_body(self, body: Any, content_type: str | None) -> None:
        """A JSON body given whole must have the schema's type (a str where an object is due
        is a mistake, not a body). Bytes and files are passed through as already encoded."""
        request_body = self.operation.body
        if request_body is None or not request_body.schema:
            return
        base = (content_type or request_body.media_type).split(";")[0].strip().lower()
        if not (base.endswith("/json") or base.endswith("+json")) or _looks_like_file(body):
            return
        problem = type_problem(body, request_body.schema, depth=1)
        if problem:
            option = self.shown["body"]
            raise ParameterError(self.qualname, f"{option}=: {problem}", option)

    def _check_required_body(self, parts: CallParts, whole_body: bool) -> None:
        request_body = self.operation.body
        if request_body is None:
            return
        if request_body.required and parts.body is MISSING:
            option = self.shown["body"]
            how = (
                f"pass its fields, or {option}={{}} to send an empty object on purpose"
                if request_body.fields
                else f"pass {option}=<the body>"
            )
            raise ParameterError(self.qualname, f"a request body is required: {how}", option)

        if whole_body and isinstance(parts.body, Mapping):
            missing = [
                f for f in request_body.fields if f.required and f.wire_name not in parts.body
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


def type_problem(
    value: Any, schema: Mapping[str, Any] | None, depth: int = 0, *, secret: bool = False
) -> str | None:
    """Why ``value`` does not fit ``schema`` (shallow), or None when it fits.

    ``secret``: the value is a credential; the message names its type, never quotes it.
    """
    if not schema:
        return None
    if value is None:
        return None if is_nullable(schema) or depth == 0 else "null is not allowed"
    enum = schema.get("enum")
    if enum and isinstance(value, str | int | float | bool) and value not in enum:
        if secret:
            return "the value is not one of the allowed values"
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
                    problem = type_problem(item, schema["items"], depth + 1, secret=secret)
                    if problem:
                        return f"item {index}: {problem}"
            return None
    wanted = " or ".join(KIND_NAMES.get(k, k) for k in kinds)
    shown = "(value hidden: a secret)" if secret else _short_repr(value)
    return f"expected {wanted}, got {type(value).__name__} {shown}"


def _fits(value: Any, kind: str, schema: Mapping[str, Any]) -> bool:
    import datetime as _dt  # loaded by the first call (httpx imports it anyway), not at import
    import decimal as _decimal
    import numbers

    if kind == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, numbers.Integral):
            return True
        # JSON Schema 2020-12 (and OpenAPI 3.1): 3.0 is an integer; it is sent as 3.
        return isinstance(value, float) and value.is_integer()
    if kind == "number":
        # inf and nan are not JSON numbers: no server could read them.
        return (
            isinstance(value, numbers.Real)
            and not isinstance(value, bool)
            and (not isinstance(value, float | _decimal.Decimal) or _finite(value))
        )
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


def _as_declared(param: Param, value: Any) -> Any:
    """An integral float for an integer parameter travels as the integer (``3``, not ``3.0``:
    a server parsing an integer may refuse the decimal point)."""
    kinds = schema_types(param.schema)
    if isinstance(value, float) and value.is_integer() and "integer" in kinds:
        return value if "number" in kinds else int(value)
    return value


def _finite(value: Any) -> bool:
    """A float or Decimal that is neither infinite nor NaN."""
    import math  # on first use: a start-up checks no argument

    return value.is_finite() if hasattr(value, "is_finite") else math.isfinite(value)


def _looks_like_file(value: Any) -> bool:
    return (
        isinstance(value, bytes | bytearray | os.PathLike)
        or hasattr(value, "read")
        or (isinstance(value, tuple) and len(value) in (2, 3))
    )


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _closest(word: str, choices: list[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return match[0] if match else None
