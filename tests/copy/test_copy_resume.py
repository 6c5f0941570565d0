"""Exactly once: a copy that fails midway (a fault injected by the emulators) and is run
again ends with exactly the source's rows at the destination, none twice, none missing."""

from __future__ import annotations

import pyarrow as pa
import pytest

import specclient
from specclient import transfer
from specclient.errors import ServerError
from specclient.platforms.clicdata.errors import AppendInterrupted
from tests.copy.conftest import habu_pages, habu_target, values


def _stored(clicdata, rec: int) -> pa.Table:
    return clicdata.data.get(rec, return_type="arrow", progress=False)


def _checkpoints(tmp_path):
    return sorted(p.name for p in (tmp_path / "copies").glob("*.json"))


def test_a_copy_failing_at_the_destination_resumes_without_duplicates(
    habu, run, clicdata, clicdata_emu, tmp_path
):
    truth = habu.question_results(run.id, return_type="arrow")
    rec = habu_target(clicdata)
    seen: list[int] = []

    def break_after_two_batches(change: transfer.CopyProgress) -> None:
        seen.append(change.rows)
        if len(seen) == 2:  # from now on every insert fails: the copy stops midway
            clicdata_emu.faults.add("data.insert", "500")

    source = transfer.habu_result(run.id, client=habu, page_size=300)
    destination = transfer.clicdata_dataset(clicdata, rec)
    with pytest.raises(AppendInterrupted) as stopped:  # ClicData's append names its cause
        specclient.copy(
            source,
            destination,
            progress=break_after_two_batches,
            checkpoint_dir=tmp_path / "copies",
        )
    assert isinstance(stopped.value.__cause__, ServerError)  # the server's refusal
    assert clicdata_emu.state.tables[rec].row_count == 600
    assert len(_checkpoints(tmp_path)) == 1  # the copy's record of where it began

    clicdata_emu.faults.clear()
    # run again, with other page boundaries: the 600 rows in place are skipped mid-page
    again = transfer.habu_result(run.id, client=habu, page_size=500)
    result = specclient.copy(again, destination, checkpoint_dir=tmp_path / "copies")
    assert (result.resumed, result.rows) == (600, 1234 - 600)
    assert values(_stored(clicdata, rec)) == values(truth)
    assert _checkpoints(tmp_path) == []  # done: the next copy starts afresh


def test_a_copy_failing_at_the_source_resumes_and_appends_to_rows_already_there(
    habu_emu, habu, run, clicdata, clicdata_emu, tmp_path, monkeypatch
):
    truth = habu.question_results(run.id, return_type="arrow")
    rec = habu_target(clicdata)
    earlier = truth.slice(0, 5).to_pandas()
    clicdata.data.append(rec, earlier, progress=False)  # rows that are not this copy's
    source = transfer.habu_result(run.id, client=habu, page_size=200)
    destination = transfer.clicdata_dataset(clicdata, rec, mode="append")
    with monkeypatch.context() as failing, pytest.raises(ServerError):
        habu_pages(habu_emu, failing, fail_from=600)  # the source fails from its fourth page
        specclient.copy(source, destination)
    assert clicdata_emu.state.tables[rec].row_count == 5 + 600
    result = specclient.copy(source, destination)
    assert (result.resumed, result.rows) == (600, 634)
    stored = _stored(clicdata, rec)
    assert values(stored) == values(truth.slice(0, 5)) + values(truth)


def test_a_replace_interrupted_after_clearing_does_not_clear_the_copied_rows_again(
    habu, run, clicdata, clicdata_emu
):
    truth = habu.question_results(run.id, return_type="arrow")
    rec = habu_target(clicdata)
    clicdata.data.append(rec, truth.slice(0, 40).to_pandas(), progress=False)
    fired = {"n": 0}

    def stop(change: transfer.CopyProgress) -> None:
        fired["n"] += 1
        if fired["n"] == 1:
            clicdata_emu.faults.add("data.insert", "503")

    source = transfer.habu_result(run.id, client=habu, page_size=500)
    destination = transfer.clicdata_dataset(clicdata, rec, mode="replace")
    with pytest.raises(AppendInterrupted) as stopped:  # ClicData's append names its cause
        specclient.copy(source, destination, progress=stop)
    assert isinstance(stopped.value.__cause__, ServerError)  # the server's refusal
    assert clicdata_emu.state.tables[rec].row_count == 500  # old rows gone, one batch in
    clicdata_emu.faults.clear()
    result = specclient.copy(source, destination)
    assert result.resumed == 500
    assert values(_stored(clicdata, rec)) == values(truth)


