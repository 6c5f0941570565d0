"""Which specs to render, and the files each one produces."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from codegen.package import package_stub
from codegen.render import render_spec
from specclient.spec import load

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_STUB = "_package.pyi"


def bundled_specs(root: Path = ROOT) -> dict[str, Path]:
    """platform -> spec path, for every ``specs/<platform>.yaml`` in the checkout."""
    return {path.stem: path for path in sorted((root / "specs").glob("*.yaml"))}


def _label(path: Path) -> str:
    """How a stub names its source: relative to the checkout, so output is machine-independent."""
    try:
        return Path(os.path.relpath(path.resolve(), ROOT)).as_posix()
    except ValueError:  # another drive on Windows
        return path.name


def render_paths(paths: Iterable[Path], root: Path = ROOT) -> dict[str, str]:
    """Files for the given specs, each named after its file's stem."""
    files: dict[str, str] = {}
    for path in paths:
        files.update(render_spec(load(path), path.stem, _label(path)))
    return files


def render_bundled(root: Path = ROOT) -> dict[str, str]:
    """Files for every bundled spec, plus the package stub typing ``connect()``."""
    specs = bundled_specs(root)
    files = render_paths(specs.values(), root)
    files[PACKAGE_STUB] = package_stub(list(specs))
    return files
