"""``specclient demo habu``: the tutorial end to end on a connected client."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .._progress import demo_progress
from .client import HabuClient

__all__ = ["demo", "tutorial_question_details"]


def tutorial_question_details(title: str = "Overlap by segment") -> dict[str, Any]:
    """A small analytical question in the shape the tutorial's step 5 creates."""
    return {
        "title": title,
        "category": "Overlap",
        "description": "Reach and spend by segment and day.",
        "tags": ["demo"],
        "hasDateParameters": False,
        "hasDateFilter": False,
        "isAnalytics": True,
        "isUserListQuestion": False,
        "isCleanComputeQuestion": False,
        "hasMultipleOutputs": False,
        "outputFormat": "REPORT",
        "visualization": "NO_CHART",
        "queryDetails": [
            {
                "query": "SELECT segment, day, COUNT(*) AS reach FROM @exposures GROUP BY 1, 2",
                "cleanRoomType": "Hybrid",
                "queryLanguage": "SQL",
            }
        ],
        "dataTypes": [
            {
                "macro": "@exposures",
                "importDataType": "AdExposure",
                "dataSetTypeFields": [{"name": "segment", "type": "STRING"}],
            }
        ],
        "parameters": [],
        "dimensions": [{"name": "segment", "type": "STRING"}, {"name": "day", "type": "DATE"}],
        "measures": [
            {"name": "reach", "type": "LONG", "isIdentity": False, "noise": False},
            {"name": "spend", "type": "DECIMAL", "isIdentity": False, "noise": False},
        ],
        "userListOutputs": [],
    }


def demo(client: HabuClient, echo: Callable[[str], None]) -> None:
    """The tutorial end to end: clean room, data connection, field mapping, dataset, question,
    attach, dataset owners and assignment, run, wait, results; then a flow run and its report."""
    stamp = uuid.uuid4().hex[:6]
    room = client.cleanrooms.create(
        name=f"specclient demo {stamp}",
        description="Created by specclient demo",
        start_at=datetime.now(UTC).date().isoformat(),
        type="Hybrid",
        parameters={"REGION": "REGION_US", "CLOUD": "CLOUD_AWS", "ENABLE_EXPORT": "false"},
    )
    echo(f"clean room      {room.display_id} {room.name}")
    connection = client.data_connections.create(
        name=f"exposures {stamp}", category="Ad Exposure", data_type={"displayName": "Ad Exposure"}
    )
    fields = client.data_connections.list_field_configurations(connection.id)
    client.data_connections.map_field_configurations(
        connection.id,
        body=[
            {
                "fieldName": f.field_name,
                "dataType": f.data_type,
                "isExcluded": False,
                "isPii": f.field_name == "email_sha256",
                "isUserIdField": f.field_name == "email_sha256",
                "identifierType": "Hashed Emails" if f.field_name == "email_sha256" else "",
                "delimiter": "",
            }
            for f in fields
        ],
    )
    echo(f"data connection {connection.name}: {len(fields)} fields mapped")
    dataset = client.cleanroom_datasets.configure(
        room.id, data_connection_id=connection.id, body={"rampIDConsent": False}
    )
    echo(f"dataset         {dataset.name} provisioned")
    question_id = client.create_question(tutorial_question_details(), cleanroom_id=room.id)
    crq = client.cleanroom_questions.add(room.id, question_id=question_id, is_editable=True)
    client.assign_question_datasets(crq.id, [{"macro": "@exposures", "dataset_id": dataset.id}])
    echo(f"question        {crq.display_id} attached, datasets assigned")
    # the run as a future: state changes shown live on a terminal, quiet when piped
    future = client.run_question(
        crq.id,
        name=f"demo run {stamp}",
        parameters={"region": "US"},
        wait=False,
        progress=demo_progress(echo) or False,
    )
    run = future.result()
    echo(f"run             {run.name}: {run.status}")
    frame = future.frame()
    echo(f"results         {len(frame)} rows, columns {', '.join(frame.columns)}")
    flow = client.cleanroom_flows.create(
        room.id, flow_name=f"demo flow {stamp}", nodes=[{"nodeIdentifier": crq.id}]
    )
    flow_run = client.run_flow(
        room.id, flow.flow_id, name=f"demo flow run {stamp}", progress=demo_progress(echo) or False
    )
    nodes = client.cleanroom_flow_runs.list_output_nodes(room.id, flow_run.id)
    report = client.flow_report(room.id, flow_run.id, nodes[0].node.id)
    echo(f"flow run        {flow_run.name}: {flow_run.status}, report {len(report)} rows")
