"""``optimizers.warmup`` also loads the optimizer loops every custom surface shares.

Each check runs in a fresh subprocess (the loops live in the process that loaded them): it
snapshots the shared custom-surface loops (``optimizers._loops_custom_<id>``: their trajectory,
recording and sweep dispatchers, and :func:`surfaces.indirect.value_chunk`) by their numba
signatures, makes a never-seen expression (a random constant, so nothing of it is on disk) and
runs it through ``run``, ``run(record_state=True)``, ``trajectory`` and ``sweep``, and snapshots
again.  A signature that appears means a loop was compiled or loaded from disk by the new
expression's first use, which is what the warm-up is for.  The control (no warm-up) must see
signatures appear, or the probe would prove nothing.
"""
from __future__ import annotations

import json
import pathlib
import random
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
IDS = ["adam", "newton", "lookahead"]  # a plain one, one with a Hessian, the wrapper (over sgd)
LOOPS = ["adam", "newton", "sgd"]  # the loops those run

CHILD = r'''
import json, random, sys
import numpy as np
import optimizers, surfaces
from surfaces import indirect

IDS, LOOPS, WARM, R = json.loads(sys.argv[1])


def snapshot():
    """Signatures of the shared custom loops and the indirect functions (None: not imported)."""
    out = {}
    for oid in LOOPS:
        mod = sys.modules.get(f"optimizers._loops_custom_{oid}")
        for name in ("traj", "record", "sweep"):
            out[f"{name}_{oid}"] = None if mod is None else [str(s) for s in getattr(mod, f"{name}_{oid}").signatures]
    # called from Python (run's losses); the others only from inside the loops (no signature
    # of their own when the loops come from the disk cache)
    out["indirect.value_chunk"] = [str(s) for s in indirect.value_chunk.signatures]
    return out


if WARM:
    optimizers.warmup(IDS)
before = snapshot()
s = surfaces.from_expression(f"(x-{R})**2 + 3*(y+{R})**2", bounds=((-2, 2), (-2, 2)))
for oid in IDS:
    kw = {"inner": "sgd"} if oid == "lookahead" else {}
    optimizers.trajectory(oid, s, (1.0, -1.0), 5, **kw)
    optimizers.run(oid, s, (1.0, -1.0), 5, **kw)
    optimizers.run(oid, s, (1.0, -1.0), 5, record_state=True, **kw)
    optimizers.sweep(oid, s, np.array([[1.0, -1.0], [0.5, 0.5]]), 5, **kw)
path = optimizers.trajectory("adam", s, (1.0, -1.0), 200, lr=0.05)
print(json.dumps({"before": before, "after": snapshot(), "final": path[-1].tolist()}))
'''


def _probe(warm: bool) -> dict:
    r = round(random.uniform(0.1, 0.9), 9)  # never seen: nothing of it on disk
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps([IDS, LOOPS, warm, r])], cwd=ROOT,
                         capture_output=True, text=True, timeout=1800)
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["r"] = r
    return res


def test_first_use_of_a_new_expression_compiles_no_optimizer_loop():
    res = _probe(warm=True)
    before, after = res["before"], res["after"]
    missing = [k for k, sigs in before.items() if not sigs]
    assert not missing, f"warmup left these shared custom-surface loops unloaded: {missing}"
    grew = {k: (before[k], after[k]) for k in before if after[k] != before[k]}
    assert not grew, f"the new expression's first use loaded or compiled shared loops: {grew}"
    # and the runs were real: Adam went towards the new expression's minimum (r, -r)
    x, y = res["final"]
    assert abs(x - res["r"]) < 0.2 and abs(y + res["r"]) < 0.2, res["final"]


def test_the_probe_sees_loops_loaded_without_warmup():
    """The control: without the warm-up, the same first use loads the shared loops."""
    res = _probe(warm=False)
    before, after = res["before"], res["after"]
    assert all(before[k] is None for k in before if not k.startswith("indirect.")), before
    assert all(after[k] for k in after), after
