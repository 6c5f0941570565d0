"""JSON bodies with snake_case keys, read as the Civis API reads them.

civis-python sends body parameters under its Python names (``required_resources``,
``docker_image_name``) and the Civis API accepts them as it accepts ``requiredResources``.
:class:`CivisEmulatorApp` turns such keys to camelCase before the core validates the body
against the spec, so both spellings reach the handlers the same way. Keys under user data
(script ``arguments``, ``environmentVariables``) are the user's and stay as sent.

A field sent as ``null`` is read as not sent: civis-python sends ``null`` for every optional
argument its helpers pass through unset (``civis.io.civis_to_csv`` sends
``csvSettings.filenamePrefix: null``, ``dataframe_to_civis`` ``maxErrors: null``), and
those helpers work against Civis. Except where the spec gives ``null`` a meaning
(``expiresAt: null``: never expires).
"""

from __future__ import annotations

import json
import re
from typing import Any

from specclient.emulators.core.app import EmulatorApp

__all__ = ["CivisEmulatorApp", "camel_keys"]

_USER_DATA = frozenset({"arguments", "environmentVariables"})
#: fields whose ``null`` the API documents as a value: ``files.post`` ``expiresAt: null``
#: keeps the file forever (left out, it expires in 30 days)
_NULL_IS_A_VALUE = frozenset({"expiresAt"})
_SNAKE = re.compile(r"_([a-z0-9])")
_WRITES = frozenset({"POST", "PUT", "PATCH"})


def _camel(key: str) -> str:
    return _SNAKE.sub(lambda m: m.group(1).upper(), key) if "_" in key.strip("_") else key


def camel_keys(value: Any) -> Any:
    """``value`` with every object key in camelCase and no ``null`` field or list item,
    except inside user data."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            name = _camel(key) if isinstance(key, str) else key
            if item is None and name not in _NULL_IS_A_VALUE:
                continue
            out[name] = item if name in _USER_DATA else camel_keys(item)
        return out
    if isinstance(value, list):  # civis-python's sortkeys [None, None]: no sort keys
        return [camel_keys(item) for item in value if item is not None]
    return value


class CivisEmulatorApp(EmulatorApp):
    """The core app, with request bodies' snake_case keys read as camelCase first."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") not in _WRITES or not _is_json(scope):
            return await super().__call__(scope, receive, send)
        chunks, message = [], {"more_body": True}
        while message.get("more_body"):
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return await super().__call__(scope, _replay([message], receive), send)
            chunks.append(message.get("body", b""))
        body = _normalised(b"".join(chunks))
        headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        request = {"type": "http.request", "body": body, "more_body": False}
        await super().__call__({**scope, "headers": headers}, _replay([request], receive), send)


def _is_json(scope: dict[str, Any]) -> bool:
    kind = dict(scope.get("headers", [])).get(b"content-type", b"")
    return kind.split(b";")[0].strip().lower() == b"application/json"


def _normalised(body: bytes) -> bytes:
    try:
        payload = json.loads(body) if body else None
    except ValueError:
        return body  # not JSON: the core answers 400 for it as for any client
    if not isinstance(payload, dict):
        return body
    camel = camel_keys(payload)
    return body if camel == payload else json.dumps(camel).encode()


def _replay(messages: list[dict[str, Any]], receive: Any) -> Any:
    pending = list(messages)

    async def replay() -> Any:
        return pending.pop(0) if pending else await receive()

    return replay
