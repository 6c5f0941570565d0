"""Built from Civis's own spec, our model names what civis-python 2.10 names.

The reference is civis-python itself (``civis.APIClient(local_api_spec=...)``), never a list
typed here: resources, method names, parameter names, which parameters are required (and in
which positional order), and where ``iterator`` exists.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from specclient.openapi import CIVIS_PYTHON, load


def _civis_python_spec() -> Path | None:
    """The Civis API spec civis-python ships (``civis/resources/civis_api_spec.json``): the
    test extra installs civis, so the comparison runs in any clone, not only beside
    ../shared."""
    try:
        from importlib.resources import files

        shipped = Path(str(files("civis.resources") / "civis_api_spec.json"))
    except ModuleNotFoundError:
        return None
    return shipped if shipped.is_file() else None


SPEC = _civis_python_spec() or Path("civis/resources/civis_api_spec.json")

pytestmark = pytest.mark.skipif(
    not SPEC.is_file(), reason="civis-python is not installed (pip install specclient[test])"
)


def _signature_split(func) -> tuple[list[str], set[str]]:
    required, optional = [], set()
    for param in inspect.signature(func).parameters.values():
        if param.name == "self":
            continue
        if param.kind is inspect.Parameter.KEYWORD_ONLY:
            optional.add(param.name)
        else:
            required.append(param.name)
    return required, optional


@pytest.fixture(scope="module")
def civis_methods() -> dict[str, dict[str, tuple[list[str], set[str]]]]:
    civis = pytest.importorskip("civis")
    from civis.base import Endpoint

    client = civis.APIClient(local_api_spec=str(SPEC), api_key="x")
    out: dict[str, dict[str, tuple[list[str], set[str]]]] = {}
    for name, value in vars(client).items():
        if name.startswith("_") or not isinstance(value, Endpoint):
            continue
        cls = type(value)
        out[name] = {
            attr: _signature_split(getattr(cls, attr))
            for attr in vars(cls)
            if not attr.startswith("_") and callable(getattr(cls, attr))
        }
    return out


@pytest.fixture(scope="module")
def our_spec():
    return load(SPEC, naming=CIVIS_PYTHON, cache=False)


def _our_split(operation) -> tuple[list[str], set[str]]:
    required = [p.name for p in operation.params if p.required]
    optional = {p.name for p in operation.params if not p.required}
    if operation.pagination is not None:
        optional.add("iterator")
    return required, optional


def test_same_resources_as_civis_python(civis_methods, our_spec):
    assert set(our_spec.resource_names()) == set(civis_methods)
    assert len(civis_methods) == 41


def test_same_method_names_in_every_resource(civis_methods, our_spec):
    ours = {r: set(our_spec.method_names(r)) for r in our_spec.resource_names()}
    theirs = {r: set(methods) for r, methods in civis_methods.items()}
    assert ours == theirs
    assert sum(len(m) for m in theirs.values()) == 909


def test_same_parameters_required_order_and_iterator(civis_methods, our_spec):
    mismatches = []
    for resource, methods in civis_methods.items():
        operations = our_spec.operations(resource)
        for method, expected in methods.items():
            got = _our_split(operations[method])
            if got != expected:
                mismatches.append((f"{resource}.{method}", got, expected))
    assert mismatches == []


def test_legacy_list_alias_is_flagged_deprecated(our_spec):
    alias = our_spec.operations("users")["list_me"]
    preferred = our_spec.operations("users")["get_me"]
    assert alias.deprecated and alias.path == preferred.path
    assert "get_me" in alias.extensions["x-deprecation-warning"]
