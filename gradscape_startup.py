"""Opt-in start-up savings for a process that runs Gradscape (the app calls this first).

Importing ``optimizers`` or ``surfaces`` changes nothing in the process beyond importing numba.
A process that wants to start faster calls :func:`fast_numba_import` *before* it imports them:

* numba imports ``scipy.linalg`` (to find a BLAS for ``np.dot``) and ``cffi`` (to type cffi
  functions) when they are installed.  Gradscape's kernels use neither, and the two imports are
  about a third of a cached start-up.  They are hidden for the moment numba is imported.  The
  cost, which is why this is an opt-in: numba's cffi support stays off for the whole process,
  and numba code that calls ``np.dot``/``np.linalg`` must not run in it.
* Importing numba and loading its registries allocates hundreds of thousands of long-lived
  objects, and the cyclic garbage collector rescanning them costs about 0.15 s.  Collection is
  paused meanwhile, and the survivors are frozen (``gc.freeze``: never collected, as
  module-level state for the life of the process is not anyway).

This module imports nothing from Gradscape and is safe to call more than once.
"""
from __future__ import annotations

import contextlib
import gc
import sys

HIDDEN = ("scipy.linalg", "cffi")


@contextlib.contextmanager
def hidden_modules(names=HIDDEN):
    """Make ``import <name>`` fail inside the block, for modules not imported yet."""
    hidden = [n for n in names if n not in sys.modules]
    for n in hidden:
        sys.modules[n] = None  # "import n" now raises ImportError
    try:
        yield
    finally:
        for n in hidden:
            if n in sys.modules and sys.modules[n] is None:
                del sys.modules[n]


def fast_numba_import() -> None:
    """Import numba (and load its typing/lowering registries) the fast way; see the module doc."""
    if "numba" in sys.modules:
        return
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with hidden_modules():
            import numba  # noqa: F401
            from numba.core.registry import cpu_target

            # numba loads these at the first compile or cache load; do it with the GC paused
            cpu_target.target_context.refresh()
            cpu_target.typing_context.refresh()
    finally:
        if was_enabled:
            gc.enable()
        gc.freeze()
