"""On-disk cache of the normalised model, so a fresh process builds a client fast.

Layout: ``<cache dir>/<key>/index.pickle`` holds what a client needs before it touches a
resource (title, servers, security schemes, resource names); ``<key>/r-<resource>.pickle``
holds one resource's operations, written the first time that resource is built. The key is a
BLAKE2b-256 of the model format (the model classes' field lists plus :data:`FORMAT_VERSION`), the
naming rules and the BLAKE2b-256 of the exact source bytes, so an entry can never be served for
another spec, other rules or an older model: changing any of them changes the directory.

A spec *file* is not read on a warm start: ``<cache dir>/files/<hash of its path>`` remembers
the content hash of the file as it was, next to the file's identity -- device, inode, size,
modification and status-change times in nanoseconds (:func:`file_identity`). When the file's
identity is unchanged, so is its content, and the hash is taken from there. Any write changes
the status-change time (``ctime``), which no program can set back, and a replaced file has
another inode; a content is only remembered for a file that had been left alone for longer
than any filesystem's timestamp granularity before it was read (:data:`SETTLED_NS`, the
"racy git" rule), so a second write within the same timestamp tick cannot go unseen. A file
read later (a resource not in the cache) is checked against the remembered hash.

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
import itertools
import os

# threading's Lock and get_ident, without the threading module (not loaded by a start-up)
from _thread import get_ident

from . import model

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    # Paths are strings here (os.path): pathlib, with the urllib.parse and ipaddress it
    # imports, is no part of a start-up. cache_dir() still gives a Path to its callers.
    from pathlib import Path
    from typing import Any

try:  # the built-in module: importing hashlib would load OpenSSL (~10 ms) on every start
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Python builds
    from hashlib import blake2b
try:  # the C pickler alone: pickle.py's Python half (with struct and re) is not needed
    from _pickle import dumps, load
except ImportError:  # pragma: no cover - other Python builds
    from pickle import dumps, load

__all__ = [
    "FORMAT_VERSION",
    "SETTLED_NS",
    "SpecCache",
    "cache_dir",
    "cache_root",
    "cache_disabled",
    "cache_key",
    "content_hash",
    "file_identity",
    "remember_content",
    "remembered_content",
    "settled",
    "write_atomically",
]


def _debug(message: str, *args: object) -> None:
    # logging is imported only when there is something to say: a warm start never pays for it.
    import logging

    logging.getLogger("specclient.openapi.cache").debug(message, *args)


#: Bump when the meaning of a model field changes without its name changing.
FORMAT_VERSION = 7  # 7: Param.secret by the narrower "key" rule; 6: a response's every media type;
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
    shape = [f"{cls.__name__}({','.join(cls.FIELDS)})" for cls in _MODEL_CLASSES]
    return f"v{FORMAT_VERSION};{';'.join(shape)}".encode()


def cache_disabled() -> bool:
    return os.environ.get("SPECCLIENT_NO_CACHE", "").strip().lower() in ("1", "true", "yes", "on")


def cache_dir() -> Path:
    from pathlib import Path

    return Path(cache_root())


def cache_root() -> str:
    """:func:`cache_dir` as a string."""
    explicit = os.environ.get("SPECCLIENT_CACHE_DIR")
    if explicit:
        return explicit
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return os.path.join(xdg, "specclient")
    return os.path.join(os.path.expanduser("~"), ".cache", "specclient")


def content_hash(raw: bytes) -> str:
    return blake2b(raw, digest_size=32).hexdigest()


def cache_key(content: str, rules_fingerprint: str) -> str:
    """The entry for a source whose bytes have :func:`content_hash` ``content``."""
    digest = blake2b(digest_size=32)
    for part in (_model_format(), rules_fingerprint.encode()):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    digest.update(content.encode())
    return digest.hexdigest()


# -- remembering a file's content by its identity ---------------------------------------------

#: How long a file must have been left alone before it was read for its content to be
#: remembered by its identity: longer than the coarsest filesystem timestamp (FAT's 2 s), so
#: any later write lands in a later tick and changes the file's times.
SETTLED_NS = 2_000_000_000
_FILES = "files"


def file_identity(st: os.stat_result) -> str:
    """What changes whenever a file's content may have: device, inode, size, modification
    and status-change times (nanoseconds)."""
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


def settled(st: os.stat_result, read_at_ns: int) -> bool:
    """Whether a file with status ``st``, read at ``read_at_ns`` (``time.time_ns()``), had
    been left alone long enough for a later write to change its times."""
    return max(st.st_mtime_ns, st.st_ctime_ns) + SETTLED_NS <= read_at_ns


def _pointer(path: str) -> tuple[str, str]:
    where = os.path.abspath(path)
    return os.path.join(cache_root(), _FILES, content_hash(where.encode())[:32]), where


def remembered_content(path: str, st: os.stat_result) -> str | None:
    """The :func:`content_hash` remembered for the file at ``path``, if its identity is
    still ``st``'s; None otherwise (or with the cache off)."""
    if cache_disabled():
        return None
    pointer, where = _pointer(path)
    try:
        with open(pointer, "rb") as fh:
            identity, content, named = fh.read(4096).decode().split("\n")
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if identity != file_identity(st) or named != where or len(content) != 64:
        return None
    return content


def remember_content(path: str, st: os.stat_result, content: str) -> None:
    """Remember that the file at ``path`` with status ``st`` holds bytes hashing to
    ``content``. Only for a file known not to change within ``st``'s timestamps: one
    :func:`settled` when read, or one specclient wrote and never rewrites in place."""
    if cache_disabled():
        return
    pointer, where = _pointer(path)
    if remembered_content(path, st) != content:
        write_atomically(pointer, f"{file_identity(st)}\n{content}\n{where}".encode())


_TEMPORARY = itertools.count()


def write_atomically(path: str | os.PathLike[str], data: bytes) -> bool:
    """Write ``data`` to ``path`` through a renamed temporary file, so a reader never sees
    half of it; best-effort: False (and a DEBUG line) when it cannot be written."""
    # Named by process, thread and a counter rather than by tempfile, whose random names
    # would load random, hashlib and shutil into every cold start.
    folder, name = os.path.split(os.fspath(path))
    tmp = os.path.join(folder, f".tmp-{os.getpid()}-{get_ident()}-{next(_TEMPORARY)}")
    try:
        os.makedirs(folder, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except Exception as exc:  # read-only home, full disk, ...: run without the cache
        _debug("spec cache: cannot write %s in %s (%s)", name, folder, exc)
        return False
    return True


class SpecCache:
    """One cache entry (a directory), read and written best-effort."""

    def __init__(self, key: str, root: str | os.PathLike[str] | None = None) -> None:
        self.key = key
        self.directory = os.path.join(root or cache_root(), key)

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
        path = os.path.join(self.directory, name)
        try:
            with open(path, "rb") as fh:
                return load(fh)
        except FileNotFoundError:
            return None
        except Exception as exc:  # corrupt, truncated, from another model: parse instead
            _debug("spec cache: cannot read %s (%s); parsing the spec instead", path, exc)
            return None

    def _write(self, name: str, value: Any) -> None:
        try:
            data = dumps(value, protocol=5)
        except Exception as exc:  # a value pickle cannot hold: run without the cache
            _debug("spec cache: cannot store %s (%s)", name, exc)
            return
        write_atomically(os.path.join(self.directory, name), data)
