"""Emulators and specs hold each other (issue 17): Schemathesis runs every operation of each
platform's spec against its emulator, with valid credentials, and checks what a user's tests
rely on: no server error, every status and content type declared, every body in its schema,
valid requests accepted, and the stateful links the spec has or Schemathesis infers. Every
answer must then decode through specclient's own client: a value, or a specclient error.

Bounded for the suite: a fixed seed and example budget, Schemathesis's examples, fuzzing and
stateful phases. The long run: ``SPECCLIENT_PROPERTY_EXAMPLES=500``
``SPECCLIENT_PROPERTY_COVERAGE=1`` (and ``SPECCLIENT_PROPERTY_SEED`` for another seed). The
per-platform line
(operations / cases / failures / seed) is printed at the end of the pytest session by
``tests/emulators/conftest.py`` so the CI log shows it even under ``pytest -q``.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import yaml

import specclient.emulators
from specclient._resources import bundled_spec
from specclient.emulators.core.routing import base_path_of
from specclient.errors import SpecClientError
from specclient.openapi import load
from specclient.openapi.model import Operation
from specclient.response import decode

#: The checks a fake that users test against must pass (Schemathesis's names).
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "positive_data_acceptance",
)
EXAMPLES = int(os.environ.get("SPECCLIENT_PROPERTY_EXAMPLES", "5"))
SEED = int(os.environ.get("SPECCLIENT_PROPERTY_SEED", "1"))
#: Schemathesis's coverage phase (boundary and negative values of every parameter: ~6,000 more
#: cases for Habu alone, 40 s) runs in the long run only, to keep the suite's budget.
COVERAGE = os.environ.get("SPECCLIENT_PROPERTY_COVERAGE", "") not in ("", "0")


@dataclass
class PropertyRun:
    """What one platform's run did: the CI log line and what the assertions read."""

    platform: str
    seed: int
    examples: int
    operations: set[str] = field(default_factory=set)
    cases: int = 0
    failures: list[str] = field(default_factory=list)
    answered: dict[str, set[int]] = field(default_factory=dict)  # operation -> statuses
    decoded: int = 0
    decode_failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        reached = sum(1 for s in self.answered.values() if any(200 <= x < 300 for x in s))
        return (
            f"{self.platform}: {len(self.operations)} operations tested "
            f"({reached} answered 2xx), {self.cases} generated cases, "
            f"{len(self.failures)} failures, {self.decoded} answers decoded by the client "
            f"({len(self.decode_failures)} failed), seed {self.seed}, "
            f"{self.examples} examples per operation"
            f"{' + coverage phase' if COVERAGE else ''}, {self.seconds:.1f} s"
        )


def auth_headers(platform: str, emu: Any) -> dict[str, str]:
    """Valid credentials for every call, got the way each platform's users get them."""
    creds = emu.credentials
    if platform == "habu":
        reply = httpx.post(
            emu.base_url + "/oauth/token",
            auth=(creds["client_id"], creds["client_secret"]),
            data={"grant_type": "client_credentials"},
        )
        return {"Authorization": f"Bearer {reply.json()['accessToken']}"}
    if platform == "clicdata":
        reply = httpx.post(
            emu.base_url + "/oauth20/token",
            data={
                "grant_type": "client_credentials",
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
            },
        )
        return {"Authorization": f"Bearer {reply.json()['access_token']}"}
    if platform == "usmart":
        return {"api-key-id": creds["api_key_id"], "api-key-secret": creds["api_key_secret"]}
    if platform == "civis":
        pair = base64.b64encode(f"{creds['api_key']}:".encode()).decode()
        return {"Authorization": f"Basic {pair}"}
    raise AssertionError(f"no credentials recipe for {platform}")


def fixed_parameters(platform: str, emu: Any) -> dict[str, Any]:
    """What a user never chooses, as Schemathesis config: uSmart's organisation is part of
    every path; ClicData's versioned-only ``/table`` routes are called, as every client calls
    them, with ``api_version`` (the service's answer without one is unknown; the emulator's
    ``APIVersionRequired`` is a guess, docs/platforms/clicdata.md). A ClicData row body
    names the table's own columns, and a Habu field mapping the connection's own fields, which
    no schema can know: an unknown name's 400 is the answer, so "valid data is accepted" is
    not asked of those operations."""
    if platform == "usmart":
        return {"parameters": {"path.orgGuid": emu.credentials["org_guid"]}}
    if platform == "habu":  # a field mapping names the connection's own fields
        return {
            "operations": [
                {
                    "include-path-regex": "field-configurations$",
                    "checks": {"positive_data_acceptance": {"enabled": False}},
                }
            ]
        }
    if platform == "clicdata":
        from specclient.platforms.clicdata import DEFAULT_API_VERSION

        return {
            "operations": [
                {
                    "include-path-regex": "^/table",
                    "parameters": {"query.api_version": DEFAULT_API_VERSION},
                },
                {
                    "include-path-regex": r"^/(data/\{rec_id\}/(row|rows|insert)|table/\{id\})$",
                    "checks": {"positive_data_acceptance": {"enabled": False}},
                },
            ]
        }
    return {}


