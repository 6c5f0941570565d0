"""Emulators for the copy tests: one of each platform per test, isolated caches, and small
tables to copy (a Habu run's result, ClicData data sets, a frame and its files)."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

import specclient.emulators
from tests.platforms.habu.conftest import HABU_ENV, make_ready_question

#: What the Habu emulator's question result holds (see its state: segment, day, reach, spend).
HABU_COLUMNS = ["segment", "day", "reach", "spend"]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> None:
    for name in HABU_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("SPECCLIENT_TOKEN_CACHE", raising=False)


@pytest.fixture
def habu_emu() -> Iterator[specclient.emulators.Emulator]:
    with specclient.emulators.running("habu", seed=1) as emulator:
        yield emulator


@pytest.fixture
def habu(habu_emu):
    return habu_emu.client(progress=False)


@pytest.fixture
def run(habu_emu, habu):
    """A completed Habu question run of 1,234 rows."""
    habu_emu.state.result_rows = 1234
    crq, _ = make_ready_question(habu)
    return habu.run_question(crq.id, name="copy")


@pytest.fixture
def clicdata_emu() -> Iterator[specclient.emulators.Emulator]:
    with specclient.emulators.running("clicdata", seed=1) as emulator:
        yield emulator


@pytest.fixture
def clicdata(clicdata_emu):
    return clicdata_emu.client()


def habu_target(clicdata) -> int:
    """An empty ClicData data set with the Habu result's columns."""
    df = pd.DataFrame(
        {
            "segment": pd.Series([], dtype="object"),
            "day": pd.Series([], dtype="datetime64[ns]"),
            "reach": pd.Series([], dtype="int64"),
            "spend": pd.Series([], dtype="float64"),
        }
    )
    return clicdata.data.create_from_dataframe("from habu", df, progress=False)


def small_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": pd.array([1, 2, 3, 4, 5], dtype="int64"),
            "name": ["a", "b", None, "d", "e"],
            "score": [0.5, 1.5, 2.0, None, 4.25],
            "ok": [True, False, True, True, False],
            "at": pd.to_datetime(
                ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"], utc=True
            ),
        }
    )


@pytest.fixture
def usmart_emu() -> Iterator[specclient.emulators.Emulator]:
    import shutil

    with specclient.emulators.running("usmart", seed=1) as emulator:
        yield emulator
    shutil.rmtree(emulator.state.root, ignore_errors=True)


@pytest.fixture
def usmart(usmart_emu):
    return usmart_emu.client()


def counters(usmart_emu):
    """The seeded public dataset with a CSV file and a data-api pipeline."""
    return next(d for d in usmart_emu.state.datasets.values() if d.access_level == "public")


def values(table) -> list[tuple]:
    """A table's rows as comparable values: numbers as floats, times as UTC ISO text, blank
    text as missing (CSV cannot tell them apart), so a row reads the same on every platform."""
    import datetime as dt

    def one(value):
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, dt.datetime):
            value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
            return value.astimezone(dt.UTC).isoformat()
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).isoformat()
        if hasattr(value, "to_pydatetime"):
            return one(value.to_pydatetime())
        return value if value != "" else None

    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return [tuple(one(v) for v in row) for row in zip(*columns, strict=True)]


@pytest.fixture
def civis_emu() -> Iterator[specclient.emulators.Emulator]:
    with specclient.emulators.running("civis", seed=1) as emulator:
        yield emulator


@pytest.fixture
def civis(civis_emu):
    return civis_emu.client()


#: The Civis emulator's seeded warehouse database.
CIVIS_DATABASE = "redshift-general"


def habu_pages(habu_emu, monkeypatch, *, fail_from: int | None = None, answered=None) -> list[int]:
    """Record the offset of every result page the Habu emulator is asked for (the returned
    list); with ``fail_from``, answer 500 to every page from that offset on. ``answered(offset)``
    is called as each page is answered (or refused). A fault tied to a page, not to a moment:
    a copy asks for its next page while it writes the last one, so a fault switched on between
    two batches could land on either of two pages."""
    from specclient.emulators.habu.state import HabuError

    asked: list[int] = []
    real = habu_emu.state.run_data

    def run_data(run_id: str, limit: int, offset: int):
        asked.append(offset)
        try:
            if fail_from is not None and offset >= fail_from:
                raise HabuError(500, "injected: the result store is unavailable")
            return real(run_id, limit, offset)
        finally:
            if answered is not None:
                answered(offset)

    monkeypatch.setattr(habu_emu.state, "run_data", run_data)
    return asked
