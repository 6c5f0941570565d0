"""Uploads stream: memory stays flat for a big file, the body re-reads from byte 0 on a retry,
and the progress bar shows only on a terminal (or when asked)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from specclient.errors import SpecClientError
from specclient.platforms.usmart.upload import CHUNK_SIZE, FileBody

SIZE = 200 * 1024 * 1024


#: The upload measured in a process of its own: tracemalloc counts every thread, and in the
#: test process threads left by other tests (served emulators, pools) would count too.
_UPLOAD_SCRIPT = """
import asyncio, sys, tracemalloc
from pathlib import Path
from specclient.emulators import running

mode, big = sys.argv[1], Path(sys.argv[2])
with running("usmart", seed=1) as emu:
    dataset = next(d for d in emu.state.datasets.values() if d.access_level == "public")
    tracemalloc.start()
    if mode == "sync":
        created = emu.client().files.upload(dataset.guid, big, progress=False)
    else:
        async def upload():
            async with emu.async_client() as client:
                return await client.files.upload(dataset.guid, big, progress=False)
        created = asyncio.run(upload())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    [stored] = [f for f in dataset.files if f.file_name == big.name]
    print(created["file_size"], stored.latest.blob.path.stat().st_size, peak)
"""


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_200_mb_upload_keeps_client_memory_flat(mode, tmp_path):
    big = tmp_path / "big.bin"
    with big.open("wb") as handle:
        handle.truncate(SIZE)  # sparse: quick to make, still 200 MB to read and send
    done = subprocess.run(
        [sys.executable, "-c", _UPLOAD_SCRIPT, mode, str(big)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "SPECCLIENT_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert done.returncode == 0, done.stderr
    reported, stored, peak = (int(word) for word in done.stdout.split())
    assert reported == stored == SIZE
    # The emulator runs in that process too, so its buffers count: still far below the file.
    assert peak < 32 * 1024 * 1024, f"peak traced memory {peak / 1e6:.1f} MB"


def test_body_reads_the_file_again_from_the_start_on_each_attempt(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"x" * (CHUNK_SIZE + 10))
    body = FileBody(path, CHUNK_SIZE + 10, progress=False)
    first, second = b"".join(body), b"".join(body)
    assert first == second == path.read_bytes()
    assert body.attempts == 2
    assert max(len(c) for c in FileBody(path, CHUNK_SIZE + 10, progress=False)) == CHUNK_SIZE


def test_file_that_grows_during_upload_is_an_error(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"abc")
    body = FileBody(path, 3, progress=False)
    path.write_bytes(b"abcdef")
    with pytest.raises(SpecClientError, match="changed size during the upload"):
        b"".join(body)


def test_progress_bar_when_asked(client, dataset, csv_file, capsys):
    client.files.upload(dataset.guid, csv_file, progress=True)
    assert "counts.csv" in capsys.readouterr().err


def test_no_progress_bar_off_a_terminal(client, dataset, csv_file, capsys):
    client.files.upload(dataset.guid, csv_file)
    assert capsys.readouterr().err == ""
