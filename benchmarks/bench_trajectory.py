"""Benchmark: one trajectory, ns per step, against plain C (and pure Python, and torch).

    python benchmarks/bench_trajectory.py [--quick]

Main figure: ``optimizers.trajectory("adam", "rosenbrock", (-1.5, 2.0), 100_000, lr=1e-3)``
(the whole public call: validation, allocation of the (steps+1, 2) path, the compiled loop)
against ``benchmarks/adam_rosenbrock.c`` (the same updates, storing every step), built here
with ``gcc -O3``.  Target: ours <= 1.5 x C ns/step, judged on min(ours) / min(C) over
interleaved rounds (the median of the per-round ratios is printed too).

Also (informational): the compiled kernel called directly (no Python-side validation or
allocation), a pure-Python loop doing the same updates (fewer steps, per-step figure),
torch.optim.Adam if torch is importable, every optimizer on Rosenbrock and Adam on every
surface, each as a ratio to the C figure.  The C, pure-Python and torch final points are
checked against ours (same step count) to 1e-9 relative.
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

from _bench import ROOT, fmt, header, median, rel_err, table, verdict

import numpy as np  # noqa: E402

START = (-1.5, 2.0)
LR = 1e-3
TOL = 1e-9
TARGET = 1.5


# ---- the baselines -------------------------------------------------------------------------
def build_c(tmp: str) -> str:
    exe = os.path.join(tmp, "adam_rosenbrock")
    src = str(ROOT / "benchmarks" / "adam_rosenbrock.c")
    subprocess.run(["gcc", "-O3", "-o", exe, src, "-lm"], check=True)
    return exe


def run_c(exe: str, steps: int, reps: int):
    """(best ns/step over ``reps`` in-process repetitions, final point)."""
    out = subprocess.run([exe, str(steps), str(reps)], check=True, capture_output=True, text=True).stdout
    ns, x, y = out.split()
    return float(ns), np.array([float(x), float(y)])


def python_adam(steps, lr=LR, b1=0.9, b2=0.999, eps=1e-8, a=1.0, b=100.0):
    """The C program's loop, line for line, in plain Python floats; returns the path (list)."""
    sqrt = math.sqrt
    x, y = START
    mx = my = vx = vy = 0.0
    b1t = b2t = 1.0
    path = [None] * (steps + 1)
    path[0] = (x, y)
    for t in range(1, steps + 1):
        u = a - x
        w = y - x * x
        gx = -2.0 * u - 4.0 * b * x * w
        gy = 2.0 * b * w
        b1t *= b1
        b2t *= b2
        step_size = lr / (1.0 - b1t)
        sqrt_bc2 = sqrt(1.0 - b2t)
        mx = b1 * mx + (1.0 - b1) * gx
        vx = b2 * vx + (1.0 - b2) * gx * gx
        x = x - step_size * (mx / (sqrt(vx) / sqrt_bc2 + eps))
        my = b1 * my + (1.0 - b1) * gy
        vy = b2 * vy + (1.0 - b2) * gy * gy
        y = y - step_size * (my / (sqrt(vy) / sqrt_bc2 + eps))
        if not (abs(x) < 1e7 and abs(y) < 1e7):
            break
        path[t] = (x, y)
    return path


def make_torch_adam():
    try:
        import torch
    except Exception:  # noqa: BLE001 - torch is optional
        return None, None

    def torch_adam(steps):
        p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([p], lr=LR)
        path = torch.empty((steps + 1, 2), dtype=torch.float64)
        path[0] = p.detach()
        for t in range(1, steps + 1):
            opt.zero_grad()
            loss = (1.0 - p[0]) ** 2 + 100.0 * (p[1] - p[0] ** 2) ** 2
            loss.backward()
            opt.step()
            path[t] = p.detach()
        return path.numpy()

    return torch_adam, torch.__version__


