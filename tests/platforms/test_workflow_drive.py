"""A workflow is defined once (a flow with its signature and docstring); ``drive`` gives the
sync class a plain method and the async class an awaitable one that run it."""

from __future__ import annotations

import inspect
from typing import Any

from specclient.platforms._flows import Flow, Sleep, drive, workflow


class _Flows:
    slept: list[float]

    @workflow("int")
    def double(self, x: int, *, pause: float = 0.0) -> Any:
        """Twice ``x``, after a pause on the clock."""
        yield Sleep(pause)
        return 2 * x


def _drive_flow(flow: Flow, sleeps: list[float]) -> Any:
    try:
        step = next(flow)
        while True:
            sleeps.append(step.seconds)
            step = flow.send(None)
    except StopIteration as done:
        return done.value


@drive
class Sync(_Flows):
    def __init__(self) -> None:
        self.slept = []

    def _run(self, flow: Flow) -> Any:
        return _drive_flow(flow, self.slept)


@drive
class Async(_Flows):
    def __init__(self) -> None:
        self.slept = []

    async def _run(self, flow: Flow) -> Any:
        return _drive_flow(flow, self.slept)


async def test_both_classes_run_the_one_definition():
    sync, asynchronous = Sync(), Async()
    assert sync.double(4, pause=1.5) == 8 and sync.slept == [1.5]
    assert await asynchronous.double(5) == 10 and asynchronous.slept == [0.0]


def test_signature_docstring_and_kind_come_from_the_flow():
    for cls in (Sync, Async):
        signature = inspect.signature(cls.double)
        assert str(signature) == "(self, x: 'int', *, pause: 'float' = 0.0) -> 'int'"
        assert cls.double.__doc__ == "Twice ``x``, after a pause on the clock."
        assert cls.double.__qualname__ == f"{cls.__name__}.double"
    assert inspect.iscoroutinefunction(Async.double)
    assert not inspect.iscoroutinefunction(Sync.double)


def test_a_method_the_class_defines_itself_is_kept():
    @drive
    class Custom(Sync):
        def double(self, x: int, *, pause: float = 0.0) -> Any:
            return "mine"

    assert Custom().double(1) == "mine"


def test_a_subclass_of_a_driven_class_keeps_its_driver():
    @drive
    class Sub(Sync):
        pass

    assert Sub.double is Sync.double
    assert Sub().double(3) == 6
