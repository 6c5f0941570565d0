"""The emulators sit beside the client, not on top of it: they use the OpenAPI model and the
error tree, and reach the client stack only when a test asks an emulator for a client."""

from __future__ import annotations

import subprocess
import sys

CLIENT_STACK = (
    "httpx",
    "specclient.client",
    "specclient.http.transport",
    "specclient.auth",
    "specclient.response",
    "specclient.platforms",
)


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(m for m in {CLIENT_STACK!r} if m in sys.modules)))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout.split()


def test_building_and_serving_every_platform_never_imports_the_client_stack():
    code = (
        "import specclient.emulators as e\n"
        "for platform in e.PLATFORMS:\n"
        "    with e.running(platform, seed=1) as emu:\n"
        "        assert emu.base_url.startswith('http://127.0.0.1:')\n"
    )
    assert _loaded_after(code) == []


# What the emulators may use of specclient: the OpenAPI model (with its records' shared methods,
# specclient._records), the error tree (with the secret rule it redacts URLs by,
# specclient._secrets), the bundled specs, the Clock protocol and the one list of platforms
# (specclient.catalog); nothing of the HTTP layer.
ALLOWED = ("specclient.openapi", "specclient.emulators")
ALLOWED_MODULES = {
    "specclient",
    "specclient.errors",
    "specclient._secrets",
    "specclient._clock",
    "specclient._resources",
    "specclient._version",  # the package version, loaded by `import specclient`
    "specclient.catalog",
    "specclient._records",
}


def test_the_emulators_use_only_the_model_and_the_error_tree_of_specclient():
    code = (
        "import specclient.emulators as e\n"
        "for platform in e.PLATFORMS:\n"
        "    __import__('specclient.emulators.' + platform)\n"
        "print(' '.join(m for m in sys.modules if m.startswith('specclient')))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", "import sys\n" + code], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    loaded = set(run.stdout.split())
    outside = {m for m in loaded if m not in ALLOWED_MODULES and not m.startswith(ALLOWED)}
    assert outside == set()
    assert "specclient.emulators.habu.handlers" in loaded  # the probe did load the platforms


def test_asking_an_emulator_for_a_client_is_what_imports_the_client():
    code = (
        "import specclient.emulators as e\n"
        "with e.running('civis', seed=1) as emu:\n"
        "    emu.client()\n"
    )
    assert "specclient.client" in _loaded_after(code)
