"""``specclient copy SOURCE DEST`` against emulators, with credentials from the environment
as a user sets them: rows land exactly once; bad URIs are usage errors naming the URI."""

from __future__ import annotations

import json

import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from specclient.cli import main
from specclient.emulators import running
from tests.cli.conftest import emulator_env
from tests.copy.conftest import habu_target, small_frame, values
from tests.platforms.habu.conftest import make_ready_question


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in list(__import__("os").environ):
        if name.startswith(("HABU_", "USMART_", "CLICDATA_", "CIVIS_")):
            monkeypatch.delenv(name)

    def use(platform: str, emu) -> None:
        for name, value in emulator_env(platform, emu).items():
            monkeypatch.setenv(name, value)

    return use


def test_habu_run_to_clicdata_data_set_then_to_parquet(env, capsys, tmp_path):
    with running("habu", seed=1) as habu_emu, running("clicdata", seed=1) as cd_emu:
        env("habu", habu_emu)
        env("clicdata", cd_emu)
        habu = habu_emu.client(progress=False)
        habu_emu.state.result_rows = 77
        crq, _ = make_ready_question(habu)
        run = habu.run_question(crq.id, name="cli")
        clicdata = cd_emu.client()
        rec = habu_target(clicdata)
        argv = [
            "copy",
            f"habu:run/{run.id}",
            f"clicdata:data/{rec}?mode=append",
            "--source-base-url",
            habu_emu.base_url,
            "--dest-base-url",
            cd_emu.base_url,
        ]
        assert main(argv) == 0
        out, err = capsys.readouterr()
        summary = json.loads(out)
        assert (summary["rows"], summary["resumed"]) == (77, 0)
        assert summary["destination"] == {"rec_id": rec, "row_count": 77}
        assert cd_emu.state.tables[rec].row_count == 77
        path = tmp_path / "back.parquet"
        argv = [
            "copy",
            f"clicdata:data/{rec}",
            f"file:{path}",
            "--source-base-url",
            cd_emu.base_url,
        ]
        assert main(argv) == 0
        truth = habu.question_results(run.id, return_type="arrow")
        assert values(pq.read_table(path)) == values(truth)


def test_a_local_file_to_csv_on_stdout(capsys, tmp_path):
    source = tmp_path / "in.parquet"
    import pyarrow as pa

    table = pa.Table.from_pandas(small_frame(), preserve_index=False)
    pq.write_table(table, source)
    assert main(["copy", str(source), "-"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == '"id","name","score","ok","at"'
    assert len(out.splitlines()) == 6
    assert json.loads(err)["rows"] == 5
    (tmp_path / "out.csv").write_text(out)
    assert values(pcsv.read_csv(tmp_path / "out.csv")) == values(table)


@pytest.mark.parametrize(
    ("source", "destination", "message"),
    [
        ("nowhere:thing/1", "-", "source 'nowhere:thing/1': say which platform"),
        ("-", "out.csv", "standard output is a destination only"),
        ("clicdata:data/x", "-", "'x' is not a whole number"),
        ("in.csv", "habu:run/1", "habu:run/... is not a destination"),
        ("usmart:data/g?colour=red", "-", "unknown option 'colour'"),
        ("in.csv", "usmart:dataset/g/folder/x", "say file/<name> or revision/<file_guid>"),
    ],
)
def test_bad_uris_are_usage_errors(capsys, source, destination, message):
    assert main(["copy", source, destination]) == 2
    assert message in capsys.readouterr().err


def test_a_civis_query_to_a_new_civis_table_and_a_file(env, capsys, tmp_path):
    from urllib.parse import quote

    from specclient.platforms.civis import io

    with running("civis", seed=1, pace=600.0) as emu:  # its runs end in real seconds
        env("civis", emu)
        sql = quote("SELECT * FROM public.orders")
        urls = ["--source-base-url", emu.base_url, "--dest-base-url", emu.base_url]
        argv = [
            "copy",
            f"civis:sql/redshift-general?sql={sql}",
            "civis:table/redshift-general/public.o2",
        ]
        assert main([*argv, *urls]) == 0
        civis = emu.client()
        truth = io.read_civis("public.orders", "redshift-general", return_as="arrow", client=civis)
        assert json.loads(capsys.readouterr().out)["rows"] == truth.num_rows
        path = tmp_path / "o2.csv"
        argv = ["copy", "civis:table/redshift-general/public.o2", str(path)]
        assert main([*argv, "--source-base-url", emu.base_url]) == 0
        stored = io.read_civis("public.o2", "redshift-general", return_as="arrow", client=civis)
        assert values(stored) == values(truth)
        assert len(path.read_text().splitlines()) == truth.num_rows + 1
