"""Which failures to retry, how long to wait, when to give up.

One policy object serves the sync and the async sender: the senders only loop and sleep.

Why not tenacity: the decision needs the verb, the idempotency flag, the response (status,
``Retry-After``) or the transport error *together*, the wait must come from our clock seam
(sync ``sleep`` and async ``asleep``), and the request may have to be rebuilt for each attempt.
Expressed with tenacity that is a custom ``retry=``, a custom ``wait=``, two ``sleep=`` adapters
and result wrapping around a loop that is itself a dozen lines; :meth:`RetryPolicy.delay_for`
states the whole rule in one function that tests can call directly.

Side effects are never duplicated: POST and PATCH are retried only when

- the operation is marked idempotent (``x-idempotent`` / ``idempotent=True``), or
- the request provably never reached the server (connect error, connect or pool timeout), or
- the server answered 429. A 429 is a refusal to process: rate limiters reject before the
  handler runs, so nothing was applied (the same reading as RFC 6585 and the AWS and Stripe
  SDKs). A 502/503/504 after a POST is not such a proof: a proxy may time out while the
  backend goes on to apply the request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from specclient._records import Record, set_fields

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    import httpx  # a policy is built before any request: httpx loads with the sender

__all__ = ["RetryPolicy", "parse_retry_after", "retry_after_seconds", "IDEMPOTENT_VERBS"]

IDEMPOTENT_VERBS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})


#: The extension a token request carries for the sender: ``{"idempotent": bool,
#: "lost_reply": str | None}``. A failure of the token request is retried by these, not by the
#: API call's verb (a lost token reply on a capped grant must not cost a second token). Set by
#: :mod:`specclient.auth`, read by the retry loop in :mod:`specclient.http.transport`.
GRANT_EXTENSION = "specclient.grant"


# The request never left this machine (or never got a connection): safe to send again.
def _never_sent() -> tuple[type[Exception], ...]:
    import httpx

    return (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


# Failures where a new attempt may succeed. Local mistakes (bad URL, unsupported scheme,
# a request httpx refused to write) would fail again the same way.
def _transient() -> tuple[type[Exception], ...]:
    import httpx

    return (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def _uniform() -> float:
    """``random.random()``: the random module (with hashlib's OpenSSL) loads at the first
    backoff, not with every client's policy."""
    import random

    return random.random()


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date), or None.

    A date in the past means "now" (0). An unreadable value is ignored (None), so backoff
    applies instead of a crash.
    """
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            import email.utils  # an HTTP-date is rare; its parser loads datetime and more

            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - now
    if seconds != seconds:  # NaN
        return None
    return max(seconds, 0.0)


def retry_after_seconds(response: httpx.Response, now: float) -> float | None:
    """The response's ``Retry-After`` in seconds, for callers that report it (RateLimitError)."""
    return parse_retry_after(response.headers.get("Retry-After"), now)


class RetryPolicy(Record):
    """When and how long to retry.

    Parameters
    ----------
    max_retries : int
        Retries after the first attempt (3 means up to 4 attempts).
    retry_statuses : frozenset of int
        Statuses worth another attempt.
    backoff_base, backoff_max : float
        Exponential backoff in seconds: retry ``n`` (1-based) waits up to
        ``min(backoff_max, backoff_base * 2 ** (n - 1))``, i.e. 0.5, 1, 2, 4 ... by default.
    max_retry_after : float
        A ``Retry-After`` longer than this is not waited for: the sender gives up and the
        caller sees the 429/503 (as ``RateLimitError`` with ``retry_after``) at once.
    jitter : bool
        "Full jitter": wait a uniform random time between 0 and the backoff, so many clients
        refused at once do not come back at once.
    resend_statuses : frozenset of int
        Statuses that prove a request was not applied, so a POST or PATCH answered with one
        may be sent again: 429 for every API; a platform whose API promises more (Civis: 503)
        says so in its declaration.
    """

    FIELDS = (
        "max_retries",
        "retry_statuses",
        "backoff_base",
        "backoff_max",
        "max_retry_after",
        "jitter",
        "resend_statuses",
        "random",
    )
    UNCOMPARED = UNSHOWN = frozenset({"random"})
    max_retries: int
    retry_statuses: frozenset[int]
    backoff_base: float
    backoff_max: float
    max_retry_after: float
    jitter: bool
    resend_statuses: frozenset[int]
    random: Callable[[], float]

    def __init__(
        self,
        max_retries: int = 3,
        retry_statuses: frozenset[int] = frozenset({429, 502, 503, 504}),
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        max_retry_after: float = 300.0,
        jitter: bool = True,
        resend_statuses: frozenset[int] = frozenset({429}),
        random: Callable[[], float] = _uniform,
    ) -> None:
        if max_retries < 0:
            raise ValueError(f"RetryPolicy.max_retries must be >= 0, not {max_retries}")
        set_fields(
            self,
            max_retries,
            frozenset(retry_statuses),
            backoff_base,
            backoff_max,
            max_retry_after,
            jitter,
            frozenset(resend_statuses),
            random,
        )

    def backoff(self, attempt: int) -> float:
        """The wait before retry ``attempt`` when the server gave no ``Retry-After``."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** max(attempt - 1, 0))
        return ceiling * self.random() if self.jitter else ceiling

    def may_resend(
        self,
        verb: str,
        idempotent: bool | None,
        *,
        response: httpx.Response | None = None,
        error: BaseException | None = None,
    ) -> bool:
        """Whether sending the request again cannot duplicate a side effect."""
        if idempotent is None:
            idempotent = verb.upper() in IDEMPOTENT_VERBS
        if idempotent:
            return True
        if error is not None:
            return isinstance(error, _never_sent())
        return response is not None and response.status_code in self.resend_statuses

    def delay_for(
        self,
        attempt: int,
        *,
        verb: str,
        idempotent: bool | None,
        response: httpx.Response | None = None,
        error: BaseException | None = None,
        now: float | None = None,
    ) -> float | None:
        """Seconds to wait before retry number ``attempt`` (1-based), or None: do not retry.

        Parameters
        ----------
        attempt : int
            The retry about to be made: 1 after the first failure.
        verb : str
            HTTP method of the request.
        idempotent : bool or None
            True/False from the operation (``x-idempotent``); None decides from the verb.
        response, error
            What the previous attempt produced: a response, or the transport error raised.
        now : float, optional
            Epoch seconds, to read a ``Retry-After`` date; the sender passes ``clock.time()``.
        """
        if attempt > self.max_retries:
            return None
        if error is not None:
            if not isinstance(error, _transient()):
                return None
        elif response is None or response.status_code not in self.retry_statuses:
            return None
        if not self.may_resend(verb, idempotent, response=response, error=error):
            return None
        if response is not None:
            waited = retry_after_seconds(response, time.time() if now is None else now)
            if waited is not None:
                return waited if waited <= self.max_retry_after else None
        return self.backoff(attempt)
