"""A fifth platform in one short module: a spec beside it and a declaration.

Auth comes from the spec's ``key`` scheme (an ``X-Toy-Key`` header); the key from
``api_key=``, ``TOY_API_KEY`` or a credentials file; one setting with a check.
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
