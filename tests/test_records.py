"""The start-up path's dataclasses take ``__eq__``, ``__hash__`` and ``__repr__`` from
:class:`specclient._records.Record` instead of compiling their own: each must behave exactly as
the methods ``@dataclass`` would have generated for the same fields (frozen or not)."""

from __future__ import annotations

import dataclasses
from dataclasses import MISSING, field, fields, make_dataclass
from typing import Any

import pytest

from specclient._records import Record
from specclient.errors import ParameterError
from specclient.http.retry import RetryPolicy
from specclient.openapi import model
from specclient.openapi.naming import NamingRules
from specclient.options import ClientOptions
from specclient.platforms._platform import Connection, Credential, Platform, Setting

RECORDS = [
    model.Param,
    model.RequestBody,
    model.ResponseShape,
    model.Pagination,
    model.Waiter,
    model.Operation,
    model.SecurityScheme,
    Credential,
    Setting,
    Platform,
    ClientOptions,
    NamingRules,
    Connection,  # mutable
    RetryPolicy,  # mutable, and a field that is not compared
]


def _twin(cls: type) -> type:
    """The same fields as a plain ``@dataclass``, with generated methods."""
    spec = []
    for f in fields(cls):
        flags: dict[str, Any] = {"compare": f.compare, "hash": f.hash, "repr": f.repr}
        if f.default is not MISSING:
            flags["default"] = f.default
        if f.default_factory is not MISSING:
            flags["default_factory"] = f.default_factory
        spec.append((f.name, f.type, field(**flags)))
    return make_dataclass(cls.__name__, spec, frozen=cls.__dataclass_params__.frozen)  # type: ignore[attr-defined]


def _required(cls: type) -> dict[str, Any]:
    return {
        f.name: f"{f.name}-value"
        for f in fields(cls)
        if f.default is MISSING and f.default_factory is MISSING
    }


def _other(value: Any) -> Any:
    """A value different from ``value``, of a kind the class accepts where it can."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, tuple | frozenset):
        return ("other",)
    if isinstance(value, str) or value is None:
        return "other"
    return {"other": 1}


def _pair(cls: type, twin: type, **values: Any) -> tuple[Any, Any]:
    record = cls(**{**_required(cls), **values})
    copied = {f.name: getattr(record, f.name) for f in fields(cls) if f.init}
    return record, twin(**copied)


def _same_hash(a: Any, b: Any) -> None:
    try:
        expected = hash(b)
    except TypeError:
        with pytest.raises(TypeError):
            hash(a)
        return
    assert hash(a) == expected


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_equality_hash_and_repr_are_the_dataclass_ones(cls: type) -> None:
    assert issubclass(cls, Record) and dataclasses.is_dataclass(cls)
    twin = _twin(cls)
    record, expected = _pair(cls, twin)
    if "__repr__" not in cls.__dict__:  # ClientOptions writes its own (headers redacted)
        assert repr(record) == repr(expected)
    same = _pair(cls, twin)[0]
    assert record == same and (record != same) is False
    assert record != expected  # another class, as between two dataclasses
    _same_hash(record, expected)
    for f in fields(cls):
        try:
            changed, changed_twin = _pair(cls, twin, **{f.name: _other(getattr(record, f.name))})
        except ParameterError:
            continue  # a value ClientOptions refuses: nothing to compare
        assert (record == changed) is (expected == changed_twin), f.name
        assert (record != changed) is (expected != changed_twin), f.name
        _same_hash(changed, changed_twin)
        if "__repr__" not in cls.__dict__:
            assert repr(changed) == repr(changed_twin), f.name


def test_a_record_that_contains_itself_shows_dots() -> None:
    tags: list[Any] = []
    operation = model.Operation("r", "m", "get", "/p", tags=tags)  # type: ignore[arg-type]
    tags.append(operation)
    twin_tags: list[Any] = []
    twin = _twin(model.Operation)("r", "m", "get", "/p", tags=twin_tags)
    twin_tags.append(twin)
    assert "tags=[...]" in repr(operation)
    assert repr(operation) == repr(twin)


def test_records_stay_immutable_and_replaceable() -> None:
    scheme = model.SecurityScheme("key", "apiKey", location="header", param_name="X-Key")
    with pytest.raises(dataclasses.FrozenInstanceError):
        scheme.name = "other"  # type: ignore[misc]
    assert dataclasses.replace(scheme, name="k2") == model.SecurityScheme(
        "k2", "apiKey", location="header", param_name="X-Key"
    )
    assert not hasattr(scheme, "__dict__")  # slots, as before
