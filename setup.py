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


class BuildWithBundledData(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "specclient" / "_bundled"
        for name in BUNDLED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, target / name, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithBundledData})
