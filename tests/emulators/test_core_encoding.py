"""The emulator's reply encoder: orjson's speed, ``json.dumps``'s values, strict RFC 8259 JSON.

The reference for every case is what the emulator wrote before, ``json.dumps(value,
separators=(",", ":"), ensure_ascii=False, default=...)``: the same value, and the same bytes
wherever orjson and json spell a value alike.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest

from specclient.emulators import EmulatorApp, EmuResponse, running_app
from specclient.emulators.core.encoding import dump_json, json_default


def _before(value: Any) -> bytes:
    """What the emulator core wrote before orjson."""
    return json.dumps(
        value, separators=(",", ":"), ensure_ascii=False, default=json_default
    ).encode()


DOCUMENTS = {
    "rows": {
        "success": True,
        "result": [
            {"id": i, "price": i / 4, "paid": i % 2 == 0, "note": None, "text": f"naïve {i} ✓"}
            for i in range(50)
        ],
        "pagination": {"current_page": 1, "has_more_results": False},
    },
    "escapes": {"quote": 'a "b" \\ c', "control": "tab\tnew\nline\x00\x1f", "emoji": "🙂"},
    "numbers": [0, -1, 2**63 - 1, -(2**63), 0.1, -2.5, 1.5e300, 123456789.125],
    "empty": [{}, [], "", None, False],
    "top-level list": [1, "two", [3, [4, {"five": 5}]]],
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_plain_documents_give_json_dumps_bytes(name):
    document = DOCUMENTS[name]
    assert dump_json(document) == _before(document)


def test_floats_may_be_spelled_differently_but_are_the_same_number():
    value = {"tiny": 1e-7, "big": 1e16, "third": 1 / 3}
    out = dump_json(value)
    assert out == b'{"tiny":1e-7,"big":1e+16,"third":0.3333333333333333}'  # orjson's spelling
    assert json.loads(out) == json.loads(_before(value)) == value


def test_dates_times_decimals_uuids_sets_and_tuples_as_the_default_hook_writes_them():
    value = {
        "naive": datetime(2024, 1, 2, 3, 4, 5),
        "micro": datetime(2024, 1, 2, 3, 4, 5, 120),
        "utc": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        "offset": datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
        "day": date(2024, 2, 29),
        "money": Decimal("12.50"),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "pair": (1, "b"),
        "one": {"only"},
    }
    out = dump_json(value)
    assert out == _before(value)
    assert json.loads(out) == {
        "naive": "2024-01-02T03:04:05",
        "micro": "2024-01-02T03:04:05.000120",
        "utc": "2024-01-02T03:04:05+00:00",
        "offset": "2024-01-02T03:04:05-05:30",
        "day": "2024-02-29",
        "money": 12.5,
        "id": "12345678-1234-5678-1234-567812345678",
        "pair": [1, "b"],
        "one": ["only"],
    }


@pytest.mark.parametrize(
    "value, wire",
    [
        ({"x": float("nan")}, b'{"x":null}'),
        (
            {"rows": [{"a": None, "b": [1.0, float("inf")]}]},
            b'{"rows":[{"a":null,"b":[1.0,null]}]}',
        ),
        ([None, -float("inf")], b"[null,null]"),
        ({"d": Decimal("NaN"), "n": 1}, b'{"d":null,"n":1}'),
    ],
)
def test_nan_and_infinity_are_written_as_null_strict_json(value, wire):
    # RFC 8259 section 6: "Numeric values that cannot be represented in the grammar below
    # (such as Infinity and NaN) are not permitted." json wrote the tokens NaN/Infinity.
    out = dump_json(value)
    assert out == wire
    json.loads(out, parse_constant=lambda token: pytest.fail(f"{token} is not JSON"))


@pytest.mark.parametrize(
    "value, wire",
    [
        ({1: "a", 2.5: "b", None: "d"}, b'{"1":"a","2.5":"b","null":"d"}'),
        ({True: "yes", "x": [{7: None}]}, b'{"true":"yes","x":[{"7":null}]}'),
        (
            {"big": 2**70, "small": -(2**64)},
            b'{"big":1180591620717411303424,"small":-18446744073709551616}',
        ),
    ],
)
def test_what_orjson_refuses_is_written_by_json(value, wire):
    assert dump_json(value) == wire == _before(value)


def test_nesting_deeper_than_orjson_allows_is_written_by_json():
    deep: Any = "bottom"
    for _ in range(300):
        deep = [deep]
    assert dump_json(deep) == _before(deep)


@dataclasses.dataclass
class _Record:
    name: str


class _Opaque:
    pass


@pytest.mark.parametrize("value", [{"x": _Record("a")}, [_Opaque()], {"b": b"bytes"}])
def test_a_value_json_refuses_is_still_refused_with_its_type_named(value):
    with pytest.raises(TypeError, match="is not JSON serialisable"):
        dump_json(value)


def test_a_lone_surrogate_fails_as_it_did_before():
    with pytest.raises(UnicodeEncodeError):
        _before({"x": "\ud800"})
    with pytest.raises(UnicodeEncodeError):
        dump_json({"x": "\ud800"})


SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "encoding", "version": "1"},
    "paths": {
        "/things": {
            "get": {
                "operationId": "things_list",
                "tags": ["things"],
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}


def test_replies_on_the_wire_carry_these_bytes():
    app = EmulatorApp(SPEC)
    reply: dict[str, Any] = {}

    @app.handle("things.list")
    def things(req):
        return reply["value"]

    with running_app(app) as emu:
        reply["value"] = {
            "when": datetime(2024, 1, 2, tzinfo=UTC),
            "ratio": float("nan"),
            "n": None,
        }
        answer = httpx.get(emu.base_url + "/things")
        assert answer.headers["content-type"] == "application/json"
        assert answer.content == b'{"when":"2024-01-02T00:00:00+00:00","ratio":null,"n":null}'
        reply["value"] = EmuResponse(201, json={"ids": [1, 2], "note": "✓"})
        answer = httpx.get(emu.base_url + "/things")
        assert (answer.status_code, answer.content) == (201, '{"ids":[1,2],"note":"✓"}'.encode())
