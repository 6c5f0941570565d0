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

The workflows are written once, as generators, in :mod:`specclient.platforms.habu.workflows`;
the classes here run them on the sync or the async client.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ...client import AsyncClient, AsyncResource, Client, Resource
from .._base import (
    build_client,
    credential,
    read_credentials_file,
    required_credential,
    split_options,
)
from .._flows import Flow, arun, run
from .workflows import (  # the constants stay importable from here
    DEFAULT_MAX_POLL_INTERVAL,  # noqa: F401
    DEFAULT_PAGE_SIZE,  # noqa: F401
    DEFAULT_POLL_INTERVAL,
    DEFAULT_RESULT_PAGE_SIZE,  # noqa: F401
    DEFAULT_RESULT_WORKERS,
    DEFAULT_RUN_TIMEOUT,  # noqa: F401
    RUN_CREATE_LIMIT,
    RUN_CREATE_WINDOW,  # noqa: F401
    QuestionRunFailed,
    _HabuFlows,
    _QuestionRunsFlows,
    _spec_caller,
)

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

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
    from ...auth import FileTokenCache

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
        client_id = required_credential(
            own.get("client_id"),
            platform=PLATFORM,
            argument="client_id",
            env=ENV_CLIENT_ID,
            file_values=file_values,
            file_keys=("HABU_API_CLIENT",),
        )
        client_secret = required_credential(
            own.get("client_secret"),
            platform=PLATFORM,
            argument="client_secret",
            env=ENV_CLIENT_SECRET,
            file_values=file_values,
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
    from ..._clock import SYSTEM_CLOCK
    from ...auth import OAuth2ClientCredentials

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
        "page_size": int(own["page_size"]) if own.get("page_size") else None,
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
        Rows per result request (default: 10,000 for question results, the largest page
        the emulator serves; 500, the API's default, for flow reports).
    run_create_limit : int or None, optional
        Create-run calls allowed per hour (default 20, the platform's limit); ``None`` off.
    progress : bool, optional
        Show a status line while waiting (default: when stderr is a terminal).
    **options
        The shared options: ``auth``, ``timeout``, ``max_retries``, ``return_type``, ``spec``,
        ``http``, ``clock``.
    """
    from ..._resources import bundled_spec

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
    from ..._resources import bundled_spec

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


# ------------------------------------------------------------------------------ sync client


class HabuClient(_HabuFlows, Client):
    """A :class:`~specclient.Client` for Habu with the platform's multi-call workflows."""

    def _run(self, flow: Flow) -> Any:
        return run(flow, self, _spec_caller(self))

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
        return self._run(self._create_question_run_flow(cleanroom_question_id, name, parameters))

    def find_question_run(self, cleanroom_question_id: str, name: str) -> Any:
        """The most recent run of the question with this ``name`` (submitted in the last 2
        days), or ``None``."""
        return self._run(self._find_question_run_flow(cleanroom_question_id, name))

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
        return self._run(self._wait_for_question_run_flow(run_id, poll_interval, timeout, progress))

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
        return self._run(
            self._run_question_flow(
                cleanroom_question_id, name, parameters, wait, poll_interval, timeout, progress
            )
        )

    def question_results(
        self,
        run_id: str,
        *,
        page_size: int | None = None,
        workers: int | None = None,
        return_type: str | None = None,
        to_parquet: str | os.PathLike[str] | None = None,
        to_csv: str | os.PathLike[str] | None = None,
    ) -> Any:
        """Every row of a completed run, typed from the result metadata.

        Each page is decoded from its bytes into a typed Arrow batch as it arrives. The first
        page says how many rows there are (``count``); the other pages are then fetched
        ``workers`` at a time (default: the client's ``result_workers``, 4) and kept in
        order. Without a ``count`` the pages are walked one by one until a short page.

        Parameters
        ----------
        page_size : int, optional
            Rows per request (default: the client's ``page_size``, else 10,000).
        return_type : {"pandas", "arrow"}, optional
            A DataFrame (default) or a ``pyarrow.Table``.
        to_parquet, to_csv : path, optional
            Write the rows to this file as pages arrive (one page in memory at a time) and
            return its path. The file appears only once every row is in it.
        """
        return self._run(
            self._question_results_flow(run_id, page_size, workers, return_type, to_parquet, to_csv)
        )

    def question_result_batches(
        self, run_id: str, *, page_size: int | None = None, workers: int | None = None
    ) -> Iterator[pa.RecordBatch]:
        """The rows of a completed run as typed ``pyarrow.RecordBatch`` es, one per page,
        fetched lazily: a page is requested only when the batches before it were taken."""
        from .._batches import iterate

        flow = self._result_pages_flow(run_id, page_size, workers or 1)
        return iterate(flow, self, _spec_caller(self))

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
        return self._run(self._create_question_flow(question_details, cleanroom_id, settings))

    def assign_question_datasets(
        self, cleanroom_question_id: str, datasets: Sequence[Mapping[str, Any]]
    ) -> Any:
        """Give each macro of a clean-room question an owner, then its dataset, in that order.

        ``datasets``: ``[{"macro", "dataset_id", "fields": [{"name", "value"}],
        "organization_id" (default: the client's organization), "data_connection_id"}]``.
        """
        return self._run(self._assign_question_datasets_flow(cleanroom_question_id, datasets))

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
        return self._run(
            self._run_flow_flow(
                cleanroom_id, flow_id, name, nodes, wait, poll_interval, timeout, progress, body
            )
        )

    def flow_report(
        self, cleanroom_id: str, flow_run_id: str, node: str, *, page_size: int | None = None
    ) -> pd.DataFrame:
        """A flow-run node's report, every page, one row per record (dimensions then facts)."""
        return self._run(self._flow_report_flow(cleanroom_id, flow_run_id, node, page_size))


class HabuQuestionRuns(_QuestionRunsFlows, Resource):
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
        flow = self._get_data_flow(cleanroom_question_run_id, limit, offset, return_type, options)
        return run(flow, self._client, _spec_caller(self._client))


RESOURCE_CLASSES: dict[str, type] = {"cleanroom_question_runs": HabuQuestionRuns}


# ------------------------------------------------------------------------------ async client


class AsyncHabuClient(_HabuFlows, AsyncClient):
    """The awaitable twin of :class:`HabuClient` (same workflows, same rules)."""

    async def _run(self, flow: Flow) -> Any:
        return await arun(flow, self, _spec_caller(self))

    async def create_question_run(
        self, cleanroom_question_id: str, name: str, parameters: Mapping[str, str] | None = None
    ) -> Any:
        """See :meth:`HabuClient.create_question_run`."""
        return await self._run(
            self._create_question_run_flow(cleanroom_question_id, name, parameters)
        )

    async def find_question_run(self, cleanroom_question_id: str, name: str) -> Any:
        return await self._run(self._find_question_run_flow(cleanroom_question_id, name))

    async def wait_for_question_run(
        self,
        run_id: str,
        *,
        poll_interval: float | None = None,
        timeout: float | None = None,
        progress: bool | None = None,
    ) -> Any:
        """See :meth:`HabuClient.wait_for_question_run`."""
        return await self._run(
            self._wait_for_question_run_flow(run_id, poll_interval, timeout, progress)
        )

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
        return await self._run(
            self._run_question_flow(
                cleanroom_question_id, name, parameters, wait, poll_interval, timeout, progress
            )
        )

    async def question_results(
        self,
        run_id: str,
        *,
        page_size: int | None = None,
        workers: int | None = None,
        return_type: str | None = None,
        to_parquet: str | os.PathLike[str] | None = None,
        to_csv: str | os.PathLike[str] | None = None,
    ) -> Any:
        """See :meth:`HabuClient.question_results` (``workers`` requests in flight)."""
        return await self._run(
            self._question_results_flow(run_id, page_size, workers, return_type, to_parquet, to_csv)
        )

    async def question_result_batches(
        self, run_id: str, *, page_size: int | None = None, workers: int | None = None
    ) -> AsyncIterator[pa.RecordBatch]:
        """See :meth:`HabuClient.question_result_batches`: awaited, an async iterator of the
        batches (as ``await method(..., _iterator=True)`` of any spec operation)."""
        from .._batches import aiterate

        flow = self._result_pages_flow(run_id, page_size, workers or 1)
        return aiterate(flow, self, _spec_caller(self))

    async def create_question(
        self,
        question_details: Mapping[str, Any],
        *,
        cleanroom_id: str | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> str:
        """See :meth:`HabuClient.create_question`."""
        return await self._run(self._create_question_flow(question_details, cleanroom_id, settings))

    async def assign_question_datasets(
        self, cleanroom_question_id: str, datasets: Sequence[Mapping[str, Any]]
    ) -> Any:
        """See :meth:`HabuClient.assign_question_datasets`."""
        return await self._run(self._assign_question_datasets_flow(cleanroom_question_id, datasets))

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
        return await self._run(
            self._run_flow_flow(
                cleanroom_id, flow_id, name, nodes, wait, poll_interval, timeout, progress, body
            )
        )

    async def flow_report(
        self, cleanroom_id: str, flow_run_id: str, node: str, *, page_size: int | None = None
    ) -> pd.DataFrame:
        """See :meth:`HabuClient.flow_report`."""
        return await self._run(self._flow_report_flow(cleanroom_id, flow_run_id, node, page_size))


class AsyncHabuQuestionRuns(_QuestionRunsFlows, AsyncResource):
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
        flow = self._get_data_flow(cleanroom_question_run_id, limit, offset, return_type, options)
        return await arun(flow, self._client, _spec_caller(self._client))


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
