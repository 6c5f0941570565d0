"""The auth side of an emulator: reading credentials off a request, and the expired-token reply.

An app's ``authenticate`` hook (see :class:`~specclient.emulators.core.app.EmulatorApp`) is the
platform's own; these are the pieces every platform's hook is made of, so each hook reads as
the platform's rule and nothing else.
"""

from __future__ import annotations

import base64
import binascii

from specclient.emulators.core.messages import EmuError, EmuRequest

__all__ = ["basic_credentials", "bearer_token", "expired_token_error"]


def _scheme(req: EmuRequest, name: str) -> str | None:
    scheme, _, value = req.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == name else None


def bearer_token(req: EmuRequest) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    return _scheme(req, "bearer") or None


def basic_credentials(req: EmuRequest) -> tuple[str, str] | None:
    """``(user, password)`` of an ``Authorization: Basic`` header; None when absent or garbled."""
    value = _scheme(req, "basic")
    if value is None:
        return None
    try:
        user, _, password = base64.b64decode(value, validate=False).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return user, password


def expired_token_error(req: EmuRequest) -> EmuError:
    """What the ``expired_token`` fault answers unless a platform says otherwise."""
    return EmuError(
        401,
        "The access token expired",
        headers={
            "WWW-Authenticate": 'Bearer error="invalid_token", '
            'error_description="The access token expired"'
        },
    )
