"""uSmart workflows that take more than one call: upload, new revision, pipelines, catalogue,
and URQL data into DataFrames; written once for the sync and the async client.

Each workflow is a flow (:mod:`specclient.platforms._flows`): a generator that yields the calls
it needs and is sent their replies. The ``*Workflows`` mixins hold them as ``@workflow``
methods; each spec resource has a sync class (``UsmartFiles``) and an async one
(``AsyncUsmartFiles``) made of the same mixin, so both clients have the same methods with the
same signatures and behaviour, and only the driver differs. A ``Call("files.create", ...)``
reaches the spec's own operation even where a workflow shares its name. The client they hang
off knows the organisation GUID and the host of each part of the service.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specclient.client import AsyncResource, Resource
from specclient.errors import (
    APIError,
    ConflictError,
    ForbiddenError,
    ParameterError,
    ServerError,
    SpecClientError,
    TransportError,
)
from specclient.http.retry import RetryPolicy

from .._flows import Call, Flow, Follow, Sleep, Upload, Workflows, workflow
from .futures import (
    PipelineOutcome,
    RefreshFuture,
    RefreshTracker,
    async_refresh_future,
    container_in,
)
from .tables import AsyncDataTables, AsyncFileTables, DataTables, FileTables
from .upload import FileBody, checked_upload_path

if TYPE_CHECKING:
    import pandas as pd

# The engine's one backoff (1, 2, 4, 8 s), without jitter, between a workflow's own re-checks.
_BACKOFF = RetryPolicy(backoff_base=1.0, backoff_max=8.0, jitter=False)

log = logging.getLogger("specclient.usmart")

URQL_WINDOW = 10_000
_GUID_IN_URL = re.compile(r"datasetGUID=([0-9A-Za-z-]+)|discovery-view-detail/([0-9A-Za-z-]+)")
_RESOURCE_IN_URL = re.compile(r"resourceGUID=([0-9A-Za-z-]+)")
# Registering an upload is retried only after the server shows it did not happen.
_AMBIGUOUS = (ServerError, TransportError)
_REGISTER_ATTEMPTS = 4
_PUT_SERVER_RETRIES = 2


class AsyncUsmartResource(AsyncResource):
    """An async uSmart resource (spec methods reach the host their operation names: the
    engine honours operation servers, which ``connect()`` maps with ``servers=``)."""


class UsmartResource(Resource):
    """A uSmart resource (spec methods reach the host their operation names)."""


# -- flows the workflows share ---------------------------------------------------------------------


def _result(response: Any) -> Any:
    """The ``result`` of an action; a reply without one is an error, not a silent None."""
    payload = response.json() if hasattr(response, "json") else response
    if not isinstance(payload, Mapping) or "result" not in payload:
        raise SpecClientError(f"uSmart answered without a 'result': {str(payload)[:200]}")
    return response["result"]


def _action(qualname: str, **arguments: Any) -> Flow:
    """Call one spec action; its ``result``."""
    return _result((yield Call(qualname, (), {**arguments, "return_type": "snake"})))


def _view(dataset_guid: Any) -> Flow:
    """``dataset:view``'s result: the dataset's metadata, files and resource containers."""
    _require_guid("datasets.get", "dataset_guid", dataset_guid)
    return (yield from _action("datasets.view", dataset_guid=dataset_guid))


def _catalogue(private: bool) -> Flow:
    """The DCAT catalogue's dataset entries, as published."""
    reply = yield Call(
        "catalog.private" if private else "catalog.public", (), {"return_type": "raw"}
    )
    return reply.json().get("dataset") or []


def _container_now(dataset_guid: str, guid: str) -> Flow:
    """The container as the server has it now, or None when the dataset cannot be read."""
    try:
        view = yield from _view(dataset_guid)
    except SpecClientError:
        return None
    return container_in(view, guid)


def _client_settings(host: Any) -> tuple[str, Any]:
    """The organisation GUID and hosts the connected client was given."""
    client = host.client
    return client.org_guid, client.hosts


