"""Sender / AsyncSender: retries on the wire, error mapping, timeouts, auth choice, factories."""

from __future__ import annotations

import builtins
import email.utils

import httpx
import pytest
from scripted_wire import Script

from specclient import errors
from specclient._clock import FakeClock
from specclient.auth import Bearer
from specclient.http.retry import RetryPolicy
from specclient.http.transport import AsyncSender, Sender

URL = "https://api.example/v1/things"


def sender(script: Script, clock: FakeClock, **kwargs: object) -> Sender:
    kwargs.setdefault("retry", RetryPolicy(jitter=False))
    return Sender(http=script.transport, clock=clock, **kwargs)  # type: ignore[arg-type]


def get(url: str = URL) -> httpx.Request:
    return httpx.Request("GET", url)


def post(url: str = URL) -> httpx.Request:
    return httpx.Request("POST", url, json={"name": "run"})


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_retry_status_then_success_returns_the_success(status: int, clock: FakeClock) -> None:
    script = Script(status, status, 200)
    response = sender(script, clock).send(get())
    assert response.status_code == 200
    assert len(script.requests) == 3
    assert clock.sleeps == [0.5, 1.0]


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_seconds_is_slept_on_the_clock(status: int, clock: FakeClock) -> None:
    script = Script((status, {"Retry-After": "3"}), 200)
    assert sender(script, clock).send(get()).status_code == 200
    assert clock.sleeps == [3.0]


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_date_is_measured_against_the_clock(status: int, clock: FakeClock) -> None:
    date = email.utils.formatdate(clock.time() + 10, usegmt=True)
    script = Script((status, {"Retry-After": date}), 200)
    assert sender(script, clock).send(get()).status_code == 200
    assert clock.sleeps == [10.0]


def test_gives_up_after_max_retries_and_returns_the_last_response(clock: FakeClock) -> None:
    script = Script(503, 503, 503, 503)
    response = sender(script, clock).send(get())
    assert response.status_code == 503
    assert response.json() == {"status": 503}  # the body is readable for the error message
    assert len(script.requests) == 4
    assert clock.sleeps == [0.5, 1.0, 2.0]


def test_too_long_retry_after_returns_the_429_without_waiting(clock: FakeClock) -> None:
    script = Script((429, {"Retry-After": "86400"}))
    response = sender(script, clock).send(get())
    assert response.status_code == 429
    assert clock.sleeps == []


def test_post_is_not_retried_on_503(clock: FakeClock) -> None:
    script = Script(503)
    assert sender(script, clock).send(post()).status_code == 503
    assert len(script.requests) == 1


def test_post_is_retried_on_429(clock: FakeClock) -> None:
    script = Script(429, 201)
    assert sender(script, clock).send(post()).status_code == 201
    assert len(script.requests) == 2


def test_post_is_retried_on_connect_error(clock: FakeClock) -> None:
    script = Script(httpx.ConnectError("refused"), 201)
    assert sender(script, clock).send(post()).status_code == 201
    assert script.bodies == [b'{"name":"run"}', b'{"name":"run"}']


def test_post_is_not_retried_on_read_timeout(clock: FakeClock) -> None:
    script = Script(httpx.ReadTimeout("slow"))
    with pytest.raises(errors.TimeoutError):
        sender(script, clock).send(post())
    assert len(script.requests) == 1


def test_idempotent_post_is_retried_on_503(clock: FakeClock) -> None:
    script = Script(503, 200)
    assert sender(script, clock).send(post(), idempotent=True).status_code == 200
    assert len(script.requests) == 2


def test_connection_failure_for_good_raises_connection_error_with_redacted_url(
    clock: FakeClock,
) -> None:
    script = Script(*[httpx.ConnectError("[Errno 111] Connection refused")] * 4)
    with pytest.raises(errors.ConnectionError) as caught:
        sender(script, clock).send(get(URL + "?api_key=s3cr3t-value&page=2"))
    message = str(caught.value)
    assert isinstance(caught.value, builtins.ConnectionError)
    assert "GET https://api.example/v1/things?api_key=***&page=2" in message
    assert "after 4 attempts" in message
    assert "s3cr3t-value" not in message
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


@pytest.mark.parametrize(
    ("error", "expected", "text"),
    [
        (httpx.ReadTimeout("timed out"), errors.TimeoutError, "did not answer in time"),
        (httpx.ConnectTimeout("timed out"), errors.TimeoutError, "connecting timed out"),
        (httpx.ReadError("reset by peer"), errors.ConnectionError, "connection failed"),
        (httpx.RemoteProtocolError("closed"), errors.ConnectionError, "connection failed"),
        (httpx.UnsupportedProtocol("no ftp"), errors.TransportError, "UnsupportedProtocol"),
    ],
)
def test_transport_errors_map_to_specclient_errors(
    error: Exception, expected: type[Exception], text: str, clock: FakeClock
) -> None:
    script = Script(*[error] * 4)
    with pytest.raises(expected, match=text) as caught:
        sender(script, clock).send(get())
    assert caught.value.method == "GET"
    assert caught.value.url == URL


