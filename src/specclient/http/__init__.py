"""HTTP plumbing: senders with retries, the retry policy, and redaction.

Names are imported on first use, so ``import specclient.errors`` (which uses the redaction
helpers) does not pull in httpx's client machinery.
"""

from __future__ import annotations

from importlib import import_module

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

    from specclient.http.retry import RetryPolicy
    from specclient.http.transport import DEFAULT, AsyncSender, Sender

__all__ = ["Sender", "AsyncSender", "RetryPolicy", "DEFAULT"]

_HOMES = {
    "Sender": "specclient.http.transport",
    "AsyncSender": "specclient.http.transport",
    "DEFAULT": "specclient.http.transport",
    "RetryPolicy": "specclient.http.retry",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'specclient.http' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
