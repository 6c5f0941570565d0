"""demo(client, echo): the end-to-end workflow prints short readable results."""

from __future__ import annotations

from specclient.platforms.usmart import demo


def test_demo_uploads_refreshes_and_reads_the_new_rows(client, emu, dataset):
    lines: list[str] = []
    demo(client, lines.append)
    assert lines[0] == "catalogue: 3 datasets (2 public)"
    assert lines[2].startswith("uploaded counts_update.csv (67 bytes) as file ")
    assert "pipeline data-api: processed" in lines
    assert lines[-1] == "URQL site=River Walk: 2 records, counts [98, 123]"
    assert [c.process_count for c in dataset.containers] == [1, 1]
