"""``python -m codegen [SPEC ...] [--out DIR] [--check]``.

With no SPEC, renders every bundled spec (``specs/<platform>.yaml``) into ``generated/``: the
typed stub ``<platform>.pyi``, the reference ``<platform>.md``, and ``_package.pyi`` (the
``specclient`` package stub with ``connect()`` overloads); and the table of the spec's guesses
(``x-source: guess``) into ``docs/platforms/<platform>.md``, between its markers. With SPEC paths, renders those
(named after the file) into ``--out``. ``--check`` writes nothing and exits 1 when a file on
disk differs from what would be rendered, so CI can fail on stale output.

argparse rather than click: this is a developer tool with three flags, run from a checkout.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import time
from pathlib import Path

from codegen.build import ROOT, docs_pages, render_bundled, render_paths
from specclient.errors import SpecClientError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m codegen",
        description="Render typed stubs and API reference docs from endpoint specs.",
    )
    parser.add_argument("specs", nargs="*", type=Path, help="spec files (default: all bundled)")
    parser.add_argument(
        "--out", type=Path, default=None, help="output folder (default: generated/)"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the output is stale")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    out = args.out or ROOT / "generated"
    started = time.perf_counter()
    try:
        files = render_paths(args.specs) if args.specs else render_bundled()
    except SpecClientError as exc:
        print(f"codegen: {exc}", file=sys.stderr)
        return 1
    # A full run owns the whole folder: files no spec produces any more are stale too.
    owned = None if args.specs else {p.name for p in out.glob("*") if p.suffix in (".pyi", ".md")}
    # The docs pages' guesses tables belong to the bundled specs: a full run keeps them fresh.
    pages = {} if args.specs or args.out else docs_pages()
    for page, text in pages.items():
        files[os.path.relpath(page, out)] = text
    stale = sorted(name for name, text in files.items() if _read(out / name) != text)
    extra = sorted((owned or set()) - set(files))
    elapsed = time.perf_counter() - started
    if args.check:
        if stale or extra:
            for name in stale:
                print(f"stale: {out / name}", file=sys.stderr)
                _show_difference(_read(out / name) or "", files[name], out / name)
            for name in extra:
                print(f"not produced by any spec: {out / name}", file=sys.stderr)
            print("run `python -m codegen` and commit the result", file=sys.stderr)
            return 1
        print(f"{out} is up to date ({len(files)} files; every spec is valid OpenAPI)")
        return 0
    out.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (out / name).write_text(files[name], encoding="utf-8")
    for name in extra:
        (out / name).unlink()
    print(f"rendered {len(files)} files into {out} in {elapsed:.2f}s ({len(stale)} changed)")
    return 0


def _show_difference(old: str, new: str, path: Path, limit: int = 12) -> None:
    """The first lines of the diff, so a CI log shows what moved without a checkout."""
    diff = difflib.unified_diff(
        old.splitlines(),
        new.splitlines(),
        f"{path} (on disk)",
        f"{path} (rendered)",
        lineterm="",
        n=0,
    )
    for number, line in enumerate(diff):
        if number == limit:
            print("    ...", file=sys.stderr)
            break
        print(f"    {line[:160]}", file=sys.stderr)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


if __name__ == "__main__":
    sys.exit(main())