# -- the workflows ---------------------------------------------------------------------------------


class DatasetsWorkflows(Workflows):
    """``client.datasets``: ``view(dataset_guid=...)`` and the helpers below."""

    @workflow
    def get(self, dataset_guid: str) -> Flow[Any]:
        """The dataset's metadata, files and resource containers (``dataset:view``'s result).

        Raises ``NotFoundError`` for an unknown GUID.
        """
        return (yield from _view(dataset_guid))


class FilesWorkflows(Workflows):
    """``client.files``: ``create``/``update_revision`` actions plus upload workflows."""

    @workflow
    def upload(
        self, dataset_guid: str, path: str | os.PathLike[str], *, progress: bool | None = None
    ) -> Flow[Any]:
        """Upload a local file as a new file of a dataset.

        Asks for a signed URL, streams the file to it with a PUT (no uSmart key headers), then
        registers it with ``file:create`` using the bare file name and its size.

        Parameters
        ----------
        dataset_guid : str
            The dataset that gets the file; checked with ``dataset:view`` first.
        path : str or PathLike
            The file. A missing, empty or directory path is refused before any call.
        progress : bool, optional
            Show a progress bar; by default only on a terminal.

        Returns
        -------
        Response
            The new file (``file_guid``, ``file_name``, ``file_size``, ``revision``...).
        """
        file_path, size = checked_upload_path("files.upload", path)
        _require_guid("files.upload", "dataset_guid", dataset_guid)
        yield from _view(dataset_guid)  # unknown GUID: NotFoundError, nothing sent
        reference, name = yield from _put(file_path, size, progress)
        body = {
            "dataset_guid": dataset_guid,
            "reference": reference,
            "file_name": name,
            "file_size": size,
            "action": "file:create",
        }

        def ours(file: Mapping[str, Any]) -> bool:
            return bool(file["reference"] == reference)

        return (yield from _register("files.create", body, dataset_guid, ours))

    @workflow
    def update_revision(
        self,
        file_guid: str,
        path: str | os.PathLike[str],
        *,
        dataset_guid: str | None = None,
        progress: bool | None = None,
    ) -> Flow[Any]:
        """Upload a local file as the new revision of an existing file.

        Parameters
        ----------
        file_guid : str
            The file to replace (see ``datasets.get(...)["files"]``).
        path : str or PathLike
            The new content. A missing, empty or directory path is refused before any call.
        dataset_guid : str, optional
            The file's dataset. Given, the file is looked up with ``dataset:view``; otherwise
            in the private DCAT catalogue. An unknown file is refused before anything uploads.
        progress : bool, optional
            Show a progress bar; by default only on a terminal.

        Returns
        -------
        Response
            The file with its new revision.
        """
        file_path, size = checked_upload_path("files.update_revision", path)
        _require_guid("files.update_revision", "file_guid", file_guid)
        org_guid, _ = _client_settings(self)
        dataset_guid = yield from _dataset_of_file(file_guid, dataset_guid, org_guid)
        reference, name = yield from _put(file_path, size, progress)
        body = {
            "file_guid": file_guid,
            "reference": reference,
            "file_name": name,
            "file_size": size,
            "action": "file:updateRevision",
        }

        def ours(file: Mapping[str, Any]) -> bool:
            return bool(file["file_guid"] == file_guid and file["reference"] == reference)

        return (yield from _register("files.update_revision", body, dataset_guid, ours))


