"""Equality, hashing and ``repr`` for the dataclasses every client's start-up creates.

On Python 3.11 ``@dataclass`` compiles each method it generates with a separate ``exec``
(3.13 compiles them together): about 1 ms per frozen class, and a client's start-up creates a
dozen (the model, the platform declarations, the client options, the naming rules) -- a third
of the time ``connect()`` spends importing. Half of that is ``__eq__``, ``__hash__`` and
``__repr__``, which are the same code for every class once the field names are known.

So those classes are declared ``@dataclass(eq=False, repr=False, ...)`` and inherit the three
methods from :class:`Record`, which reads the field list once per class and gives what the
generated methods give: equality between instances of the exact same class over the
``compare`` fields, the hash of those fields (a field's ``hash=`` flag honoured; a mutable
class sets ``__hash__ = None``, as ``@dataclass`` would), ``Name(field=value, ...)`` over the
``repr`` fields, ``...`` for a record that contains itself. Everything else (``__init__``,
immutability, ``fields()``, ``replace()``, pickling) is the dataclass's own.
``tests/test_records.py`` checks the three against ``@dataclass``'s.
"""

from __future__ import annotations

from dataclasses import fields
from reprlib import recursive_repr

__all__ = ["Record"]

# per class: (names compared, names hashed, names shown)
_NAMES: dict[type, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {}


def _names(cls: type) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    found = _NAMES.get(cls)
    if found is None:
        every = fields(cls)
        found = _NAMES[cls] = (
            tuple(f.name for f in every if f.compare),
            tuple(f.name for f in every if (f.compare if f.hash is None else f.hash)),
            tuple(f.name for f in every if f.repr),
        )
    return found


class Record:
    """Base of a dataclass declared with ``eq=False, repr=False`` (see above)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        compared = _names(self.__class__)[0]
        return tuple(getattr(self, n) for n in compared) == tuple(
            getattr(other, n) for n in compared
        )

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, n) for n in _names(self.__class__)[1]))

    @recursive_repr()
    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in _names(self.__class__)[2])
        return f"{self.__class__.__qualname__}({shown})"
