"""Habu's workflows of many calls, written once for :class:`HabuClient` and
:class:`AsyncHabuClient`.

Each workflow is a generator that yields its steps (call a spec method, sleep, wait for a run,
fetch these pages) to a driver in :mod:`specclient.platforms._flows`: the sync client does each
step, the async client awaits it. The exactly-once create-run, the platform's polling cadence and
the result paging exist once; :mod:`specclient.platforms.habu` holds the thin public classes.
"""

from __future__ import annotations

import os
import re
import sys
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ...clock import Clock
from ...errors import (
    APIError,
    ParameterError,
    RateLimitError,
    ServerError,
    TransportError,
)
from ...options import replace
from ...tables.outputs import TABLE_RETURN_TYPES, deliver, table_output
from .._batches import Emit, into
from .._flows import Call, Fan, Flow, Follow, Sleep, Workflows, workflow
from .frames import first_keys, result_columns
from .futures import HabuRunTracker, QuestionRunFailed, future_classes

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_MAX_POLL_INTERVAL",
    "DEFAULT_RUN_TIMEOUT",
    "RUN_CREATE_LIMIT",
    "RUN_CREATE_WINDOW",
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_RESULT_PAGE_SIZE",
    "DEFAULT_RESULT_WORKERS",
    "QuestionRunFailed",
]

#: The platform's guidance: at most once per run every 5 minutes (20 polls per object per hour).
DEFAULT_POLL_INTERVAL = 300.0
DEFAULT_MAX_POLL_INTERVAL = 900.0
DEFAULT_RUN_TIMEOUT = 72_000.0  # LiveRamp's SDK: 240 polls x 300 s
#: Documented: 20 create-run calls per rolling hour per API user, organization and IP.
RUN_CREATE_LIMIT = 20
RUN_CREATE_WINDOW = 3600.0
#: Rows per report request: the API's own default page size.
DEFAULT_PAGE_SIZE = 500
#: Rows per /data request of a question run's result: the largest page the emulator serves
#: (its ``max_data_limit``). The API documents a default of 500 and no maximum; a server that
#: serves fewer rows than asked is stepped through by what it gave (``_remaining_offsets``),
#: so asking for more is safe. 20x fewer requests than 500-row pages.
DEFAULT_RESULT_PAGE_SIZE = 10_000
#: /data requests in flight at once once the row count is known. Pages are independent, so
#: a few in flight hide the round trip; kept small because the service documents no limit.
DEFAULT_RESULT_WORKERS = 4


# ------------------------------------------------------------------------------ helpers


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


#: a status line on stderr (True), none (False), the default (None: when stderr is a
#: terminal), or a callback given each state change (a specclient.futures.RunProgress)
Progress = bool | Callable[[Any], Any] | None

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


