"""The Civis demo runs end to end on the emulator; the memory benchmark runs (one sample)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from specclient.emulators import running
from specclient.platforms.civis import demo

ROOT = Path(__file__).parents[3]


def test_demo_walks_the_whole_workflow():
    lines: list[str] = []
    with running("civis", seed=1) as emu:
        demo(emu.client(), lines.append)
    text = "\n".join(lines)
    assert lines[0] == "signed in as demo-user"
    assert "database redshift-general is 1; default credential 101" in text
    assert "container script" in text and ": succeeded after" in text
    assert "outputs: output.csv" in text
    assert "cancel() -> True; state now cancelled" in text


@pytest.mark.slow
def test_memory_benchmark_smoke_run_prints_its_table():
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_civis_memory.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| /endpoints")]
    assert [row.split("|")[2].strip() for row in rows] == [
        "civis-python 2.10",
        "specclient (cold cache)",
    ]
