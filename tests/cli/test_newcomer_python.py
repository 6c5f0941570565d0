"""The Python side of a newcomer's first hour (issue 14 items 8 and 10): mistakes named before
anything is sent, suggestions that know the workflows, errors that say a thing once."""

from __future__ import annotations

import pytest

import specclient
from specclient.emulators import running
from specclient.errors import APIError, ParameterError


@pytest.mark.parametrize(
    ("platform", "resource", "typo", "meant"),
    [
        ("clicdata", "data", "apend", "append"),
        ("clicdata", "data", "apend_rows", "append_rows"),
        ("usmart", "files", "uplaod", "upload"),
    ],
)
def test_did_you_mean_knows_the_workflow_methods(platform, resource, typo, meant) -> None:
    with running(platform) as emu:
        client = emu.client()
        with pytest.raises(AttributeError) as caught:
            getattr(getattr(client, resource), typo)
        client.close()
    message = str(caught.value)
    assert f"has no method {typo!r}; did you mean {meant!r}?" in message
    listed = message.split("methods: ")[1].split(", ")
    assert meant in listed and "create" in listed  # workflows and operations alike


@pytest.mark.parametrize("url", ["127.0.0.1:8080/v1", "ftp://host/v1", "http://", "not a url"])
def test_a_bad_base_url_is_refused_by_connect_before_anything_is_sent(url) -> None:
    with pytest.raises(ParameterError) as caught:
        specclient.connect("habu", base_url=url, client_id="id", client_secret="secret")
    assert str(caught.value) == (
        f"connect('habu')(): base_url must be an absolute http:// or https:// URL with a host, "
        f"not {url!r} (e.g. https://host/v1)"
    )
    assert caught.value.argument == "base_url"


def test_a_bad_base_url_is_refused_by_a_client_from_a_spec() -> None:
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
    }
    with pytest.raises(ParameterError, match="base_url must be an absolute .* not 'localhost/v1'"):
        specclient.Client(spec, base_url="localhost/v1")


def _error(message: str, excerpt: str) -> str:
    return str(
        APIError(
            message, status_code=404, method="POST", url="http://h/x", response_excerpt=excerpt
        )
    )


def test_an_api_error_does_not_repeat_the_server_message() -> None:
    envelope = '{"success": false, "error": {"code": "NotFound", "description": "no schedule with id 105"}}'
    text = _error("no schedule with id 105", envelope)
    assert text == "404 no schedule with id 105 (POST http://h/x)"
    assert text.count("no schedule with id 105") == 1


def test_an_api_error_keeps_an_excerpt_that_says_more() -> None:
    details = (
        '{"message": "invalid body", "errors": [{"field": "name", "detail": "is required here"}]}'
    )
    assert _error("invalid body", details).endswith(f"response: {details}")
    assert _error("", "plain text").endswith("response: plain text")
    assert _error("bad", "bad gateway from upstream").endswith(
        "response: bad gateway from upstream"
    )
