"""The demo runs end to end; progress bars show only when asked or on a terminal; async works."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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
