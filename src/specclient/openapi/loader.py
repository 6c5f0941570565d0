"""``load(source)``: a spec (path, URL, bytes or dict) to a lazily built :class:`Spec`.

On a warm cache nothing is parsed: the small index gives the client its resource names,
servers and security schemes, and each resource's operations are unpickled the first time
that resource is touched. On a cold cache (or with the cache off) the document is parsed and
checked once (shape, every ``$ref``, every path parameter, unique names), and each resource's
schemas are expanded only when the resource is first touched.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from os import PathLike
from types import MappingProxyType
from typing import Any

from . import _document
from .cache import SpecCache, cache_disabled, cache_key
from .model import Operation, SecurityScheme, Spec
from .naming import DEFAULT_RULES, NamingRules

__all__ = ["load"]

SpecSource = str | PathLike[str] | bytes | Mapping[str, Any] | Spec


class LoadedSpec(Spec):
    """A :class:`Spec` whose resources are built (or read from the cache) on first use."""

    def __init__(
        self,
        meta: Mapping[str, Any],
        build: Callable[[str], dict[str, Operation]],
        *,
        source: str | None,
        digest: str,
    ) -> None:
        self.title = meta["title"]
        self.version = meta["version"]
        self.openapi_version = meta["openapi_version"]
        self.servers = tuple(meta["servers"])
        schemes: dict[str, SecurityScheme] = dict(meta["security_schemes"])
        self.security_schemes = MappingProxyType(schemes)
        self.default_security = tuple(meta["default_security"])
        self.security_requirements = tuple(
            tuple(r)
            for r in meta.get("security_requirements", ((n,) for n in self.default_security))
        )
        self.extensions = MappingProxyType(dict(meta.get("extensions") or {}))
        self.source = source
        self.digest = digest
        self._resources: tuple[str, ...] = tuple(meta["resources"])
        self._known = frozenset(self._resources)
        self._build = build
        self._built: dict[str, Mapping[str, Operation]] = {}
        self._lock = threading.Lock()

    def resource_names(self) -> tuple[str, ...]:
        return self._resources

    def operations(self, resource: str) -> Mapping[str, Operation]:
        built = self._built.get(resource)
        if built is not None:
            return built
        if resource not in self._known:
            raise KeyError(resource)
        with self._lock:
            built = self._built.get(resource)
            if built is None:
                built = self._built[resource] = MappingProxyType(self._build(resource))
        return built

    def __repr__(self) -> str:
        where = f" from {self.source}" if self.source else ""
        return (
            f"<Spec {self.title!r} {self.version} (OpenAPI {self.openapi_version}), "
            f"{len(self._resources)} resources{where}>"
        )


def load(source: SpecSource, *, cache: bool = True, naming: NamingRules | None = None) -> Spec:
    """Load and normalise an OpenAPI 3.0 / 3.1 or Swagger 2.0 spec.

    Parameters
    ----------
    source : str, os.PathLike, bytes, mapping or Spec
        A file path, an ``http(s)://`` URL (fetched with httpx), the document's bytes, or the
        already parsed document. JSON or YAML. A :class:`Spec` is returned as it is.
    cache : bool, optional
        Use the on-disk cache of the normalised model (see :mod:`specclient.openapi.cache`).
        ``SPECCLIENT_NO_CACHE=1`` turns it off too.
    naming : NamingRules, optional
        How operations and parameters are named; the general rule by default.
        :data:`specclient.openapi.naming.CIVIS_PYTHON` gives civis-python's names.

    Returns
    -------
    Spec
        Resource names, servers and security are ready; each resource's operations are built
        the first time :meth:`Spec.operations` asks for them.

    Raises
    ------
    SpecError
        The source cannot be read or the spec is broken; ``pointer`` says where.
    """
    if isinstance(source, Spec):
        return source
    rules = naming or DEFAULT_RULES
    if not isinstance(rules, NamingRules):
        from ..errors import SpecError

        raise SpecError(f"naming must be a NamingRules, not {type(rules).__name__}")
    read = _document.read(source)
    raw = read.raw
    if raw is None and read.document is not None:
        raw = _canonical_bytes(read.document)
    fingerprint = rules.fingerprint()
    digest = cache_key(raw, fingerprint) if raw is not None else ""
    store = SpecCache(digest) if (cache and digest and not cache_disabled()) else None

    engine_holder: list[Any] = []

    def engine() -> Any:
        # Parsed at most once per load, and only when something is not in the cache.
        if not engine_holder:
            from ._normalise import Engine

            document = read.document
            if document is None:
                assert read.raw is not None
                document = _document.parse(read.raw, read.label)
            engine_holder.append(Engine(document, rules, read.label, read.raw))
        return engine_holder[0]

    if store is not None:
        index = store.read_index()
        if index is not None:

            def build_cached(resource: str) -> dict[str, Operation]:
                operations = store.read_resource(resource)
                if operations is None:
                    operations = engine().build_resource(resource)
                    store.write_resource(resource, operations)
                return operations

            return LoadedSpec(index, build_cached, source=read.label, digest=digest)

    eng = engine()
    meta = eng.meta()
    if store is None:
        return LoadedSpec(meta, eng.build_resource, source=read.label, digest=digest)

    store.write_index(meta)

    def build_and_store(resource: str) -> dict[str, Operation]:
        operations = eng.build_resource(resource)
        store.write_resource(resource, operations)
        return operations

    return LoadedSpec(meta, build_and_store, source=read.label, digest=digest)


def _canonical_bytes(document: Mapping[str, Any]) -> bytes | None:
    """A dict's exact content as bytes for the cache key; None when it is not plain JSON."""
    import json

    try:
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    except (TypeError, ValueError):
        return None
