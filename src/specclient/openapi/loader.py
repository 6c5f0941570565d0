"""``load(source)``: a spec (path, URL, bytes or dict) to a lazily built :class:`Spec`.

On a warm cache nothing is parsed, and a spec file is not even read (its content hash is
remembered by the file's identity): the small index gives the client its resource names,
servers and security schemes, and each resource's operations are unpickled the first time
that resource is touched. On a cold cache (or with the cache off) the document is parsed and
checked once (shape, every ``$ref``, every path parameter, unique names), and each resource's
schemas are expanded only when the resource is first touched.
"""

from __future__ import annotations

import os
import time
import warnings

# threading's Lock and get_ident, without the threading module (not loaded by a start-up)
from _thread import allocate_lock
from collections.abc import Callable, Mapping
from os import PathLike
from types import MappingProxyType

from .._records import replace
from . import _document
from .cache import (
    SpecCache,
    cache_disabled,
    cache_key,
    content_hash,
    remember_content,
    remembered_content,
    settled,
)
from .model import Operation, SecurityScheme, Spec
from .naming import DEFAULT_RULES, NAMING_MODES, NamingRules

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["load"]

if TYPE_CHECKING:
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
        self.warnings: tuple[str, ...] = tuple(meta.get("warnings", ()))
        self._resources: tuple[str, ...] = tuple(meta["resources"])
        self._known = frozenset(self._resources)
        self._build = build
        self._built: dict[str, Mapping[str, Operation]] = {}
        self._lock = allocate_lock()

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
                try:
                    operations = self._build(resource)
                except RecursionError:
                    raise _document.too_deep(self.source) from None
                built = self._built[resource] = MappingProxyType(operations)
        return built

    def __repr__(self) -> str:
        where = f" from {self.source}" if self.source else ""
        return (
            f"<Spec {self.title!r} {self.version} (OpenAPI {self.openapi_version}), "
            f"{len(self._resources)} resources{where}>"
        )


def load(
    source: SpecSource,
    *,
    cache: bool = True,
    naming: NamingRules | str | None = None,
    remote_refs: bool = False,
) -> Spec:
    """Load and normalise an OpenAPI 3.0 / 3.1 or Swagger 2.0 spec.

    Parameters
    ----------
    source : str, os.PathLike, bytes, mapping or Spec
        A file path, an ``http(s)://`` URL (fetched with httpx), the document's bytes, or the
        already parsed document. JSON or YAML. A :class:`Spec` is returned as it is.
    cache : bool, optional
        Use the on-disk cache of the normalised model (see :mod:`specclient.openapi.cache`).
        ``SPECCLIENT_NO_CACHE=1`` turns it off too.
    naming : NamingRules or str, optional
        How operations and parameters are named: ``"auto"`` (the default), ``"path"``,
        ``"operation_id"`` (see :mod:`specclient.openapi.naming`), or a :class:`NamingRules`;
        :data:`specclient.openapi.naming.CIVIS_PYTHON` gives civis-python's names.
    remote_refs : bool, optional
        Allow ``$ref``s to ``http(s)://`` documents (and, for a description fetched from a
        URL, to the files beside it) to be fetched. Off by default: a description never
        makes the client reach the network on its own. References to files beside a local
        description are always followed.

    Returns
    -------
    Spec
        Resource names, servers and security are ready; each resource's operations are built
        the first time :meth:`Spec.operations` asks for them. ``Spec.warnings`` lists what
        loading worked around (each also issued as a :class:`~specclient.errors.SpecWarning`).

    Raises
    ------
    SpecError
        The source cannot be read or the spec is broken; ``pointer`` says where.
    """
    if isinstance(source, Spec):
        return source
    rules = rules_for(naming)
    use_cache = cache and not cache_disabled()
    read, content, text = _read(source, use_cache)
    digest = cache_key(content, rules.fingerprint()) if content else ""
    store = SpecCache(digest) if (use_cache and digest) else None

    engine_holder: list[Any] = []

    def engine() -> Any:
        # Parsed at most once per load, and only when something is not in the cache.
        if not engine_holder:
            from ._normalise import Engine

            document, raw, scanned = read.document, read.raw, text
            if document is None and raw is None:  # a warm start that did not read the file
                raw = scanned = _reread(read.label, content)
            if document is None:
                assert raw is not None
                document = _document.parse(raw, read.label)
            files: dict[str, str] = {}
            checked_raw = raw
            if _document.might_have_external_refs(scanned):
                from . import _external  # multi-file descriptions only

                document, files = _external.bundle(document, read.label, remote=remote_refs)
                if files or _external.MOUNT in document:
                    checked_raw = None  # the text no longer matches the document
            try:
                built = Engine(document, rules, read.label, checked_raw)
            except RecursionError:
                raise _document.too_deep(read.label) from None
            built.files = files
            engine_holder.append(built)
        return engine_holder[0]

    if store is not None:
        index = store.read_index()
        if index is not None and _files_unchanged(index.get("files") or {}):

            def build_cached(resource: str) -> dict[str, Operation]:
                operations = store.read_resource(resource)
                if operations is None:
                    operations = engine().build_resource(resource)
                    store.write_resource(resource, operations)
                return operations

            return _loaded(index, build_cached, read.label, digest)

    eng = engine()
    meta = {**eng.meta(), "files": eng.files}
    if store is None or any(f.startswith(("http://", "https://")) for f in eng.files):
        return _loaded(meta, eng.build_resource, read.label, digest)

    store.write_index(meta)

    def build_and_store(resource: str) -> dict[str, Operation]:
        operations = eng.build_resource(resource)
        store.write_resource(resource, operations)
        return operations

    return _loaded(meta, build_and_store, read.label, digest)


