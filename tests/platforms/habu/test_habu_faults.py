"""create-run has no idempotency key: with faults on, the workflow still ends with exactly one
run and the right rows."""

from __future__ import annotations

import asyncio

import pytest

from specclient.emulators.habu.state import HabuError, result_page
from specclient.errors import ServerError
from specclient.platforms.habu import RUN_CREATE_WINDOW


def _apply_then_fail(state, status: int) -> None:
    """The next create-run is applied, then answered with ``status`` (a gateway timing out
    while the backend goes on)."""
    original = state.create_run

    def create_run(crq_id, body):
        state.create_run = original
        original(crq_id, body)
        raise HabuError(status, "Gateway Timeout")

    state.create_run = create_run


@pytest.mark.parametrize("kind", ["drop_after", "applied_then_504", "applied_then_500"])
def test_a_lost_create_run_reply_is_found_by_name_not_sent_again(emu, client, ready_question, kind):
    crq, _ = ready_question(client)
    if kind == "drop_after":
        emu.faults.add("cleanroom_questions.create_run", "drop_after", count=1)
    else:
        _apply_then_fail(emu.state, int(kind[-3:]))
    run = client.run_question(crq.id, name=f"nightly {kind}")
    assert len(emu.state.runs) == 1
    assert run.id == next(iter(emu.state.runs))
    assert run.status == "COMPLETED"
    assert len(client.question_results(run.id)) == 1000


@pytest.mark.parametrize("kind", ["drop_before", "503", "502"])
def test_a_create_run_the_server_never_applied_is_sent_again_once(
    emu, client, ready_question, kind
):
    crq, _ = ready_question(client)
    emu.faults.add("cleanroom_questions.create_run", kind, count=1)
    run = client.run_question(crq.id, name=f"retry {kind}")
    assert len(emu.state.runs) == 1
    assert run.status == "COMPLETED"
    fired = [f.kind for f in emu.faults.fired if f.target == "cleanroom_questions.create_run"]
    assert fired == [kind]


def test_faults_everywhere_still_end_with_one_run_and_the_right_rows(emu, client, ready_question):
    crq, _ = ready_question(client)
    emu.faults.add("cleanroom_questions.create_run", "drop_after", count=1)
    emu.faults.add("cleanroom_questions.create_run", "503", count=1)
    emu.faults.add("cleanroom_question_runs.get", "502", count=2)
    emu.faults.add("cleanroom_question_runs.list", "429", count=1, retry_after=1)
    emu.faults.add("cleanroom_question_runs.get_data", "drop_after", count=2)
    emu.faults.add("cleanroom_question_runs.get_data", "expired_token", count=1)
    run = client.run_question(crq.id, name="stormy night")
    frame = client.question_results(run.id)
    assert len(emu.state.runs) == 1
    assert len(frame) == 1000
    # the right rows: exactly what the emulator computes for this run, in order
    stored = emu.state.runs[run.id]
    expected = result_page(emu.state.seed, run.id, stored.columns, 0, 1000, 1000)
    assert frame["segment"].tolist() == [row["segment"] for row in expected]
    assert frame["reach"].tolist() == [int(row["reach"]) for row in expected]


def test_create_run_gives_up_after_repeated_ambiguous_failures_without_duplicates(
    emu, client, ready_question
):
    crq, _ = ready_question(client)
    emu.faults.add("cleanroom_questions.create_run", "503", count=10)
    with pytest.raises(ServerError):
        client.run_question(crq.id, name="never")
    assert emu.state.runs == {}


def test_the_hourly_create_budget_is_waited_for_not_hit(emu, client, ready_question):
    crq, _ = ready_question(client)
    for k in range(20):
        client.run_question(crq.id, name=f"batch {k}", wait=False)
    emu.clock.sleeps.clear()
    client.run_question(crq.id, name="batch 20", wait=False)
    assert len(emu.state.runs) == 21
    # the 21st waited for the first to leave the hour instead of drawing a 429
    assert max(emu.clock.sleeps) >= RUN_CREATE_WINDOW - 60
    assert not [f for f in emu.faults.fired if f.kind == "429"]


def test_a_429_from_other_callers_use_of_the_budget_is_waited_out(emu, client, ready_question):
    crq, _ = ready_question(client)
    # someone else (another process) spent the hour's budget a minute ago
    emu.state.run_creates.extend([emu.clock.time() - 60] * 20)
    run = client.run_question(crq.id, name="patient", wait=False).run  # the run as created
    assert run.status == "QUEUED"
    assert len(emu.state.runs) == 1
    assert sum(emu.clock.sleeps) >= RUN_CREATE_WINDOW - 60 - 1


def test_an_expired_token_mid_workflow_is_renewed_once(emu, client, ready_question):
    crq, _ = ready_question(client)
    emu.state.expire_tokens()
    run = client.run_question(crq.id, name="after expiry")
    assert run.status == "COMPLETED"
    assert len(emu.state.token_issues) == 2


async def test_the_async_client_runs_a_question_once_despite_a_lost_reply(emu, ready_question):
    sync_client = emu.client(progress=False)
    crq, _ = ready_question(sync_client)
    emu.faults.add("cleanroom_questions.create_run", "drop_after", count=1)
    async with emu.async_client(progress=False) as client:
        run = await client.run_question(crq.id, name="async run")
        frame = await client.cleanroom_question_runs.get_data(run.id, return_type="pandas")
    assert run.status == "COMPLETED"
    assert len(emu.state.runs) == 1
    assert len(frame) == 1000
    assert str(frame["reach"].dtype) == "Int64"
    await asyncio.sleep(0)


def test_a_lost_flow_run_reply_is_found_by_name_not_sent_again(emu, client, ready_question):
    crq, room = ready_question(client)
    flow = client.cleanroom_flows.create(room.id, flow_name="f", nodes=[{"nodeIdentifier": crq.id}])
    emu.faults.add("cleanroom_flow_runs.create", "drop_after", count=1)
    run = client.run_flow(room.id, flow.flow_id, name="flow once")
    assert run.status == "COMPLETED"
    assert len(emu.state.flow_runs) == 1


async def test_the_async_client_runs_a_flow_once_and_reads_its_report(emu, ready_question):
    sync_client = emu.client(progress=False)
    crq, room = ready_question(sync_client)
    flow = sync_client.cleanroom_flows.create(
        room.id, flow_name="f", nodes=[{"nodeIdentifier": crq.id}]
    )
    emu.faults.add("cleanroom_flow_runs.create", "drop_after", count=1)
    async with emu.async_client(progress=False) as client:
        run = await client.run_flow(room.id, flow.flow_id, name="async flow")
        nodes = await client.cleanroom_flow_runs.list_output_nodes(room.id, run.id)
        report = await client.flow_report(room.id, run.id, nodes[0].node.id, page_size=400)
    assert run.status == "COMPLETED"
    assert len(emu.state.flow_runs) == 1
    assert len(report) == 1000
