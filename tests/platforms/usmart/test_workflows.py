"""uSmart workflows against a live emulator: upload, new revision, pipelines, catalogue, data."""

from __future__ import annotations

import pytest

from specclient.errors import ForbiddenError, NotFoundError, ParameterError
from specclient.platforms.usmart import PipelineRefreshError

from .conftest import sha256


def files_named(dataset, name):
    return [f for f in dataset.files if f.file_name == name]


# -- upload ---------------------------------------------------------------------------------------


def test_upload_stores_exact_bytes_under_the_bare_file_name(client, emu, dataset, csv_file):
    created = client.files.upload(dataset.guid, csv_file)
    assert created["file_name"] == "counts.csv"  # never the local path
    assert created["file_size"] == csv_file.stat().st_size
    [stored] = files_named(dataset, "counts.csv")
    assert stored.guid == created["file_guid"]
    assert stored.latest.blob.sha256 == sha256(csv_file)
    assert stored.latest.blob.size == csv_file.stat().st_size


def test_no_usmart_key_header_reaches_storage(client, emu, dataset, csv_file):
    client.files.upload(dataset.guid, csv_file)
    [put] = emu.state.storage_requests
    assert "api-key-id" not in put["headers"] and "api-key-secret" not in put["headers"]
    assert "authorization" not in put["headers"]
    assert "content-length" in put["headers"]  # S3 presigned PUTs need a length, not chunks


def test_update_revision_adds_revision_two_with_new_bytes(client, emu, dataset, csv_file):
    [existing] = dataset.files
    csv_file.write_bytes(b"site,date,count\nNew,2026-08-01,1\n")
    updated = client.files.update_revision(existing.guid, csv_file)
    assert updated["revision"] == 2
    assert existing.latest.blob.sha256 == sha256(csv_file)
    assert existing.file_name == "counts.csv"


def test_update_revision_with_dataset_guid_checks_it(client, dataset, csv_file):
    [existing] = dataset.files
    assert (
        client.files.update_revision(existing.guid, csv_file, dataset_guid=dataset.guid)["revision"]
        == 2
    )


# -- bad input: clear errors, nothing created -------------------------------------------------------


def nothing_created(emu, before):
    assert len(emu.state.uploads) == before[0]
    assert sum(len(d.files) for d in emu.state.datasets.values()) == before[1]
    assert emu.state.storage_requests == []


def counts(emu):
    return len(emu.state.uploads), sum(len(d.files) for d in emu.state.datasets.values())


def test_missing_file_is_refused_before_any_call(client, emu, dataset, tmp_path):
    before = counts(emu)
    with pytest.raises(ParameterError, match="no such file: .*absent.csv"):
        client.files.upload(dataset.guid, tmp_path / "absent.csv")
    nothing_created(emu, before)


def test_directory_is_refused(client, emu, dataset, tmp_path):
    before = counts(emu)
    with pytest.raises(ParameterError, match="is a directory, not a file"):
        client.files.upload(dataset.guid, tmp_path)
    nothing_created(emu, before)


