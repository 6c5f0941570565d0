"""The hand-off between a copy's two sides: the source fetches its next batch while the
destination writes the last one, never more than one batch ahead, and a source failing while
a batch is between the two sides still leaves exactly the committed rows, which a re-run
completes (sync and async drivers alike)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pytest

import specclient
from specclient import transfer
from specclient.errors import ServerError
from specclient.transfer.destinations import ClicDataDestination
from specclient.transfer.drive import Invoke
from tests.copy.conftest import habu_pages, habu_target, values

#: A bound on each wait below, so that a broken hand-off fails the test instead of hanging it.
PATIENCE = 30


@dataclass
class HeldDestination(ClicDataDestination):
    """A ClicData data set whose writes first wait for ``hold(n)`` (``n``: the batch about to
    be written, from 1); ``hold`` returns a callable the copy's driver runs (awaited on an
    async client), so the test decides what the source must have done by then."""

    hold: Callable[[int], Callable[[], Any]] = field(default=lambda n: lambda: None)
    writes: int = 0

    def write(self, batch: pa.RecordBatch) -> Any:
        self.writes += 1
        yield Invoke(self.hold(self.writes))
        yield from super().write(batch)


def _waiter(asynchronous: bool) -> Callable[[threading.Event], Callable[[], Any]]:
    """Wait for an event set in the emulator's thread (an AssertionError if it never is):
    blocking on a sync copy, in a worker thread on an async one (the loop must stay free to
    run the source's fetch)."""

    def waited(event: threading.Event) -> None:
        assert event.wait(PATIENCE), "the source did not fetch ahead while the batch waited"

    if asynchronous:
        return lambda event: lambda: asyncio.to_thread(waited, event)
    return lambda event: lambda: waited(event)


async def _copy(asynchronous, habu_emu, clicdata_emu, run_id, destination_of, **options):
    """The copy on sync or async clients; ``destination_of(client)`` builds the destination."""
    if not asynchronous:
        source = transfer.habu_result(run_id, client=habu_emu.client(progress=False), page_size=200)
        return specclient.copy(source, destination_of(clicdata_emu.client()), **options)
    async with habu_emu.async_client(progress=False) as habu, clicdata_emu.async_client() as cd:
        source = transfer.habu_result(run_id, client=habu, page_size=200)
        return await specclient.copy_async(source, destination_of(cd), **options)


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
async def test_the_source_fetches_the_next_batch_while_the_destination_writes(
    asynchronous, habu_emu, habu, run, clicdata, clicdata_emu, monkeypatch
):
    asked_for: dict[int, threading.Event] = {}

    def page_asked(offset: int) -> threading.Event:
        return asked_for.setdefault(offset, threading.Event())

    asked = habu_pages(habu_emu, monkeypatch, answered=lambda offset: page_asked(offset).set())
    offsets = list(range(0, 1234, 200))  # 7 pages of 200 rows (the last 34)
    seen: list[tuple[int, list[int]]] = []
    wait = _waiter(asynchronous)

    def hold(n: int) -> Callable[[], Any]:
        seen.append((n, list(asked)))
        if n < len(offsets):  # batch n is written only once page n + 1 was asked for
            return wait(page_asked(offsets[n]))
        return lambda: None

    rec = habu_target(clicdata)
    result = await _copy(
        asynchronous,
        habu_emu,
        clicdata_emu,
        run.id,
        lambda client: HeldDestination(client, rec, hold=hold),
    )
    assert result.rows == 1234
    assert asked == offsets  # in order, each page once
    # when batch n was about to be written, the source had asked for at most n + 1 pages:
    # one batch ahead, never more (memory: the batch written and the one handed off)
    for n, pages in seen:
        assert len(pages) <= n + 1, (n, pages)
    truth = habu.question_results(run.id, return_type="arrow")
    assert values(clicdata.data.get(rec, return_type="arrow", progress=False)) == values(truth)


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
async def test_a_source_failing_while_a_batch_is_in_the_hand_off_loses_and_repeats_nothing(
    asynchronous, habu_emu, habu, run, clicdata, clicdata_emu, monkeypatch, tmp_path
):
    truth = habu.question_results(run.id, return_type="arrow")
    rec = habu_target(clicdata)
    source_failed = threading.Event()
    wait = _waiter(asynchronous)
    reported: list[int] = []

    def hold(n: int) -> Callable[[], Any]:
        # the third batch (rows 400-599) is written only after the source failed on its
        # fourth page: the failure happens while that batch is between the two sides
        return wait(source_failed) if n == 3 else (lambda: None)

    with monkeypatch.context() as failing, pytest.raises(ServerError):
        habu_pages(
            habu_emu,
            failing,
            fail_from=600,
            answered=lambda offset: offset >= 600 and source_failed.set(),
        )
        await _copy(
            asynchronous,
            habu_emu,
            clicdata_emu,
            run.id,
            lambda client: HeldDestination(client, rec, hold=hold),
            progress=lambda change: reported.append(change.rows),
            checkpoint_dir=tmp_path,
        )
    assert source_failed.is_set()
    # the batch taken before the failure was written, once; nothing after it
    assert clicdata_emu.state.tables[rec].row_count == 600
    assert reported == [200, 400, 600]

    result = await _copy(
        asynchronous,
        habu_emu,
        clicdata_emu,
        run.id,
        lambda client: transfer.clicdata_dataset(client, rec),
        checkpoint_dir=tmp_path,
    )
    assert (result.resumed, result.rows) == (600, 1234 - 600)
    assert values(clicdata.data.get(rec, return_type="arrow", progress=False)) == values(truth)
    assert list(tmp_path.glob("*.json")) == []  # finished: the checkpoint is gone
