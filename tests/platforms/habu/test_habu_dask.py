"""A result as a Dask DataFrame on a 2-worker LocalCluster: the partitions fetch their own
pages on the workers, the driver reads one row, and the computed frame equals pandas'."""

from __future__ import annotations

import pytest

pytest.importorskip("distributed")

from distributed import Client as DaskClient  # noqa: E402
from distributed import LocalCluster  # noqa: E402

import specclient.platforms.habu.partitions as partitions  # noqa: E402


def _data_requests(emu) -> list:
    return [f for f in emu.faults.fired if f.target == "cleanroom_question_runs.get_data"]


def test_partitions_fetch_their_own_pages_on_the_workers(emu, client, ready_question, monkeypatch):
    emu.state.result_rows = 23_456
    crq, _ = ready_question(client)
    run = client.run_question(crq.id, name="dask")
    expected = client.question_results(run.id)
    # the workers authenticate from their own environment: nothing secret in the graph
    monkeypatch.setenv("HABU_API_CLIENT", emu.credentials["client_id"])
    monkeypatch.setenv("HABU_API_SECRET", emu.credentials["client_secret"])
    monkeypatch.setattr(partitions, "PARTITION_ROWS", 5_000)
    emu.faults.add("cleanroom_question_runs.get_data", "slow", delay=0)  # records each call

    frame = client.question_results(run.id, return_type="dask", page_size=2_500)
    assert frame.npartitions == 5  # 4 x 5,000 + 3,456
    assert len(_data_requests(emu)) == 1  # the driver read one row
    assert dict(frame.dtypes) == dict(expected.dtypes)
    assert emu.credentials["client_secret"] not in repr(dict(frame.dask))

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        DaskClient(cluster),
    ):
        computed = frame.compute()
    assert len(_data_requests(emu)) == 1 + 10  # each page once, from the workers
    computed = computed.reset_index(drop=True)
    assert computed.equals(expected)
    assert [str(t) for t in computed.dtypes] == [str(t) for t in expected.dtypes]


def test_dask_refuses_a_result_without_dask_installed_naming_the_extra(
    emu, client, ready_question, monkeypatch
):
    import builtins

    crq, _ = ready_question(client)
    run = client.run_question(crq.id, name="no dask")
    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name.startswith("dask"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(Exception, match=r'pip install "specclient\[dask\]"'):
        client.question_results(run.id, return_type="dask")
