"""On-disk cache of the normalised model, so a fresh process builds a client fast.

Layout: ``<cache dir>/<key>/index.pickle`` holds what a client needs before it touches a
resource (title, servers, security schemes, resource names); ``<key>/r-<resource>.pickle``
holds one resource's operations, written the first time that resource is built. The key is a
BLAKE2b-256 of the model format (the model classes' field lists plus :data:`FORMAT_VERSION`), the
naming rules and the exact source bytes, so an entry can never be served for another spec,
other rules or an older model: changing any of them changes the directory.

Location: ``$SPECCLIENT_CACHE_DIR``, else ``$XDG_CACHE_HOME/specclient``, else
``~/.cache/specclient``. ``SPECCLIENT_NO_CACHE=1`` (or ``load(..., cache=False)``) turns it
off. Every failure -- an unwritable directory, a corrupt or truncated entry -- is logged at
DEBUG and the caller falls back to parsing the spec; the cache never makes a load fail.
Writes go to a temporary file that is renamed into place (``os.replace``), so a reader never
sees half an entry. pickle is safe here because we only read files we wrote, under the user's
own cache directory.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pickle
from pathlib import Path
from typing import Any

from . import model

try:  # the built-in module: importing hashlib would load OpenSSL (~10 ms) on every start
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Python builds
    from hashlib import blake2b

__all__ = [
    "FORMAT_VERSION",
    "SpecCache",
    "cache_dir",
    "cache_disabled",
    "cache_key",
    "content_hash",
]


def _debug(message: str, *args: object) -> None:
    # logging is imported only when there is something to say: a warm start never pays for it.
    import logging

    logging.getLogger("specclient.openapi.cache").debug(message, *args)


#: Bump when the meaning of a model field changes without its name changing.
FORMAT_VERSION = 6  # 6: a response's every media type;
# 3: inferred pages read the page-count header; secret names by one rule;
# 4: schemas expanded once per document (cycles cut by strongly connected component);
# 5: security_requirements and extensions in the index
_INDEX = "index.pickle"
_MODEL_CLASSES = (
    model.Param,
    model.RequestBody,
    model.ResponseShape,
    model.Pagination,
    model.Waiter,
    model.Operation,
    model.SecurityScheme,
)


def _model_format() -> bytes:
    shape = [
        f"{cls.__name__}({','.join(f.name for f in dataclasses.fields(cls))})"
        for cls in _MODEL_CLASSES
    ]
    return f"v{FORMAT_VERSION};{';'.join(shape)}".encode()


def cache_disabled() -> bool:
    return os.environ.get("SPECCLIENT_NO_CACHE", "").strip().lower() in ("1", "true", "yes", "on")


def cache_dir() -> Path:
    explicit = os.environ.get("SPECCLIENT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "specclient"
    return Path.home() / ".cache" / "specclient"


def content_hash(raw: bytes) -> str:
    return blake2b(raw, digest_size=32).hexdigest()


def cache_key(raw: bytes, rules_fingerprint: str) -> str:
    digest = blake2b(digest_size=32)
    for part in (_model_format(), rules_fingerprint.encode()):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    digest.update(raw)
    return digest.hexdigest()


class SpecCache:
    """One cache entry (a directory), read and written best-effort."""

    def __init__(self, key: str, root: Path | None = None) -> None:
        self.key = key
        self.directory = (root or cache_dir()) / key

    def read_index(self) -> dict[str, Any] | None:
        index = self._read(_INDEX)
        if not isinstance(index, dict) or index.get("key") != self.key:
            if index is not None:
                _debug("spec cache: ignoring a malformed index in %s", self.directory)
            return None
        return index

    def write_index(self, meta: dict[str, Any]) -> None:
        self._write(_INDEX, {**meta, "key": self.key})

    def read_resource(self, resource: str) -> dict[str, model.Operation] | None:
        operations = self._read(f"r-{resource}.pickle")
        if operations is None:
            return None
        if not isinstance(operations, dict) or not all(
            isinstance(op, model.Operation) for op in operations.values()
        ):
            _debug("spec cache: ignoring a malformed entry for %r", resource)
            return None
        return operations

    def write_resource(self, resource: str, operations: dict[str, model.Operation]) -> None:
        self._write(f"r-{resource}.pickle", operations)

    def _read(self, name: str) -> Any:
        path = self.directory / name
        try:
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except FileNotFoundError:
            return None
        except Exception as exc:  # corrupt, truncated, from another model: parse instead
            _debug("spec cache: cannot read %s (%s); parsing the spec instead", path, exc)
            return None

    def _write(self, name: str, value: Any) -> None:
        import tempfile

        tmp_name = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", dir=self.directory)
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp_name, self.directory / name)
            tmp_name = None
        except Exception as exc:  # read-only home, full disk, ...: run without the cache
            _debug("spec cache: cannot write %s in %s (%s)", name, self.directory, exc)
        finally:
            if tmp_name is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp_name)
