"""docs/copy.md's opening example runs as written against the emulators, with the platforms'
environment variables set as a reader would set them (a question READY to run and an empty
data set are the reader's own: given here as ``question_id`` and ``rec_id``)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pyarrow.parquet as pq

from specclient.emulators import running
from tests.copy.conftest import habu_target
from tests.e2e.test_docs_examples import PACE, emulator_environment
from tests.platforms.habu.conftest import make_ready_question

DOC = Path(__file__).resolve().parents[2] / "docs" / "copy.md"


def test_the_opening_example_copies_a_run_to_clicdata_and_back_to_a_file(monkeypatch, tmp_path):
    block = re.search(r"```python\n(.*?)\n```", DOC.read_text(encoding="utf-8"), re.S).group(1)
    for name in list(os.environ):
        if name.startswith(("HABU_", "CLICDATA_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    with (
        running("habu", seed=1, pace=PACE) as habu_emu,
        running("clicdata", seed=1, pace=PACE) as cd_emu,
    ):
        for platform, emu in (("habu", habu_emu), ("clicdata", cd_emu)):
            for name, value in emulator_environment(platform, emu).items():
                monkeypatch.setenv(name, value)
        habu_emu.state.result_rows = 250
        crq, _ = make_ready_question(habu_emu.client(progress=False))
        rec_id = habu_target(cd_emu.client())
        namespace = {"question_id": crq.id, "rec_id": rec_id}
        exec(compile(block, "docs/copy.md#1", "exec"), namespace)
        assert cd_emu.state.tables[rec_id].row_count == 250
        assert pq.read_table(tmp_path / "reach.parquet").num_rows == 250
