"""The fault injector, seen by real clients over TCP (httpx sync and async, and specclient's own)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from specclient.emulators import EmulatorApp, EmulatorClock, running_app
from specclient.errors import ParameterError
from specclient.openapi import load

DOC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "jobs", "version": "1"},
    "servers": [{"url": "/api"}],
    "paths": {
        "/jobs": {
            "get": {
                "x-resource": "jobs",
                "x-method": "list",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"type": "array"}}},
                    }
                },
            },
            "post": {
                "x-resource": "jobs",
                "x-method": "create",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {"name": {"type": "string"}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            },
        },
        "/jobs/{jobId}": {
            "get": {
                "x-resource": "jobs",
                "x-method": "get",
                "parameters": [
                    {"name": "jobId", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    },
}


def make_app(seed: int = 0) -> EmulatorApp:
    app = EmulatorApp(load(DOC, cache=False), clock=EmulatorClock(), seed=seed)
    jobs: list[dict[str, Any]] = []
    app.state = jobs
    app.handle("jobs.list")(lambda req: jobs)

    @app.handle("jobs.create")
    def create(req: Any) -> Any:
        job = {"id": str(len(jobs) + 1), "name": req.json()["name"]}
        jobs.append(job)
        return job

    app.handle("jobs.get")(lambda req: {"id": req.path_params["jobId"]})
    return app


@pytest.fixture
def emu():
    with running_app(make_app()) as running:
        yield running


@pytest.fixture
def http(emu):
    with httpx.Client(base_url=emu.base_url) as client:
        yield client


@pytest.mark.parametrize("kind", ["429", "500", "502", "503", "504"])
def test_status_faults_answer_in_the_error_envelope(http, emu, kind):
    emu.faults.add("jobs.list", kind, count=1)
    failed = http.get("/jobs")
    assert failed.status_code == int(kind)
    assert failed.json()["status"] == int(kind)
    assert "retry-after" not in failed.headers
    assert http.get("/jobs").status_code == 200


def test_429_with_retry_after_sends_the_header(http, emu):
    emu.faults.add("*", "429", count=1, retry_after=30)
    emu.faults.add("*", "503", count=1, retry_after=1.5)
    assert http.get("/jobs").headers["retry-after"] == "30"
    assert http.get("/jobs").headers["retry-after"] == "1.5"


def test_status_fault_does_not_run_the_handler(http, emu):
    emu.faults.add("jobs.create", "500", count=1)
    assert http.post("/jobs", json={"name": "a"}).status_code == 500
    assert emu.state == []


def test_expired_token_answers_401_with_www_authenticate(http, emu):
    emu.faults.add("jobs.*", "expired_token", count=1)
    response = http.get("/jobs/1")
    assert response.status_code == 401
    assert response.json()["message"] == "The access token expired"
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_drop_before_is_a_transport_error_and_changes_nothing(http, emu):
    emu.faults.add("jobs.create", "drop_before", count=1)
    with pytest.raises(httpx.TransportError):
        http.post("/jobs", json={"name": "lost"})
    assert emu.state == []
    assert http.post("/jobs", json={"name": "kept"}).status_code == 200  # next request is fine


def test_drop_after_applies_the_change_but_the_client_sees_a_transport_error(http, emu):
    emu.faults.add("jobs.create", "drop_after", count=1)
    with pytest.raises(httpx.TransportError):
        http.post("/jobs", json={"name": "ambiguous"})
    assert emu.state == [{"id": "1", "name": "ambiguous"}]
    assert http.get("/jobs").json() == [{"id": "1", "name": "ambiguous"}]


async def test_both_drops_reach_an_async_client_as_transport_errors(emu):
    emu.faults.add("jobs.create", "drop_before", count=1)
    emu.faults.add("jobs.create", "drop_after", count=1)
    async with httpx.AsyncClient(base_url=emu.base_url) as client:
        with pytest.raises(httpx.TransportError):
            await client.post("/jobs", json={"name": "lost"})
        with pytest.raises(httpx.TransportError):
            await client.post("/jobs", json={"name": "applied"})
        assert (await client.get("/jobs")).json() == [{"id": "1", "name": "applied"}]


async def test_status_faults_reach_an_async_client(emu):
    emu.faults.add("/api/jobs/*", "503", count=1)
    async with httpx.AsyncClient(base_url=emu.base_url) as client:
        assert (await client.get("/jobs/9")).status_code == 503
        assert (await client.get("/jobs/9")).json() == {"id": "9"}


def test_slow_delays_the_reply_so_a_short_timeout_fires(http, emu):
    emu.faults.add("jobs.get", "slow", delay=0.3, count=1)
    with pytest.raises(httpx.ReadTimeout):
        http.get("/jobs/1", timeout=0.05)
    assert http.get("/jobs/1").json() == {"id": "1"}


def test_count_fires_on_the_next_n_matching_requests_only(http, emu):
    fault = emu.faults.add("jobs.get", "500", count=2)
    statuses = [http.get(path).status_code for path in ("/jobs", "/jobs/1", "/jobs/2", "/jobs/3")]
    assert statuses == [200, 500, 500, 200]
    assert [(f.kind, f.operation, f.path) for f in emu.faults.fired] == [
        ("500", "jobs.get", "/api/jobs/1"),
        ("500", "jobs.get", "/api/jobs/2"),
    ]
    assert fault.fired == 2
    assert not fault.active


def test_remove_and_clear_switch_faults_off(http, emu):
    handle = emu.faults.add("*", "503")
    assert http.get("/jobs").status_code == 503
    handle.remove()
    assert http.get("/jobs").status_code == 200
    emu.faults.add("*", "500")
    emu.faults.add("*", "502")
    emu.faults.clear()
    assert http.get("/jobs").status_code == 200
    assert len(emu.faults.fired) == 1


def _rate_pattern(seed: int) -> list[int]:
    with running_app(make_app(seed)) as emu, httpx.Client(base_url=emu.base_url) as client:
        emu.faults.add("jobs.list", "503", rate=0.5)
        return [client.get("/jobs").status_code for _ in range(24)]


def test_rate_is_seeded_so_the_same_seed_fails_the_same_requests():
    first, again, other = _rate_pattern(7), _rate_pattern(7), _rate_pattern(8)
    assert first == again
    assert first != other
    assert 0 < first.count(503) < 24


def test_rate_with_count_stops_after_count_firings(http, emu):
    emu.faults.add("jobs.list", "500", rate=1.0, count=3)
    assert [http.get("/jobs").status_code for _ in range(5)] == [500, 500, 500, 200, 200]


def test_fault_on_one_operation_leaves_others_alone(http, emu):
    emu.faults.add("jobs.create", "500")
    assert http.get("/jobs").status_code == 200
    assert http.get("/jobs/1").status_code == 200


def test_fired_records_the_emulator_time(http, emu):
    emu.clock.advance(90)
    emu.faults.add("*", "504", count=1)
    http.get("/jobs")
    assert emu.faults.fired[0].at == emu.clock.time()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "418"}, "unknown fault kind '418'"),
        ({"kind": "500", "count": 0}, "count must be a positive integer"),
        ({"kind": "500", "rate": 1.5}, "rate must be between 0 and 1"),
        ({"kind": "slow"}, "needs delay="),
        ({"kind": "429", "retry_after": -1}, "retry_after must be >= 0"),
        (
            {"kind": "500", "target": "jobs.craete"},
            "no operation or named route 'jobs.craete'; this resource has: jobs.create, jobs.get, jobs.list",
        ),
    ],
)
def test_bad_fault_arguments_are_refused_before_anything_changes(kwargs, message):
    app = make_app()
    target = kwargs.pop("target", "*")
    with pytest.raises(ParameterError, match=re.escape(message)):
        app.faults.add(target, kind=kwargs.pop("kind"), **kwargs)
    assert app.faults.active == []


def test_globs_paths_and_named_routes_are_valid_targets():
    app = make_app()
    app.route("PUT", "/upload/{key}", name="storage.put")(lambda req: None)
    for target in ("jobs.*", "*.get", "/api/jobs/*", "storage.put", "*"):
        app.faults.add(target, "500")
    assert len(app.faults.active) == 5


def test_specclient_client_retries_through_faults_on_the_emulator_clock(emu):
    emu.faults.add("jobs.list", "503", count=2, retry_after=30)
    client = emu.client(max_retries=3)
    started = emu.clock.time()
    assert list(client.jobs.list()) == []
    assert [f.kind for f in emu.faults.fired] == ["503", "503"]
    assert emu.clock.time() - started >= 60  # the two waits advanced the clock, not real time


def test_expired_token_spares_requests_that_carry_no_token(emu):
    token_calls = []

    @emu.app.route("POST", "/oauth/token", name="oauth.token")
    def token(req: Any) -> Any:
        token_calls.append(1)
        return {"accessToken": "new"}

    emu.faults.add("*", "expired_token", count=1)
    with httpx.Client(base_url=emu.origin) as client:
        assert client.post("/oauth/token").json() == {"accessToken": "new"}
        assert client.get("/api/jobs").status_code == 401
        assert client.get("/api/jobs").status_code == 200
    assert [f.operation for f in emu.faults.fired] == ["jobs.list"]


def test_requests_library_sees_both_drops_as_connection_failures(emu):
    import requests

    session = requests.Session()
    emu.faults.add("jobs.create", "drop_before", count=1)
    emu.faults.add("jobs.create", "drop_after", count=1)
    with pytest.raises(requests.ConnectionError):
        session.post(emu.base_url + "/jobs", json={"name": "lost"})
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        session.post(emu.base_url + "/jobs", json={"name": "applied"})
    assert emu.state == [{"id": "1", "name": "applied"}]
