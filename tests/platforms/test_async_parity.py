"""Sync and async written once (issue 11, item 3): for every platform, the async client has
exactly the sync client's public workflow methods, on the client and on each resource, with the
same parameters (names, kinds, defaults, order), and each of them is awaitable.

The spec's own methods are built by the engine from one operation for both clients; what is
compared here is what the platform adds in Python, where the twins could drift.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from specclient.client import AsyncClient, AsyncResource, Client, Resource
from specclient.emulators import running
from specclient.platforms import PLATFORMS

# civis-python's deprecated properties (FutureWarning on use) exist on the sync client for code
# written against civis-python; the async client, which civis-python does not have, does not
# start life with deprecated API.
DEPRECATED_SYNC_ONLY = {("civis", "feature_flags"), ("civis", "default_credential")}


def added_methods(obj: Any, base: type) -> dict[str, inspect.Signature]:
    """The public methods ``obj``'s class adds to the engine's ``base``, by name."""
    found = {}
    for name in dir(type(obj)):
        if name.startswith("_") or hasattr(base, name):
            continue
        member = inspect.getattr_static(obj, name)
        if isinstance(member, property) or not callable(member):
            continue
        found[name] = inspect.signature(getattr(obj, name))
    return found


def added_properties(obj: Any, base: type) -> set[str]:
    return {
        name
        for name in dir(type(obj))
        if not name.startswith("_")
        and not hasattr(base, name)
        and isinstance(inspect.getattr_static(obj, name), property)
    }


def parameters(signature: inspect.Signature) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in signature.parameters.values()]


@pytest.fixture(scope="module", params=PLATFORMS)
def twins(request):
    """(platform, sync client, async client), both connected to the platform's emulator."""
    with running(request.param, seed=1) as emu:
        yield request.param, emu.client(), emu.async_client()


def pairs(platform: str, sync: Client, asynchronous: AsyncClient):
    """(where, sync object, async object, sync base, async base) for the client and every
    resource of the spec."""
    yield "client", sync, asynchronous, Client, AsyncClient
    for name in sync.spec.resource_names():
        yield name, sync.resource(name), asynchronous.resource(name), Resource, AsyncResource


def test_async_client_has_exactly_the_sync_workflow_methods(twins):
    platform, sync, asynchronous = twins
    compared = 0
    for where, ours, theirs, base, async_base in pairs(platform, sync, asynchronous):
        expected = added_methods(ours, base)
        actual = added_methods(theirs, async_base)
        for name in added_properties(ours, base):
            if f"get_{name}" not in expected:  # (a sync client may offer the method too)
                actual.pop(f"get_{name}", None)  # the twin of a property: see the test below
        assert sorted(actual) == sorted(expected), f"{platform} {where}"
        for name, signature in expected.items():
            assert parameters(actual[name]) == parameters(signature), f"{platform} {where}.{name}"
            method = getattr(theirs, name)
            # a sync generator's twin is an async generator (``async for``), not a coroutine
            lazy = inspect.isgeneratorfunction(getattr(ours, name))
            awaitable = inspect.isasyncgenfunction if lazy else inspect.iscoroutinefunction
            assert awaitable(method), f"{platform} {where}.{name} is not async"
        compared += len(expected)
    assert compared > 0, f"{platform}: no workflow methods found to compare"


def test_a_sync_property_is_an_awaitable_get_method_on_the_async_client(twins):
    """An async client cannot have awaitable properties; ``client.username`` is
    ``await client.get_username()`` there (civis-python's properties on Civis)."""
    platform, sync, asynchronous = twins
    for name in added_properties(sync, Client):
        if (platform, name) in DEPRECATED_SYNC_ONLY:
            continue
        getter = getattr(type(asynchronous), f"get_{name}", None)
        assert getter is not None and inspect.iscoroutinefunction(getter), (
            f"{platform}: client.{name} has no async twin get_{name}()"
        )
