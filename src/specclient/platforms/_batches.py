"""Flows that produce a table a page at a time: the ``Emit`` step, and its three consumers.

A table flow yields :class:`Emit` for every decoded page (an Arrow record batch) between its
ordinary steps. :func:`into` hands the batches to a sink while the usual drivers
(:func:`~specclient.platforms._flows.run` / ``arun``) do the rest, so a table is collected or
written to a file by the same flow, on both clients; :func:`iterate` and :func:`aiterate` drive
the flow themselves and give the batches to the caller lazily, one page fetched per batch
asked for. Written once, the paging logic cannot differ between the outputs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import SpecClientError
from ._flows import Call, Flow, _astep, _step

if TYPE_CHECKING:
    import pyarrow as pa

    from ..tables.sinks import Sink

__all__ = ["Emit", "aiterate", "into", "iterate"]


@dataclass(frozen=True)
class Emit:
    """One decoded page of the table; the step is sent ``None``."""

    batch: pa.RecordBatch


def into(flow: Flow, sink: Sink) -> Flow:
    """``flow`` with its batches handed to ``sink``; returns what ``flow`` returns. A failure
    aborts the sink (a partly written file is removed) before it propagates."""
    try:
        step = next(flow)
        while True:
            if isinstance(step, Emit):
                sink.add(step.batch)
                step = flow.send(None)
                continue
            try:
                outcome = yield step
            except SpecClientError as exc:
                step = flow.throw(exc)
            else:
                step = flow.send(outcome)
    except StopIteration as done:
        return done.value
    except BaseException:
        sink.abort()
        raise


def iterate(flow: Flow, client: Any, call: Callable[[Call], Any]) -> Iterator[pa.RecordBatch]:
    """Drive ``flow`` on a sync client, yielding its batches as they are decoded."""
    try:
        step = next(flow)
        while True:
            if isinstance(step, Emit):
                yield step.batch
                step = flow.send(None)
                continue
            try:
                outcome = _step(step, client, call)
            except SpecClientError as exc:
                step = flow.throw(exc)
            else:
                step = flow.send(outcome)
    except StopIteration:
        return


async def aiterate(
    flow: Flow, client: Any, call: Callable[[Call], Any]
) -> AsyncIterator[pa.RecordBatch]:
    """Drive ``flow`` on an async client, yielding its batches as they are decoded."""
    try:
        step = next(flow)
        while True:
            if isinstance(step, Emit):
                yield step.batch
                step = flow.send(None)
                continue
            try:
                outcome = await _astep(step, client, call)
            except SpecClientError as exc:
                step = flow.throw(exc)
            else:
                step = flow.send(outcome)
    except StopIteration:
        return
