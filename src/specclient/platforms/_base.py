"""Where credentials come from, for every platform (``_platform.connect`` uses these).

Credentials are looked for in one order everywhere: the argument, then the platform's
environment variables, then a YAML credentials file (``creds_path=`` or the platform's default
file variable). A missing credential is an :class:`~specclient.errors.AuthError` that names the
argument and the variables to set — never the value of anything found.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from ..errors import AuthError

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any


def read_credentials_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A YAML mapping of credentials; errors name the file, never its content."""
    import yaml

    file = os.path.expanduser(path)
    try:
        with open(file, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise AuthError(f"credentials file {file} does not exist") from None
    except OSError as exc:
        raise AuthError(f"credentials file {file} cannot be read: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise AuthError(f"credentials file {file} is not valid YAML") from None
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise AuthError(f"credentials file {file} must hold a mapping of keys to values")
    return dict(data)


def credential(
    explicit: Any,
    *,
    env: Sequence[str] = (),
    file_values: Mapping[str, Any] | None = None,
    file_keys: Sequence[str] = (),
) -> Any:
    """The first value found: argument, then environment variables, then file keys."""
    if explicit not in (None, ""):
        return explicit
    for name in env:
        value = os.environ.get(name)
        if value:
            return value
    for key in file_keys:
        if file_values and file_values.get(key) not in (None, ""):
            return file_values[key]
    return None


def require(
    value: Any,
    *,
    platform: str,
    argument: str,
    env: Sequence[str] = (),
    file_keys: Sequence[str] = (),
) -> Any:
    if value in (None, ""):
        where = [f"pass {argument}=..."]
        if env:
            where.append("set " + " or ".join(env))
        if file_keys:
            where.append("put " + " or ".join(file_keys) + " in the credentials file")
        raise AuthError(f"{platform}: missing credential {argument!r}: " + ", or ".join(where))
    return value