def _put(file_path: Path, size: int, progress: bool | None) -> Flow:
    """Stream the file to a fresh signed URL; returns (reference, bare file name).

    The sender retries the PUT itself on 502/503/504 and dropped connections (PUT is
    idempotent: same URL, same bytes); a 500 is retried here too, as S3 asks for its
    ``InternalError``. A URL that expired meanwhile (403 "Request has expired") gets one
    fresh signed URL.
    """
    name = file_path.name  # never the local path: the UI shows it (UrbanTide's warning)
    body = FileBody(file_path, size, progress=progress)
    signed: Any = None
    fresh_urls = server_retries = 0
    try:
        while True:
            if signed is None:
                signed = yield from _action("uploads.generate_put_request", file_name=name)
            headers = {"Content-Type": signed["content_type"], "Content-Length": str(size)}
            options = {"auth": False, "idempotent": True, "return_type": "raw", "headers": headers}
            try:
                yield Upload("PUT", signed["signed_request"], body, options)
            except ForbiddenError as exc:
                if fresh_urls == 0 and "expired" in (exc.response_excerpt or "").lower():
                    log.info("signed URL expired before the upload; asking for a new one")
                    fresh_urls += 1
                    signed = None
                    continue
                raise
            except ServerError:
                if server_retries >= _PUT_SERVER_RETRIES:
                    raise
                server_retries += 1
                yield Sleep(min(2.0**server_retries, 8.0))
                continue
            log.info("uploaded %s (%d bytes) in %d attempt(s)", name, size, body.attempts)
            return signed["reference"], name
    finally:
        body.close()


def _register(
    qualname: str,
    body: dict[str, Any],
    dataset_guid: str,
    ours: Callable[[Mapping[str, Any]], bool],
) -> Flow:
    """Call ``file:create`` / ``file:updateRevision`` so that it takes effect exactly once.

    After an ambiguous failure (5xx, dropped connection) the dataset is read back: if the file
    with our reference is there (``ours``), the call did happen and is not repeated.
    """

    def already_done() -> Flow:
        view = yield from _view(dataset_guid)
        return next((f for f in view["files"] if ours(f)), None)

    for attempt in range(1, _REGISTER_ATTEMPTS + 1):
        try:
            return (yield from _action(qualname, **body))
        except _AMBIGUOUS as exc:
            done = yield from already_done()
            if done is not None:
                log.info(
                    "%s took effect despite %s; not repeating it", qualname, type(exc).__name__
                )
                return done
            if attempt == _REGISTER_ATTEMPTS:
                raise
            yield Sleep(_BACKOFF.backoff(attempt))
        except ConflictError:
            # The reference was registered by an earlier attempt whose answer was lost.
            done = yield from already_done()
            if done is None:
                raise
            return done
    raise AssertionError("unreachable")  # pragma: no cover


def _dataset_of_container(container_guid: str) -> Flow:
    """The dataset that holds a resource container: an API pipeline's URQL URL in the private
    catalogue names it; other pipelines appear in no URL, so the catalogue's datasets are then
    read one by one."""
    entries = yield from _catalogue(private=True)
    for entry in entries:
        for dist in entry.get("distribution") or []:
            if f"/{container_guid}/" in str(dist.get("accessURL") or ""):
                guid = dataset_guid_of(entry)
                if guid:
                    return guid
    for entry in entries:
        guid = dataset_guid_of(entry)
        if guid and container_in((yield from _view(guid)), container_guid) is not None:
            return guid
    raise ParameterError(
        "pipelines.process",
        f"no resource container {container_guid} in any dataset of the organisation",
        "container_guid",
    )


def _dataset_of_file(file_guid: str, dataset_guid: str | None, org_guid: str) -> Flow:
    if dataset_guid is not None:
        _require_guid("files.update_revision", "dataset_guid", dataset_guid)
        view = yield from _view(dataset_guid)
        if any(f["file_guid"] == file_guid for f in view["files"]):
            return dataset_guid
        raise ParameterError(
            "files.update_revision",
            f"dataset {dataset_guid} has no file {file_guid}",
            "file_guid",
        )
    for entry in (yield from _catalogue(private=True)):
        for dist in entry.get("distribution") or []:
            found = _RESOURCE_IN_URL.search(dist.get("accessURL") or "")
            if found and found.group(1) == file_guid:
                guid = dataset_guid_of(entry)
                if guid:
                    return guid
    raise ParameterError(
        "files.update_revision",
        f"no file {file_guid} in any dataset of organisation {org_guid}",
        "file_guid",
    )


