"""Platforms use the engine only through its public seams (docs/CONTRACTS.md).

An AST walk over ``src/specclient/platforms/**``: no import of a private engine module
(``specclient._x``, ``specclient.openapi._x``, ``specclient.http._x``), no read or write of a
private attribute the engine defines (``client._sender``, ``resource._client``, ``_factory``...),
no override of one in a platform class. ``platforms/_base.py``, ``_flows.py`` and
``_platform.py`` are the platforms' own private modules and may be imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "specclient"
PLATFORMS = SRC / "platforms"
# The engine's modules whose private names platform code must not touch.
ENGINE = [
    SRC / "client.py",
    SRC / "response.py",
    SRC / "pagination.py",
    SRC / "polling.py",
    SRC / "options.py",
    SRC / "auth.py",
    *sorted((SRC / "http").glob("*.py")),
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _is_private_engine(name: str) -> bool:
    """A private part of the engine: anything under ``specclient`` but outside
    ``specclient.platforms`` (the platforms' own modules, private ones included)."""
    if name.split(".")[0] != "specclient" or name.startswith("specclient.platforms"):
        return False
    return any(part.startswith("_") and not part.startswith("__") for part in name.split("."))


def _shadowable_helpers() -> set[str]:
    """``_x`` for each helper ``x = _Shadowable()``: the documented spelling of ``client.x``
    that no resource of the spec can shadow (``client._resource``, ``resource._method``...)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse((SRC / "client.py").read_text())):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "_Shadowable"
        ):
            found.update("_" + t.id for t in node.targets if isinstance(t, ast.Name))
    return found


def _engine_private_names() -> set[str]:
    """Private attribute and method names the engine defines (``self._x = ...``, ``def _x``),
    except the unshadowable spellings of its public helpers."""
    names: set[str] = set()
    for path in ENGINE:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        names.add(item.name)
                    elif isinstance(item, ast.Assign | ast.AnnAssign):
                        targets = item.targets if isinstance(item, ast.Assign) else [item.target]
                        names.update(t.id for t in targets if isinstance(t, ast.Name))
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "self"
                and isinstance(node.ctx, ast.Store)
            ):
                names.add(node.attr)
    private = {n for n in names if n.startswith("_") and not n.startswith("__")}
    return private - _shadowable_helpers()


def offences(path: Path, engine_private: set[str]) -> set[str]:
    module = _module_name(path)
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(f"import {a.name}" for a in node.names if _is_private_engine(a.name))
        elif isinstance(node, ast.ImportFrom):
            name = _absolute(node, module, path.name == "__init__.py")
            if _is_private_engine(name):
                found.add(f"import {name}")
                continue
            # ``from specclient import _clock``, ``from specclient.response import _convert``
            found.update(
                f"import {name}.{alias.name}"
                for alias in node.names
                if _is_private_engine(f"{name}.{alias.name}")
            )
        elif isinstance(node, ast.Attribute) and node.attr in engine_private:
            found.add(f"attribute {node.attr}")
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                names = []
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    names = [item.name]
                elif isinstance(item, ast.Assign):
                    names = [t.id for t in item.targets if isinstance(t, ast.Name)]
                found.update(f"defines {n}" for n in names if n in engine_private)
    return found


def test_platforms_use_no_private_part_of_the_engine():
    engine_private = _engine_private_names()
    assert {"_sender", "_factory", "_payload", "_server_for"} <= engine_private  # the walk works
    assert {"_client", "_method", "_resource", "_base_url"} <= _shadowable_helpers()
    seen = set()
    for path in sorted(PLATFORMS.rglob("*.py")):
        relative = path.relative_to(PLATFORMS).as_posix()
        seen.update((relative, offence) for offence in offences(path, engine_private))
    assert seen == set(), "platform code reaches into the engine's private parts"


def test_the_walk_catches_each_kind_of_offence(tmp_path):
    engine_private = _engine_private_names()
    sample = PLATFORMS / "_sample_for_test.py"
    sample.write_text(
        "from specclient._request import build_request\n"
        "from .. import _clock\n"
        "import specclient.http._x\n"
        "from ._flows import run\n"
        "from specclient.client import Method\n"
        "class M(Method):\n"
        "    _factory = None\n"
        "def f(client):\n"
        "    client._sender.send()\n"
        "    client._resource('x')._method('y')\n"
    )
    try:
        assert offences(sample, engine_private) == {
            "import specclient._request",
            "import specclient._clock",
            "import specclient.http._x",
            "defines _factory",
            "attribute _sender",
        }
    finally:
        sample.unlink()
