"""Fixtures of the wire conformance suite (the server itself is in ``wire_server.py``)."""

from wire_server import wire, wire_server  # noqa: F401 - pytest fixtures
