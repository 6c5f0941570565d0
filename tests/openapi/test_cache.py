"""The on-disk cache: hits without parsing, never stale, never fatal."""

from __future__ import annotations

import json
import os
import pickle

import pytest

from specclient.openapi import load
from specclient.openapi import loader as loader_module
from specclient.openapi.naming import NamingRules

DOC = {
    "openapi": "3.0.0",
    "info": {"title": "Cached", "version": "1"},
    "servers": [{"url": "https://cached.example"}],
    "paths": {
        "/a": {"get": {"responses": {"200": {"description": "ok"}}}},
        "/b/{id}": {
            "get": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
}


@pytest.fixture
def spec_file(tmp_path):
    path = tmp_path / "api.json"
    path.write_text(json.dumps(DOC))
    return path


@pytest.fixture
def count_parses(monkeypatch):
    calls = []
    real = loader_module._document.parse

    def counting(raw, label):
        calls.append(label)
        return real(raw, label)

    monkeypatch.setattr(loader_module._document, "parse", counting)
    return calls


def _entries(cache_dir):
    return sorted(p.name for p in cache_dir.glob("*/*")) if cache_dir.exists() else []


def test_second_load_is_a_hit_that_parses_nothing(spec_file, isolated_cache, count_parses):
    first = load(spec_file)
    first.operations("b")
    assert count_parses == [str(spec_file)]
    assert _entries(isolated_cache) == ["index.pickle", "r-b.pickle"]
    second = load(spec_file)
    assert second.resource_names() == ("a", "b") and second.servers == ("https://cached.example",)
    assert second.operations("b") == first.operations("b")
    assert count_parses == [str(spec_file)]  # the warm load read pickles only
    assert second.digest == first.digest and len(second.digest) == 64


def test_untouched_resource_is_built_from_the_source_on_a_warm_load(spec_file, count_parses):
    load(spec_file)  # writes the index only
    warm = load(spec_file)
    assert warm.operation("a.list").path == "/a"
    assert len(count_parses) == 2


def test_one_changed_byte_is_a_miss(spec_file, isolated_cache, count_parses):
    load(spec_file).operations("a")
    spec_file.write_text(json.dumps(DOC).replace('"Cached"', '"Cachee"'))
    changed = load(spec_file)
    assert changed.title == "Cachee"
    assert len(count_parses) == 2
    assert len(list(isolated_cache.iterdir())) == 2


def test_other_naming_rules_are_another_entry(spec_file, isolated_cache):
    default = load(spec_file)
    other = load(spec_file, naming=NamingRules(name="other"))
    assert default.digest != other.digest


def test_corrupt_entries_fall_back_to_parsing(spec_file, isolated_cache, count_parses):
    load(spec_file).operations("b")
    (entry,) = isolated_cache.iterdir()
    (entry / "r-b.pickle").write_bytes(b"\x80\x05garbage")
    assert load(spec_file).operation("b.get").params[0].name == "id"
    (entry / "index.pickle").write_bytes(pickle.dumps(["not", "an", "index"]))
    assert load(spec_file).resource_names() == ("a", "b")
    (entry / "index.pickle").write_bytes(b"")
    assert load(spec_file).title == "Cached"
    assert len(count_parses) == 4


def test_disabled_by_argument_or_environment(spec_file, isolated_cache, monkeypatch):
    load(spec_file, cache=False).operations("a")
    assert _entries(isolated_cache) == []
    monkeypatch.setenv("SPECCLIENT_NO_CACHE", "1")
    load(spec_file).operations("a")
    assert _entries(isolated_cache) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_directory_is_silently_ignored(spec_file, tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(locked / "cache"))
    assert load(spec_file).operation("b.get").path == "/b/{id}"


def test_cache_dir_that_is_a_file_is_silently_ignored(spec_file, tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(blocker))
    with caplog.at_level("DEBUG", logger="specclient.openapi.cache"):
        spec = load(spec_file)
        assert spec.operation("b.get").path == "/b/{id}"
    assert "cannot write" in caplog.text


def test_location_falls_back_to_xdg_then_home(monkeypatch, tmp_path):
    from specclient.openapi.cache import cache_dir

    monkeypatch.delenv("SPECCLIENT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "specclient"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "specclient"


def test_dict_sources_are_cached_by_content(isolated_cache):
    load(DOC)
    load(dict(DOC))
    assert len(list(isolated_cache.iterdir())) == 1


def test_warm_load_reads_only_the_index_until_a_resource_is_touched(spec_file, monkeypatch):
    from specclient.openapi.cache import SpecCache

    load(spec_file).operations("a")
    reads = []
    real = SpecCache.read_resource

    def counting(self, resource):
        reads.append(resource)
        return real(self, resource)

    monkeypatch.setattr(SpecCache, "read_resource", counting)
    warm = load(spec_file)
    assert warm.resource_names() == ("a", "b") and reads == []
    warm.operations("a")
    warm.operations("a")
    assert reads == ["a"]


def test_cached_model_equals_the_freshly_built_one():
    from spec_samples import PETS_30

    fresh = {op.qualname: op for op in load(PETS_30, cache=False).all_operations()}
    load(PETS_30).all_operations()  # cold: builds and writes every resource
    cached = load(PETS_30)
    assert {op.qualname: op for op in cached.all_operations()} == fresh
    assert cached.security_schemes == load(PETS_30, cache=False).security_schemes
