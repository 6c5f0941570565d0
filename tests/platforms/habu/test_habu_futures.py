"""Habu question and flow runs as futures, and recovery that never mistakes an older run."""

from __future__ import annotations

import asyncio
import concurrent.futures

import pytest

from specclient.emulators.habu.state import result_page
from specclient.errors import RunFailed, RunTimeoutError
from specclient.futures import RunFuture
from specclient.platforms.habu import QuestionRunFailed
from specclient.platforms.habu.futures import FlowRunFuture, QuestionRunFuture


def test_wait_false_returns_a_started_future_whose_result_is_the_completed_run(
    emu, client, ready_question
):
    crq, _ = ready_question(client)
    future = client.run_question(crq.id, name="future", wait=False)
    assert isinstance(future, QuestionRunFuture) and isinstance(future, RunFuture)
    assert isinstance(future, concurrent.futures.Future)
    assert len(emu.state.runs) == 1  # started, not waited for
    assert future.run_id == next(iter(emu.state.runs))
    assert future.url is None  # LiveRamp publishes no link pattern for a run
    run = future.result()
    assert run.status == "COMPLETED" and run.id == future.run_id
    frame = future.frame()  # the result's table, through the result paging
    assert len(frame) == 1000
    stored = emu.state.runs[run.id]
    expected = result_page(emu.state.seed, run.id, stored.columns, 0, 1000, 1000)
    assert frame["segment"].tolist() == [row["segment"] for row in expected]


def test_the_progress_callback_sees_each_state_once_in_order(emu, client, ready_question):
    crq, _ = ready_question(client)
    seen = []
    future = client.run_question(crq.id, name="watched", wait=False, progress=seen.append)
    future.result()
    assert [(p.previous, p.state) for p in seen] == [
        (None, "QUEUED"),
        ("QUEUED", "RUNNING"),
        ("RUNNING", "COMPLETED"),
    ]
    assert all(p.run_id == future.run_id for p in seen)
    assert seen[-1].elapsed >= 660  # queue 60 s + run 600 s on the emulator's clock


def test_a_failed_run_is_one_run_failed_carrying_reason_and_run_id(emu, client, ready_question):
    crq, _ = ready_question(client)
    emu.state.fail_next_run("Query failed: crowd size below 50")
    future = client.run_question(crq.id, name="doomed", wait=False)
    error = future.exception()
    assert isinstance(error, QuestionRunFailed) and isinstance(error, RunFailed)
    assert error.run_id == future.run_id == next(iter(emu.state.runs))
    assert error.reason == "Query failed: crowd size below 50"
    assert error.state == "FAILED"
    with pytest.raises(QuestionRunFailed, match="crowd size below 50"):
        future.result()


def test_a_timeout_names_the_state_and_the_run_goes_on(emu, client, ready_question):
    crq, _ = ready_question(client)
    future = client.run_question(crq.id, name="slow", wait=False)
    with pytest.raises(RunTimeoutError, match=r"last state: QUEUED") as caught:
        future.result(timeout=30)
    assert caught.value.run_id == future.run_id and caught.value.state == "QUEUED"
    assert future.result().status == "COMPLETED"  # waiting again resumes
    with pytest.raises(RunTimeoutError, match="RUNNING"):
        client.run_question(crq.id, name="blocking slow", timeout=300)


def test_cancel_is_refused_since_the_api_cannot_cancel_a_run(emu, client, ready_question):
    crq, _ = ready_question(client)
    future = client.run_question(crq.id, name="keep going", wait=False)
    assert future.cancel() is False
    assert not future.cancelled()
    assert future.result().status == "COMPLETED"


def test_one_500_on_a_status_poll_does_not_abort_run_question(emu, client, ready_question):
    crq, _ = ready_question(client)
    emu.faults.add("cleanroom_question_runs.get", "500", count=1)
    run = client.run_question(crq.id, name="bumpy")
    assert run.status == "COMPLETED"
    assert len(emu.state.runs) == 1  # not started twice
    assert [f.kind for f in emu.faults.fired] == ["500"]


def test_recovery_after_a_lost_create_never_returns_an_older_run_of_the_same_name(
    emu, client, ready_question
):
    crq, _ = ready_question(client)
    older = client.run_question(crq.id, name="nightly", parameters={"DAY": "1"})
    # the next create never reaches the server; the run named "nightly" that recovery finds
    # is yesterday's, with other parameters: it must not be taken for this call's
    emu.faults.add("cleanroom_questions.create_run", "drop_before", count=1)
    run = client.run_question(crq.id, name="nightly", parameters={"DAY": "2"})
    assert run.id != older.id
    assert len(emu.state.runs) == 2
    assert emu.state.runs[run.id].parameters == {"DAY": "2"}


def test_recovery_after_a_lost_reply_finds_this_calls_run_beside_older_namesakes(
    emu, client, ready_question
):
    crq, _ = ready_question(client)
    older = client.run_question(crq.id, name="nightly", parameters={"DAY": "1"})
    emu.faults.add("cleanroom_questions.create_run", "drop_after", count=1)
    run = client.run_question(crq.id, name="nightly", parameters={"DAY": "1"})
    assert len(emu.state.runs) == 2  # applied once, not sent again
    assert run.id != older.id


async def test_async_twins_under_gather(emu, ready_question):
    sync = emu.client(progress=False)
    crq, _ = ready_question(sync)
    async with emu.async_client(progress=False) as client:
        futures = [
            await client.run_question(crq.id, name=f"async {k}", wait=False) for k in range(3)
        ]
        assert all(isinstance(f, asyncio.Future) for f in futures)
        runs = await asyncio.gather(*futures)
        assert [r.status for r in runs] == ["COMPLETED"] * 3
        assert len({r.id for r in runs}) == 3 == len(emu.state.runs)
        frame = await futures[0].frame()
        assert len(frame) == 1000
        blocking = await client.run_question(crq.id, name="async blocking")
        assert blocking.status == "COMPLETED"


def test_a_flow_run_future_reaches_a_nodes_report(emu, client, ready_question):
    crq, room = ready_question(client)
    flow = client.cleanroom_flows.create(
        room.id, flow_name="weekly flow", nodes=[{"nodeIdentifier": crq.id}]
    )
    future = client.run_flow(room.id, flow.flow_id, name="flow future", wait=False)
    assert isinstance(future, FlowRunFuture)
    assert future.run.status == "QUEUED" and len(emu.state.flow_runs) == 1
    assert future.result().status == "COMPLETED"
    nodes = client.cleanroom_flow_runs.list_output_nodes(room.id, future.run_id)
    report = future.report(nodes[0].node.id)
    assert len(report) == 1000
    assert len(emu.state.flow_runs) == 1


def test_recovery_of_a_flow_run_never_returns_an_older_run_of_the_same_name(
    emu, client, ready_question
):
    crq, room = ready_question(client)
    flow = client.cleanroom_flows.create(
        room.id, flow_name="weekly flow", nodes=[{"nodeIdentifier": crq.id}]
    )
    older = client.run_flow(room.id, flow.flow_id, name="weekly")
    emu.faults.add("cleanroom_flow_runs.create", "drop_before", count=1)
    run = client.run_flow(room.id, flow.flow_id, name="weekly")
    assert run.id != older.id
    assert len(emu.state.flow_runs) == 2
