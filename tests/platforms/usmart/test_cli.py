"""`specclient usmart ...`: commands do not ask for the organisation (connect() fills it)."""

from __future__ import annotations

import json

from specclient.cli import main
from specclient.emulators.usmart import CREDENTIALS


def test_view_command_needs_only_the_dataset_guid(emu, dataset, monkeypatch, capsys):
    monkeypatch.setenv("USMART_API_KEY_ID", CREDENTIALS["api_key_id"])
    monkeypatch.setenv("USMART_API_KEY_SECRET", CREDENTIALS["api_key_secret"])
    monkeypatch.setenv("USMART_ORG_GUID", CREDENTIALS["org_guid"])
    status = main(
        [
            "usmart",
            "datasets",
            "view",
            "--dataset-guid",
            dataset.guid,
            "--base-url",
            emu.base_url,
            "-o",
            "json",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert json.loads(out)["result"]["datasetGUID"] == dataset.guid
    assert CREDENTIALS["api_key_secret"] not in out


def test_help_shows_the_action_path_without_an_org_argument(capsys):
    main(["usmart", "datasets", "view", "--help"])
    help_text = capsys.readouterr().out
    assert "POST /org/<org>/dataset:view" in help_text
    assert "--org-guid" not in help_text and "ORG_GUID" not in help_text
