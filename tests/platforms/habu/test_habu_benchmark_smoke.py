"""The Habu benchmark script runs end to end on a tiny result (the big run is not a test)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_habu_results.py"


def test_benchmark_script_prints_a_row_per_method_with_every_row_fetched():
    spec = importlib.util.spec_from_file_location("bench_habu_results", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.main(["--rows", "7", "--page-size", "3", "--inline"])
    lines = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert [line.split("|")[1].strip() for line in lines[1:]] == [
        "tutorial",
        "tutorial+types",
        "specclient/1",
        "specclient",
    ]
    assert all(line.split("|")[2].strip() == "7" for line in lines[1:])
    assert lines[-1].split("|")[-2].strip() == "yes"  # specclient's frame is typed
