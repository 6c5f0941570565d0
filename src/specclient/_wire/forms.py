"""The properties of ``application/x-www-form-urlencoded`` and ``multipart/form-data`` bodies.

Per OpenAPI 3.1.1's Encoding Object (4.8.15): a property whose Encoding Object sets ``style``,
``explode`` or ``allowReserved`` is serialised like a query parameter of that style
(``deepObject`` gives ``address%5Bcity%5D=...``); otherwise its ``contentType`` decides, by
default ``application/json`` for an object and ``text/plain`` for a scalar, with each item of
an array a value of its own under the same name. Swagger 2.0's ``collectionFormat`` on a
``formData`` parameter reaches here as the ``style`` it means (``csv`` by default).
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from ..errors import ParameterError
from .jsontext import encode_json, is_json_media
from .multipart import Part
from .sources import Source
from .styles import Renderer, pct_reserved, style_of, verbatim
from .text import is_array, require_text

_STYLE_KEYS = ("style", "explode", "allowReserved")


def form_quote(text: str) -> str:
    """RFC 1866 form encoding: spaces as ``+``, everything not unreserved as ``%XX``, ``~`` too."""
    return quote_plus(text, safe="").replace("~", "%7E")


def is_file_tuple(value: Any) -> bool:
    """httpx's ``(filename, content[, content_type])`` spelling of one file."""
    return (
        isinstance(value, tuple)
        and len(value) in (2, 3)
        and isinstance(value[0], str | None)
        and (isinstance(value[1], bytes | bytearray | os.PathLike) or hasattr(value[1], "read"))
    )


def looks_like_file(value: Any) -> bool:
    return (
        isinstance(value, bytes | bytearray | memoryview | os.PathLike)
        or hasattr(value, "read")
        or is_file_tuple(value)
    )


def items_of(value: Any) -> list[Any]:
    """The values one property gives: each item of an array, else the value itself."""
    return list(value) if is_array(value) and not is_file_tuple(value) else [value]


class FormEncoder:
    """Serialises one body mapping for one operation and media type."""

    def __init__(
        self,
        qualname: str,
        encodings: Mapping[str, Mapping[str, Any]],
        file_fields: frozenset[str] = frozenset(),
    ) -> None:
        self.qualname = qualname
        self.encodings = encodings
        self.file_fields = file_fields

    def _json(self, name: str, value: Any) -> str:
        try:
            return encode_json(value).decode()
        except TypeError as exc:
            raise ParameterError(self.qualname, f"field {name!r}: {exc}", name) from None

    def _styled(self, name: str) -> Mapping[str, Any] | None:
        encoding = self.encodings.get(name) or {}
        return encoding if any(k in encoding for k in _STYLE_KEYS) else None

    def _declared_type(self, name: str) -> str | None:
        declared = (self.encodings.get(name) or {}).get("contentType")
        return str(declared) if declared else None

    # -- application/x-www-form-urlencoded ---------------------------------------------------------

    def urlencoded(self, body: Mapping[str, Any]) -> bytes:
        pairs: list[str] = []
        for name, value in body.items():
            if value is None:
                continue
            styled = self._styled(name)
            if styled is not None:
                enc = pct_reserved if styled.get("allowReserved") else form_quote
                style, explode = style_of(styled.get("style"), styled.get("explode"), "query")
                renderer = Renderer(self.qualname, name, enc, "in a form body")
                pairs += [f"{k}={v}" for k, v in renderer.pairs(style, explode, value)]
                continue
            for item in items_of(value):
                if item is None:
                    continue
                if looks_like_file(item) and not isinstance(item, bytes | bytearray):
                    raise ParameterError(
                        self.qualname,
                        f"field {name!r}: a file cannot go in a form-urlencoded body "
                        "(a text format); send multipart/form-data or base64-encode it",
                        name,
                    )
                pairs.append(f"{form_quote(name)}={form_quote(self._text(name, item))}")
        return "&".join(pairs).encode()

    def _text(self, name: str, value: Any) -> str:
        declared = self._declared_type(name)
        if isinstance(value, Mapping) or is_array(value) or (declared and is_json_media(declared)):
            return self._json(name, value)
        return require_text(value, self.qualname, name, "in a form field")

    # -- multipart/form-data -----------------------------------------------------------------------

    def parts(self, body: Mapping[str, Any]) -> list[Part]:
        parts: list[Part] = []
        for name, value in body.items():
            if value is None:
                continue
            styled = self._styled(name)
            if styled is not None:
                # RFC6570-style in multipart: no percent-encoding (3.1.1, 4.8.15.1.2).
                style, explode = style_of(styled.get("style"), styled.get("explode"), "query")
                renderer = Renderer(self.qualname, name, verbatim, "in a multipart part")
                parts += [Part(k, v.encode()) for k, v in renderer.pairs(style, explode, value)]
                continue
            for item in items_of(value):
                if item is not None:
                    parts.append(self._part(name, item))
        return parts

    def _part(self, name: str, value: Any) -> Part:
        declared = self._declared_type(name)
        if is_file_tuple(value):
            filename, content = value[0], value[1]
            explicit = value[2] if len(value) == 3 else None
            source = Source(content)
            return Part(name, source, filename, explicit or self._file_type(declared, filename))
        if looks_like_file(value) or (name in self.file_fields and isinstance(value, str)):
            # A string given for a binary field is a path (what a caller means by it).
            if isinstance(value, str | os.PathLike) and not Path(value).is_file():
                raise ParameterError(self.qualname, f"field {name!r}: no such file: {value}", name)
            source = Source(Path(value) if isinstance(value, str) else value)
            filename = source.filename or name
            return Part(name, source, filename, self._file_type(declared, filename))
        if isinstance(value, Mapping) or (declared and is_json_media(declared)):
            return Part(
                name, self._json(name, value).encode(), None, declared or "application/json"
            )
        text = require_text(value, self.qualname, name, "in a multipart part")
        return Part(name, text.encode(), None, declared)

    @staticmethod
    def _file_type(declared: str | None, filename: str | None) -> str:
        """The Encoding Object's type; of a list or wildcard, the one the file name says."""
        guessed = mimetypes.guess_type(filename)[0] if filename else None
        if not declared:
            return guessed or "application/octet-stream"
        choices = [c.strip() for c in declared.split(",") if c.strip()]
        for choice in choices:
            if guessed and (
                choice == guessed or (choice.endswith("/*") and guessed.startswith(choice[:-1]))
            ):
                return guessed
        concrete = [c for c in choices if "*" not in c]
        return concrete[0] if concrete else "application/octet-stream"
