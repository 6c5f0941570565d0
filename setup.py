"""Build hook: copy the top-level specs/ and generated/ into the wheel.

The design keeps authored specs and generated stubs at the top of the repository, where people
read and review them; an installed package needs them inside ``specclient/_bundled``. Copying at
build time keeps one source of truth (no symlinks, which sdists and Windows handle badly).
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent
BUNDLED = ("specs", "generated")


def install_stubs(generated: Path, package: Path) -> None:
    """Put the generated typed stubs where mypy and editors look: beside the package's modules.

    ``generated/_package.pyi`` becomes ``specclient/__init__.pyi`` (it types ``connect()`` by
    platform); ``generated/<platform>.pyi`` becomes ``specclient/_stubs/<platform>.pyi``, a
    stub-only package that exists for type checkers alone.
    """
    stubs = sorted(generated.glob("*.pyi"))
    if not stubs:
        return
    (package / "_stubs").mkdir(parents=True, exist_ok=True)
    (package / "_stubs" / "__init__.pyi").write_text("")
    for stub in stubs:
        target = (
            package / "__init__.pyi"
            if stub.name == "_package.pyi"
            else package / "_stubs" / stub.name
        )
        shutil.copyfile(stub, target)


class BuildWithBundledData(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "specclient" / "_bundled"
        for name in BUNDLED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, target / name, dirs_exist_ok=True)
        install_stubs(ROOT / "generated", Path(self.build_lib) / "specclient")


setup(cmdclass={"build_py": BuildWithBundledData})
