"""Authored specs are valid OpenAPI, and codegen refuses to render one that is not."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from codegen.__main__ import main
from codegen.build import bundled_specs
from codegen.validate import validate_file
from specclient.errors import SpecError

PETS = Path(__file__).parent / "fixtures" / "pets.yaml"


@pytest.mark.parametrize("path", sorted(bundled_specs().values()), ids=lambda p: p.name)
def test_every_authored_spec_is_valid_openapi(path: Path) -> None:
    validate_file(path)  # raises SpecError naming the place


def _broken_pets(tmp_path: Path) -> Path:
    # The defect LiveRamp's published document had: a null default on a non-nullable string.
    document = yaml.safe_load(PETS.read_text())
    schema = next(iter(document["components"]["schemas"].values()))
    schema.setdefault("properties", {})["label"] = {"type": "string", "default": None}
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(document))
    return broken


def test_a_null_default_on_a_non_nullable_string_is_refused_with_its_place(tmp_path: Path) -> None:
    broken = _broken_pets(tmp_path)
    with pytest.raises(SpecError) as caught:
        validate_file(broken)
    message = str(caught.value)
    assert "not valid OpenAPI" in message
    assert "label" in message and str(broken) in message


def test_codegen_renders_nothing_from_an_invalid_spec(tmp_path: Path, capsys) -> None:
    broken = _broken_pets(tmp_path)
    out = tmp_path / "out"
    assert main([str(broken), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("codegen: not valid OpenAPI")
    assert not out.exists()
