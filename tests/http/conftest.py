"""Fixtures for the HTTP tests."""

from __future__ import annotations

from typing import Any

import pytest

from specclient._clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def pytest_make_parametrize_id(config: Any, val: Any, argname: str) -> str | None:
    if isinstance(val, Exception):
        return type(val).__name__
    return None
