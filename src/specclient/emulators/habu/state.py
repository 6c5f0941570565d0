"""State of the Habu (LiveRamp Clean Room) emulator, as plain Python with no HTTP.

:mod:`specclient.emulators.habu` maps requests onto these methods. Objects are kept as the wire
shows them (camelCase keys, ISO-8601 times, UUID ids with ``displayId`` beside them), so handlers
return them as they are. Errors are :class:`HabuError` (an ``EmuError``) carrying the status,
answered in the platform's envelope ``{"code": "<status>", "message": ...}``.

A run's status is not stored but read from the clock: ``QUEUED`` for ``queue_seconds``,
``RUNNING`` for ``run_seconds``, then ``COMPLETED`` or ``FAILED`` (decided at creation, from
:meth:`HabuState.fail_next_run` or the seeded ``failure_rate``). Tests move a run forward by
advancing the clock and never sleep.

Result rows are never stored: :func:`result_page` computes any page of any size from the seed,
the run id and the row index, so a 1,000,000-row result costs no memory until a page is asked for.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import uuid
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from specclient._clock import Clock
from specclient.emulators.core import Collection, EmuError
from specclient.emulators.core.lifecycle import Timed

__all__ = [
    "HabuError",
    "HabuState",
    "QuestionRun",
    "FlowRun",
    "result_columns",
    "result_page",
    "DEFAULT_COLUMNS",
]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HOUR = 3600.0
_DAY = 86400.0
_TERMINAL = ("COMPLETED", "FAILED", "ERROR", "CANCELLED")


class HabuError(EmuError):
    """A refusal the platform answers with an error status and its envelope."""

    def __init__(self, status: int, message: str, *, headers: Mapping[str, str] | None = None):
        super().__init__(status, message, headers=headers)


def require(body: Mapping[str, Any], *fields: str) -> None:
    """400 ``Field '<name>' is required`` for the first of ``fields`` missing or empty."""
    for name in fields:
        if not body.get(name):
            raise HabuError(400, f"Field '{name}' is required")


def iso(seconds: float) -> str:
    """``2023-10-14T18:47:16.104+00:00``: the platform's timestamp format."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+00:00"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# --------------------------------------------------------------------------- result rows

# Used when a question declares no dimensions or measures: one column per data type the
# metadata can name, so the adapter's typing is exercised end to end.
DEFAULT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("segment", "STRING", "Segment"),
    ("day", "DATE", "Day"),
    ("impressions", "LONG", "Impressions"),
    ("reach", "INTEGER", "Reach"),
    ("spend", "DECIMAL", "Spend"),
    ("ctr", "DOUBLE", "Click-through rate"),
    ("is_new_customer", "BOOLEAN", "Is new customer"),
    ("last_seen", "TIMESTAMP", "Last seen"),
)

_SEGMENTS = ("auto", "beauty", "finance", "grocery", "home", "sports", "travel", "tech")
_EPOCH_DAY = date(2024, 1, 1).toordinal()


