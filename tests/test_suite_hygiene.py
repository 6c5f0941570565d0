"""The suite keeps out of the user's home: models, tokens, fetched specs and copy checkpoints
go to one temporary directory for the run (tests/conftest.py), never ~/.cache/specclient."""

from __future__ import annotations

import os
from pathlib import Path

from specclient.auth import default_token_dir
from specclient.openapi.cache import cache_dir
from specclient.transfer.checkpoint import default_directory


def test_every_cache_of_the_run_is_in_its_own_temporary_directory():
    where = Path(os.environ["SPECCLIENT_CACHE_DIR"])
    assert where.name.startswith("specclient-tests-cache-") and where.is_dir()
    assert not where.is_relative_to(Path.home() / ".cache")
    assert cache_dir() == where
    assert default_token_dir().is_relative_to(where)
    assert default_directory().is_relative_to(where)
