"""Numpy-style docstrings for generated methods, rendered only when someone reads them."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._annotations import argument_annotation

if TYPE_CHECKING:
    from ._binding import Binder
    from .openapi.model import Operation, Param

_WIDTH = 79


def _fill(text: str, indent: str) -> str:
    paragraphs = [p.strip() for p in text.strip().split("\n\n") if p.strip()]
    return "\n".join(
        textwrap.fill(" ".join(p.split()), _WIDTH, initial_indent=indent, subsequent_indent=indent)
        for p in paragraphs
    )


def _param_block(param: Param) -> str:
    optional = "" if param.required else ", optional"
    head = f"{param.name} : {argument_annotation(param.schema, location=param.location)}{optional}"
    lines = [head]
    description = param.description or param.schema.get("description", "")
    if description:
        lines.append(_fill(description, "    "))
    enum = param.schema.get("enum")
    if enum:
        lines.append(_fill("One of: " + ", ".join(repr(e) for e in enum), "    "))
    if param.deprecated:
        lines.append("    Deprecated.")
    return "\n".join(lines)


def _fields(schema: Mapping[str, Any] | None, indent: str = "    ") -> list[str]:
    if not schema:
        return []
    if schema.get("type") == "array" and isinstance(schema.get("items"), Mapping):
        schema = schema["items"]
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    if not isinstance(props, Mapping):
        return []
    from .response import camel_to_snake

    out = []
    for name, prop in list(props.items())[:60]:
        prop = prop if isinstance(prop, Mapping) else {}
        out.append(f"{indent}- {camel_to_snake(name)} : {argument_annotation(prop)}")
        if prop.get("description"):
            out.append(_fill(prop["description"], indent + "    "))
    return out


def render_docstring(operation: Operation, binder: Binder) -> str:
    parts = []
    summary = operation.summary or operation.description or operation.qualname
    parts.append(_fill(summary, ""))
    if operation.description and operation.description != operation.summary:
        parts.append(_fill(operation.description, ""))
    parts.append(f"API URL: ``{operation.verb.upper()} {operation.path}``")
    if operation.deprecated:
        parts.append(".. deprecated:: the spec marks this operation deprecated.")
    params = [binder._by_name[n] for n in binder.signature.parameters if n in binder._by_name]
    option_docs = {
        "iterator": "bool, optional\n    If True, return a generator over every item "
        "of every page (pages are fetched as you iterate).",
        "return_type": "str, optional\n    'snake' (default), 'raw' "
        "(httpx.Response) or 'pandas' (DataFrame) for this call.",
        "timeout": "float, optional\n    Seconds before giving up on this call.",
        "headers": "dict, optional\n    Extra HTTP headers for this call.",
        "body": "optional\n    The whole request body, instead of keyword fields.",
        "content_type": "str, optional\n    The request media type to send, of: "
        + ", ".join(operation.body.media_types if operation.body else ())
        + ".",
    }
    blocks = [_param_block(p) for p in params]
    blocks += [
        f"{binder.shown[option]} : {option_docs[option]}"
        for option in binder.options
        if option != "iterator" or operation.pagination is not None
    ]
    if blocks:
        parts.append("Parameters\n----------\n" + "\n".join(blocks))
    success = operation.success
    returns = ["Returns\n-------"]
    if operation.pagination is not None:
        returns.append("Response or iterator of Response")
    else:
        returns.append("Response" if success and success.schema else "None or bytes")
    if success and success.description:
        returns.append(_fill(success.description, "    "))
    returns.extend(_fields(success.schema if success else None))
    parts.append("\n".join(returns))
    return "\n\n".join(parts) + "\n"
