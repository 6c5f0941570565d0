"""Local ``$ref`` resolution: JSON pointers, cycle-safe schema expansion, eager checking.

Hand-written rather than jsonref/referencing because we need three things those do not give
together: the recursive occurrence of a schema kept as ``{"$recursive": name}`` (plain dicts,
picklable, no lazy proxies), memoised expansion so a 2.5 MB spec's shared schemas are expanded
once, and the JSON pointer of the faulty ``$ref`` in every error.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from ..errors import SpecError

# Keys whose values are data, not schemas or spec objects: never treated as references.
_DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const", "x-examples"})
# Keys whose values map names to schemas: the names are not keywords ("$ref" may be a name).
_SCHEMA_MAPS = frozenset(
    {"properties", "patternProperties", "definitions", "$defs", "dependentSchemas"}
)
_EMPTY: frozenset[str] = frozenset()
#: Expansions of not-yet-memoised references allowed for one schema; see ``_expand_ref``.
EXPANSION_BUDGET = 2000
#: References expanded inside one another before the rest is cut (stays far below the
#: interpreter's recursion limit).
MAX_REF_DEPTH = 48


def escape(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(*parts: object) -> str:
    """``pointer("paths", "/tables", "get")`` -> ``#/paths/~1tables/get``."""
    return "#" + "".join("/" + escape(p) for p in parts)


def child(at: str, *parts: object) -> str:
    return at + "".join("/" + escape(p) for p in parts)


def ref_name(ref: str) -> str:
    """The name a ``$recursive`` marker carries: the last token of the pointer."""
    return unquote(ref.rsplit("/", 1)[-1]).replace("~1", "/").replace("~0", "~")


class _BadRef(Exception):
    """A reference that does not resolve, before we know where it sits."""


