"""Load a module whose source Gradscape generates from its registries.

The compiled dispatch over surfaces (:mod:`surfaces.kernels`) and the per-optimizer
trajectory loops (:mod:`optimizers.kernels`) are written out from the registries at first use,
so adding a surface or an optimizer is its file plus one registry line: nothing generated is
committed, so nothing can go stale.  The source is written into the kernel cache folder (keyed
by a hash of every source file, :data:`surfaces._jit.CACHE_DIR`), only when it differs from
what is there, and imported from that file, so numba's on-disk cache works for it as for any
module.
"""
from __future__ import annotations

import importlib.util
import os
import pathlib
import sys
import tempfile
import threading

from ._jit import CACHE_DIR


_LOCK = threading.RLock()  # sessions and sweeps are threads; a generated module may load another
#: name -> module, for modules whose code has run to the end.  The lock-free fast path reads
#: only this: ``sys.modules`` holds a module while its code is still running, and another
#: thread must not take a half-initialised module from there.
_LOADED: dict = {}


def load(name: str, source: str):
    """Import ``source`` as module ``name`` (e.g. ``"surfaces._dispatch"``), via a file."""
    module = _LOADED.get(name)
    if module is not None:
        return module
    with _LOCK:
        if name not in _LOADED:
            _LOADED[name] = _load(name, source)
        return _LOADED[name]


def write(path: pathlib.Path, source: str) -> None:
    """Write ``source`` to ``path`` atomically (concurrent processes never import a half-written
    file), creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        fh.write(source)
    os.replace(tmp, path)


def _load(name: str, source: str, folder=None):
    """Write ``source`` to ``<folder>/<name>.py`` (default folder: the cache's ``generated``)
    if it differs from what is there, and import it as module ``name``."""
    folder = pathlib.Path(CACHE_DIR) / "generated" if folder is None else pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.py"
    if not path.exists() or path.read_text() != source:
        write(path, source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def qualified(fn) -> tuple[str, str]:
    """(module, attribute) under which the compiled function ``fn`` can be imported."""
    module = sys.modules[fn.py_func.__module__]
    for attr, value in vars(module).items():
        if value is fn:
            return module.__name__, attr
    raise LookupError(f"{fn.py_func.__qualname__} is not a module-level name of {module.__name__}")
