"""The start-up path's value classes are written out (no ``@dataclass``: its per-class
``exec`` compiles were a third of ``connect()``'s import time) and take equality, hashing,
``repr``, pickling and immutability from :class:`specclient._records.Record`. Each must behave
exactly as the ``@dataclass`` with the same fields would (frozen or not), and its hand-written
``__init__`` must store every field it is given, in the order ``FIELDS`` lists."""

from __future__ import annotations

import copy
import inspect
import pickle
from dataclasses import field, make_dataclass
from typing import Any

import pytest

from specclient._records import FrozenRecord, FrozenRecordError, Record, record_fields, replace
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
#: what the on-disk model cache and the CLI's subprocesses pickle
PICKLED = [
    model.Param,
    model.RequestBody,
    model.ResponseShape,
    model.Pagination,
    model.Waiter,
    model.Operation,
    model.SecurityScheme,
    NamingRules,
    Credential,
    Setting,
    RetryPolicy,
]


def _twin(cls: type[Record]) -> type:
    """The same fields as a plain ``@dataclass``, with generated methods."""
    spec = [
        (
            name,
            Any,
            field(compare=name not in cls.UNCOMPARED, repr=name not in cls.UNSHOWN),
        )
        for name in record_fields(cls)
    ]
    return make_dataclass(cls.__name__, spec, frozen=issubclass(cls, FrozenRecord))


def _required(cls: type) -> dict[str, Any]:
    return {
        name: f"{name}-value"
        for name, p in inspect.signature(cls).parameters.items()
        if p.default is inspect.Parameter.empty
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


def _pair(cls: type[Record], twin: type, **values: Any) -> tuple[Any, Any]:
    record = cls(**{**_required(cls), **values})
    copied = {name: getattr(record, name) for name in record_fields(cls)}
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
def test_equality_hash_and_repr_are_the_dataclass_ones(cls: type[Record]) -> None:
    assert issubclass(cls, Record)
    twin = _twin(cls)
    record, expected = _pair(cls, twin)
    if "__repr__" not in cls.__dict__:  # ClientOptions writes its own (headers redacted)
        assert repr(record) == repr(expected)
    same = _pair(cls, twin)[0]
    assert record == same and (record != same) is False
    assert record != expected  # another class, as between two dataclasses
    _same_hash(record, expected)
    for name in record_fields(cls):
        try:
            changed, changed_twin = _pair(cls, twin, **{name: _other(getattr(record, name))})
        except ParameterError:
            continue  # a value ClientOptions refuses: nothing to compare
        assert (record == changed) is (expected == changed_twin), name
        assert (record != changed) is (expected != changed_twin), name
        _same_hash(changed, changed_twin)
        if "__repr__" not in cls.__dict__:
            assert repr(changed) == repr(changed_twin), name


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_init_takes_the_fields_in_order_and_stores_each_as_given(cls: type[Record]) -> None:
    assert tuple(inspect.signature(cls).parameters) == record_fields(cls)
    base = cls(**_required(cls))
    for name in record_fields(cls):
        value = _other(getattr(base, name))
        try:
            record = cls(**{**_required(cls), name: value})
        except ParameterError:
            continue
        stored = getattr(record, name)
        if isinstance(stored, frozenset):  # RetryPolicy keeps its statuses as a frozenset
            value = frozenset(value)
        assert stored == value, name
        others = [n for n in record_fields(cls) if n != name]
        assert [getattr(record, n) for n in others] == [getattr(base, n) for n in others], name


@pytest.mark.parametrize("cls", PICKLED, ids=lambda c: c.__name__)
def test_pickle_and_copy_rebuild_an_equal_record(cls: type[Record]) -> None:
    record = cls(**{**_required(cls)})
    for twin in (pickle.loads(pickle.dumps(record)), copy.copy(record), copy.deepcopy(record)):
        assert type(twin) is cls
        assert [getattr(twin, n) for n in record_fields(cls)] == [
            getattr(record, n) for n in record_fields(cls)
        ]


def test_a_pickled_operation_keeps_nested_records_and_the_missing_default() -> None:
    param = model.Param("limit", "limit", "query", {"type": "integer"}, default=model.MISSING)
    operation = model.Operation(
        "tables", "list", "get", "/tables", params=(param,), secret_fields=frozenset({"k"})
    )
    again = pickle.loads(pickle.dumps(operation))
    assert again == operation and again.params[0].default is model.MISSING


def test_mapping_defaults_are_fresh_per_record() -> None:
    one, two = model.Param("a", "a", "query"), model.Param("b", "b", "query")
    assert one.schema == {} and one.schema is not two.schema
    assert model.Operation("r", "m", "get", "/p").extensions == {}
    assert model.RequestBody("application/json").encodings == {}


def test_a_record_that_contains_itself_shows_dots() -> None:
    tags: list[Any] = []
    operation = model.Operation("r", "m", "get", "/p", tags=tags)  # type: ignore[arg-type]
    tags.append(operation)
    twin_tags: list[Any] = []
    twin = _twin(model.Operation)(
        **{n: getattr(operation, n) for n in record_fields(model.Operation)} | {"tags": twin_tags}
    )
    twin_tags.append(twin)
    assert "tags=[...]" in repr(operation)
    assert repr(operation) == repr(twin)


def test_records_stay_immutable_and_replaceable() -> None:
    scheme = model.SecurityScheme("key", "apiKey", location="header", param_name="X-Key")
    with pytest.raises(FrozenRecordError, match="cannot assign to field 'name'"):
        scheme.name = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):  # what dataclasses' FrozenInstanceError also is
        del scheme.type
    assert replace(scheme, name="k2") == model.SecurityScheme(
        "k2", "apiKey", location="header", param_name="X-Key"
    )
    assert scheme.name == "key"
    assert not hasattr(scheme, "__dict__")  # slots, as before
    with pytest.raises(TypeError, match="SecurityScheme has no field 'nmae'"):
        replace(scheme, nmae="k2")


def test_replace_builds_through_init_so_options_are_checked_again() -> None:
    options = ClientOptions(timeout=5)
    assert options.replace(timeout=7).timeout == 7
    with pytest.raises(ParameterError, match="timeout must be a positive number"):
        options.replace(timeout=-1)
    assert ClientOptions.names() == record_fields(ClientOptions)


def test_a_mutable_record_changes_and_stays_unhashable() -> None:
    policy = RetryPolicy()
    policy.max_retries = 5
    assert policy == RetryPolicy(max_retries=5)
    assert policy == RetryPolicy(max_retries=5, random=lambda: 0.0)  # random is not compared
    with pytest.raises(TypeError):
        hash(policy)


def test_each_record_keeps_the_layout_it_had_as_a_dataclass() -> None:
    """The model was slotted; declarations and options kept a ``__dict__`` that ``vars()``
    reads (``Platform(**{**vars(declared), "spec": ...})`` copies a declaration)."""
    for cls in (model.Param, model.Operation, model.SecurityScheme):
        assert not hasattr(cls(**_required(cls)), "__dict__"), cls.__name__
    for cls in (Credential, Setting, Platform, ClientOptions, NamingRules, RetryPolicy):
        record = cls(**_required(cls))
        assert tuple(vars(record)) == record_fields(cls), cls.__name__
    platform = Platform("toy", title="Toy")
    assert Platform(**{**vars(platform), "title": "Other"}) == replace(platform, title="Other")
