"""What every credential class shares: the ``httpx.Auth`` base that waits for httpx, the
:class:`Secret` that hides a value, and the checks and helpers of the classes in
:mod:`specclient.auth` and :mod:`specclient._grants` (which import it; neither imports the
other at the top, so building an API key loads no OAuth code)."""

from __future__ import annotations

import binascii

from specclient._after_import import when_imported
from specclient._secrets import register_secret_value
from specclient.errors import AuthError, ParameterError


def _log(level: str, message: str, *args: object) -> None:
    # logging is imported only when there is something to say: building credentials never is.
    import logging

    getattr(logging.getLogger("specclient.auth"), level)(message, *args)


# Building credentials must not import httpx (with its optional CLI dependencies that is
# 50-400 ms, most of a client's start-up) nor asyncio: a client sends nothing until its first
# call. Yet every class here must be an ``httpx.Auth`` wherever httpx sees one (our sender,
# or a user's own ``httpx.Client(auth=...)``). So the classes derive from ``_AuthBase``, a
# plain class that takes ``httpx.Auth`` as its base the moment httpx is imported: at once if
# it already is, else right after httpx's own module code has run (``_after_import``).
# Nothing can hand an object to httpx before httpx exists, so no caller ever sees one that
# is not an ``httpx.Auth``.
TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

    from httpx import Auth as _AuthBase

else:

    class _PendingHttpx:
        """Stands in for ``httpx.Auth`` until httpx is imported."""

    class _AuthBase(_PendingHttpx):
        """Base of every auth class here; becomes an ``httpx.Auth`` subclass (see above)."""


def _adopt_httpx(module: Any) -> None:
    if _AuthBase.__bases__ != (module.Auth,):
        _AuthBase.__bases__ = (module.Auth,)


when_imported("httpx", _adopt_httpx)


class Secret:
    """A string that never prints itself; :meth:`reveal` gives the value to the wire."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "'***'"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


def _required(cls: str, what: str, value: Any, *, secret: bool = True) -> str:
    """Credentials must be non-empty strings; an empty one is a configuration mistake.

    Surrounding whitespace is dropped: it comes from a YAML file or an environment variable
    (``echo key > file``), no platform's key, secret or token can mean it, and a newline in a
    header value makes httpx refuse the request with the value in its error. Both the given
    and the stripped spelling are registered for redaction, in case either is printed
    elsewhere. The message names the type only, never the value.
    """
    if isinstance(value, Secret):
        value = value.reveal()
    if not isinstance(value, str):
        raise ParameterError(cls, f"{what} must be a string, not {type(value).__name__}")
    if secret:
        register_secret_value(value)
    value = value.strip()
    if not value:
        raise AuthError(f"{cls}: {what} is empty (check the credentials configuration)")
    return value


def _basic_header(username: str, password: str) -> str:
    raw = f"{username}:{password}".encode()
    # base64.b64encode's own code, without loading base64 (and struct) into every start-up
    return "Basic " + binascii.b2a_base64(raw, newline=False).decode("ascii")
