"""The engine's layers point one way: foundations <- model <- http <- client.

Every import in an engine module (at the top, inside a function, or for type checking only)
is read with ``ast`` and checked: a module imports only from its own layer or the ones below,
and no chain of imports among engine modules leads back to where it started. Platforms,
emulators and the CLI sit on top and are not engine modules: the engine never imports them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from _parse import parse_file  # tests/ is on sys.path: its conftest is rootless

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "specclient"

#: Bottom to top. A name ending in "." is a package: every module below it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "foundations",
        (
            "specclient.errors",
            "specclient._clock",
            "specclient.clock",
            "specclient._secrets",
            "specclient._jsonpath",
            "specclient._resources",
            "specclient._version",
            "specclient.catalog",
            "specclient._after_import",
            "specclient._records",
        ),
    ),
    ("model", ("specclient.openapi.",)),
    ("http", ("specclient.http.",)),
    (
        "client",
        (
            "specclient.auth",
            "specclient._auth_base",
            "specclient._grants",
            "specclient._annotations",
            "specclient.tables.",
            "specclient._frames",
            "specclient.pagination",
            "specclient.response",
            "specclient._wire.",
            "specclient._binding",
            "specclient._request",
            "specclient._docs",
            "specclient.options",
            "specclient.envelopes",
            "specclient.client",
            "specclient.polling",
            "specclient.futures",
            "specclient._async_future",
        ),
    ),
]
#: What is built on the engine; the engine must not import any of it.
ABOVE_THE_ENGINE = (
    "specclient.platforms",
    "specclient.emulators",
    "specclient.cli",
    "specclient._cli_commands",
    "specclient._cli_download",
    "specclient._cli_output",
    "specclient._cli_wait",
    "specclient._cli_copy",
    "specclient.transfer",
    "specclient._demo",
    "specclient.testing",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer_of(module: str) -> int | None:
    for rank, (_, members) in enumerate(LAYERS):
        for member in members:
            if module == member.rstrip(".") or (member.endswith(".") and module.startswith(member)):
                return rank
    return None


def _is_above(module: str) -> bool:
    return any(module == top or module.startswith(top + ".") for top in ABOVE_THE_ENGINE)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
ENGINE = sorted(m for m in MODULES if _layer_of(m) is not None)


def _lazy_reexports(tree: ast.Module) -> set[tuple[str | None, int, str]]:
    """Imports inside a module-level ``__getattr__`` (PEP 562): the module re-exports another's
    names on first use (``futures.AsyncRunFuture`` loads ``_async_future`` only when asked)."""
    found: set[tuple[str | None, int, str]] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "__getattr__":
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom):
                    found.update((inner.module, inner.level, a.name) for a in inner.names)
    return found


def _imports_in_source(module: str) -> set[str]:
    """Every specclient module ``module`` imports, wherever the import statement stands.

    One exception: a lazy re-export (an import in the module's ``__getattr__``, and the same
    import under ``TYPE_CHECKING`` for type checkers) is another module's facade, not something
    this module uses.
    """
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = parse_file(path)
    reexported = _lazy_reexports(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if all((node.module, node.level, a.name) in reexported for a in node.names):
                continue
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # ``from package import module`` imports the module; ``from module import name``
            # imports the module that holds the name.
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        found.update(n for n in names if n == "specclient" or n.startswith("specclient."))
    found.discard(module)
    return found


#: Each engine module's imports, read once while the module is collected: before any test has
#: started a thread or left garbage behind (see tests/_parse.py).
IMPORTS = {module: _imports_in_source(module) for module in ENGINE}


def _imports(module: str) -> set[str]:
    return IMPORTS[module] if module in IMPORTS else _imports_in_source(module)


def test_the_layer_table_names_modules_that_exist() -> None:
    for _, members in LAYERS:
        for member in members:
            assert any(m == member.rstrip(".") or m.startswith(member) for m in MODULES), (
                f"{member} is in LAYERS but no such module exists"
            )


def test_every_engine_module_has_a_layer() -> None:
    unplaced = [
        m for m in MODULES if m != "specclient" and _layer_of(m) is None and not _is_above(m)
    ]
    assert unplaced == [], "place these modules in LAYERS (or above the engine)"


@pytest.mark.parametrize("module", ENGINE)
def test_engine_modules_import_nothing_from_a_higher_layer(module: str) -> None:
    rank = _layer_of(module)
    assert rank is not None
    upward = sorted(
        target
        for target in _imports(module)
        if target == "specclient"
        or _is_above(target)
        or (_layer_of(target) is not None and _layer_of(target) > rank)  # type: ignore[operator]
    )
    assert upward == [], f"{module} ({LAYERS[rank][0]}) imports upward: {upward}"


def test_no_import_cycles_among_engine_modules() -> None:
    graph = {m: {t for t in _imports(m) if t in ENGINE} for m in ENGINE}
    # A package's __init__ runs before any of its modules: importing a module imports it too,
    # but that is how Python loads packages, not a dependency either module chose.
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append(stack[stack.index(target) :] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in ENGINE:
        if node not in state:
            visit(node)
    assert cycles == [], "; ".join(" -> ".join(cycle) for cycle in cycles)


def test_the_walker_sees_imports_inside_functions() -> None:
    # The cycle this suite exists to prevent was a function-level import (_frames -> response).
    assert "specclient.openapi.model" in _imports("specclient.pagination")
    assert "specclient._jsonpath" in _imports("specclient._frames")
