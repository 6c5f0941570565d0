"""Where a copy notes what it has started, so that running it again resumes instead of
writing rows twice.

A destination that is appended to (a ClicData data set) cannot tell by itself which of its
rows a copy wrote. Before its first write, a copy records the destination's committed state
(the row count it found, and for a replace whether the old rows are gone) under its copy id;
a run of the same copy reads the destination again and skips the source rows already there
(``rows now - rows at start``). The record is deleted once the copy finished, so the next
copy with the same id starts afresh. A destination that is replaced whole (a file renamed
into place, a uSmart revision) needs no record.

Records live in ``$SPECCLIENT_CACHE_DIR/copies`` (else ``$XDG_CACHE_HOME/specclient/copies``,
else ``~/.cache/specclient/copies``), one small JSON file per copy id, written atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

__all__ = ["Checkpoints", "copy_id_for", "default_directory"]


def default_directory() -> Path:
    explicit = os.environ.get("SPECCLIENT_CACHE_DIR")
    if explicit:
        return Path(explicit) / "copies"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "specclient" / "copies"


def copy_id_for(source_key: str, destination_key: str) -> str:
    """The same source and destination give the same id, so a re-run finds its record."""
    digest = hashlib.sha256(f"{source_key}\n->\n{destination_key}".encode()).hexdigest()
    return digest[:16]


class Checkpoints:
    """The records of unfinished copies in ``directory``."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_directory()

    def _path(self, copy_id: str) -> Path:
        return self.directory / f"{copy_id}.json"

    def read(self, copy_id: str) -> dict[str, Any] | None:
        try:
            return dict(json.loads(self._path(copy_id).read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None

    def write(self, copy_id: str, record: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._path(copy_id)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
        os.replace(partial, path)  # a crash leaves the old record or the new, never half

    def clear(self, copy_id: str) -> None:
        self._path(copy_id).unlink(missing_ok=True)
