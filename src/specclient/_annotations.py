"""JSON Schema -> Python annotations: the one type mapper of the runtime and of codegen.

A method's ``inspect.signature`` (what ``help()`` and editors show at run time) and the typed
stubs in ``generated/`` both take their annotations from here, so they cannot disagree:
``tests/codegen/test_stubs_match_runtime.py`` compares them annotation by annotation.

Arguments are annotated with what a caller may pass (a file argument takes bytes, a file object
or a path; an optional argument also takes None). Return values are annotated with what a
``snake`` call hands back: ``Response`` for an object, ``list[...]`` for an array, ``str`` or
``bytes`` for other media. Codegen refines ``Response`` into one class per object shape by
passing ``objects=``; the runtime keeps plain ``Response``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from .openapi.model import Operation, Param, ResponseShape, is_nullable, schema_types

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "KIND_NAMES",
    "ObjectAnnotator",
    "argument_annotation",
    "body_annotation",
    "parameter_annotation",
    "return_annotation",
    "value_annotation",
]

SCALARS = {"integer": "int", "number": "float", "string": "str", "boolean": "bool"}
#: Short names of JSON types for error messages ("expected int, got str").
KIND_NAMES = {**SCALARS, "array": "list", "object": "dict", "file": "bytes | IO"}
_FILE_ARGUMENT = "bytes | IO[bytes] | str"  # bytes, an open file, or a path
_BINARY = "bytes | IO[bytes]"

#: ``objects(schema, name, depth)`` annotates an object schema with properties.
if TYPE_CHECKING:
    ObjectAnnotator = Callable[[Mapping[str, Any], str, int], str]
else:
    ObjectAnnotator = Callable  # its parameters are for the type checker (no typing.Any here)


def _plain_response(schema: Mapping[str, Any], name: str, depth: int) -> str:
    return "Response"


def variants(schema: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The alternatives of a ``oneOf`` / ``anyOf`` schema (empty for any other schema)."""
    for key in ("oneOf", "anyOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            return [option for option in options if isinstance(option, Mapping)]
    return []


def merged(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """Fold ``allOf`` parts into one object schema (the loader resolves ``$ref`` already)."""
    parts = schema.get("allOf")
    if not isinstance(parts, list):
        return schema
    out: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    properties: dict[str, Any] = dict(out.get("properties") or {})
    for part in parts:
        if isinstance(part, Mapping):
            part = merged(part)
            properties.update(part.get("properties") or {})
            for key, value in part.items():
                if key != "properties":
                    out.setdefault(key, value)
    if properties:
        out["properties"] = properties
        out.setdefault("type", "object")
    return out


def unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


# -- arguments ----------------------------------------------------------------------------------


def argument_annotation(schema: Mapping[str, Any] | None, *, location: str = "query") -> str:
    """What a caller may pass for an argument of this schema (``location="file"``: a file)."""
    if location == "file":
        return _FILE_ARGUMENT
    schema = merged(schema or {})
    options = variants(schema)
    if options:
        names = unique(argument_annotation(option) for option in options)
        annotation = " | ".join(names) if names else "Any"
    else:
        annotation = _argument_base(schema)
    if annotation != "Any" and is_nullable(schema) and schema:
        annotation += " | None"
    return annotation


def _argument_base(schema: Mapping[str, Any]) -> str:
    kinds = schema_types(schema)
    if not kinds:
        return "dict[str, Any]" if "properties" in schema else "Any"
    return _by_kind(schema, kinds, argument_annotation, "dict[str, Any]", binary=_BINARY)


def _by_kind(
    schema: Mapping[str, Any],
    kinds: Iterable[str],
    item: Callable[[Any], str],
    obj: str,
    *,
    binary: str | None = None,
) -> str:
    """One annotation per JSON type: scalars, ``list[item]``, ``obj`` for a bare object, and
    ``binary`` for a binary string when the value is a file argument."""
    names = []
    for kind in kinds:
        if binary and kind == "string" and schema.get("format") == "binary":
            names.append(binary)
        elif kind in SCALARS:
            names.append(SCALARS[kind])
        elif kind == "array":
            names.append(f"list[{item(schema.get('items'))}]")
        elif kind == "object":
            names.append(obj)
        else:
            names.append("Any")
    return " | ".join(unique(names))


def parameter_annotation(param: Param) -> str:
    """The annotation of a spec parameter in a method's signature."""
    annotation = argument_annotation(param.schema, location=param.location)
    if not param.required and "None" not in annotation.split(" | ") and annotation != "Any":
        # Leaving an optional argument out and passing None are the same to the runtime.
        annotation += " | None"
    return annotation


def body_annotation(operation: Operation) -> str | None:
    """The annotation of the ``body=`` option (the whole request body), or None without a body."""
    body = operation.body
    if body is None:
        return None
    if body.fields:
        return "Mapping[str, Any] | None"
    binary = body.media_type.startswith("application/octet") or (
        (body.schema or {}).get("format") == "binary"
    )
    return argument_annotation(body.schema, location="file" if binary else "body") + " | None"


# -- values a call returns --------------------------------------------------------------------


def value_annotation(
    schema: Mapping[str, Any] | None,
    name: str = "",
    depth: int = 0,
    *,
    objects: ObjectAnnotator = _plain_response,
) -> str:
    """The annotation of a decoded value of ``schema``; ``objects`` names object schemas."""
    kind = _value(schema, name, depth, objects)
    if schema and kind not in ("Any", "Response") and is_nullable(schema):
        return f"{kind} | None"
    return kind


def _value(
    schema: Mapping[str, Any] | None, name: str, depth: int, objects: ObjectAnnotator
) -> str:
    if not schema:
        return "Any"
    if "$recursive" in schema:
        return "Response"
    schema = merged(schema)
    options = variants(schema)
    if options:
        with_fields = [v for v in options if "properties" in merged(v)]
        if with_fields:
            # Alternatives of objects: one object with the union of their fields.
            properties: dict[str, Any] = {}
            for option in with_fields:
                properties.update(merged(option).get("properties") or {})
            schema = {"type": "object", "properties": properties}
        else:
            names = unique(value_annotation(v, name, depth, objects=objects) for v in options)
            return " | ".join(names) if names else "Any"
    kinds = schema_types(schema)
    if "properties" in schema and (not kinds or "object" in kinds):
        return objects(schema, name, depth)
    if not kinds:
        return "Any"
    return _by_kind(
        schema,
        kinds,
        lambda items: value_annotation(items, name, depth, objects=objects),
        "Response",
    )


def return_annotation(
    success: ResponseShape | None, name: str = "", *, objects: ObjectAnnotator = _plain_response
) -> str:
    """What a ``snake`` call returns: a Response (or a list of them), text or bytes."""
    if success is None or success.schema is None:
        return "Response"  # an empty body decodes to an empty Response
    media = success.media_type or "application/json"
    if "json" not in media:
        return "str" if media.startswith("text/") else "bytes"
    annotation = value_annotation(success.schema, name, objects=objects)
    return "Response" if annotation == "Any" else annotation