def test_timeout_errors_are_builtin_timeouts(clock: FakeClock) -> None:
    script = Script(*[httpx.ReadTimeout("slow")] * 4)
    with pytest.raises(builtins.TimeoutError):
        sender(script, clock).send(get())


def test_default_timeout_travels_with_the_request(clock: FakeClock) -> None:
    script = Script(200)
    sender(script, clock, timeout=7.0).send(get())
    assert script.requests[0].extensions["timeout"] == {
        "connect": 7.0,
        "read": 7.0,
        "write": 7.0,
        "pool": 7.0,
    }


def test_timeout_per_request_overrides_the_default(clock: FakeClock) -> None:
    script = Script(200, 200, 200)
    s = sender(script, clock, timeout=7.0)
    s.send(get(), timeout=1.5)
    s.send(get(), timeout=httpx.Timeout(2.0, connect=0.5))
    s.send(get(), timeout=None)
    timeouts = [r.extensions["timeout"] for r in script.requests]
    assert timeouts[0]["read"] == 1.5
    assert (timeouts[1]["read"], timeouts[1]["connect"]) == (2.0, 0.5)
    assert timeouts[2] == {"connect": None, "read": None, "write": None, "pool": None}


def test_factory_is_called_again_for_each_attempt(clock: FakeClock) -> None:
    calls = []

    def upload() -> httpx.Request:
        calls.append(1)

        def chunks():  # a one-shot stream, like a file being read
            yield b"part-1,"
            yield b"part-2"

        return httpx.Request("PUT", URL, content=chunks())

    script = Script(503, 200)
    assert sender(script, clock).send(upload).status_code == 200
    assert len(calls) == 2
    assert script.bodies == [b"part-1,part-2", b"part-1,part-2"]


class SocketLike(httpx.BaseTransport):
    """Consumes the request body as a socket would (MockTransport buffers it first)."""

    def __init__(self, *answers: int | Exception) -> None:
        self.answers = list(answers)
        self.received: list[bytes] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.received.append(b"".join(request.stream))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer)


def test_one_shot_stream_is_not_resent_empty(clock: FakeClock) -> None:
    wire = SocketLike(503, 200)
    request = httpx.Request("PUT", URL, content=iter([b"once"]))
    assert Sender(http=wire, clock=clock).send(request).status_code == 503
    assert wire.received == [b"once"]  # no second attempt with an empty body


def test_one_shot_stream_transport_failure_explains_how_to_retry(clock: FakeClock) -> None:
    wire = SocketLike(httpx.ReadError("reset"), 200)
    request = httpx.Request("PUT", URL, content=iter([b"once"]))
    with pytest.raises(errors.ConnectionError, match="pass a function that builds the request"):
        Sender(http=wire, clock=clock).send(request)
    assert wire.received == [b"once"]


def test_generator_body_from_a_factory_is_resent_whole(clock: FakeClock) -> None:
    wire = SocketLike(503, 200)

    def build() -> httpx.Request:
        return httpx.Request("PUT", URL, content=(part for part in [b"a", b"b"]))

    assert Sender(http=wire, clock=clock).send(build).status_code == 200
    assert wire.received == [b"ab", b"ab"]


def test_auth_true_uses_the_senders_auth_and_false_sends_none(clock: FakeClock) -> None:
    script = Script(200, 200, 200)
    s = sender(script, clock, auth=Bearer("tok-main"))
    s.send(get())
    s.send(get("https://bucket.example/upload?X-Amz-Signature=abc"), auth=False)
    s.send(get(), auth=Bearer("tok-other"))
    sent = [r.headers.get("Authorization") for r in script.requests]
    assert sent == ["Bearer tok-main", None, "Bearer tok-other"]


def test_sender_headers_are_added_unless_the_request_sets_them(clock: FakeClock) -> None:
    script = Script(200)
    s = sender(script, clock, headers={"User-Agent": "specclient-test", "X-Org": "o1"})
    s.send(httpx.Request("GET", URL, headers={"X-Org": "mine"}))
    assert script.requests[0].headers["User-Agent"] == "specclient-test"
    assert script.requests[0].headers["X-Org"] == "mine"


def test_stream_true_returns_an_unread_response_and_closes_retried_ones(
    clock: FakeClock,
) -> None:
    answers: list[httpx.Response] = []

    def network(request: httpx.Request) -> httpx.Response:
        status = 503 if not answers else 200
        answers.append(httpx.Response(status, content=iter([b"chunk-1,", b"chunk-2"])))
        return answers[-1]

    s = Sender(http=httpx.MockTransport(network), clock=clock, retry=RetryPolicy(jitter=False))
    response = s.send(get(), stream=True)
    assert answers[0].is_closed  # the 503 was released before the retry
    assert not response.is_stream_consumed
    assert response.read() == b"chunk-1,chunk-2"
    response.close()


