"""``ast.parse`` that CPython 3.11's gh-106905 cannot fail.

3.11 counts the AST constructor's recursion in one global (per interpreter) instead of per
call. If the cyclic GC runs during a parse's construction and frees an object whose finalizer
runs Python, that Python may parse too, re-entering directly (pytest's unraisable hook formats
the finalizer's exception, and 3.11's ``traceback`` parses each line for its ``^^^`` carets)
or by handing the GIL to a thread that does (an emulator thread logging an exception). The
inner parse resets the counter, and the outer one raises ``SystemError: AST constructor
recursion depth mismatch``, in whichever test happens to be parsing. Fixed in 3.12.

With the GC paused, construction runs no Python and never gives up the GIL, so no other parse
can interleave with it. How it was reproduced: docs/DECISIONS.md, "The test suite's budget and
flakes".
"""

from __future__ import annotations

import ast
import gc
from pathlib import Path


def parse_file(path: Path) -> ast.Module:
    """``ast.parse`` of a file's text, with no finalizer able to run in the middle."""
    text = path.read_text()
    enabled = gc.isenabled()
    gc.disable()
    try:
        return ast.parse(text, str(path))
    finally:
        if enabled:
            gc.enable()