def result_columns(question: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """The ``metadata`` of a run's result: the question's dimensions then measures."""
    details = (question or {}).get("questionDetails") or {}
    declared = [*(details.get("dimensions") or []), *(details.get("measures") or [])]
    columns = []
    for item in declared:
        name = str(item.get("name") or "").strip()
        if name:
            kind = str(item.get("type") or "STRING").upper()
            columns.append({"fieldName": name, "dataType": kind, "columnName": name})
    if not columns:
        columns = [{"fieldName": f, "dataType": t, "columnName": c} for f, t, c in DEFAULT_COLUMNS]
    return columns


_DATES = [date.fromordinal(_EPOCH_DAY + k).isoformat() for k in range(366)]
_STAMP_TABLE = 4093  # a prime: distinct timestamps per row without a datetime call per cell


def _stamps() -> list[str]:
    return [iso(1_704_067_200 + (k * 7_919_003) % 31_536_000) for k in range(_STAMP_TABLE)]


_STAMPS: list[str] = []


def _formatter(kind: str) -> Any:
    """A function (row hash, row index) -> the value as the API sends it: always a string."""
    if kind == "LONG":
        return lambda x, i: str(x % 1_000_000)
    if kind == "INTEGER":
        return lambda x, i: str(x % 10_000)
    if kind == "DECIMAL":
        return lambda x, i: f"{(x % 100_000) / 100:.2f}"
    if kind in ("DOUBLE", "FLOAT"):
        return lambda x, i: f"{(x % 10_000) / 10_000:.4f}"
    if kind == "BOOLEAN":
        return lambda x, i: "true" if x & 1 else "false"
    if kind == "DATE":
        return lambda x, i: _DATES[x % 366]
    if kind == "TIMESTAMP":
        if not _STAMPS:
            _STAMPS.extend(_stamps())
        return lambda x, i: _STAMPS[x % _STAMP_TABLE]
    segments = _SEGMENTS
    return lambda x, i: f"{segments[x % 8]}-{i % 997}"


def result_page(
    seed: int, run_id: str, columns: list[dict[str, str]], offset: int, limit: int, total: int
) -> list[dict[str, str]]:
    """Rows ``offset .. offset+limit`` of a run's result, computed, never stored.

    Each row depends only on (seed, run id, row index), so any page is the same every time it
    is asked for and no page needs another.
    """
    salt = int.from_bytes(hashlib.blake2b(f"{seed}:{run_id}".encode(), digest_size=8).digest())
    plan = [
        (c["fieldName"], _formatter(c["dataType"].upper()), (k + 1) * 0x9E3779B1)
        for k, c in enumerate(columns)
    ]
    rows = []
    for i in range(max(offset, 0), min(offset + limit, total)):
        base = (i * 0x5851F42D4C957F2D + salt) & 0xFFFFFFFFFFFF
        rows.append({name: fmt(((base ^ mix) * 0x2545F491) >> 20, i) for name, fmt, mix in plan})
    return rows


# --------------------------------------------------------------------------- runs


@dataclass(kw_only=True)
class _Run(Timed):
    """A question or flow run: QUEUED, RUNNING, then its outcome, read from the clock."""

    id: str
    name: str
    outcome: str = "COMPLETED"  # or FAILED
    failure_reason: str | None = None
    rows: int = 0

    def status(self, now: float) -> str:
        phase = self.phase(now)
        return self.outcome if phase == "done" else phase.upper()

    def _times(self, now: float, status: str) -> dict[str, Any]:
        return {
            "submittedAt": iso(self.submitted),
            "executedAt": iso(self.started) if now >= self.started else None,
            "completedAt": iso(self.finished) if status in _TERMINAL else None,
        }


@dataclass(kw_only=True)
class QuestionRun(_Run):
    """One run of a clean-room question."""

    crq_id: str
    parameters: dict[str, str]
    columns: list[dict[str, str]] = field(default_factory=list)
    question_version: int = 1
    reported_status: str | None = None  # PUT .../cleanroom-question-runs/{id} from a partner
    deleted: bool = False

    def status(self, now: float) -> str:
        return self.reported_status or super().status(now)

    def wire(self, now: float) -> dict[str, Any]:
        status = self.status(now)
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "status": status,
            **self._times(now, status),
            "parameters": dict(self.parameters),
            "partitionParameters": [],
            "runMetadata": {
                "dataOutLocation": f"s3://emulator-habu-results/{self.id}/",
                "datasetParameters": [],
                # the salt is what the real service hashes identifiers with: a secret
                "saltKey": hashlib.sha256(f"salt:{self.id}".encode()).hexdigest()[:32],
            },
            "failureReason": None,
            "isRetryable": None,
            "runMessage": None,
            "questionVersion": self.question_version,
        }
        if status == "FAILED":
            body["failureReason"] = self.failure_reason or "Query execution failed"
            body["isRetryable"] = True
            body["runMessage"] = body["failureReason"]
        elif status == "COMPLETED":
            body["runMessage"] = f"{self.rows} rows"
        return body


@dataclass(kw_only=True)
class FlowRun(_Run):
    """One run of a flow; one node per question in the flow, all finishing together."""

    cleanroom_id: str
    flow_id: str
    nodes: list[dict[str, Any]]
    parameters: list[dict[str, Any]]

    def wire(self, now: float) -> dict[str, Any]:
        status = self.status(now)
        return {
            "id": self.id,
            "name": self.name,
            "status": status,
            **self._times(now, status),
            "flowRunParameters": list(self.parameters),
            "runMessage": (self.failure_reason or "Flow run failed")
            if status == "FAILED"
            else None,
        }


# --------------------------------------------------------------------------- the state


