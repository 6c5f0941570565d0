"""Local ``$ref`` resolution: JSON pointers, cycle-safe schema expansion, eager checking.

Hand-written rather than jsonref/referencing because we need three things those do not give
together: the recursive occurrence of a schema kept as ``{"$recursive": name}`` (plain dicts,
picklable, no lazy proxies), every schema expanded once per document and shared (cycles cut
by strongly connected component, see :meth:`Resolver._named`), and the JSON pointer of the
faulty ``$ref`` in every error. References to other files are inlined before this module sees
the document (:mod:`._external`).
"""

from __future__ import annotations

from collections.abc import Iterator
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
#: References expanded inside one another before the rest is cut (keeps the model shallow
#: enough for pickle and every recursive reader).
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


def is_data(key: object, at: str) -> bool:
    """Whether ``key`` (under the node at pointer ``at``) holds data rather than spec objects;
    ``default`` is data in a schema but the catch-all response under ``responses``."""
    return key in _DATA_KEYS and not (key == "default" and at.endswith("/responses"))


def _marker(ref: str) -> dict[str, str]:
    return {"$recursive": ref_name(ref)}


def _collect_refs(node: Any, found: dict[str, None]) -> None:
    """Every ``$ref`` inside a schema, walked as :meth:`Resolver._expand` walks it."""
    pending = [node]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                found[ref] = None
            for key, value in node.items():
                if not isinstance(value, (dict, list)) or key in _DATA_KEYS or key == "$ref":
                    continue
                if isinstance(key, str) and key.startswith("x-"):
                    continue
                if key in _SCHEMA_MAPS and isinstance(value, dict):
                    pending.extend(value.values())
                else:
                    pending.append(value)
        elif isinstance(node, list):
            pending.extend(node)


class _BadRef(Exception):
    """A reference that does not resolve, before we know where it sits."""


class Resolver:
    """Resolves local references in one document."""

    def __init__(self, document: dict[str, Any], source: str | None = None) -> None:
        self.document = document
        self.source = source
        self._memo: dict[str, Any] = {}
        self._depth: dict[str, int] = {}
        self._edge_memo: dict[str, tuple[str, ...]] = {}

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
        """``node`` with every ``$ref`` expanded; a cycle becomes ``{"$recursive": name}``.

        Each referenced schema is expanded once per document and the result shared by every
        operation that uses it (see :meth:`_named`), so the cost and the size of the model
        grow with the document, not with the number of operations times the depth of its
        reference graph.
        """
        try:
            return self._expand(node, _EMPTY)
        except _BadRef as exc:
            raise self.error(str(exc), at) from None

    def _expand(self, node: Any, cut: frozenset[str]) -> Any:
        """``node`` with references replaced by their shared expansions.

        ``cut`` is the strongly connected component being expanded: a reference back into it
        becomes a ``$recursive`` marker, one to any other schema its memoised expansion.
        """
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                value = _marker(ref) if ref in cut else self._named(ref)
                if len(node) > 1 and isinstance(value, dict):
                    siblings = self._expand({k: v for k, v in node.items() if k != "$ref"}, cut)
                    value = {**value, **siblings}
                return value
            out: dict[Any, Any] | None = None
            for key, value in node.items():
                if not isinstance(value, (dict, list)) or key in _DATA_KEYS:
                    continue
                if isinstance(key, str) and key.startswith("x-"):
                    continue
                if key in _SCHEMA_MAPS and isinstance(value, dict):
                    new: Any = {k: self._expand(v, cut) for k, v in value.items()}
                    if all(new[k] is v for k, v in value.items()):
                        new = value
                else:
                    new = self._expand(value, cut)
                if new is not value:
                    if out is None:
                        out = dict(node)
                    out[key] = new
            return node if out is None else out
        if isinstance(node, list):
            items = [self._expand(v, cut) if isinstance(v, (dict, list)) else v for v in node]
            return node if all(a is b for a, b in zip(items, node, strict=True)) else items
        return node

    def _named(self, ref: str) -> Any:
        """The one expansion of the schema ``ref`` points to, shared by all its users.

        The references between schemas form a graph; its strongly connected components are
        expanded sinks first (Tarjan's algorithm, iteratively, so no chain of references can
        exhaust the stack). Inside a schema, a reference to another component is replaced by
        that component's finished expansion; a reference back into its own component (a
        cycle: Stripe's "expandable" objects link most of its schemas to one another) is cut
        with a ``$recursive`` marker. The result does not depend on where expansion started,
        which is what lets it be computed once and shared.
        """
        value = self._memo.get(ref, self)
        if value is self:
            self._expand_components(ref)
            value = self._memo[ref]
        return value

    def _expand_components(self, start: str) -> None:
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        work: list[tuple[str, Iterator[str]]] = []

        def visit(ref: str) -> None:
            index[ref] = low[ref] = len(index)
            stack.append(ref)
            on_stack.add(ref)
            work.append((ref, iter(self._edges(ref))))

        visit(start)
        while work:
            ref, edges = work[-1]
            for target in edges:
                if target in self._memo:
                    continue
                if target not in index:
                    visit(target)
                    break
                if target in on_stack:
                    low[ref] = min(low[ref], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[ref])
                if low[ref] == index[ref]:
                    members: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        members.append(member)
                        if member == ref:
                            break
                    self._finish(members)

    def _finish(self, members: list[str]) -> None:
        """Expand one component whose outgoing references are all memoised already."""
        component = frozenset(members)
        cyclic = len(members) > 1 or members[0] in self._edges(members[0])
        cut = component if cyclic else _EMPTY
        for ref in members:
            depth = 1 + max(
                (self._depth.get(t, 0) for t in self._edges(ref) if t not in cut), default=0
            )
            if depth > MAX_REF_DEPTH:
                # A chain of references this long would nest the model deeper than pickle and
                # every recursive reader can follow: stop at the schemas that make it so long.
                deep = frozenset(
                    t for t in self._edges(ref) if self._depth.get(t, 0) >= MAX_REF_DEPTH
                )
                expanded = self._expand(self._lookup(ref), cut | deep)
                depth = 1 + max(
                    (self._depth.get(t, 0) for t in self._edges(ref) if t not in cut | deep),
                    default=0,
                )
            else:
                expanded = self._expand(self._lookup(ref), cut)
            self._memo[ref] = expanded
            self._depth[ref] = depth

    def _edges(self, ref: str) -> tuple[str, ...]:
        """The references inside the schema ``ref`` points to, each once."""
        edges = self._edge_memo.get(ref)
        if edges is None:
            found: dict[str, None] = {}
            _collect_refs(self._lookup(ref), found)
            edges = self._edge_memo[ref] = tuple(found)
        return edges

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
                    if isinstance(value, (dict, list)) and not (
                        key in _DATA_KEYS and not (key == "default" and path[-1:] == ["responses"])
                    ):
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
