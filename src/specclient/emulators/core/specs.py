"""The spec an emulator serves: loaded once per process, shared by every app built from it.

Tests start emulators by the thousand, each from the same bundled file, and loading it was
most of a start: Habu's 152 operations take 15 ms from a warm model cache and 220 ms from a
cold one (a test with its own ``SPECCLIENT_CACHE_DIR`` has a cold one). The model is immutable
(frozen records; a :class:`~specclient.openapi.loader.LoadedSpec` builds each resource once,
under a lock), so apps may share it, and with it each operation's compiled validator.

A file is known by its identity (resolved path, inode, size, modification time), so an edited
spec is loaded again. A parsed document (a mapping) is not memoised here: it may be changed
between builds; a platform that builds from one document memoises its own :class:`Spec`.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from specclient.emulators.core.validation import OperationValidator
from specclient.openapi.model import Operation, Spec

__all__ = ["shared_spec", "shared_validator"]

_lock = threading.Lock()
_by_file: dict[tuple[str, int, int, int], Spec] = {}
#: compiled validators per spec, per (operation, draft); dropped with the spec
_validators: weakref.WeakKeyDictionary[Spec, dict[tuple[str, str], OperationValidator]] = (
    weakref.WeakKeyDictionary()
)


def _file_identity(source: object) -> tuple[str, int, int, int] | None:
    if not isinstance(source, str | os.PathLike) or str(source).startswith(("http://", "https://")):
        return None
    try:
        path = Path(source).resolve()
        status = path.stat()
    except OSError:
        return None  # loading it says what is wrong
    return (str(path), status.st_ino, status.st_size, status.st_mtime_ns)


def shared_spec(source: Spec | str | os.PathLike[str] | Mapping[str, Any]) -> Spec:
    """The :class:`Spec` for ``source``: the one already loaded from the same unchanged file,
    else :func:`specclient.openapi.load`'s."""
    from specclient.openapi import load  # the loader is only needed when given a source

    if isinstance(source, Spec):
        return source
    identity = _file_identity(source)
    if identity is None:
        return load(source)
    with _lock:
        spec = _by_file.get(identity)
    if spec is None:
        spec = load(source)
        with _lock:
            spec = _by_file.setdefault(identity, spec)
    return spec


def shared_validator(spec: Spec, operation: Operation, draft: str) -> OperationValidator:
    """``operation``'s compiled validator, shared by every app serving ``spec``."""
    with _lock:
        compiled = _validators.get(spec)
        if compiled is None:
            compiled = _validators[spec] = {}
    key = (operation.qualname, draft)
    validator = compiled.get(key)
    if validator is None:  # compiled outside the lock: two threads may both compile, one wins
        validator = compiled.setdefault(key, OperationValidator(operation, draft))
    return validator
