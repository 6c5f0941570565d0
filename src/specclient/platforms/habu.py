"""Habu (LiveRamp Clean Room): ``specclient.connect("habu")`` and the workflows of many calls.

Every operation of LiveRamp's API comes from ``specs/habu.yaml``; this module adds only what a
spec cannot say:

- credentials from arguments, ``HABU_API_CLIENT`` / ``HABU_API_SECRET`` / ``HABU_ORGANIZATION``
  / ``HABU_API``, or the tutorial's YAML file (``creds_path=``), keys unchanged;
- the platform's OAuth (Basic client auth to ``/oauth/token``, camelCase ``accessToken`` /
  ``expiresIn``), with the token kept on disk across processes because only 2 tokens a day are
  issued (``token_cache=False`` turns that off);
- :meth:`HabuClient.run_question`: create a run without ever starting a second one (create-run
  has no idempotency key), wait at the platform's cadence, raise with ``failureReason``;
- results as a DataFrame typed from the result metadata (the API sends every value as a string);
- the tutorial's setup steps that must happen in order (dataset owners, then datasets), and
  flows (create, run, wait, report).
"""

from __future__ import annotations

import os
import re
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .._clock import Clock
from ..client import AsyncClient, AsyncResource, Client, Resource
from ..errors import (
    APIError,
    ParameterError,
    RateLimitError,
    ServerError,
    TransportError,
    WaiterError,
)
from ._base import build_client, credential, read_credentials_file, require, split_options
from .habu_frames import ResultFrameBuilder

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "PLATFORM",
    "DEFAULT_BASE_URL",
    "HabuClient",
    "AsyncHabuClient",
    "QuestionRunFailed",
    "connect",
    "connect_async",
    "demo",
]

PLATFORM = "habu"
DEFAULT_BASE_URL = "https://api.habu.com/v1"

#: environment variables, as the tutorial sets them
ENV_CLIENT_ID = ("HABU_API_CLIENT",)
ENV_CLIENT_SECRET = ("HABU_API_SECRET",)
ENV_ORGANIZATION = ("HABU_ORGANIZATION",)
ENV_BASE_URL = ("HABU_API",)

#: The platform's guidance: at most once per run every 5 minutes (20 polls per object per hour).
DEFAULT_POLL_INTERVAL = 300.0
DEFAULT_MAX_POLL_INTERVAL = 900.0
DEFAULT_RUN_TIMEOUT = 72_000.0  # LiveRamp's SDK: 240 polls x 300 s
#: Documented: 20 create-run calls per rolling hour per API user, organization and IP.
RUN_CREATE_LIMIT = 20
RUN_CREATE_WINDOW = 3600.0
#: Rows per /data request: the API's own default page size.
DEFAULT_PAGE_SIZE = 500
#: /data requests in flight at once once the row count is known. Pages are independent, so
#: a few in flight hide the round trip; kept small because the service documents no limit.
DEFAULT_RESULT_WORKERS = 4

_TERMINAL_FAILURES = ("FAILED", "ERROR", "CANCELLED")
_OWN_OPTIONS = (
    "client_id",
    "client_secret",
    "organization",
    "creds_path",
    "token_cache",
    "poll_interval",
    "page_size",
    "result_workers",
    "run_create_limit",
    "progress",
)


class QuestionRunFailed(WaiterError):
    """A question or flow run ended FAILED, ERROR or CANCELLED.

    ``reason`` is the platform's ``failureReason`` (``runMessage`` for flow runs), ``run`` the
    last run record seen, ``run_id`` its id.
    """

    def __init__(self, message: str, *, state: str | None, reason: str | None, run: Any) -> None:
        super().__init__(message, state=state, reason=reason, payload=run)
        self.run = run
        self.run_id = run.get("id") if isinstance(run, Mapping) else None


# ------------------------------------------------------------------------------ options


def _base_url(explicit: str | None, file_values: Mapping[str, Any]) -> str:
    """The API root. ``base_url=`` is used as given; ``HABU_API`` is the host the tutorial
    sets (``https://api.habu.com/``), so ``/v1`` is added to it unless already there."""
    if explicit:
        return str(explicit).rstrip("/")
    url = credential(None, env=ENV_BASE_URL, file_values=file_values, file_keys=("HABU_API",))
    if not url:
        return DEFAULT_BASE_URL
    url = str(url).rstrip("/")
    return url if url.endswith("/v1") else url + "/v1"


def _token_cache(option: Any) -> Any:
    """``None``: the default on-disk cache (``SPECCLIENT_TOKEN_CACHE=0`` turns it off);
    ``False``: memory only; a path: a cache directory there; any other object: the cache."""
    from ..auth import FileTokenCache

    if option is None:
        return FileTokenCache()
    if option is False:
        return None
    if isinstance(option, str | os.PathLike):
        return FileTokenCache(option)
    return option


