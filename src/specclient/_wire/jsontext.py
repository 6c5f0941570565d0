"""JSON text with one set of rules for dates, decimals, numpy values and NaN, everywhere."""

from __future__ import annotations

import datetime as _dt
import decimal
import json
import math
import uuid
from pathlib import Path
from typing import Any


def to_jsonable(value: Any) -> Any:
    """``json.dumps`` default hook: the types data people pass that JSON does not know."""
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, uuid.UUID | Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if hasattr(value, "isoformat"):  # pandas Timestamp
        return value.isoformat()
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nan_to_none(v) for v in value]
    return value


def encode_json(value: Any) -> bytes:
    """Compact JSON bytes; NaN becomes null (strict JSON has no NaN and servers reject it).

    Raises ``TypeError`` for a value JSON cannot hold; callers name the argument.
    """
    try:
        return json.dumps(
            value, default=to_jsonable, allow_nan=False, separators=(",", ":")
        ).encode()
    except ValueError:
        return json.dumps(_nan_to_none(value), default=to_jsonable, separators=(",", ":")).encode()


def is_json_media(media_type: str) -> bool:
    base = media_type.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json")
