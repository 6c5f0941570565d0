"""Path, query, header and cookie parameters serialised per their ``style`` and ``explode``.

The rules are OpenAPI 3.1.1's "Style Examples" table (section 4.8.12.6), which corrects 3.1.0's
``label`` rows to RFC 6570, and Swagger 2.0's ``collectionFormat`` (normalised to the style it
means: ``csv`` -> ``form``/``simple``, ``ssv`` -> ``spaceDelimited``, ``pipes`` ->
``pipeDelimited``, ``tsv`` -> ``tabDelimited`` (ours: 3.x has no tab style), ``multi`` -> ``form``
with ``explode``). Percent-encoding follows 3.1.1's "URL Percent-Encoding" section: everything
outside RFC 3986's unreserved set is encoded, so ``|`` is ``%7C`` and ``[``/``]`` are ``%5B``/
``%5D`` (the table's own spelling); ``allowReserved`` lets the reserved set and existing
``%XX`` triplets through, except ``[ ] #``, which a query may not hold raw.

Rendering is written once: :func:`expansion` for one-string styles (``simple``, ``label``,
``matrix``: paths and headers) and :func:`pairs` for name=value styles (``form``, the delimited
styles, ``deepObject``: queries, cookies and form bodies), each given the escaping of its place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from ..errors import ParameterError
from ..openapi.model import Param
from .jsontext import encode_json, is_json_media
from .text import is_array, require_text

Encode = Callable[[str], str]

DELIMITERS = {"spaceDelimited": " ", "pipeDelimited": "|", "tabDelimited": "\t"}
_DEFAULT_STYLE = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}
_STYLES_FOR = {
    "path": {"simple", "label", "matrix", *DELIMITERS},
    "header": {"simple", *DELIMITERS},
    "query": {"form", "deepObject", *DELIMITERS},
    "cookie": {"form"},
}
_RESERVED_ALLOWED = ":/?@!$&'()*+,;="  # RFC 3986 reserved, less [ ] # (not allowed in a query)
_TRIPLET = re.compile(r"(%[0-9A-Fa-f]{2})")


def pct(text: str) -> str:
    """Percent-encode everything outside RFC 3986's unreserved set."""
    return quote(text, safe="")


def pct_reserved(text: str) -> str:
    """``allowReserved``: reserved characters and ``%XX`` triplets pass through unchanged."""
    pieces = _TRIPLET.split(text)
    return "".join(p if _TRIPLET.fullmatch(p) else quote(p, safe=_RESERVED_ALLOWED) for p in pieces)


def verbatim(text: str) -> str:
    return text


def style_of(style: str | None, explode: bool | None, location: str) -> tuple[str, bool]:
    """The style in effect (the location's default when none, or one that cannot apply there)."""
    allowed = _STYLES_FOR.get(location, set())
    chosen = style if style is not None and style in allowed else _DEFAULT_STYLE[location]
    return chosen, explode if explode is not None else chosen == "form"


