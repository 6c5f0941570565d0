"""RetryPolicy: which failures are retried, how long to wait, when to give up."""

from __future__ import annotations

import email.utils

import httpx
import pytest

from specclient.http.retry import RetryPolicy, parse_retry_after

NOW = 1_700_000_000.0
REQUEST = httpx.Request("GET", "https://api.example/things")


def answer(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers, request=REQUEST)


def no_jitter(**kwargs: object) -> RetryPolicy:
    return RetryPolicy(jitter=False, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_retry_statuses_are_retried_with_backoff_when_no_retry_after(status: int) -> None:
    assert (
        no_jitter().delay_for(1, verb="GET", idempotent=None, response=answer(status), now=NOW)
        == 0.5
    )


@pytest.mark.parametrize("status", [200, 400, 401, 404, 409, 500])
def test_other_statuses_are_not_retried(status: int) -> None:
    assert no_jitter().delay_for(1, verb="GET", idempotent=None, response=answer(status)) is None


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_in_seconds_is_waited_exactly(status: int) -> None:
    delay = RetryPolicy().delay_for(
        1, verb="GET", idempotent=None, response=answer(status, **{"Retry-After": "7"}), now=NOW
    )
    assert delay == 7.0


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_as_http_date_counts_from_the_clock(status: int) -> None:
    date = email.utils.formatdate(NOW + 42, usegmt=True)
    delay = RetryPolicy().delay_for(
        1, verb="GET", idempotent=None, response=answer(status, **{"Retry-After": date}), now=NOW
    )
    assert delay == 42.0


def test_retry_after_in_the_past_means_retry_now() -> None:
    date = email.utils.formatdate(NOW - 100, usegmt=True)
    assert parse_retry_after(date, NOW) == 0.0


def test_unreadable_retry_after_falls_back_to_backoff() -> None:
    delay = no_jitter().delay_for(
        2, verb="GET", idempotent=None, response=answer(503, **{"Retry-After": "soon"}), now=NOW
    )
    assert delay == 1.0


def test_retry_after_beyond_the_limit_gives_up_instead_of_waiting() -> None:
    policy = RetryPolicy(max_retry_after=60)
    response = answer(429, **{"Retry-After": "3600"})
    assert policy.delay_for(1, verb="GET", idempotent=None, response=response, now=NOW) is None


def test_backoff_doubles_and_is_capped_with_jitter_off() -> None:
    policy = no_jitter(max_retries=8, backoff_base=0.5, backoff_max=5.0)
    delays = [
        policy.delay_for(n, verb="GET", idempotent=None, response=answer(503)) for n in range(1, 9)
    ]
    assert delays == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0, 5.0]


def test_full_jitter_draws_between_zero_and_the_backoff() -> None:
    draws = iter([0.0, 0.25, 0.999])
    policy = RetryPolicy(max_retries=5, random=lambda: next(draws))
    delays = [
        policy.delay_for(3, verb="GET", idempotent=None, response=answer(503)) for _ in range(3)
    ]
    assert delays == [0.0, 0.5, pytest.approx(1.998)]


def test_gives_up_after_max_retries() -> None:
    policy = no_jitter(max_retries=2)
    assert policy.delay_for(2, verb="GET", idempotent=None, response=answer(503)) == 1.0
    assert policy.delay_for(3, verb="GET", idempotent=None, response=answer(503)) is None


def test_zero_max_retries_never_retries() -> None:
    assert (
        RetryPolicy(max_retries=0).delay_for(1, verb="GET", idempotent=None, response=answer(503))
        is None
    )


def test_negative_max_retries_is_refused() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)


@pytest.mark.parametrize("verb", ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"])
def test_idempotent_verbs_are_retried_on_503(verb: str) -> None:
    assert no_jitter().delay_for(1, verb=verb, idempotent=None, response=answer(503)) == 0.5


@pytest.mark.parametrize("verb", ["POST", "PATCH"])
def test_post_and_patch_are_not_retried_on_503(verb: str) -> None:
    assert no_jitter().delay_for(1, verb=verb, idempotent=None, response=answer(503)) is None


@pytest.mark.parametrize("verb", ["POST", "PATCH"])
def test_post_and_patch_are_retried_on_429_because_nothing_was_applied(verb: str) -> None:
    assert no_jitter().delay_for(1, verb=verb, idempotent=None, response=answer(429)) == 0.5


def test_post_marked_idempotent_is_retried_on_503() -> None:
    assert no_jitter().delay_for(1, verb="POST", idempotent=True, response=answer(503)) == 0.5


def test_get_marked_not_idempotent_is_not_retried_on_503() -> None:
    assert no_jitter().delay_for(1, verb="GET", idempotent=False, response=answer(503)) is None


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("busy")],
)
def test_post_is_retried_when_the_request_never_reached_the_server(error: Exception) -> None:
    assert no_jitter().delay_for(1, verb="POST", idempotent=None, error=error) == 0.5


@pytest.mark.parametrize(
    "error",
    [httpx.ReadTimeout("slow"), httpx.ReadError("reset"), httpx.RemoteProtocolError("dropped")],
)
def test_post_is_not_retried_when_the_server_may_have_applied_it(error: Exception) -> None:
    policy = no_jitter()
    assert policy.delay_for(1, verb="POST", idempotent=None, error=error) is None
    assert policy.delay_for(1, verb="GET", idempotent=None, error=error) == 0.5
    assert policy.delay_for(1, verb="POST", idempotent=True, error=error) == 0.5


@pytest.mark.parametrize(
    "error", [httpx.UnsupportedProtocol("ftp"), httpx.LocalProtocolError("bad header")]
)
def test_local_mistakes_are_never_retried(error: Exception) -> None:
    assert no_jitter().delay_for(1, verb="GET", idempotent=None, error=error) is None


def test_custom_retry_statuses() -> None:
    policy = no_jitter(retry_statuses=frozenset({500}))
    assert policy.delay_for(1, verb="GET", idempotent=None, response=answer(500)) == 0.5
    assert policy.delay_for(1, verb="GET", idempotent=None, response=answer(503)) is None
