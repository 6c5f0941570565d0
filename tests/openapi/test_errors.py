"""A broken spec raises SpecError naming the fault and its JSON pointer, before any use."""

from __future__ import annotations

import json

import pytest

from specclient.errors import SpecError, SpecWarning
from specclient.openapi import load


def _doc(paths=None, **extra):
    doc = {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths if paths is not None else {},
    }
    doc.update(extra)
    return doc


OK = {"200": {"description": "ok"}}


def _raises(doc) -> SpecError:
    with pytest.raises(SpecError) as caught:
        load(doc, cache=False)
    return caught.value


def test_unresolvable_parameter_ref_points_at_the_parameter():
    err = _raises(
        _doc(
            {
                "/tables": {
                    "get": {
                        "parameters": [{"$ref": "#/components/parameters/Nope"}],
                        "responses": OK,
                    }
                }
            }
        )
    )
    assert err.pointer == "#/paths/~1tables/get/parameters/0"
    assert "#/components/parameters/Nope" in str(err)


def test_unresolvable_schema_ref_deep_inside_points_at_it():
    err = _raises(
        _doc(
            {
                "/tables": {
                    "get": {
                        "responses": {
                            "200": {
                                "description": "ok",
                                "content": {
                                    "application/json": {
                                        "schema": {
                                            "type": "object",
                                            "properties": {
                                                "a": {"$ref": "#/components/schemas/Gone"}
                                            },
                                        }
                                    }
                                },
                            }
                        }
                    }
                }
            }
        )
    )
    assert err.pointer == (
        "#/paths/~1tables/get/responses/200/content/application~1json/schema/properties/a"
    )


def test_external_ref_is_refused_clearly():
    err = _raises(_doc({"/a": {"get": {"responses": {"200": {"$ref": "other.yaml#/R"}}}}}))
    assert err.pointer == "#/paths/~1a/get/responses/200"
    assert "outside this document" in str(err)


def test_missing_paths():
    doc = _doc()
    del doc["paths"]
    err = _raises(doc)
    assert err.pointer == "#" and "no 'paths'" in str(err)


def test_paths_not_a_mapping():
    assert _raises(_doc(paths=["/a"])).pointer == "#/paths"


def test_path_parameter_without_definition_is_a_warning_and_a_required_string():
    with pytest.warns(SpecWarning) as caught:
        spec = load(_doc({"/tables/{id}": {"get": {"responses": OK}}}), cache=False)
    assert len(caught) == 1
    assert "{id}" in str(caught[0].message) and "#/paths/~1tables~1{id}/get" in str(
        caught[0].message
    )
    (param,) = spec.operation("tables.get").params
    assert (param.name, param.location, param.required, dict(param.schema)) == (
        "id",
        "path",
        True,
        {"type": "string"},
    )


def test_parameter_without_name_or_with_bad_location():
    err = _raises(
        _doc(
            {
                "/t": {
                    "get": {
                        "parameters": [{"name": "a", "in": "query"}, {"in": "query"}],
                        "responses": OK,
                    }
                }
            }
        )
    )
    assert err.pointer == "#/paths/~1t/get/parameters/1"
    err = _raises(
        _doc({"/t": {"get": {"parameters": [{"name": "a", "in": "body"}], "responses": OK}}})
    )
    assert err.pointer == "#/paths/~1t/get/parameters/0" and "in: body" in str(err)


def test_two_operations_with_the_same_name_and_no_operation_id_both_stay():
    with pytest.warns(SpecWarning) as caught:
        spec = load(_doc({"/t": {"get": {"responses": OK}}, "/t/": {"get": {"responses": OK}}}))
    assert [str(w.message) for w in caught] == [
        "GET /t and GET /t/ both map to t.list: GET /t keeps it, GET /t/ is t.list_2 "
        "(give one an x-method to choose the names)"
    ]
    assert spec.operation("t.list").path == "/t"
    assert spec.operation("t.list_2").path == "/t/"


