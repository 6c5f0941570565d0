"""Workflows against a live Habu emulator: the tutorial end to end, runs, results, flows."""

from __future__ import annotations

import pandas as pd
import pytest

from specclient.emulators.habu.state import result_page
from specclient.errors import APIError, ParameterError, WaiterError
from specclient.platforms.habu import QuestionRunFailed, demo


def test_tutorial_end_to_end_gives_one_completed_run_and_its_rows(emu, client, ready_question):
    crq, _ = ready_question(client)
    run = client.run_question(crq.id, name="weekly reach", parameters={"region": "US"})
    assert run.status == "COMPLETED"
    assert run.name == "weekly reach"
    assert run.parameters == {"region": "US"}
    frame = client.question_results(run.id)
    assert len(frame) == 1000
    assert list(frame.columns) == ["segment", "day", "reach", "spend"]
    assert len(emu.state.runs) == 1


def test_results_are_typed_from_the_result_metadata(emu, client, ready_question):
    emu.state.result_rows = 1234
    crq, _ = ready_question(client)
    run = client.run_question(crq.id, name="typed")
    frame = client.cleanroom_question_runs.get_data(run.id, return_type="pandas")
    assert len(frame) == 1234
    assert str(frame["segment"].dtype) == "string"
    assert pd.api.types.is_datetime64_any_dtype(frame["day"])
    assert str(frame["reach"].dtype) == "Int64"
    assert str(frame["spend"].dtype) == "Float64"
    # the wire says "709.05": the frame holds the number, row for row
    raw = client.cleanroom_question_runs.get_data(run.id, limit=3, offset=0, return_type="raw")
    stats = raw.json()["stats"]
    assert [float(r["spend"]) for r in stats] == frame["spend"][:3].tolist()
    assert all(isinstance(v, str) for row in stats for v in row.values())


def test_one_page_as_pandas_is_typed_too(client, ready_question):
    crq, _ = ready_question(client)
    run = client.run_question(crq.id, name="page")
    page = client.cleanroom_question_runs.get_data(
        run.id, limit=10, offset=995, return_type="pandas"
    )
    assert len(page) == 5
    assert str(page["reach"].dtype) == "Int64"


def test_page_size_decides_how_many_data_requests_are_made(emu, ready_question):
    client = emu.client(page_size=250, progress=False)
    crq, _ = ready_question(client)
    run = client.run_question(crq.id, name="pages")
    before = len(emu.faults.fired)
    data_calls = []
    emu.faults.add("cleanroom_question_runs.get_data", "slow", delay=0)  # records each call
    client.question_results(run.id)
    data_calls = [f for f in emu.faults.fired[before:] if f.kind == "slow"]
    assert len(data_calls) == 4


def test_run_question_polls_at_the_platform_cadence(emu, client, ready_question):
    crq, _ = ready_question(client)
    emu.clock.sleeps.clear()
    client.run_question(crq.id, name="cadence")
    waits = [s for s in emu.clock.sleeps if s > 0]
    assert waits, "a run takes minutes: the client must have waited"
    assert min(waits) >= 300  # never more often than once every 5 minutes
    assert max(waits) <= 900


def test_poll_interval_is_configurable(emu, ready_question):
    client = emu.client(poll_interval=600, progress=False)
    crq, _ = ready_question(client)
    emu.clock.sleeps.clear()
    client.run_question(crq.id, name="slow polls")
    assert min(s for s in emu.clock.sleeps if s > 0) >= 600


def test_a_failed_run_raises_with_its_failure_reason(emu, client, ready_question):
    crq, _ = ready_question(client)
    emu.state.fail_next_run("Query failed: crowd size below 50")
    with pytest.raises(QuestionRunFailed) as caught:
        client.run_question(crq.id, name="doomed")
    assert caught.value.state == "FAILED"
    assert caught.value.reason == "Query failed: crowd size below 50"
    assert "crowd size below 50" in str(caught.value)
    assert caught.value.run_id == next(iter(emu.state.runs))
    assert isinstance(caught.value, WaiterError)


def test_wait_false_returns_the_queued_run(client, ready_question):
    crq, _ = ready_question(client)
    future = client.run_question(crq.id, name="no wait", wait=False)
    run = future.run  # the run record as created; the future follows it
    assert run.status == "QUEUED"
    assert future.run_id == run.id


def test_run_parameters_must_be_strings_before_anything_is_sent(emu, client, ready_question):
    crq, _ = ready_question(client)
    with pytest.raises(ParameterError, match="strings"):
        client.run_question(crq.id, name="bad", parameters={"days": 7})
    assert emu.state.runs == {}


def test_create_question_fills_dataset_type_fields_the_service_needs(emu, client):
    details = {"title": "q", "dataTypes": [{"macro": "@a", "importDataType": "AdExposure"}]}
    question_id = client.create_question(details)
    stored = emu.state.questions[question_id]["questionDetails"]
    assert stored["dataTypes"][0]["dataSetTypeFields"] == []


def test_create_question_raises_when_the_reply_says_no_success(emu, client, monkeypatch):
    def refuse(body, room_id):
        return {"success": False, "message": "query is not valid SQL", "questionID": None}

    monkeypatch.setattr(emu.state, "create_question", refuse)
    with pytest.raises(APIError, match="query is not valid SQL"):
        client.create_question({"title": "bad"})


