"""Civis run futures as ``concurrent.futures`` / asyncio futures, against the Civis emulator.

Issue 18 (one future type) and issue 13's futures bullet: ``wait`` / ``as_completed`` over
several runs, cancel, a failed run as ``RunFailed``, a poll that meets a 500, the async twin
under ``asyncio.gather``, the progress callback, a timeout that names the state.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading

import pytest

from specclient.emulators import running
from specclient.errors import RunFailed, RunTimeoutError
from specclient.futures import AsyncRunFuture, RunFuture
from specclient.platforms.civis import (
    AsyncCivisFuture,
    CivisFuture,
    CivisJobFailure,
    run_job,
)

UI = "https://platform.civisanalytics.com/spa/#/jobs/"


@pytest.fixture
def emu():
    with running("civis", seed=1, queue_seconds=2, run_seconds=10) as emulator:
        yield emulator


@pytest.fixture
def client(emu):
    return emu.client()


def container(client, command, name="test job"):
    return client.scripts.post_containers(
        required_resources={"cpu": 256, "memory": 512},
        docker_image_name="busybox",
        name=name,
        docker_command=command,
    )


def test_a_civis_future_is_a_concurrent_future_polled_once_at_construction(client):
    future = client.jobs.run(container(client, "sleep 30").id)

    assert isinstance(future, concurrent.futures.Future)
    assert isinstance(future, RunFuture)
    assert future.polls == 1 and future.state == "queued"  # civis-python polls on creation


def test_wait_returns_when_every_run_has_ended(client):
    scripts = [container(client, f"sleep {seconds}") for seconds in (5, 50, 20)]
    futures = [client.jobs.run(script.id) for script in scripts]

    done, not_done = concurrent.futures.wait(futures)

    assert done == set(futures) and not_done == set()
    assert [f.result().state for f in futures] == ["succeeded"] * 3
    assert [f.result().id for f in futures] == [f.run_id for f in futures]


def test_wait_first_exception_returns_the_failed_run(client):
    good = client.jobs.run(container(client, "sleep 3000").id)
    bad = client.jobs.run(container(client, "exit 3").id)

    done, _ = concurrent.futures.wait([good, bad], return_when=concurrent.futures.FIRST_EXCEPTION)

    assert bad in done
    assert isinstance(bad.exception(), CivisJobFailure)
    good.cancel()  # its background poller stops with it


def test_as_completed_yields_each_run_once_with_its_outcome(client):
    ok = [client.jobs.run(container(client, f"sleep {s}").id) for s in (40, 5)]
    failing = client.scripts.run_containers(container(client, "exit 4").id)

    seen = list(concurrent.futures.as_completed([*ok, failing]))

    assert sorted(seen, key=id) == sorted([*ok, failing], key=id)
    assert [f.result().state for f in ok] == ["succeeded", "succeeded"]
    with pytest.raises(CivisJobFailure, match="Process exited with status 4"):
        failing.result()


def test_a_failed_run_raises_run_failed_with_reason_ids_and_link(client):
    script = container(client, "exit 2")
    future = client.jobs.run(script.id)

    with pytest.raises(RunFailed) as caught:
        future.result()

    error = caught.value
    assert isinstance(error, CivisJobFailure)
    assert error.reason == "Process exited with status 2"
    assert error.error_message == f"(From job {script.id} / run {future.run_id}) " + error.reason
    assert (error.job_id, error.run_id) == (script.id, future.run_id)
    assert error.url == f"{UI}{script.id}?runId={future.run_id}" == future.job_run_url
    assert future.job_url == f"{UI}{script.id}"
    assert error.response.state == "failed"
    assert future.failed() and not future.succeeded()


def test_a_poll_answered_500_is_polled_again(client, emu):
    future = client.jobs.run(container(client, "sleep 5").id)
    emu.faults.add("jobs.get_runs", "500", count=1)

    assert future.result().state == "succeeded"
    assert len(emu.faults.fired) == 1


def test_polls_answered_500_every_time_end_the_future_with_the_error(client, emu):
    future = client.jobs.run(container(client, "sleep 3000").id)
    emu.faults.add("jobs.get_runs", "500")

    with pytest.raises(Exception, match="500") as caught:
        future.result()
    assert type(caught.value).__name__ == "ServerError"
    assert len(emu.faults.fired) == 6  # five waited out, the sixth ends it
    assert future.failed()


def test_cancel_stops_the_run_and_wakes_a_wait_in_another_thread(client):
    future = client.jobs.run(container(client, "sleep 360000").id)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(concurrent.futures.wait, [future])

        assert future.cancel() is True

        done, _ = waiting.result()
    assert done == {future} and future.cancelled()
    assert client.jobs.get_runs(future.job_id, future.run_id).state == "cancelled"


def test_cancel_refused_with_a_500_warns_and_returns_false(client, emu):
    future = client.jobs.run(container(client, "sleep 3000").id)
    emu.faults.add("jobs.delete_runs", "500", count=1)

    with pytest.warns(
        UserWarning, match=f"Unexpected error when attempting to cancel Civis job {future.job_id}"
    ):
        assert future.cancel() is False
    assert not future.cancelled()
    assert client.jobs.get_runs(future.job_id, future.run_id).state != "cancelled"


def test_progress_callback_sees_each_state_change_once(client, emu):
    script = container(client, "sleep 30")
    run = client.jobs.post_runs(script.id)
    changes = []
    future = CivisFuture(
        client.jobs.get_runs, (script.id, run.id), client=client, progress=changes.append
    )

    future.result()

    assert [(c.previous, c.state) for c in changes] == [
        (None, "queued"),
        ("queued", "running"),
        ("running", "succeeded"),
    ]
    assert {(c.run_id, c.url) for c in changes} == {(run.id, f"{UI}{script.id}?runId={run.id}")}
    assert [c.elapsed for c in changes] == sorted(c.elapsed for c in changes)
    assert changes[-1].elapsed >= 32  # 2 s queued + 30 s running, on the emulator's clock
    assert changes[-1].polls == future.polls > 3


def test_timeout_raises_timeout_error_naming_the_state(client, emu):
    future = client.jobs.run(container(client, "sleep 3600").id)

    with pytest.raises(concurrent.futures.TimeoutError) as caught:
        future.result(timeout=30)

    assert isinstance(caught.value, RunTimeoutError)
    assert caught.value.state == "running"
    assert str(caught.value).startswith(
        f"Civis job {future.job_id} run {future.run_id} not finished after 30 s "
        "(last state: running)"
    )
    assert caught.value.url == future.job_run_url
    assert future.result(timeout=3600).state == "succeeded"  # the run went on: wait again


def test_a_done_callback_fires_without_anyone_waiting(client):
    fired = threading.Event()
    future = client.jobs.run(container(client, "sleep 20").id)

    future.add_done_callback(lambda f: fired.set())

    assert fired.wait(timeout=60)  # a liveness guard, not a speed check: polled in background
    assert future.done() and future.result().state == "succeeded"


def test_an_error_in_a_done_callback_is_raised_by_result(client):
    future = client.jobs.run(container(client, "true").id)

    def broken(f):
        raise OSError("disk full while saving the output")

    future.add_done_callback(broken)
    with pytest.raises(OSError, match="disk full"):
        future.result()
    assert isinstance(future.exception(), OSError)


def test_outputs_wait_for_the_run(client):
    sql = client.scripts.post_sql(name="q", sql="SELECT 1", remote_host_id=1, credential_id=1)
    future = client.scripts.run_sql(sql.id)
    assert [o.object_type for o in future.outputs()] == ["File"]


# -- the async twin ----------------------------------------------------------------------------
async def test_async_runs_are_awaitable_futures_under_gather(emu):
    sync = emu.client()
    ids = [container(sync, f"sleep {s}").id for s in (5, 40, 15)]
    failing = container(sync, "exit 5").id
    async with emu.async_client() as client:
        futures = [await client.jobs.run(i) for i in ids]
        futures.append(await client.scripts.run_containers(failing))
        assert all(isinstance(f, AsyncCivisFuture | AsyncRunFuture) for f in futures)
        assert all(isinstance(f, asyncio.Future) for f in futures)

        results = await asyncio.gather(*futures, return_exceptions=True)

    assert [r.state for r in results[:3]] == ["succeeded"] * 3
    assert [r.id for r in results[:3]] == [f.run_id for f in futures[:3]]
    assert isinstance(results[3], CivisJobFailure)
    assert results[3].reason == "Process exited with status 5"
    assert results[3].url == f"{UI}{failing}?runId={futures[3].run_id}"


async def test_async_wait_and_await(emu):
    sync = emu.client()
    script = container(sync, "sleep 10")
    sql = sync.scripts.post_sql(name="q", sql="SELECT 1", remote_host_id=1, credential_id=1)
    async with emu.async_client() as client:
        first = await run_job(script.id, client)
        second = await client.scripts.run_sql(sql.id)
        done, pending = await asyncio.wait([first, second])
        assert done == {first, second} and not pending
        assert (await first).state == "succeeded"
        assert [o.object_type for o in await second.outputs()] == ["File"]


async def test_async_cancel_run_cancels_on_civis(emu):
    sync = emu.client()
    script = container(sync, "sleep 360000")
    async with emu.async_client() as client:
        future = await client.scripts.run_containers(script.id)
        assert await future.cancel_run() is True
        assert future.cancelled()
        with pytest.raises(asyncio.CancelledError):
            await future
    assert sync.scripts.get_containers_runs(script.id, future.run_id).state == "cancelled"


async def test_async_poll_answered_500_is_polled_again(emu):
    sync = emu.client()
    script = container(sync, "sleep 5")
    async with emu.async_client() as client:
        future = await client.jobs.run(script.id)
        emu.faults.add("jobs.get_runs", "500", count=1)
        assert (await future).state == "succeeded"
    assert len(emu.faults.fired) == 1