def _resolve(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    common, own = split_options(PLATFORM, options, _OWN_OPTIONS)
    file_values: dict[str, Any] = {}
    if own.get("creds_path"):
        file_values = read_credentials_file(own["creds_path"])
    common["base_url"] = _base_url(common.get("base_url"), file_values)
    if common.get("auth") is None:
        client_id = require(
            credential(
                own.get("client_id"),
                env=ENV_CLIENT_ID,
                file_values=file_values,
                file_keys=("HABU_API_CLIENT",),
            ),
            platform=PLATFORM,
            argument="client_id",
            env=ENV_CLIENT_ID,
            file_keys=("HABU_API_CLIENT",),
        )
        client_secret = require(
            credential(
                own.get("client_secret"),
                env=ENV_CLIENT_SECRET,
                file_values=file_values,
                file_keys=("HABU_API_SECRET",),
            ),
            platform=PLATFORM,
            argument="client_secret",
            env=ENV_CLIENT_SECRET,
            file_keys=("HABU_API_SECRET",),
        )
        common["auth"] = _oauth(
            common["base_url"],
            str(client_id),
            str(client_secret),
            own.get("token_cache"),
            common.get("clock"),
        )
    own["organization"] = credential(
        own.get("organization"),
        env=ENV_ORGANIZATION,
        file_values=file_values,
        file_keys=("HABU_ORGANIZATION",),
    )
    return common, own


def _oauth(base_url: str, client_id: str, client_secret: str, cache: Any, clock: Any) -> Any:
    """Client credentials with Basic client auth; the reply is camelCase, not RFC 6749."""
    from .._clock import SYSTEM_CLOCK
    from ..auth import OAuth2ClientCredentials

    return OAuth2ClientCredentials(
        client_id,
        client_secret,
        base_url.rstrip("/") + "/oauth/token",
        client_auth="basic",
        token_cache=_token_cache(cache),
        clock=clock or SYSTEM_CLOCK,
        # renew well before expiry: a request must never race the 12 h deadline
        refresh_margin=300,
    )


def _client_options(own: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "organization": own.get("organization"),
        "poll_interval": float(own.get("poll_interval") or DEFAULT_POLL_INTERVAL),
        "page_size": int(own.get("page_size") or DEFAULT_PAGE_SIZE),
        "result_workers": int(own.get("result_workers") or DEFAULT_RESULT_WORKERS),
        "run_create_limit": own.get("run_create_limit", RUN_CREATE_LIMIT),
        "progress": own.get("progress"),
    }


def connect(**options: Any) -> HabuClient:
    """A client for LiveRamp Clean Room (Habu).

    Parameters
    ----------
    client_id, client_secret : str, optional
        The organization's API key; else ``HABU_API_CLIENT`` / ``HABU_API_SECRET``, else the
        ``creds_path`` YAML file (the tutorial's keys).
    organization : str, optional
        The organization id (``HABU_ORGANIZATION``); used as the dataset owner by default.
    creds_path : str, optional
        The tutorial's YAML credentials file.
    base_url : str, optional
        API root, default ``https://api.habu.com/v1``; ``HABU_API`` (a host such as
        ``https://api.habu.com/``) also works, ``/v1`` is added.
    token_cache : None, False, path or cache object, optional
        Where access tokens are kept between processes (see ``docs/platforms/habu.md``).
        ``False`` keeps them in memory only.
    poll_interval : float, optional
        Seconds between status polls of a run (default 300, the platform's guidance).
    page_size : int, optional
        Rows per result request (default 500, the API's default).
    run_create_limit : int or None, optional
        Create-run calls allowed per hour (default 20, the platform's limit); ``None`` off.
    progress : bool, optional
        Show a status line while waiting (default: when stderr is a terminal).
    **options
        The shared options: ``auth``, ``timeout``, ``max_retries``, ``return_type``, ``spec``,
        ``http``, ``clock``.
    """
    from .._resources import bundled_spec

    common, own = _resolve(dict(options))
    client = build_client(
        HabuClient,
        default_spec=bundled_spec(PLATFORM),
        default_base_url=DEFAULT_BASE_URL,
        auth=None,
        common=common,
        resource_classes=RESOURCE_CLASSES,
    )
    client._configure(**_client_options(own))
    return client


def connect_async(**options: Any) -> AsyncHabuClient:
    """The :class:`AsyncHabuClient` twin of :func:`connect` (same options)."""
    from .._resources import bundled_spec

    common, own = _resolve(dict(options))
    client = build_client(
        AsyncHabuClient,
        default_spec=bundled_spec(PLATFORM),
        default_base_url=DEFAULT_BASE_URL,
        auth=None,
        common=common,
        resource_classes=ASYNC_RESOURCE_CLASSES,
    )
    client._configure(**_client_options(own))
    return client


# ------------------------------------------------------------------------------ shared logic


def _payload(value: Any) -> Any:
    """The JSON of a reply (httpx response or Response); an empty body is ``None``, which the
    platform uses for "no data"."""
    if isinstance(getattr(value, "content", None), bytes) and not value.content:
        return None
    return value.json() if hasattr(value, "json") and callable(value.json) else value


def _ambiguous(exc: Exception) -> bool:
    """A failure after which the server may or may not have applied the request."""
    return isinstance(exc, TransportError | ServerError)


def _run_name(prefix: str = "specclient") -> str:
    # Distinct names are what make a lost reply recoverable: the run is found again by name.
    return f"{prefix}-{datetime.now(UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"


_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DISPLAY_ID = re.compile(r"^[A-Z]{1,4}-\d+(_\d+)?$")


def _require_uuid(value: Any, argument: str, where: str) -> str:
    """Path ids are UUIDs; users mix them up with display ids (``CRQ-138038``): say so before
    anything is sent."""
    if isinstance(value, str) and _UUID.match(value):
        return value
    if isinstance(value, str) and _DISPLAY_ID.match(value):
        raise ParameterError(
            where,
            f"{argument}={value!r} is a display ID; pass the UUID `id` of the object instead",
            argument,
        )
    raise ParameterError(where, f"{argument} must be a UUID string, got {value!r}", argument)


def _check_run_args(name: Any, parameters: Any) -> dict[str, str]:
    if not isinstance(name, str) or not name.strip():
        raise ParameterError("run_question", "name must be a non-empty string", "name")
    params = dict(parameters or {})
    bad = [k for k, v in params.items() if not isinstance(k, str) or not isinstance(v, str)]
    if bad:
        raise ParameterError(
            "run_question",
            "parameters must map strings to strings (the API "
            f"sends every value as a string); {bad[0]!r} does not",
            "parameters",
        )
    return params


def _failure(run: Any, what: str) -> QuestionRunFailed:
    body = _payload(run) or {}
    state = body.get("status")
    reason = body.get("failureReason") or body.get("runMessage")
    detail = f": {reason}" if reason else ""
    return QuestionRunFailed(
        f"{what} {body.get('id')} ended {state}{detail}", state=state, reason=reason, run=body
    )


class _RunLedger:
    """This process's create-run calls, to wait for budget instead of hitting 429s.

    The platform allows ``limit`` creates per rolling hour and sends no ``Retry-After``; the wait
    is derived from when our own earlier calls leave the window.
    """

    def __init__(self, limit: int | None, clock: Any) -> None:
        self.limit = limit
        self.clock = clock
        self.times: deque[float] = deque()

    def _trim(self) -> None:
        now = self.clock.time()
        while self.times and self.times[0] <= now - RUN_CREATE_WINDOW:
            self.times.popleft()

    def wait_needed(self) -> float:
        """Seconds until one more create fits in the window (0 if it fits now)."""
        if self.limit is None:
            return 0.0
        self._trim()
        if len(self.times) < self.limit:
            return 0.0
        return max(self.times[-self.limit] + RUN_CREATE_WINDOW - self.clock.time(), 0.0)

    def after_429(self) -> float:
        """The server refused though our ledger had room: other callers share the budget.
        Wait until our oldest call leaves the window, at least a window's twentieth."""
        self._trim()
        floor = RUN_CREATE_WINDOW / (self.limit or RUN_CREATE_LIMIT)
        if not self.times:
            return floor
        return max(self.times[0] + RUN_CREATE_WINDOW - self.clock.time(), floor)

    def record(self) -> None:
        self.times.append(self.clock.time())


def _matching_run(runs: Iterable[Any], name: str) -> Any:
    for run in runs:
        body = _payload(run)
        if isinstance(body, Mapping) and body.get("name") == name:
            return run
    return None


# ------------------------------------------------------------------------------ sync client


class _HabuSettings:
    """Settings and helpers the sync and async Habu clients share (no I/O here)."""

    organization: str | None = None
    poll_interval: float = DEFAULT_POLL_INTERVAL
    page_size: int = DEFAULT_PAGE_SIZE
    result_workers: int = DEFAULT_RESULT_WORKERS
    progress: bool | None = None
    max_create_attempts: int = 3
    rate_limit_timeout: float = 2 * RUN_CREATE_WINDOW
    clock: Clock
    _ledger: _RunLedger
    _flow_ledger: _RunLedger

    if TYPE_CHECKING:

        @property
        def base_url(self) -> str: ...

    def _configure(
        self,
        *,
        organization: str | None,
        poll_interval: float,
        page_size: int,
        result_workers: int = DEFAULT_RESULT_WORKERS,
        run_create_limit: int | None,
        progress: bool | None,
    ) -> None:
        if poll_interval <= 0:
            raise ParameterError(
                "connect('habu')", "poll_interval must be positive", "poll_interval"
            )
        if page_size < 1:
            raise ParameterError("connect('habu')", "page_size must be at least 1", "page_size")
        self.organization = organization
        self.poll_interval = poll_interval
        self.page_size = page_size
        if result_workers < 1:
            raise ParameterError(
                "connect('habu')", "result_workers must be at least 1", "result_workers"
            )
        self.result_workers = result_workers
        self.progress = progress
        self._ledger = _RunLedger(run_create_limit, self.clock)

    def _guard_rate_wait(self, waited: float, target_id: str) -> None:
        if waited > self.rate_limit_timeout:
            raise RateLimitError(
                f"run-creation budget still exhausted after waiting {waited:.0f}s "
                f"({RUN_CREATE_LIMIT} runs per hour); {target_id} was not started",
                status_code=429,
                method="POST",
                url=self.base_url,
            )

    def _poll_options(
        self, poll_interval: float | None, timeout: float | None, progress: bool | None
    ) -> dict[str, Any]:
        """The platform's cadence: first wait ``poll_interval``, then x1.5 up to 15 minutes
        (or the interval itself when that is longer), for at most 20 hours."""
        delay = poll_interval or self.poll_interval
        if delay <= 0:
            raise ParameterError("wait", "poll_interval must be positive", "poll_interval")
        return {
            "delay": delay,
            "max_delay": max(delay, DEFAULT_MAX_POLL_INTERVAL),
            "timeout": timeout or DEFAULT_RUN_TIMEOUT,
            "progress": self.progress if progress is None else progress,
        }

    def _ledger_flow(self) -> _RunLedger:
        if not hasattr(self, "_flow_ledger"):
            self._flow_ledger = _RunLedger(self._ledger.limit, self.clock)
        return self._flow_ledger


class HabuClient(_HabuSettings, Client):
    """A :class:`~specclient.Client` for Habu with the platform's multi-call workflows."""

    # -- question runs ---------------------------------------------------------------------------

    def create_question_run(
        self, cleanroom_question_id: str, name: str, parameters: Mapping[str, str] | None = None
    ) -> Any:
        """Start one run of a clean-room question, never two.

        create-run has no idempotency key, so a reply lost to a dropped connection, a timeout
        or a 5xx is not retried blindly: the question's runs are listed and a run with this
        ``name`` is taken as ours. Only when none exists is the create sent again. A 429 (no
        ``Retry-After`` on this platform) waits for the hourly budget to free up.
        """
        _require_uuid(cleanroom_question_id, "cleanroom_question_id", "create_question_run")
        params = _check_run_args(name, parameters)
        create = self.resource("cleanroom_questions").method("create_run")
        attempts = 0
        waited = 0.0
        while True:
            pause = self._ledger.wait_needed()
            if pause:
                waited += pause
                self._guard_rate_wait(waited, cleanroom_question_id)
                self.clock.sleep(pause)
            try:
                run = create(cleanroom_question_id, name=name, parameters=params)
            except RateLimitError:
                pause = self._ledger.after_429()
                waited += pause
                self._guard_rate_wait(waited, cleanroom_question_id)
                self.clock.sleep(pause)
                continue
            except Exception as exc:
                if not _ambiguous(exc):
                    raise
                attempts += 1
                found = self.find_question_run(cleanroom_question_id, name)
                if found is not None:
                    self._ledger.record()
                    return found
                if attempts >= self.max_create_attempts:
                    raise
                continue
            self._ledger.record()
            return run

    def find_question_run(self, cleanroom_question_id: str, name: str) -> Any:
        """The most recent run of the question with this ``name`` (submitted in the last 2
        days), or ``None``."""
        runs = self.resource("cleanroom_question_runs").method("list")
        since = (datetime.fromtimestamp(self.clock.time(), UTC) - timedelta(days=1)).date()
        offset = 0
        while True:
            page = runs(
                cleanroom_question_id, start_date=since.isoformat(), limit=100, offset=offset
            )
            found = _matching_run(page, name)
            if found is not None or len(page) < 100:
                return found
            offset += 100

    def wait_for_question_run(
        self,
        run_id: str,
        *,
        poll_interval: float | None = None,
        timeout: float | None = None,
        progress: bool | None = None,
    ) -> Any:
        """Poll a run until COMPLETED (returned) or FAILED / ERROR / CANCELLED (raised as
        :class:`QuestionRunFailed` with ``failureReason``)."""
        from ..polling import wait_for

        _require_uuid(run_id, "run_id", "wait_for_question_run")
        get = self.resource("cleanroom_question_runs").method("get")
        try:
            return wait_for(
                lambda: get(run_id),
                get.operation.waiter,
                clock=self.clock,
                what=f"question run {run_id}",
                **self._poll_options(poll_interval, timeout, progress),
            )
        except WaiterError as exc:
            if exc.state in _TERMINAL_FAILURES:
                raise _failure(exc.payload, "question run") from None
            raise

    def run_question(
        self,
        cleanroom_question_id: str,
        name: str | None = None,
        parameters: Mapping[str, str] | None = None,
        *,
        wait: bool = True,
        poll_interval: float | None = None,
        timeout: float | None = None,
        progress: bool | None = None,
    ) -> Any:
        """Run a clean-room question, by default waiting until it has finished.

        Parameters
        ----------
        cleanroom_question_id : str
            The clean-room question (its UUID ``id``, not the ``CRQ-`` display id).
        name : str, optional
            The run's name; a distinct one is generated when omitted. Names are how a run is
            found again after a lost reply, so keep them distinct.
        parameters : dict of str to str, optional
            Run and partition parameters, all strings.
        wait : bool
            Poll until the run ends (default). ``False`` returns the run as created.
        poll_interval : float, optional
            Seconds between polls (default: the client's, 300).
        timeout : float, optional
            Give up waiting after this many seconds (default 20 h).
        progress : bool, optional
            Show the status on stderr (default: when it is a terminal).

        Returns
        -------
        Response
            The run (``id``, ``status``, ``completedAt``, ...).

        Raises
        ------
        QuestionRunFailed
            The run ended FAILED, ERROR or CANCELLED; ``reason`` is its ``failureReason``.
        """
        run = self.create_question_run(cleanroom_question_id, name or _run_name(), parameters)
        if not wait:
            return run
        return self.wait_for_question_run(
            _payload(run)["id"], poll_interval=poll_interval, timeout=timeout, progress=progress
        )

    def question_results(
        self, run_id: str, *, page_size: int | None = None, workers: int | None = None
    ) -> pd.DataFrame:
        """Every row of a completed run as a DataFrame typed from the result metadata.

        The first page says how many rows there are (``count``); the other pages are then
        fetched ``workers`` at a time (default: the client's ``result_workers``, 4) and added
        in order. Without a ``count`` the pages are walked one by one until a short page.
        """
        _require_uuid(run_id, "run_id", "question_results")
        get_data = self.resource("cleanroom_question_runs").method("get_data")
        size = page_size or self.page_size

        def fetch(offset: int) -> dict[str, Any]:
            reply = get_data(run_id, limit=size, offset=offset, return_type="raw")
            return _payload(reply) or {}

        first = fetch(0)
        builder = ResultFrameBuilder(first.get("metadata") or [])
        rows = first.get("stats") or []
        builder.add(rows)
        offsets = _remaining_offsets(first, len(rows), size)
        if offsets is not None:
            count = workers or self.result_workers
            if count == 1:
                for offset in offsets:
                    builder.add(fetch(offset).get("stats") or [])
                return builder.frame()
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=count) as pool:
                # a bounded window, in order: at most 2 x workers pages are held at a time
                window: deque[Any] = deque()
                for offset in offsets:
                    window.append(pool.submit(fetch, offset))
                    if len(window) >= 2 * count:
                        builder.add(window.popleft().result().get("stats") or [])
                while window:
                    builder.add(window.popleft().result().get("stats") or [])
            return builder.frame()
        offset = len(rows)
        while rows and len(rows) >= size:
            rows = fetch(offset).get("stats") or []
            builder.add(rows)
            offset += len(rows)
        return builder.frame()

    # -- setup steps that must happen in order -----------------------------------------------

    def create_question(
        self,
        question_details: Mapping[str, Any],
        *,
        cleanroom_id: str | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> str:
        """Create a question and return its ``questionID``.

        ``dataSetTypeFields`` is filled with ``[]`` where missing (the service fails without it)
        and ``success: false`` on a 200 is raised as an :class:`APIError`.
        """
        details = _with_type_fields(question_details)
        body: dict[str, Any] = {"questionDetails": details}
        if settings is not None:
            body["settings"] = dict(settings)
        create = self.resource("questions").method("create")
        kwargs = {"clean_room_id": cleanroom_id} if cleanroom_id else {}
        reply = _payload(create(body=body, return_type="raw", **kwargs))
        return _question_id(reply, self.base_url)

    def assign_question_datasets(
        self, cleanroom_question_id: str, datasets: Sequence[Mapping[str, Any]]
    ) -> Any:
        """Give each macro of a clean-room question an owner, then its dataset, in that order.

        ``datasets``: ``[{"macro", "dataset_id", "fields": [{"name", "value"}],
        "organization_id" (default: the client's organization), "data_connection_id"}]``.
        """
        owners, assignments = _split_assignments(datasets, self.organization)
        crq = self.resource("cleanroom_questions")
        crq.method("assign_dataset_owners")(cleanroom_question_id, body=owners)
        return crq.method("assign_datasets")(cleanroom_question_id, body=assignments)

    # -- flows -------------------------------------------------------------------------------------

    def run_flow(
        self,
        cleanroom_id: str,
        flow_id: str,
        name: str | None = None,
        *,
        nodes: Sequence[Mapping[str, Any]] | None = None,
        wait: bool = True,
        poll_interval: float | None = None,
        timeout: float | None = None,
        progress: bool | None = None,
        **body: Any,
    ) -> Any:
        """Start a flow run (never twice, as :meth:`run_question`) and by default wait for it."""
        name = name or _run_name("flow")
        create = self.resource("cleanroom_flow_runs").method("create")
        payload = _flow_payload(name, nodes, body)
        ledger = self._ledger_flow()
        attempts = 0
        waited = 0.0
        while True:
            pause = ledger.wait_needed()
            if pause:
                waited += pause
                self._guard_rate_wait(waited, flow_id)
                self.clock.sleep(pause)
            try:
                run = create(cleanroom_id, flow_id, body=payload)
                break
            except RateLimitError:
                pause = ledger.after_429()
                waited += pause
                self._guard_rate_wait(waited, flow_id)
                self.clock.sleep(pause)
            except Exception as exc:
                if not _ambiguous(exc):
                    raise
                attempts += 1
                listing = self.resource("cleanroom_flow_runs").method("list")
                reply = listing(cleanroom_id, flow_id, search=name, limit=100, return_type="raw")
                found = _matching_run((_payload(reply) or {}).get("cleanRoomFlowRuns") or [], name)
                if found is not None:
                    run = found
                    break
                if attempts >= self.max_create_attempts:
                    raise
        ledger.record()
        if not wait:
            return run
        from ..polling import wait_for

        get = self.resource("cleanroom_flow_runs").method("get")
        run_id = _payload(run)["id"]
        try:
            return wait_for(
                lambda: get(cleanroom_id, run_id),
                get.operation.waiter,
                clock=self.clock,
                what=f"flow run {run_id}",
                **self._poll_options(poll_interval, timeout, progress),
            )
        except WaiterError as exc:
            if exc.state in _TERMINAL_FAILURES:
                raise _failure(exc.payload, "flow run") from None
            raise

    def flow_report(
        self, cleanroom_id: str, flow_run_id: str, node: str, *, page_size: int | None = None
    ) -> pd.DataFrame:
        """A flow-run node's report, every page, one row per record (dimensions then facts)."""
        get_report = self.resource("cleanroom_flow_runs").method("get_report")
        size = page_size or self.page_size
        rows: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = (
                _payload(
                    get_report(
                        cleanroom_id,
                        flow_run_id,
                        node=node,
                        limit=size,
                        offset=offset,
                        return_type="raw",
                    )
                )
                or {}
            )
            stats = page.get("recordStats") or []
            rows.extend(_flatten_record(stat) for stat in stats)
            offset += len(stats)
            if len(stats) < size:
                break
        return _report_frame(rows)


# ------------------------------------------------------------------------------ helpers


def _remaining_offsets(first: Mapping[str, Any], got: int, size: int) -> list[int] | None:
    """Offsets of the pages after the first, when the first page gave a usable ``count``;
    ``None`` when the pages must be walked until a short one."""
    total = first.get("count")
    if isinstance(total, bool) or not isinstance(total, int):
        return None if got >= size else []
    if got == 0 or got >= total:
        return []
    # the server may serve fewer rows than asked (a clamped limit): step by what it gave
    return list(range(got, total, got))


def _flow_payload(
    name: str, nodes: Sequence[Mapping[str, Any]] | None, body: Mapping[str, Any]
) -> dict[str, Any]:
    payload: dict[str, Any] = {"name": name}
    if nodes is not None:
        payload["nodes"] = [dict(node) for node in nodes]
    payload.update(body)
    return payload


def _with_type_fields(details: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(details)
    out["dataTypes"] = [
        {**dt, "dataSetTypeFields": list(dt.get("dataSetTypeFields") or [])}
        for dt in details.get("dataTypes") or []
    ]
    return out


def _question_id(reply: Any, base_url: str) -> str:
    if not isinstance(reply, Mapping) or not reply.get("success") or not reply.get("questionID"):
        message = (reply or {}).get("message") if isinstance(reply, Mapping) else None
        raise APIError(
            f"question was not created: {message or 'success is false'}",
            status_code=200,
            method="POST",
            url=f"{base_url}/question",
            body=reply,
        )
    return str(reply["questionID"])


def _split_assignments(
    datasets: Sequence[Mapping[str, Any]], organization: str | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    if not datasets:
        raise ParameterError("assign_question_datasets", "give at least one dataset", "datasets")
    owners, assignments = [], []
    for item in datasets:
        macro = item.get("macro")
        dataset_id = item.get("dataset_id") or item.get("datasetId")
        org = item.get("organization_id") or item.get("organizationId") or organization
        if not macro or not dataset_id:
            raise ParameterError(
                "assign_question_datasets",
                "each dataset needs 'macro' and 'dataset_id'",
                "datasets",
            )
        if not org:
            raise ParameterError(
                "assign_question_datasets",
                "no organization_id: pass it per "
                "dataset or connect with organization= / HABU_ORGANIZATION",
                "datasets",
            )
        owners.append({"organizationId": org, "macro": macro})
        entry = {"datasetId": dataset_id, "macro": macro, "fields": list(item.get("fields") or [])}
        connection = item.get("data_connection_id") or item.get("dataConnectionId")
        if connection:
            entry["dataConnectionId"] = connection
        assignments.append(entry)
    return owners, assignments


def _flatten_record(stat: Mapping[str, Any]) -> dict[str, Any]:
    row = {d.get("key"): d.get("value") for d in stat.get("dimensions") or []}
    row.update({r.get("key"): r.get("value") for r in stat.get("records") or []})
    return row


def _report_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Report values are strings too; numeric columns become numbers where every value parses."""
    import pandas as pd

    frame = pd.DataFrame.from_records(rows)
    for column in frame.columns:
        numbers = pd.to_numeric(frame[column], errors="coerce")
        if len(frame) and numbers.notna().all():
            frame[column] = numbers
    return frame


# ------------------------------------------------------------------------------ resources


class HabuQuestionRuns(Resource):
    """``client.cleanroom_question_runs``: ``get_data(..., return_type="pandas")`` is typed."""

    def get_data(
        self,
        cleanroom_question_run_id: str,
        *,
        limit: int | None = None,
        offset: int | None = None,
        return_type: str | None = None,
        **options: Any,
    ) -> Any:
        """Result rows of a run (``GET /cleanroom-question-runs/{id}/data``).

        With ``return_type="pandas"`` and no ``limit``/``offset``, every page is fetched and the
        DataFrame is typed from the result metadata; with them, that one page, typed. Other
        return types give the page as the API sends it.
        """
        rt = return_type or self._client.return_type
        if rt == "pandas" and not options.get("iterator"):
            if limit is None and offset is None:
                return self._client.question_results(cleanroom_question_run_id)
            from .habu_frames import result_frame

            page = self.method("get_data")(
                cleanroom_question_run_id, limit=limit, offset=offset, return_type="raw", **options
            )
            return result_frame(_payload(page) or {})
        kwargs = {k: v for k, v in (("limit", limit), ("offset", offset)) if v is not None}
        return self.method("get_data")(
            cleanroom_question_run_id, return_type=rt, **kwargs, **options
        )


RESOURCE_CLASSES: dict[str, type] = {"cleanroom_question_runs": HabuQuestionRuns}


# ------------------------------------------------------------------------------ async client


class AsyncHabuClient(_HabuSettings, AsyncClient):
    """The awaitable twin of :class:`HabuClient` (same workflows, same rules)."""

    async def create_question_run(
        self, cleanroom_question_id: str, name: str, parameters: Mapping[str, str] | None = None
    ) -> Any:
        """See :meth:`HabuClient.create_question_run`."""
        _require_uuid(cleanroom_question_id, "cleanroom_question_id", "create_question_run")
        params = _check_run_args(name, parameters)
        create = self.resource("cleanroom_questions").method("create_run")
        attempts = 0
        waited = 0.0
        while True:
            pause = self._ledger.wait_needed()
            if pause:
                waited += pause
                self._guard_rate_wait(waited, cleanroom_question_id)
                await self.clock.asleep(pause)
            try:
                run = await create(cleanroom_question_id, name=name, parameters=params)
            except RateLimitError:
                pause = self._ledger.after_429()
                waited += pause
                self._guard_rate_wait(waited, cleanroom_question_id)
                await self.clock.asleep(pause)
                continue
            except Exception as exc:
                if not _ambiguous(exc):
                    raise
                attempts += 1
                found = await self.find_question_run(cleanroom_question_id, name)
                if found is not None:
                    self._ledger.record()
                    return found
                if attempts >= self.max_create_attempts:
                    raise
                continue
            self._ledger.record()
            return run

    async def find_question_run(self, cleanroom_question_id: str, name: str) -> Any:
        runs = self.resource("cleanroom_question_runs").method("list")
        since = (datetime.fromtimestamp(self.clock.time(), UTC) - timedelta(days=1)).date()
        offset = 0
        while True:
            page = await runs(
                cleanroom_question_id, start_date=since.isoformat(), limit=100, offset=offset
            )
            found = _matching_run(page, name)
            if found is not None or len(page) < 100:
                return found
            offset += 100

    async def wait_for_question_run(
        self,
        run_id: str,
        *,
        poll_interval: float | None = None,
        timeout: float | None = None,
        progress: bool | None = None,
    ) -> Any:
        """See :meth:`HabuClient.wait_for_question_run`."""
        from ..polling import await_for

        _require_uuid(run_id, "run_id", "wait_for_question_run")
        get = self.resource("cleanroom_question_runs").method("get")
        try:
            return await await_for(
                lambda: get(run_id),
                get.operation.waiter,
                clock=self.clock,
                what=f"question run {run_id}",
                **self._poll_options(poll_interval, timeout, progress),
            )
        except WaiterError as exc:
            if exc.state in _TERMINAL_FAILURES:
                raise _failure(exc.payload, "question run") from None
            raise

    async def run_question(
        self,
        cleanroom_question_id: str,
        name: str | None = None,
        parameters: Mapping[str, str] | None = None,
        *,
        wait: bool = True,
        poll_interval: float | None = None,
        timeout: float | None = None,
        progress: bool | None = None,
    ) -> Any:
        """See :meth:`HabuClient.run_question`."""
        run = await self.create_question_run(cleanroom_question_id, name or _run_name(), parameters)
        if not wait:
            return run
        return await self.wait_for_question_run(
            _payload(run)["id"], poll_interval=poll_interval, timeout=timeout, progress=progress
        )

    async def question_results(
        self, run_id: str, *, page_size: int | None = None, workers: int | None = None
    ) -> pd.DataFrame:
        """See :meth:`HabuClient.question_results` (``workers`` requests in flight)."""
        import asyncio

        _require_uuid(run_id, "run_id", "question_results")
        get_data = self.resource("cleanroom_question_runs").method("get_data")
        size = page_size or self.page_size

        async def fetch(offset: int) -> dict[str, Any]:
            reply = await get_data(run_id, limit=size, offset=offset, return_type="raw")
            return _payload(reply) or {}

        first = await fetch(0)
        builder = ResultFrameBuilder(first.get("metadata") or [])
        rows = first.get("stats") or []
        builder.add(rows)
        offsets = _remaining_offsets(first, len(rows), size)
        if offsets is not None:
            window = workers or self.result_workers
            for start in range(0, len(offsets), window):
                pages = await asyncio.gather(*(fetch(o) for o in offsets[start : start + window]))
                for page in pages:
                    builder.add(page.get("stats") or [])
            return builder.frame()
        offset = len(rows)
        while rows and len(rows) >= size:
            rows = (await fetch(offset)).get("stats") or []
            builder.add(rows)
            offset += len(rows)
        return builder.frame()

    async def create_question(
        self,
        question_details: Mapping[str, Any],
        *,
        cleanroom_id: str | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> str:
        """See :meth:`HabuClient.create_question`."""
        body: dict[str, Any] = {"questionDetails": _with_type_fields(question_details)}
        if settings is not None:
            body["settings"] = dict(settings)
        kwargs = {"clean_room_id": cleanroom_id} if cleanroom_id else {}
        reply = await self.resource("questions").method("create")(
            body=body, return_type="raw", **kwargs
        )
        return _question_id(_payload(reply), self.base_url)

    async def assign_question_datasets(
        self, cleanroom_question_id: str, datasets: Sequence[Mapping[str, Any]]
    ) -> Any:
        """See :meth:`HabuClient.assign_question_datasets`."""
        owners, assignments = _split_assignments(datasets, self.organization)
        crq = self.resource("cleanroom_questions")
        await crq.method("assign_dataset_owners")(cleanroom_question_id, body=owners)
        return await crq.method("assign_datasets")(cleanroom_question_id, body=assignments)

    async def run_flow(
        self,
        cleanroom_id: str,
        flow_id: str,
        name: str | None = None,
        *,
        nodes: Sequence[Mapping[str, Any]] | None = None,
        wait: bool = True,
        poll_interval: float | None = None,
        timeout: float | None = None,
        progress: bool | None = None,
        **body: Any,
    ) -> Any:
        """See :meth:`HabuClient.run_flow`."""
        name = name or _run_name("flow")
        create = self.resource("cleanroom_flow_runs").method("create")
        payload = _flow_payload(name, nodes, body)
        ledger = self._ledger_flow()
        attempts = 0
        waited = 0.0
        while True:
            pause = ledger.wait_needed()
            if pause:
                waited += pause
                self._guard_rate_wait(waited, flow_id)
                await self.clock.asleep(pause)
            try:
                run = await create(cleanroom_id, flow_id, body=payload)
                break
            except RateLimitError:
                pause = ledger.after_429()
                waited += pause
                self._guard_rate_wait(waited, flow_id)
                await self.clock.asleep(pause)
            except Exception as exc:
                if not _ambiguous(exc):
                    raise
                attempts += 1
                listing = self.resource("cleanroom_flow_runs").method("list")
                reply = await listing(
                    cleanroom_id, flow_id, search=name, limit=100, return_type="raw"
                )
                found = _matching_run((_payload(reply) or {}).get("cleanRoomFlowRuns") or [], name)
                if found is not None:
                    run = found
                    break
                if attempts >= self.max_create_attempts:
                    raise
        ledger.record()
        if not wait:
            return run
        from ..polling import await_for

        get = self.resource("cleanroom_flow_runs").method("get")
        run_id = _payload(run)["id"]
        try:
            return await await_for(
                lambda: get(cleanroom_id, run_id),
                get.operation.waiter,
                clock=self.clock,
                what=f"flow run {run_id}",
                **self._poll_options(poll_interval, timeout, progress),
            )
        except WaiterError as exc:
            if exc.state in _TERMINAL_FAILURES:
                raise _failure(exc.payload, "flow run") from None
            raise

    async def flow_report(
        self, cleanroom_id: str, flow_run_id: str, node: str, *, page_size: int | None = None
    ) -> pd.DataFrame:
        """See :meth:`HabuClient.flow_report`."""
        get_report = self.resource("cleanroom_flow_runs").method("get_report")
        size = page_size or self.page_size
        rows: list[dict[str, Any]] = []
        offset = 0
        while True:
            reply = await get_report(
                cleanroom_id,
                flow_run_id,
                node=node,
                limit=size,
                offset=offset,
                return_type="raw",
            )
            stats = (_payload(reply) or {}).get("recordStats") or []
            rows.extend(_flatten_record(stat) for stat in stats)
            offset += len(stats)
            if len(stats) < size:
                break
        return _report_frame(rows)


class AsyncHabuQuestionRuns(AsyncResource):
    """``client.cleanroom_question_runs`` on the async client (typed ``get_data``)."""

    async def get_data(
        self,
        cleanroom_question_run_id: str,
        *,
        limit: int | None = None,
        offset: int | None = None,
        return_type: str | None = None,
        **options: Any,
    ) -> Any:
        rt = return_type or self._client.return_type
        if rt == "pandas" and not options.get("iterator"):
            if limit is None and offset is None:
                return await self._client.question_results(cleanroom_question_run_id)
            from .habu_frames import result_frame

            page = await self.method("get_data")(
                cleanroom_question_run_id, limit=limit, offset=offset, return_type="raw", **options
            )
            return result_frame(_payload(page) or {})
        kwargs = {k: v for k, v in (("limit", limit), ("offset", offset)) if v is not None}
        return await self.method("get_data")(
            cleanroom_question_run_id, return_type=rt, **kwargs, **options
        )


ASYNC_RESOURCE_CLASSES: dict[str, type] = {"cleanroom_question_runs": AsyncHabuQuestionRuns}


# ------------------------------------------------------------------------------ demo


def tutorial_question_details(title: str = "Overlap by segment") -> dict[str, Any]:
    """A small analytical question in the shape the tutorial's step 5 creates."""
    return {
        "title": title,
        "category": "Overlap",
        "description": "Reach and spend by segment and day.",
        "tags": ["demo"],
        "hasDateParameters": False,
        "hasDateFilter": False,
        "isAnalytics": True,
        "isUserListQuestion": False,
        "isCleanComputeQuestion": False,
        "hasMultipleOutputs": False,
        "outputFormat": "REPORT",
        "visualization": "NO_CHART",
        "queryDetails": [
            {
                "query": "SELECT segment, day, COUNT(*) AS reach FROM @exposures GROUP BY 1, 2",
                "cleanRoomType": "Hybrid",
                "queryLanguage": "SQL",
            }
        ],
        "dataTypes": [
            {
                "macro": "@exposures",
                "importDataType": "AdExposure",
                "dataSetTypeFields": [{"name": "segment", "type": "STRING"}],
            }
        ],
        "parameters": [],
        "dimensions": [{"name": "segment", "type": "STRING"}, {"name": "day", "type": "DATE"}],
        "measures": [
            {"name": "reach", "type": "LONG", "isIdentity": False, "noise": False},
            {"name": "spend", "type": "DECIMAL", "isIdentity": False, "noise": False},
        ],
        "userListOutputs": [],
    }


def demo(client: HabuClient, echo: Callable[[str], None]) -> None:
    """The tutorial end to end: clean room, data connection, field mapping, dataset, question,
    attach, dataset owners and assignment, run, wait, results; then a flow run and its report."""
    stamp = uuid.uuid4().hex[:6]
    room = client.cleanrooms.create(
        name=f"specclient demo {stamp}",
        description="Created by specclient demo",
        start_at=datetime.now(UTC).date().isoformat(),
        type="Hybrid",
        parameters={"REGION": "REGION_US", "CLOUD": "CLOUD_AWS", "ENABLE_EXPORT": "false"},
    )
    echo(f"clean room      {room.display_id} {room.name}")
    connection = client.data_connections.create(
        name=f"exposures {stamp}", category="Ad Exposure", data_type={"displayName": "Ad Exposure"}
    )
    fields = client.data_connections.list_field_configurations(connection.id)
    client.data_connections.map_field_configurations(
        connection.id,
        body=[
            {
                "fieldName": f.field_name,
                "dataType": f.data_type,
                "isExcluded": False,
                "isPii": f.field_name == "email_sha256",
                "isUserIdField": f.field_name == "email_sha256",
                "identifierType": "Hashed Emails" if f.field_name == "email_sha256" else "",
                "delimiter": "",
            }
            for f in fields
        ],
    )
    echo(f"data connection {connection.name}: {len(fields)} fields mapped")
    dataset = client.cleanroom_datasets.configure(
        room.id, data_connection_id=connection.id, body={"rampIDConsent": False}
    )
    echo(f"dataset         {dataset.name} provisioned")
    question_id = client.create_question(tutorial_question_details(), cleanroom_id=room.id)
    crq = client.cleanroom_questions.add(room.id, question_id=question_id, is_editable=True)
    client.assign_question_datasets(crq.id, [{"macro": "@exposures", "dataset_id": dataset.id}])
    echo(f"question        {crq.display_id} attached, datasets assigned")
    run = client.run_question(
        crq.id, name=f"demo run {stamp}", parameters={"region": "US"}, progress=False
    )
    echo(f"run             {run.name}: {run.status}")
    frame = client.question_results(run.id)
    echo(f"results         {len(frame)} rows, columns {', '.join(frame.columns)}")
    flow = client.cleanroom_flows.create(
        room.id, flow_name=f"demo flow {stamp}", nodes=[{"nodeIdentifier": crq.id}]
    )
    flow_run = client.run_flow(room.id, flow.flow_id, name=f"demo flow run {stamp}", progress=False)
    nodes = client.cleanroom_flow_runs.list_output_nodes(room.id, flow_run.id)
    report = client.flow_report(room.id, flow_run.id, nodes[0].node.id)
    echo(f"flow run        {flow_run.name}: {flow_run.status}, report {len(report)} rows")
