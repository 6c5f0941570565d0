"""``client.tables`` (the versioned API's tables): ``refresh`` sent once and followed as a
future, like ``data.rebuild`` (:mod:`.refresh`); the other operations are the spec's."""

from __future__ import annotations

from typing import Any

from specclient.client import AsyncResource, Resource
from specclient.errors import ParameterError
from specclient.platforms._flows import Call, Flow, Workflows, workflow

from .refresh import refresh_flow

__all__ = ["TABLE_REFRESH_MODES", "ClicDataTables", "AsyncClicDataTables"]

#: ``POST /table/{id}/refresh``'s modes (the spec's enum; "reload" is "rebuild")
TABLE_REFRESH_MODES = ("reload", "rebuild", "update", "append", "updateappend")


class TablesWorkflows(Workflows):
    client: Any  # the Resource this mixes into provides it

    @workflow
    def refresh(
        self,
        id: int,  # noqa: A002 - the spec's name for it
        mode: str,
        *,
        wait: bool = False,
        timeout: float | None = None,
        progress: Any = None,
    ) -> Flow[Any]:
        """Refresh a table (``reload``, ``rebuild``, ``update``, ``append``, ``updateappend``):
        a future on the refresh, as :meth:`client.data.rebuild
        <specclient.platforms.clicdata.ClicDataData.rebuild>` gives (sent once; a lost reply is
        reconciled with the data set's ``last_data_update_date``, never replayed).

        Raises
        ------
        specclient.errors.ParameterError
            An unknown mode, before anything is sent.
        specclient.platforms.clicdata.RefreshLost
            The reply was lost and the data set does not show the refresh: it may have happened.
        """
        if mode not in TABLE_REFRESH_MODES:
            raise ParameterError(
                "tables.refresh",
                f"mode must be one of {', '.join(TABLE_REFRESH_MODES)}, not {mode!r}",
                "mode",
            )
        send = Call("tables.refresh", (id,), {"mode": mode, "return_type": "raw"})
        base_url = self.client.base_url
        return (
            yield from refresh_flow(
                send, id, mode, base_url, wait=wait, timeout=timeout, progress=progress
            )
        )


class ClicDataTables(TablesWorkflows, Resource):
    """``client.tables`` on the sync client."""


class AsyncClicDataTables(TablesWorkflows, AsyncResource):
    """``client.tables`` on the async client."""
