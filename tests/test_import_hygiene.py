"""Importing the engine changes nothing in the process; the start-up savings are an opt-in.

Each check runs in a fresh interpreter, so that nothing imported by other tests hides a change.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = r"""
import gc, json, os, sys
env0 = dict(os.environ)
gc_enabled0 = gc.isenabled()
frozen0 = gc.get_freeze_count()
before = dict(sys.modules)
import {module}
after = sys.modules
print(json.dumps({{
    "env_changed": sorted(k for k in set(env0) | set(os.environ) if env0.get(k) != os.environ.get(k)),
    "gc_enabled_changed": gc.isenabled() != gc_enabled0,
    "frozen_added": gc.get_freeze_count() - frozen0,
    "none_entries": sorted(k for k, v in after.items() if v is None and k not in before),
    "replaced": sorted(k for k in before if k in after and after[k] is not before[k]),
    "numba_cache_dir": __import__("numba").config.CACHE_DIR,
    "scipy_linalg_importable": __import__("importlib").util.find_spec("scipy.linalg") is not None,
}}))
"""


def _probe(module: str, env=None) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE.format(module=module)], capture_output=True,
                         text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", ["optimizers", "surfaces", "optimizers, surfaces"])
def test_import_changes_no_environment_module_table_or_gc(module):
    import os

    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    seen = _probe(module, env)
    assert seen["env_changed"] == [], "importing must not set environment variables"
    assert not seen["gc_enabled_changed"] and seen["frozen_added"] == 0, "nor touch the gc"
    assert seen["none_entries"] == [] and seen["replaced"] == [], "nor hide or replace modules"
    assert seen["numba_cache_dir"] == "", "nor change numba's own cache setting"


def test_kernels_are_cached_in_the_source_keyed_folder_only_for_gradscape(tmp_path):
    import os

    from surfaces import _jit

    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    code = ("import numpy as np, surfaces, numba\n"
            "from surfaces import kernels\n"
            "assert kernels.value(0, np.array([1.0, 100.0, 0.0, 0.0]), 1.0, 1.0) == 0.0\n"
            "assert numba.config.CACHE_DIR == ''\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900,
                         env=env)
    assert out.returncode == 0, out.stderr
    folder = tmp_path / "gradscape" / "numba" / _jit.source_hash()
    assert any(folder.rglob("*.nbi")), "the kernels' cache index lives in the source-hash folder"
    assert (folder / "generated" / "surfaces._dispatch.py").exists()


def test_the_startup_opt_in_does_what_it_says():
    code = ("import gc, sys, json\n"
            "import gradscape_startup\n"
            "gradscape_startup.fast_numba_import()\n"
            "import numba\n"
            "print(json.dumps({'gc': gc.isenabled(), 'frozen': gc.get_freeze_count(),\n"
            "                  'hidden_left': [n for n in gradscape_startup.HIDDEN if n in sys.modules "
            "and sys.modules[n] is None]}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["gc"] is True and seen["frozen"] > 0 and seen["hidden_left"] == []


def test_generated_modules_load_once_and_whole_under_concurrent_first_use(tmp_path):
    """Threads that first use an optimizer at the same moment (a sweep's worker threads, or
    two app sessions) each get the fully initialised module: none sees a half-run one."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    code = (
        "import threading, optimizers\n"
        "from optimizers import kernels\n"
        "ids = [i for i, s in optimizers.OPTIMIZERS.items() if not s.wraps_inner]\n"
        "errors, seen = [], {}\n"
        "start = threading.Barrier(8)\n"
        "def use(i):\n"
        "    start.wait()\n"
        "    try:\n"
        "        for oid in ids:\n"
        "            m = kernels.loops(oid)\n"
        "            for name in ('traj', 'record', 'sweep'):\n"
        "                getattr(m, f'{name}_{oid}')\n"
        "            seen.setdefault(oid, set()).add(id(m))\n"
        "    except Exception as e:\n"
        "        errors.append(repr(e))\n"
        "threads = [threading.Thread(target=use, args=(i,)) for i in range(8)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "assert not errors, errors\n"
        "assert all(len(v) == 1 for v in seen.values()) and len(seen) == len(ids)\n"
        "print('ok')\n")
    for _ in range(8):  # each a fresh process, so every module's first use races
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=300, env=env)
        assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