def test_dataset_owners_are_assigned_before_the_datasets(emu, client, ready_question):
    crq, _ = ready_question(client, macros=("@exposures", "@conversions"))
    datasets = client.cleanroom_questions.list_datasets(crq.id)
    assert {d.data_type_name for d in datasets} == {"@exposures", "@conversions"}
    assert {d.ownership for d in datasets} == {emu.credentials["organization"]}
    assert all(d.status == "ASSIGNED" for d in datasets)
    assert client.cleanroom_questions.get(crq.id).question_status == "READY"


def test_assigning_datasets_without_an_organization_is_refused_before_sending(emu):
    client = emu.client(organization=None, progress=False)
    client.organization = None
    with pytest.raises(ParameterError, match="organization"):
        client.assign_question_datasets(
            "00000000-0000-4000-8000-000000000000", [{"macro": "@a", "dataset_id": "x"}]
        )


def test_a_display_id_where_a_uuid_belongs_is_refused_clearly(client):
    with pytest.raises(APIError) as caught:
        client.cleanroom_questions.get("CRQ-045139")
    assert caught.value.status_code == 400
    assert "display ID" in str(caught.value)
    # the platform's envelope and request id stay on the error
    assert caught.value.body["code"] == "400"
    assert "display ID" in caught.value.body["message"]
    assert caught.value.request_id


def test_flow_created_run_waited_and_reported(emu, client, ready_question):
    crq, room = ready_question(client)
    flow = client.cleanroom_flows.create(
        room.id, flow_name="weekly flow", nodes=[{"nodeIdentifier": crq.id}]
    )
    run = client.run_flow(room.id, flow.flow_id, name="flow run 1")
    assert run.status == "COMPLETED"
    nodes = client.cleanroom_flow_runs.list_output_nodes(room.id, run.id)
    report = client.flow_report(room.id, run.id, nodes[0].node.id, page_size=300)
    assert len(report) == 1000
    assert {"segment", "day", "reach", "spend"} <= set(report.columns)
    assert pd.api.types.is_numeric_dtype(report["reach"])
    assert len(emu.state.flow_runs) == 1


def test_a_failed_flow_run_raises_with_its_message(emu, client, ready_question):
    crq, room = ready_question(client)
    flow = client.cleanroom_flows.create(room.id, flow_name="f", nodes=[{"nodeIdentifier": crq.id}])
    emu.state.fail_next_run("node Q-1 failed")
    with pytest.raises(QuestionRunFailed, match="node Q-1 failed"):
        client.run_flow(room.id, flow.flow_id, name="broken")


def test_demo_runs_the_whole_tutorial(emu, client):
    lines: list[str] = []
    demo(client, lines.append)
    assert any(line.startswith("run ") and "COMPLETED" in line for line in lines)
    assert any("1000 rows" in line for line in lines)
    assert len(emu.state.runs) == 1 and len(emu.state.flow_runs) == 1


def test_a_server_that_clamps_the_page_size_still_gives_every_row(ready_question):
    import specclient.emulators

    with specclient.emulators.running("habu", seed=2, max_data_limit=300) as emu:
        client = emu.client(progress=False)
        crq, _ = ready_question(client)
        run = client.run_question(crq.id, name="clamped")
        frame = client.question_results(run.id)  # asks for 500 a page, gets 300
        stored = emu.state.runs[run.id]
        expected = result_page(emu.state.seed, run.id, stored.columns, 0, 1000, 1000)
    assert len(frame) == 1000
    assert frame["segment"].tolist() == [row["segment"] for row in expected]


def test_an_empty_body_means_no_data_and_gives_an_empty_frame(emu, client, ready_question):
    crq, _ = ready_question(client)
    run = client.run_question(crq.id, name="nothing")
    emu.state.run_data = lambda run_id, limit, offset: None
    frame = client.question_results(run.id)
    assert len(frame) == 0


async def test_async_results_fetch_pages_concurrently_in_order(emu, ready_question):
    crq, _ = ready_question(emu.client(progress=False))
    sync_client = emu.client(progress=False)
    run = sync_client.run_question(crq.id, name="async pages")
    expected = sync_client.question_results(run.id, workers=1)
    async with emu.async_client(progress=False, page_size=90) as client:
        frame = await client.question_results(run.id, workers=3)
    assert frame.equals(expected)


def test_a_poll_interval_longer_than_the_usual_cap_is_kept(emu, ready_question):
    client = emu.client(poll_interval=1200, progress=False)
    crq, _ = ready_question(client)
    emu.clock.sleeps.clear()
    client.run_question(crq.id, name="hourly-ish polls")
    assert [s for s in emu.clock.sleeps if s > 0] == [1200]


def test_progress_is_shown_on_stderr_while_waiting(emu, ready_question, capsys):
    client = emu.client(progress=True)
    crq, _ = ready_question(client)
    run = client.run_question(crq.id, name="visible")
    err = capsys.readouterr().err
    assert f"question run {run.id}: QUEUED" in err
    assert "COMPLETED" in err


def test_workflows_refuse_a_display_id_before_sending_anything(emu, client):
    before = len(emu.state.tokens)
    with pytest.raises(ParameterError, match="display ID"):
        client.run_question("CRQ-138038", name="x")
    with pytest.raises(ParameterError, match="UUID"):
        client.question_results("not-an-id")
    assert len(emu.state.tokens) == before == 0  # not even a token was asked for