def _read(source: object, use_cache: bool) -> tuple[_document.Source, str, bytes | None]:
    """The source, the :func:`~.cache.content_hash` of its bytes ("" when it has none) and
    those bytes (None when not read).

    A file whose content the cache remembers for its current identity (see
    :mod:`specclient.openapi.cache`) is not read: a warm start needs its hash only.
    """
    path = os.fspath(source) if isinstance(source, str | PathLike) else None
    if path is not None and path.startswith(("http://", "https://")):
        path = None
    if use_cache and path is not None:
        try:
            status = os.stat(path)
        except OSError:
            status = None  # reading it says what is wrong
        content = remembered_content(path, status) if status is not None else None
        if content is not None:
            return _document.Source(None, None, path), content, None
    read_at = time.time_ns()
    read = _document.read(source)
    raw = read.raw
    if raw is None and read.document is not None:
        raw = _canonical_bytes(read.document)
    content = content_hash(raw) if raw is not None else ""
    status = read.status
    if use_cache and path is not None and status is not None and settled(status, read_at):
        remember_content(path, status, content)
    return read, content, raw


def _reread(path: str | None, content: str) -> bytes:
    """The bytes of a spec file whose content hash was taken from the cache, checked."""
    assert path is not None
    raw = _document.read(path).raw
    if raw is None or content_hash(raw) != content:
        from ..errors import SpecError

        raise SpecError(
            "the spec file changed after this client was built from it; build the client "
            "again to use the new version",
            "",
            path,
        )
    return raw


def _files_unchanged(files: Mapping[str, str]) -> bool:
    if not files:
        return True
    from ._external import files_unchanged

    return files_unchanged(files)


def rules_for(naming: NamingRules | str | None) -> NamingRules:
    """The :class:`NamingRules` a ``naming=`` option stands for."""
    if naming is None:
        return DEFAULT_RULES
    if isinstance(naming, NamingRules):
        return naming
    if isinstance(naming, str) and naming in NAMING_MODES:
        return replace(DEFAULT_RULES, mode=naming)  # type: ignore[arg-type]
    from ..errors import SpecError

    raise SpecError(
        f"naming must be a NamingRules or one of {', '.join(map(repr, NAMING_MODES))}, "
        f"not {naming!r}"
    )


def _loaded(
    meta: Mapping[str, Any],
    build: Callable[[str], dict[str, Operation]],
    label: str | None,
    digest: str,
) -> LoadedSpec:
    spec = LoadedSpec(meta, build, source=label, digest=digest)
    if spec.warnings:
        # One warning per load, also from a warm cache where nothing is parsed: a fault does
        # not go quiet, and a spec with fifty collisions does not print fifty warnings.
        from ..errors import SpecWarning

        message = spec.warnings[0]
        if len(spec.warnings) > 1:
            where = f" {label}" if label else ""
            message = f"loading{where} worked around {len(spec.warnings)} problems:\n" + (
                "\n".join(f"- {m}" for m in spec.warnings)
            )
        warnings.warn(message, SpecWarning, stacklevel=_outside_specclient())
    return spec


def _outside_specclient() -> int:
    """The ``stacklevel`` of the first caller outside this package, so the warning points at
    the user's ``Client.from_spec`` / ``connect`` line rather than our own."""
    import sys

    package = __name__.rsplit(".", 2)[0] + "."
    frame: Any = sys._getframe(1)
    level = 1
    while frame is not None and (frame.f_globals.get("__name__") or "").startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def _canonical_bytes(document: Mapping[str, Any]) -> bytes | None:
    """A dict's exact content as bytes for the cache key; None when it is not plain JSON."""
    import json

    try:
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    except (TypeError, ValueError):
        return None
    except RecursionError:
        raise _document.too_deep(None) from None
