"""One kind of future for long work on all four platforms at once (issue 18).

A Habu question run, a uSmart refresh and a uSmart pipeline's processing (one future per
container), a ClicData schedule run and a Civis job run, each on its own emulator (own clock), waited on together with ``concurrent.futures.wait`` / ``as_completed``, cancelled,
and under ``asyncio.gather`` on the async clients.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib.util
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from specclient.emulators import running
from specclient.futures import RunFuture


def _habu_ready_question() -> Any:
    # the Habu tests' own set-up (clean room -> datasets -> question READY to run), reused
    path = Path(__file__).parent / "platforms" / "habu" / "conftest.py"
    spec = importlib.util.spec_from_file_location("habu_test_setup", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_ready_question


make_ready_question = _habu_ready_question()


@pytest.fixture
def emus(tmp_path, monkeypatch) -> Iterator[dict[str, Any]]:
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(tmp_path / "cache"))
    with ExitStack() as stack:
        yield {
            "habu": stack.enter_context(running("habu", seed=1)),
            "usmart": stack.enter_context(running("usmart", seed=1)),
            # its own emulator: clients of one emulator move its manual clock for each other
            "usmart process": stack.enter_context(running("usmart", seed=1)),
            "clicdata": stack.enter_context(running("clicdata", seed=1)),
            "civis": stack.enter_context(running("civis", seed=1, queue_seconds=2, run_seconds=10)),
        }


def _civis_job(client: Any, command: str = "sleep 30") -> Any:
    return client.scripts.post_containers(
        required_resources={"cpu": 256, "memory": 512},
        docker_image_name="busybox",
        name="all platforms",
        docker_command=command,
    )


def _starts(emus: dict[str, Any]) -> dict[str, Any]:
    """What to start on each platform: a callable of (client, progress) returning its future."""
    habu = emus["habu"].client(progress=False)
    crq, _ = make_ready_question(habu)
    usmart = next(d for d in emus["usmart"].state.datasets.values() if d.access_level == "public")
    pipeline = _api_pipeline(emus["usmart process"])
    schedule = next(iter(emus["clicdata"].state.schedules))
    civis_job = _civis_job(emus["civis"].client()).id
    return {
        "habu": lambda c, p: c.run_question(crq.id, name="side by side", wait=False, progress=p),
        "usmart": lambda c, p: c.pipelines.refresh_all(usmart.guid, progress=p),
        "usmart process": lambda c, p: c.pipelines.process(pipeline.guid, progress=p),
        "clicdata": lambda c, p: c.schedules.trigger(schedule, progress=p),
        "civis": lambda c, p: c.jobs.run(civis_job, progress=p),
    }


def _public_dataset(emu: Any) -> Any:
    return next(d for d in emu.state.datasets.values() if d.access_level == "public")


def _api_pipeline(emu: Any) -> Any:
    return next(c for c in _public_dataset(emu).containers if c.pipeline_id == "data-api")


def _futures(emus: dict[str, Any], progress: dict[str, list] | None = None) -> dict[str, Any]:
    starts = _starts(emus)
    out = {}
    for name, start in starts.items():
        client = emus[name].client(**({"progress": False} if name == "habu" else {}))
        seen = None if progress is None else progress.setdefault(name, []).append
        out[name] = start(client, seen)
    return out


def test_wait_over_futures_from_all_four_platforms(emus):
    futures = _futures(emus)
    assert all(isinstance(f, RunFuture) for f in futures.values())
    done, pending = concurrent.futures.wait(list(futures.values()), timeout=60)
    assert not pending and len(done) == 5
    assert futures["habu"].result().status == "COMPLETED"
    assert [o.state for o in futures["usmart"].result()] == ["processed", "processed"]
    assert futures["usmart process"].result()["state"] == "processed"
    assert futures["clicdata"].result()["status"] == "Completed"
    assert futures["civis"].result().state == "succeeded"
    # exactly one effect each
    assert len(emus["habu"].state.runs) == 1
    schedule = next(iter(emus["clicdata"].state.schedules.values()))
    assert [r["run_id"] for r in schedule["runs"]] == [futures["clicdata"].run_id]


def test_as_completed_yields_each_platforms_future_once(emus):
    futures = _futures(emus)
    finished = list(concurrent.futures.as_completed(list(futures.values()), timeout=60))
    assert sorted(map(id, finished)) == sorted(map(id, futures.values()))
    assert all(f.exception() is None for f in finished)


def test_progress_callbacks_see_each_platforms_states_in_order(emus):
    seen: dict[str, list] = {}
    futures = _futures(emus, seen)
    concurrent.futures.wait(list(futures.values()), timeout=60)
    states = {name: [p.state for p in changes] for name, changes in seen.items()}
    assert states == {
        "habu": ["QUEUED", "RUNNING", "COMPLETED"],
        "usmart": ["processing", "processed"],
        "usmart process": ["processing", "processed"],
        "clicdata": ["completed"],
        "civis": ["queued", "running", "succeeded"],
    }


def test_cancel_where_the_platform_can_and_a_refusal_elsewhere(emus):
    futures = _futures(emus)
    refused = {
        name: futures[name].cancel() for name in ("habu", "usmart", "usmart process", "clicdata")
    }
    assert refused == {"habu": False, "usmart": False, "usmart process": False, "clicdata": False}
    assert futures["civis"].cancel() is True and futures["civis"].cancelled()
    with pytest.raises(concurrent.futures.CancelledError):
        futures["civis"].result()
    # the runs the platforms cannot cancel go on to the end
    for name in refused:
        assert futures[name].exception() is None


def test_a_failing_run_on_each_platform_is_one_run_failed(emus, tmp_path):
    from specclient.errors import RunFailed

    emus["habu"].state.fail_next_run("crowd size below 50")
    usmart = emus["usmart"]
    dataset = next(d for d in usmart.state.datasets.values() if d.access_level == "public")
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2, 3]")
    usmart.client().files.upload(dataset.guid, bad)
    emus["usmart process"].client().files.upload(_public_dataset(emus["usmart process"]).guid, bad)
    clicdata = emus["clicdata"].state
    trigger = clicdata.trigger

    def failing_trigger(schedule_id: Any) -> Any:
        run = trigger(schedule_id)  # the run the schedule records
        run.update(status="Failed", message="source down")
        return run

    clicdata.trigger = failing_trigger
    civis = emus["civis"].client()
    failing = _civis_job(civis, "exit 1").id
    futures = _futures(emus)
    futures["civis"] = civis.jobs.run(failing)
    errors = {name: f.exception() for name, f in futures.items()}
    assert all(isinstance(e, RunFailed) for e in errors.values()), errors
    assert errors["habu"].reason == "crowd size below 50"
    assert "JSON must hold records" in str(errors["usmart"])
    assert "JSON must hold records" in str(errors["usmart process"])
    assert errors["clicdata"].reason == "source down"


async def test_the_async_twins_under_gather(emus):
    starts = _starts(emus)
    async with ExitStackAsync(emus) as clients:
        futures = [await starts[name](client, None) for name, client in clients.items()]
        assert all(isinstance(f, asyncio.Future) for f in futures)
        habu, usmart, pipeline, clicdata, civis = await asyncio.gather(*futures)
    assert habu.status == "COMPLETED"
    assert [o.state for o in usmart] == ["processed", "processed"]
    assert pipeline["state"] == "processed"
    assert clicdata["status"] == "Completed"
    assert civis.state == "succeeded"


class ExitStackAsync:
    """The four async clients, closed together."""

    def __init__(self, emus: dict[str, Any]) -> None:
        self.clients = {
            name: emu.async_client(**({"progress": False} if name == "habu" else {}))
            for name, emu in emus.items()
        }

    async def __aenter__(self) -> dict[str, Any]:
        return self.clients

    async def __aexit__(self, *exc: Any) -> None:
        for client in self.clients.values():
            await client.aclose()
