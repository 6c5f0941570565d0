"""Value classes written out, for the records every client's start-up creates.

``@dataclass`` compiles the methods it generates with ``exec`` while the class is created
(Python 3.11: about 1 ms per frozen class, ``__init__``, ``__setattr__``, ``__eq__``...), and a
client's start-up creates fourteen such classes (the model, the platform declarations, the
client options, the naming rules, the retry policy): a third of what ``connect()`` spent
importing. So these classes are plain ones. Each declares its fields once, in ``FIELDS`` (the
order its hand-written ``__init__`` takes them), keeps the layout it had as a dataclass
(``__slots__ = FIELDS`` for the model, which was slotted; a ``__dict__``, so ``vars()`` lists
the fields, for the declarations and options, which were not), and inherits from
:class:`Record` what ``@dataclass`` would have generated for them:

- equality between instances of the exact same class over the compared fields (all but
  ``UNCOMPARED``), ``Name(field=value, ...)`` over the shown ones (all but ``UNSHOWN``),
  ``...`` for a record that contains itself;
- pickling (and ``copy``) as ``Class(*values)``: an unpickled record is built by its own
  ``__init__``, so a cache written by an older class layout cannot be half-read;
- :class:`FrozenRecord`: the hash of the compared fields, and no assignment or deletion
  after ``__init__`` (:class:`FrozenRecordError`, an ``AttributeError`` as dataclasses' is);
  a mutable :class:`Record` is unhashable, as a mutable dataclass is.

:func:`replace` and :func:`record_fields` stand for ``dataclasses.replace`` / ``fields``.
``tests/test_records.py`` checks every such class against a ``@dataclass`` with its fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from reprlib import recursive_repr

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any, ClassVar, TypeVar

    _R = TypeVar("_R", bound="Record")

__all__ = ["FrozenRecord", "FrozenRecordError", "Record", "record_fields", "replace", "set_fields"]

_set = object.__setattr__


class FrozenRecordError(AttributeError):
    """An assignment to a field of a frozen record (``dataclasses.FrozenInstanceError``'s role)."""


class Record:
    """Base of a value class that lists its fields in ``FIELDS`` (see the module docstring)."""

    __slots__ = ()
    #: every field, in the order ``__init__`` takes them
    FIELDS: ClassVar[tuple[str, ...]] = ()
    #: fields left out of ``==`` (and the hash): a policy's random source, say
    UNCOMPARED: ClassVar[frozenset[str]] = frozenset()
    #: fields left out of ``repr``
    UNSHOWN: ClassVar[frozenset[str]] = frozenset()
    _compared: ClassVar[tuple[str, ...]] = ()
    _shown: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._compared = tuple(n for n in cls.FIELDS if n not in cls.UNCOMPARED)
        cls._shown = tuple(n for n in cls.FIELDS if n not in cls.UNSHOWN)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        compared = self._compared
        return tuple(getattr(self, n) for n in compared) == tuple(
            getattr(other, n) for n in compared
        )

    __hash__ = None  # type: ignore[assignment]  # mutable: unhashable, as @dataclass makes it

    @recursive_repr()
    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._shown)
        return f"{self.__class__.__qualname__}({shown})"

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        return self.__class__, tuple(getattr(self, n) for n in self.FIELDS)


class FrozenRecord(Record):
    """A :class:`Record` that cannot change after ``__init__``, hashed by its compared fields."""

    __slots__ = ()

    def __hash__(self) -> int:  # type: ignore[override]  # Record's None: mutable
        return hash(tuple(getattr(self, n) for n in self._compared))

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenRecordError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenRecordError(f"cannot delete field {name!r}")


def set_fields(record: Record, *values: Any) -> None:
    """Set ``record``'s fields to ``values``, in ``FIELDS`` order: its ``__init__``'s last
    step (a frozen record's own ``__setattr__`` refuses every assignment)."""
    for name, value in zip(record.FIELDS, values, strict=True):
        _set(record, name, value)


def record_fields(record: Record | type[Record]) -> tuple[str, ...]:
    """The field names of a record (or record class), in ``__init__`` order."""
    return record.FIELDS


def replace(record: _R, **changes: Any) -> _R:
    """A copy of ``record`` with ``changes``, built (and so checked) by its ``__init__``."""
    unknown: Iterable[str] = changes.keys() - set(record.FIELDS)
    if unknown:
        raise TypeError(
            f"{record.__class__.__name__} has no field {sorted(unknown)[0]!r}; "
            f"fields are: {', '.join(record.FIELDS)}"
        )
    values = [changes[n] if n in changes else getattr(record, n) for n in record.FIELDS]
    return record.__class__(*values)
