"""One warm model cache per test process, seen from cache directories that tests keep private.

A test that points ``SPECCLIENT_CACHE_DIR`` at a directory of its own (so that the tokens and
the fetched specs in it are its own) used to parse every spec from scratch: 120-200 ms for
each Habu or Civis client. The model entries in that directory are content-addressed
(``specclient/openapi/cache.py``: an entry's name is a hash of the exact source bytes, the
naming rules and the model format, and ``files/`` remembers a file's hash by the file's
identity), so an entry can never be served for another spec and sharing them changes nothing
a test sees. Everything else stays private: ``tokens/``, Civis's fetched specs.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

#: what may be shared: model entries (a 64-hex key) and the file-identity memo
_SHARED = re.compile(r"[0-9a-f]{64}|files")


class SharedModelCache:
    """The process's model cache (``root``), linked into each test's private cache directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def private(self, where: Path) -> Path:
        """``where``, a new cache directory holding links to every model entry made so far."""
        where.mkdir(parents=True, exist_ok=True)
        for entry in self.root.iterdir():
            (where / entry.name).symlink_to(entry, target_is_directory=True)
        return where

    def keep(self, where: Path) -> None:
        """Move the model entries a test wrote into ``where`` to the shared cache, for the next
        tests (entries it added to a linked one are there already)."""
        if not where.is_dir():
            return
        for entry in where.iterdir():
            if entry.is_symlink() or not _SHARED.fullmatch(entry.name):
                continue
            target = self.root / entry.name
            if not target.exists():
                os.replace(entry, target)
