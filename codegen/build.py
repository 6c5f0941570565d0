"""Which specs to render, and the files each one produces."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from codegen.package import package_stub
from codegen.render import render_spec
from codegen.validate import validate_file
from codegen.views import Runtime
from specclient.openapi import load

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_STUB = "_package.pyi"


def bundled_specs(root: Path = ROOT) -> dict[str, Path]:
    """platform -> spec path, for every platform of the registry with a bundled spec
    (``specs/<spec>.yaml`` in the checkout)."""
    from specclient.platforms import get, names

    found = {}
    for name in names():
        spec = get(name).spec
        if isinstance(spec, str) and (root / "specs" / f"{spec}.yaml").is_file():
            found[name] = root / "specs" / f"{spec}.yaml"
    return dict(sorted(found.items()))


def _label(path: Path) -> str:
    """How a stub names its source: relative to the checkout, so output is machine-independent."""
    try:
        return Path(os.path.relpath(path.resolve(), ROOT)).as_posix()
    except ValueError:  # another drive on Windows
        return path.name


def render_paths(paths: Iterable[Path]) -> dict[str, str]:
    """Files for the given specs (default naming), each named after its file's stem."""
    files: dict[str, str] = {}
    for path in paths:
        validate_file(path)
        files.update(render_spec(load(path), path.stem, _label(path)))
    return files


def platform_client(platform: str, spec: Path, *, asynchronous: bool = False) -> Any:
    """The client ``specclient.connect(platform)`` builds, over ``spec``, without any I/O.

    Stubs are rendered from this client's own spec object and classes, so they carry the
    platform's naming rules (civis-python's for Civis) and its workflow classes. The
    emulator's demo credentials satisfy ``connect()``; nothing is sent (clients are lazy,
    and the base URL is a closed loopback port).
    """
    from specclient.platforms import connect, connect_async

    connector = connect_async if asynchronous else connect
    credentials = _emulator_credentials(platform)
    return connector(platform, spec=str(spec), base_url="http://127.0.0.1:9", **credentials)


def _emulator_credentials(platform: str) -> dict[str, Any]:
    """The demo credentials of the emulator the platform's declaration names; by contract
    they are keyword arguments connect() takes."""
    from specclient.platforms import get

    module = get(platform).emulator
    emulator = importlib.import_module(module) if module else None
    return dict(getattr(emulator, "CREDENTIALS", {}) or {})


def _placeholders(platform: str) -> dict[str, str]:
    """The demo credentials' values an adapter may write into paths -> ``{name}``.

    uSmart's adapter puts the organisation GUID into every path; the stubs and reference
    should show ``/org/{org_guid}/...``, not the emulator's GUID.
    """
    credentials = _emulator_credentials(platform)
    return {
        value: "{" + key + "}"
        for key, value in credentials.items()
        if isinstance(value, str) and len(value) >= 8
    }


def runtime_of(client: Any) -> Runtime:
    resource_classes = {name: type(client.resource(name)) for name in client.spec.resource_names()}
    return Runtime(type(client), resource_classes)


def render_bundled(root: Path = ROOT) -> dict[str, str]:
    """Files for every bundled spec, plus the package stub typing ``connect()``."""
    from specclient.platforms import get

    specs = bundled_specs(root)
    files: dict[str, str] = {}
    for platform, path in specs.items():
        validate_file(path)
        client = platform_client(platform, path)
        runtime = runtime_of(client)
        runtime.strict = not get(platform).live_spec
        runtime.placeholders = _placeholders(platform)
        # connect_async's client: its own classes, the same spec (nothing was sent: no
        # connection to close on either)
        async_runtime = runtime_of(platform_client(platform, path, asynchronous=True))
        files.update(render_spec(client.spec, platform, _label(path), runtime, async_runtime))
        client.close()
    files[PACKAGE_STUB] = package_stub(list(specs))
    return files
