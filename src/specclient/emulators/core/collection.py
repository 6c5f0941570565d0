"""Things with an id: the store every platform's state keeps several of.

Each platform has clean rooms, credentials, schedules, users, tables... each kept by id, looked
up from a path parameter (a string) and answered with 404 in the platform's words when absent.
A :class:`Collection` is that, once: a dict (so state code and tests read it as one) that knows
its noun, how a path parameter becomes a key, and how the platform says "not found".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from specclient.emulators.core.messages import EmuError

__all__ = ["Collection"]

K = TypeVar("K")
V = TypeVar("V")


class Collection(dict[K, V], Generic[K, V]):
    """A dict of one kind of thing by id, with the lookups handlers need.

    Parameters
    ----------
    noun : str
        What the things are called in messages (``"Cleanroom"``, ``"credential"``).
    key : callable ``(raw) -> key``, optional
        Turns a path parameter into a key (``int`` for numeric ids). A ``ValueError`` or
        ``TypeError`` from it means "no such thing" (404); an :class:`EmuError` from it (a
        malformed id the platform answers 400 to) is raised as it is. Identity by default.
    not_found : str
        The 404 message, formatted with ``noun`` and ``id`` (the id as the client sent it).
    error : callable ``(status, message) -> EmuError``, optional
        Builds the refusal, for a platform whose errors carry more (a ``code``).
    """

    def __init__(
        self,
        noun: str,
        *,
        key: Callable[[Any], K] | None = None,
        not_found: str = "{noun} {id} not found",
        error: Callable[[int, str], EmuError] = EmuError,
    ) -> None:
        super().__init__()
        self.noun = noun
        self._key = key
        self._not_found = not_found
        self._error = error

    def find(self, raw: Any) -> V:
        """The thing with id ``raw``; 404 in the platform's words when there is none."""
        return self[self.key_of(raw)]

    def key_of(self, raw: Any) -> K:
        """The key of the thing with id ``raw``; 404 in the platform's words when there is none."""
        try:
            key = self._key(raw) if self._key is not None else raw
            if key in self:
                return key
        except (ValueError, TypeError):
            pass
        raise self._error(404, self._not_found.format(noun=self.noun, id=raw))

    def remove(self, raw: Any) -> V:
        """Delete the thing with id ``raw`` and return it (404 as :meth:`find`)."""
        return self.pop(self.key_of(raw))

    def add(self, key: K, item: V) -> V:
        """Store ``item`` under ``key`` and return it."""
        self[key] = item
        return item

    def where(self, **fields: Any) -> list[V]:
        """The things whose ``fields`` equal the given values, in insertion order."""
        return [
            item
            for item in self.values()
            if all(_field(item, name) == value for name, value in fields.items())
        ]

    def __repr__(self) -> str:
        return f"Collection({self.noun!r}, {len(self)} items)"


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)
