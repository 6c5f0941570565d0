"""Multi-file descriptions: ``$ref``s to other files, inlined into one document at load.

A reference such as ``schemas/pet.yaml#/Pet`` is read relative to the file that holds it, the
file is parsed (with the same size and alias bounds as the main document) and mounted under
``#/x-specclient-files/<n>``; every reference into it, and every local reference inside it,
is rewritten to point there. After that the rest of the engine sees one document with local
references only. Each file is read once, so files that refer to each other are safe.

Remote references (``https://...``, or any reference inside a description that was itself
fetched from a URL) are fetched only when the caller asked for it with
``load(..., remote_refs=True)``: a description must not make the client reach the network on
its own.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

from ..errors import SpecError
from . import _document
from ._refs import Resolver, child, is_data

MOUNT = "x-specclient-files"


def _is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


class _Bundler:
    def __init__(self, document: dict[str, Any], base: str | None, remote: bool) -> None:
        self.document = document
        self.base = base
        self.remote = remote
        self.files: dict[str, Any] = {}  # mount name -> parsed file
        self.mounted: dict[str, str] = {}  # absolute location -> mount name
        self.digests: dict[str, str] = {}  # absolute local path -> content hash (cache check)
        self.rewritten: list[tuple[str, str, str | None]] = []  # (new ref, where, file)

    def location_of(self, uri: str, base: str | None, ref: str, at: str, label: str | None) -> str:
        if _is_url(uri):
            return uri
        if base is None:
            raise SpecError(
                f"$ref {ref!r} points outside this document, to a file relative to an unknown "
                "location: load the description from its file (or URL) so the files beside it "
                "can be found",
                at,
                label,
            )
        if _is_url(base):
            return urljoin(base, uri)
        return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(base)), uri))

    def mount(self, location: str, ref: str, at: str, label: str | None) -> str:
        name = self.mounted.get(location)
        if name is not None:
            return name
        if _is_url(location):
            if not self.remote:
                raise SpecError(
                    f"$ref {ref!r} needs {location}, which is not fetched unless asked: "
                    "pass remote_refs=True (Client.from_spec(..., remote_refs=True) or "
                    "specclient.openapi.load(..., remote_refs=True)) to allow it",
                    at,
                    label,
                )
            raw = _document.fetch(location)
        else:
            try:
                raw = _document.read(location).raw or b""
            except SpecError as exc:
                raise SpecError(f"$ref {ref!r}: {exc}", at, label) from None
            from .cache import content_hash

            self.digests[location] = content_hash(raw)
        parsed: Any = _document.parse_any(raw, location)
        # Named after the file, so a cycle through a whole file is cut at a readable
        # ``{"$recursive": "pet"}``.
        stem = re.sub(r"\W+", "_", location.rstrip("/").rsplit("/", 1)[-1].split(".")[0]) or "file"
        name, n = stem, 2
        while name in self.files:
            name, n = f"{stem}_{n}", n + 1
        self.mounted[location] = name
        self.files[name] = parsed
        self.rewrite(parsed, f"#/{MOUNT}/{name}", location)
        return name

    def rewrite(self, root: Any, prefix: str, location: str | None) -> None:
        """Point every ``$ref`` under ``root`` (a document at ``location``) into the bundle."""
        pending: list[tuple[Any, str]] = [(root, "#")]
        seen: set[int] = set()  # a YAML alias is one object reached twice: rewrite it once
        while pending:
            node, at = pending.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str):
                    node["$ref"] = new = self.target(ref, at, location, prefix)
                    self.rewritten.append((new, at, location))
                for key, value in node.items():
                    if isinstance(value, (dict, list)) and not is_data(key, at):
                        if isinstance(key, str) and key.startswith("x-"):
                            continue
                        pending.append((value, child(at, key)))
            elif isinstance(node, list):
                pending.extend((v, child(at, i)) for i, v in enumerate(node))

    def target(self, ref: str, at: str, location: str | None, prefix: str) -> str:
        uri, _, fragment = ref.partition("#")
        if not uri:
            return ref if prefix == "#" else prefix + fragment
        where = self.location_of(uri, location, ref, at, location)
        name = self.mount(where, ref, at, location)
        return f"#/{MOUNT}/{name}{fragment}"


def bundle(
    document: dict[str, Any], base: str | None, *, remote: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """The document with every file it refers to inlined, and the local files read (with
    their content hashes, so the cache can tell when one changed)."""
    document = copy.deepcopy(document)  # never rewrite the caller's objects
    bundler = _Bundler(document, base, remote)
    bundler.rewrite(document, "#", base)
    if not bundler.files:
        return document, {}
    document[MOUNT] = bundler.files
    resolver = Resolver(document, base)
    for ref, at, location in bundler.rewritten:
        try:
            resolver.lookup(ref, at)
        except SpecError as exc:
            raise SpecError(str(exc).split(" at ")[0], at, location or base) from None
    return document, bundler.digests


def files_unchanged(files: Mapping[str, str]) -> bool:
    """Whether every local file a cached description was built from still has its content."""
    from .cache import content_hash

    for path, digest in files.items():
        try:
            with open(path, "rb") as fh:
                if content_hash(fh.read()) != digest:
                    return False
        except OSError:
            return False
    return True
