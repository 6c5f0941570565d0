"""Run code right after a module is first imported, without importing it ourselves.

Some set-up only matters once another module exists: credentials must be ``httpx.Auth``
objects once httpx is imported, and the secret-masking log filters must sit on the loggers
once ``logging`` is. Importing those modules up front to do it would cost every client's
start-up (httpx 50-400 ms, logging ~5 ms) although a client that sends nothing and logs nothing
needs neither. :func:`when_imported` runs the set-up at once if the module is already
imported, else right after its module code has run, before anything else can use it.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from types import ModuleType

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["when_imported"]

_PENDING: dict[str, list[Callable[[ModuleType], None]]] = {}


def when_imported(name: str, callback: Callable[[ModuleType], None]) -> None:
    """Call ``callback(module)`` now if ``name`` is imported, else once it has been."""
    module = sys.modules.get(name)
    if module is not None:
        callback(module)
        return
    _PENDING.setdefault(name, []).append(callback)
    if _AfterImport not in sys.meta_path:
        sys.meta_path.insert(0, _AfterImport)  # type: ignore[arg-type]


class _AfterImport:
    """A meta path finder that wraps the loader of a pending module, and only of those."""

    @classmethod
    def find_spec(cls, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in _PENDING:
            return None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None) if finder is not cls else None
            spec = find(name, path, target) if find is not None else None
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or isinstance(loader, type):
            return spec  # built-in and frozen modules: none of ours is one
        run_module = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            del loader.exec_module  # the loader's own method again
            run_module(module)
            # Once the module really ran (a mere find_spec probe leaves the callbacks in
            # place); with nothing left to wait for, every later import is untouched.
            for callback in _PENDING.pop(name, ()):
                callback(module)
            if not _PENDING:
                with contextlib.suppress(ValueError):
                    sys.meta_path.remove(cls)  # type: ignore[arg-type]

        loader.exec_module = exec_module
        return spec
