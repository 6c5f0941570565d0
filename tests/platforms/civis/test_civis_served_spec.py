"""The spec the Civis emulator serves is a verbatim subset of Civis's published spec."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from specclient.emulators.civis.subset import OPERATIONS, trim

civis_resources = pytest.importorskip("civis.resources")

PUBLISHED = Path(civis_resources.__file__).parent / "civis_api_spec.json"
BUNDLED = Path(__file__).parents[3] / "specs" / "civis.yaml"


@pytest.fixture(scope="module")
def bundled():
    return yaml.load(BUNDLED.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def test_bundled_subset_is_the_published_operations_unchanged(bundled):
    published = json.loads(PUBLISHED.read_text())
    assert bundled == trim(published)


def test_bundled_subset_holds_every_listed_operation_and_nothing_else(bundled):
    served = {
        (verb, path)
        for path, item in bundled["paths"].items()
        for verb in item
        if verb != "parameters"
    }
    assert served == set(OPERATIONS)


def test_every_reference_in_the_subset_resolves(bundled):
    text = json.dumps(bundled)
    refs = {part.split('"')[0] for part in text.split('"$ref": "#/definitions/')[1:]}
    assert refs <= set(bundled["definitions"])


def test_bundled_subset_stays_small():
    assert BUNDLED.stat().st_size < 600_000  # the full published spec is 2.5 MB
