"""The list of platforms exists in one place, ``specclient.catalog`` (below both the client stack
and the emulators): connect, the CLI, codegen, the demo and ``emulators.running`` ask it instead
of keeping their own list."""

from __future__ import annotations

import ast
from pathlib import Path

from specclient import platforms

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = {"habu", "usmart", "clicdata", "civis"}
REGISTRY = ROOT / "src" / "specclient" / "catalog.py"


def _listings(path: Path) -> list[int]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict):
            items = node.keys if isinstance(node, ast.Dict) else node.elts
            names = {i.value for i in items if isinstance(i, ast.Constant)}
            if len(names & BUNDLED) >= 3:
                found.append(node.lineno)
    return found


def test_no_module_but_the_registry_lists_the_platforms():
    sources = [*(ROOT / "src").rglob("*.py"), *(ROOT / "codegen").rglob("*.py")]
    offenders = {
        f"{path.relative_to(ROOT)}:{line}"
        for path in sources
        if path != REGISTRY
        for line in _listings(path)
    }
    assert offenders == set()
    assert _listings(REGISTRY), "the registry itself lists them"


def test_the_registry_names_every_bundled_platform_and_each_declares_itself():
    assert set(platforms.names()) >= BUNDLED
    for name in BUNDLED:
        declared = platforms.get(name)
        assert declared.name == name and declared.demo is not None and declared.emulator
        assert platforms.describe(name)
