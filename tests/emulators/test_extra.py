"""The emulators' web server stack is the ``emulators`` extra: a client-only install carries none
of it, and using an emulator without it says which command installs it."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER_STACK = ("starlette", "uvicorn", "multipart", "python_multipart", "jsonschema")

# Runs in a fresh interpreter: what a user who only calls APIs imports and runs.
CLIENT_ONLY = """
import sys, httpx, specclient

def answer(request):
    if request.url.path.endswith("/oauth/token"):
        return httpx.Response(200, json={"accessToken": "t", "tokenType": "Bearer",
                                         "expiresIn": 3600})
    return httpx.Response(200, json=[{"id": "r1", "name": "Room"}])

http = httpx.Client(transport=httpx.MockTransport(answer))
client = specclient.connect("habu", client_id="id", client_secret="secret",
                            organization="org", base_url="https://api.habu.example/v1",
                            http=http, token_cache=False)
rooms = client.cleanrooms.list()
assert rooms[0].id == "r1", rooms
import specclient.cli  # the command line, without running an emulator
print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] in {stack})))
"""

# Simulates an install without the extra: the server stack cannot be imported.
WITHOUT_EXTRA = """
import sys
for name in {stack}:
    sys.modules[name] = None
"""


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SPECCLIENT_TOKEN_CACHE": "0"}
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_calling_an_api_never_imports_the_server_stack():
    run = _python(CLIENT_ONLY.replace("{stack}", repr(set(SERVER_STACK))))
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == ""


def test_importing_an_emulator_without_the_extra_names_the_install_command():
    code = WITHOUT_EXTRA.replace("{stack}", repr(SERVER_STACK)) + (
        "try:\n"
        "    import specclient.emulators.habu\n"
        "except ImportError as error:\n"
        "    print(type(error).__name__, '|', error)\n"
    )
    run = _python(code)
    assert run.returncode == 0, run.stderr
    kind, _, message = run.stdout.strip().partition(" | ")
    assert kind == "EmulatorsNotInstalled"
    assert message == (
        "the emulators need starlette, uvicorn, python-multipart, jsonschema, which a "
        'client-only install leaves out; install them with: pip install "specclient[emulators]"'
    )


def test_emulate_command_without_the_extra_says_what_to_install_without_a_traceback():
    code = WITHOUT_EXTRA.replace("{stack}", repr(("uvicorn",))) + (
        "from specclient.cli import main\nraise SystemExit(main(['emulate', 'habu']))\n"
    )
    run = _python(code)
    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr.strip() == (
        "error: the emulators need uvicorn, which a client-only install leaves out; "
        'install them with: pip install "specclient[emulators]"'
    )


def test_the_server_stack_is_an_extra_that_the_test_extra_includes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    required = {_name(d) for d in project["dependencies"]}
    extra = {_name(d) for d in project["optional-dependencies"]["emulators"]}
    assert extra == {"starlette", "uvicorn", "python-multipart", "jsonschema"}
    assert not required & extra
    assert "tenacity" not in required
    assert "specclient[emulators]" in project["optional-dependencies"]["test"]


def _name(requirement: str) -> str:
    for stop in "<>=!~[; ":
        requirement = requirement.split(stop)[0]
    return requirement.strip().lower()


def test_demo_without_the_extra_says_what_to_install_and_fails():
    code = WITHOUT_EXTRA.replace("{stack}", repr(("starlette",))) + (
        "from specclient.cli import main\nraise SystemExit(main(['demo', 'civis']))\n"
    )
    run = _python(code)
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1] == (
        "error: the emulators need starlette, which a client-only install leaves out; "
        'install them with: pip install "specclient[emulators]"'
    )
