"""uSmart workflows that take more than one call: upload, new revision, pipelines, catalogue,
and URQL data into DataFrames.

Each class is the ``Resource`` of one spec resource with workflow methods added;
``self.method("create")`` reaches the spec's own operation when a workflow shares its name.
The client they hang off is :class:`specclient.platforms.usmart.UsmartClient`, which knows the
organisation GUID and the host of each part of the service.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from specclient.client import AsyncMethod, AsyncResource, Method, Resource
from specclient.errors import (
    APIError,
    ConflictError,
    ForbiddenError,
    ParameterError,
    ServerError,
    SpecClientError,
    TransportError,
)

from .upload import FileBody, checked_upload_path

if TYPE_CHECKING:
    import pandas as pd

    from . import UsmartClient

log = logging.getLogger("specclient.usmart")

URQL_WINDOW = 10_000
_GUID_IN_URL = re.compile(r"datasetGUID=([0-9A-Za-z-]+)|discovery-view-detail/([0-9A-Za-z-]+)")
_RESOURCE_IN_URL = re.compile(r"resourceGUID=([0-9A-Za-z-]+)")
# Registering an upload is retried only after the server shows it did not happen.
_AMBIGUOUS = (ServerError, TransportError)
_REGISTER_ATTEMPTS = 4
_PUT_SERVER_RETRIES = 2


class PipelineRefreshError(SpecClientError):
    """One or more output pipelines could not be processed; ``outcomes`` has every result."""

    def __init__(self, dataset_guid: str, outcomes: list[PipelineOutcome]) -> None:
        self.dataset_guid = dataset_guid
        self.outcomes = outcomes
        failed = [o for o in outcomes if not o.ok]
        lines = "; ".join(f"{o.pipeline_id} {o.container_guid}: {o.error}" for o in failed)
        super().__init__(
            f"{len(failed)} of {len(outcomes)} pipelines of dataset {dataset_guid} failed: {lines}"
        )


@dataclass(frozen=True)
class PipelineOutcome:
    """What happened to one resource container in :meth:`UsmartPipelines.refresh_all`."""

    container_guid: str
    pipeline_id: str
    ok: bool
    state: str | None = None
    error: str | None = None


class _HostMethod(Method):
    """A spec method that honours the operation's own server (uSmart's api./discovery. hosts).

    ``connect()`` rewrites those servers from ``base_url``, so the emulator's single origin and
    the real service's several hosts both work.
    """

    def _factory(self, parts: Any) -> Any:
        from specclient._request import build_request

        servers = [s for s in self.operation.servers if s.startswith(("http://", "https://"))]
        base = servers[0] if servers else self._client.base_url
        return build_request(
            self.operation, parts, base_url=base, extra_headers=parts.options.get("headers")
        )


class _AsyncHostMethod(AsyncMethod):
    """The async twin of :class:`_HostMethod`."""

    _factory = _HostMethod._factory


class AsyncUsmartResource(AsyncResource):
    """An async uSmart resource: spec methods reach the host their operation names."""

    _method_cls = _AsyncHostMethod


class UsmartResource(Resource):
    """A uSmart resource: spec methods reach the host their operation names."""

    _method_cls = _HostMethod
    _client: UsmartClient

    def _result(self, response: Any) -> Any:
        """The ``result`` of an action; a reply without one is an error, not a silent None."""
        payload = response.json() if hasattr(response, "json") else response
        if not isinstance(payload, Mapping) or "result" not in payload:
            raise SpecClientError(f"uSmart answered without a 'result': {str(payload)[:200]}")
        return response["result"]


class UsmartDatasets(UsmartResource):
    """``client.datasets``: ``view(dataset_guid=...)`` and the helpers below."""

    def get(self, dataset_guid: str) -> Any:
        """The dataset's metadata, files and resource containers (``dataset:view``'s result).

        Raises ``NotFoundError`` for an unknown GUID.
        """
        _require_guid("datasets.get", "dataset_guid", dataset_guid)
        return self._result(self.method("view")(dataset_guid=dataset_guid, return_type="snake"))


class UsmartFiles(UsmartResource):
    """``client.files``: ``create``/``update_revision`` actions plus upload workflows."""

    def upload(
        self, dataset_guid: str, path: str | os.PathLike[str], *, progress: bool | None = None
    ) -> Any:
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
        self._client.datasets.get(dataset_guid)  # unknown GUID: NotFoundError, nothing sent
        reference, name = self._put(file_path, size, progress)
        body = {
            "dataset_guid": dataset_guid,
            "reference": reference,
            "file_name": name,
            "file_size": size,
            "action": "file:create",
        }

        def already_done() -> Any:
            view = self._client.datasets.get(dataset_guid)
            return next((f for f in view["files"] if f["reference"] == reference), None)

        return self._register(self.method("create"), body, already_done)

    def update_revision(
        self,
        file_guid: str,
        path: str | os.PathLike[str],
        *,
        dataset_guid: str | None = None,
        progress: bool | None = None,
    ) -> Any:
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
        dataset_guid = self._dataset_of_file(file_guid, dataset_guid)
        reference, name = self._put(file_path, size, progress)
        body = {
            "file_guid": file_guid,
            "reference": reference,
            "file_name": name,
            "file_size": size,
            "action": "file:updateRevision",
        }

        def already_done() -> Any:
            view = self._client.datasets.get(dataset_guid)
            return next(
                (
                    f
                    for f in view["files"]
                    if f["file_guid"] == file_guid and f["reference"] == reference
                ),
                None,
            )

        return self._register(self.method("update_revision"), body, already_done)

    def download(self, resource_guid: str, *, return_type: str | None = None, **kw: Any) -> Any:
        """The latest revision of a file (bytes, or text for text types)."""
        return self.method("download")(resource_guid=resource_guid, return_type=return_type, **kw)

    # -- steps --------------------------------------------------------------------------

    def _put(self, file_path: Any, size: int, progress: bool | None) -> tuple[str, str]:
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
                    signed = self._result(
                        self._client.uploads.method("generate_put_request")(
                            file_name=name, return_type="snake"
                        )
                    )
                try:
                    self._client.request(
                        "PUT",
                        signed["signed_request"],
                        content=body,
                        auth=False,
                        idempotent=True,
                        return_type="raw",
                        headers={
                            "Content-Type": signed["content_type"],
                            "Content-Length": str(size),
                        },
                    )
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
                    self._client.clock.sleep(min(2.0**server_retries, 8.0))
                    continue
                log.info("uploaded %s (%d bytes) in %d attempt(s)", name, size, body.attempts)
                return signed["reference"], name
        finally:
            body.close()

    def _register(
        self, method: Method, body: dict[str, Any], already_done: Callable[[], Any]
    ) -> Any:
        """Call ``file:create`` / ``file:updateRevision`` so that it takes effect exactly once.

        After an ambiguous failure (5xx, dropped connection) the dataset is read back: if the
        file with our reference is there the call did happen and is not repeated.
        """
        for attempt in range(1, _REGISTER_ATTEMPTS + 1):
            try:
                return self._result(method(**body, return_type="snake"))
            except _AMBIGUOUS as exc:
                done = already_done()
                if done is not None:
                    log.info(
                        "%s took effect despite %s; not repeating it",
                        method.operation.qualname,
                        type(exc).__name__,
                    )
                    return done
                if attempt == _REGISTER_ATTEMPTS:
                    raise
                self._client.clock.sleep(min(2.0 ** (attempt - 1), 8.0))
            except ConflictError:
                # The reference was registered by an earlier attempt whose answer was lost.
                done = already_done()
                if done is None:
                    raise
                return done
        raise AssertionError("unreachable")  # pragma: no cover

    def _dataset_of_file(self, file_guid: str, dataset_guid: str | None) -> str:
        if dataset_guid is not None:
            _require_guid("files.update_revision", "dataset_guid", dataset_guid)
            view = self._client.datasets.get(dataset_guid)
            if any(f["file_guid"] == file_guid for f in view["files"]):
                return dataset_guid
            raise ParameterError(
                "files.update_revision",
                f"dataset {dataset_guid} has no file {file_guid}",
                "file_guid",
            )
        for entry in self._client.catalog.method("private")(return_type="raw").json()["dataset"]:
            for dist in entry.get("distribution") or []:
                found = _RESOURCE_IN_URL.search(dist.get("accessURL") or "")
                if found and found.group(1) == file_guid:
                    guid = dataset_guid_of(entry)
                    if guid:
                        return guid
        raise ParameterError(
            "files.update_revision",
            f"no file {file_guid} in any dataset of organisation {self._client.org_guid}",
            "file_guid",
        )


class UsmartPipelines(UsmartResource):
    """``client.pipelines``: output pipelines (resource containers) of datasets."""

    def create(self, dataset_guid: str, pipeline_id: str) -> Any:
        """Create an output pipeline (``resourceContainer:create``); returns the container."""
        _require_guid("pipelines.create", "dataset_guid", dataset_guid)
        if not isinstance(pipeline_id, str) or not pipeline_id:
            raise ParameterError(
                "pipelines.create", "pipeline_id must be a non-empty string", "pipeline_id"
            )
        return self._result(
            self.method("create")(
                dataset_guid=dataset_guid, pipeline_id=pipeline_id, return_type="snake"
            )
        )

    def process(self, container_guid: str) -> Any:
        """Re-run one output pipeline (``resourceContainer:process``); returns the container.

        Processing is asynchronous: the revision grows when it finishes.
        """
        _require_guid("pipelines.process", "container_guid", container_guid)
        return self._result(
            self.method("process")(resource_container_guid=container_guid, return_type="snake")
        )

    def refresh_all(
        self,
        dataset_guid: str,
        *,
        echo: Callable[[str], None] | None = None,
        wait: bool = False,
        timeout: float = 600.0,
    ) -> list[PipelineOutcome]:
        """Process every output pipeline of a dataset, as after a file change.

        Goes on past a failure; at the end raises :class:`PipelineRefreshError` naming every
        pipeline that failed (its ``outcomes`` holds all results). A call whose answer was
        lost is checked against ``dataset:view`` and never run twice.

        Parameters
        ----------
        dataset_guid : str
            The dataset whose pipelines to refresh.
        echo : callable, optional
            Called with one short line per pipeline as its outcome is known.
        wait : bool
            Also wait until each started pipeline has finished processing (see :meth:`wait`);
            a pipeline that ends ``failed`` counts as a failure.
        timeout : float
            Seconds to wait for each pipeline when ``wait`` is true.

        Returns
        -------
        list of PipelineOutcome
            One per resource container, in the dataset's order.
        """
        view = self._client.datasets.get(dataset_guid)
        outcomes = [self._process_once(dataset_guid, c) for c in view["resource_containers"]]
        if wait:
            outcomes = [self._finished(dataset_guid, o, timeout) if o.ok else o for o in outcomes]
        for outcome in outcomes:
            line = (
                f"{outcome.pipeline_id} {outcome.container_guid}: "
                f"{outcome.state if outcome.ok else 'FAILED ' + str(outcome.error)}"
            )
            log.info("refresh %s", line)
            if echo is not None:
                echo(line)
        if any(not o.ok for o in outcomes):
            raise PipelineRefreshError(dataset_guid, outcomes)
        return outcomes

    def wait(
        self, dataset_guid: str, container_guid: str, *, timeout: float = 600.0, delay: float = 1.0
    ) -> Any:
        """Poll ``dataset:view`` until a pipeline has finished processing; returns it.

        Raises ``WaiterError`` when it ends ``failed`` (with the failure reason) and
        ``WaiterTimeoutError`` after ``timeout`` seconds. Sleeps go through the client's
        clock, so an emulator-backed client waits without really sleeping.
        """
        from specclient.openapi.model import Waiter
        from specclient.polling import wait_for

        _require_guid("pipelines.wait", "container_guid", container_guid)

        def fetch() -> Any:
            found = self._container_now(dataset_guid, container_guid, quiet=False)
            if found is None:
                raise ParameterError(
                    "pipelines.wait",
                    f"dataset {dataset_guid} has no resource container {container_guid}",
                    "container_guid",
                )
            return found

        waiter = Waiter(
            field="state",
            success=("processed",),
            failure=("failed",),
            delay=delay,
            max_delay=30.0,
            timeout=timeout,
            reason_field="failureReason",
        )
        return wait_for(
            fetch,
            waiter,
            clock=self._client.clock,
            progress=False,
            what=f"pipeline {container_guid}",
        )

    def _finished(
        self, dataset_guid: str, outcome: PipelineOutcome, timeout: float
    ) -> PipelineOutcome:
        try:
            done = self.wait(dataset_guid, outcome.container_guid, timeout=timeout)
        except SpecClientError as exc:
            return PipelineOutcome(
                outcome.container_guid,
                outcome.pipeline_id,
                False,
                state=getattr(exc, "state", None),
                error=_short(exc),
            )
        return PipelineOutcome(
            outcome.container_guid, outcome.pipeline_id, True, state=done.get("state")
        )

    def _process_once(self, dataset_guid: str, container: Mapping[str, Any]) -> PipelineOutcome:
        guid = container["resource_container_guid"]
        pipeline = container.get("pipeline_id") or "?"
        before = (container.get("revision"), container.get("processed_at"))
        for attempt in range(1, _REGISTER_ATTEMPTS + 1):
            try:
                result = self.process(guid)
                return PipelineOutcome(guid, pipeline, True, state=result.get("state"))
            except _AMBIGUOUS as exc:
                now = self._container_now(dataset_guid, guid)
                if now is not None and (
                    now.get("state") == "processing"
                    or (now.get("revision"), now.get("processed_at")) != before
                ):
                    return PipelineOutcome(guid, pipeline, True, state=now.get("state"))
                if (
                    attempt == _REGISTER_ATTEMPTS
                    or isinstance(exc, ServerError)
                    and _is_handler_failure(exc)
                ):
                    return PipelineOutcome(guid, pipeline, False, state="failed", error=_short(exc))
                self._client.clock.sleep(min(2.0 ** (attempt - 1), 8.0))
            except APIError as exc:
                return PipelineOutcome(guid, pipeline, False, error=_short(exc))
        raise AssertionError("unreachable")  # pragma: no cover

    def _container_now(
        self, dataset_guid: str, guid: str, *, quiet: bool = True
    ) -> Mapping[str, Any] | None:
        try:
            view = self._client.datasets.get(dataset_guid)
        except SpecClientError:
            if not quiet:
                raise
            return None
        return next(
            (c for c in view["resource_containers"] if c["resource_container_guid"] == guid), None
        )


class UsmartCatalog(UsmartResource):
    """``client.catalog``: the DCAT catalogue, whole (``public()``/``private()``) or as a table."""

    def datasets(self, private: bool = False) -> pd.DataFrame:
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
        import pandas as pd

        if not isinstance(private, bool):
            raise ParameterError("catalog.datasets", "private must be True or False", "private")
        method = self.method("private" if private else "public")
        entries = method(return_type="raw").json().get("dataset") or []
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


class UsmartData(UsmartResource):
    """``client.data``: records of API pipelines through URQL."""

    def query(
        self,
        resource_guid: str,
        *terms: str,
        revision: int | str = "latest",
        where: Mapping[str, Any] | None = None,
        select: Iterable[str] | None = None,
        sort: Iterable[str] | None = None,
        limit: int | None = None,
        chunk_size: int = 1 << 16,
    ) -> pd.DataFrame:
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
        select, sort : iterable of str, optional
            Columns to keep; sort keys (``"-count"`` for descending).
        limit : int, optional
            At most this many records.

        Returns
        -------
        pandas.DataFrame
            One row per record, with ``usmart_id``.
        """
        import pandas as pd

        _require_guid("data.query", "resource_guid", resource_guid)
        if not (revision == "latest" or isinstance(revision, int) and revision >= 0):
            raise ParameterError(
                "data.query", "revision must be 'latest' or a whole number", "revision"
            )
        if limit is not None and (not isinstance(limit, int) or limit < 0):
            raise ParameterError("data.query", "limit must be a whole number >= 0", "limit")
        parts = [t for t in terms]
        for key, value in (where or {}).items():
            parts.append(f"{quote(str(key), safe='')}={quote(_wire(value), safe='')}")
        if sort:
            parts.append(f"sort({','.join(sort)})")
        if select:
            parts.append(f"select({','.join(select)})")
        streaming = limit is None or limit > URQL_WINDOW
        parts.append("limit(-1)" if streaming else f"limit({limit},0)")
        url = (
            f"{self._client.hosts.api}/org/{self._client.org_guid}/"
            f"{quote(resource_guid, safe='')}/{revision}/urql?{'&'.join(parts)}"
        )
        response = self._client.request("GET", url, stream=True, idempotent=True)
        try:
            from specclient.response import raise_for_status

            raise_for_status(response)
            records = []
            for record in iter_json_array(response.iter_bytes(chunk_size)):
                records.append(record)
                if limit is not None and len(records) >= limit:
                    break
        finally:
            response.close()
        return pd.DataFrame.from_records(records) if records else pd.DataFrame()


