"""Uploads stream: memory stays flat for a big file, the body re-reads from byte 0 on a retry,
and the progress bar shows only on a terminal (or when asked)."""

from __future__ import annotations

import tracemalloc

import pytest

from specclient.errors import SpecClientError
from specclient.platforms.usmart.upload import CHUNK_SIZE, FileBody

SIZE = 200 * 1024 * 1024


@pytest.mark.slow
def test_200_mb_upload_keeps_client_memory_flat(client, emu, dataset, tmp_path):
    big = tmp_path / "big.bin"
    with big.open("wb") as handle:
        handle.truncate(SIZE)  # sparse: quick to make, still 200 MB to read and send
    tracemalloc.start()
    try:
        created = client.files.upload(dataset.guid, big, progress=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert created["file_size"] == SIZE
    [stored] = [f for f in dataset.files if f.file_name == "big.bin"]
    assert stored.latest.blob.path.stat().st_size == SIZE
    # The emulator runs in this process too, so its buffers count: still far below the file.
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