def test_empty_file_is_refused(client, emu, dataset, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    before = counts(emu)
    with pytest.raises(ParameterError, match="is empty"):
        client.files.upload(dataset.guid, empty)
    nothing_created(emu, before)


def test_unknown_dataset_is_not_found_and_nothing_uploads(client, emu, csv_file):
    before = counts(emu)
    with pytest.raises(NotFoundError, match="no dataset with datasetGUID 'nope'"):
        client.files.upload("nope", csv_file)
    nothing_created(emu, before)


def test_unknown_file_guid_is_refused_before_upload(client, emu, csv_file):
    before = counts(emu)
    with pytest.raises(ParameterError, match="no file 0000 in any dataset"):
        client.files.update_revision("0000", csv_file)
    nothing_created(emu, before)


def test_file_not_in_the_named_dataset_is_refused(client, emu, dataset, csv_file):
    other = [d for d in emu.state.datasets.values() if d is not dataset][0]
    [existing] = dataset.files
    before = counts(emu)
    with pytest.raises(ParameterError, match=f"dataset {other.guid} has no file"):
        client.files.update_revision(existing.guid, csv_file, dataset_guid=other.guid)
    nothing_created(emu, before)


def test_expired_signed_url_twice_is_forbidden_and_registers_nothing(
    make_client, emu, dataset, csv_file
):
    emu.state.signed_url_ttl = -1  # every URL is already expired when it arrives
    client = make_client()
    files_before = len(dataset.files)
    with pytest.raises(ForbiddenError, match="403"):
        client.files.upload(dataset.guid, csv_file)
    assert len(dataset.files) == files_before
    assert len(emu.state.storage_requests) == 2  # one fresh URL was asked for, then gave up


# -- pipelines ------------------------------------------------------------------------------------


def test_refresh_all_processes_every_pipeline_once(client, emu, dataset):
    lines = []
    future = client.pipelines.refresh_all(dataset.guid, echo=lines.append)
    outcomes = future.started  # each process call's outcome; the future follows them
    assert [o.ok for o in outcomes] == [True, True]
    assert [c.process_count for c in dataset.containers] == [1, 1]
    assert [o.state for o in future.result()] == ["processed", "processed"]
    assert [c.process_count for c in dataset.containers] == [1, 1]
    assert len(lines) == 2 and lines[0].startswith("data-api ")  # echoed as the refresh ended


def test_refresh_all_carries_on_past_a_failure_and_names_it(client, emu, dataset):
    failing = dataset.containers[0]
    emu.state.fail_next_process.add(failing.guid)
    with pytest.raises(PipelineRefreshError) as info:
        client.pipelines.refresh_all(dataset.guid).result()
    error = info.value
    assert f"1 of 2 pipelines of dataset {dataset.guid} failed" in str(error)
    assert failing.guid in str(error) and "data-api" in str(error)
    assert [o.ok for o in error.outcomes] == [False, True]
    assert dataset.containers[1].process_count == 1


def test_create_pipeline_then_process_it(client, emu, dataset):
    created = client.pipelines.create(dataset.guid, "download-json")
    assert created["pipeline_id"] == "download-json" and created["revision"] == 0
    guid = created["resource_container_guid"]
    future = client.pipelines.process(guid)  # a future on the processing (issue 18)
    [container] = [c for c in dataset.containers if c.guid == guid]
    assert container.state == "processing" and container.process_count == 1  # started
    processed = future.result()
    assert (processed["state"], processed["revision"]) == ("processed", 1)


def test_unknown_pipeline_id_lists_the_known_ones(client, dataset):
    with pytest.raises(Exception, match="known: data-api, download-csv"):
        client.pipelines.create(dataset.guid, "bogus")


# -- catalogue and data -----------------------------------------------------------------------------


def test_catalogue_is_one_row_per_dataset_with_guid(client, emu):
    public = client.catalog.datasets()
    private = client.catalog.datasets(private=True)
    assert list(public.columns[:2]) == ["guid", "accessLevel"] or public.columns[0] == "guid"
    assert set(public["guid"]) == {
        d.guid for d in emu.state.datasets.values() if d.access_level == "public"
    }
    assert len(private) == len(emu.state.datasets)
    assert str(public["modified"].dtype).startswith("datetime64")
    assert all(url.endswith("/urql") for urls in public["api_urls"] for url in urls)


def test_query_reads_past_the_ten_thousand_window(client, emu, dataset, tmp_path):
    big = tmp_path / "big.csv"
    big.write_text("n,even\n" + "".join(f"{i},{i % 2 == 0}\n" for i in range(12_345)))
    emu.state.datasets[dataset.guid].files.clear()
    client.files.upload(dataset.guid, big)
    api = next(c for c in dataset.containers if c.pipeline_id == "data-api")
    client.pipelines.process(api.guid)
    emu.clock.advance(5)
    frame = client.data.query(api.guid)
    assert len(frame) == 12_345
    assert frame["n"].tolist() == list(range(12_345))
    assert client.data.query(api.guid, limit=20_000).shape[0] == 12_345
    assert client.data.query(api.guid, limit=11_000).shape[0] == 11_000
    few = client.data.query(api.guid, "ge(n,12340)", sort=["-n"], select=["n"], limit=3)
    assert few["n"].tolist() == [12_344, 12_343, 12_342]


def test_query_filters_by_equality(client, dataset):
    api = next(c for c in dataset.containers if c.pipeline_id == "data-api")
    frame = client.data.query(api.guid, where={"site": "Canal Path"})
    assert len(frame) == 30 and set(frame["site"]) == {"Canal Path"}


def test_query_sort_and_select_as_strings_name_fields_not_characters(client, dataset):
    api = next(c for c in dataset.containers if c.pipeline_id == "data-api")
    frame = client.data.query(api.guid, sort="-count", select="site, count", limit=5)
    assert list(frame.columns) == ["usmart_id", "site", "count"]  # usmart_id always comes
    assert frame["count"].tolist() == sorted(frame["count"].tolist(), reverse=True)
    as_list = client.data.query(api.guid, sort=["-count"], select=["site", "count"], limit=5)
    assert frame.equals(as_list)


@pytest.mark.parametrize("bad", ["", "site,,count", ["site", 3]])
def test_query_sort_with_an_empty_or_non_string_name_is_refused(client, dataset, bad):
    api = next(c for c in dataset.containers if c.pipeline_id == "data-api")
    with pytest.raises(ParameterError, match="sort must be field names"):
        client.data.query(api.guid, sort=bad)


def test_query_bad_term_is_a_clear_error(client, dataset):
    api = next(c for c in dataset.containers if c.pipeline_id == "data-api")
    with pytest.raises(Exception, match="unsupported URQL term 'stats'"):
        client.data.query(api.guid, "stats(count)")


def test_uploaded_json_records_are_served_by_urql_after_processing(client, emu, dataset, tmp_path):
    records = tmp_path / "sites.json"
    records.write_text('[{"site": "J1", "count": 7}, {"site": "J2", "count": 9}]')
    dataset.files.clear()
    client.files.upload(dataset.guid, records)
    api = next(c for c in dataset.containers if c.pipeline_id == "data-api")
    # started by a sync client and not waited for: an async client's future polls as a task
    # of the loop the next query runs on, and its sleeps would move the emulator's manual clock
    emu.client().pipelines.process(api.guid)
    assert len(client.data.query(api.guid)) == 90  # latest moves only once processing ends
    emu.clock.advance(5)
    frame = client.data.query(api.guid)
    assert frame[["site", "count"]].to_dict("records") == [
        {"site": "J1", "count": 7},
        {"site": "J2", "count": 9},
    ]


def test_download_returns_the_latest_revision_bytes(client, dataset, csv_file):
    created = client.files.upload(dataset.guid, csv_file)
    assert client.files.download(created["file_guid"]) == csv_file.read_bytes().decode()


def test_refresh_all_can_wait_until_each_pipeline_is_processed(client, emu, dataset):
    outcomes = client.pipelines.refresh_all(dataset.guid, wait=True)
    assert [o.state for o in outcomes] == ["processed", "processed"]
    assert [c.revision for c in dataset.containers] == [2, 2]
    assert emu.clock.sleeps  # waited on the emulator's clock, not for real


def test_wait_reports_a_pipeline_that_ends_failed_with_its_reason(client, emu, dataset, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2, 3]")
    client.files.upload(dataset.guid, bad)
    with pytest.raises(PipelineRefreshError) as info:
        client.pipelines.refresh_all(dataset.guid, wait=True)
    assert "2 of 2 pipelines" in str(info.value)
    assert "bad.json: JSON must hold records" in str(info.value)
    assert [o.state for o in info.value.outcomes] == ["failed", "failed"]


def test_workflows_work_on_a_client_that_returns_frames(make_client, dataset, csv_file):
    client = make_client(return_type="pandas")
    created = client.files.upload(dataset.guid, csv_file)
    assert created["file_name"] == "counts.csv"
    assert [o.ok for o in client.pipelines.refresh_all(dataset.guid).started] == [True, True]


def test_wait_for_an_unknown_container_names_it(client, dataset):
    with pytest.raises(ParameterError, match=f"dataset {dataset.guid} has no resource container"):
        client.pipelines.wait(dataset.guid, "no-such-container")


async def test_async_uploads_run_side_by_side_each_exactly_once(emu, dataset, tmp_path):
    import asyncio

    paths = []
    for n in range(3):
        path = tmp_path / f"part{n}.csv"
        path.write_bytes(f"site,date,count\nS{n},2026-07-0{n + 1},{n}\n".encode())
        paths.append(path)
    async with emu.async_client() as client:
        created = await asyncio.gather(*(client.files.upload(dataset.guid, p) for p in paths))
        outcomes = await client.pipelines.refresh_all(dataset.guid, wait=True)
    assert sorted(c["file_name"] for c in created) == ["part0.csv", "part1.csv", "part2.csv"]
    for path in paths:
        [stored] = files_named(dataset, path.name)
        assert len(stored.revisions) == 1 and stored.latest.blob.sha256 == sha256(path)
    assert [o.state for o in outcomes] == ["processed", "processed"]
    assert [c.process_count for c in dataset.containers] == [1, 1]
