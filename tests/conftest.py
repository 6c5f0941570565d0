"""The secret scan (issue 12, "Proof"): every test's captured output and logs are searched for
the credentials the tests use, and a test that leaked one fails.

The credentials are the emulators' demo secrets and the secrets tests hand to auth objects
(:data:`TEST_SECRETS`; add yours there). Each is searched as written, URL-encoded,
JSON-escaped and in base64, including inside ``base64(id:secret)`` (Basic headers), so a
padded or encoded copy is found too. One precompiled pattern, one search per captured section:
the scan costs microseconds a test.

Also here, for the suite's budget: a model cache shared by the tests that keep a cache
directory of their own (:func:`model_cache`, tests/_model_cache.py), and the objects alive
after collection frozen out of the cyclic GC (:func:`pytest_collection_finish`).

A test whose output shows a credential on purpose (``specclient emulate`` prints the demo
credentials it accepts, by design) is marked ``@pytest.mark.shows_credentials``.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import shutil
import tempfile
from typing import Any

import pytest
from _model_cache import SharedModelCache
from _run_summary import RunSummary  # tests/ is on sys.path: its conftest is rootless

from specclient.testing import _spellings

#: Secrets tests give to auth objects; values only (identifiers are shown by design).
TEST_SECRETS = (
    "secret-a",
    "right-secret",
    "wrong-secret-value",
    "catalogue-secret-77",
    "query-secret-1",
    "query-secret-2",
    "padded-token-77",
    "decode-secret-1",
    "cookie-value-42",
    "key-value-1",
    "key-value-2",
    "key-value-3",
    "frame-key-1",
    "frame-hint-1",
    "frame-hint-2",
)


def _demo_secrets() -> list[str]:
    from specclient.emulators.civis.state import DEMO_API_KEY
    from specclient.emulators.clicdata import CREDENTIALS as CLICDATA
    from specclient.emulators.habu import CREDENTIALS as HABU
    from specclient.emulators.usmart import CREDENTIALS as USMART
    from specclient.emulators.usmart import VIEWER_CREDENTIALS

    return [
        DEMO_API_KEY,
        CLICDATA["client_secret"],
        HABU["client_secret"],
        USMART["api_key_secret"],
        VIEWER_CREDENTIALS["api_key_secret"],
    ]


def _pattern() -> tuple[re.Pattern[str], list[str]]:
    secrets = [*_demo_secrets(), *TEST_SECRETS]
    spellings = {spelling: index for index, s in enumerate(secrets) for spelling in _spellings(s)}
    ordered = sorted(spellings, key=len, reverse=True)
    return re.compile("|".join(re.escape(s) for s in ordered)), secrets


_SCAN: tuple[re.Pattern[str], list[str]] | None = None
#: the run's totals, gathered from every report (on xdist, in the process that prints)
_SUMMARY = RunSummary()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _SUMMARY.read(report)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    _SUMMARY.write(terminalreporter)


def leaked(text: str) -> int | None:
    """The index (in the scan's list) of a credential found in ``text``, or None."""
    global _SCAN
    if _SCAN is None:
        _SCAN = _pattern()
    pattern, secrets = _SCAN
    found = pattern.search(text)
    if found is None:
        return None
    hit = found.group(0)
    return next((i for i, s in enumerate(secrets) if hit in _spellings(s)), -1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "shows_credentials: the test's output shows a credential by design"
    )
    # specclient's own DEBUG lines (each attempt: verb, URL, status, body excerpt) are where a
    # leak would show: record them, so the scan reads them in every test.
    logging.getLogger("specclient").setLevel(logging.DEBUG)
    # The suite never writes into the user's cache (~/.cache/specclient: models, tokens,
    # fetched specs): one directory for the run, which xdist's workers and the emulators'
    # processes inherit, removed at the end.
    if not hasattr(config, "workerinput"):  # the controller, or a run without xdist
        config.stash[_OWN_CACHE] = (os.environ.get("SPECCLIENT_CACHE_DIR"), _new_cache_dir())


_OWN_CACHE = pytest.StashKey[tuple[str | None, str]]()


def _new_cache_dir() -> str:
    where = tempfile.mkdtemp(prefix="specclient-tests-cache-")
    os.environ["SPECCLIENT_CACHE_DIR"] = where
    return where


def pytest_unconfigure(config: pytest.Config) -> None:
    if _OWN_CACHE not in config.stash:
        return
    before, where = config.stash[_OWN_CACHE]
    shutil.rmtree(where, ignore_errors=True)
    if before is None:
        os.environ.pop("SPECCLIENT_CACHE_DIR", None)
    else:
        os.environ["SPECCLIENT_CACHE_DIR"] = before


def pytest_collection_finish(session: pytest.Session) -> None:
    # Collection imported every test module and the libraries they use (pandas, Schemathesis,
    # the emulators): hundreds of thousands of objects that live to the end. Every full
    # collection of the cyclic GC walked them all again; frozen, it walks what tests make.
    gc.freeze()


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> SharedModelCache:
    """This process's warm model cache: ``model_cache.private(dir)`` makes a test's own cache
    directory that sees it, ``model_cache.keep(dir)`` adds what the test built to it."""
    return SharedModelCache(tmp_path_factory.getbasetemp() / "shared-model-cache")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or item.get_closest_marker("shows_credentials"):
        return
    for title, text in report.sections:
        index = leaked(text)
        if index is not None:
            # The failure report must not print the secret again: its sections are masked.
            assert _SCAN is not None
            report.sections = [(t, _SCAN[0].sub("***", x)) for t, x in report.sections]
            if report.passed:
                report.outcome = "failed"
                report.longrepr = (
                    f"secret scan: credential #{index} of tests/conftest.py's list appeared "
                    f"in '{title}' (the value is not repeated here)"
                )
            return
