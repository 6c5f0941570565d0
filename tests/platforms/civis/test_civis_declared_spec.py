"""``spec=PATH``: the declared copy (array queries bracketed) is made once per version of the
file, named by the file's identity, and a warm start reads neither the file nor the copy."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

import specclient
from specclient.openapi import cache as cache_module
from specclient.openapi import loader as loader_module

SPEC = Path(__file__).resolve().parents[3] / "specs" / "civis.yaml"


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = loader_module._document.read

    def counting(source: object) -> object:
        calls.append(os.path.basename(str(source)))
        return real(source)

    monkeypatch.setattr(loader_module._document, "read", counting)
    return calls


def _connect(path: Path) -> object:
    return specclient.connect("civis", spec=str(path), api_key="k")


def _tag_ids(client: object) -> str:
    (param,) = (p for p in client.tables.list.operation.params if p.name == "table_tag_ids")  # type: ignore[attr-defined]
    return param.wire_name


def _declared(cache: Path) -> list[str]:
    return sorted(p.name for p in (cache / "civis").glob("local-*.json"))


def test_a_warm_start_reads_neither_the_spec_nor_its_declared_copy(
    tmp_path, own_cache, reads, monkeypatch
):
    monkeypatch.setattr(cache_module, "SETTLED_NS", -(10**9))  # no 2 s wait for the copy
    path = tmp_path / "civis.yaml"
    shutil.copyfile(SPEC, path)
    assert _tag_ids(_connect(path)) == "table_tag_ids[]"
    (copy,) = _declared(own_cache)
    assert reads == [copy]  # the declared copy, parsed once; the YAML was read by the adapter
    warm = _connect(path)
    assert _tag_ids(warm) == "table_tag_ids[]"
    assert reads == [copy]  # warm: the index and one resource's pickle, nothing else


def test_an_edited_spec_gets_a_new_declared_copy(tmp_path, own_cache, monkeypatch):
    monkeypatch.setattr(cache_module, "SETTLED_NS", -(10**9))
    path = tmp_path / "civis.yaml"
    shutil.copyfile(SPEC, path)
    _connect(path)
    before = path.stat()
    text = path.read_text().replace("table_tag_ids", "table_tag_idz")  # same size
    while path.stat().st_ctime_ns == before.st_ctime_ns:  # a later timestamp tick
        path.write_text(text)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        time.sleep(0.001)
    edited = _connect(path)
    assert [p.name for p in edited.tables.list.operation.params if "tag" in p.name] == [  # type: ignore[attr-defined]
        "table_tag_idz"
    ]
    assert len(_declared(own_cache)) == 2


def test_a_spec_written_moments_ago_is_declared_in_memory_only(tmp_path, own_cache):
    path = tmp_path / "civis.yaml"
    shutil.copyfile(SPEC, path)  # its times are now: a second write could keep them
    assert _tag_ids(_connect(path)) == "table_tag_ids[]"
    assert _declared(own_cache) == []