class HabuState:
    """Everything one emulated organization holds, with the platform's documented limits.

    Parameters
    ----------
    seed
        Makes ids, failures and result rows reproducible.
    clock
        Time for tokens, rate limits and run progress.
    client_id, client_secret, organization
        The one API client the emulator accepts (the platform has one per organization).
    service_account
        ``{account_id, secret_key, client_id}`` of the one service account it accepts.
    token_lifetime
        Seconds a token lives (the platform: 43200, 12 h).
    token_cap
        Tokens issued per 24 h per client (the platform: 2); ``None`` turns the cap off.
    token_cap_status
        Status when the cap is hit (undocumented; 429 by default).
    run_create_limit
        Create-run (and, separately, flow-run) calls per rolling hour (the platform: 20);
        ``None`` turns it off.
    queue_seconds, run_seconds
        How long a run waits, then runs, on the emulator clock.
    result_rows
        Rows in every completed question run's result (any size: rows are computed per page).
    failure_rate
        Share of runs that end FAILED, drawn from the seeded generator.
    max_data_limit
        Largest ``limit`` the data endpoints honour; larger values are clamped.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        clock: Clock,
        client_id: str,
        client_secret: str,
        organization: str,
        service_account: dict[str, str] | None = None,
        token_lifetime: float = 43_200.0,
        token_cap: int | None = 2,
        token_cap_status: int = 429,
        run_create_limit: int | None = 20,
        queue_seconds: float = 60.0,
        run_seconds: float = 600.0,
        result_rows: int = 1_000,
        failure_rate: float = 0.0,
        max_data_limit: int = 10_000,
    ) -> None:
        self.seed = seed
        self.clock = clock
        self.client_id = client_id
        self.client_secret = client_secret
        self.organization = organization
        self.service_account = dict(service_account or {})
        # LR-Org-ID headers seen, call by call (the last 1000: an emulator may serve for days)
        self.org_headers: deque[dict[str, str]] = deque(maxlen=1000)
        self.token_lifetime = token_lifetime
        self.token_cap = token_cap
        self.token_cap_status = token_cap_status
        self.run_create_limit = run_create_limit
        self.queue_seconds = queue_seconds
        self.run_seconds = run_seconds
        self.result_rows = result_rows
        self.failure_rate = failure_rate
        self.max_data_limit = max_data_limit
        self._rng = random.Random(seed)
        self._display = 45_000 + self._rng.randrange(1000)
        self.tokens: dict[str, tuple[str, float]] = {}  # token -> (client id, expires at)
        self.token_issues: deque[float] = deque()
        self.run_creates: deque[float] = deque()
        self.flow_run_creates: deque[float] = deque()
        self._scripted_failures: deque[str] = deque()
        self.cleanrooms = self._things("Cleanroom", "cleanroomId")
        self.data_connections = self._things("Data connection", "dataConnectionId")
        self.field_configurations: dict[str, list[dict[str, Any]]] = {}
        self.datasets: Collection[str, dict[str, Any]] = Collection(
            "Dataset"
        )  # clean-room datasets
        self.questions = self._things("Question", "questionID")
        self.cleanroom_questions = self._things("Cleanroom question", "cleanroomQuestionId")
        self.ownership: dict[str, dict[str, str]] = {}  # crq id -> macro -> organization id
        self.assignments: dict[str, dict[str, dict[str, Any]]] = {}  # crq id -> macro -> dataset
        self.runs: dict[str, QuestionRun] = {}
        self.flows: dict[str, dict[str, Any]] = {}
        self.flow_runs: dict[str, FlowRun] = {}
        self.credentials = self._things("Organization credential", "organizationCredentialId")
        self.schedules: Collection[str, dict[str, Any]] = Collection(
            "Cleanroom question run schedule"
        )
        # cleanroom id -> partner id -> partner
        self.partners: dict[str, dict[str, dict[str, Any]]] = {}

    # ---------------------------------------------------------------- ids

    def new_id(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def display_id(self, prefix: str) -> str:
        self._display += 1
        return f"{prefix}-{self._display:06d}"

    @staticmethod
    def require_uuid(value: str, what: str) -> str:
        """The platform's path ids are UUIDs; a display id (``CR-045144``) is refused clearly."""
        if not _UUID.match(value or ""):
            hint = (
                " (that looks like a display ID; use the UUID `id`)"
                if re.match(r"^[A-Z]{1,4}-\d+$", value or "")
                else ""
            )
            raise HabuError(400, f"Invalid {what}: {value!r} is not a UUID{hint}")
        return value

    def _things(self, noun: str, param: str) -> Collection[str, dict[str, Any]]:
        """A collection keyed by UUID path parameter ``param``, answering 404 ``<noun> <id> not
        found`` (and 400 for an id that is not a UUID, as the platform does)."""
        return Collection(noun, key=lambda raw: self.require_uuid(raw, param), error=HabuError)

    @property
    def now(self) -> float:
        return self.clock.time()

    # ---------------------------------------------------------------- tokens

    def issue_token(self, client_id: str, client_secret: str) -> dict[str, Any]:
        """The token endpoint: check the client, the daily cap, then mint a JWT-shaped token."""
        if client_id != self.client_id or client_secret != self.client_secret:
            raise HabuError(401, "Bad credentials")
        now = self.now
        while self.token_issues and self.token_issues[0] <= now - _DAY:
            self.token_issues.popleft()
        if self.token_cap is not None and len(self.token_issues) >= self.token_cap:
            raise HabuError(
                self.token_cap_status,
                f"Token limit reached: at most {self.token_cap} access tokens per 24 hours; "
                "reuse the token you have until it expires",
            )
        self.token_issues.append(now)
        expires = now + self.token_lifetime
        token = self._jwt(client_id, now, expires)
        self.tokens[token] = (client_id, expires)
        return {
            "accessToken": token,
            "tokenType": "Bearer",
            "expiresIn": int(self.token_lifetime),
            "expiresAt": iso(expires),
        }

    def issue_service_account_token(
        self, account_id: str, secret_key: str, client_id: str
    ) -> dict[str, Any]:
        """The password grant of a service account, answered as LiveRamp's SDK reads it
        (RFC 6749 names). Not counted against the API client's daily cap: no source says a
        service account has one."""
        account = self.service_account
        if (account_id, secret_key, client_id) != (
            account.get("account_id"),
            account.get("secret_key"),
            account.get("client_id"),
        ):
            raise HabuError(401, "Bad credentials")
        now = self.now
        expires = now + self.token_lifetime
        token = self._jwt(account_id, now, expires)
        self.tokens[token] = (account_id, expires)
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(self.token_lifetime),
        }

    def note_org_headers(self, headers: Any) -> None:
        """Keep the organization headers a call carried (accepted, never required)."""
        seen = {
            name: headers[name]
            for name in ("LR-Org-ID", "Restricted-LR-Org-ID")
            if headers.get(name) is not None
        }
        if seen:
            self.org_headers.append(seen)

    def _jwt(self, client_id: str, issued: float, expires: float) -> str:
        header = {"alg": "RS256", "typ": "JWT", "kid": "emulator-key-1"}
        claims = {
            "iss": "https://habu.us.auth0.com/",
            "sub": f"{client_id}@clients",
            "aud": "https://api.habu.com/v1",
            "iat": int(issued),
            "exp": int(expires),
            "scope": "read:cleanrooms write:cleanroomquestionruns",
            "permissions": ["read:cleanrooms", "write:cleanroomquestionruns"],
            "https://api.habu.com/org": _b64url(self.organization.encode()),
            "jti": self.new_id(),
        }
        signature = hashlib.sha512(json.dumps(claims).encode() + str(self.seed).encode()).digest()
        return ".".join(
            [
                _b64url(json.dumps(header).encode()),
                _b64url(json.dumps(claims).encode()),
                _b64url(signature * 4),
            ]
        )

    def check_bearer(self, token: str | None) -> str:
        """The client id behind a valid, unexpired token; 401 otherwise."""
        if not token:
            raise HabuError(401, "Full authentication is required to access this resource")
        found = self.tokens.get(token)
        if found is None:
            raise HabuError(401, "Invalid access token")
        client, expires = found
        if self.now >= expires:
            raise HabuError(401, "Access token expired")
        return client

    def expire_tokens(self) -> None:
        """Make every token issued so far expired (a fault tests can switch on)."""
        now = self.now
        self.tokens = {t: (c, min(e, now)) for t, (c, e) in self.tokens.items()}

    # ---------------------------------------------------------------- limits

    def _spend(self, ledger: deque[float], what: str) -> None:
        """The documented 20-per-hour budget, as a rolling window; 429 with no Retry-After."""
        now = self.now
        while ledger and ledger[0] <= now - _HOUR:
            ledger.popleft()
        if self.run_create_limit is not None and len(ledger) >= self.run_create_limit:
            raise HabuError(
                429, f"Too many requests: at most {self.run_create_limit} {what} per hour"
            )
        ledger.append(now)

    # ---------------------------------------------------------------- clean rooms

    _ROOM_TYPES = (
        "Hybrid",
        "Snowflake",
        "Databricks",
        "Google",
        "AWS",
        "Facebook",
        "AMC",
        "ADH",
        "LinkedIn",
        "HabuConfidentialComputing",
    )

    def create_cleanroom(self, body: Mapping[str, Any]) -> dict[str, Any]:
        require(body, "name", "startAt", "type")
        if body["type"] not in self._ROOM_TYPES:
            raise HabuError(400, f"Invalid cleanroom type: {body['type']!r}")
        if any(r["name"] == body["name"] for r in self.cleanrooms.values()):
            raise HabuError(409, f"A cleanroom named {body['name']!r} already exists")
        params = dict(body.get("parameters") or {})
        for key in ("REGION", "CLOUD"):
            if key not in params:
                raise HabuError(400, f"Cleanroom parameter '{key}' is required")
        room_id = self.new_id()
        room = {
            "id": room_id,
            "displayId": self.display_id("CR"),
            "name": body["name"],
            "description": body.get("description") or "",
            "ownerOrganization": self.organization,
            "partners": [],
            "startAt": body["startAt"],
            "endAt": body.get("endAt"),
            "questionsCount": 0,
            "status": "COMPLETE",
            # the live service echoes only some parameters back
            "cleanRoomParameters": {
                k: v
                for k, v in params.items()
                if k in ("REGION", "CLOUD", "SUB_REGION", "ENABLE_EXPORT", "ENABLE_VIEW_QUERY")
            },
            "timeAudit": {"createdAt": iso(self.now), "updatedAt": iso(self.now)},
            "cleanRoomTypeId": body["type"],
        }
        self.cleanrooms[room_id] = room
        return room

    def update_cleanroom(self, room_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        room = self.cleanrooms.find(room_id)
        for key in ("name", "description", "startAt", "endAt"):
            if key in body:
                room[key] = body[key]
        room["timeAudit"]["updatedAt"] = iso(self.now)
        return room

    # ---------------------------------------------------------------- data connections

    def create_data_connection(self, body: Mapping[str, Any]) -> dict[str, Any]:
        require(body, "name", "category")
        conn_id = self.new_id()
        data_type = dict(body.get("dataType") or {})
        conn = {
            "id": conn_id,
            "name": body["name"],
            "category": body["category"],
            "credentialId": body.get("credentialId"),
            "dataType": {
                "id": data_type.get("id") or self.new_id(),
                "name": data_type.get("name") or "generic",
                "displayName": data_type.get("displayName") or "Generic",
            },
            "dataSource": dict(
                body.get("dataSource") or {"name": "client_aws_s3", "displayName": "Client AWS S3"}
            ),
            "dataSourceConfiguration": list(body.get("dataSourceConfiguration") or []),
            "stage": "ACTIVE",
            "configStatus": "MAPPING_REQUIRED",
        }
        self.data_connections[conn_id] = conn
        # what the service infers from the file: a few columns awaiting mapping
        self.field_configurations[conn_id] = [
            {
                "dataConnectionId": conn_id,
                "id": self.new_id(),
                "fieldIndex": k,
                "fieldName": name,
                "fieldLabel": name,
                "dataType": kind,
                "identifierType": "",
                "delimiter": "",
                "isPii": False,
                "isUserIdField": False,
                "isExcluded": False,
                "isPartitionColumn": False,
            }
            for k, (name, kind) in enumerate(
                (
                    ("email_sha256", "STRING"),
                    ("segment", "STRING"),
                    ("impressions", "LONG"),
                    ("event_date", "DATE"),
                )
            )
        ]
        return conn

    def map_fields(self, conn_id: str, body: Any) -> list[dict[str, Any]]:
        """Field mapping: a JSON array of field configurations, matched by ``fieldName``."""
        conn = self.data_connections.find(conn_id)
        if not isinstance(body, list):  # an empty array maps nothing, as the schema allows
            raise HabuError(400, "Body must be a JSON array of field configurations")
        current = {f["fieldName"]: f for f in self.field_configurations[conn_id]}
        for item in body:
            name = item.get("fieldName")
            if name not in current:
                raise HabuError(400, f"Unknown field {name!r} for data connection {conn_id}")
            current[name].update(
                {k: v for k, v in item.items() if k not in ("id", "dataConnectionId", "fieldIndex")}
            )
        conn["configStatus"] = "CONFIGURATION_COMPLETE"
        return list(current.values())

    # ---------------------------------------------------------------- clean-room datasets

    def configure_dataset(self, room_id: str, conn_id: str | None, body: Any) -> dict[str, Any]:
        room = self.cleanrooms.find(room_id)
        if not conn_id:
            raise HabuError(400, "Required request parameter 'dataConnectionId' is not present")
        conn = self.data_connections.find(conn_id)
        if body is None:  # the spec makes the body optional: no consent given
            body = {}
        if not isinstance(body, Mapping) or not isinstance(body.get("rampIDConsent", False), bool):
            raise HabuError(400, 'Body must be {"rampIDConsent": true|false}')
        body = {"rampIDConsent": False, **body}  # the schema's default
        ds_id = self.new_id()
        fields = [
            {"name": f["fieldName"], "dataType": f["dataType"]}
            for f in self.field_configurations.get(conn_id, [])
            if not f["isExcluded"]
        ]
        dataset = {
            "id": ds_id,
            "name": conn["name"],
            "cleanRoomId": room["id"],
            "organizationName": "Emulated Organization",
            "dataConnectionType": "client_aws_s3",
            "dataConnectionId": conn_id,
            "stage": "READY",
            "configurationStatus": "CONFIGURATION_COMPLETE",
            "datasetFields": fields,
            "datasetFilters": [],
            "datasetParameters": [],
            "isView": False,
            "partnerCanAssign": False,
            "rampIDConsent": body["rampIDConsent"],
        }
        self.datasets[ds_id] = dataset
        return dataset

    def dataset(self, room_id: str, ds_id: str) -> dict[str, Any]:
        self.cleanrooms.find(room_id)
        self.require_uuid(ds_id, "datasetId")
        found = self.datasets.get(ds_id)
        if found is None or found["cleanRoomId"] != room_id:
            raise HabuError(404, f"Dataset {ds_id} not found in cleanroom {room_id}")
        return found

    # ---------------------------------------------------------------- questions

    def create_question(self, body: Mapping[str, Any], room_id: str | None) -> dict[str, Any]:
        details = (body or {}).get("questionDetails")
        if not isinstance(details, Mapping) or not details.get("title"):
            raise HabuError(400, "questionDetails.title is required")
        for dt in details.get("dataTypes") or []:
            if dt.get("dataSetTypeFields") is None:
                # what the real service does (an NPE surfacing as a 500), kept on purpose
                raise HabuError(500, "Internal Server Error: dataSetTypeFields is null")
        if room_id:
            self.cleanrooms.find(room_id)
        q_id = self.new_id()
        self.questions[q_id] = {
            "id": q_id,
            "version": 1,
            "cleanRoomID": room_id,
            "displayId": self.display_id("Q"),
            **dict(body),
        }
        return {"success": True, "message": "Question created successfully", "questionID": q_id}

    def macros(self, question: Mapping[str, Any]) -> list[str]:
        details = question.get("questionDetails") or {}
        return [dt["macro"] for dt in details.get("dataTypes") or [] if dt.get("macro")]

    # ---------------------------------------------------------------- clean-room questions

    def attach_question(self, room_id: str, q_id: str | None, editable: bool) -> dict[str, Any]:
        room = self.cleanrooms.find(room_id)
        if not q_id:
            raise HabuError(400, "Required request parameter 'questionId' is not present")
        question = self.questions.find(q_id)
        crq_id = self.new_id()
        details = question.get("questionDetails") or {}
        crq = {
            "id": crq_id,
            "questionId": q_id,
            "cleanroomId": room_id,
            "name": details.get("title"),
            "displayId": "CRQ-" + question["displayId"].split("-")[1],
            "questionType": "ANALYTICAL",
            "category": details.get("category") or "",
            "createdOn": iso(self.now),
            "isEditable": editable,
            "questionVersion": question["version"],
            "ownerOrganizationId": self.organization,
        }
        self.cleanroom_questions[crq_id] = crq
        self.ownership[crq_id] = {}
        self.assignments[crq_id] = {}
        room["questionsCount"] += 1
        return self.crq_wire(crq_id)

    def crq_status(self, crq_id: str) -> str:
        """READY once every macro of the question has an owner and a dataset."""
        crq = self.cleanroom_questions.find(crq_id)
        macros = self.macros(self.questions[crq["questionId"]])
        assigned = self.assignments[crq_id]
        return "READY" if all(m in assigned for m in macros) else "DATASETS_NOT_ASSIGNED"

    def crq_wire(self, crq_id: str) -> dict[str, Any]:
        crq = self.cleanroom_questions.find(crq_id)
        runs = [r for r in self.runs.values() if r.crq_id == crq_id and not r.deleted]
        latest = max(runs, key=lambda r: r.submitted, default=None)
        status = self.crq_status(crq_id)
        return {
            **crq,
            "status": "ACTIVE",
            "questionStatus": status,
            "datasetCount": len(self.assignments[crq_id]),
            "runCount": len(runs),
            "latestRun": None
            if latest is None
            else {
                "runId": latest.id,
                "status": latest.status(self.now),
                "startTimestamp": iso(latest.submitted),
                "endTimestamp": latest.wire(self.now)["completedAt"],
            },
        }

    def assign_owners(self, crq_id: str, body: Any) -> list[dict[str, Any]]:
        crq = self.cleanroom_questions.find(crq_id)
        items = [body] if isinstance(body, Mapping) else body
        if not isinstance(items, list) or not items:
            raise HabuError(400, "Body must be a JSON array of {organizationId, macro}")
        macros = self.macros(self.questions[crq["questionId"]])
        for item in items:
            macro, org = item.get("macro"), item.get("organizationId")
            if not macro or not org:
                raise HabuError(400, "Each entry needs 'organizationId' and 'macro'")
            if macros and macro not in macros:
                raise HabuError(400, f"Macro {macro!r} is not a data type of this question")
            self.ownership[crq_id][macro] = org
        return self.crq_datasets(crq_id)

    def assign_datasets(self, crq_id: str, body: Any) -> list[dict[str, Any]]:
        self.cleanroom_questions.find(crq_id)
        if not isinstance(body, list) or not body:
            raise HabuError(400, "Body must be a JSON array of {datasetId, macro, fields}")
        for item in body:
            macro, ds_id = item.get("macro"), item.get("datasetId")
            if not macro or not ds_id:
                raise HabuError(400, "Each entry needs 'datasetId' and 'macro'")
            if macro not in self.ownership[crq_id]:
                raise HabuError(
                    400,
                    f"Assign an owner to macro {macro!r} (datasets-ownership) "
                    "before assigning its dataset",
                )
            if ds_id not in self.datasets:
                raise HabuError(404, f"Dataset {ds_id} not found")
            self.assignments[crq_id][macro] = {
                "datasetId": ds_id,
                "fields": list(item.get("fields") or []),
                "dataConnectionId": item.get("dataConnectionId"),
            }
        return self.crq_datasets(crq_id)

    def crq_datasets(self, crq_id: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for macro, org in self.ownership[crq_id].items():
            assigned = self.assignments[crq_id].get(macro)
            dataset = self.datasets.get(assigned["datasetId"]) if assigned else None
            out.append(
                {
                    "id": f"{crq_id}:{macro}",
                    "dataTypeDisplayName": macro,
                    "dataTypeName": macro,
                    "ownership": org,
                    "status": "ASSIGNED" if assigned else "OWNER_ASSIGNED",
                    "datasetId": dataset["id"] if dataset else None,
                    "datasetName": dataset["name"] if dataset else None,
                    "dataConnectionId": dataset["dataConnectionId"] if dataset else None,
                    "parameters": [],
                }
            )
        return out

    # ---------------------------------------------------------------- question runs

    def fail_next_run(self, reason: str = "Query failed: column 'impressions' not found") -> None:
        """Make the next created run (question or flow) end FAILED with ``reason``."""
        self._scripted_failures.append(reason)

    def _outcome(self) -> tuple[str, str | None]:
        if self._scripted_failures:
            return "FAILED", self._scripted_failures.popleft()
        if self.failure_rate and self._rng.random() < self.failure_rate:
            return "FAILED", "Query execution failed: insufficient crowd size"
        return "COMPLETED", None

    def create_run(self, crq_id: str, body: Any) -> dict[str, Any]:
        crq = self.cleanroom_questions.find(crq_id)
        if (
            not isinstance(body, Mapping)
            or not isinstance(body.get("name"), str)
            or not body["name"]
        ):
            raise HabuError(400, "Field 'name' is required")
        params = body.get("parameters") or {}
        if not isinstance(params, Mapping) or not all(isinstance(v, str) for v in params.values()):
            raise HabuError(400, "'parameters' must be an object of string values")
        if self.crq_status(crq_id) != "READY":
            raise HabuError(412, "Cleanroom question is not READY: assign datasets to every macro")
        self._spend(self.run_creates, "question runs")
        outcome, reason = self._outcome()
        question = self.questions[crq["questionId"]]
        run = QuestionRun(
            id=self.new_id(),
            crq_id=crq_id,
            name=body["name"],
            parameters=dict(params),
            submitted=self.now,
            queue_seconds=self.queue_seconds,
            run_seconds=self.run_seconds,
            outcome=outcome,
            failure_reason=reason,
            rows=self.result_rows,
            columns=result_columns(question),
            question_version=question["version"],
        )
        self.runs[run.id] = run
        return run.wire(self.now)

    def run(self, run_id: str) -> QuestionRun:
        self.require_uuid(run_id, "cleanroomQuestionRunId")
        found = self.runs.get(run_id)
        if found is None or found.deleted:
            raise HabuError(404, f"Cleanroom question run {run_id} not found")
        return found

    def list_runs(
        self,
        crq_id: str,
        status: str | None,
        start: str | None,
        end: str | None,
        limit: int,
        offset: int,
    ) -> list[dict[str, Any]]:
        self.cleanroom_questions.find(crq_id)
        if limit > 100:
            raise HabuError(400, "limit must be at most 100")
        runs = sorted(
            (r for r in self.runs.values() if r.crq_id == crq_id and not r.deleted),
            key=lambda r: r.submitted,
            reverse=True,
        )
        now = self.now
        out = []
        for r in runs:
            day = datetime.fromtimestamp(r.submitted, UTC).date().isoformat()
            if status and r.status(now) != status:
                continue
            if (start and day < start) or (end and day > end):
                continue
            out.append(r.wire(now))
        return out[offset : offset + limit]

    def run_data(self, run_id: str, limit: int, offset: int) -> dict[str, Any]:
        run = self.run(run_id)
        status = run.status(self.now)
        if status != "COMPLETED":
            raise HabuError(400, f"Cleanroom question run {run_id} is {status}, not COMPLETED")
        if limit < 1 or offset < 0:
            raise HabuError(400, "limit must be positive and offset not negative")
        limit = min(limit, self.max_data_limit)
        rows = result_page(self.seed, run.id, run.columns, offset, limit, run.rows)
        return {"metadata": run.columns, "stats": rows, "count": run.rows, "multipleOutputs": []}

    # ---------------------------------------------------------------- flows

    def create_flow(self, room_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        self.cleanrooms.find(room_id)
        if not body.get("flowName") or not isinstance(body.get("nodes"), list):
            raise HabuError(400, "Fields 'flowName' and 'nodes' are required")
        existing = next(
            (
                f
                for f in self.flows.values()
                if f["cleanroomId"] == room_id and f["name"] == body["flowName"]
            ),
            None,
        )
        flow = existing or {
            "ID": self.new_id(),
            "displayID": self.display_id("CRF"),
            "cleanroomId": room_id,
            "version": 0,
        }
        nodes = []
        for k, node in enumerate(body["nodes"]):
            ident = node.get("nodeIdentifier")
            if not ident:
                raise HabuError(400, f"nodes[{k}].nodeIdentifier is required")
            # a node names a clean-room question; its label is what the report also accepts
            crq = self.cleanroom_questions.get(ident)
            nodes.append(
                {
                    "id": self.new_id(),
                    "label": crq["displayId"] if crq else ident,
                    "nodeType": "QUESTION",
                    "level": k + 1,
                    "title": ident,
                    "referenceId": ident,
                    "cleanroomQuestionId": crq["id"] if crq else None,
                }
            )
        flow.update(
            {
                "name": body["flowName"],
                "description": body.get("description") or "",
                "nodes": nodes,
                "version": flow["version"] + 1,
            }
        )
        self.flows[flow["ID"]] = flow
        return {
            "flowID": flow["ID"],
            "success": True,
            "message": "Flow updated successfully" if existing else "Flow created successfully",
        }

    def flow(self, room_id: str, flow_id: str) -> dict[str, Any]:
        self.cleanrooms.find(room_id)
        self.require_uuid(flow_id, "cleanroomFlowId")
        found = self.flows.get(flow_id)
        if found is None or found["cleanroomId"] != room_id:
            raise HabuError(404, f"Cleanroom flow {flow_id} not found")
        return found

    def create_flow_run(
        self, room_id: str, flow_id: str, body: Mapping[str, Any]
    ) -> dict[str, Any]:
        flow = self.flow(room_id, flow_id)
        require(body or {}, "name")
        self._spend(self.flow_run_creates, "flow runs")
        outcome, reason = self._outcome()
        run = FlowRun(
            id=self.new_id(),
            cleanroom_id=room_id,
            flow_id=flow_id,
            name=body["name"],
            submitted=self.now,
            queue_seconds=self.queue_seconds,
            run_seconds=self.run_seconds,
            nodes=flow["nodes"],
            parameters=[
                {"nodeId": n.get("nodeIdentifier"), "parameters": n.get("parameters") or {}}
                for n in body.get("nodes") or []
            ],
            outcome=outcome,
            failure_reason=reason,
            rows=min(self.result_rows, 1000),
        )
        self.flow_runs[run.id] = run
        return run.wire(self.now)

    def flow_run(self, room_id: str, run_id: str) -> FlowRun:
        self.cleanrooms.find(room_id)
        self.require_uuid(run_id, "cleanroomFlowRunId")
        found = self.flow_runs.get(run_id)
        if found is None or found.cleanroom_id != room_id:
            raise HabuError(404, f"Cleanroom flow run {run_id} not found")
        return found

    def flow_output_nodes(self, room_id: str, run_id: str) -> list[dict[str, Any]]:
        run = self.flow_run(room_id, run_id)
        status = run.status(self.now)
        return [
            {"node": {**node, "flowId": run.flow_id}, "runStatus": status, "runID": run.id}
            for node in run.nodes
        ]

    def flow_report(
        self, room_id: str, run_id: str, node: str | None, limit: int, offset: int
    ) -> dict[str, Any]:
        run = self.flow_run(room_id, run_id)
        if not node:
            raise HabuError(400, "Required request parameter 'node' is not present")
        match = next((n for n in run.nodes if node in (n["id"], n["label"])), None)
        if match is None:
            raise HabuError(404, f"Node {node} not found in flow run {run_id}")
        if run.status(self.now) != "COMPLETED":
            raise HabuError(400, f"Flow run {run_id} is {run.status(self.now)}, not COMPLETED")
        columns = [{"fieldName": f, "dataType": t, "columnName": c} for f, t, c in DEFAULT_COLUMNS]
        rows = result_page(
            self.seed,
            f"{run.id}:{match['id']}",
            columns,
            offset,
            min(limit, self.max_data_limit),
            run.rows,
        )
        dims = ("segment", "day")
        return {
            "title": match["label"],
            "metadata": {
                "dimensions": list(dims),
                "facts": [c["fieldName"] for c in columns if c["fieldName"] not in dims],
            },
            "recordStats": [
                {
                    "dimensions": [{"key": k, "value": row[k]} for k in dims],
                    "records": [{"key": k, "value": v} for k, v in row.items() if k not in dims],
                }
                for row in rows
            ],
        }
