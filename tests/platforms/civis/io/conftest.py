"""Tables the tests fill through the emulated Civis's own state (``emu``, ``client``: the
Civis tests' conftest)."""

from __future__ import annotations

import pytest

from specclient.emulators.civis.warehouse import encode_rows


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
