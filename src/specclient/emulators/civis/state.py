"""State of the Civis emulator: users, credentials, databases, tables, scripts, jobs and runs.

Plain Python, no HTTP: :mod:`specclient.emulators.civis` maps requests onto these methods. Every
object is kept as the wire shows it (camelCase keys, ISO-8601 times), so handlers return them as
they are. A run's state is not stored but read from the clock: ``queued`` until it has waited
``queue_seconds``, ``running`` for its duration, then ``succeeded`` or ``failed``; a cancel
request freezes it as ``cancelled``. That way a test moves a job forward by advancing the clock
and never sleeps.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from specclient._clock import Clock
from specclient.emulators.core import Collection, EmuError
from specclient.emulators.core.lifecycle import Timed

__all__ = ["CivisState", "NotFound", "Invalid", "DEMO_API_KEY"]

DEMO_API_KEY = "civis-emulator-demo-key-0001"

_SLEEP = re.compile(r"\bsleep\s+(\d+(?:\.\d+)?)")
_EXIT = re.compile(r"\bexit\s+([1-9]\d*)")
_AWS = "Amazon Web Services S3"


class NotFound(EmuError, LookupError):
    """The object does not exist (HTTP 404)."""

    def __init__(self, message: str) -> None:
        super().__init__(404, message)


class Invalid(EmuError, ValueError):
    """The request is well-formed but its values are refused (HTTP 400)."""

    def __init__(self, message: str) -> None:
        super().__init__(400, message)


def _things(noun: str) -> Collection[int, dict[str, Any]]:
    """A collection keyed by Civis's integer ids, answering Civis's 404 text."""
    return Collection(
        noun,
        key=int,
        not_found="The requested {noun} could not be found.",
        error=lambda status, message: NotFound(message),
    )


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass(kw_only=True)
class Run(Timed):
    """One run of a job (container script, SQL script or any job)."""

    id: int
    job_id: int
    exit_code: int = 0
    #: why the run fails (what its job could not do), reported as its ``error``
    error: str | None = None
    outputs: list[dict[str, Any]] = field(default_factory=list)

    def state(self, now: float) -> str:
        phase = self.phase(now)
        if phase == "done":
            return "failed" if self.exit_code or self.error else "succeeded"
        return phase

    def failure(self) -> str:
        return self.error or f"Process exited with status {self.exit_code}"

    def wire(
        self, now: float, kind: str, link: Callable[[int], str | None] | None = None
    ) -> dict[str, Any]:
        """The run as Civis shows it; ``link`` gives a SQL run's output file its download
        URL (the handler knows the origin), else a placeholder URL."""
        state = self.state(now)
        started, finished = self.started, self.finished
        done_at = (
            finished if self.cancelled_at is None or state != "cancelled" else self.cancelled_at
        )
        # a run cancelled while queued never started
        ran = now >= started and (self.cancelled_at is None or self.cancelled_at >= started)
        body: dict[str, Any] = {
            "id": self.id,
            "state": state,
            "isCancelRequested": self.cancelled_at is not None,
            "createdAt": _iso(self.submitted),
            "startedAt": _iso(started) if ran else None,
            "finishedAt": _iso(done_at) if state in ("succeeded", "failed", "cancelled") else None,
            "error": self.failure() if state == "failed" else None,
        }
        if kind == "container":
            body = {"id": self.id, "containerId": self.job_id, **body}
            body.update(maxMemoryUsage=None, maxCpuUsage=None)
        elif kind == "sql":
            body = {"id": self.id, "sqlId": self.job_id, **body}
            # A SQL run lists its result files its own way (ScriptOutput), unlike /outputs.
            files = [
                {
                    "outputName": o["name"],
                    "fileId": o["objectId"],
                    "path": (
                        link(o["objectId"])
                        if link is not None
                        else f"https://files.example.com/{o['objectId']}/{o['name']}"
                    ),
                }
                for o in self.outputs
            ]
            body.update(output=files if state == "succeeded" else [], outputCachedOn=None)
        return body


class CivisState:
    """Everything the Civis emulator remembers, seeded deterministically.

    Parameters
    ----------
    seed : int
        Seeds table sizes and row counts, so two emulators with one seed answer alike.
    clock : Clock
        Source of "now" for timestamps and run states.
    api_key : str
        The API key the emulator accepts for the demo user.
    queue_seconds, run_seconds : float
        How long a new run waits in ``queued`` and then stays ``running`` (a container's
        ``sleep N`` in its command overrides the running time).
    """

    def __init__(
        self,
        *,
        seed: int,
        clock: Clock,
        api_key: str = DEMO_API_KEY,
        queue_seconds: float = 2.0,
        run_seconds: float = 10.0,
    ) -> None:
        self.clock = clock
        self.seed = seed
        #: where the API was last reached (``http://host:port``): presigned URLs point there
        self.origin = "http://127.0.0.1"
        self.queue_seconds = queue_seconds
        self.run_seconds = run_seconds
        self._rng = random.Random(seed)
        self._next_id = 100
        self.users: Collection[int, dict[str, Any]] = _things("user")
        self.api_keys: dict[str, int] = {}
        self.credentials: Collection[int, dict[str, Any]] = _things("credential")
        self.databases: Collection[int, dict[str, Any]] = _things("database")
        self.tables: Collection[int, dict[str, Any]] = _things("table")
        self.jobs: dict[int, dict[str, Any]] = {}  # scripts are jobs: one id space, as on Civis
        self.runs: dict[int, list[Run]] = {}
        self.queries: dict[int, dict[str, Any]] = {}
        from specclient.emulators.civis.files import FileStore
        from specclient.emulators.civis.warehouse import Warehouse

        self.file_store = FileStore(self)
        self.warehouse = Warehouse(self)
        self._seed(api_key)

    # -- ids and time -------------------------------------------------------------------------
    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def now(self) -> float:
        return self.clock.time()

    def iso_now(self) -> str:
        return _iso(self.now())

    # -- seed data ----------------------------------------------------------------------------
    def _seed(self, api_key: str) -> None:
        created = _iso(self.now() - 86_400 * 30)
        me = self.add_user("demo-user", "Demo User", created)
        self.add_user("research-group", "Research Group", created)
        self.add_user("jsmith", "Jane Smith", created)
        self.api_keys[api_key] = me["id"]
        general = self.add_database("redshift-general", "redshift", 5439)
        self.add_database("postgres-analytics", "postgresql", 5432)
        self.add_credential("demo-user", "Database", "demo-user", general, default=True)
        self.add_credential("jsmith", "Database", "jsmith", general)
        self.add_credential("demo-aws", _AWS, "demo-user", None)
        self.add_credential("shared-cred", _AWS, "research-group", None)
        self.add_credential("shared-cred", _AWS, "demo-user", None)
        for schema, name in (
            ("public", "customers"),
            ("public", "orders"),
            ("analytics", "daily_revenue"),
            ("schema.has.periods", "bar"),
        ):
            self.add_table(general["id"], schema, name)
        # a fixed id (the published example's), outside the id sequence: seeded ids stay put
        self.storage_hosts = [
            {
                "id": 1000,
                "owner": {
                    "id": me["id"],
                    "name": me["name"],
                    "username": me["username"],
                    "initials": me["initials"],
                    "online": True,
                },
                "name": "s3",
                "provider": "s3",
                "bucket": "demo-bucket",
                "s3Options": {"region": "us-east-1"},
            }
        ]

    def add_user(self, username: str, name: str, created: str) -> dict[str, Any]:
        user_id = len(self.users) + 1
        user = {
            "id": user_id,
            "name": name,
            "email": f"{username}@example.com",
            "username": username,
            "initials": "".join(part[0] for part in name.split()).upper(),
            "featureFlags": {"python_3_scripts": True},
            "roles": ["sdm"],
            "primaryGroupId": 1,
            "groups": [{"id": 1, "name": "Demo Org", "slug": "demo-org"}],
            "organizationName": "Demo Org",
            "organizationSlug": "demo-org",
            "createdAt": created,
            "active": True,
        }
        self.users[user_id] = user
        return user

    def add_database(self, name: str, adapter: str, port: int) -> dict[str, Any]:
        db_id = len(self.databases) + 1
        database = {
            "id": db_id,
            "name": name,
            "adapter": adapter,
            "clusterIdentifier": None,
            "host": f"{name}.db.example.com",
            "port": port,
            "databaseName": name.replace("-", "_"),
            "managed": True,
        }
        self.databases[db_id] = database
        return database

    def add_credential(
        self,
        name: str,
        kind: str,
        owner: str,
        database: dict[str, Any] | None,
        *,
        default: bool = False,
    ) -> dict[str, Any]:
        cred_id = self.new_id()
        stamp = _iso(self.now())
        credential = {
            "id": cred_id,
            "name": name,
            "type": kind,
            "username": owner if kind == "Database" else None,
            "description": None,
            "owner": owner,
            "user": {"id": self._user_id(owner), "username": owner},
            "remoteHostId": database["id"] if database else None,
            "remoteHostName": database["name"] if database else None,
            "state": None,
            "createdAt": stamp,
            "updatedAt": stamp,
            "default": default,
            "oauth": False,
            "provider": None,
            "providerMetadata": None,
        }
        self.credentials[cred_id] = credential
        return credential

    def add_table(
        self,
        database_id: int,
        schema: str,
        name: str,
        columns: Sequence[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A table; without ``columns``, a seeded one (id, value, updated_at) whose rows the
        warehouse makes from the seed when first read."""
        table_id = self.new_id()
        seeded = [
            {"name": "id", "sqlType": "bigint"},
            {"name": "value", "sqlType": "double precision"},
            {"name": "updated_at", "sqlType": "timestamp"},
        ]
        columns = [
            {**column, "ordinalPosition": position}
            for position, column in enumerate(columns or seeded, 1)
        ]
        table = {
            "id": table_id,
            "databaseId": database_id,
            "schema": schema,
            "name": name,
            "description": None,
            "isView": False,
            "rowCount": self._rng.randrange(100, 2_000),
            "columnCount": len(columns),
            "sizeMb": round(self._rng.uniform(0.1, 500.0), 2),
            "owner": "demo-user",
            "distkey": None,
            "sortkeys": "id",
            "refreshStatus": "current",
            "lastRefresh": _iso(self.now()),
            "refreshId": None,
            "lastRun": None,
            "tableTags": [],
            "columns": columns,
        }
        self.tables[table_id] = table
        return table

    def _user_id(self, username: str) -> int | None:
        for user in self.users.values():
            if user["username"] == username:
                return user["id"]
        return None

    # -- lookups ------------------------------------------------------------------------------
    def user_for_key(self, api_key: str) -> dict[str, Any] | None:
        user_id = self.api_keys.get(api_key)
        return self.users.get(user_id) if user_id is not None else None

    def list_credentials(self, query: dict[str, str]) -> list[dict[str, Any]]:
        found = list(self.credentials.values())
        if "type" in query:
            kinds = {kind.strip() for kind in query["type"].split(",")}
            found = [c for c in found if c["type"] in kinds]
        if "default" in query:
            wanted = query["default"].lower() == "true"
            found = [c for c in found if c["default"] is wanted]
        if query.get("remote_host_id"):
            found = [c for c in found if str(c["remoteHostId"]) == query["remote_host_id"]]
        if "name" in query:
            found = [c for c in found if c["name"] == query["name"]]
        return found

    def create_credential(self, body: dict[str, Any], owner: str) -> dict[str, Any]:
        for required in ("type", "username", "password"):
            if not body.get(required):
                raise Invalid(f"{required} is required")
        database = None
        if body.get("remoteHostId") is not None:
            database = self.databases.find(body["remoteHostId"])
        credential = self.add_credential(
            body.get("name") or body["username"],
            body["type"],
            owner,
            database,
            default=bool(body.get("default")),
        )
        credential["username"] = body["username"]
        credential["description"] = body.get("description")
        return credential  # the password is never stored nor echoed

    def list_tables(self, query: dict[str, str]) -> list[dict[str, Any]]:
        found = list(self.tables.values())
        if query.get("database_id"):
            found = [t for t in found if str(t["databaseId"]) == query["database_id"]]
        if "schema" in query:
            found = [t for t in found if t["schema"] == query["schema"]]
        if "name" in query:
            found = [t for t in found if t["name"] == query["name"]]
        if "search" in query:
            found = [t for t in found if query["search"] in f"{t['schema']}.{t['name']}"]
        return found

    # -- scripts, jobs, runs ------------------------------------------------------------------
    def create_script(self, kind: str, body: dict[str, Any], author: dict[str, Any]) -> dict:
        # What the published spec requires (a container needs only requiredResources: a name
        # and an image can come later, as in Platform's editor).
        if kind == "container":
            if not body.get("requiredResources"):
                raise Invalid("requiredResources is required")
            job_type = "JobTypes::ContainerDocker"
        else:
            if not body.get("name"):
                raise Invalid("name is required")
            if not body.get("sql") or body.get("remoteHostId") is None:
                raise Invalid("sql and remoteHostId are required")
            self.databases.find(body["remoteHostId"])
            self.warehouse.check(body["sql"])
            job_type = "JobTypes::SqlRunner"
        script = self.add_job(kind, job_type, body, author, category="script")
        script_id = script["id"]
        script.update(
            params=body.get("params", []),
            arguments=body.get("arguments", {}),
            isTemplate=False,
            fromTemplateId=None,
            links={"details": f"api/scripts/{script_id}", "runs": f"api/jobs/{script_id}/runs"},
        )
        if kind == "container":
            script.update(
                requiredResources=body["requiredResources"],
                dockerCommand=body.get("dockerCommand"),
                dockerImageName=body.get("dockerImageName"),
                dockerImageTag=body.get("dockerImageTag"),
                repoHttpUri=body.get("repoHttpUri"),
                repoRef=body.get("repoRef"),
                remoteHostCredentialId=body.get("remoteHostCredentialId"),
                instanceType=body.get("instanceType"),
                cancelTimeout=body.get("cancelTimeout", 0),
            )
        else:
            script.update(
                sql=body["sql"],
                remoteHostId=body["remoteHostId"],
                credentialId=body.get("credentialId"),
                codePreview=body["sql"][:100],
                csvSettings=body.get("csvSettings", {}),
            )
        return script

    def add_job(
        self,
        kind: str,
        job_type: str,
        body: dict[str, Any],
        author: dict[str, Any],
        *,
        category: str,
        **fields: Any,
    ) -> dict[str, Any]:
        """A job of ``kind`` (the key of its run's effect in :mod:`.loads`), runnable through
        ``/jobs/{id}/runs`` as every Civis job is."""
        job_id = self.new_id()
        stamp = _iso(self.now())
        job = {
            "id": job_id,
            "name": body.get("name"),
            "type": job_type,
            "createdAt": stamp,
            "updatedAt": stamp,
            "author": {
                "id": author["id"],
                "name": author["name"],
                "username": author["username"],
                "initials": author["initials"],
                "online": None,
            },
            "state": "idle",
            "finishedAt": None,
            "category": category,
            "projects": [],
            "parentId": None,
            "lastRun": None,
            "hidden": bool(body.get("hidden", False)),
            "archived": False,
            "_kind": kind,
            **fields,
        }
        self.jobs[job_id] = job
        self.runs[job_id] = []
        return job

    def job(self, job_id: int, kind: str | None = None) -> dict[str, Any]:
        job = self.jobs.get(job_id)
        if job is None or (kind is not None and job["_kind"] != kind):
            what = "job" if kind is None else f"{kind} script"
            raise NotFound(f"The requested {what} could not be found.")
        return job

    def start_run(self, job_id: int, kind: str | None = None) -> Run:
        job = self.job(job_id, kind)
        command = str(job.get("dockerCommand") or "")
        duration = self.run_seconds
        if match := _SLEEP.search(command):
            duration = float(match.group(1))
        exit_code = int(match.group(1)) if (match := _EXIT.search(command)) else 0
        run = Run(
            id=self.new_id(),
            job_id=job["id"],
            submitted=self.now(),
            queue_seconds=self.queue_seconds,
            run_seconds=duration,
            exit_code=exit_code,
        )
        from specclient.emulators.civis.loads import EFFECTS

        effect = EFFECTS.get(job["_kind"])
        if effect is not None:
            # what the run does happens as it starts; its outcome shows when it ends
            try:
                effect(self, job, run)
            except EmuError as error:
                run.error = error.message
        self.runs[job["id"]].append(run)
        return run

    def run(self, job_id: int, run_id: int, kind: str | None = None) -> Run:
        self.job(job_id, kind)
        for run in self.runs[int(job_id)]:
            if run.id == int(run_id):
                return run
        raise NotFound("The requested run could not be found.")

    def cancel_run(self, job_id: int, run_id: int, kind: str | None = None) -> None:
        run = self.run(job_id, run_id, kind)
        if run.state(self.now()) in ("succeeded", "failed", "cancelled"):
            # Civis answers 404 for a run that has already finished; civis-python relies on it.
            raise NotFound("The run has already finished and cannot be cancelled.")
        run.cancelled_at = self.now()

    def run_outputs(self, run: Run) -> list[dict[str, Any]]:
        return run.outputs if run.state(self.now()) == "succeeded" else []

    def run_logs(self, run: Run) -> list[dict[str, Any]]:
        now = self.now()
        state = run.state(now)
        lines = [
            ("info", "Queued"),
        ]
        if state != "queued":
            lines.append(("info", "Running"))
        if state == "failed":
            lines.append(("error", f"Process exited with status {run.exit_code}"))
        elif state in ("succeeded", "cancelled"):
            lines.append(("info", state.capitalize()))
        # Civis returns logs newest first.
        return [
            {
                "id": run.id * 100 + index,
                "createdAt": _iso(run.submitted),
                "message": message,
                "level": level,
            }
            for index, (level, message) in reversed(list(enumerate(lines)))
        ]

    def job_wire(self, job: dict[str, Any], *, summary: bool = False) -> dict[str, Any]:
        """A job as ``/jobs`` shows it (and a script as ``/scripts/...`` shows it)."""
        runs = self.runs.get(job["id"], [])
        now = self.now()
        last = runs[-1].wire(now, "job") if runs else None
        state = last["state"] if last else "idle"
        body = {key: value for key, value in job.items() if not key.startswith("_")}
        body.update(state=state, lastRun=last)
        if last and last["finishedAt"]:
            body["finishedAt"] = last["finishedAt"]
        if summary:
            keep = (
                "id",
                "name",
                "type",
                "fromTemplateId",
                "state",
                "createdAt",
                "updatedAt",
                "lastRun",
                "archived",
                "author",
            )
            body = {key: body.get(key) for key in keep}
        return body
