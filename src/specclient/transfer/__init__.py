"""Move a table between platforms: ``specclient.copy(source, destination)``.

Sources and destinations are small descriptors naming a table and the client that reaches it::

    from specclient import transfer

    specclient.copy(transfer.habu_result(run_future), transfer.clicdata_dataset(cd, 42))
    specclient.copy(transfer.clicdata_data(cd, 42), transfer.to_file("sales.parquet"))

The rows stream as Arrow record batches (the source reads the next batch while the
destination writes the last: two batches in memory, beside what the source's reader keeps in
flight, :mod:`~specclient.platforms._one_ahead`), every column's type is checked against
the destination before anything is written, and a copy that failed midway, run again, resumes: the
destination ends with the source's rows exactly once (see :mod:`.checkpoint`).
:func:`copy_async` is the same copy on async clients. See docs/copy.md.
"""

from __future__ import annotations

import os
from typing import Any

from .civis import civis_destination, civis_sql, civis_table
from .destinations import clicdata_dataset, stdout_csv, to_file, usmart_dataset
from .engine import CopyProgress, CopyResult
from .kinds import CopyTypeError
from .sources import clicdata_data, file, frame, habu_result, usmart_file, usmart_query

__all__ = [
    "CopyProgress",
    "CopyResult",
    "CopyTypeError",
    "civis_destination",
    "civis_sql",
    "civis_table",
    "clicdata_data",
    "clicdata_dataset",
    "copy",
    "copy_async",
    "file",
    "frame",
    "habu_result",
    "stdout_csv",
    "to_file",
    "usmart_dataset",
    "usmart_file",
    "usmart_query",
]


def _prepared(
    source: Any,
    destination: Any,
    copy_id: str | None,
    checkpoint_dir: str | os.PathLike[str] | None,
    progress: Any,
    asynchronous: bool,
) -> Any:
    from .checkpoint import Checkpoints, copy_id_for
    from .engine import check_pair, copy_flow

    check_pair(source, destination, asynchronous)
    chosen = copy_id or copy_id_for(source.key, destination.key)
    return copy_flow(source, destination, chosen, Checkpoints(checkpoint_dir), progress)


def copy(
    source: Any,
    destination: Any,
    *,
    progress: Any = None,
    copy_id: str | None = None,
    checkpoint_dir: str | os.PathLike[str] | None = None,
) -> CopyResult:
    """Copy every row of ``source`` to ``destination``, exactly once.

    Parameters
    ----------
    source
        ``habu_result(...)``, ``clicdata_data(...)``, ``usmart_query(...)``,
        ``usmart_file(...)``, ``civis_table(...)``, ``civis_sql(...)``, ``frame(df)``,
        ``file(path)``.
    destination
        ``clicdata_dataset(...)``, ``usmart_dataset(...)``, ``civis_destination(...)``,
        ``to_file(path)``.
    progress : bool or callable, optional
        A callable gets a :class:`CopyProgress` after every batch; ``True`` draws a bar on
        stderr (by default: when stderr is a terminal).
    copy_id : str, optional
        Names the copy's checkpoint (default: derived from the source and destination, so
        running the same copy again resumes it).
    checkpoint_dir : path, optional
        Where checkpoints are kept (default ``$SPECCLIENT_CACHE_DIR/copies``).

    Returns
    -------
    CopyResult

    Raises
    ------
    CopyTypeError
        A source column the destination cannot hold, before anything is written.
    """
    from .drive import run

    return run(_prepared(source, destination, copy_id, checkpoint_dir, progress, False))  # type: ignore[no-any-return]


async def copy_async(
    source: Any,
    destination: Any,
    *,
    progress: Any = None,
    copy_id: str | None = None,
    checkpoint_dir: str | os.PathLike[str] | None = None,
) -> CopyResult:
    """:func:`copy` with async clients (``connect_async``): the same flow, awaited."""
    from .drive import arun

    flow = _prepared(source, destination, copy_id, checkpoint_dir, progress, True)
    return await arun(flow)  # type: ignore[no-any-return]
