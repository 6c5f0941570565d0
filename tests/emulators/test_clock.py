"""The emulator clock: manual in-process (tests drive it), moving on its own when standalone
(clients in other processes sleep in real time), and controllable over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

import specclient
from specclient.emulators import EmulatorClock, running
from specclient.emulators.core.clock import DEFAULT_PACE, DEFAULT_START


class RealTime:
    """A stand-in for time.monotonic that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_clock_is_manual_by_default_whatever_real_time_does():
    real = RealTime()
    clock = EmulatorClock(real=real)
    real.now += 3600
    assert clock.time() == DEFAULT_START
    assert clock.pace == 0


def test_a_paced_clock_moves_pace_emulated_seconds_per_real_second():
    real = RealTime()
    clock = EmulatorClock(DEFAULT_START, pace=60, real=real)
    real.now += 2.5
    assert clock.time() == DEFAULT_START + 150
    clock.advance(10)  # advancing still works on a moving clock
    real.now += 1
    assert clock.time() == DEFAULT_START + 220
    assert clock.monotonic() == 220


def test_a_paced_clock_starts_now_and_a_manual_one_at_the_fixed_instant():
    """A paced (standalone) emulator stands for a live service: clients date their queries by
    their own clocks (Habu's "runs since yesterday"), so its clock starts at the current time;
    a manual one starts where a seed reproduces its timestamps."""
    before = time.time()
    paced = EmulatorClock(pace=60).time()
    assert before <= paced <= time.time() + 60
    assert EmulatorClock().time() == DEFAULT_START


def test_freezing_stops_the_clock_where_it_is_and_set_pace_restarts_it():
    real = RealTime()
    clock = EmulatorClock(DEFAULT_START, pace=10, real=real)
    real.now += 1
    clock.freeze()
    real.now += 100
    assert clock.time() == DEFAULT_START + 10 and clock.pace == 0
    clock.set_pace(2)
    real.now += 3
    assert clock.time() == DEFAULT_START + 16


def test_a_negative_pace_is_refused_naming_the_unit():
    with pytest.raises(ValueError, match="pace must be >= 0 emulated seconds per real second"):
        EmulatorClock(pace=-1)
    with pytest.raises(ValueError, match="got nan"):
        EmulatorClock().set_pace(float("nan"))


def test_in_process_emulators_keep_a_manual_clock_unless_given_a_pace():
    with running("civis", seed=1) as emu:
        assert emu.clock.pace == 0
    with running("civis", seed=1, pace=30) as emu:
        assert emu.clock.pace == 30


@pytest.fixture
def civis() -> Iterator[specclient.emulators.Emulator]:
    with running("civis", seed=1) as emulator:
        yield emulator


def test_the_clock_route_reads_advances_paces_and_freezes(civis):
    url = civis.base_url + "/_emulator/clock"
    with httpx.Client() as http:
        assert http.get(url).json() == {
            "time": DEFAULT_START,
            "now": "2023-11-14T22:13:20+00:00",
            "pace": 0.0,
        }
        moved = http.post(url, json={"advance": 600}).json()
        assert moved["time"] == DEFAULT_START + 600 == civis.clock.time()
        assert http.post(url, json={"pace": 30}).json()["pace"] == 30.0
        assert civis.clock.pace == 30
        assert http.post(url, json={"freeze": True}).json()["pace"] == 0.0
        assert civis.clock.pace == 0


def test_the_clock_route_refuses_bad_values_in_the_platforms_envelope(civis):
    url = civis.base_url + "/_emulator/clock"
    with httpx.Client() as http:
        backwards = http.post(url, json={"advance": -5})
        unknown = http.post(url, json={"speed": 2})
    assert backwards.status_code == 400
    assert backwards.json() == {
        "error": "bad_request",
        "errorDescription": "clock: cannot advance the clock by a negative amount (-5.0)",
        "code": 400,
    }
    assert unknown.status_code == 400
    assert unknown.json()["errorDescription"] == (
        'send a JSON object with "advance", "pace" and/or "freeze"'
    )
    assert civis.clock.time() == DEFAULT_START


class Standalone:
    """``specclient emulate <platform>`` in its own process, as a user starts it."""

    def __init__(self, *args: str) -> None:
        code = "import sys; from specclient.cli import main; raise SystemExit(main(sys.argv[1:]))"
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, "emulate", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "SPECCLIENT_TOKEN_CACHE": "0"},
        )
        assert self.process.stdout is not None
        self.info = json.loads(self.process.stdout.readline())

    def stop(self) -> None:
        self.process.terminate()
        self.process.communicate(timeout=30)


@pytest.fixture
def standalone() -> Iterator[type[Standalone]]:
    started: list[Standalone] = []

    def start(*args: str) -> Standalone:
        emulator = Standalone(*args)
        started.append(emulator)
        return emulator

    yield start  # type: ignore[misc]
    for emulator in started:
        emulator.stop()


def test_a_standalone_civis_run_completes_for_a_client_of_its_own(standalone):
    info = standalone("civis").info
    client = specclient.connect("civis", base_url=info["base_url"], **info["credentials"])
    script = client.scripts.post_containers(
        required_resources={"cpu": 256, "memory": 512},
        docker_image_name="busybox",
        name="standalone",
        docker_command="python run.py",
    )
    # the client sleeps in real time between polls; the emulator's time moves on its own
    final = client.scripts.run_containers(script.id).result(timeout=120)
    assert final.state == "succeeded"
    clock = httpx.get(info["base_url"] + "/_emulator/clock").json()
    assert clock["pace"] == DEFAULT_PACE
    assert clock["time"] > DEFAULT_START + 12  # queued 2 s and ran 10 s of emulated time


def test_a_standalone_clock_can_be_held_still_and_moved_by_hand(standalone):
    info = standalone("habu", "--pace", "0").info
    url = info["base_url"] + "/_emulator/clock"
    assert url.endswith("/v1/_emulator/clock")
    assert httpx.get(url).json()["time"] == DEFAULT_START
    assert httpx.post(url, json={"advance": 660}).json()["time"] == DEFAULT_START + 660
    assert httpx.get(url).json() == {
        "time": DEFAULT_START + 660,
        "now": "2023-11-14T22:24:20+00:00",
        "pace": 0.0,
    }


def test_the_emulate_help_states_the_default_pace():
    from click.testing import CliRunner

    from specclient.cli import cli

    text = " ".join(CliRunner().invoke(cli, ["emulate", "--help"]).output.split())
    assert f"(default {DEFAULT_PACE:g}: a Habu run completes in seconds)" in text
