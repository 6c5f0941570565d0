"""Methods built from a spec: names, signatures, docstrings, and argument checks."""

from __future__ import annotations

import inspect

import pytest

import specclient
from specclient.errors import ParameterError


def test_resources_and_methods_follow_the_naming_rule(pets):
    assert {"pets", "owners", "feed"} <= set(dir(pets))
    assert {"list", "post", "get", "delete", "put_photo"} <= set(dir(pets.pets))
    assert "adopt" in dir(pets.owners)


def test_signature_puts_path_parameters_first_and_the_rest_keyword_only(pets):
    sig = inspect.signature(pets.pets.get)
    assert list(sig.parameters) == ["pet_id", "return_type", "timeout", "headers"]
    assert sig.parameters["pet_id"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    listing = inspect.signature(pets.pets.list)
    assert listing.parameters["only_healthy"].kind is inspect.Parameter.KEYWORD_ONLY
    assert "iterator" in listing.parameters
    create = inspect.signature(pets.pets.post)
    assert [
        n for n, p in create.parameters.items() if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    ] == ["name", "kind"]
    assert "start_at" in create.parameters and "body" in create.parameters


def test_docstring_is_numpy_style_from_the_spec(pets):
    doc = pets.pets.list.__doc__
    assert doc.startswith("List pets")
    assert "Parameters\n----------" in doc
    assert "only_healthy : bool, optional" in doc
    assert "API URL: ``GET /pets``" in doc


def test_missing_argument_is_a_parameter_error_and_nothing_is_sent(pets, recorder):
    with pytest.raises(ParameterError, match=r"pets.post\(\): missing required argument: 'kind'"):
        pets.pets.post(name="Rex")
    assert recorder.requests == []


def test_unknown_argument_names_the_closest_match(pets, recorder):
    with pytest.raises(
        ParameterError,
        match=r"unknown argument 'only_healty'.*did you mean "
        r"'only_healthy'",
    ):
        pets.pets.list(only_healty=True)
    assert recorder.requests == []


def test_ill_typed_and_out_of_enum_arguments_are_refused(pets, recorder):
    with pytest.raises(ParameterError, match=r"argument 'limit': expected int, got str"):
        pets.pets.list(limit="ten")
    with pytest.raises(ParameterError, match=r"argument 'kind': 'cow' is not one of 'cat', 'dog'"):
        pets.pets.post(name="Rex", kind="cow")
    with pytest.raises(ParameterError, match=r"argument 'tags': item 1: expected str"):
        pets.pets.post(name="Rex", kind="dog", tags=["a", 2])
    with pytest.raises(ParameterError, match="argument 'limit'"):
        pets.pets.list(limit=True)  # a bool is not an integer here
    assert recorder.requests == []


def test_parameter_error_is_a_type_error(pets):
    with pytest.raises(TypeError):
        pets.pets.get()


def test_unknown_method_and_resource_say_what_exists(pets):
    with pytest.raises(AttributeError, match=r"no method 'lst'.*did you mean 'list'"):
        pets.pets.lst  # noqa: B018
    with pytest.raises(AttributeError, match=r"no resource 'pet'.*did you mean 'pets'"):
        pets.pet  # noqa: B018


def test_return_type_is_checked(pets):
    with pytest.raises(ParameterError, match="return_type must be one of"):
        pets.pets.list(return_type="json")
    with pytest.raises(ParameterError, match="return_type must be one of"):
        specclient.Client.from_spec(
            {"openapi": "3.0.0", "info": {"title": "x", "version": "1"}, "paths": {}},
            return_type="dict",
            cache=False,
        )


def test_iterator_on_a_method_without_pagination_is_refused(pets):
    with pytest.raises(ParameterError, match="not paginated"):
        pets.pets.get("1", iterator=True)


def test_body_is_required_when_the_spec_says_so(pets_spec, recorder):
    pets_spec["paths"]["/pets/{petId}/photo"]["put"]["requestBody"]["required"] = True
    client = specclient.Client.from_spec(pets_spec, http=recorder.transport, cache=False)
    with pytest.raises(ParameterError, match="a request body is required: pass body="):
        client.pets.put_photo("7")
    assert recorder.requests == []


def test_body_override_must_still_carry_required_fields(pets, recorder):
    with pytest.raises(ParameterError, match="body is missing required field: 'kind'"):
        pets.pets.post(body={"name": "Rex"})
    assert recorder.requests == []


def test_calling_a_deprecated_operation_warns(pets_spec, recorder):
    pets_spec["paths"]["/pets/{petId}"]["delete"]["deprecated"] = True
    client = specclient.Client.from_spec(pets_spec, http=recorder.transport, cache=False)
    with pytest.warns(DeprecationWarning, match="pets.delete is deprecated in the spec"):
        client.pets.delete("1")
    assert len(recorder.requests) == 1