class Resolver:
    """Resolves local references in one document."""

    def __init__(self, document: dict[str, Any], source: str | None = None) -> None:
        self.document = document
        self.source = source
        self._memo: dict[str, Any] = {}
        self._stack: list[str] = []
        self._budget = EXPANSION_BUDGET

    def error(self, message: str, at: str) -> SpecError:
        return SpecError(message, at, self.source)

    # -- pointers -----------------------------------------------------------------------

    def lookup(self, ref: str, at: str) -> Any:
        """The node ``ref`` points to; ``at`` is where the ``$ref`` sits, for the error."""
        try:
            return self._lookup(ref)
        except _BadRef as exc:
            raise self.error(str(exc), at) from None

    def _lookup(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise _BadRef(
                f"$ref {ref!r} points outside this document; only local references "
                "('#/...') are supported, bundle the spec into one file first"
            )
        fragment = unquote(ref[1:])
        if not fragment:
            return self.document
        if not fragment.startswith("/"):
            raise _BadRef(f"$ref {ref!r} is not a JSON pointer")
        node: Any = self.document
        for raw in fragment[1:].split("/"):
            token = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict):
                if token in node:
                    node = node[token]
                    continue
                # YAML reads unquoted response codes (200:) as integers.
                if token.lstrip("-").isdigit() and int(token) in node:
                    node = node[int(token)]
                    continue
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
                continue
            raise _BadRef(f"$ref {ref!r} does not resolve (no {token!r})")
        return node

    def deref(self, node: Any, at: str) -> tuple[Any, str]:
        """Follow a chain of ``$ref``s to a spec object (parameter, response, path item).

        Sibling keys next to a ``$ref`` (allowed in 3.1) override the target's.
        Returns the object and its own pointer.
        """
        seen: list[str] = []
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                raise self.error(f"$ref cycle: {' -> '.join([*seen, ref])}", at)
            seen.append(ref)
            target = self.lookup(ref, at)
            if len(node) > 1 and isinstance(target, dict):
                target = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            node, at = target, ref
        return node, at

    # -- schemas ------------------------------------------------------------------------

    def schema(self, node: Any, at: str) -> Any:
        """``node`` with every ``$ref`` expanded; a cycle becomes ``{"$recursive": name}``."""
        self._budget = EXPANSION_BUDGET
        try:
            value, _ = self._expand(node)
        except _BadRef as exc:
            raise self.error(str(exc), at) from None
        return value

    def _expand(self, node: Any) -> tuple[Any, frozenset[str]]:
        """Return the expanded node and the refs it was cut at (``$recursive`` markers).

        Only a result with no cut is memoised (see ``_expand_ref``).
        """
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                return self._expand_ref(ref, node)
            out: dict[Any, Any] | None = None
            opens: frozenset[str] = _EMPTY
            for key, value in node.items():
                if not isinstance(value, (dict, list)) or key in _DATA_KEYS:
                    continue
                if isinstance(key, str) and key.startswith("x-"):
                    continue
                if key in _SCHEMA_MAPS and isinstance(value, dict):
                    new, sub = self._expand_map(value)
                else:
                    new, sub = self._expand(value)
                if sub:
                    opens = opens | sub
                if new is not value:
                    if out is None:
                        out = dict(node)
                    out[key] = new
            return (node if out is None else out), opens
        if isinstance(node, list):
            items: list[Any] | None = None
            opens = _EMPTY
            for i, value in enumerate(node):
                if not isinstance(value, (dict, list)):
                    continue
                new, sub = self._expand(value)
                if sub:
                    opens = opens | sub
                if new is not value:
                    if items is None:
                        items = list(node)
                    items[i] = new
            return (node if items is None else items), opens
        return node, _EMPTY

    def _expand_map(self, mapping: dict[Any, Any]) -> tuple[Any, frozenset[str]]:
        out: dict[Any, Any] | None = None
        opens: frozenset[str] = _EMPTY
        for key, value in mapping.items():
            new, sub = self._expand(value)
            if sub:
                opens = opens | sub
            if new is not value:
                if out is None:
                    out = dict(mapping)
                out[key] = new
        return (mapping if out is None else out), opens

    def _expand_ref(self, ref: str, node: dict[Any, Any]) -> tuple[Any, frozenset[str]]:
        if ref in self._stack:
            return {"$recursive": ref_name(ref)}, frozenset({ref})
        value = self._memo.get(ref, self)
        opens: frozenset[str] = _EMPTY
        if value is self and (self._budget <= 0 or len(self._stack) >= MAX_REF_DEPTH):
            # A densely cyclic spec unfolds into exponentially many paths, and a long chain
            # of references would exhaust Python's stack: past the budget or the depth, stop
            # at every schema not expanded yet. Like any cut, this is never memoised.
            return {"$recursive": ref_name(ref)}, frozenset({ref})
        if value is self:
            self._budget -= 1
            target = self._lookup(ref)
            self._stack.append(ref)
            try:
                value, opens = self._expand(target)
            finally:
                self._stack.pop()
            # Memoise only a result with no cut at all: one that stopped anywhere (even at
            # itself) holds schemas that are in a cycle with it, and from another starting
            # point those must be cut elsewhere.
            if not opens:
                self._memo[ref] = value
        if len(node) > 1 and isinstance(value, dict):
            siblings, sub = self._expand({k: v for k, v in node.items() if k != "$ref"})
            value = {**value, **siblings}
            opens = opens | sub
        return value, opens

    # -- eager check --------------------------------------------------------------------

    def check_all(self, raw: bytes | None = None) -> None:
        """Raise :class:`SpecError` at the first ``$ref`` that does not resolve.

        ``raw``, the JSON text the document was parsed from, allows a fast path: when every
        ``"$ref": "..."`` in the text resolves, the walk (which is only needed to name the
        pointer of a bad one) is skipped.
        """
        if raw is not None and raw.lstrip()[:1] == b"{":
            import json
            import re

            found = re.findall(rb'"\$ref"\s*:\s*("(?:[^"\\]|\\.)*")', raw)
            try:
                for ref in {json.loads(text) for text in set(found)}:
                    self._lookup(ref)
                return
            except (_BadRef, ValueError):
                pass  # walk to find where the bad one sits (or that it sits in example data)
        good: set[str] = set()
        path: list[object] = []
        lookup = self.lookup

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str) and ref not in good:
                    lookup(ref, pointer(*path))
                    good.add(ref)
                for key, value in node.items():
                    if isinstance(value, (dict, list)) and key not in _DATA_KEYS:
                        if isinstance(key, str) and key.startswith("x-"):
                            continue
                        path.append(key)
                        walk(value)
                        path.pop()
            else:
                for i, value in enumerate(node):
                    if isinstance(value, (dict, list)):
                        path.append(i)
                        walk(value)
                        path.pop()

        walk(self.document)
