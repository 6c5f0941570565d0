"""The one-ahead worker (ClicData's append bodies, a copy's source batches; the copy's own
tests cover the async side and the copy around it): the next item is worked on while the
consumer holds the last; results come in order, errors where their result is taken, and no
more than one item is ever worked on ahead."""

from __future__ import annotations

import threading

import pytest

from specclient.platforms._one_ahead import Handoff


def test_the_next_item_is_worked_on_while_the_consumer_holds_the_last():
    started = {i: threading.Event() for i in range(4)}
    release = {i: threading.Event() for i in range(4)}

    def work(item: int) -> int:
        started[item].set()
        release[item].wait(30)  # a bound so a broken pipeline cannot hang the suite
        return item * 10

    release[0].set()
    results = Handoff(map(work, range(4)))
    try:
        assert next(results) == 0
        # the consumer now "sends" item 0: item 1 is already being made, item 2 is not
        assert started[1].wait(30)
        assert not started[2].is_set()
        for i in (1, 2, 3):
            release[i].set()
        assert list(results) == [10, 20, 30]
    finally:
        results.close()


def test_an_error_is_raised_where_its_result_is_taken_and_nothing_after_runs():
    done: list[int] = []

    def work(item: int) -> int:
        if item == 1:
            raise ValueError("bad item 1")
        done.append(item)
        return item

    results = Handoff(map(work, range(5)))
    assert next(results) == 0
    with pytest.raises(ValueError, match="bad item 1"):
        next(results)
    results.close()
    assert done == [0]


def test_close_midway_stops_the_worker():
    seen: list[int] = []
    results = Handoff(map(lambda item: seen.append(item) or item, range(100)))
    assert next(results) == 0
    results.close()
    assert len(seen) <= 2  # the item taken and at most the one ahead
    with pytest.raises(StopIteration):
        next(results)


def test_a_lazy_hand_off_makes_the_next_item_only_when_told():
    made: list[int] = []
    results = Handoff(map(lambda item: made.append(item) or item, range(3)), eager=False)
    try:
        assert next(results) == 0
        assert made == [0]
        results.advance()
        results.advance()  # once per attempt at sending item 0: still one item ahead
        assert next(results) == 1
        assert made == [0, 1]
        assert next(results) == 2  # not told: made when taken
        results.advance()  # looks for an item after the last: finds the end
        with pytest.raises(StopIteration):
            next(results)
        results.advance()  # ended: starts nothing
        assert made == [0, 1, 2]
    finally:
        results.close()
