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


async def test_async_helpers_find_ids_like_the_sync_ones():
    with running("civis", seed=1) as emu:
        sync = emu.client()
        async with emu.async_client() as client:
            assert await client.get_username() == sync.username == "demo-user"
            assert await client.get_database_id("redshift-general") == 1
            assert await client.get_database_id(9) == 9
            assert await client.get_table_id(
                "public.orders", "redshift-general"
            ) == sync.get_table_id("public.orders", "redshift-general")
            assert await client.get_aws_credential_id("shared-cred") == sync.get_aws_credential_id(
                "shared-cred"
            )
            assert (
                await client.get_default_database_credential_id()
                == sync.default_database_credential_id
            )
            with pytest.raises(ValueError, match="Database nowhere not found."):
                await client.get_database_id("nowhere")
            me = await client.users.get_me()
            assert me.json()["feature_flags"] == {"python_3_scripts": True}
