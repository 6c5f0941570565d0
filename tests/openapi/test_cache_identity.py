"""A warm start knows a spec file by its identity (device, inode, size, mtime, ctime) and does
not read it; any change to the file is still seen, and a file changed moments before it was
read is never remembered (the racy-git rule)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from specclient.errors import SpecError
from specclient.openapi import cache as cache_module
from specclient.openapi import load
from specclient.openapi import loader as loader_module

DOC = {
    "openapi": "3.0.0",
    "info": {"title": "Known", "version": "1"},
    "paths": {
        "/a": {"get": {"responses": {"200": {"description": "ok"}}}},
        "/b": {"get": {"responses": {"200": {"description": "ok"}}}},
    },
}


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "api.json"
    path.write_text(json.dumps(DOC))
    return path


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every time the loader reads a spec's bytes."""
    calls: list[str] = []
    real = loader_module._document.read

    def counting(source: object) -> object:
        calls.append(str(source))
        return real(source)

    monkeypatch.setattr(loader_module._document, "read", counting)
    return calls


@pytest.fixture
def settled_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat a file as left alone long enough the moment it is written (instead of after 2 s),
    so a test need not wait; each test below then changes the file's times for real."""
    monkeypatch.setattr(cache_module, "SETTLED_NS", -(10**9))


def _rewrite_keeping_size_and_mtime(path: Path, text: str) -> None:
    """Same length, same modification time: only the status-change time and the bytes move."""
    before = path.stat()
    assert len(text.encode()) == before.st_size
    while True:
        path.write_text(text)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        after = path.stat()
        if after.st_ctime_ns != before.st_ctime_ns:  # a later timestamp tick
            break
        time.sleep(0.001)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )


def test_a_settled_file_is_not_read_again_on_a_warm_start(spec_file, reads, settled_at_once):
    cold = load(spec_file)
    assert reads == [str(spec_file)]
    warm = load(spec_file)
    assert reads == [str(spec_file)]  # neither read nor hashed: known by its identity
    assert warm.digest == cold.digest and warm.title == "Known"
    assert warm.operation("a.list").path == "/a"  # built from the file, read and checked now
    assert reads == [str(spec_file)] * 2


def test_a_same_size_edit_with_the_old_mtime_is_seen(spec_file, isolated_cache, settled_at_once):
    load(spec_file).operations("a")
    _rewrite_keeping_size_and_mtime(spec_file, json.dumps(DOC).replace("Known", "Knewn"))
    assert load(spec_file).title == "Knewn"


def test_a_file_replaced_by_another_with_the_same_size_and_times_is_seen(
    spec_file, tmp_path, settled_at_once
):
    load(spec_file).operations("a")
    other = tmp_path / "other.json"
    other.write_text(json.dumps(DOC).replace("Known", "Other"))
    status = spec_file.stat()
    os.utime(other, ns=(status.st_atime_ns, status.st_mtime_ns))
    os.replace(other, spec_file)  # another inode under the same name
    assert load(spec_file).title == "Other"


def test_a_file_changed_moments_before_it_was_read_is_not_remembered(
    spec_file, isolated_cache, reads
):
    load(spec_file)
    load(spec_file)
    assert reads == [str(spec_file)] * 2  # read (and hashed) both times
    assert not (isolated_cache / "files").exists()


def test_a_file_changed_after_a_warm_start_is_refused_not_mixed(spec_file, settled_at_once):
    load(spec_file)  # the index only
    warm = load(spec_file)
    _rewrite_keeping_size_and_mtime(spec_file, json.dumps(DOC).replace("/b", "/c"))
    with pytest.raises(SpecError, match="changed after this client was built from it"):
        warm.operations("b")


def test_nothing_is_remembered_with_the_cache_off(spec_file, isolated_cache, settled_at_once):
    load(spec_file, cache=False)
    assert not isolated_cache.exists()