class PipelinesWorkflows(Workflows):
    """``client.pipelines``: output pipelines (resource containers) of datasets."""

    @workflow
    def create(self, dataset_guid: str, pipeline_id: str) -> Flow[Any]:
        """Create an output pipeline (``resourceContainer:create``); returns the container."""
        _require_guid("pipelines.create", "dataset_guid", dataset_guid)
        if not isinstance(pipeline_id, str) or not pipeline_id:
            raise ParameterError(
                "pipelines.create", "pipeline_id must be a non-empty string", "pipeline_id"
            )
        return (
            yield from _action(
                "pipelines.create", dataset_guid=dataset_guid, pipeline_id=pipeline_id
            )
        )

    @workflow
    def process(
        self,
        container_guid: str,
        *,
        dataset_guid: str | None = None,
        wait: bool = False,
        timeout: float = 600.0,
        progress: bool | Callable[[Any], Any] | None = None,
    ) -> Flow[Any]:
        """Re-run one output pipeline (``resourceContainer:process``): a future on its
        processing.

        Processing is asynchronous: the container's ``state`` is ``processing`` until it ends
        ``processed`` (a new ``revision``) or ``failed``. The returned
        :class:`~specclient.futures.RunFuture` (a ``concurrent.futures.Future``, the same kind
        as ``refresh_all(...).pipelines[guid]``) follows ``dataset:view``; its ``result()`` is
        the container as processed, and a failed pipeline raises
        :class:`~specclient.errors.RunFailed` with its ``failureReason``.

        Parameters
        ----------
        container_guid : str
            The output pipeline (resource container) to process.
        dataset_guid : str, optional
            Its dataset. Without it, the dataset is found in the private DCAT catalogue first.
            A container in no dataset is refused before anything is processed.
        wait : bool
            Return ``future.result(timeout)`` instead: the container once processed.
        timeout : float
            Seconds to wait when ``wait`` is true.
        progress : bool or callable, optional
            The future's progress callback (or ``True`` for a status line on stderr).

        Returns
        -------
        RunFuture, or the processed container (``Response``) with ``wait``
        """
        _require_guid("pipelines.process", "container_guid", container_guid)
        if dataset_guid is None:
            dataset_guid = yield from _dataset_of_container(container_guid)
        elif container_in((yield from _view(dataset_guid)), container_guid) is None:
            raise ParameterError(
                "pipelines.process",
                f"dataset {dataset_guid} has no resource container {container_guid}",
                "container_guid",
            )
        yield from _process(container_guid)
        return (
            yield _follow_pipeline(
                dataset_guid, container_guid, 1.0, wait=wait, timeout=timeout, progress=progress
            )
        )

    @workflow
    def refresh_all(
        self,
        dataset_guid: str,
        *,
        echo: Callable[[str], None] | None = None,
        wait: bool = False,
        timeout: float = 600.0,
        progress: bool | Callable[[Any], Any] | None = None,
    ) -> Flow[Any]:
        """Process every output pipeline of a dataset, as after a file change: a future on
        the whole refresh.

        Each pipeline is started with ``resourceContainer:process``, going on past one that
        fails to start; a call whose answer was lost is checked against ``dataset:view`` and
        never run twice. The returned
        :class:`~specclient.platforms.usmart.futures.RefreshFuture` (a
        ``concurrent.futures.Future``) follows ``dataset:view`` until no started pipeline is
        processing: its ``result()`` is one :class:`PipelineOutcome` per resource container,
        in the dataset's order, or it raises :class:`PipelineRefreshError` naming every
        pipeline that failed (``outcomes`` holds all results). ``future.started`` holds the
        outcome of each process call, ``future.pipelines`` a future per started container.

        Parameters
        ----------
        dataset_guid : str
            The dataset whose pipelines to refresh.
        echo : callable, optional
            Called with one short line per pipeline once the refresh has ended.
        wait : bool
            Return ``future.result(timeout)`` instead of the future: the outcomes once every
            pipeline has finished processing.
        timeout : float
            Seconds to wait for the whole refresh when ``wait`` is true.
        progress : bool or callable, optional
            The future's progress callback (or ``True`` for a status line on stderr).

        Returns
        -------
        RefreshFuture, or list of PipelineOutcome with ``wait``
        """
        view = yield from _view(dataset_guid)
        started = []
        for container in view["resource_containers"]:
            started.append((yield from _process_once(dataset_guid, container)))
        pipelines = {}
        if not wait:  # a future per container, for those who follow them one by one
            for outcome in started:
                if outcome.ok:
                    guid = outcome.container_guid
                    pipelines[guid] = yield _follow_pipeline(dataset_guid, guid, 1.0)
        return (
            yield Follow(
                _view_call(dataset_guid),
                _PROCESSING,
                {
                    "dataset_guid": dataset_guid,
                    "started": started,
                    "echo": echo,
                    "progress": progress,
                },
                pick=_result,
                tracker=RefreshTracker,
                future=RefreshFuture,
                async_future=async_refresh_future,
                extras={"started": started, "pipelines": pipelines},
                wait=wait,
                timeout=timeout,
            )
        )

    @workflow
    def wait(
        self, dataset_guid: str, container_guid: str, *, timeout: float = 600.0, delay: float = 1.0
    ) -> Flow[Any]:
        """Poll ``dataset:view`` until a pipeline has finished processing; returns it.

        Raises :class:`~specclient.errors.RunFailed` when it ends ``failed`` (with the failure
        reason) and :class:`~specclient.errors.RunTimeoutError` after ``timeout`` seconds: the
        ``result(timeout)`` of a future on the pipeline. Sleeps go through the client's clock,
        so an emulator-backed client waits without really sleeping.
        """
        return (
            yield _follow_pipeline(dataset_guid, container_guid, delay, wait=True, timeout=timeout)
        )


