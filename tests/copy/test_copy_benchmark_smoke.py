"""The copy benchmark runs end to end on a tiny result (the million-row run is not a test)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_copy.py"


def test_benchmark_script_stores_every_row_with_both_methods():
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        spec = importlib.util.spec_from_file_location("bench_copy", SCRIPT)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        text = module.main(["--rows", "9", "--inline"])
    finally:
        sys.path.remove(str(SCRIPT.parent))
    lines = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert [line.split("|")[1].strip() for line in lines[1:]] == ["by hand", "copy"]
    assert all(line.split("|")[2].strip() == "9" for line in lines[1:])
