"""Reading a spec source (path, URL, bytes or dict) and parsing JSON or YAML."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import errors
from ..errors import SpecError, redact_url

FETCH_TIMEOUT = 30.0  # seconds for the whole download, not per read
MAX_SPEC_BYTES = 64 * 1024 * 1024  # the Civis spec, the largest we know, is under 4 MB


@dataclass
class Source:
    """What was read: the exact bytes (for the cache key) and/or an already parsed mapping."""

    raw: bytes | None
    document: dict[str, Any] | None
    label: str | None  # path or (redacted) URL, for messages


def read(source: object) -> Source:
    """Read ``source`` without parsing it (parsing is skipped on a warm cache)."""
    if isinstance(source, Mapping):
        return Source(None, dict(source), None)
    if isinstance(source, (bytes, bytearray)):
        return Source(bytes(source), None, None)
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        return Source(_fetch(source), None, redact_url(source))
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            with open(path, "rb") as fh:
                return Source(fh.read(), None, str(path))
        except FileNotFoundError:
            raise SpecError(f"spec file not found: {path}") from None
        except IsADirectoryError:
            raise SpecError(f"spec path is a directory, not a file: {path}") from None
        except OSError as exc:
            raise SpecError(f"cannot read spec file {path}: {exc.strerror}") from None
    raise SpecError(
        "a spec source must be a path, an http(s) URL, bytes or a mapping, "
        f"not {type(source).__name__}"
    )


def _fetch(url: str) -> bytes:
    import httpx  # only when a URL is given: keeps `import specclient` light

    shown = redact_url(url)
    # httpx's timeout is per read: a server sending a byte at a time would never time out.
    # The download as a whole gets FETCH_TIMEOUT, checked as each chunk arrives.
    deadline = time.monotonic() + FETCH_TIMEOUT
    chunks: list[bytes] = []
    size = 0
    try:
        with httpx.stream("GET", url, timeout=FETCH_TIMEOUT, follow_redirects=True) as response:
            if response.status_code >= 400:
                raise SpecError(
                    f"fetching the spec from {shown} failed with HTTP {response.status_code}"
                )
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_SPEC_BYTES:
                    raise SpecError(
                        f"the spec at {shown} is larger than {MAX_SPEC_BYTES} bytes "
                        "(decompressed); download it and pass the file"
                    )
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("the whole download took too long")
                chunks.append(chunk)
    except httpx.TimeoutException:
        raise errors.TimeoutError(
            f"timed out after {FETCH_TIMEOUT:g}s fetching the spec", method="GET", url=url
        ) from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise errors.ConnectionError(
            f"could not fetch the spec ({type(exc).__name__})", method="GET", url=url
        ) from None
    return b"".join(chunks)


def parse(raw: bytes, label: str | None) -> dict[str, Any]:
    """JSON when it looks like JSON, else YAML (C loader when available)."""
    import json

    document: Any
    head = raw.lstrip()[:1]
    if head in (b"{", b"["):
        try:
            document = json.loads(raw)
        except ValueError:
            document = _parse_yaml(raw, label)  # YAML is a superset: try it before failing
    else:
        document = _parse_yaml(raw, label)
    if not isinstance(document, dict):
        kind = "empty" if document is None else type(document).__name__
        raise SpecError(f"a spec must be a mapping at the top level, got {kind}", "#", label)
    return document


_YAML_LOADER: Any = None


def _yaml_loader() -> Any:
    """A safe loader (the C one when available) that reads scalars as YAML 1.2 does.

    PyYAML follows YAML 1.1, where ``on``/``off``/``yes``/``no`` are booleans and
    ``2024-01-01`` is a date; OpenAPI documents are YAML 1.2 (JSON-compatible), where a property
    called ``on``, an enum ``[yes, no]`` or a ``version: 2024-01-01`` are strings.
    """
    global _YAML_LOADER
    if _YAML_LOADER is None:
        import re

        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        dropped = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"}

        class SpecLoader(base):  # type: ignore[valid-type,misc]
            pass

        SpecLoader.yaml_implicit_resolvers = {
            first: [(tag, rx) for tag, rx in entries if tag not in dropped]
            for first, entries in base.yaml_implicit_resolvers.items()
        }
        SpecLoader.add_implicit_resolver(
            "tag:yaml.org,2002:bool",
            re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
            list("tTfF"),
        )
        _YAML_LOADER = SpecLoader
    return _YAML_LOADER


def _parse_yaml(raw: bytes, label: str | None) -> Any:
    import yaml

    loader = _yaml_loader()
    try:
        return yaml.load(raw, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SpecError(f"not valid JSON or YAML: {problem}{where}", "", label) from None
