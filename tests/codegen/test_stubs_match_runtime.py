"""The committed stubs list exactly the resources, methods and parameters the runtime has.

Stubs are rendered from the runtime client's own spec and signatures; this test reads them
back (``ast``) and compares with what a live client built by ``connect()`` answers to
(``dir()`` and ``inspect.signature``), so any drift between the two fails here.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any

import pytest

from codegen.build import bundled_specs, platform_client
from codegen.types import pascal_case
from specclient.client import AsyncResource, Resource

GENERATED = Path(__file__).resolve().parents[2] / "generated"
PLATFORMS = sorted(bundled_specs())


def _classes(module: ast.Module) -> dict[str, ast.ClassDef]:
    return {node.name: node for node in module.body if isinstance(node, ast.ClassDef)}


def _attributes(cls: ast.ClassDef) -> dict[str, str]:
    return {
        node.target.id: ast.unparse(node.annotation)
        for node in cls.body
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id != "__getattr__"
    }


def _first_defs(cls: ast.ClassDef) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for node in cls.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.setdefault(node.name, node)  # the first overload: the default return type
    return found


def _stub_params(fn: Any) -> tuple[list[str], dict[str, bool]]:
    """Positional names in order, and keyword-only names -> required."""
    positional = [a.arg for a in fn.args.args[1:]]
    keyword = {
        a.arg: default is None
        for a, default in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=True)
    }
    return positional, keyword


def _runtime_params(signature: inspect.Signature) -> tuple[list[str], dict[str, bool]]:
    positional = [
        p.name
        for p in signature.parameters.values()
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    ]
    keyword = {
        p.name: p.default is inspect.Parameter.empty
        for p in signature.parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    return positional, keyword


@pytest.fixture(
    scope="module",
    params=[(p, kind) for p in PLATFORMS for kind in ("", "Async")],
    ids=lambda param: f"{param[0]}-{param[1].lower() or 'sync'}",
)
def pair(request: pytest.FixtureRequest) -> Any:
    platform, kind = request.param
    stub = ast.parse((GENERATED / f"{platform}.pyi").read_text())
    client = platform_client(platform, bundled_specs()[platform], asynchronous=bool(kind))
    base = AsyncResource if kind else Resource
    yield kind + pascal_case(platform) + "Client", base, stub, client


def test_stub_client_has_every_resource_and_no_other(pair: Any) -> None:
    client_class, base, stub, client = pair
    resources = _attributes(_classes(stub)[client_class])
    runtime = {
        name for name in client.spec.resource_names() if isinstance(getattr(client, name), base)
    }
    assert set(resources) == runtime


def test_stub_resources_have_the_runtime_methods_and_signatures(pair: Any) -> None:
    client_class, base, stub, client = pair
    classes = _classes(stub)
    resources = _attributes(classes[client_class])
    checked = 0
    for resource_name, class_name in resources.items():
        resource = getattr(client, resource_name)
        cls = classes[class_name]
        workflow = {n for n in dir(type(resource)) if not n.startswith("_")} - set(dir(base))
        defs, attrs = _first_defs(cls), _attributes(cls)
        runtime_methods = {n for n in dir(resource) if not n.startswith("_")} - set(dir(base))
        # dir() is what tab completion shows: the stub must offer the same names
        assert set(defs) | set(attrs) | workflow == runtime_methods, resource_name
        for name in set(defs) | set(attrs):
            fn = defs.get(name) or _first_defs(classes[attrs[name]])["__call__"]
            runtime = inspect.signature(getattr(resource, name))
            assert _stub_params(fn) == _runtime_params(runtime), f"{resource_name}.{name}"
            checked += 1
    assert checked > 0