def test_client_is_created_lazily_and_closed_by_its_owner(clock: FakeClock) -> None:
    script = Script(200)
    s = sender(script, clock)
    assert s._client is None  # nothing built until the first request
    client = s.client
    s.send(get())
    s.close()
    assert client.is_closed


def test_a_client_passed_in_is_used_and_left_open(clock: FakeClock) -> None:
    script = Script(200)
    own = httpx.Client(transport=script.transport)
    s = Sender(http=own, clock=clock)
    s.send(get())
    s.close()
    assert s.client is own and not own.is_closed
    own.close()


def test_wrong_http_argument_is_refused_before_sending() -> None:
    with pytest.raises(errors.ParameterError, match="http= must be an httpx.Client"):
        Sender(http=httpx.AsyncClient(transport=Script().async_transport))  # type: ignore[arg-type]


def test_factory_returning_the_wrong_type_is_reported(clock: FakeClock) -> None:
    with pytest.raises(errors.ParameterError, match="not httpx.Request"):
        sender(Script(), clock).send(lambda: "GET /")  # type: ignore[arg-type,return-value]


# -- async: the same rules through the same policy


def async_sender(script: Script, clock: FakeClock, **kwargs: object) -> AsyncSender:
    kwargs.setdefault("retry", RetryPolicy(jitter=False))
    return AsyncSender(http=script.async_transport, clock=clock, **kwargs)  # type: ignore[arg-type]


async def test_async_retries_status_and_sleeps_on_the_clock(clock: FakeClock) -> None:
    script = Script(503, (429, {"Retry-After": "4"}), 200)
    s = async_sender(script, clock)
    response = await s.send(get())
    await s.aclose()
    assert response.status_code == 200
    assert clock.sleeps == [0.5, 4.0]


async def test_async_post_rules_match_sync(clock: FakeClock) -> None:
    script = Script(503, httpx.ConnectError("refused"), 201)
    s = async_sender(script, clock)
    assert (await s.send(post())).status_code == 503
    assert (await s.send(post())).status_code == 201
    await s.aclose()
    assert len(script.requests) == 3


async def test_async_transport_failure_maps_to_timeout_error(clock: FakeClock) -> None:
    script = Script(*[httpx.ReadTimeout("slow")] * 2)
    s = async_sender(script, clock, retry=RetryPolicy(max_retries=1, jitter=False))
    with pytest.raises(errors.TimeoutError, match=r"after 2 attempts.*\(GET https://api"):
        await s.send(get())
    await s.aclose()


async def test_async_factory_is_rebuilt_and_timeout_applied(clock: FakeClock) -> None:
    calls = []

    def build() -> httpx.Request:
        calls.append(1)
        return get()

    script = Script(502, 200)
    s = async_sender(script, clock)
    await s.send(build, timeout=3.0)
    await s.aclose()
    assert len(calls) == 2
    assert script.requests[-1].extensions["timeout"]["read"] == 3.0


async def test_async_auth_false_sends_no_credentials(clock: FakeClock) -> None:
    script = Script(200)
    s = async_sender(script, clock, auth=Bearer("tok"))
    await s.send(get(), auth=False)
    await s.aclose()
    assert "Authorization" not in script.requests[0].headers


def test_http_package_exports_resolve_lazily() -> None:
    import specclient.http as http_package

    assert sorted(http_package.__all__) == ["AsyncSender", "DEFAULT", "RetryPolicy", "Sender"]
    assert http_package.Sender is Sender and http_package.RetryPolicy is RetryPolicy
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = http_package.Nope


def test_username_password_pair_is_basic_auth_and_other_types_are_refused(
    clock: FakeClock,
) -> None:
    script = Script(200)
    sender(script, clock, auth=("ann", "pw")).send(get())
    assert script.requests[0].headers["Authorization"] == "Basic YW5uOnB3"
    with pytest.raises(errors.ParameterError, match="auth= must be an httpx.Auth"):
        Sender(auth="token")  # type: ignore[arg-type]


def test_a_read_reply_is_freed_as_soon_as_it_is_dropped(clock: FakeClock) -> None:
    # httpx's reply <-> stream cycle would keep a page's body alive until the cyclic collector
    # ran; the sender breaks it, so memory of a long paged fetch does not grow with its length
    import gc
    import weakref

    body = b"x" * 1_000_000
    sender = Sender(
        http=httpx.MockTransport(lambda r: httpx.Response(200, content=body)), clock=clock
    )
    gc.disable()
    try:
        response = sender.send(httpx.Request("GET", "https://api.example/page"))
        assert response.content == body and response.read() == body
        dropped = weakref.ref(response)
        del response
        assert dropped() is None
    finally:
        gc.enable()
