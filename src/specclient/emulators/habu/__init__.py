"""The Habu (LiveRamp Clean Room) emulator: :class:`~.state.HabuState` behind the routes of
``specs/habu.yaml`` (:mod:`.handlers`), on the shared emulator core.

What it mimics from the platform (``docs/platforms/habu.md`` lists what it does not):

- ``POST /v1/oauth/token`` with Basic client auth, camelCase reply, 12 h tokens, at most
  2 tokens per 24 h (``token_cap=None`` turns the cap off); on the same path, the password
  grant of a LiveRamp service account (:data:`SERVICE_ACCOUNT`), RFC 6749 reply, as LiveRamp's
  SDK sends and reads it;
- the ``LR-Org-ID`` / ``Restricted-LR-Org-ID`` headers are accepted (and recorded on
  ``state.org_headers``), never required: no public source says the service refuses a call
  without them;
- every other call needs ``Authorization: Bearer <accessToken>``; ``/v1/health`` does not;
- errors in the spec's envelope ``{"code": "<status>", "message": ...}``, except 401 (the
  Spring application style, ``code`` an int) and unknown paths (Spring Boot's default body);
- create-run and flow-run creation limited to 20 per rolling hour, 429 with no ``Retry-After``;
- runs QUEUED -> RUNNING -> COMPLETED or FAILED (``failureReason``) on the emulator clock;
- results of any size, computed page by page from the seed.
"""

from __future__ import annotations

from typing import Any

from specclient._resources import bundled_spec
from specclient.emulators.core import (
    EmuError,
    EmulatorApp,
    EmulatorClock,
    EmuRequest,
    check_options,
)
from specclient.emulators.core.auth import basic_credentials, bearer_token
from specclient.emulators.core.crud import SpecRecords
from specclient.emulators.habu.handlers import routes
from specclient.emulators.habu.state import HabuError, HabuState, iso

__all__ = ["CREDENTIALS", "SERVICE_ACCOUNT", "build", "service_account_file"]

#: The demo API client the emulator accepts, as ``connect("habu", ...)`` keyword arguments.
CREDENTIALS: dict[str, str] = {
    "client_id": "habu-emulator-client",
    "client_secret": "habu-emulator-secret-7f3a9c",
    "organization": "6f1c2a8e-3b4d-4e5f-9a6b-7c8d9e0f1a2b",
}

#: The demo service account it accepts: the JSON of a LiveRamp service-account file, less the
#: ``token_uri`` (``<base_url>/oauth/token``; :func:`service_account_file` writes one).
SERVICE_ACCOUNT: dict[str, str] = {
    "account_id": "svc-emulator@habu-emulator.example",
    "secret_key": "habu-emulator-service-secret-41d2",
    "client_id": "liveramp-api",
}

_STATE_OPTIONS = (
    "token_lifetime",
    "token_cap",
    "token_cap_status",
    "run_create_limit",
    "queue_seconds",
    "run_seconds",
    "result_rows",
    "failure_rate",
    "max_data_limit",
)