def served_document(emu: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The bundled spec as one origin serves it, and each served path's spec path.

    uSmart's data API and catalogue live on other hosts (operation-level ``servers``); one
    emulator serves them under path prefixes, and Schemathesis sends every operation to one
    base URL. So those paths get their prefix and lose their own ``servers``.
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 5x faster (Civis: 1 s)
    with bundled_spec(emu.platform).open(encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=loader)  # noqa: S506 - a safe loader
    prefixes = {
        op.path: base_path_of(op.servers[0]) for op in emu.app.operations.values() if op.servers
    }
    spec_path_of: dict[str, str] = {}
    for path in list(document["paths"]):
        prefix = prefixes.get(path, "")
        item = document["paths"].pop(path)
        for holder in (item, *(v for v in item.values() if isinstance(v, dict))):
            if prefix:
                holder.pop("servers", None)
        document["paths"][prefix + path] = item
        spec_path_of[prefix + path] = path
    return document, spec_path_of


def run_properties(
    platform: str, *, examples: int = EXAMPLES, seed: int = SEED, **config: Any
) -> PropertyRun:
    """Run Schemathesis's engine (what ``st run`` runs) against a fresh emulator."""
    # imported by the test that runs, not by every process that collects this module (1 s)
    schemathesis = pytest.importorskip("schemathesis")
    from schemathesis.config import SchemathesisConfig
    from schemathesis.engine import events, from_schema
    from schemathesis.engine.statistic import Statistic

    run = PropertyRun(platform, seed, examples)
    model = load(bundled_spec(platform))
    started = time.perf_counter()
    with specclient.emulators.running(platform, seed=seed) as emu:
        document, spec_path_of = served_document(emu)
        by_route = {
            (op.verb.upper(), served): op
            for op in model.all_operations()
            for served, path in spec_path_of.items()
            if path == op.path
        }
        config = SchemathesisConfig.from_dict(
            {
                "seed": seed,
                "headers": auth_headers(platform, emu),
                **fixed_parameters(platform, emu),
                "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
                # no example database: a run replays nothing from an earlier one
                "generation": {"max-examples": examples, "deterministic": True, "database": "none"},
                "phases": {"coverage": {"enabled": COVERAGE}},
                "cache": {"enabled": False},  # no .schemathesis/ in the working tree
                **config,
            }
        )
        schema = schemathesis.openapi.from_dict(document, config=config)
        schema.config.update(base_url=emu.base_url)
        statistic = Statistic()
        for event in from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished) and event.is_test_scenario:
                statistic.on_scenario_finished(event.recorder)
                _decode_answers(run, event.recorder, by_route)
            elif isinstance(event, events.NonFatalError):
                run.failures.append(f"{event.label}: engine error {event.info.message}")
            elif isinstance(event, events.FatalError):
                raise event.exception
    run.seconds = time.perf_counter() - started
    run.operations = {
        f"{verb} {spec_path_of[path]}"
        for verb, _, path in (label.partition(" ") for label in statistic.tested_operations)
    }
    run.cases = statistic.total_cases
    for grouped in (g for by_case in statistic.failures.values() for g in by_case.values()):
        answer = grouped.response
        seen = f" <- {answer.status_code} {answer.content[-300:]!r}" if answer is not None else ""
        for failure in grouped.failures:
            message = " ".join(str(failure.message).split())[:400]
            run.failures.append(
                f"{failure.operation}: {failure.title}: {message}\n    {grouped.code_sample}{seen}"
            )
    return run


def _decode_answers(
    run: PropertyRun, recorder: Any, by_route: Mapping[tuple[str, str], Operation]
) -> None:
    """Every answer the emulator gave decodes through the client: a value or its error."""
    for case_id, interaction in recorder.interactions.items():
        answer = interaction.response
        node = recorder.cases.get(case_id)
        if answer is None or node is None:
            continue
        case = node.value
        key = (case.operation.method.upper(), case.operation.path)
        run.answered.setdefault(f"{key[0]} {key[1]}", set()).add(answer.status_code)
        operation = by_route.get(key)
        if operation is None:
            continue
        response = httpx.Response(
            answer.status_code,
            headers=list(_header_pairs(answer.headers)),
            content=answer.content,
            request=httpx.Request(interaction.request.method, interaction.request.uri),
        )
        try:
            decode(response, operation, "snake")
        except SpecClientError as refused:
            if 200 <= answer.status_code < 300:  # a 2xx must give a value, not an error
                run.decode_failures.append(
                    f"{key[0]} {key[1]}: {answer.status_code} refused: {refused}"
                )
                continue
        except Exception as error:  # anything but a specclient error is a client bug
            run.decode_failures.append(
                f"{key[0]} {key[1]}: {answer.status_code} -> {type(error).__name__}: {error}"
            )
            continue
        run.decoded += 1


def _header_pairs(headers: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for name, value in headers.items():
        for item in value if isinstance(value, list) else [value]:
            yield name, item


@pytest.mark.parametrize("platform", ["habu", "usmart", "clicdata", "civis"])
def test_emulator_and_spec_hold_each_other(platform: str, property_report: list) -> None:
    run = run_properties(platform)
    property_report.append(run.line())
    spec_operations = {
        f"{op.verb.upper()} {op.path}" for op in load(bundled_spec(platform)).all_operations()
    }
    assert run.failures == []
    assert run.decode_failures == []
    assert run.operations == spec_operations, "every operation of the spec is exercised"
    assert run.cases >= len(spec_operations)
    assert run.decoded > 0
