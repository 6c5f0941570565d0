"""What every platform adapter needs: options, credentials, and building the client.

Credentials are looked for in one order everywhere: the argument, then the platform's
environment variables, then a YAML credentials file (``creds_path=`` or the platform's default
file variable). A missing credential is an :class:`~specclient.errors.AuthError` that names the
argument and the variables to set — never the value of anything found.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import AuthError, ParameterError

#: Options every ``connect()`` takes (the design's shared options).
COMMON_OPTIONS = frozenset(
    {
        "base_url",
        "servers",  # {"<absolute server URL in the spec>": "<URL to use>"}
        "auth",
        "timeout",
        "max_retries",
        "retry",
        "return_type",
        "spec",
        "http",
        "clock",
        "headers",
        "cache",
    }
)


def read_credentials_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A YAML mapping of credentials; errors name the file, never its content."""
    import yaml

    file = Path(path).expanduser()
    try:
        text = file.read_text()
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


def required_credential(
    explicit: Any,
    *,
    platform: str,
    argument: str,
    env: Sequence[str] = (),
    file_values: Mapping[str, Any] | None = None,
    file_keys: Sequence[str] = (),
) -> Any:
    """:func:`credential`, then :func:`require`: found in one of the places, or AuthError."""
    value = credential(explicit, env=env, file_values=file_values, file_keys=file_keys)
    return require(value, platform=platform, argument=argument, env=env, file_keys=file_keys)


def split_options(
    platform: str, options: Mapping[str, Any], own: Sequence[str] = ()
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split ``connect()`` options into the client's common ones and the platform's own."""
    allowed = COMMON_OPTIONS | set(own)
    unknown = sorted(set(options) - allowed)
    if unknown:
        import difflib

        hint = difflib.get_close_matches(unknown[0], sorted(allowed), n=1)
        more = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise ParameterError(
            f"connect({platform!r})",
            f"unknown option {unknown[0]!r}{more}; options are: {', '.join(sorted(allowed))}",
            unknown[0],
        )
    common = {k: v for k, v in options.items() if k in COMMON_OPTIONS}
    specific = {k: v for k, v in options.items() if k not in COMMON_OPTIONS}
    return common, specific


def build_client(
    client_cls: type,
    *,
    default_spec: Any,
    default_base_url: str | None,
    auth: Any,
    common: Mapping[str, Any],
    resource_classes: Mapping[str, type] | None = None,
    naming: Any = None,
) -> Any:
    """Make the client: bundled spec unless ``spec=`` overrides it, base URL default, auth."""
    options = dict(common)
    spec = options.pop("spec", None) or default_spec
    options["base_url"] = options.get("base_url") or default_base_url
    if options.get("auth") is None:
        options["auth"] = auth
    return client_cls(spec, resource_classes=resource_classes, naming=naming, **options)
