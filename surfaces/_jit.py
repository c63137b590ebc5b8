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
so a stale cache could hide a code change.  Gradscape's kernels are therefore cached in a
folder keyed by a hash of every source file of both packages (:data:`CACHE_DIR`): any edit
gives a fresh folder.  The folder is given to numba per function, through a cache locator of
our own, so importing Gradscape changes no environment variable and no numba setting; other
numba code in the same process keeps its own cache.  Setting ``NUMBA_CACHE_DIR`` yourself
replaces the keyed folder.

Importing this module changes nothing in the process beyond importing numba.  The start-up
savings (hiding two imports from numba, pausing the garbage collector) are an explicit
opt-in: :func:`gradscape_startup.fast_numba_import`, which an application calls first.
"""
from __future__ import annotations

import hashlib
import os
import pathlib

import numba
from numba.core import caching

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


#: where Gradscape's compiled kernels (and its generated dispatch modules) live
CACHE_DIR = _cache_dir()


class _Locator(caching.UserProvidedCacheLocator):
    """numba's user-directory locator, pointed at :data:`CACHE_DIR` instead of its config."""

    def __init__(self, py_func, py_file):
        self._py_file = py_file
        self._lineno = py_func.__code__.co_firstlineno
        self._cache_path = os.path.join(CACHE_DIR, self.get_suitable_cache_subpath(py_file))

    @classmethod
    def from_function(cls, py_func, py_file):
        # skip UserProvidedCacheLocator's check of numba.config.CACHE_DIR
        return super(caching.UserProvidedCacheLocator, cls).from_function(py_func, py_file)


class _CacheImpl(caching.CompileResultCacheImpl):
    _locator_classes = [_Locator]


class _FunctionCache(caching.FunctionCache):
    _impl_class = _CacheImpl


class _LazyCache:
    """The function's cache, made at its first use: a cache locator checks (and creates) its
    folder with a test file, which for every kernel at import time cost ~0.25 ms each."""

    def __init__(self, py_func):
        self._py_func = py_func
        self._cache = None

    def __getattr__(self, name):
        if self._cache is None:
            self._cache = _FunctionCache(self._py_func)
        return getattr(self._cache, name)


def jit(fn=None, **options):
    """``numba.njit`` with Gradscape's defaults (see the module docstring)."""
    opts = dict(nogil=True, error_model="numpy")
    cache = options.pop("cache", True)
    opts.update(options)

    def wrap(f):
        disp = numba.njit(**opts)(f)
        if cache:
            disp._cache = _LazyCache(disp.py_func)  # what enable_caching() does, our folder
        return disp

    return wrap if fn is None else wrap(fn)
