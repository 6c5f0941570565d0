"""Refreshing a data set (``data.rebuild``, ``tables.refresh``): sent once, followed as a future.

A refresh is not idempotent: each one reloads from the source again (new rows on ``append``,
a new version with Data History on), so a lost reply is never replayed. What the API lets us
observe of a refresh is the data set's ``last_data_update_date`` (``GET /data``), which every
refresh moves on. So the data set is read before the refresh is sent; after an ambiguous
failure (a dropped connection, a 5xx) a later date than before says the refresh happened and
the call goes on as if the reply had arrived. An unchanged date cannot tell "not applied" from
"queued, not yet applied", so the refresh is not sent again: :class:`RefreshLost` says it may
have happened and how to check.

The call returns a :class:`RefreshFuture` (a :class:`~specclient.futures.RunFuture`; its
awaitable twin on the async client) that polls the data set until its date shows this refresh
(the reply's ``last_data_update_date``, or any date after the one read before); its result is
the data set's description then, and ``reply`` is the refresh's reply as it came.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

from specclient.errors import NotFoundError
from specclient.futures import RunFuture
from specclient.openapi.model import Waiter
from specclient.platforms._flows import Call, Flow, Follow
from specclient.platforms._lost import AMBIGUOUS, OutcomeUnknown

from .workflows import payload, result_of

__all__ = ["RefreshFuture", "RefreshLost", "REFRESH_WAITER", "describe_flow", "refresh_flow"]

#: A refresh is over when the data set's date shows it (``read_state`` says "refreshed").
REFRESH_WAITER = Waiter(field="status", success=("refreshed",), delay=2.0, max_delay=60.0)

_LIST = Call("data.list", (), {"return_type": "raw"})


class RefreshLost(OutcomeUnknown):
    """A refresh's reply was lost and the data set's date did not move: it may have been
    applied (or queued) all the same. ``rec_id`` and ``mode`` say which; ``check`` is the call
    whose ``last_data_update_date`` shows it."""

    def __init__(self, rec_id: Any, mode: str, before: str | None, error: Exception) -> None:
        self.rec_id = rec_id
        self.mode = mode
        super().__init__(
            f"refreshing data set {rec_id} ({mode})",
            f"client.data.describe({rec_id!r})['last_data_update_date'] (it was {before!r}: "
            "a later date means the refresh ran)",
            error,
        )


def _find(body: Any, rec_id: Any) -> dict[str, Any] | None:
    for item in result_of(body, "data") or []:
        if str(item.get("id", item.get("rec_id", item.get("RecId")))) == str(rec_id):
            return dict(item)
    return None


def describe_flow(rec_id: Any, base_url: Any) -> Flow:
    """The data set's entry in ``GET /data``; :class:`NotFoundError` when it has none."""
    found = _find(payload((yield _LIST)), rec_id)
    if found is None:
        raise NotFoundError(
            f"ClicData has no data set with RecId {rec_id}",
            status_code=404,
            method="GET",
            url=f"{base_url}/data",
        )
    return found


def _when(value: Any) -> _dt.datetime | None:
    """A ``last_data_update_date`` as an aware datetime (None when absent or unreadable)."""
    if not isinstance(value, str):
        return None
    try:
        when = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=_dt.UTC)


class _Shows:
    """``read_state`` of a refresh's future: "refreshed" once the data set's date is past the
    one read before the refresh and at least the one its reply reported."""

    def __init__(self, before: _dt.datetime | None, reported: _dt.datetime | None) -> None:
        self.before = before
        self.reported = reported

    def __call__(self, meta: Any) -> str:
        when = _when(meta.get("last_data_update_date")) if isinstance(meta, Mapping) else None
        if when is None:
            return "refreshing"
        if self.before is not None and when <= self.before:
            return "refreshing"
        if self.reported is not None and when < self.reported:
            return "refreshing"
        return "refreshed"


def refresh_flow(
    send: Call,
    rec_id: Any,
    mode: str,
    base_url: Any,
    *,
    wait: bool,
    timeout: float | None,
    progress: Any,
) -> Flow:
    """Send the refresh ``send`` once (reconciled by date after a lost reply); a future."""
    before = yield from describe_flow(rec_id, base_url)
    before_date = before.get("last_data_update_date")
    try:
        reply = result_of(payload((yield send)))
    except AMBIGUOUS as error:
        after = yield from describe_flow(rec_id, base_url)
        moved = _Shows(_when(before_date), None)(after) == "refreshed"
        if not moved or _when(before_date) is None:
            raise RefreshLost(rec_id, mode, before_date, error) from error
        # the refresh happened: the reply it would have had (versioned shape)
        reply = {
            "id": rec_id,
            "mode": mode,
            "last_data_update_date": after["last_data_update_date"],
        }
    reported = reply.get("last_data_update_date") if isinstance(reply, Mapping) else None
    return (
        yield Follow(
            _LIST,
            REFRESH_WAITER,
            {
                "what": f"refresh ({mode}) of data set {rec_id}",
                "progress": progress,
                "read_state": _Shows(_when(before_date), _when(reported)),
            },
            pick=lambda body: _find(payload(body), rec_id),
            future=RefreshFuture,
            async_future=_async_refresh_future,
            extras={"reply": reply},
            wait=wait,
            timeout=timeout,
        )
    )


class WithReply:
    """A refresh's future knows the refresh's reply as it came (``reply``)."""

    def __init__(self, tracker: Any, *, reply: Any) -> None:
        super().__init__(tracker)  # type: ignore[call-arg]
        self.reply = reply


class RefreshFuture(WithReply, RunFuture):
    """A :class:`~specclient.futures.RunFuture` on a data set's refresh."""


def _async_refresh_future(tracker: Any, **extras: Any) -> Any:
    from .async_schedules import AsyncRefreshFuture

    return AsyncRefreshFuture(tracker, **extras)
