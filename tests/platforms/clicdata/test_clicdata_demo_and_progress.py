"""The demo runs end to end; progress bars show only when asked or on a terminal; async works."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from specclient.errors import ParameterError
from specclient.platforms.clicdata import ClicDataScopeError, demo


def test_demo_runs_the_whole_workflow_on_the_emulator(emu):
    lines: list[str] = []
    demo(emu.client(), lines.append)
    assert lines[0] == "data sets: Sales, Customers"
    assert any(line.startswith("read back 3 rows: city:") for line in lines)
    assert any("bytes of PNG" in line for line in lines)
    demo(emu.client(api_version=None), lines.append)  # twice, legacy API: a fresh name
    names = {t.name for t in emu.state.tables.values()}
    assert {"specclient demo", "specclient demo 2"} <= names


def test_progress_bar_is_drawn_when_asked_and_silent_by_default_off_a_terminal(emu, capsys):
    client = emu.client()
    frame = pd.DataFrame({"x": np.arange(1200)})
    rec_id = client.data.create_from_dataframe("progress", frame.iloc[:0])
    client.data.append(rec_id, frame)  # stderr is not a terminal under pytest
    assert "rows" not in capsys.readouterr().err
    client.data.append(rec_id, frame, progress=True)
    drawn = capsys.readouterr().err
    assert "appending:" in drawn and "/1200" in drawn


async def test_async_client_has_auth_api_version_images_and_the_200_error_check():
    import specclient.emulators

    with specclient.emulators.running("clicdata", seed=1, scopes=["data_read"]) as emu:
        async with emu.async_client() as client:
            listing = await client.data.list()
            assert listing["success"] is True and len(listing["result"]) == 2
            image = await client.dashboards.thumbnail(next(iter(emu.state.dashboards)))
            assert image.startswith(b"\x89PNG")
            with pytest.raises(ClicDataScopeError, match="Missing scope"):
                await client.account.get()


async def test_async_workflows_round_trip_a_frame_exactly_once_under_faults():
    import specclient.emulators

    with specclient.emulators.running("clicdata", seed=1) as emu:
        async with emu.async_client(page_size=100) as client:
            frame = pd.DataFrame({"id": np.arange(1500), "ok": np.arange(1500) % 2 == 0})
            rec_id = await client.data.create_from_dataframe("async", frame.iloc[:0])
            emu.faults.add("data.insert", "drop_after", count=1)
            emu.faults.add("data.insert", "500", count=1)
            assert await client.data.append(rec_id, frame, progress=False) == 1500
            assert emu.state.tables[rec_id].data["id"] == list(range(1500))
            back = await client.data.get(rec_id)
            assert back["id"].tolist() == list(range(1500)) and str(back["ok"].dtype) == "bool"
            assert await client.data.delete_rows(rec_id, {"ok": False}) == 750
            await client.data.rebuild(rec_id, method="reload")
            with pytest.raises(ParameterError):
                await client.data.rebuild(rec_id, method="nope")
