"""Reading a spec source (path, URL, bytes or dict) and parsing JSON or YAML."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping

from .. import errors
from ..errors import SpecError, redact_url

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

FETCH_TIMEOUT = 30.0  # seconds for the whole download, not per read
#: The largest description read (the biggest public ones, e.g. Microsoft Graph's, are ~40 MB).
MAX_DOCUMENT_BYTES = 100 * 1024 * 1024
#: Nodes a YAML document may hold once its aliases are expanded (Stripe's 4 MB description has
#: about 400,000): "billion laughs" documents of a few hundred bytes expand to billions.
MAX_EXPANDED_NODES = 10_000_000


class Source:
    """What was read: the exact bytes (for the cache key) and/or an already parsed mapping."""

    __slots__ = ("raw", "document", "label", "status")

    def __init__(
        self,
        raw: bytes | None,
        document: dict[str, Any] | None,
        label: str | None,  # path or (redacted) URL, for messages
        status: os.stat_result | None = None,  # a file's, taken before it was read
    ) -> None:
        self.raw, self.document, self.label, self.status = raw, document, label, status


def read(source: object) -> Source:
    """Read ``source`` without parsing it (parsing is skipped on a warm cache)."""
    if isinstance(source, Mapping):
        return Source(None, dict(source), None)
    if isinstance(source, (bytes, bytearray)):
        _check_size(len(source), None)
        return Source(bytes(source), None, None)
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        return Source(fetch(source), None, redact_url(source))
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            with open(path, "rb") as fh:
                status = os.fstat(fh.fileno())
                _check_size(status.st_size, path)
                return Source(fh.read(MAX_DOCUMENT_BYTES + 1), None, str(path), status)
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


def _check_size(size: int, label: str | None) -> None:
    if size > MAX_DOCUMENT_BYTES:
        raise SpecError(
            f"the document is {size:,} bytes, more than the {MAX_DOCUMENT_BYTES:,} a spec may "
            "have (specclient.openapi._document.MAX_DOCUMENT_BYTES)",
            "",
            label,
        )


def fetch(url: str) -> bytes:
    """GET a description (or a file it refers to), at most :data:`MAX_DOCUMENT_BYTES`."""
    import httpx  # only when a URL is given: keeps `import specclient` light

    shown = redact_url(url)
    # httpx's timeout is per read: a server sending a byte at a time would never time out.
    # The download as a whole gets FETCH_TIMEOUT, checked as each chunk arrives.
    deadline = time.monotonic() + FETCH_TIMEOUT
    try:
        with httpx.stream("GET", url, timeout=FETCH_TIMEOUT, follow_redirects=True) as response:
            if response.status_code >= 400:
                raise SpecError(
                    f"fetching the spec from {shown} failed with HTTP {response.status_code}"
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                _check_size(size, shown)  # a server that never stops sending is cut off
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("the whole download took longer than FETCH_TIMEOUT")
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.TimeoutException:
        raise errors.TimeoutError(
            f"timed out after {FETCH_TIMEOUT:g}s fetching the spec", method="GET", url=url
        ) from None
    except httpx.HTTPError as exc:
        raise errors.ConnectionError(
            f"could not fetch the spec ({type(exc).__name__})", method="GET", url=url
        ) from None


def parse(raw: bytes, label: str | None) -> dict[str, Any]:
    """JSON when it looks like JSON, else YAML (C loader when available)."""
    document = parse_any(raw, label)
    if not isinstance(document, dict):
        kind = "empty" if document is None else type(document).__name__
        raise SpecError(f"a spec must be a mapping at the top level, got {kind}", "#", label)
    return document


def parse_any(raw: bytes, label: str | None) -> Any:
    """Any JSON or YAML value (a file another one refers to may hold a bare schema)."""
    import json

    document: Any
    head = raw.lstrip()[:1]
    try:
        if head in (b"{", b"["):
            try:
                document = json.loads(raw)
            except ValueError:
                document = _parse_yaml(raw, label)  # YAML is a superset: try it before failing
        else:
            document = _parse_yaml(raw, label)
    except RecursionError:
        raise too_deep(label) from None
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


def too_deep(label: str | None) -> SpecError:
    return SpecError(
        "the document is nested too deeply to read (thousands of levels: not a real API)",
        "",
        label,
    )


# A $ref whose value does not start with '#' (JSON or YAML spelling), found in the raw text so
# a one-file description (nearly all of them) costs one regular-expression scan.
_EXTERNAL_REF = rb"""["']?\$ref["']?\s*:\s*["']?[^"'#\s]"""  # compiled at first use


def might_have_external_refs(raw: bytes | None) -> bool:
    """Whether the text may refer to other files (see :mod:`._external`)."""
    return raw is None or re.search(_EXTERNAL_REF, raw) is not None


# An anchor (``&name``) is what an alias needs; without one the expansion walk is skipped.
_ANCHOR = rb"(?:^|[\s\[{,:?-])&[^\s\[\]{},]"


def _parse_yaml(raw: bytes, label: str | None) -> Any:
    import yaml

    loader = _yaml_loader()
    try:
        document = yaml.load(raw, Loader=loader)  # noqa: S506 - a safe loader
        if re.search(_ANCHOR, raw):
            _bound_aliases(document, label)
        return document
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SpecError(f"not valid JSON or YAML: {problem}{where}", "", label) from None


def _bound_aliases(document: Any, label: str | None) -> None:
    """Refuse a YAML document whose aliases expand it past :data:`MAX_EXPANDED_NODES` or
    make it contain itself.

    PyYAML builds an alias as a second reference to the same object, so parsing is cheap, but
    every reader afterwards (``$ref`` checks, schema expansion, pickling) walks the tree as if
    each alias were a copy: nine nested aliases of ten are a billion nodes. The expanded size
    is counted here once per distinct object, in time linear in the parsed document.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    pending: list[tuple[Any, bool]] = [(document, False)]
    while pending:
        node, done = pending.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = node.values() if isinstance(node, dict) else node
            total = 1 + sum(sizes[id(c)] if isinstance(c, (dict, list)) else 1 for c in children)
            if total > MAX_EXPANDED_NODES:
                raise SpecError(
                    f"YAML aliases expand the document to more than {MAX_EXPANDED_NODES:,} "
                    "nodes (an alias bomb, not an API description)",
                    "",
                    label,
                )
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise SpecError("a YAML alias refers to a node that contains it", "", label)
        on_path.add(key)
        pending.append((node, True))
        children = node.values() if isinstance(node, dict) else node
        for child_node in children:
            if isinstance(child_node, (dict, list)):
                if id(child_node) in on_path:
                    raise SpecError("a YAML alias refers to a node that contains it", "", label)
                pending.append((child_node, False))
