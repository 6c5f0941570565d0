"""connect_async("civis"): the same spec and names, awaitable."""

from __future__ import annotations

import pytest

import specclient
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


async def test_async_get_storage_host_id_looks_up_like_the_sync_one():
    """The async twin the parity test found missing: same lookup, same error, remembered."""
    import json
    from pathlib import Path

    import httpx

    civis_resources = pytest.importorskip("civis.resources")
    spec = str(Path(civis_resources.__file__).parent / "civis_api_spec.json")
    hosts = [{"id": 11, "name": "s3-main", "provider": "s3"}, {"id": 12, "name": "gcs"}]
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        return httpx.Response(200, content=json.dumps(hosts).encode())

    options = {"api_key": "k", "local_api_spec": spec, "base_url": "https://civis.test"}
    sync = specclient.connect("civis", http=httpx.MockTransport(answer), **options)
    async with connect_async(
        http=httpx.AsyncClient(transport=httpx.MockTransport(answer)), **options
    ) as client:
        assert await client.get_storage_host_id(7) == 7 and seen == []  # an id: no request
        assert (
            await client.get_storage_host_id("s3-main") == sync.get_storage_host_id("s3-main") == 11
        )
        assert await client.get_storage_host_id("s3-main") == 11
        assert seen == ["GET /storage_hosts/"] * 2  # one per client: the answer is remembered
        with pytest.raises(ValueError, match="Storage Host nowhere not found."):
            await client.get_storage_host_id("nowhere")
