"""The spec the Civis emulator serves is a subset of Civis's published spec, copied verbatim
and then corrected only as ``subset.FIXES`` says (issue 17: what the property runs found)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from specclient.emulators.civis.subset import FIXES, OPERATIONS, correct, trim

civis_resources = pytest.importorskip("civis.resources")

PUBLISHED = Path(civis_resources.__file__).parent / "civis_api_spec.json"
BUNDLED = Path(__file__).parents[3] / "specs" / "civis.yaml"


@pytest.fixture(scope="module")
def bundled():
    return yaml.load(BUNDLED.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def test_bundled_subset_is_the_published_operations_with_the_listed_fixes(bundled):
    published = json.loads(PUBLISHED.read_text())
    assert bundled == correct(trim(published))
    assert bundled["info"]["x-fixes"] == list(FIXES)


def _without_fixes(node):
    """The document with what the fixes add or change taken out again."""
    if isinstance(node, dict):
        kept = {
            key: _without_fixes(value)
            for key, value in node.items()
            if key not in ("x-nullable", "minLength", "minimum", "maximum", "x-fixes")
            and not (key in ("400", "401", "404") and "Error" in json.dumps(value))
        }
        if kept.get("format") == "date-time":
            kept["format"] = "time" if node.get("type") == "string" else kept["format"]
        return kept
    if isinstance(node, list):
        return [_without_fixes(value) for value in node]
    return node


def test_the_fixes_change_nothing_but_what_they_list():
    published = trim(json.loads(PUBLISHED.read_text()))
    fixed = correct(published)
    assert fixed["definitions"].pop("Error")["required"] == ["error", "errorDescription", "code"]
    # date-time was already date-time in places; compare with those normalised the same way
    assert _without_fixes(fixed) == _without_fixes(published)


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
    # 600 kB before issue 13 added the operations civis.io needs (imports, queries)
    assert BUNDLED.stat().st_size < 700_000  # the full published spec is 2.5 MB
