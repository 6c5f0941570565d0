"""The public names, and the promise that importing specclient is cheap."""

from __future__ import annotations

import subprocess
import sys

import specclient


def test_public_names_are_exactly_these():
    assert sorted(specclient.__all__) == sorted(
        [
            "AsyncClient",
            "Client",
            "ClientOptions",
            "OutcomeUnknown",
            "Response",
            "__version__",
            "auth",
            "connect",
            "connect_async",
            "copy",
            "copy_async",
            "emulators",
            "errors",
        ]
    )
    for name in specclient.__all__:
        assert getattr(specclient, name) is not None


def test_error_tree_has_the_documented_names():
    from specclient import errors

    assert issubclass(errors.ParameterError, TypeError)
    assert issubclass(errors.NotFoundError, errors.APIError)
    assert issubclass(errors.RateLimitError, errors.APIError)
    assert issubclass(errors.TimeoutError, TimeoutError)
    for name in errors.__all__:
        assert hasattr(errors, name)


def test_import_does_not_load_pandas_or_httpx():
    code = (
        "import sys, specclient; "
        "print(sorted(m for m in ('pandas', 'httpx', 'yaml') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


def test_building_a_client_and_touching_a_method_does_not_load_httpx_or_pandas(tmp_path):
    spec = tmp_path / "s.json"
    spec.write_text(
        '{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, '
        '"paths": {"/things": {"get": {"responses": {"200": {"description": "ok"}}}}}}'
    )
    code = (
        "import inspect, sys, specclient; "
        f"c = specclient.Client.from_spec({str(spec)!r}, base_url='http://127.0.0.1:1', "
        "cache=False); inspect.signature(c.things.list); "
        "print(sorted(m for m in ('pandas', 'httpx') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"
