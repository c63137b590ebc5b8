"""Numba set-up shared by ``surfaces`` and ``optimizers``.

Every compiled function in Gradscape goes through :func:`jit`, which fixes the options
that matter for exactness and for the on-disk cache:

* ``cache=True`` and ``nogil=True``: kernels are cached on disk and release the GIL, so
  sweeps can run on several threads and concurrent app sessions never block each other.
* ``error_model="numpy"``: a division by zero gives ``inf``/``nan`` (which the drivers
  turn into a divergence flag) instead of raising inside compiled code.
* no ``fastmath``: the kernels must reproduce torch.optim bit for bit in spirit, so
  floating-point reassociation is not allowed.

Numba does not notice edits to a function that lives in another file than its caller,
so a stale cache could hide a code change.  We therefore key the cache folder by a hash
of every source file of both packages: any edit gives a fresh folder.  Setting
``NUMBA_CACHE_DIR`` yourself overrides this.
"""
from __future__ import annotations

import hashlib
import os
import pathlib

_ROOT = pathlib.Path(__file__).resolve().parent.parent


def source_hash() -> str:
    """Short hash of every ``.py`` file in ``surfaces/`` and ``optimizers/``."""
    h = hashlib.sha1()
    for pkg in ("surfaces", "optimizers"):
        for path in sorted((_ROOT / pkg).glob("*.py")):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _cache_dir() -> str:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return os.environ["NUMBA_CACHE_DIR"]
    base = pathlib.Path(os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache")
    return str(base / "gradscape" / "numba" / source_hash())


CACHE_DIR = _cache_dir()
os.environ["NUMBA_CACHE_DIR"] = CACHE_DIR

# Start-up of a new process is mostly numba's own import.  Two things make it cheaper:
# - Importing numba and loading its registries allocates hundreds of thousands of long-lived
#   objects; the cyclic garbage collector rescanning them cost ~0.15 s.  Collection is paused
#   meanwhile, and the survivors are frozen (moved out of the collector's generations), which
#   is what they are: module-level state for the life of the process.
# - numba imports ``scipy.linalg`` (to find a BLAS for np.dot) and ``cffi`` (to type cffi
#   functions) when they are installed.  Gradscape's kernels use neither, and the two imports
#   were a third of the start-up.  They are hidden for that moment only (see _hidden_modules).
import contextlib  # noqa: E402
import gc  # noqa: E402
import sys  # noqa: E402

_HIDDEN = ("scipy.linalg", "cffi")


@contextlib.contextmanager
def _hidden_modules(names=_HIDDEN):
    """Make ``import <name>`` fail inside the block, for modules not imported yet."""
    hidden = [n for n in names if n not in sys.modules]
    for n in hidden:
        sys.modules[n] = None  # "import n" now raises ImportError
    try:
        yield
    finally:
        for n in hidden:
            if sys.modules.get(n, 0) is None:
                del sys.modules[n]


_gc_was_enabled = gc.isenabled()
gc.disable()
try:
    with _hidden_modules():
        import numba  # noqa: E402  (must come after NUMBA_CACHE_DIR is set)
        from numba.core.registry import cpu_target  # noqa: E402

        # numba loads its typing/lowering registries at the first compile or cache load
        cpu_target.target_context.refresh()
        cpu_target.typing_context.refresh()
finally:
    if _gc_was_enabled:
        gc.enable()
    gc.freeze()

numba.config.CACHE_DIR = CACHE_DIR  # in case numba was imported before us


def jit(fn=None, **options):
    """``numba.njit`` with Gradscape's defaults (see the module docstring)."""
    opts = dict(cache=True, nogil=True, error_model="numpy")
    opts.update(options)
    if fn is None:
        return lambda f: numba.njit(**opts)(f)
    return numba.njit(**opts)(fn)