# ---- main ----------------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer steps and rounds")
    args = ap.parse_args()
    q = args.quick
    steps = 100_000
    rounds = 3 if q else 7
    per_round = 3  # calls of ours per round (the best kept), and C in-process reps
    py_steps = 5_000 if q else 20_000
    torch_steps = 500 if q else 2_000
    table_steps = 20_000 if q else 100_000
    table_rounds = 3 if q else 5

    header("bench_trajectory: one trajectory, ns/step vs plain C", q)
    import optimizers
    import surfaces
    from optimizers import kernels
    from optimizers.api import _check_start, plan

    t0 = time.perf_counter()
    optimizers.warmup()
    print(f"   optimizers.warmup(): {time.perf_counter() - t0:.2f} s "
          f"(numba cache: {os.environ.get('NUMBA_CACHE_DIR')})")
    torch_adam, torch_version = make_torch_adam()
    print(f"   torch: {torch_version or 'not importable, skipped'}")

    tmp = tempfile.mkdtemp(prefix="gradscape-bench-")
    try:
        exe = build_c(tmp)
        print(f"   C baseline: gcc -O3 {os.path.relpath(ROOT / 'benchmarks' / 'adam_rosenbrock.c', ROOT)}")

        def ours(n):
            return optimizers.trajectory("adam", "rosenbrock", START, n, lr=LR)

        # The kernel alone, with its arrays allocated once (what the API adds is validation,
        # the plan and a fresh path array each call).
        p = plan("adam", "rosenbrock", lr=LR)
        kargs = p.kernel_args()
        kpath = np.empty((steps + 1, 2))
        kslow, kslow_steps = np.empty((1, 2)), np.empty(1, dtype=np.int64)
        nslot, nsc = kernels.state_sizes(p.inner)
        kstate, kscalars, kgrads = np.empty((0, nslot, 2)), np.empty((0, nsc)), np.empty((0, 2))
        kstart = _check_start(START)
        oid, vid, sid, sp, hp, lak, laa, cx, cy, radius = kargs

        def kernel_only():
            kernels.trajectory_kernel(oid, vid, sid, sp, hp, lak, laa, kstart, steps, 0.0, 0, 0,
                                      cx, cy, radius, kpath, kslow, kslow_steps, kstate, kscalars, kgrads)

        kernel_label = f"ours: trajectory_kernel alone ({steps:,} steps)"
        try:  # the kernel's signature is internal: fall back to the API's inner helper
            kernel_only()
            assert rel_err(kpath[-1], ours(steps)[-1]) <= TOL
        except Exception as exc:  # noqa: BLE001
            from optimizers import api

            print(f"   (direct kernel call failed: {type(exc).__name__}; timing api._run_arrays instead)")
            kernel_label = f"ours: api._run_arrays, no validation ({steps:,} steps)"

            def kernel_only():
                api._run_arrays(p, kstart, steps, 0.0, 0, False)

        # -- agreement ---------------------------------------------------------------------
        print("\n-- agreement of final points with optimizers.trajectory (same step count)")
        rows = []
        ok_all = True
        for n in sorted({1_000, 10_000, steps}):
            _, cfin = run_c(exe, n, 1)
            e = rel_err(cfin, ours(n)[-1])
            ok_all &= e <= TOL
            rows.append(["C -O3", f"{n:,}", f"({cfin[0]:.17g}, {cfin[1]:.17g})", f"{e:.1e}"])
        pyfin = np.array(python_adam(py_steps)[-1])
        e = rel_err(pyfin, ours(py_steps)[-1])
        ok_all &= e <= TOL
        rows.append(["pure Python", f"{py_steps:,}", f"({pyfin[0]:.17g}, {pyfin[1]:.17g})", f"{e:.1e}"])
        if torch_adam is not None:
            tfin = torch_adam(torch_steps)[-1]
            e = rel_err(tfin, ours(torch_steps)[-1])
            ok_all &= e <= TOL
            rows.append([f"torch {torch_version}", f"{torch_steps:,}",
                         f"({tfin[0]:.17g}, {tfin[1]:.17g})", f"{e:.1e}"])
        ofin = ours(steps)[-1]
        rows.append(["ours", f"{steps:,}", f"({ofin[0]:.17g}, {ofin[1]:.17g})", ""])
        table(["implementation", "steps", "final point", "rel. err vs ours"], rows)
        print(f"   agreement to {TOL:g} relative: {'OK' if ok_all else 'MISMATCH'}")

        # -- interleaved timing --------------------------------------------------------------
        print(f"\n-- Adam on Rosenbrock, {steps:,} steps, {rounds} interleaved rounds "
              f"(each: C best of {per_round} in-process reps, ours best of {per_round} calls)")
        rec = {k: [] for k in ("C", "ours", "kernel", "python", "torch")}
        for r in range(rounds):
            rec["C"].append(run_c(exe, steps, per_round)[0])
            best = math.inf
            for _ in range(per_round):
                t = time.perf_counter()
                ours(steps)
                best = min(best, time.perf_counter() - t)
            rec["ours"].append(best / steps * 1e9)
            best = math.inf
            for _ in range(per_round):
                t = time.perf_counter()
                kernel_only()
                best = min(best, time.perf_counter() - t)
            rec["kernel"].append(best / steps * 1e9)
            t = time.perf_counter()
            python_adam(py_steps)
            rec["python"].append((time.perf_counter() - t) / py_steps * 1e9)
            if torch_adam is not None:
                t = time.perf_counter()
                torch_adam(torch_steps)
                rec["torch"].append((time.perf_counter() - t) / torch_steps * 1e9)
        c_min = min(rec["C"])
        ratios = [o / c for o, c in zip(rec["ours"], rec["C"])]
        labels = {
            "C": f"C gcc -O3 ({steps:,} steps)",
            "ours": f"ours: optimizers.trajectory ({steps:,} steps)",
            "kernel": kernel_label,
            "python": f"pure Python loop ({py_steps:,} steps, per step)",
            "torch": f"torch.optim.Adam + autograd ({torch_steps:,} steps, per step)",
        }
        rows = []
        for k, v in rec.items():
            if not v:
                continue
            rows.append([labels[k], fmt(min(v)), fmt(median(v)), fmt(max(v)), f"{min(v) / c_min:.2f}"])
        table(["implementation", "min ns/step", "median", "max", "min / min(C)"], rows)
        print("   per-round ratios ours/C: " + " ".join(f"{x:.2f}" for x in ratios)
              + f"  (median {median(ratios):.2f})")
        ok = verdict("ours / C ns/step (min/min)", min(rec["ours"]) / c_min, TARGET, False, "x")

        # -- every optimizer on rosenbrock, adam on every surface ----------------------------
        cases = []
        for oid_ in optimizers.OPTIMIZERS:
            cases.append(("opt", oid_, "rosenbrock", START))
        for sid_, s in surfaces.SURFACES.items():
            cases.append(("surf", "adam", sid_, tuple(s.start)))
        kw = {}
        notes = {}
        for kind, o, s, st in cases:
            spec = optimizers.OPTIMIZERS[o]
            hyper = {} if kind == "opt" else {"lr": LR}
            # default hyperparameters; if a run diverges on this surface, lr / 10 until it doesn't
            for _ in range(6):
                path = optimizers.trajectory(o, s, st, table_steps, **hyper)
                if not np.isnan(path[-1, 0]):
                    break
                base = hyper.get("lr", next((h.default for h in spec.hyperparams if h.name == "lr"), None))
                if base is None:
                    break
                hyper["lr"] = base / 10
            kw[(kind, o, s)] = hyper
            notes[(kind, o, s)] = "" if not np.isnan(path[-1, 0]) else "diverges"
        times = {(kind, o, s): [] for kind, o, s, _ in cases}
        c_tab = []
        for r in range(table_rounds):
            c_tab.append(run_c(exe, steps, per_round)[0])
            for kind, o, s, st in cases:
                best = math.inf
                for _ in range(2):
                    t = time.perf_counter()
                    optimizers.trajectory(o, s, st, table_steps, **kw[(kind, o, s)])
                    best = min(best, time.perf_counter() - t)
                times[(kind, o, s)].append(best / table_steps * 1e9)
        c_ref = min(c_min, min(c_tab))
        print(f"\n-- every optimizer on rosenbrock from {START}, {table_steps:,} steps, default "
              f"hyperparameters (lr / 10 where they diverge), best of {table_rounds} rounds x 2 calls;"
              f" C reference {c_ref:.1f} ns/step")
        rows = []
        for kind, o, s, st in cases:
            if kind != "opt":
                continue
            v = min(times[(kind, o, s)])
            hyp = ", ".join(f"{k}={x:g}" for k, x in kw[(kind, o, s)].items()) or "defaults"
            rows.append([o, hyp, fmt(v), f"{v / c_ref:.2f}", notes[(kind, o, s)]])
        table(["optimizer", "hyperparameters", "ns/step", "x C", "note"], rows)
        slow_o = max((r for r in rows), key=lambda r: float(r[2]))
        print(f"   slowest optimizer: {slow_o[0]} ({slow_o[2]} ns/step, {slow_o[3]} x C)")
        print(f"\n-- adam (lr={LR:g}) on every surface from its suggested start, {table_steps:,} steps "
              f"(the C figure is Adam on Rosenbrock: surfaces differ in gradient cost)")
        rows = []
        for kind, o, s, st in cases:
            if kind != "surf":
                continue
            v = min(times[(kind, o, s)])
            rows.append([s, f"({st[0]:g}, {st[1]:g})", fmt(v), f"{v / c_ref:.2f}", notes[(kind, o, s)]])
        table(["surface", "start", "ns/step", "x C", "note"], rows)
        slow_s = max((r for r in rows), key=lambda r: float(r[2]))
        print(f"   slowest surface: {slow_s[0]} ({slow_s[2]} ns/step, {slow_s[3]} x C)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"\nRESULT bench_trajectory: {'PASS' if ok and ok_all else 'FAIL'} "
          f"(ours/C = {min(rec['ours']) / c_min:.2f}x, target <= {TARGET}x; "
          f"agreement {'OK' if ok_all else 'MISMATCH'})")
    return 0 if ok and ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