def _view_call(dataset_guid: str) -> Call:
    return Call("datasets.view", (), {"dataset_guid": dataset_guid, "return_type": "snake"})


def _processing(delay: float) -> Any:
    from specclient.openapi.model import Waiter

    return Waiter(
        field="state",
        success=("processed",),
        failure=("failed",),
        delay=delay,
        max_delay=30.0,
        reason_field="failureReason",
    )


_PROCESSING = _processing(1.0)


def _process(container_guid: Any) -> Flow:
    _require_guid("pipelines.process", "container_guid", container_guid)
    return (yield from _action("pipelines.process", resource_container_guid=container_guid))


def _follow_pipeline(
    dataset_guid: str,
    container_guid: str,
    delay: float,
    *,
    wait: bool = False,
    timeout: float | None = None,
    progress: bool | Callable[[Any], Any] | None = None,
) -> Follow:
    """A future on one container's processing (its result: the container as processed)."""
    _require_guid("pipelines.wait", "container_guid", container_guid)
    _require_guid("datasets.get", "dataset_guid", dataset_guid)

    def container(reply: Any) -> Mapping[str, Any]:
        found = container_in(_result(reply), container_guid)
        if found is None:
            raise ParameterError(
                "pipelines.wait",
                f"dataset {dataset_guid} has no resource container {container_guid}",
                "container_guid",
            )
        return found

    return Follow(
        _view_call(dataset_guid),
        _processing(delay),
        {"run_id": container_guid, "what": f"pipeline {container_guid}", "progress": progress},
        pick=container,
        wait=wait,
        timeout=timeout,
    )


