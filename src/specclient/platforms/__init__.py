"""Platform adapters: each ``platforms/<name>/`` declares ``PLATFORM`` (see :mod:`._platform`);
``specclient.connect(platform, **options)`` reads the declaration from the one registry here,
which the CLI, codegen and ``specclient demo`` read too.
"""

from __future__ import annotations

from ._platform import (
    Connection,
    Credential,
    Platform,
    Setting,
    connect,
    connect_async,
    describe,
    get,
    names,
    register,
    unregister,
)

#: the bundled platforms' names, in the registry's order (``names()`` adds registered ones)
PLATFORMS = names()

__all__ = [
    "PLATFORMS",
    "Connection",
    "Credential",
    "Platform",
    "Setting",
    "connect",
    "connect_async",
    "describe",
    "get",
    "names",
    "register",
    "unregister",
]
