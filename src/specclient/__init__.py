"""specclient: API clients built at run time from OpenAPI / Swagger specs.

>>> import specclient
>>> c = specclient.connect("habu")                        # a platform adapter
>>> g = specclient.Client.from_spec("api.yaml", base_url="http://127.0.0.1:8080")

Importing this package is cheap: submodules (httpx, pandas, the spec loader) load on first use.
"""

from __future__ import annotations

import importlib

from ._version import __version__

__all__ = [
    "AsyncClient",
    "Client",
    "ClientOptions",
    "OutcomeUnknown",
    "Response",
    "__version__",
    "auth",
    "connect",
    "connect_async",
    "copy",
    "copy_async",
    "emulators",
    "errors",
]

_LAZY = {
    "Client": ("specclient.client", "Client"),
    "AsyncClient": ("specclient.client", "AsyncClient"),
    "ClientOptions": ("specclient.options", "ClientOptions"),
    "OutcomeUnknown": ("specclient.errors", "OutcomeUnknown"),
    "Response": ("specclient.response", "Response"),
    "connect": ("specclient.platforms", "connect"),
    "connect_async": ("specclient.platforms", "connect_async"),
    "copy": ("specclient.transfer", "copy"),
    "copy_async": ("specclient.transfer", "copy_async"),
}
_SUBMODULES = {
    "auth",
    "clock",
    "emulators",
    "errors",
    "openapi",
    "testing",
    "polling",
    "futures",
    "pagination",
    "transfer",
}

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

    from . import auth, emulators, errors
    from .client import AsyncClient, Client
    from .errors import OutcomeUnknown
    from .options import ClientOptions
    from .platforms import connect, connect_async
    from .response import Response
    from .transfer import copy, copy_async


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module 'specclient' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(__all__) | _SUBMODULES)
