"""A stateless emulator for any spec: example replies made from the response schemas."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from specclient.emulators.core.app import EmulatorApp, Handler
from specclient.emulators.core.clock import EmulatorClock
from specclient.emulators.core.messages import EmuRequest, EmuResponse
from specclient.emulators.core.running import Emulator, running_app
from specclient.openapi.model import Operation, Spec

__all__ = ["build_generic", "example_for", "serve_spec"]


def build_generic(
    spec: Spec | str | Path | Mapping[str, Any],
    *,
    seed: int = 0,
    clock: EmulatorClock | None = None,
) -> EmulatorApp:
    """A stateless emulator for any spec: every operation answers its success status with an
    example body made from the response schema (``example``/``default``/enums where given).
    Requests are still checked against the spec; no auth is asked for."""
    app = EmulatorApp(spec, clock=clock, seed=seed)
    for qualname, operation in app.operations.items():
        app.handle(qualname)(_generic_handler(operation))
    return app


def _generic_handler(operation: Operation) -> Handler:
    shape = operation.success

    def answer(req: EmuRequest) -> Any:
        if shape is None or shape.schema is None:
            return None
        body = example_for(shape.schema, now=req.clock.time())
        # Echo path parameters into same-named fields, so GET /pets/7 returns id 7.
        if isinstance(body, dict):
            for name, value in req.path_params.items():
                if name in body:
                    body[name] = value
        media_type = shape.media_type or "application/json"
        if "json" not in media_type:
            return EmuResponse(
                int(shape.status) if shape.status.isdigit() else 200,
                body="" if body is None else str(body),
                media_type=media_type,
            )
        return body

    return answer


@contextlib.contextmanager
def serve_spec(
    spec: Spec | str | Path | Mapping[str, Any],
    *,
    seed: int = 0,
    port: int = 0,
    host: str = "127.0.0.1",
) -> Iterator[Emulator]:
    """Serve :func:`build_generic` for ``spec`` on a loopback port for the block's duration."""
    with running_app(build_generic(spec, seed=seed), port=port, host=host) as emu:
        yield emu


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
