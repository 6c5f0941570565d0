"""The Habu client classes: the workflows of :mod:`.workflows` on the sync and async client."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...client import AsyncClient, AsyncResource, Client, Resource
from .._flows import Flow, arun, run
from .workflows import _HabuFlows, _QuestionRunsFlows, _spec_caller

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "HabuClient",
    "AsyncHabuClient",
    "HabuQuestionRuns",
    "AsyncHabuQuestionRuns",
    "RESOURCE_CLASSES",
    "ASYNC_RESOURCE_CLASSES",
]


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
        self, run_id: str, *, page_size: int | None = None, workers: int | None = None
    ) -> pd.DataFrame:
        """Every row of a completed run as a DataFrame typed from the result metadata.

        The first page says how many rows there are (``count``); the other pages are then
        fetched ``workers`` at a time (default: the client's ``result_workers``, 4) and added
        in order. Without a ``count`` the pages are walked one by one until a short page.
        """
        return self._run(self._question_results_flow(run_id, page_size, workers))

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
        return run(flow, self.client, _spec_caller(self.client))


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
        self, run_id: str, *, page_size: int | None = None, workers: int | None = None
    ) -> pd.DataFrame:
        """See :meth:`HabuClient.question_results` (``workers`` requests in flight)."""
        return await self._run(self._question_results_flow(run_id, page_size, workers))

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
        return await arun(flow, self.client, _spec_caller(self.client))


ASYNC_RESOURCE_CLASSES: dict[str, type] = {"cleanroom_question_runs": AsyncHabuQuestionRuns}
