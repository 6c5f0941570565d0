"""``@workflow`` and ``Workflows``: one flow (:mod:`specclient.platforms._flows`) made the
method of both twins, a plain method on a sync client or resource and a coroutine method on an
async one.

Its own module so that a client class with workflow methods is defined without loading the
steps and their drivers: :func:`~specclient.platforms._flows.run` and
:func:`~specclient.platforms._flows.arun` are imported when a workflow is first called.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Generator
from types import MethodType

from ..client import AsyncClient, AsyncResource, Client, Resource

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

    from ._flows import Call

    P = ParamSpec("P")
    T = TypeVar("T")
    #: A flow; ``Flow[pd.DataFrame]`` says what it returns (a :class:`workflow`'s result).
    Flow = Generator[Any, Any, T]
else:
    # The parameters are the type checker's: at run time ``Flow`` is ``Generator`` (written
    # ``Flow[X]`` only in postponed annotations) and ``workflow`` a plain class.
    P = T = None
    Flow = Generator

    class Generic:
        def __class_getitem__(cls, parameters: object) -> type:
            return cls


__all__ = ["Flow", "spec_caller", "workflow", "Workflows"]


def spec_caller(client: Any) -> Callable[[Call], Any]:
    """The usual ``call`` for the drivers: ``Call("files.create", ...)`` calls the spec's own
    ``files.create`` operation, even where a workflow shadows it (a coroutine on async)."""

    def call(step: Call) -> Any:
        resource, _, method = step.method.partition(".")
        # the helpers' underscore spellings: no resource or method of a spec can shadow them
        return client._resource(resource)._method(method)(*step.args, **step.kwargs)

    return call


def _driven_by(host: Any) -> tuple[Any, Callable[[Call], Any]]:
    """The client a workflow's host (a resource, or a client subclass) sends with."""
    client = host if isinstance(host, Client | AsyncClient) else host._client
    return client, spec_caller(client)


def _returned(annotation: Any) -> Any:
    """``X`` for a flow annotated ``-> Flow[X]`` (as text under postponed annotations, or as a
    ``Generator[..., ..., X]``); nothing for a bare ``Flow``."""
    if isinstance(annotation, str):
        inner = annotation.removeprefix("Flow[").removesuffix("]")
        return inner if annotation.startswith("Flow[") else inspect.Signature.empty
    from typing import get_args

    arguments = get_args(annotation)
    return arguments[2] if len(arguments) == 3 else inspect.Signature.empty


class workflow(Generic[P]):  # noqa: N801 - used as a decorator, like property
    """A workflow method written once, as a flow, for the sync and the async twin.

    ``@workflow`` on a generator method of a mixin class (``def upload(self, ...) -> Flow``)
    makes it, on a :class:`~specclient.client.Resource` or :class:`~specclient.client.Client`
    subclass, a method that runs the flow with :func:`run` and returns its value; on an
    :class:`~specclient.client.AsyncResource` or :class:`~specclient.client.AsyncClient`
    subclass, a coroutine method awaiting :func:`arun`. Both carry the flow's name, docstring
    and signature. Argument checks at the top of the flow run before any step, so bad input is
    refused before anything is sent, on both clients alike.
    """

    def __init__(self, flow: Callable[Concatenate[Any, P], Flow]) -> None:
        self.flow = flow
        # the public method returns the flow's value, not a generator: -> Flow[X] becomes -> X
        signature = inspect.signature(flow)
        signature = signature.replace(return_annotation=_returned(signature.return_annotation))

        def sync(host: Any, /, *args: Any, **kwargs: Any) -> Any:
            from ._flows import run

            return run(flow(host, *args, **kwargs), *_driven_by(host))

        async def asynchronous(host: Any, /, *args: Any, **kwargs: Any) -> Any:
            from ._flows import arun

            return await arun(flow(host, *args, **kwargs), *_driven_by(host))

        methods: tuple[Callable[..., Any], ...] = (sync, asynchronous)
        for method in methods:
            functools.update_wrapper(method, flow)
            method.__signature__ = signature  # type: ignore[attr-defined]
        self._sync, self._async = methods

    def __get__(self, host: Any, owner: type | None = None) -> Callable[P, Any]:
        owner = type(host) if owner is None else owner
        method = self._async if issubclass(owner, AsyncResource | AsyncClient) else self._sync
        return method if host is None else MethodType(method, host)


class Workflows:
    """Base of a mixin of :class:`workflow` methods shared by a sync and an async class.

    ``class UsmartFiles(FilesWorkflows, UsmartResource)`` and
    ``class AsyncUsmartFiles(FilesWorkflows, AsyncUsmartResource)``: each concrete class gets
    every workflow as its own ordinary method (the function on the sync class, the coroutine
    function on the async one), so ``help()``, ``inspect.getattr_static`` and codegen see plain
    methods defined by that class, and a call costs no descriptor lookup.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not issubclass(cls, Client | AsyncClient | Resource | AsyncResource):
            return  # a mixin: its workflows stay undecided until a client or resource uses it
        seen: set[str] = set()
        for klass in cls.__mro__:
            for name, member in vars(klass).items():
                if name in seen:
                    continue
                seen.add(name)  # the first class in the MRO wins, as attribute lookup does
                if isinstance(member, workflow):
                    setattr(cls, name, member.__get__(None, cls))
