"""Platform adapters: ``specclient.connect(platform, **options)`` dispatches here."""

from __future__ import annotations

import importlib
from typing import Any

from ..errors import ParameterError

PLATFORMS = ("habu", "usmart", "clicdata", "civis")


def platform_module(platform: str) -> Any:
    if not isinstance(platform, str) or platform.lower() not in PLATFORMS:
        raise ParameterError(
            "connect",
            f"unknown platform {platform!r}; choose one of "
            f"{', '.join(PLATFORMS)} (or use Client.from_spec for any spec)",
            "platform",
        )
    return importlib.import_module(f"{__name__}.{platform.lower()}")


def connect(platform: str, **options: Any) -> Any:
    """A connected client for ``platform`` ("habu", "usmart", "clicdata" or "civis")."""
    return platform_module(platform).connect(**options)


def connect_async(platform: str, **options: Any) -> Any:
    """The :class:`~specclient.AsyncClient` twin of :func:`connect`."""
    return platform_module(platform).connect_async(**options)
