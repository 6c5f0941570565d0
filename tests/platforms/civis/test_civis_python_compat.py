"""The same code, run with civis-python's APIClient and with ours, against the emulator, gives
the same answers. civis-python fetches the spec from the emulator's /endpoints as it would from
Civis, and talks to it with requests; ours goes through connect("civis")."""

from __future__ import annotations

import warnings

import pytest

from specclient.emulators.civis import CREDENTIALS

civis = pytest.importorskip("civis")


def common_calls(client):
    """What civis-python users write every day (the helpers, responses, paging, runs)."""
    tables = client.tables.list(database_id=1, limit=2, iterator=True)
    me = client.users.get_me()
    return {
        "username": client.username,
        "database_id": client.get_database_id("redshift-general"),
        "passthrough": client.get_database_id(42),
        "table_id": client.get_table_id("public.orders", "redshift-general"),
        "dotted_table_id": client.get_table_id('"schema.has.periods".bar', 1),
        "credential_id": client.default_database_credential_id,
        "aws_id": client.get_aws_credential_id("shared-cred"),
        "aws_owned": client.get_aws_credential_id("shared-cred", owner="research-group"),
        "names": [t.name for t in tables],
        "page_2": [t["name"] for t in client.tables.list(limit=2, page_num=2)],
        "me_json": me.json()["feature_flags"],
        "me_camel": me.json(snake_case=False)["featureFlags"],
        "me_attr": me.feature_flags.python_3_scripts,
        "run_keys": sorted(client.jobs.list_runs(client.jobs.list()[0].id)[0])
        if client.jobs.list()
        else None,
    }


def missing_database(client):
    try:
        client.get_database_id("nowhere")
    except ValueError as error:
        return str(error)
    return None


def test_common_calls_answer_alike_with_civis_python_and_specclient(emu):
    ours = emu.client()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        theirs = civis.APIClient(api_key=CREDENTIALS["api_key"])
    assert common_calls(ours) == common_calls(theirs)
    assert missing_database(ours) == missing_database(theirs) == "Database nowhere not found."


def test_a_run_started_by_civis_python_is_seen_by_ours(emu):
    ours = emu.client()
    script = ours.scripts.post_containers(
        required_resources={"cpu": 256, "memory": 512},
        docker_image_name="busybox",
        name="compat",
        docker_command="true",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        theirs = civis.APIClient(api_key=CREDENTIALS["api_key"])
        future = civis.utils.run_job(script.id, client=theirs, polling_interval=0.01)
    emu.clock.advance(3600)  # the run is over on the emulator's clock
    assert future.result(timeout=30).state == "succeeded"
    assert ours.jobs.get_runs(script.id, future.run_id).state == "succeeded"
