"""``benchmarks/bench_civis_io.py`` runs (2,000 rows, one sample a case) and reports what
BENCHMARKS.md's civis.io table is made of: both libraries' reads of the same table, the
honest dtypes on specclient's side."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[4]


@pytest.mark.slow
def test_read_benchmark_smoke_run_prints_both_sides():
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_civis_io.py"), "--rows", "2000",
         "--runs", "1", "--cases", "specclient-pandas,civis-pandas", "--markdown"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    samples = {
        r["case"]: r
        for r in (json.loads(line) for line in done.stderr.splitlines() if line.startswith("{"))
    }
    assert {case: r["rows"] for case, r in samples.items()} == {
        "specclient-pandas": 2000,
        "civis-pandas": 2000,
    }
    assert samples["specclient-pandas"]["dtypes"] == {
        "id": "Int64", "qty": "Int64", "units": "Int64", "price": "Float64",
        "ratio": "Float64", "region": "string", "note": "string", "paid": "boolean",
        "day": "datetime64[ns]", "seen": "datetime64[ns, UTC]",
    }  # fmt: skip
    rows = [line.split("|")[1].strip() for line in done.stdout.splitlines()[2:]]
    assert rows == ["specclient-pandas", "civis-pandas"]
