"""The Civis API key as given (not only the ``Basic`` header's base64 form) is a secret value:
masked in logs, reprs and errors wherever it would otherwise show (issue 13's security item)."""

from __future__ import annotations

import logging

import pytest

from specclient.emulators import running
from specclient.platforms.civis import connect

#: unique to this test, so no other test can have registered it already
RAW_KEY = "civis-raw-key-5b9e2c71d04a"


def test_the_raw_key_never_appears_in_a_debug_log_a_repr_or_an_error(caplog):
    caplog.set_level(logging.DEBUG)
    with running("civis", seed=1, api_key=RAW_KEY) as emu:
        client = connect(api_key=RAW_KEY, base_url=emu.base_url)
        # the key where only its value can give it away: a query value and a path segment
        client.tables.list(search=RAW_KEY)
        with pytest.raises(Exception) as info:
            client.databases.get_schemas_tables(1, "public", RAW_KEY)
    assert info.value.status_code == 404  # the error names the URL it was sent to
    seen = "\n".join([caplog.text, repr(client), str(info.value), repr(info.value)])
    assert "search=***" in caplog.text
    assert "tables.list" in seen or "/tables" in seen  # the log line is there, key masked
    assert RAW_KEY not in seen
