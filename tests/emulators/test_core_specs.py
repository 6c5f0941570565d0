"""Emulators built from one spec file share one loaded model (emulators/core/specs.py)."""

from __future__ import annotations

import os
from pathlib import Path

from specclient.emulators.core import EmulatorApp
from specclient.emulators.core.specs import shared_spec

SPEC = """openapi: 3.0.3
info: {title: Pets, version: "1"}
paths:
  /pets/{petId}:
    get:
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
      responses: {"200": {description: ok}}
"""


def test_apps_built_from_one_file_share_its_model_and_validators(tmp_path: Path) -> None:
    path = tmp_path / "pets.yaml"
    path.write_text(SPEC)
    first, second = EmulatorApp(path), EmulatorApp(str(path))
    assert first.spec is second.spec
    operation = first.operations["pets.get"]
    assert first._validator(operation) is second._validator(operation)


def test_an_edited_file_is_loaded_again(tmp_path: Path) -> None:
    path = tmp_path / "pets.yaml"
    path.write_text(SPEC)
    before = shared_spec(path)
    path.write_text(SPEC.replace('version: "1"', 'version: "2"'))
    os.utime(path, ns=(1, 1))  # even with a modification time set back
    after = shared_spec(path)
    assert after is not before
    assert (before.version, after.version) == ("1", "2")


def test_a_document_is_loaded_each_time() -> None:
    # a mapping may be changed between builds: only the caller can know it was not
    import yaml

    document = yaml.safe_load(SPEC)
    assert EmulatorApp(document).spec is not EmulatorApp(document).spec