def _process_once(dataset_guid: str, container: Mapping[str, Any]) -> Flow:
    guid = container["resource_container_guid"]
    pipeline = container.get("pipeline_id") or "?"
    before = (container.get("revision"), container.get("processed_at"))
    busy = container.get("state") == "processing"  # started by someone else, before us
    for attempt in range(1, _REGISTER_ATTEMPTS + 1):
        try:
            result = yield from _process(guid)
            return PipelineOutcome(guid, pipeline, True, state=result.get("state"))
        except _AMBIGUOUS as exc:
            now = yield from _container_now(dataset_guid, guid)
            if now is not None and busy and now.get("state") == "processing":
                # processing before the call and after it: the view cannot tell whether this
                # call was applied, so it is neither counted as done nor sent again
                return PipelineOutcome(
                    guid, pipeline, False, state="processing", error=_unknown(guid, exc)
                )
            if (
                now is not None
                and not busy
                and (
                    now.get("state") == "processing"
                    or (now.get("revision"), now.get("processed_at")) != before
                )
            ):
                return PipelineOutcome(guid, pipeline, True, state=now.get("state"))
            if (
                attempt == _REGISTER_ATTEMPTS
                or isinstance(exc, ServerError)
                and _is_handler_failure(exc)
            ):
                return PipelineOutcome(guid, pipeline, False, state="failed", error=_short(exc))
            yield Sleep(_BACKOFF.backoff(attempt))
        except APIError as exc:
            return PipelineOutcome(guid, pipeline, False, error=_short(exc))
    raise AssertionError("unreachable")  # pragma: no cover


class CatalogWorkflows(Workflows):
    """``client.catalog``: the DCAT catalogue, whole (``public()``/``private()``) or as a table."""

    @workflow
    def datasets(self, private: bool = False) -> Flow[pd.DataFrame]:
        """The DCAT catalogue as a DataFrame, one row per dataset.

        Parameters
        ----------
        private : bool
            False: the public catalogue (anonymous). True: every dataset (needs the keys).

        Returns
        -------
        pandas.DataFrame
            ``guid`` (taken from the dataset's ``identifier`` URL, the only place it appears),
            then the DCAT keys as published (``title``, ``accessLevel``, ``modified``...);
            ``api_urls`` lists the URQL endpoints among the distributions.
        """
        if not isinstance(private, bool):
            raise ParameterError("catalog.datasets", "private must be True or False", "private")
        return _catalogue_frame((yield from _catalogue(private)))


def _catalogue_frame(entries: list[Mapping[str, Any]]) -> Any:
    import pandas as pd

    rows = []
    for entry in entries:
        row: dict[str, Any] = {"guid": dataset_guid_of(entry)}
        row.update({k: v for k, v in entry.items() if k != "@type"})
        row["api_urls"] = [
            d.get("accessURL")
            for d in entry.get("distribution") or []
            if str(d.get("accessURL", "")).endswith("/urql")
        ]
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame(
            columns=[
                "guid",
                "title",
                "description",
                "accessLevel",
                "status",
                "modified",
                "distribution",
                "api_urls",
            ]
        )
    for column in ("modified", "issued", "createdAt", "lastModificationDate"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column], utc=True, errors="coerce")
    return frame


