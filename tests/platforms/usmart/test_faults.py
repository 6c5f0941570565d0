"""Faults on the signed PUT and on the actions: after the run, exactly one file with the right
bytes and size, and every pipeline processed once."""

from __future__ import annotations

import pytest

from specclient.errors import ServerError

from .conftest import sha256


def created_files(emu):
    return [name for name, _ in emu.state.action_log if name == "files.create"]


def assert_exactly_one(dataset, path):
    matching = [f for f in dataset.files if f.file_name == path.name]
    assert len(matching) == 1
    [stored] = matching
    assert len(stored.revisions) == 1
    assert stored.latest.blob.sha256 == sha256(path)
    assert stored.latest.blob.size == path.stat().st_size
    return stored


@pytest.mark.parametrize("kind", ["503", "500", "drop_before", "drop_after"])
def test_put_fault_is_retried_with_the_same_bytes(client, emu, dataset, csv_file, kind):
    emu.faults.add("storage.put", kind, count=1)
    client.files.upload(dataset.guid, csv_file)
    assert_exactly_one(dataset, csv_file)
    assert len(created_files(emu)) == 1
    assert len({r["reference"] for r in emu.state.storage_requests}) == 1  # same URL again


@pytest.mark.parametrize("kind", ["500", "503", "drop_before"])
def test_file_create_refused_before_it_ran_is_sent_again_once(client, emu, dataset, csv_file, kind):
    emu.faults.add("files.create", kind, count=1)
    client.files.upload(dataset.guid, csv_file)
    assert_exactly_one(dataset, csv_file)
    assert len(created_files(emu)) == 1


def test_file_create_whose_answer_was_lost_is_not_repeated(client, emu, dataset, csv_file):
    emu.faults.add("files.create", "drop_after", count=1)
    created = client.files.upload(dataset.guid, csv_file)
    stored = assert_exactly_one(dataset, csv_file)
    assert created["file_guid"] == stored.guid
    assert len(created_files(emu)) == 1


def test_update_revision_whose_answer_was_lost_is_not_repeated(client, emu, dataset, csv_file):
    [existing] = dataset.files
    emu.faults.add("files.update_revision", "drop_after", count=1)
    client.files.update_revision(existing.guid, csv_file, dataset_guid=dataset.guid)
    assert len(existing.revisions) == 2
    assert existing.latest.blob.sha256 == sha256(csv_file)


def test_faults_everywhere_still_give_one_file(client, emu, dataset, csv_file):
    emu.faults.add("storage.put", "drop_after", count=1)
    emu.faults.add("files.create", "drop_after", count=1)
    emu.faults.add("datasets.view", "503", count=1)
    emu.faults.add("uploads.generate_put_request", "502", count=1)
    client.files.upload(dataset.guid, csv_file)
    assert_exactly_one(dataset, csv_file)
    assert len(created_files(emu)) == 1


def test_file_create_failing_every_time_gives_up_with_the_server_error(
    client, emu, dataset, csv_file
):
    emu.faults.add("files.create", "500")
    with pytest.raises(ServerError, match="500"):
        client.files.upload(dataset.guid, csv_file)
    assert not [f for f in dataset.files if f.file_name == csv_file.name]


@pytest.mark.parametrize("kind", ["500", "drop_before", "drop_after"])
def test_refresh_all_processes_every_pipeline_exactly_once(client, emu, dataset, kind):
    emu.faults.add("pipelines.process", kind, count=1)
    outcomes = client.pipelines.refresh_all(dataset.guid).started
    assert all(o.ok for o in outcomes)
    assert [c.process_count for c in dataset.containers] == [1, 1]
