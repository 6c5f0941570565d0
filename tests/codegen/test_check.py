"""``python -m codegen``: rendering into a folder, and ``--check`` failing on stale output."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegen.__main__ import main

PETS = Path(__file__).parent / "fixtures" / "pets.yaml"


def test_committed_generated_folder_is_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    # What CI runs: fails when someone changed a spec or the engine without re-rendering.
    status = main(["--check"])
    assert status == 0, capsys.readouterr().err


def test_check_fails_until_rendered_then_passes(tmp_path: Path, capsys) -> None:
    assert main([str(PETS), "--out", str(tmp_path), "--check"]) == 1
    err = capsys.readouterr().err
    assert f"stale: {tmp_path / 'pets.pyi'}" in err
    assert "run `python -m codegen`" in err

    assert main([str(PETS), "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pets.md", "pets.pyi"]
    assert main([str(PETS), "--out", str(tmp_path), "--check"]) == 0


def test_check_names_the_file_edited_by_hand(tmp_path: Path, capsys) -> None:
    main([str(PETS), "--out", str(tmp_path)])
    stub = tmp_path / "pets.pyi"
    stub.write_text(stub.read_text() + "# edited\n")
    capsys.readouterr()
    assert main([str(PETS), "--out", str(tmp_path), "--check"]) == 1
    err = capsys.readouterr().err
    assert f"stale: {stub}" in err
    assert "pets.md" not in err


def test_rendered_stub_types_the_spec(tmp_path: Path) -> None:
    main([str(PETS), "--out", str(tmp_path)])
    stub = (tmp_path / "pets.pyi").read_text()
    assert "def get(self, pet_id: _int, *, return_type: _Snake = ..." in stub
    assert "    tag: _str | None\n" in stub  # nullable: true
    assert "class PetsClient(Client):" in stub
    assert "from tests/codegen/fixtures/pets.yaml" in stub  # sources relative to the checkout


def test_a_broken_spec_is_one_clear_error(tmp_path: Path, capsys) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a: 5\n")
    assert main([str(broken), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("codegen: ")
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_generated_files_hold_no_credential_values() -> None:
    # Stubs are rendered from clients built with the emulators' demo credentials; none of
    # those values (nor uSmart's org GUID, which its adapter writes into paths) may leak.
    import importlib

    from codegen.build import ROOT, bundled_specs

    texts = {p.name: p.read_text() for p in (ROOT / "generated").iterdir()}
    for platform in bundled_specs():
        credentials = importlib.import_module(f"specclient.emulators.{platform}").CREDENTIALS
        for key, value in credentials.items():
            for name, text in texts.items():
                assert str(value) not in text, f"{platform} {key} appears in generated/{name}"
