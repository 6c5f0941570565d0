"""An emulated Civis with tables the tests fill through the emulator's own state."""

from __future__ import annotations

import pytest

from specclient.emulators import running
from specclient.emulators.civis.warehouse import encode_rows


@pytest.fixture
def emu(monkeypatch):
    with running("civis", seed=1) as emulator:
        monkeypatch.setenv("CIVIS_API_ENDPOINT", emulator.base_url)
        yield emulator


@pytest.fixture
def client(emu):
    return emu.client()


@pytest.fixture
def table(emu):
    """``table("scratch.t", [(name, sql_type), ...], rows)`` puts a table in database 1."""

    def put(name, columns, rows, database_id=1):
        schema, _, bare = name.partition(".")
        with emu.app.lock:
            made = emu.state.warehouse.create(
                database_id, schema, bare, [{"name": n, "sqlType": t} for n, t in columns]
            )
            body, count = encode_rows(rows)
            emu.state.warehouse.put(made, body, count)
        return made

    return put
