"""Benchmark: custom surfaces typed as text (issue 12).

    python benchmarks/bench_custom_surface.py [--quick]

1. Time to first trajectory (``surfaces.from_expression`` + a 100-step Adam trajectory), each
   in a FRESH ``python -c`` subprocess that does what the app does first
   (``gradscape_startup.fast_numba_import()``, ``import surfaces, optimizers``; timed
   separately as "imports"):

   * first use: an expression never seen (a random constant in it), so sympy derives it and
     numba compiles its grad and one trajectory loop (target 3 s);
   * disk-cached: the same expression in the next fresh process (target 0.2 s);
   * in memory: the same expression again in that process (target 0.2 s).

   The optimizer loops are in the on-disk cache already (a warm-up subprocess runs the built-in
   Rosenbrock and one custom surface first): custom surfaces share one set of loops
   (:mod:`surfaces.indirect`), compiled once per optimizer, so a new expression compiles only
   its own callbacks.

2. ns per step: Adam on Rosenbrock typed as text against the built-in Rosenbrock, a long
   trajectory each, interleaved, best of several (target: within 1.5x); and the same for a
   sweep (4,096 runs), per run and step.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time

import numpy as np

from _bench import ROOT, header

ROSEN = "(a - x)**2 + b*(y - x**2)**2"

CHILD = r'''
import json, time
t0 = time.perf_counter()
import gradscape_startup
gradscape_startup.fast_numba_import()
import surfaces, optimizers
t1 = time.perf_counter()
s = surfaces.from_expression(TEXT, {"a": 1.0, "b": 100.0}, bounds=((-2, 2), (-1, 3)))
t2 = time.perf_counter()
optimizers.trajectory("adam", s, (-1.2, 1.0), 100, lr=0.01)
t3 = time.perf_counter()
s = surfaces.from_expression(TEXT, {"a": 1.0, "b": 100.0}, bounds=((-2, 2), (-1, 3)))
optimizers.trajectory("adam", s, (-1.2, 1.0), 100, lr=0.01)
t4 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "surface": t2 - t1, "first_traj": t3 - t1, "memory": t4 - t3}))
'''


def child(text: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD.replace("TEXT", repr(text))], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def warm():
    """The built-in kernels and the loops shared by every custom surface, on disk (compiled
    once per optimizer, not per expression; the first ever costs about as much as a built-in
    loop's first compile, a few seconds)."""
    subprocess.run([sys.executable, "-c", "import optimizers, surfaces; optimizers.trajectory('adam', "
                    "'rosenbrock', (-1.2, 1.0), 10); optimizers.trajectory('adam', "
                    "surfaces.from_expression('x**2 + y**2'), (1.0, 1.0), 10)"], cwd=ROOT, check=True)


def per_step(reps: int, steps: int) -> tuple[float, float]:
    sys.path.insert(0, str(ROOT))
    import optimizers
    import surfaces

    custom = surfaces.from_expression(ROSEN, {"a": 1.0, "b": 100.0}, bounds=((-2, 2), (-1, 3)))
    builtin = surfaces.SURFACES["rosenbrock"]
    best = {"custom": float("inf"), "builtin": float("inf")}
    for s in (custom, builtin):
        optimizers.trajectory("adam", s, (-1.2, 1.0), 10, lr=1e-3)
    for _ in range(reps):
        for key, s in (("custom", custom), ("builtin", builtin)):
            t0 = time.perf_counter()
            optimizers.trajectory("adam", s, (-1.2, 1.0), steps, lr=1e-3)
            best[key] = min(best[key], (time.perf_counter() - t0) / steps * 1e9)
    starts = np.random.default_rng(0).uniform((-2, -1), (2, 3), size=(4096, 2))
    sweep = {"custom": float("inf"), "builtin": float("inf")}
    for s in (custom, builtin):
        optimizers.sweep("adam", s, starts[:8], 10, lr=1e-3)
    for _ in range(reps):
        for key, s in (("custom", custom), ("builtin", builtin)):
            t0 = time.perf_counter()
            optimizers.sweep("adam", s, starts, 500, lr=1e-3)
            sweep[key] = min(sweep[key], (time.perf_counter() - t0) / (500 * len(starts)) * 1e9)
    return best["custom"], best["builtin"], sweep["custom"], sweep["builtin"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    header("custom surfaces: time to first trajectory, ns per step", args.quick)
    reps = 2 if args.quick else 3
    warm()
    rows = []
    for _ in range(reps):
        text = f"{ROSEN} + {random.randint(1, 10**9)}e-12*x*y"  # never seen before
        first = child(text)
        cached = child(text)
        rows.append((first, cached))
    med = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    first_t = med([f["first_traj"] for f, _ in rows])
    first_s = med([f["surface"] for f, _ in rows])
    disk_t = med([c["first_traj"] for _, c in rows])
    mem_t = med([c["memory"] for _, c in rows])
    imports = med([c["imports"] for _, c in rows])
    print(f"   fresh process imports (fast_numba_import, surfaces, optimizers): {imports:.3f} s")
    print(f"   first use  (new expression -> first trajectory): {first_t:.3f} s "
          f"(of which from_expression {first_s:.3f} s)   target 3 s")
    print(f"   disk-cached (fresh process -> first trajectory): {disk_t:.3f} s   target 0.2 s")
    print(f"   in memory  (same process, again):                 {mem_t * 1e3:.1f} ms   target 0.2 s")
    for i, (f, c) in enumerate(rows):
        print(f"     rep {i}: first {f['first_traj']:.3f} s, disk {c['first_traj']:.3f} s, "
              f"memory {c['memory'] * 1e3:.1f} ms")
    steps = 200_000 if args.quick else 1_000_000
    c, b, sc, sb = per_step(5 if args.quick else 7, steps)
    print(f"   ns/step, Adam, {steps:,}-step trajectory: custom Rosenbrock (text) {c:.1f}, "
          f"built-in {b:.1f}, ratio {c / b:.2f}x   target <= 1.5x")
    print(f"   ns/run-step, Adam sweep 4,096 runs x 500 steps: custom {sc:.2f}, built-in {sb:.2f}, "
          f"ratio {sc / sb:.2f}x")


if __name__ == "__main__":
    main()
