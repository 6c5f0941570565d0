"""uSmart pipeline processing as futures: one for the whole refresh, one per container; and a
lost reply on a pipeline that was already processing is never taken as proof."""

from __future__ import annotations

import asyncio
import concurrent.futures

import pytest

from specclient.errors import ParameterError, RunFailed, RunTimeoutError
from specclient.futures import RunFuture
from specclient.platforms.usmart import PipelineRefreshError, RefreshFuture


def test_refresh_all_returns_a_started_future_ending_with_every_outcome(emu, dataset):
    client = emu.client()
    seen = []
    future = client.pipelines.refresh_all(dataset.guid, progress=seen.append)
    assert isinstance(future, RefreshFuture) and isinstance(future, concurrent.futures.Future)
    assert [c.state for c in dataset.containers] == ["processing", "processing"]  # started
    assert set(future.pipelines) == {c.guid for c in dataset.containers}
    outcomes = future.result()
    assert [(o.pipeline_id, o.ok, o.state) for o in outcomes] == [
        ("data-api", True, "processed"),
        ("download-csv", True, "processed"),
    ]
    assert [c.revision for c in dataset.containers] == [2, 2]
    assert [c.process_count for c in dataset.containers] == [1, 1]
    assert [(p.previous, p.state) for p in seen] == [
        (None, "processing"),
        ("processing", "processed"),
    ]
    # each container's own future ends with the container as processed
    for guid, one in future.pipelines.items():
        assert one.result()["state"] == "processed" and one.run_id == guid


def test_concurrent_futures_wait_covers_the_refresh_and_its_pipelines(emu, dataset):
    client = emu.client()
    future = client.pipelines.refresh_all(dataset.guid)
    done, pending = concurrent.futures.wait([future, *future.pipelines.values()], timeout=30)
    assert not pending and len(done) == 3


def test_process_returns_a_started_future_per_container(emu, dataset):
    client = emu.client()
    seen = []
    api, csv = dataset.containers
    future = client.pipelines.process(api.guid, progress=seen.append)
    assert type(future) is RunFuture and future.run_id == api.guid  # the engine's future
    assert (api.state, api.process_count, csv.process_count) == ("processing", 1, 0)
    processed = future.result()
    assert (processed["resource_container_guid"], processed["state"]) == (api.guid, "processed")
    assert processed["revision"] == api.revision == 2
    assert [(p.previous, p.state) for p in seen] == [
        (None, "processing"),
        ("processing", "processed"),
    ]
    # the blocking form is the future's result(); the dataset given skips the catalogue
    again = client.pipelines.process(csv.guid, dataset_guid=dataset.guid, wait=True)
    assert (again["state"], again["revision"], csv.process_count) == ("processed", 2, 1)


def test_process_of_a_container_in_no_dataset_is_refused_before_processing(emu, dataset):
    client = emu.client()
    other = next(d for d in emu.state.datasets.values() if d.guid != dataset.guid)
    with pytest.raises(ParameterError, match="no resource container nope in any dataset"):
        client.pipelines.process("nope")
    api = dataset.containers[0]
    with pytest.raises(ParameterError, match=f"dataset {other.guid} has no resource container"):
        client.pipelines.process(api.guid, dataset_guid=other.guid)
    assert api.process_count == 0  # nothing was started


def test_a_failed_pipeline_fails_its_process_future_with_the_reason(emu, dataset, tmp_path):
    client = emu.client()
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2, 3]")
    client.files.upload(dataset.guid, bad)
    api = next(c for c in dataset.containers if c.pipeline_id == "data-api")
    with pytest.raises(RunFailed, match="bad.json: JSON must hold records") as info:
        client.pipelines.process(api.guid).result()
    assert info.value.run_id == api.guid


def test_a_pipeline_that_fails_while_processing_fails_the_refresh(emu, dataset, tmp_path):
    client = emu.client()
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2, 3]")
    client.files.upload(dataset.guid, bad)
    future = client.pipelines.refresh_all(dataset.guid)
    error = future.exception()
    assert isinstance(error, PipelineRefreshError) and isinstance(error, RunFailed)
    assert error.run_id == dataset.guid
    assert "bad.json: JSON must hold records" in str(error)
    with pytest.raises(RunFailed, match="JSON must hold records"):
        next(iter(future.pipelines.values())).result()


def test_a_timeout_names_the_state_and_processing_goes_on(emu, dataset):
    client = emu.client()
    emu.state.process_delay = 120.0
    future = client.pipelines.refresh_all(dataset.guid)
    with pytest.raises(RunTimeoutError, match="last state: processing"):
        future.result(timeout=5)
    assert len(future.result()) == 2
    with pytest.raises(RunTimeoutError, match="processing"):
        client.pipelines.refresh_all(dataset.guid, wait=True, timeout=5)


def test_a_transient_500_on_a_poll_is_polled_again(emu, dataset):
    client = emu.client()
    future = client.pipelines.refresh_all(dataset.guid)
    emu.faults.add("datasets.view", "500", count=1)
    assert all(o.ok for o in future.result())
    assert [f.kind for f in emu.faults.fired] == ["500"]


def test_a_lost_reply_on_a_pipeline_already_processing_is_not_taken_as_done(emu, dataset):
    client = emu.client()
    busy = dataset.containers[0]
    client.pipelines.process(busy.guid)  # someone started it before this refresh
    emu.faults.add("pipelines.process", "drop_before", count=1)
    future = client.pipelines.refresh_all(dataset.guid)
    first, second = future.started
    assert not first.ok  # not claimed as this call's processing ...
    assert "may or may not have been queued" in first.error
    assert f"pipelines.process({busy.guid!r})" in first.error  # ... and says how to check
    assert busy.process_count == 1  # ... nor sent again
    assert second.ok
    with pytest.raises(PipelineRefreshError, match="may or may not"):
        future.result()


async def test_async_refreshes_under_gather(emu):
    public = [d for d in emu.state.datasets.values() if d.containers][:2]
    async with emu.async_client() as client:
        futures = [await client.pipelines.refresh_all(d.guid) for d in public]
        assert all(isinstance(f, asyncio.Future) for f in futures)
        results = await asyncio.gather(*futures)
        assert [[o.state for o in r] for r in results] == [
            ["processed"] * len(d.containers) for d in public
        ]
        assert await client.pipelines.refresh_all(public[0].guid, wait=True)