def iter_json_array(chunks: Iterable[bytes]) -> Iterator[Any]:
    """Yield the items of a JSON array as its bytes arrive, without holding the whole text.

    Hand-written over ``json.JSONDecoder.raw_decode`` because no streaming JSON parser is a
    dependency; the array of flat records URQL sends is all it needs to read. An answer cut
    short (no closing ``]``) is an error, never a silently shorter table.
    """
    decoder = json.JSONDecoder()
    text = codecs.getincrementaldecoder("utf-8")()  # a character may straddle two chunks
    buffer = ""
    started = False
    for chunk in chunks:
        buffer += text.decode(chunk)
        position = 0
        while True:
            while position < len(buffer) and buffer[position] in " \t\r\n,":
                position += 1
            if position >= len(buffer):
                break
            if not started:
                if buffer[position] != "[":
                    raise SpecClientError("the data API did not answer with a JSON array")
                started = True
                position += 1
                continue
            if buffer[position] == "]":
                return
            try:
                item, end = decoder.raw_decode(buffer, position)
            except json.JSONDecodeError:
                break  # the item is not complete yet
            if end == len(buffer) and not isinstance(item, dict | list | str):
                break  # a number at the very end may still have digits to come
            yield item
            position = end
        buffer = buffer[position:]
    raise SpecClientError("the data API's answer ended before the closing ']' of its array")


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


def _short(exc: Exception) -> str:
    return str(exc).split(" response: ")[0][:300]


def _is_handler_failure(exc: ServerError) -> bool:
    """A 5xx whose body says the pipeline itself failed (not a proxy or a fault)."""
    body = exc.body if isinstance(exc.body, Mapping) else {}
    return body.get("error") == "ProcessingFailed"
