"""The committed stubs list exactly the resources, methods, parameters and types the runtime has.

Stubs are rendered from the runtime client's own spec and signatures; this test reads them
back (``ast``) and compares with what a live client built by ``connect()`` answers to
(``dir()`` and ``inspect.signature``), so any drift between the two fails here: names, kinds,
and the annotation of every parameter and of the return value.
"""

from __future__ import annotations

import ast
import inspect
import re
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


# The stub spells builtins through private aliases (a method called ``list`` would shadow them).
_ALIASED_BUILTIN = re.compile(r"\b_(list|dict|str|int|float|bool|bytes)\b")
# Per-call options the stub narrows per overload (``Literal["pandas"]`` -> DataFrame, ...):
# their annotation is the overload's selector, not the runtime's single type.
_OVERLOAD_SELECTORS = {"return_type", "iterator"}


def _stub_types(fn: Any, response_classes: set[str]) -> dict[str, str]:
    """Parameter -> annotation, and "return" -> the return annotation, as the runtime writes
    them: builtins unaliased, the stub's response classes (``Response`` subclasses) erased to
    ``Response`` (the runtime has one Response class; the stub refines it per shape)."""

    def plain(node: ast.expr | None) -> str:
        text = _ALIASED_BUILTIN.sub(r"\1", ast.unparse(node)) if node is not None else ""
        return re.sub(r"\w+", lambda m: "Response" if m[0] in response_classes else m[0], text)

    arguments = fn.args.args[1:] + fn.args.kwonlyargs
    types = {
        a.arg: plain(a.annotation)
        for a in arguments
        if a.arg.lstrip("_") not in _OVERLOAD_SELECTORS  # plain, or spelled _return_type
    }
    types["return"] = plain(fn.returns)
    return types


def _runtime_types(signature: inspect.Signature) -> dict[str, str]:
    types = {
        p.name: str(p.annotation)
        for p in signature.parameters.values()
        if p.name.lstrip("_") not in _OVERLOAD_SELECTORS
    }
    types["return"] = str(signature.return_annotation)
    return types


def _response_classes(module: ast.Module) -> set[str]:
    return {
        cls.name
        for cls in _classes(module).values()
        if any(isinstance(b, ast.Name) and b.id == "Response" for b in cls.bases)
    }


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
    response_classes = _response_classes(stub)
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
            assert _stub_types(fn, response_classes) == _runtime_types(runtime), (
                f"{resource_name}.{name}"
            )
            checked += 1
    assert checked > 0


def test_a_stub_type_that_disagrees_with_the_runtime_is_caught() -> None:
    # The disagreement this comparison was added for: the runtime annotated a required object
    # argument ``dict`` and an optional one ``int``; the stubs said ``dict[str, Any]`` and
    # ``int | None``. Compared by name only, both sides looked the same.
    keyword = inspect.Parameter.KEYWORD_ONLY
    runtime = inspect.Signature(
        [
            inspect.Parameter("body", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation="dict"),
            inspect.Parameter("limit", keyword, default=None, annotation="int"),
        ],
        return_annotation="Response",
    )
    stub = ast.parse(
        "def get(self, body: _dict[_str, Any], *, limit: _int | None = ...) -> _ThingResponse: ..."
    ).body[0]
    assert _stub_params(stub) == _runtime_params(runtime)  # names and kinds agree...
    assert _stub_types(stub, {"_ThingResponse"}) != _runtime_types(runtime)  # ...types do not
    fixed = runtime.replace(
        parameters=[
            runtime.parameters["body"].replace(annotation="dict[str, Any]"),
            runtime.parameters["limit"].replace(annotation="int | None"),
        ]
    )
    assert _stub_types(stub, {"_ThingResponse"}) == _runtime_types(fixed)
