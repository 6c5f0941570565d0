"""Example bodies made up from response schemas, for the generic stateless emulator."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = ["example_for"]

_MAX_DEPTH = 6


def example_for(schema: Mapping[str, Any] | None, *, now: float = 0.0, depth: int = 0) -> Any:
    """A value that fits ``schema``: its ``example``/``default``/first enum when it has one,
    otherwise something of the right type (one-item arrays, every declared property)."""
    if not isinstance(schema, Mapping) or "$recursive" in schema or depth > _MAX_DEPTH:
        return None
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = example_for(part, now=now, depth=depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    for key in ("oneOf", "anyOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return example_for(schema[key][0], now=now, depth=depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind is None and "properties" in schema:
        kind = "object"
    if kind == "object":
        properties = schema.get("properties") or {}
        return {
            name: example_for(sub, now=now, depth=depth + 1) for name, sub in properties.items()
        }
    if kind == "array":
        return [example_for(schema.get("items") or {}, now=now, depth=depth + 1)]
    if kind == "integer":
        return int(schema.get("minimum", 0))
    if kind == "number":
        return float(schema.get("minimum", 0))
    if kind == "boolean":
        return False
    if kind == "string":
        fmt = schema.get("format")
        moment = datetime.fromtimestamp(now, UTC)
        if fmt == "date-time":
            return moment.isoformat().replace("+00:00", "Z")
        if fmt == "date":
            return moment.date().isoformat()
        if fmt == "uuid":
            return "00000000-0000-4000-8000-000000000000"
        return "string"
    return None
