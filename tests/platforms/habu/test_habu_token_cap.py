"""Habu issues at most 2 tokens per client in 24 h (issue 12 item 17): a token request whose
reply is lost may have spent one, so it is not sent again blindly, and the error says so."""

from __future__ import annotations

import asyncio

import pytest

from specclient import errors

# The emulator's clock starts at 1_700_000_000 (2023-11-14 22:13:20 UTC): a token issued then
# stops counting against the cap 24 h later.
FREES_AT = "2023-11-15 22:13 UTC"


def _cap_error(text: str) -> None:
    assert "reply was lost" in text
    assert "cap of 2 access tokens per client in 24 hours" in text
    assert f"that one stops counting at {FREES_AT}" in text
    assert "Calling again asks for one more token" in text


@pytest.mark.parametrize("kind", ["drop_after", "slow"])
def test_a_lost_token_reply_spends_one_token_and_says_the_cap(emu, kind):
    emu.faults.add("oauth.token", kind, count=1, delay=0.5 if kind == "slow" else None)
    client = emu.client(progress=False, token_cache=False, timeout=0.2)
    with pytest.raises(errors.TransportError) as caught:
        client.cleanrooms.list()
    _cap_error(str(caught.value))
    assert len(emu.state.token_issues) == 1  # before the fix: 2, the whole day's budget

    # the user's own retry spends the second token, knowingly, and works
    assert client.cleanrooms.list() == []
    assert len(emu.state.token_issues) == 2


def test_a_connection_closed_before_the_token_reply_is_not_resent_blindly_either(emu):
    """The client cannot tell "closed before applying" from "applied, reply lost"."""
    emu.faults.add("oauth.token", "drop_before", count=1)
    client = emu.client(progress=False, token_cache=False)
    with pytest.raises(errors.TransportError) as caught:
        client.cleanrooms.list()
    _cap_error(str(caught.value))
    assert len(emu.state.token_issues) == 0
    assert client.cleanrooms.list() == []
    assert len(emu.state.token_issues) == 1


def test_after_a_lost_reply_the_cap_error_names_the_cap_and_the_reset(emu):
    emu.faults.add("oauth.token", "drop_after", count=1)
    first = emu.client(progress=False, token_cache=False)
    with pytest.raises(errors.TransportError):
        first.cleanrooms.list()
    first.cleanrooms.list()  # the second token
    other = emu.client(progress=False, token_cache=False)  # e.g. another machine
    with pytest.raises(errors.AuthError, match="at most 2 access tokens per client in 24 hours"):
        other.cleanrooms.list()
    assert len(emu.state.token_issues) == 2


async def test_the_async_client_does_not_ask_twice_either(emu):
    emu.faults.add("oauth.token", "drop_after", count=1)
    async with emu.async_client(progress=False, token_cache=False) as client:
        with pytest.raises(errors.TransportError) as caught:
            await client.cleanrooms.list()
        _cap_error(str(caught.value))
        assert len(emu.state.token_issues) == 1
        assert await client.cleanrooms.list() == []
    assert len(emu.state.token_issues) == 2


async def test_calls_waiting_on_a_lost_token_request_do_not_each_ask_for_one(emu):
    """Eight first calls at once: one token request, its reply lost; the seven that waited on
    it fail too instead of each spending a token (before: the next waiter spent the second)."""
    emu.faults.add("oauth.token", "drop_after", count=1)
    async with emu.async_client(progress=False, token_cache=False) as client:
        results = await asyncio.gather(
            *(client.cleanrooms.list() for _ in range(8)), return_exceptions=True
        )
        assert len(emu.state.token_issues) == 1
        lost = [r for r in results if isinstance(r, errors.TransportError)]
        waited = [r for r in results if isinstance(r, errors.AuthError)]
        assert len(lost) == 1 and len(waited) == 7
        _cap_error(str(lost[0]))
        for error in waited:
            assert str(error).startswith(
                "this call waited on another call's token request, and the token request's "
                "reply was lost, so Habu may have issued a token"
            )
        assert await client.cleanrooms.list() == []  # asking again, knowingly
    assert len(emu.state.token_issues) == 2
