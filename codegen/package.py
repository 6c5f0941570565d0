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
import types
from dataclasses import dataclass

from codegen.render import _tidy, environment
from codegen.types import pascal_case

# Names whose signatures the package stub writes itself rather than re-exporting.
TYPED_HERE = ("connect", "connect_async")


@dataclass(frozen=True)
class Export:
    name: str
    statement: str  # the stub line that declares it


def exports(package: str = "specclient") -> list[Export]:
    """One stub declaration per name in the runtime package's ``__all__``."""
    module = importlib.import_module(package)
    names = list(getattr(module, "__all__", ()))
    result = []
    for name in names:
        if name in TYPED_HERE:
            continue
        value = getattr(module, name)
        if isinstance(value, types.ModuleType):
            statement = f"from {value.__name__.rpartition('.')[0] or package} import {value.__name__.rpartition('.')[2]} as {name}"
        elif inspect.isclass(value) or inspect.isfunction(value):
            statement = f"from {value.__module__} import {value.__qualname__} as {name}"
        else:
            statement = f"{name}: {type(value).__name__}"
        result.append(Export(name, statement))
    return result


def package_stub(platforms: list[str], package: str = "specclient") -> str:
    """The text of ``specclient/__init__.pyi`` for the given bundled platforms."""
    module = importlib.import_module(package)
    clients = [(p, pascal_case(p) + "Client") for p in platforms]
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
