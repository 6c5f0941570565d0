"""Job and script runs as futures, against the emulator (its clock moves as the client waits)."""

from __future__ import annotations

import concurrent.futures

import pytest

from specclient.emulators import running
from specclient.errors import WaiterTimeoutError
from specclient.platforms.civis import CivisFuture, CivisJobFailure, run_job


@pytest.fixture
def emu():
    with running("civis", seed=1, queue_seconds=2, run_seconds=10) as emulator:
        yield emulator


@pytest.fixture
def client(emu):
    return emu.client()


def container(client, command):
    return client.scripts.post_containers(
        required_resources={"cpu": 256, "memory": 512},
        docker_image_name="busybox",
        name="test job",
        docker_command=command,
    )


def test_container_run_future_returns_the_succeeded_run(client, emu):
    script = container(client, "python run.py; sleep 30")
    future = client.scripts.run_containers(script.id)

    final = future.result()

    assert final.state == "succeeded"
    assert final.container_id == script.id and final.id == future.run_id
    assert future.done() and future.succeeded()
    # it waited 2 s queued + 30 s running on the emulator's clock, backing off between polls
    assert 32 <= sum(emu.clock.sleeps) < 50
    assert emu.clock.sleeps[:3] == [1.0, 1.5, 2.25]


def test_failed_run_raises_civis_job_failure_with_the_run_error(client):
    script = container(client, "exit 2")
    future = client.jobs.run(script.id)

    with pytest.raises(CivisJobFailure, match="Process exited with status 2") as info:
        future.result()
    assert (info.value.job_id, info.value.run_id) == (script.id, future.run_id)


def test_result_timeout_gives_up_after_the_time_asked(client, emu):
    future = client.jobs.run(container(client, "sleep 3600").id)
    start = emu.clock.monotonic()

    with pytest.raises(concurrent.futures.TimeoutError):
        future.result(timeout=60)
    assert emu.clock.monotonic() - start == pytest.approx(60)
    with pytest.raises(WaiterTimeoutError, match="last state: running"):
        future.result(timeout=1)


def test_cancel_stops_the_run_on_civis(client):
    script = container(client, "sleep 3600")
    future = client.scripts.run_containers(script.id)

    assert future.cancel() is True
    assert future.cancelled()
    assert client.scripts.get_containers_runs(script.id, future.run_id).state == "cancelled"
    with pytest.raises(concurrent.futures.CancelledError):
        future.result()


def test_cancel_after_the_run_finished_returns_false(client):
    future = client.jobs.run(container(client, "true").id)
    future.result()
    assert future.cancel() is False


def test_cancel_of_a_run_finished_on_civis_but_not_yet_polled_returns_false(client, emu):
    future = client.jobs.run(container(client, "true").id)
    emu.clock.advance(3600)  # finished on the server; the future has not looked yet
    assert future.cancel() is False


def test_sql_run_outputs_via_the_future(client):
    sql = client.scripts.post_sql(
        name="count",
        sql="SELECT 1",
        remote_host_id=1,
        credential_id=client.default_database_credential_id,
    )
    future = client.scripts.run_sql(sql.id)
    assert [o.output_name for o in future.result().output] == ["output.csv"]
    assert [o.object_type for o in future.outputs()] == ["File"]


def test_run_job_mirrors_civis_utils_run_job(client):
    future = run_job(container(client, "true").id, client, polling_interval=5)
    assert future.result().state == "succeeded"
    assert future.polling_interval == 5


def test_future_built_by_hand_like_civis_python(client):
    script = container(client, "true")
    run = client.jobs.post_runs(script.id)
    future = CivisFuture(client.jobs.get_runs, (script.id, run.id), client=client)
    assert future.result().state == "succeeded"


def test_done_polls_without_blocking(client, emu):
    future = client.jobs.run(container(client, "sleep 20").id)
    assert future.done() is False
    emu.clock.advance(60)
    assert future.done() is True
    assert future.result().state == "succeeded"


def test_polling_rides_through_a_transient_server_error(client, emu):
    script = container(client, "true")
    future = client.jobs.run(script.id)
    emu.faults.add("jobs.get_runs", "503", count=1)
    assert future.result().state == "succeeded"
    assert len(emu.faults.fired) == 1


def test_max_retries_starts_new_runs_of_a_failing_job(client, emu):
    script = container(client, "exit 1")
    future = client.jobs.run(script.id, max_retries=2)
    with pytest.raises(CivisJobFailure, match="status 1"):
        future.result()
    assert len(client.jobs.list_runs(script.id)) == 3  # the first run and two retries