def test_a_file_destination_is_whole_or_absent(habu_emu, habu, run, tmp_path):
    path = tmp_path / "out.parquet"
    calls = {"n": 0}

    def fail(change: transfer.CopyProgress) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            habu_emu.faults.add("cleanroom_question_runs.get_data", "500")

    source = transfer.habu_result(run.id, client=habu, page_size=300)
    with pytest.raises(ServerError):
        specclient.copy(source, transfer.to_file(path), progress=fail)
    assert list(tmp_path.iterdir()) == []  # no partial file left behind, none that looks done
    habu_emu.faults.clear()
    assert specclient.copy(source, transfer.to_file(path)).rows == 1234
    import pyarrow.parquet as pq

    assert pq.read_table(path).num_rows == 1234


def test_a_usmart_copy_run_again_after_its_upload_took_effect_adds_no_second_file(
    habu, run, usmart, usmart_emu
):
    """The staged file is uploaded whole at the end; a run that failed after the upload took
    effect (its reply lost beyond every retry) looks, to the next run, like this: the file is
    already there, with the same name and size, so it is not uploaded again."""
    from tests.copy.conftest import counters

    dataset = counters(usmart_emu)
    destination = transfer.usmart_dataset(usmart, dataset.guid, file_name="result.csv")
    source = transfer.habu_result(run.id, client=habu)
    first = specclient.copy(source, destination)
    uploads = len(usmart_emu.state.uploads)
    second = specclient.copy(source, destination)
    assert [f.file_name for f in dataset.files].count("result.csv") == 1
    assert second.destination["file_guid"] == first.destination["file_guid"]
    assert len(usmart_emu.state.uploads) == uploads  # nothing sent to storage the second time


def test_a_replace_that_cannot_empty_the_data_set_stops_before_copying(
    clicdata, clicdata_emu, monkeypatch
):
    from specclient.errors import SpecClientError
    from tests.copy.conftest import small_frame

    rec = clicdata.data.create_from_dataframe("t", small_frame(), progress=False)
    table = clicdata_emu.state.tables[rec]
    monkeypatch.setattr(type(table), "delete", lambda self, find, multiple: 0)  # matches none
    destination = transfer.clicdata_dataset(clicdata, rec, mode="replace")
    with pytest.raises(SpecClientError, match=f"could not empty ClicData data set {rec}"):
        specclient.copy(transfer.frame(small_frame()), destination)
    assert table.row_count == 5  # the old rows, and none copied


def test_the_checkpoint_names_the_copy_and_the_row_count_it_began_with(
    clicdata, clicdata_emu, tmp_path
):
    import json

    from tests.copy.conftest import small_frame

    rec = clicdata.data.create_from_dataframe("t", small_frame(), progress=False)
    clicdata_emu.faults.add("data.insert", "500")
    source = transfer.frame(small_frame(), batch_rows=2)
    destination = transfer.clicdata_dataset(clicdata, rec)
    with pytest.raises(AppendInterrupted) as stopped:  # ClicData's append names its cause
        specclient.copy(source, destination, copy_id="nightly", checkpoint_dir=tmp_path)
    assert isinstance(stopped.value.__cause__, ServerError)  # the server's refusal
    record = json.loads((tmp_path / "nightly.json").read_text())
    assert record["base_rows"] == 5 and record["copy_id"] == "nightly"
    assert record["destination"] == destination.key and record["source"] == source.key
    clicdata_emu.faults.clear()
    result = specclient.copy(source, destination, copy_id="nightly", checkpoint_dir=tmp_path)
    assert (result.resumed, result.rows) == (0, 5)
    assert clicdata_emu.state.tables[rec].row_count == 10
    assert not (tmp_path / "nightly.json").exists()


def test_a_run_that_fails_raises_its_run_failed_and_nothing_is_written(
    habu_emu, habu, clicdata, clicdata_emu
):
    from specclient.errors import RunFailed
    from tests.platforms.habu.conftest import make_ready_question

    crq, _ = make_ready_question(habu)
    habu_emu.state.fail_next_run("the clean room ran out of budget")
    future = habu.run_question(crq.id, name="doomed", wait=False)
    rec = habu_target(clicdata)
    with pytest.raises(RunFailed, match="ran out of budget"):
        specclient.copy(transfer.habu_result(future), transfer.clicdata_dataset(clicdata, rec))
    assert clicdata_emu.state.tables[rec].row_count == 0
