"""connect_async("civis"): the same spec and names, awaitable."""

from __future__ import annotations

import pytest

from specclient.emulators import running
from specclient.errors import ParameterError
from specclient.platforms.civis import AsyncCivisClient, connect_async


async def test_async_client_calls_the_same_methods():
    with running("civis", seed=1) as emu:
        async with emu.async_client() as client:
            assert isinstance(client, AsyncCivisClient)
            me = await client.users.get_me()
            assert me.username == "demo-user"
            pages = await client.tables.list(limit=3, iterator=True)
            tables = [t.name async for t in pages]
            assert tables == ["customers", "orders", "daily_revenue", "bar"]


def test_async_connect_refuses_unknown_options():
    with pytest.raises(ParameterError, match="unknown option"):
        connect_async(api_key="k", no_such_option=1)