def build(*, seed: int = 0, clock: EmulatorClock | None = None, **options: Any) -> EmulatorApp:
    """A Habu emulator app.

    Parameters
    ----------
    seed : int
        Makes ids, failures and result rows reproducible.
    clock : EmulatorClock, optional
    client_id, client_secret, organization : str, optional
        The credentials it accepts (default :data:`CREDENTIALS`).
    service_account : dict, optional
        ``account_id``, ``secret_key``, ``client_id`` of the service account it accepts
        (default :data:`SERVICE_ACCOUNT`).
    token_lifetime, token_cap, token_cap_status, run_create_limit, queue_seconds, run_seconds,
    result_rows, failure_rate, max_data_limit
        See :class:`~specclient.emulators.habu.state.HabuState`.
    """
    check_options("Habu", options, (*_STATE_OPTIONS, *CREDENTIALS, "service_account"))
    clock = clock or EmulatorClock()
    credentials = {k: str(options.get(k) or v) for k, v in CREDENTIALS.items()}
    state = HabuState(
        seed=seed,
        clock=clock,
        client_id=credentials["client_id"],
        client_secret=credentials["client_secret"],
        organization=credentials["organization"],
        service_account={**SERVICE_ACCOUNT, **(options.get("service_account") or {})},
        **{k: options[k] for k in _STATE_OPTIONS if k in options},
    )
    app = EmulatorApp(bundled_spec("habu"), clock=clock, seed=seed, error_body=_error_body)
    app.state = state
    app.credentials = credentials
    app.authenticate = lambda req: _authenticate(state, req)
    routes.serve(app, state)
    # The operations the state model does not keep by hand are records read from the spec.
    records = SpecRecords(
        app,
        parents={
            "cleanroomId": state.cleanrooms.find,
            "cleanroomQuestionId": state.cleanroom_questions.find,
            "questionID": state.questions.find,
            "questionId": state.questions.find,
            "dataConnectionId": state.data_connections.find,
            "organizationCredentialId": state.credentials.find,
            "cleanroomQuestionRunId": state.run,
        },
        not_found=lambda noun, key: HabuError(404, f"{noun} {key} not found"),
        uuid_ids=True,
    )
    records.serve()
    # The platform comes with its vendors' credential sources; an organization credential
    # names one (credentialSourceName), so a client lists them before it creates one.
    records.records[("/credential-sources", ())] = {
        source["id"]: source for source in _credential_sources()
    }
    return app


def _credential_sources() -> list[dict[str, Any]]:
    """Two of the platform's credential sources (names from the spec's known values), each
    with the fields an organization credential of it gives. Their ids are derived from their
    names, so seeding them draws nothing from the seeded id stream."""
    import uuid

    def new_id(name: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"habu-credential-source:{name}"))

    sources = {
        "AWS S3 Credential": ("AWS", ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]),
        "Google Service Account": ("GCP", ["CREDENTIALS_JSON"]),
    }
    return [
        {
            "id": new_id(name),
            "name": name,
            "provider": provider,
            "credentialConfig": [
                {
                    "id": new_id(f"{name}/{field}"),
                    "name": field,
                    "index": index,
                    "credentialConfigType": "STRING",
                }
                for index, field in enumerate(fields)
            ],
        }
        for name, (provider, fields) in sources.items()
    ]


def service_account_file(path: Any, base_url: str, **account: str) -> Any:
    """Write a service-account file for an emulator at ``base_url`` (LiveRamp's format:
    ``account_id``, ``secret_key``, ``client_id``, ``token_uri``); returns ``path``."""
    import json
    from pathlib import Path

    data = {**SERVICE_ACCOUNT, **account, "token_uri": base_url.rstrip("/") + "/oauth/token"}
    Path(path).write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def _error_body(error: EmuError, req: EmuRequest) -> Any:
    if error.status == 401:
        # the application's own style for auth failures: code is an int here
        return {
            "status": "UNAUTHORIZED",
            "code": 401,
            "timestamp": req.clock.now().strftime("%d-%m-%Y %H:%M:%S"),
            "message": error.message,
            "details": f"uri={req.path}",
        }
    if error.status == 404 and req.operation is None and req.qualname is None:
        return {
            "timestamp": iso(req.clock.time()),
            "status": 404,
            "error": "Not Found",
            "path": req.path,
        }
    return {"code": str(error.status), "message": error.message}


def _authenticate(state: HabuState, req: EmuRequest) -> str | None:
    """The token endpoint takes the client's Basic credentials (or, without any, the form of
    a password grant: the handler decides); everything else a bearer token."""
    if req.qualname != "oauth.token":
        state.note_org_headers(req.headers)
        return state.check_bearer(bearer_token(req) or "")
    if not req.headers.get("authorization"):
        return None
    client = basic_credentials(req)
    if client is None:
        raise EmuError(401, "Bad credentials")
    return "\n".join(client)