class Renderer:
    """Renders one value in one style; ``where`` names the argument in errors."""

    def __init__(self, qualname: str, name: str, enc: Encode, where: str) -> None:
        self.qualname, self.name, self.enc, self.where = qualname, name, enc, where

    def text(self, value: Any) -> str:
        return self.enc(require_text(value, self.qualname, self.name, self.where))

    def members(self, value: Mapping[Any, Any]) -> list[tuple[str, str]]:
        return [(self.text(k), self.text(v)) for k, v in value.items() if v is not None]

    def items(self, value: Any) -> list[str]:
        return [self.text(v) for v in value if v is not None]

    # -- one string: simple, label, matrix (and a delimited style outside a query) -------------

    def expansion(self, style: str, explode: bool, value: Any) -> str:
        name = self.enc(self.name)
        if isinstance(value, Mapping):
            members = self.members(value)
            if style == "matrix":
                if explode:
                    return "".join(f";{k}={v}" if v else f";{k}" for k, v in members)
                return (
                    f";{name}=" + ",".join(f"{k},{v}" for k, v in members)
                    if members
                    else f";{name}"
                )
            if style in DELIMITERS:
                d = self.enc(DELIMITERS[style])
                return d.join(f"{k}{d}{v}" for k, v in members)
            joined = [f"{k}={v}" if explode else f"{k},{v}" for k, v in members]
            if style == "label":
                return "." + ("." if explode else ",").join(joined)
            return ",".join(joined)
        if is_array(value):
            items = self.items(value)
            if style == "matrix":
                if explode:
                    return "".join(f";{name}={t}" for t in items) or f";{name}"
                return f";{name}=" + ",".join(items) if items else f";{name}"
            if style == "label":
                return "." + ("." if explode else ",").join(items)
            if style in DELIMITERS:
                return self.enc(DELIMITERS[style]).join(items)
            return ",".join(items)
        text = self.text(value)
        if style == "matrix":
            return f";{name}={text}" if text else f";{name}"
        if style == "label":
            return "." + text
        return text

    # -- name=value pairs: form, spaceDelimited, pipeDelimited, deepObject ---------------------

    def pairs(self, style: str, explode: bool, value: Any) -> list[tuple[str, str]]:
        name = self.enc(self.name)
        if style == "deepObject" and (isinstance(value, Mapping) or is_array(value)):
            return self._deep(name, value)
        delimited = style in DELIMITERS and not explode
        if isinstance(value, Mapping):
            members = self.members(value)
            if delimited:
                d = self.enc(DELIMITERS[style])
                return [(name, d.join(f"{k}{d}{v}" for k, v in members))]
            if explode:
                return members
            return [(name, ",".join(f"{k},{v}" for k, v in members))]
        if is_array(value):
            items = self.items(value)
            if not items:
                return [(name, "")]
            if delimited:
                return [(name, self.enc(DELIMITERS[style]).join(items))]
            if explode:
                return [(name, t) for t in items]
            return [(name, ",".join(items))]
        return [(name, self.text(value))]

    def _deep(self, prefix: str, value: Any) -> list[tuple[str, str]]:
        """``color[R]=100``; nested objects nest the brackets, arrays index them (``a[0]``).

        OpenAPI leaves nested values in ``deepObject`` undefined; bracket nesting with indexed
        arrays is what form-style APIs that take them read (Stripe's among them).
        """
        if isinstance(value, Mapping):
            keyed = [(k, v) for k, v in value.items() if v is not None]
        elif is_array(value):
            keyed = list(enumerate(value))
        else:
            return [(prefix, self.text(value))]
        out: list[tuple[str, str]] = []
        for key, item in keyed:
            out += self._deep(f"{prefix}{self.enc('[')}{self.text(key)}{self.enc(']')}", item)
        return out


def _content_text(param: Param, value: Any, qualname: str) -> str:
    """A parameter described by ``content``: the media type's own text (JSON, usually)."""
    assert param.content_type is not None
    if is_json_media(param.content_type):
        try:
            return encode_json(value).decode()
        except TypeError as exc:
            raise ParameterError(qualname, f"argument {param.name!r}: {exc}", param.name) from None
    return require_text(value, qualname, param.name, f"as {param.content_type}")


def path_text(param: Param, value: Any, qualname: str) -> str:
    """What replaces ``{name}`` in the path template; it can never leave its own segment."""
    if param.content_type:
        return pct(_content_text(param, value, qualname))
    style, explode = style_of(param.style, param.explode, "path")
    text = Renderer(qualname, param.wire_name, pct, "in a path").expansion(style, explode, value)
    if text and set(text) == {"."} and style == "simple":
        text = text.replace(".", "%2E")  # ".." would climb a level once the URL is normalised
    return text


def query_fragments(param: Param, value: Any, qualname: str) -> list[str]:
    if value == "" and not param.allow_empty_value:
        raise ParameterError(
            qualname,
            f"argument {param.name!r}: the spec does not allow an empty value for query "
            f"parameter {param.wire_name!r} (no allowEmptyValue); pass None to leave it out",
            param.name,
        )
    enc = pct_reserved if param.allow_reserved else pct
    if param.content_type:
        return [f"{pct(param.wire_name)}={enc(_content_text(param, value, qualname))}"]
    style, explode = style_of(param.style, param.explode, "query")
    rendered = Renderer(qualname, param.wire_name, enc, "in a query").pairs(style, explode, value)
    return [f"{k}={v}" for k, v in rendered]


def header_text(param: Param, value: Any, qualname: str) -> str:
    if param.content_type:
        text = _content_text(param, value, qualname)
    else:
        style, explode = style_of(param.style, param.explode, "header")
        renderer = Renderer(qualname, param.wire_name, verbatim, "in a header")
        text = renderer.expansion(style, explode, value)
    if "\r" in text or "\n" in text:
        raise ParameterError(
            qualname,
            f"argument {param.name!r}: a header value cannot hold a line break",
            param.name,
        )
    return text


def cookie_fragments(param: Param, value: Any, qualname: str) -> list[str]:
    if param.content_type:
        return [f"{param.wire_name}={pct(_content_text(param, value, qualname))}"]
    style, explode = style_of(param.style, param.explode, "cookie")
    rendered = Renderer(qualname, param.wire_name, pct, "in a cookie").pairs(style, explode, value)
    return [f"{k}={v}" for k, v in rendered]