class DataWorkflows(Workflows):
    """``client.data``: records of API pipelines through URQL."""

    @workflow
    def query(
        self,
        resource_guid: str,
        *terms: str,
        revision: int | str = "latest",
        where: Mapping[str, Any] | None = None,
        select: str | Iterable[str] | None = None,
        sort: str | Iterable[str] | None = None,
        limit: int | None = None,
        chunk_size: int = 1 << 16,
        return_type: str | None = None,
        to_parquet: str | os.PathLike[str] | None = None,
        to_csv: str | os.PathLike[str] | None = None,
        kinds: Mapping[str, str] | None = None,
    ) -> Flow[Any]:
        """Records of an API resource as a DataFrame.

        Without ``limit`` (or with one past 10,000) the records are fetched with URQL's
        ``limit(-1)`` and parsed as they stream in, since ``limit(n, offset)`` reaches only the
        first 10,000 records.

        Parameters
        ----------
        resource_guid : str
            The API pipeline's resource GUID (``resource_container_guid``).
        *terms : str
            Raw URQL terms, e.g. ``"gt(count,100)"``, ``"in(site,(A,B))"``.
        revision : int or "latest"
            A processed revision; ``latest`` is the newest processed one.
        where : mapping, optional
            Equality filters, sent as ``key=value``.
        select, sort : str or iterable of str, optional
            Columns to keep; sort keys (``"-count"`` for descending). A string is one name or
            a comma list (``"site,-count"``), never split into characters.
        limit : int, optional
            At most this many records.
        return_type : {"pandas", "arrow"}, optional
            The records always go through the table pipeline
            (:mod:`specclient.platforms.usmart.tables`), typed from the first 10,000 records'
            values (or ``kinds``): ``"arrow"`` a ``pyarrow.Table``, ``"pandas"`` a DataFrame
            with nullable dtypes. Not given: that table's ``to_pandas()`` (numpy dtypes:
            ``int64``, ``float64``, ``bool``, strings; a whole-number column with gaps is
            ``float64``).
        to_parquet, to_csv : path, optional
            Write the records there as they stream in (one batch in memory); returns the path.
        kinds : mapping of str to str, optional
            A column's kind (``"integer"``, ``"number"``, ``"string"``...) where the first
            records' values would not say it right.

        Returns
        -------
        pandas.DataFrame
            One row per record, with ``usmart_id``.
        """
        from specclient.tables.outputs import table_output

        from .tables import RecordBatcher, urql_request, urql_table_flow

        read = urql_request(
            self, "data.query", resource_guid, terms, revision, where, select, sort, limit
        )
        # Without return_type the frame is still typed by the pipeline (the columns' kinds),
        # not guessed by pandas from Python objects: the arrow answer's own to_pandas() dtypes.
        default = return_type is None and to_parquet is None and to_csv is None
        output = table_output("data.query", "arrow" if default else return_type, to_parquet, to_csv)
        batcher = RecordBatcher(kinds=kinds, limit=limit)
        answer = yield from urql_table_flow(read, batcher, chunk_size, output)
        return answer.to_pandas() if default else answer


def _field_names(where: str, argument: str, names: str | Iterable[str] | None) -> list[str]:
    """Field names of a ``sort``/``select`` term. A string is one name or a comma list: joined
    as an iterable it would be split into characters (``sort(-,c,o,u,n,t)``)."""
    if names is None:
        return []
    items = names.split(",") if isinstance(names, str) else list(names)
    if not all(isinstance(item, str) and item.strip() for item in items):
        raise ParameterError(
            where,
            f"{argument} must be field names (a list, or one string with commas), not {names!r}",
            argument,
        )
    return [item.strip() for item in items]


# -- the sync and async resource classes: one mixin each, two drivers --------------------------------


class UsmartDatasets(DatasetsWorkflows, UsmartResource):
    """``client.datasets``: the spec's actions plus :meth:`get`."""


class UsmartFiles(FilesWorkflows, FileTables, UsmartResource):
    """``client.files``: the spec's actions plus :meth:`upload` and :meth:`update_revision`."""


class UsmartPipelines(PipelinesWorkflows, UsmartResource):
    """``client.pipelines``: output pipelines (resource containers) of datasets."""


class UsmartCatalog(CatalogWorkflows, UsmartResource):
    """``client.catalog``: the DCAT catalogue, whole or as a table."""


class UsmartData(DataWorkflows, DataTables, UsmartResource):
    """``client.data``: records of API pipelines through URQL."""


class AsyncUsmartDatasets(DatasetsWorkflows, AsyncUsmartResource):
    """``client.datasets`` on the async client (see :class:`UsmartDatasets`)."""


class AsyncUsmartFiles(FilesWorkflows, AsyncFileTables, AsyncUsmartResource):
    """``client.files`` on the async client (see :class:`UsmartFiles`)."""


