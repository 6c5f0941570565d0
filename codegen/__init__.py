"""Code generation: typed stubs and API reference docs from the engine's normalised model.

Run from a checkout: ``python -m codegen`` (see ``__main__``). The checkout's ``src`` goes first
on ``sys.path`` so what is rendered is always the code beside it, never an installed copy.
"""

import sys
from pathlib import Path

_SRC = str(Path(__file__).resolve().parents[1] / "src")
if _SRC not in sys.path:
    sys.path.insert(0, _SRC)
