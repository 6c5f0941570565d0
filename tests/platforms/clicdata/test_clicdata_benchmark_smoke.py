"""The append benchmark's cases run (tiny size, in-process emulator): the script stays working."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import specclient.emulators

SCRIPT = Path(__file__).parents[3] / "benchmarks" / "bench_clicdata_append.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_clicdata_append", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_benchmark_case_runs_on_three_rows_and_prints_a_table():
    bench = _bench()
    with specclient.emulators.running("clicdata", insert_cap=0) as emu:
        ours = bench.run_case("ours-append", emu.base_url, emu.credentials, 3, None)
        results = [ours, bench.run_case("wrapper-append", emu.base_url, emu.credentials, 3, None)]
        for case in ("ours-read-10000", "wrapper-read"):
            results.append(bench.run_case(case, emu.base_url, emu.credentials, 3, ours["rec_id"]))
        wrapper_table = emu.state.tables[results[1]["rec_id"]]
        assert wrapper_table.row_count == 3 and wrapper_table.data["id"] == [0, 1, 2]
    table = bench._table(results, markdown=True)
    assert table.splitlines()[0].startswith("| case | rows | seconds | rows/s")
    assert "wrapper's way: append (one request)" in table
