"""ClicData's column types are written once, in the spec (issue 11 drift)."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

from specclient.openapi import bundled_spec
from specclient.platforms.clicdata import frames

SRC = Path(__file__).resolve().parents[3] / "src" / "specclient"
CLICDATA = SRC / "platforms" / "clicdata"
EMULATOR = SRC / "emulators" / "clicdata"


def _spec_enum() -> list[str]:
    document = yaml.safe_load(bundled_spec("clicdata").read_text(encoding="utf-8"))
    return document["components"]["schemas"]["Column"]["properties"]["data_type"]["enum"]


def test_the_adapter_reads_the_column_types_from_the_spec():
    assert list(frames.COLUMN_TYPES) == list(frames.column_types()) == _spec_enum()


def test_the_emulator_reads_the_same_column_types_from_the_spec():
    from specclient.emulators.clicdata import state

    assert list(state.COLUMN_TYPES) == list(state.column_types()) == _spec_enum()


def test_the_emulator_source_does_not_list_the_column_types_again():
    # (It may name a few kinds in a rule, "number, percentage, rec_id hold numbers"; a list of
    # most of them is the column types written again.)
    types = set(_spec_enum())
    for path in EMULATOR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Tuple | ast.List | ast.Set):
                strings = {e.value for e in node.elts if isinstance(e, ast.Constant)}
                assert len(strings & types) <= len(types) // 2, (
                    f"{path.name}:{node.lineno} writes the column types again"
                )


def test_the_adapter_source_does_not_list_the_column_types_again():
    types = set(_spec_enum())
    for path in CLICDATA.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Tuple | ast.List | ast.Set):
                strings = {e.value for e in node.elts if isinstance(e, ast.Constant)}
                assert not (len(strings & types) >= 3), (
                    f"{path.name}:{node.lineno} writes the column types again"
                )
