"""The emulators' server stack is an extra: say so, by name, when it is missing."""

from __future__ import annotations

import importlib.util

from specclient.errors import SpecClientError

__all__ = ["EXTRA_MODULES", "EmulatorsNotInstalled", "require_extra"]

#: import name -> distribution, for what ``pip install "specclient[emulators]"`` adds.
EXTRA_MODULES = {
    "starlette": "starlette",
    "uvicorn": "uvicorn",
    "multipart": "python-multipart",
    "jsonschema": "jsonschema",
}


class EmulatorsNotInstalled(ImportError, SpecClientError):
    """The ``emulators`` extra is not installed (a client-only install carries no web server)."""


def require_extra() -> None:
    """Raise :class:`EmulatorsNotInstalled` naming what is missing and the command that adds it."""
    missing = [
        dist for name, dist in EXTRA_MODULES.items() if importlib.util.find_spec(name) is None
    ]
    if missing:
        raise EmulatorsNotInstalled(
            f"the emulators need {', '.join(missing)}, which a client-only install leaves out; "
            'install them with: pip install "specclient[emulators]"',
            name=missing[0],
        )


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a module set to None in sys.modules, a broken parent
        return False
