"""A table as a Dask DataFrame whose partitions fetch their own pages (``specclient[dask]``).

What every platform's partitions share: whole pages per partition (no page split between two
workers), one cluster-wide request budget, and the Dask frame built from the pieces. A platform
supplies the piece: a picklable callable that connects from the worker (credentials from the
worker's own environment: nothing secret travels in the graph), fetches its range of pages and
returns a typed DataFrame. On a ``dask.distributed`` cluster every page request holds a lease
of one cluster-wide semaphore (:func:`lease`), so all workers together keep to the budget
whatever the partitions; local schedulers are bounded by their thread count.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

__all__ = ["PARTITION_ROWS", "page_ranges", "lease", "dask_frame"]

#: Rows per partition: ten 10,000-row pages.
PARTITION_ROWS = 100_000


def page_ranges(
    total: int, page_size: int, rows: int = PARTITION_ROWS
) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` row ranges of about ``rows`` rows, each a whole number of pages."""
    step = max(page_size, rows // page_size * page_size)
    for start in range(0, max(total, 1), step):
        yield start, min(start + step, total)


def lease(budget: str, size: int) -> Any:
    """A context holding one of ``size`` cluster-wide leases named ``budget`` on a
    ``distributed`` worker; elsewhere nothing (local schedulers bound themselves)."""
    try:
        from distributed import Semaphore, get_worker

        get_worker()  # ValueError outside a distributed worker
    except (ImportError, ValueError):
        return contextlib.nullcontext()
    return Semaphore(max_leases=size, name=budget)


def dask_frame(pieces: Sequence[Callable[[], Any]], meta: Any, where: str) -> Any:
    """The Dask DataFrame whose partitions are ``pieces`` (each computed where it runs)."""
    try:
        import dask.dataframe as dd
    except ImportError:
        from ..errors import ParameterError

        raise ParameterError(
            where, 'return_type="dask" needs Dask: pip install "specclient[dask]"', "return_type"
        ) from None
    return dd.from_map(_compute, list(pieces), meta=meta, enforce_metadata=False)


def _compute(piece: Callable[[], Any]) -> Any:
    return piece()
