"""LiveRamp's other ways in: a service account (password grant), a ready access token, and the
organization headers that go with them, named as LiveRamp's SDK names them.

``liveramp-cleanroom-sdk`` 1.0.0 (PyPI, MIT) logs in with ``Config(service_account_file=...,
lr_org_id=...)``: the file is JSON with ``account_id``, ``secret_key``, ``client_id`` and
``token_uri``; the token request is a password grant to ``token_uri``
(``client/service_account.py``, ``client/auth.py``), and every API call carries
``LR-Org-ID`` and, when set, ``Restricted-LR-Org-ID``. The same names come from
``LIVERAMP_SERVICE_ACCOUNT_FILE``, ``LIVERAMP_LR_ORG_ID``, ``LIVERAMP_RESTRICTED_LR_ORG_ID`` and
``LIVERAMP_ACCESS_TOKEN`` (``config/models.py``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...errors import AuthError

__all__ = ["FIELDS", "LOGINS", "org_headers", "read_service_account", "login"]

#: the keys a service-account file must hold (LiveRamp SDK ``ServiceAccountCredentials``)
FIELDS = ("account_id", "secret_key", "client_id", "token_uri")

#: the ways to log in, in the order LiveRamp's SDK tries them
LOGINS = ("access_token", "service_account_file", "client_id")


def read_service_account(path: str | Path) -> dict[str, str]:
    """The service account in ``path``; errors name the file and the missing keys, never a
    value."""
    file = Path(path).expanduser()
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AuthError(f"habu: service account file {file} does not exist") from None
    except OSError as exc:
        raise AuthError(
            f"habu: service account file {file} cannot be read: {exc.strerror}"
        ) from None
    except ValueError:
        raise AuthError(f"habu: service account file {file} is not valid JSON") from None
    if not isinstance(data, Mapping):
        raise AuthError(f"habu: service account file {file} must hold a JSON object")
    missing = [key for key in FIELDS if not isinstance(data.get(key), str) or not data[key]]
    if missing:
        raise AuthError(
            f"habu: service account file {file} lacks {', '.join(missing)} "
            f"(it needs {', '.join(FIELDS)})"
        )
    return {key: data[key] for key in FIELDS}


def org_headers(lr_org_id: Any, restricted_lr_org_id: Any) -> dict[str, str]:
    """``LR-Org-ID`` and ``Restricted-LR-Org-ID`` for the ids given (blank ones left out)."""
    headers = {}
    for name, value in (("LR-Org-ID", lr_org_id), ("Restricted-LR-Org-ID", restricted_lr_org_id)):
        if value is not None and str(value).strip():
            headers[name] = str(value).strip()
    return headers


def login(credentials: Mapping[str, Any]) -> str | None:
    """Which way in: the first of :data:`LOGINS` that has a value, as LiveRamp's SDK chooses
    (a ready token, then a service account, then the API client); ``None`` when none has."""
    return next((name for name in LOGINS if credentials.get(name) not in (None, "")), None)
