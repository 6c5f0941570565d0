"""A fifth platform in one short module: a spec beside it, a declaration, and its emulator.

Auth comes from the spec's ``key`` scheme (an ``X-Toy-Key`` header); the key from
``api_key=``, ``TOY_API_KEY`` or a credentials file; one setting with a check. ``build`` is its
emulator (the core's contract: ``build(seed, clock, **options)`` and ``CREDENTIALS``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from specclient.errors import ParameterError
from specclient.platforms import Credential, Platform, Setting

SPEC = Path(__file__).with_name("toy.yaml")
CREDENTIALS = {"api_key": "toy-demo-key"}  # what its emulator accepts (codegen reads them)


def _shouting(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ParameterError("connect('toy')", "shouting must be True or False", "shouting")
    return value


def build(*, seed: int = 0, clock: Any = None, api_key: str = CREDENTIALS["api_key"]) -> Any:
    """The toy's emulator: notes in memory, the key checked as the spec's scheme says."""
    from specclient.emulators import EmuError, EmulatorApp

    app = EmulatorApp(SPEC, clock=clock, seed=seed)
    app.state = [{"id": 1, "noteText": "buy milk", "tag": "home"}, {"id": 2, "noteText": "ship"}]
    app.credentials = {"api_key": api_key}

    def authenticate(req: Any) -> str:
        if req.headers.get("x-toy-key") != api_key:
            raise EmuError(401, "bad key")
        return "user"

    app.authenticate = authenticate

    @app.handle("notes.list")
    def notes(req: Any) -> list[dict[str, Any]]:
        tag = req.query.get("tag")
        return [n for n in app.state if tag is None or n.get("tag") == tag]

    return app


def demo(client: Any, echo: Any) -> None:
    echo(f"{len(client.notes.list())} notes")


PLATFORM = Platform(
    name="toy",
    title="Toy notes API (a fifth platform in one module).",
    spec=str(SPEC),
    base_url="https://api.toy.example/v1",
    credentials=(Credential("api_key", env=("TOY_API_KEY",), scheme=("key", "value")),),
    settings=(Setting("shouting", False, _shouting),),
    emulator=__name__,
    demo=demo,
)