def _require_count(value: Any, argument: str, where: str) -> int | None:
    """``page_size``/``workers``: a whole number >= 1, or None for the default. Checked before
    any ``value or default``, which would quietly turn 0 into the default."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParameterError(
            where, f"{argument} must be a whole number >= 1, got {value!r}", argument
        )
    return value


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


def _matching_run(
    runs: Iterable[Any],
    name: str,
    known: frozenset[str] = frozenset(),
    parameters: Mapping[str, str] | None = None,
) -> Any:
    """The first run named ``name`` that is not one of the ``known`` ids (runs that existed
    before this call) and, when given, was made with these ``parameters``."""
    for run in runs:
        body = _payload(run)
        if not isinstance(body, Mapping) or body.get("name") != name or body.get("id") in known:
            continue
        if parameters is not None and dict(body.get("parameters") or {}) != dict(parameters):
            continue
        return run
    return None


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


# ------------------------------------------------------------------------------ the flows


class _HabuFlows(Workflows):
    """Settings and workflows the sync and async Habu clients share. No I/O here: the flows
    yield their steps and the client's driver does them."""

    organization: str | None = None
    poll_interval: float = DEFAULT_POLL_INTERVAL
    page_size: int | None = None  # None: each kind of page has its own default
    result_workers: int = DEFAULT_RESULT_WORKERS
    progress: Progress = None
    max_create_attempts: int = 3
    rate_limit_timeout: float = 2 * RUN_CREATE_WINDOW
    clock: Clock
    _ledger: _RunLedger
    _flow_ledger: _RunLedger

    if TYPE_CHECKING:

        @property
        def base_url(self) -> str: ...

        @property
        def settings(self) -> Mapping[str, Any]: ...

        def resource(self, name: str) -> Any: ...

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The platform's settings arrive validated in the client's options (connect("habu")
        # filled the defaults); a client built another way gets the defaults here.
        settings: Mapping[str, Any] = self.settings
        self.organization = settings.get("organization")
        self.poll_interval = settings.get("poll_interval", DEFAULT_POLL_INTERVAL)
        self.page_size = settings.get("page_size")
        self.result_workers = settings.get("result_workers", DEFAULT_RESULT_WORKERS)
        self.progress = settings.get("progress")
        self._ledger = _RunLedger(settings.get("run_create_limit", RUN_CREATE_LIMIT), self.clock)

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
        self, poll_interval: float | None, timeout: float | None, progress: Progress
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

    # -- the flows: generators of steps, driven by HabuClient / AsyncHabuClient ----------------

    def _create_once_flow(
        self, ledger: _RunLedger, target_id: str, create: Call, find: Callable[[], Flow]
    ) -> Flow:
        """Send ``create`` once, never twice: after an ambiguous failure ``find`` looks for the
        run by name and only when there is none is the create sent again. A 429 (no
        ``Retry-After`` on this platform) waits for the hourly budget to free up."""
        attempts = 0
        waited = 0.0
        while True:
            pause = ledger.wait_needed()
            if pause:
                waited += pause
                self._guard_rate_wait(waited, target_id)
                yield Sleep(pause)
            try:
                run = yield create
            except RateLimitError:
                pause = ledger.after_429()
                waited += pause
                self._guard_rate_wait(waited, target_id)
                yield Sleep(pause)
                continue
            except Exception as exc:
                if not _ambiguous(exc):
                    raise
                attempts += 1
                found = yield from find()
                if found is None:
                    if attempts >= self.max_create_attempts:
                        raise
                    continue
                run = found
            ledger.record()
            return run

    def _follow_flow(
        self,
        get: Call,
        kind: str,
        run_id: str,
        wait: bool,
        poll_interval: float | None,
        timeout: float | None,
        progress: Progress,
        extras: Mapping[str, Any] | None = None,
    ) -> Flow:
        """A future on the run, polled with ``get`` at the platform's cadence; with ``wait``,
        its ``result(timeout)``. A failed run raises :class:`QuestionRunFailed`."""
        resource, _, method = get.method.partition(".")
        waiter = self.resource(resource).method(method).operation.waiter
        options = self._poll_options(poll_interval, timeout, progress)
        waiter = replace(waiter, delay=options["delay"], max_delay=options["max_delay"])
        sync_future, async_future = future_classes(kind)
        show = options["progress"]
        return (
            yield Follow(
                get,
                waiter,
                {
                    "run_id": run_id,
                    "kind": kind,
                    "progress": sys.stderr.isatty() if show is None else show,
                },
                tracker=HabuRunTracker,
                future=sync_future,
                async_future=async_future,
                extras={"client": self, **(extras or {})},
                wait=wait,
                timeout=options["timeout"],
            )
        )

    def _create_question_run_flow(
        self,
        cleanroom_question_id: str,
        name: str,
        parameters: Mapping[str, str] | None,
        *,
        fresh_name: bool = False,
    ) -> Flow:
        _require_uuid(cleanroom_question_id, "cleanroom_question_id", "create_question_run")
        params = _check_run_args(name, parameters)
        create = Call(
            "cleanroom_questions.create_run",
            (cleanroom_question_id,),
            {"name": name, "parameters": params},
        )
        # A name the caller chose may already belong to earlier runs; those are noted first,
        # so that after a lost reply only a run made by this call (a new id, these
        # parameters) is taken as ours. A generated name is new by construction.
        known: frozenset[str] = frozenset()
        if not fresh_name:
            known = frozenset((yield from self._question_run_ids_flow(cleanroom_question_id, name)))
        return (
            yield from self._create_once_flow(
                self._ledger,
                cleanroom_question_id,
                create,
                lambda: self._find_question_run_flow(cleanroom_question_id, name, known, params),
            )
        )

    def _question_runs_flow(self, cleanroom_question_id: str) -> Flow:
        """The question's runs of the last day, every page."""
        since = (datetime.fromtimestamp(self.clock.time(), UTC) - timedelta(days=1)).date()
        runs: list[Any] = []
        while True:
            page = yield Call(
                "cleanroom_question_runs.list",
                (cleanroom_question_id,),
                {"start_date": since.isoformat(), "limit": 100, "offset": len(runs)},
            )
            runs.extend(page)
            if len(page) < 100:
                return runs

    def _question_run_ids_flow(self, cleanroom_question_id: str, name: str) -> Flow:
        runs = yield from self._question_runs_flow(cleanroom_question_id)
        return [_payload(run).get("id") for run in runs if _payload(run).get("name") == name]

    def _find_question_run_flow(
        self,
        cleanroom_question_id: str,
        name: str,
        known: frozenset[str] = frozenset(),
        parameters: Mapping[str, str] | None = None,
    ) -> Flow:
        runs = yield from self._question_runs_flow(cleanroom_question_id)
        return _matching_run(runs, name, known, parameters)

    def _run_question_flow(
        self,
        cleanroom_question_id: str,
        name: str | None,
        parameters: Mapping[str, str] | None,
        wait: bool,
        poll_interval: float | None,
        timeout: float | None,
        progress: Progress,
    ) -> Flow:
        run = yield from self._create_question_run_flow(
            cleanroom_question_id, name or _run_name(), parameters, fresh_name=name is None
        )
        return (
            yield from self._follow_flow(
                Call("cleanroom_question_runs.get", (_payload(run)["id"],)),
                "question run",
                _payload(run)["id"],
                wait,
                poll_interval,
                timeout,
                progress,
                {"run": run},
            )
        )

    def _result_pages_flow(
        self,
        run_id: str,
        page_size: int | None,
        workers: int | None,
        progress: bool | None = False,
    ) -> Flow:
        """Every page of a run's result as an :class:`Emit` of a typed batch, in order;
        returns the columns (from the first page's metadata). ``progress``: a bar of the rows
        read, out of the first page's ``count``."""
        from ...tables.decode import batch_from_json
        from .._progress import rows_bar

        _require_uuid(run_id, "run_id", "question_results")
        size = _require_count(page_size, "page_size", "question_results")
        size = size or self.page_size or DEFAULT_RESULT_PAGE_SIZE
        workers = _require_count(workers, "workers", "question_results") or self.result_workers

        def page(offset: int) -> Call:
            kwargs = {"limit": size, "offset": offset, "return_type": "raw"}
            return Call("cleanroom_question_runs.get_data", (run_id,), kwargs)

        reply = yield page(0)
        first = _payload(reply) or {}
        columns = result_columns(first.get("metadata") or [], first_keys(first))
        count = first.get("count")
        bar = rows_bar(count if isinstance(count, int) else 0, progress, "reading")

        def decoded(reply: Any) -> Any:
            batch = batch_from_json(getattr(reply, "content", b""), "stats", columns)
            bar.update(batch.num_rows)
            return batch

        try:
            got = len(first.get("stats") or [])
            yield Emit(decoded(reply))
            offsets = _remaining_offsets(first, got, size)
            if offsets is not None:
                # the pages are independent: several in flight (see Fan), emitted in order; a
                # window of 2 x workers pages bounds what is held before it is emitted (one
                # page at a time with one worker, so a lazy reader fetches only what it takes)
                window = 2 * workers if workers > 1 else 1
                for start in range(0, len(offsets), window):
                    replies: list[Any] = []
                    chunk = offsets[start : start + window]
                    yield Fan([page(offset) for offset in chunk], workers, replies.append)
                    for one in replies:
                        yield Emit(decoded(one))
                return columns
            offset = got
            while got and got >= size:
                batch = decoded((yield page(offset)))
                yield Emit(batch)
                got = batch.num_rows
                offset += got
            return columns
        finally:
            bar.close()

    def _question_results_flow(
        self,
        run_id: str,
        page_size: int | None,
        workers: int | None,
        return_type: str | None = None,
        to_parquet: Any = None,
        to_csv: Any = None,
        progress: bool | None = False,
    ) -> Flow:
        if return_type == "dask":
            return (yield from self._result_dask_flow(run_id, page_size, workers))
        output = table_output("question_results", return_type, to_parquet, to_csv)
        pages = self._result_pages_flow(run_id, page_size, workers, progress)
        columns = yield from into(pages, output.sink)
        return deliver(output, columns)

    def _result_dask_flow(self, run_id: str, page_size: int | None, workers: int | None) -> Flow:
        """One row for the metadata and the count; the partitions fetch the rest."""
        from .partitions import dask_frame, first_page_facts, partitions

        _require_uuid(run_id, "run_id", "question_results")
        size = _require_count(page_size, "page_size", "question_results")
        size = size or self.page_size or DEFAULT_RESULT_PAGE_SIZE
        budget = _require_count(workers, "workers", "question_results") or self.result_workers
        kwargs = {"limit": 1, "offset": 0, "return_type": "raw"}
        first = _payload((yield Call("cleanroom_question_runs.get_data", (run_id,), kwargs)))
        total, metadata = first_page_facts(first or {})
        columns = result_columns(metadata, first_keys(first or {}))
        pieces = list(partitions(self.base_url, run_id, total, size, columns, budget))
        return dask_frame(pieces, columns)

    def _create_question_flow(
        self,
        question_details: Mapping[str, Any],
        cleanroom_id: str | None,
        settings: Mapping[str, Any] | None,
    ) -> Flow:
        details = _with_type_fields(question_details)
        body: dict[str, Any] = {"questionDetails": details}
        if settings is not None:
            body["settings"] = dict(settings)
        kwargs = {"clean_room_id": cleanroom_id} if cleanroom_id else {}
        create = Call("questions.create", (), {"body": body, "return_type": "raw", **kwargs})
        return _question_id(_payload((yield create)), self.base_url)

    def _assign_question_datasets_flow(
        self, cleanroom_question_id: str, datasets: Sequence[Mapping[str, Any]]
    ) -> Flow:
        owners, assignments = _split_assignments(datasets, self.organization)
        yield Call(
            "cleanroom_questions.assign_dataset_owners", (cleanroom_question_id,), {"body": owners}
        )
        return (
            yield Call(
                "cleanroom_questions.assign_datasets",
                (cleanroom_question_id,),
                {"body": assignments},
            )
        )

    def _run_flow_flow(
        self,
        cleanroom_id: str,
        flow_id: str,
        name: str | None,
        nodes: Sequence[Mapping[str, Any]] | None,
        wait: bool,
        poll_interval: float | None,
        timeout: float | None,
        progress: Progress,
        body: Mapping[str, Any],
    ) -> Flow:
        run_name = name or _run_name("flow")
        create = Call(
            "cleanroom_flow_runs.create",
            (cleanroom_id, flow_id),
            {"body": _flow_payload(run_name, nodes, body)},
        )

        def named() -> Flow:
            reply = yield Call(
                "cleanroom_flow_runs.list",
                (cleanroom_id, flow_id),
                {"search": run_name, "limit": 100, "return_type": "raw"},
            )
            return (_payload(reply) or {}).get("cleanRoomFlowRuns") or []

        # as for question runs: runs already bearing a caller's name are not ours
        known: frozenset[str] = frozenset()
        if name is not None:
            known = frozenset(_payload(r).get("id") for r in (yield from named()))

        def find() -> Flow:
            return _matching_run((yield from named()), run_name, known)

        run = yield from self._create_once_flow(self._ledger_flow(), flow_id, create, find)
        run_id = _payload(run)["id"]
        get = Call("cleanroom_flow_runs.get", (cleanroom_id, run_id))
        return (
            yield from self._follow_flow(
                get,
                "flow run",
                run_id,
                wait,
                poll_interval,
                timeout,
                progress,
                {"cleanroom_id": cleanroom_id, "run": run},
            )
        )

    def _flow_report_flow(
        self, cleanroom_id: str, flow_run_id: str, node: str, page_size: int | None
    ) -> Flow:
        size = _require_count(page_size, "page_size", "flow_report")
        size = size or self.page_size or DEFAULT_PAGE_SIZE
        rows: list[dict[str, Any]] = []
        offset = 0
        while True:
            reply = yield Call(
                "cleanroom_flow_runs.get_report",
                (cleanroom_id, flow_run_id),
                {"node": node, "limit": size, "offset": offset, "return_type": "raw"},
            )
            stats = (_payload(reply) or {}).get("recordStats") or []
            rows.extend(_flatten_record(stat) for stat in stats)
            offset += len(stats)
            if len(stats) < size:
                break
        return _report_frame(rows)

    # == the workflows both clients offer (signature and docstring here, once) ==============

    # -- question runs ---------------------------------------------------------------------------

    @workflow
    def create_question_run(
        self, cleanroom_question_id: str, name: str, parameters: Mapping[str, str] | None = None
    ) -> Flow[Any]:
        """Start one run of a clean-room question, never two.

        create-run has no idempotency key, so a reply lost to a dropped connection, a timeout
        or a 5xx is not retried blindly: the question's runs are listed and a run with this
        ``name`` is taken as ours. Only when none exists is the create sent again. A 429 (no
        ``Retry-After`` on this platform) waits for the hourly budget to free up.
        """
        return (yield from self._create_question_run_flow(cleanroom_question_id, name, parameters))

    @workflow
    def find_question_run(self, cleanroom_question_id: str, name: str) -> Flow[Any]:
        """The most recent run of the question with this ``name`` (submitted in the last 2
        days), or ``None``."""
        return (yield from self._find_question_run_flow(cleanroom_question_id, name))

    @workflow
    def wait_for_question_run(
        self,
        run_id: str,
        *,
        poll_interval: float | None = None,
        timeout: float | None = None,
        progress: Progress = None,
    ) -> Flow[Any]:
        """Poll a run until COMPLETED (returned) or FAILED / ERROR / CANCELLED (raised as
        :class:`QuestionRunFailed` with ``failureReason``): a future's ``result(timeout)``."""
        _require_uuid(run_id, "run_id", "wait_for_question_run")
        get = Call("cleanroom_question_runs.get", (run_id,))
        return (
            yield from self._follow_flow(
                get, "question run", run_id, True, poll_interval, timeout, progress, {"run": None}
            )
        )

    @workflow
    def run_question(
        self,
        cleanroom_question_id: str,
        name: str | None = None,
        parameters: Mapping[str, str] | None = None,
        *,
        wait: bool = True,
        poll_interval: float | None = None,
        timeout: float | None = None,
        progress: Progress = None,
    ) -> Flow[Any]:
        """Run a clean-room question: a future on the run, or by default its outcome.

        The run is created (never twice, see :meth:`create_question_run`) and followed by a
        :class:`~specclient.platforms.habu.futures.QuestionRunFuture` (a
        ``concurrent.futures.Future``; ``future.frame()`` gives the result rows, ``future.run``
        the run as created). ``wait=True`` (the default) is a thin call to
        ``future.result(timeout)``.

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
            Wait until the run ends (default). ``False`` returns the future at once (on the
            async client an :class:`~specclient.futures.AsyncRunFuture` twin).
        poll_interval : float, optional
            Seconds between polls (default: the client's, 300).
        timeout : float, optional
            Give up waiting after this many seconds (default 20 h).
        progress : bool, optional
            Show the status on stderr (default: when it is a terminal).

        Returns
        -------
        Response or QuestionRunFuture
            With ``wait``, the run as COMPLETED (``id``, ``status``, ``completedAt``, ...);
            without, the future.

        Raises
        ------
        QuestionRunFailed
            The run ended FAILED, ERROR or CANCELLED (a :class:`~specclient.errors.RunFailed`);
            ``reason`` is its ``failureReason``.
        RunTimeoutError
            ``timeout`` passed first; the run goes on.
        """
        return (
            yield from self._run_question_flow(
                cleanroom_question_id, name, parameters, wait, poll_interval, timeout, progress
            )
        )

    @workflow
    def question_results(
        self,
        run_id: str,
        *,
        page_size: int | None = None,
        workers: int | None = None,
        return_type: str | None = None,
        to_parquet: str | os.PathLike[str] | None = None,
        to_csv: str | os.PathLike[str] | None = None,
        progress: bool | None = None,
    ) -> Flow[Any]:
        """Every row of a completed run, typed from the result metadata.

        Each page is decoded from its bytes into a typed Arrow batch as it arrives. The first
        page says how many rows there are (``count``); the other pages are then fetched
        ``workers`` at a time (default: the client's ``result_workers``, 4) and kept in
        order. Without a ``count`` the pages are walked one by one until a short page.

        Parameters
        ----------
        page_size : int, optional
            Rows per request (default: the client's ``page_size``, else 10,000).
        return_type : {"pandas", "arrow", "dask"}, optional
            A DataFrame (default), a ``pyarrow.Table``, or a ``dask.dataframe`` whose
            partitions (100,000 rows each) fetch their own pages when computed, on the
            workers, within ``workers`` requests in flight cluster-wide
            (``specclient[dask]``; workers authenticate from their own environment).
        to_parquet, to_csv : path, optional
            Write the rows to this file as pages arrive (one page in memory at a time) and
            return its path. The file appears only once every row is in it.
        progress : bool, optional
            A bar of the rows read; by default only when stderr is a terminal.
        """
        return (
            yield from self._question_results_flow(
                run_id, page_size, workers, return_type, to_parquet, to_csv, progress
            )
        )

    # -- setup steps that must happen in order -----------------------------------------------

    @workflow
    def create_question(
        self,
        question_details: Mapping[str, Any],
        *,
        cleanroom_id: str | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> Flow[str]:
        """Create a question and return its ``questionID``.

        ``dataSetTypeFields`` is filled with ``[]`` where missing (the service fails without it)
        and ``success: false`` on a 200 is raised as an :class:`APIError`.
        """
        return (yield from self._create_question_flow(question_details, cleanroom_id, settings))

    @workflow
    def assign_question_datasets(
        self, cleanroom_question_id: str, datasets: Sequence[Mapping[str, Any]]
    ) -> Flow[Any]:
        """Give each macro of a clean-room question an owner, then its dataset, in that order.

        ``datasets``: ``[{"macro", "dataset_id", "fields": [{"name", "value"}],
        "organization_id" (default: the client's organization), "data_connection_id"}]``.
        """
        return (yield from self._assign_question_datasets_flow(cleanroom_question_id, datasets))

    # -- flows -------------------------------------------------------------------------------------

    @workflow
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
        progress: Progress = None,
        **body: Any,
    ) -> Flow[Any]:
        """Start a flow run (never twice, as :meth:`run_question`): a
        :class:`~specclient.platforms.habu.futures.FlowRunFuture` on it (``future.report(node)``
        reads a node's report), or with ``wait`` (the default) ``future.result(timeout)``."""
        return (
            yield from self._run_flow_flow(
                cleanroom_id, flow_id, name, nodes, wait, poll_interval, timeout, progress, body
            )
        )

    @workflow
    def flow_report(
        self, cleanroom_id: str, flow_run_id: str, node: str, *, page_size: int | None = None
    ) -> Flow[pd.DataFrame]:
        """A flow-run node's report, every page, one row per record (dimensions then facts)."""
        return (yield from self._flow_report_flow(cleanroom_id, flow_run_id, node, page_size))


class _QuestionRunsFlows(Workflows):
    """``cleanroom_question_runs.get_data`` as a flow, for the sync and async resources."""

    client: Any  # the Resource this mixes into provides it

    @workflow
    def get_data(
        self,
        cleanroom_question_run_id: str,
        *,
        limit: int | None = None,
        offset: int | None = None,
        return_type: str | None = None,
        **options: Any,
    ) -> Flow[Any]:
        """Result rows of a run (``GET /cleanroom-question-runs/{id}/data``).

        With ``return_type="pandas"`` and no ``limit``/``offset``, every page is fetched and the
        DataFrame is typed from the result metadata; with them, that one page, typed. Other
        return types give the page as the API sends it.
        """
        return (
            yield from self._get_data_flow(
                cleanroom_question_run_id, limit, offset, return_type, options
            )
        )

    def _get_data_flow(
        self,
        cleanroom_question_run_id: str,
        limit: int | None,
        offset: int | None,
        return_type: str | None,
        options: Mapping[str, Any],
    ) -> Flow:
        rt = return_type or self.client.return_type
        if rt in TABLE_RETURN_TYPES and not options.get("iterator"):
            if limit is None and offset is None:
                return (
                    yield from self.client._question_results_flow(
                        cleanroom_question_run_id, None, None, rt
                    )
                )
            from ...tables.decode import batch_from_json

            output = table_output("get_data", rt)
            kwargs = {"limit": limit, "offset": offset, "return_type": "raw", **options}
            page = yield Call(
                "cleanroom_question_runs.get_data", (cleanroom_question_run_id,), kwargs
            )
            payload = _payload(page) or {}
            columns = result_columns(payload.get("metadata") or [], first_keys(payload))
            output.sink.add(batch_from_json(page.content, "stats", columns))
            return deliver(output, columns)
        given = {k: v for k, v in (("limit", limit), ("offset", offset)) if v is not None}
        return (
            yield Call(
                "cleanroom_question_runs.get_data",
                (cleanroom_question_run_id,),
                {"return_type": rt, **given, **options},
            )
        )
