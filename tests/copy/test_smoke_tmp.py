import pyarrow.parquet as pq

import specclient
from specclient import transfer
from tests.copy.conftest import habu_target


def test_habu_to_clicdata_and_file(habu, run, clicdata, clicdata_emu, tmp_path):
    rec = habu_target(clicdata)
    res = specclient.copy(
        transfer.habu_result(run.id, client=habu), transfer.clicdata_dataset(clicdata, rec)
    )
    print(res)
    assert clicdata_emu.state.tables[rec].row_count == 1234
    out = specclient.copy(
        transfer.clicdata_data(clicdata, rec), transfer.to_file(tmp_path / "x.parquet")
    )
    print(out, pq.read_table(tmp_path / "x.parquet").schema)
