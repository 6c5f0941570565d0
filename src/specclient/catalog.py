"""The one list of platforms: each name, where its declaration lives, where its emulator lives.

It imports nothing, so it sits below both the client stack and the emulators, and both read it:
``specclient.connect``, the CLI, codegen and the demo (through :mod:`specclient.platforms`), and
``specclient.emulators.running`` (which must never import the client stack). A platform declared
outside the package (``specclient.platforms.register``) is added here too, so its emulator is
found by name like a bundled one.
"""

from __future__ import annotations

from ._records import FrozenRecord, set_fields

__all__ = ["Entry", "add", "bundled", "entry", "names", "remove"]


class Entry(FrozenRecord):
    """Where one platform lives: dotted module paths, and one line saying what it is.

    (A written-out record: every ``connect()`` reads this list, and a dataclass or a named
    tuple costs time to create at import.)"""

    __slots__ = FIELDS = ("declaration", "emulator", "title")
    declaration: str | None  # the module whose ``PLATFORM`` declares it (None: given in Python)
    emulator: str | None  # the module with ``build(seed, clock, **options)`` and ``CREDENTIALS``
    title: str

    def __init__(self, declaration: str | None, emulator: str | None, title: str) -> None:
        set_fields(self, declaration, emulator, title)


_BUNDLED: dict[str, Entry] = {
    "habu": Entry(
        "specclient.platforms.habu", "specclient.emulators.habu", "LiveRamp Clean Room (Habu) API."
    ),
    "usmart": Entry(
        "specclient.platforms.usmart",
        "specclient.emulators.usmart",
        "uSmart data platform (actions, files, pipelines, catalogue).",
    ),
    "clicdata": Entry(
        "specclient.platforms.clicdata",
        "specclient.emulators.clicdata",
        "ClicData data platform API.",
    ),
    "civis": Entry(
        "specclient.platforms.civis",
        "specclient.emulators.civis",
        "Civis Platform API (civis-python's names).",
    ),
}
_ADDED: dict[str, Entry] = {}


def bundled() -> tuple[str, ...]:
    """The platforms that ship with specclient, in their documented order."""
    return tuple(_BUNDLED)


def names() -> tuple[str, ...]:
    """Every platform's name, bundled ones first."""
    return (*_BUNDLED, *(name for name in _ADDED if name not in _BUNDLED))


def entry(name: str) -> Entry | None:
    """Where ``name`` lives; an added platform of the same name wins over a bundled one."""
    return _ADDED.get(name) or _BUNDLED.get(name)


def add(name: str, entry: Entry) -> None:
    _ADDED[name] = entry


def remove(name: str) -> None:
    _ADDED.pop(name, None)