class AsyncUsmartPipelines(PipelinesWorkflows, AsyncUsmartResource):
    """``client.pipelines`` on the async client (see :class:`UsmartPipelines`)."""


class AsyncUsmartCatalog(CatalogWorkflows, AsyncUsmartResource):
    """``client.catalog`` on the async client (see :class:`UsmartCatalog`)."""


class AsyncUsmartData(DataWorkflows, AsyncDataTables, AsyncUsmartResource):
    """``client.data`` on the async client (see :class:`UsmartData`)."""


class JsonArrayReader:
    """Items of a JSON array, parsed as its bytes arrive, without holding the whole text.

    ``feed(chunk)`` returns the items the chunk completed; ``done`` turns true at the closing
    ``]``; ``end()`` is called when the bytes ran out and refuses an answer cut short. Fed by
    the sync and the async client alike (a reader, not a loop, so the parsing exists once).

    Hand-written over ``json.JSONDecoder.raw_decode`` because no streaming JSON parser is a
    dependency; the array of flat records URQL sends is all it needs to read.
    """

    def __init__(self) -> None:
        self._decoder = json.JSONDecoder()
        self._text = codecs.getincrementaldecoder("utf-8")()  # a character may straddle chunks
        self._buffer = ""
        self._started = False
        self.done = False

    def feed(self, chunk: bytes) -> list[Any]:
        if self.done:
            return []
        items: list[Any] = []
        buffer = self._buffer + self._text.decode(chunk)
        position = 0
        while True:
            while position < len(buffer) and buffer[position] in " \t\r\n,":
                position += 1
            if position >= len(buffer):
                break
            if not self._started:
                if buffer[position] != "[":
                    raise SpecClientError("the data API did not answer with a JSON array")
                self._started = True
                position += 1
                continue
            if buffer[position] == "]":
                self.done = True
                break
            try:
                item, end = self._decoder.raw_decode(buffer, position)
            except json.JSONDecodeError:
                break  # the item is not complete yet
            if end == len(buffer) and not isinstance(item, dict | list | str):
                break  # a number at the very end may still have digits to come
            items.append(item)
            position = end
        self._buffer = "" if self.done else buffer[position:]
        return items

    def end(self) -> None:
        """The bytes ran out: an answer cut short is an error, never a silently shorter table."""
        if not self.done:
            raise SpecClientError("the data API's answer ended before the closing ']' of its array")


def iter_json_array(chunks: Iterable[bytes]) -> Iterator[Any]:
    """Yield the items of a JSON array as its bytes arrive (see :class:`JsonArrayReader`)."""
    reader = JsonArrayReader()
    for chunk in chunks:
        yield from reader.feed(chunk)
        if reader.done:
            return
    reader.end()


def dataset_guid_of(entry: Mapping[str, Any]) -> str | None:
    """The dataset GUID of a DCAT entry: it appears only inside its URLs."""
    for key in ("identifier", "landingPage"):
        found = _GUID_IN_URL.search(str(entry.get(key) or ""))
        if found:
            return found.group(1) or found.group(2)
    return None


def _require_guid(operation: str, name: str, value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ParameterError(operation, f"{name} must be a non-empty GUID string", name)


def _wire(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _unknown(container_guid: str, exc: Exception) -> str:
    return (
        f"the reply to resourceContainer:process was lost ({_short(exc)}) while the pipeline "
        "was already processing (started before this call), so it may or may not have been "
        "queued again; once it is no longer processing, check its revision and processedAt "
        f"in dataset:view and call pipelines.process({container_guid!r}) if it still needs it"
    )


def _short(exc: Exception) -> str:
    return str(exc).split(" response: ")[0][:300]


def _is_handler_failure(exc: ServerError) -> bool:
    """A 5xx whose body says the pipeline itself failed (not a proxy or a fault)."""
    body = exc.body if isinstance(exc.body, Mapping) else {}
    return body.get("error") == "ProcessingFailed"
