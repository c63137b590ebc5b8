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

import numba  # noqa: E402  (must come after NUMBA_CACHE_DIR is set)

numba.config.CACHE_DIR = CACHE_DIR  # in case numba was imported before us


def _load_numba_registries() -> None:
    """Load numba's typing/lowering registries now, without ``scipy.linalg``.

    The first compile or cache load in a process makes numba import its NumPy support, which
    imports ``scipy.linalg`` (when SciPy is installed) only to find a BLAS for ``np.dot`` and
    friends.  Gradscape's kernels use no BLAS, and that import was half of a new process's
    start-up (0.5 s of about 1.5 s).  We hide ``scipy.linalg`` for that one moment; if it was
    imported already nothing changes, and it stays importable for everything else.
    """
    import sys

    hidden = "scipy.linalg" not in sys.modules
    if hidden:
        sys.modules["scipy.linalg"] = None  # makes "import scipy.linalg" raise ImportError
    try:
        from numba.core.registry import cpu_target

        cpu_target.target_context.refresh()
        cpu_target.typing_context.refresh()
    finally:
        if hidden and sys.modules.get("scipy.linalg", 0) is None:
            del sys.modules["scipy.linalg"]


_load_numba_registries()


def jit(fn=None, **options):
    """``numba.njit`` with Gradscape's defaults (see the module docstring)."""
    opts = dict(cache=True, nogil=True, error_model="numpy")
    opts.update(options)
    if fn is None:
        return lambda f: numba.njit(**opts)(f)
    return numba.njit(**opts)(fn)
