"""Authored specs must be valid OpenAPI before anything is rendered from them.

openapi-spec-validator checks a document against the OpenAPI 2.0 / 3.0 / 3.1 meta-schemas (the
well-kept reference validator; writing our own would drift from the standard). It is a
developer-side check: codegen and CI run it, the runtime never imports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from specclient.errors import SpecError


def validate_document(document: Any, label: str) -> None:
    """Raise :class:`~specclient.errors.SpecError` naming the file, the place and the rule."""
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        validate(document)
    except OpenAPIValidationError as exc:
        parts = list(exc.absolute_path) or _where(document, exc.schema) or []
        pointer = "#/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in parts)
        summary = str(exc).splitlines()[0]
        raise SpecError(
            f"not valid OpenAPI (openapi-spec-validator): {summary}", pointer, label
        ) from None


def _where(node: Any, target: Any, trail: tuple[Any, ...] = ()) -> list[Any] | None:
    """The path to ``target`` in ``node``: the validator reports a schema's own faults (a
    default that breaks its type) with the schema but without its place in the document."""
    if node == target and isinstance(node, dict):
        return list(trail)
    children = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in children:
        found = _where(child, target, (*trail, key))
        if found is not None:
            return found
    return None


def validate_file(path: Path) -> None:
    import yaml

    validate_document(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
