"""civis.io reaches the client only through public, documented names: the lookups as flows
(``civis.client.database_id_flow(client, ...)``, ``default_database_credential_id_flow``),
never a ``client._...`` private (brief r4 item 3)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from specclient.platforms.civis import io_common

CIVIS = Path(io_common.__file__).resolve().parent
# io_sql.py's read path (its raw GET of a presigned URL) belongs to another change in flight
CHECKED = ("io.py", "io_common.py", "io_files.py", "io_tables.py")


@pytest.mark.parametrize("module", CHECKED)
def test_no_io_module_reaches_a_private_of_the_client(module):
    tree = ast.parse((CIVIS / module).read_text())
    private = [
        f"{module}:{node.lineno} client.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "client"
        and node.attr.startswith("_")
    ]
    assert private == []


def test_the_flow_seams_are_public_and_documented():
    from specclient.platforms.civis import client as civis_client

    for name in ("database_id_flow", "default_database_credential_id_flow"):
        assert name in civis_client.__all__ and getattr(civis_client, name).__doc__


def test_the_flows_answer_as_the_methods_on_either_client():
    from specclient.emulators import running
    from specclient.platforms._flows import run, spec_caller
    from specclient.platforms.civis.client import (
        database_id_flow,
        default_database_credential_id_flow,
    )

    with running("civis", seed=1) as emu:
        client = emu.client()
        flow = database_id_flow(client, "redshift-general")
        assert run(flow, client, spec_caller(client)) == client.get_database_id("redshift-general")
        credential = run(default_database_credential_id_flow(client), client, spec_caller(client))
        assert credential is not None
        assert credential == client.default_database_credential_id


async def test_the_flows_run_on_the_async_client():
    from specclient.emulators import running
    from specclient.platforms._flows import arun, spec_caller
    from specclient.platforms.civis.client import database_id_flow

    with running("civis", seed=1) as emu:
        client = emu.async_client()
        flow = database_id_flow(client, "redshift-general")
        assert await arun(flow, client, spec_caller(client)) == 1
