"""Matching request paths against spec path templates, one segment at a time.

Hand-written rather than Starlette's router because spec paths need what that router does not
give: colons inside literal segments (``/org/{orgGuid}/dataset:view``), literals that a client
may send percent-encoded (``dataset%3Aview``), and parameters that must stay one segment even
when their value holds an encoded slash (``%2F``). So we split the *raw* path on ``/`` first
and percent-decode each segment afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

__all__ = ["Route", "Router", "base_path_of", "split_raw_path"]

_PLACEHOLDER = re.compile(r"\{([^{}:]+)(?::(path))?\}")

# Sort keys per segment: literals beat mixed segments ("{id}:run"), which beat bare parameters,
# so "/runs/latest" wins over "/runs/{id}" whatever order the spec lists them in.
_LITERAL, _MIXED, _PARAM = 0, 1, 2


def base_path_of(server_url: str) -> str:
    """The path part of a server URL without a trailing slash: ``https://h/v1/`` -> ``/v1``."""
    path = urlsplit(server_url).path if "://" in server_url else server_url
    path = path.rstrip("/")
    if path and not path.startswith("/"):
        path = "/" + path
    return path


def split_raw_path(raw_path: str) -> list[str]:
    """Split a raw (still percent-encoded) path into decoded segments, ignoring a trailing slash."""
    trimmed = raw_path.strip("/")
    if not trimmed:
        return []
    return [unquote(segment) for segment in trimmed.split("/")]


@dataclass(slots=True)
class _Segment:
    kind: int
    literal: str = ""
    pattern: re.Pattern[str] | None = None
    names: tuple[str, ...] = ()


@dataclass(slots=True)
class Route:
    """One verb + path template and what to do when it matches."""

    verb: str
    template: str
    target: Any
    segments: tuple[_Segment, ...] = ()
    rest_name: str | None = None  # a trailing {name:path} swallows the remaining segments
    sort_key: tuple[int, ...] = field(default=())

    def match(self, segments: list[str]) -> dict[str, str] | None:
        """Path parameters (wire names, decoded) when ``segments`` fit this template, else None."""
        fixed = len(self.segments)
        if self.rest_name is None:
            if len(segments) != fixed:
                return None
        elif len(segments) <= fixed:
            return None
        params: dict[str, str] = {}
        for spec_segment, value in zip(self.segments, segments, strict=False):
            if spec_segment.kind == _LITERAL:
                if value != spec_segment.literal:
                    return None
            elif spec_segment.kind == _PARAM:
                if not value:
                    return None
                params[spec_segment.names[0]] = value
            else:
                assert spec_segment.pattern is not None
                found = spec_segment.pattern.fullmatch(value)
                if found is None:
                    return None
                params.update(zip(spec_segment.names, found.groups(), strict=True))
        if self.rest_name is not None:
            params[self.rest_name] = "/".join(segments[fixed:])
        return params


def compile_route(verb: str, template: str, target: Any) -> Route:
    """Compile ``template`` (e.g. ``/v1/org/{orgGuid}/dataset:view``) into a :class:`Route`."""
    parts = [p for p in template.strip("/").split("/") if p] if template.strip("/") else []
    segments: list[_Segment] = []
    rest_name: str | None = None
    for index, part in enumerate(parts):
        placeholders = list(_PLACEHOLDER.finditer(part))
        if not placeholders:
            segments.append(_Segment(_LITERAL, literal=unquote(part)))
            continue
        whole = placeholders[0].span() == (0, len(part))
        if whole and placeholders[0].group(2) == "path":
            if index != len(parts) - 1:
                raise ValueError(f"{{name:path}} must be the last segment of {template!r}")
            rest_name = placeholders[0].group(1)
            continue
        if whole:
            segments.append(_Segment(_PARAM, names=(placeholders[0].group(1),)))
            continue
        regex, names, last = "", [], 0
        for found in placeholders:
            regex += re.escape(unquote(part[last : found.start()])) + "(.+?)"
            names.append(found.group(1))
            last = found.end()
        regex += re.escape(unquote(part[last:]))
        segments.append(_Segment(_MIXED, pattern=re.compile(regex), names=tuple(names)))
    key = tuple(segment.kind for segment in segments) + ((3,) if rest_name else ())
    return Route(verb.lower(), template, target, tuple(segments), rest_name, key)


class Router:
    """Routes grouped by segment count; within a group the most specific template wins."""

    def __init__(self, routes: Iterable[Route] = ()) -> None:
        self._fixed: dict[int, list[Route]] = {}
        self._rest: list[Route] = []
        for route in routes:
            self.add(route)

    def add(self, route: Route) -> None:
        bucket = self._rest if route.rest_name else self._fixed.setdefault(len(route.segments), [])
        bucket.append(route)
        bucket.sort(key=lambda r: r.sort_key)

    def resolve(
        self, verb: str, segments: list[str]
    ) -> tuple[Route | None, dict[str, str], set[str]]:
        """Find the route for ``verb`` and path ``segments``.

        Returns ``(route, path_params, allowed_verbs)``. ``route`` is None when nothing matches
        the verb; ``allowed_verbs`` then lists the verbs the path does accept (empty: unknown
        path, so 404 rather than 405).
        """
        verb = verb.lower()
        allowed: set[str] = set()
        candidates = self._fixed.get(len(segments), []) + self._rest
        for route in candidates:
            params = route.match(segments)
            if params is None:
                continue
            if route.verb == verb:
                return route, params, allowed
            allowed.add(route.verb)
        return None, {}, allowed
