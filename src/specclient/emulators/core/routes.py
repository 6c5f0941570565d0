"""The one way a platform declares its handlers: a table of module-level functions.

Every platform writes its handlers the same way: plain functions of ``(state, req)`` at module
level, each under the decorator that says what it answers (a spec operation by qualname or by
``"VERB /path"``, or :meth:`Routes.extra` for a route the spec lacks), plus one-line
declarations for the commonest ones (:meth:`Routes.found`, :meth:`Routes.listing`); the
platform's ``build`` calls ``routes.serve(app, state)``. docs/CONTRACTS.md has an example.
A handler returns a JSON-able value, bytes, an :class:`EmuResponse` or None, and refuses by
raising :class:`EmuError` (the platforms' own errors are subclasses of it).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from specclient.emulators.core.app import EmulatorApp
from specclient.emulators.core.messages import EmuRequest
from specclient.errors import ParameterError

__all__ = ["Routes"]

StateHandler = Callable[[Any, EmuRequest], Any]
Finish = Callable[[Any, EmuRequest], Any]

_VERBS = {"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"}


@dataclass(frozen=True, slots=True)
class _Entry:
    fn: StateHandler
    keys: tuple[str, ...] = ()  # qualnames or "VERB /path" of spec operations
    extra: tuple[str, str] | None = None  # (verb, wire path) of a route the spec lacks
    name: str | None = None
    auth: bool = False
    stream: bool = False
    validate: bool = True


class Routes:
    """A platform's handlers as a table; :meth:`serve` binds them to an app and a state.

    Parameters
    ----------
    finish : callable ``(reply, req) -> reply``, optional
        A platform-wide last step applied to every reply of a spec operation (Civis fills in
        the fields its schemas require).
    """

    def __init__(self, *, finish: Finish | None = None) -> None:
        self.finish = finish
        self._entries: list[_Entry] = []

    def __call__(
        self, *keys: str, stream: bool = False, validate: bool = True
    ) -> Callable[[StateHandler], StateHandler]:
        """Decorator: the function answers these spec operations.

        A key is a qualname (``"resource.method"``) or ``"VERB /path"`` as the spec spells the
        path, which names every operation on that route (civis-python's aliases share one).
        ``stream=True`` leaves the body unread (the handler iterates ``req.stream()``);
        ``validate=False`` skips the check against the spec.
        """
        if not keys:
            raise ParameterError("Routes", "name at least one operation", "keys")

        def register(fn: StateHandler) -> StateHandler:
            self._entries.append(_Entry(fn, keys, stream=stream, validate=validate))
            return fn

        return register

    def extra(
        self,
        verb: str,
        path: str,
        *,
        name: str | None = None,
        auth: bool = False,
        stream: bool = False,
    ) -> Callable[[StateHandler], StateHandler]:
        """Decorator for a route the spec lacks (see :meth:`EmulatorApp.route`)."""

        def register(fn: StateHandler) -> StateHandler:
            self._entries.append(
                _Entry(fn, extra=(verb, path), name=name, auth=auth, stream=stream)
            )
            return fn

        return register

    def found(
        self, key: str, things: str, param: str, *, remove: bool = False, reply: Any = None
    ) -> None:
        """Declare the commonest handler: the thing ``state.<things>`` (a :class:`Collection`)
        holds under path parameter ``param`` (404 when absent), removed when ``remove``;
        answered as it is, or with ``reply`` (a removal's acknowledgement)."""

        def handler(state: Any, req: EmuRequest) -> Any:
            collection = getattr(state, things)
            item = (collection.remove if remove else collection.find)(req.path_params[param])
            return item if reply is None else reply

        self(key)(handler)

    def listing(self, key: str, things: str) -> None:
        """Declare a handler answering every thing in ``state.<things>``, in insertion order."""
        self(key)(lambda state, req: list(getattr(state, things).values()))

    def serve(self, app: EmulatorApp, state: Any) -> None:
        """Bind every handler to ``app`` with ``state`` as its first argument.

        Raises
        ------
        ParameterError
            A key names no operation of the app's spec (a typo fails at build time).
        """
        by_route: dict[tuple[str, str], list[str]] = {}
        for qualname, operation in app.operations.items():
            by_route.setdefault((operation.verb.upper(), operation.path), []).append(qualname)
        for entry in self._entries:
            handler = self._bind(entry, state)
            if entry.extra is not None:
                verb, path = entry.extra
                app.route(verb, path, name=entry.name, auth=entry.auth, stream=entry.stream)(
                    handler
                )
                continue
            for key in entry.keys:
                for qualname in self._qualnames(key, by_route):
                    app.handle(qualname, stream=entry.stream, validate=entry.validate)(handler)

    def _bind(self, entry: _Entry, state: Any) -> Callable[[EmuRequest], Any]:
        fn, finish = entry.fn, self.finish if entry.extra is None else None
        if inspect.iscoroutinefunction(fn) or finish is None:
            return functools.partial(fn, state)

        def answer(req: EmuRequest) -> Any:
            return finish(fn(state, req), req)

        return answer

    @staticmethod
    def _qualnames(key: str, by_route: dict[tuple[str, str], list[str]]) -> list[str]:
        verb, _, path = key.partition(" ")
        if verb not in _VERBS:
            return [key]  # a qualname: EmulatorApp.handle checks it
        found = by_route.get((verb, path))
        if not found:
            raise ParameterError("Routes.serve", f"the spec has no operation {key!r}", "key")
        return found

    def find(self, key: str) -> StateHandler:
        """The function declared for ``key`` (for tests that call a handler without HTTP)."""
        for entry in self._entries:
            if key in entry.keys:
                return entry.fn
        raise KeyError(key)

    @property
    def keys(self) -> list[str]:
        """Every spec operation key in the table, in declaration order."""
        return [key for entry in self._entries for key in entry.keys]
