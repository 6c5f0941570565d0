"""Civis behaviours the sync and async clients share from one definition (issue 11 drift)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from specclient._records import replace
from specclient.emulators import running
from specclient.openapi import Spec
from specclient.platforms.civis import (
    AsyncCivisClient,
    CivisClient,
    CivisResponse,
    CivisResponseList,
)

PLATFORMS = Path(__file__).resolve().parents[3] / "src" / "specclient" / "platforms"


class _SpecBeforeGetMe(Spec):
    """A Civis spec from before the list/get naming fix: ``users.list_me`` only."""

    def __init__(self, spec: Spec) -> None:
        self._inner = spec
        for name in (
            "title",
            "version",
            "openapi_version",
            "servers",
            "security_schemes",
            "default_security",
            "security_requirements",
            "extensions",
            "source",
        ):
            setattr(self, name, getattr(spec, name))

    def resource_names(self) -> tuple[str, ...]:
        return self._inner.resource_names()

    def operations(self, resource: str) -> Any:
        operations = dict(self._inner.operations(resource))
        if resource == "users":
            del operations["get_me"]
            operations["list_me"] = replace(operations["list_me"], deprecated=False)
        return operations


@pytest.fixture
def emu():
    with running("civis", seed=1) as emulator:
        yield emulator


def test_an_older_spec_without_get_me_still_names_the_user_on_the_sync_client(emu):
    current = emu.client()
    older = CivisClient(_SpecBeforeGetMe(current.spec), options=current.options)
    assert "get_me" not in older.spec.method_names("users")
    assert older.username == "demo-user"


async def test_an_older_spec_without_get_me_still_names_the_user_on_the_async_client(emu):
    async with emu.async_client() as current:
        older = AsyncCivisClient(_SpecBeforeGetMe(current.spec), options=current.options)
        async with older:
            assert await older.get_username() == "demo-user"


def test_answers_are_decoded_as_civis_responses_nested_ones_too(emu):
    client = emu.client()
    assert client.options.response_class is CivisResponse
    me = client.users.get_me()
    assert type(me) is CivisResponse
    assert me.json()["feature_flags"] == me.json(snake_case=False)["featureFlags"]
    tables = client.tables.list(database_id=1)
    assert type(tables) is CivisResponseList and all(type(t) is CivisResponse for t in tables)
    assert all(type(t) is CivisResponse for t in client.tables.list(limit=2, iterator=True))


async def test_async_answers_are_civis_responses_too(emu):
    async with emu.async_client() as client:
        assert type(await client.users.get_me()) is CivisResponse
        pages = await client.tables.list(limit=2, iterator=True)
        assert [type(t) async for t in pages] == [CivisResponse] * 4


def test_no_platform_reassigns_the_class_of_an_answer():
    for path in PLATFORMS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    assert not (isinstance(target, ast.Attribute) and target.attr == "__class__"), (
                        f"{path.relative_to(PLATFORMS)}:{node.lineno} reassigns __class__"
                    )


def test_the_async_client_has_every_helper_of_the_sync_one_with_the_same_signature():
    import inspect

    helpers = [
        name
        for name in dir(CivisClient)
        if name.startswith("get_") and callable(getattr(CivisClient, name))
    ]
    assert {"get_database_id", "get_table_id", "get_storage_host_id", "get_username"} <= set(
        helpers
    )
    for name in helpers:
        sync, asynchronous = getattr(CivisClient, name), getattr(AsyncCivisClient, name)
        assert inspect.signature(sync) == inspect.signature(asynchronous), name
        assert inspect.iscoroutinefunction(asynchronous), name


async def test_async_storage_host_lookup_exists_and_is_remembered(emu):
    async with emu.async_client() as client:
        assert await client.get_storage_host_id(5) == 5
