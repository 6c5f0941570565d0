"""Civis parity, extended to signatures: every method civis-python builds from Civis's spec has,
in our client built from the same spec, the same required parameters (positional, in the same
order) and the same optional ones (keyword-only). Names alone are checked in
``tests/openapi/test_civis_parity.py``; this file checks what a call site depends on.

Our methods add per-call options (``return_type``, ``timeout``, ``headers``, ``body``, spelled
``_body`` ... where the spec has a parameter of that name) as keyword-only parameters; they are
not part of civis-python's signatures and are left out.
"""

from __future__ import annotations

import contextlib
import inspect
from pathlib import Path

import pytest

civis_resources = pytest.importorskip("civis.resources")

from specclient.client import Client  # noqa: E402
from specclient.openapi.naming import CIVIS_PYTHON  # noqa: E402

CIVIS_SPEC = Path(civis_resources.__file__).parent / "civis_api_spec.json"
BUNDLED_SUBSET = Path(__file__).parents[3] / "specs" / "civis.yaml"
# Shown plain, or as _x when a spec name takes x.
_PLAIN = ("return_type", "timeout", "headers", "body", "content_type")
OUR_OPTIONS = set(_PLAIN) | {"_" + o for o in _PLAIN}


def civis_python_signatures() -> dict[str, inspect.Signature]:
    classes = civis_resources.generate_classes_maybe_cached(
        str(CIVIS_SPEC), api_key="no_key_needed", api_version="1.0"
    )
    signatures = {}
    for resource, cls in classes.items():
        for name, function in vars(cls).items():
            if name.startswith("_") or not callable(function):
                continue
            signatures[f"{resource}.{name}"] = inspect.signature(function)
    return signatures


def shape(signature: inspect.Signature) -> tuple[list[str], set[str], set[str]]:
    """(required positional names in order, required keyword names, optional names)."""
    positional, required_kw, optional = [], set(), set()
    for param in signature.parameters.values():
        if param.name == "self" or param.name in OUR_OPTIONS:
            continue
        if param.default is inspect.Parameter.empty:
            if param.kind is inspect.Parameter.KEYWORD_ONLY:
                required_kw.add(param.name)
            else:
                positional.append(param.name)
        else:
            optional.add(param.name)
    return positional, required_kw, optional


@pytest.fixture(scope="module")
def theirs():
    return civis_python_signatures()


def our_signatures(spec_path: Path, qualnames) -> dict[str, inspect.Signature]:
    client = Client(str(spec_path), naming=CIVIS_PYTHON, base_url="http://civis.invalid")
    ours = {}
    for qualname in qualnames:
        resource, _, method = qualname.partition(".")
        with contextlib.suppress(AttributeError):
            ours[qualname] = inspect.signature(client.resource(resource).method(method))
    return ours


def test_every_civis_python_method_has_the_same_required_and_optional_parameters(theirs):
    ours = our_signatures(CIVIS_SPEC, theirs)
    missing = sorted(set(theirs) - set(ours))
    assert not missing, f"{len(missing)} methods missing, e.g. {missing[:5]}"
    differing = {
        qualname: (shape(theirs[qualname]), shape(ours[qualname]))
        for qualname in theirs
        if shape(theirs[qualname]) != shape(ours[qualname])
    }
    assert not differing, f"{len(differing)} of {len(theirs)} signatures differ, e.g. " + "; ".join(
        f"{q}: civis {a} vs ours {b}" for q, (a, b) in list(differing.items())[:3]
    )


def test_required_parameters_are_positional_like_civis_python(theirs):
    ours = our_signatures(CIVIS_SPEC, ["scripts.post_sql", "tables.list", "jobs.get_runs"])
    expected = ["name", "sql", "remote_host_id", "credential_id"]
    assert shape(theirs["scripts.post_sql"])[0] == expected
    assert shape(ours["scripts.post_sql"])[0] == expected
    assert shape(ours["jobs.get_runs"])[0] == ["id", "run_id"]
    assert shape(ours["tables.list"])[0] == []
    assert "iterator" in ours["tables.list"].parameters


def test_the_served_subset_gives_civis_python_signatures_for_what_it_serves(theirs):
    ours = our_signatures(BUNDLED_SUBSET, theirs)
    assert len(ours) >= 35  # every operation of specclient.emulators.civis.subset
    for qualname, signature in ours.items():
        assert shape(signature) == shape(theirs[qualname]), qualname