def test_two_explicit_names_that_collide_both_stay():
    with pytest.warns(SpecWarning) as caught:
        spec = load(
            _doc(
                {
                    "/a": {
                        "get": {
                            "x-resource": "things",
                            "x-method": "fetch",
                            "operationId": "a",
                            "responses": OK,
                        }
                    },
                    "/b": {
                        "get": {
                            "x-resource": "things",
                            "x-method": "fetch",
                            "operationId": "getB",
                            "responses": OK,
                        }
                    },
                }
            ),
            cache=False,
        )
    assert len(caught) == 1 and "things.fetch" in str(caught[0].message)
    assert spec.operation("things.fetch").path == "/a"
    assert spec.operation("things.get_b").path == "/b"


def test_everything_worked_around_is_one_warning_per_load_also_from_the_cache():
    doc = _doc(
        {
            "/t": {"get": {"responses": OK}},
            "/t/": {"get": {"responses": OK}},
            "/u/{id}": {"get": {"responses": OK}},
        }
    )
    for _ in ("cold", "warm"):
        with pytest.warns(SpecWarning) as caught:
            spec = load(doc)
        assert len(caught) == 1
        assert len(spec.warnings) == 2
        text = str(caught[0].message)
        lines = text.splitlines()
        assert lines[0] == "loading worked around 2 problems:"
        assert lines[1].startswith("- GET /u/{id} uses path parameter(s) {id}")
        assert lines[2].startswith("- GET /t and GET /t/ both map to t.list")


@pytest.mark.parametrize("document", [[1, 2], "just text", None])
def test_not_a_mapping(document):
    raw = b"- 1\n- 2\n" if document == [1, 2] else (b"" if document is None else b"just text")
    err = _raises(raw)
    assert err.pointer == "#" and "mapping" in str(err)


def test_unknown_versions():
    assert _raises({"openapi": "4.0.0", "paths": {}}).pointer == "#/openapi"
    assert _raises({"swagger": "1.2", "paths": {}}).pointer == "#/swagger"
    err = _raises({"info": {}, "paths": {}})
    assert err.pointer == "#" and "openapi" in str(err)


def test_operation_not_a_mapping():
    assert _raises(_doc({"/a": {"get": "nope"}})).pointer == "#/paths/~1a/get"


def test_bad_x_pagination_style_is_found_when_the_resource_is_built():
    spec = load(
        _doc({"/a": {"get": {"x-pagination": {"style": "pages"}, "responses": OK}}}), cache=False
    )
    with pytest.raises(SpecError) as caught:
        spec.operations("a")
    assert caught.value.pointer == "#/paths/~1a/get/x-pagination/style"


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("openapi: 3.0.0\npaths:\n  /a: [unclosed\n")
    with pytest.raises(SpecError) as caught:
        load(path)
    assert "line" in str(caught.value) and str(path) in str(caught.value)


def test_missing_file_and_wrong_source_type(tmp_path):
    with pytest.raises(SpecError, match="not found"):
        load(tmp_path / "nope.yaml")
    with pytest.raises(SpecError, match="not int"):
        load(42)  # type: ignore[arg-type]


def test_ref_cycle_between_parameters():
    err = _raises(
        _doc(
            {
                "/a": {
                    "get": {"parameters": [{"$ref": "#/components/parameters/A"}], "responses": OK}
                }
            },
            components={
                "parameters": {
                    "A": {"$ref": "#/components/parameters/B"},
                    "B": {"$ref": "#/components/parameters/A"},
                }
            },
        )
    )
    assert "cycle" in str(err)


def test_bad_ref_in_a_json_file_is_found_with_its_pointer(tmp_path):
    doc = _doc({"/t": {"get": {"parameters": [{"$ref": "#/nowhere"}], "responses": OK}}})
    path = tmp_path / "api.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(SpecError) as caught:
        load(path, cache=False)
    assert caught.value.pointer == "#/paths/~1t/get/parameters/0"


def test_ref_shaped_example_data_is_not_a_reference(tmp_path):
    doc = _doc(
        {
            "/t": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {"example": {"$ref": "#/not/a/reference"}}
                            },
                        }
                    }
                }
            }
        }
    )
    path = tmp_path / "api.json"
    path.write_text(json.dumps(doc))
    assert load(path, cache=False).operation("t.list").path == "/t"
