"""The upload benchmark script runs end to end on a 1 MiB file (the real sizes run by hand)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[3] / "benchmarks" / "bench_usmart_upload.py"


@pytest.mark.slow
def test_benchmark_prints_a_row_per_client():
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--size-mb", "1", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| client | seconds | MiB/s")
    assert [r.split("|")[1].strip() for r in rows[1:]] == [
        "specclient",
        "specclient async",
        "requests",
        "curl -T",
    ]
    assert "| specclient | " in out and "skipped" not in rows[1] and "skipped" not in rows[2]
