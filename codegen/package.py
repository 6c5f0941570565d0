"""The stub of the ``specclient`` package itself: its public names plus typed ``connect()``.

mypy reads a package's ``__init__.pyi`` instead of its ``__init__.py``, so this stub must
declare every public name the runtime exports; it is built by importing ``specclient`` and
reading ``__all__``, so the two cannot drift without ``python -m codegen --check`` noticing.
Only ``connect`` / ``connect_async`` get new signatures: one overload per bundled platform,
returning that platform's client class from ``specclient._stubs.<platform>``.
"""

from __future__ import annotations

import importlib
import inspect
import re
import types
from dataclasses import dataclass
from typing import Any

from codegen.render import _tidy, environment
from codegen.types import pascal_case

# Names whose signatures the package stub writes itself rather than re-exporting.
TYPED_HERE = ("connect", "connect_async")


@dataclass(frozen=True)
class Export:
    name: str
    statement: str  # the stub line that declares it


def exports(package: str = "specclient") -> list[Export]:
    """One stub declaration per public name of the runtime package (``dir()`` lists them,
    including submodules reached lazily such as ``specclient.testing``); imports first."""
    module = importlib.import_module(package)
    names = [n for n in dir(module) if not n.startswith("_") or n in module.__all__]
    imports, values = [], []
    for name in names:
        if name in TYPED_HERE:
            continue
        value = getattr(module, name)
        if isinstance(value, types.ModuleType):
            parent, _, leaf = value.__name__.rpartition(".")
            imports.append(Export(name, f"from {parent or package} import {leaf} as {name}"))
        elif inspect.isclass(value) or inspect.isfunction(value):
            imports.append(
                Export(name, f"from {value.__module__} import {value.__qualname__} as {name}")
            )
        else:
            values.append(Export(name, f"{name}: {type(value).__name__}"))
    return imports + values


_SIMPLE = re.compile(r"^(str|int|float|bool|None)( \| (str|int|float|bool|None))*$")


def platform_options(platform: Any) -> str:
    """A declared platform's ``connect()`` keywords as stub text: its credentials (``str``),
    ``creds_path``, its settings, then the shared client options; ``**options`` stays open
    for nothing: an unknown option is an error at run time, so the stub names them all."""
    from specclient.options import ClientOptions

    parts = [f"{c.argument}: str | None = ..." for c in platform.credentials]
    parts.append("creds_path: str | None = ...")
    parts += [f"{s.name}: Any = ..." for s in platform.settings]
    declared = ClientOptions.__annotations__  # as written (postponed: strings)
    for name in ClientOptions.names():
        if name in platform.option_names():
            written = declared[name]
            annotation = written if isinstance(written, str) and _SIMPLE.match(written) else "Any"
            parts.append(f"{name}: {annotation} = ...")
    return ", ".join(["*", *parts])


def package_stub(platforms: list[str], package: str = "specclient") -> str:
    """The text of ``specclient/__init__.pyi`` for the given platforms of the registry."""
    module = importlib.import_module(package)
    from specclient.platforms import get

    clients = [
        (
            p,
            pascal_case(p) + "Client",
            "Async" + pascal_case(p) + "Client",
            platform_options(get(p)),
            platform_options(get(p)),
        )
        for p in platforms
    ]
    text = (
        environment()
        .get_template("package.pyi.j2")
        .render(
            exports=exports(package),
            all_names=list(getattr(module, "__all__", ())),
            clients=clients,
            has_async="connect_async" in getattr(module, "__all__", ()),
        )
    )
    return _tidy(text)
