"""Benchmark: a 65,536-run Adam sweep on Rosenbrock against numpy vectorised across runs.

    python benchmarks/bench_sweep.py [--quick]

The sweep is a grid: 256 learning rates log-spaced over 1e-4..1e-1 x 256 start points on a
16 x 16 grid over Rosenbrock's domain [-2, 2] x [-1, 3], 1,000 steps each, run with
``optimizers.sweep`` (compiled chunks of 256 runs, spread over the cores with Python threads
around nogil kernels; no numba threading layer is involved).

The baseline is plain numpy: arrays of length n = 65,536, one vectorised expression per line
of the update, no Python loop over runs.  It does the same work per step as the sweep kernel:
the gradient, the Adam update, the divergence check (NaN outside the box), the loss and the
steps-to-tolerance bookkeeping, so it returns the same four outputs.  For time it runs fewer
steps (100, scaled per step; the output says so); for exactness it runs all the steps once and
its final points must equal the sweep's to 1e-9 relative.

Target: sweep >= 5x numpy run-steps/s (aim 8x), judged on best-of-rounds figures measured
in interleaved rounds.  The single-thread sweep (``optimizers.api._threads`` patched to 1)
is printed to show the thread scaling.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _bench import fmt, header, median, rel_err, table, verdict  # noqa: E402

import numpy as np  # noqa: E402

TARGET, AIM = 5.0, 8.0
TOL = 1e-9


def grid(n_lr: int, n_side: int):
    """(starts (n, 2), lrs (n,)): every learning rate with every start point."""
    lrs = np.geomspace(1e-4, 1e-1, n_lr)
    xs = np.linspace(-2.0, 2.0, n_side)
    ys = np.linspace(-1.0, 3.0, n_side)
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    starts = np.tile(pts, (n_lr, 1))  # run j = i_lr * n_pts + i_pt
    lr = np.repeat(lrs, len(pts))
    return starts, lr


def numpy_adam_sweep(starts, lr, steps, *, b1=0.9, b2=0.999, eps=1e-8, a=1.0, b=100.0,
                     cx=0.0, cy=1.0, radius=math.inf, fmin=0.0, tol=1e-6):
    """Adam on Rosenbrock for n runs at once, vectorised across the runs.

    The same floating-point operations, in the same order, as the sweep kernel
    (optimizers/adam.py + surfaces/rosenbrock.py + the driver's bookkeeping), so the results
    agree to rounding.  Returns (final (n, 2), loss (n,), steps_to_tol (n,), diverged_at (n,)).
    """
    x = starts[:, 0].copy()
    y = starts[:, 1].copy()
    n = len(x)
    mx = np.zeros(n)
    my = np.zeros(n)
    vx = np.zeros(n)
    vy = np.zeros(n)
    b1t = 1.0
    b2t = 1.0
    stt = np.full(n, -1, dtype=np.int64)
    dv = np.full(n, -1, dtype=np.int64)

    def f(x, y):
        u = a - x
        w = y - x * x
        return u * u + b * (w * w)

    stt[f(x, y) - fmin <= tol] = 0
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            u = a - x  # gradient (surfaces/rosenbrock.py)
            w = y - x * x
            gx = -2.0 * u - 4.0 * b * x * w
            gy = 2.0 * b * w
            b1t = b1t * b1  # Adam (optimizers/adam.py); lr differs per run
            b2t = b2t * b2
            step_size = lr / (1.0 - b1t)
            inv_sqrt_bc2 = 1.0 / math.sqrt(1.0 - b2t)
            mx = b1 * mx + (1.0 - b1) * gx
            vx = b2 * vx + (1.0 - b2) * gx * gx
            x = x - step_size * (mx / (np.sqrt(vx) * inv_sqrt_bc2 + eps))
            my = b1 * my + (1.0 - b1) * gy
            vy = b2 * vy + (1.0 - b2) * gy * gy
            y = y - step_size * (my / (np.sqrt(vy) * inv_sqrt_bc2 + eps))
            ok = (np.abs(x - cx) <= radius) & (np.abs(y - cy) <= radius)  # divergence
            x = np.where(ok, x, np.nan)
            y = np.where(ok, y, np.nan)
            dv[(dv < 0) & ~ok] = t
            fv = f(x, y)  # steps to tolerance
            stt[(stt < 0) & (fv - fmin <= tol)] = t
        fv = f(x, y)
    return np.column_stack([x, y]), fv, stt, dv


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a smaller grid, fewer steps and rounds")
    args = ap.parse_args()
    q = args.quick
    n_lr, n_side = (64, 16) if q else (256, 16)
    steps = 300 if q else 1_000
    np_steps = 50 if q else 100
    rounds = 3 if q else 5

    header("bench_sweep: optimizers.sweep vs numpy vectorised across runs", q)
    import optimizers
    import optimizers.api as api
    import surfaces

    t0 = time.perf_counter()
    optimizers.warmup()
    print(f"   optimizers.warmup(): {time.perf_counter() - t0:.2f} s")

    starts, lr = grid(n_lr, n_side)
    n = len(starts)
    surf = surfaces.SURFACES["rosenbrock"]
    (x0, x1), (y0, y1) = surf.bounds
    cx, cy = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
    radius = api.DIVERGENCE_FACTOR * surf.size
    n_chunks = -(-n // api.CHUNK)
    threads = api._threads(n_chunks)
    real_threads = api._threads
    print(f"   {n:,} runs = {n_lr} learning rates (1e-4..1e-1, log) x {n_side}x{n_side} starts on "
          f"[-2,2]x[-1,3]; {steps:,} steps; chunk {api.CHUNK} -> {n_chunks} chunks; "
          f"sweep threads: {threads} (Python threads over nogil kernels; no parallel=True, "
          f"so numba.threading_layer() is irrelevant)")

    def run_sweep(s):
        return optimizers.sweep("adam", "rosenbrock", starts, s, lr=lr)

    def run_sweep_1t(s):
        api._threads = lambda n_chunks: 1
        try:
            return optimizers.sweep("adam", "rosenbrock", starts, s, lr=lr)
        finally:
            api._threads = real_threads

    def run_numpy(s):
        return numpy_adam_sweep(starts, lr, s, cx=cx, cy=cy, radius=radius,
                                fmin=float(surf.f_min), tol=1e-6)

    # -- exactness: numpy vs sweep at the full step count ----------------------------------
    t = time.perf_counter()
    fin, loss, stt, dv = run_numpy(steps)
    t_np_full = time.perf_counter() - t
    res = run_sweep(steps)
    e_final = rel_err(fin, res.final)
    e_loss = rel_err(loss, res.loss)
    same_stt = int(np.sum(stt != res.steps_to_tol))
    same_dv = int(np.sum(dv != res.diverged_at))
    res1 = run_sweep_1t(steps)
    e_1t = rel_err(res1.final, res.final)
    exact = e_final <= TOL and e_loss <= TOL and e_1t == 0.0
    print(f"\n-- agreement after {steps:,} steps (all {n:,} runs; NaN = diverged, must match)")
    table(["check", "value"], [
        ["max rel. err final points, numpy vs sweep", f"{e_final:.1e}"],
        ["bit-identical final points", f"{int(np.sum(np.all((fin == res.final) | (np.isnan(fin) & np.isnan(res.final)), axis=1))):,} / {n:,}"],
        ["max rel. err loss, numpy vs sweep", f"{e_loss:.1e}"],
        ["runs whose steps_to_tol differ", f"{same_stt:,}"],
        ["runs whose diverged_at differ", f"{same_dv:,}"],
        ["diverged runs (sweep)", f"{int(res.diverged.sum()):,}"],
        ["max rel. err 1-thread vs threaded sweep", f"{e_1t:.1e}"],
    ])
    print(f"   agreement to {TOL:g}: {'OK' if exact else 'MISMATCH'}  "
          f"(numpy, {steps:,} steps, one run: {t_np_full:.2f} s = "
          f"{n * steps / t_np_full / 1e6:.1f} M run-steps/s)")

    # -- timing, interleaved ---------------------------------------------------------------
    rec = {"sweep": [], "sweep1": [], "numpy": []}
    for r in range(rounds):
        t = time.perf_counter()
        run_sweep(steps)
        rec["sweep"].append(n * steps / (time.perf_counter() - t) / 1e6)
        t = time.perf_counter()
        run_sweep_1t(steps)
        rec["sweep1"].append(n * steps / (time.perf_counter() - t) / 1e6)
        t = time.perf_counter()
        run_numpy(np_steps)
        rec["numpy"].append(n * np_steps / (time.perf_counter() - t) / 1e6)
    best = {k: max(v) for k, v in rec.items()}
    print(f"\n-- throughput, {rounds} interleaved rounds, M run-steps/s (higher is better)")
    labels = {
        "sweep": f"optimizers.sweep, {threads} threads ({steps:,} steps)",
        "sweep1": f"optimizers.sweep, 1 thread ({steps:,} steps)",
        "numpy": f"numpy vectorised, 1 thread ({np_steps} steps, scaled per step)",
    }
    rows = [[labels[k], fmt(best[k]), fmt(median(v)), fmt(min(v)), f"{best[k] / best['numpy']:.2f}",
             f"{1e3 / best[k]:.2f}"] for k, v in rec.items()]
    table(["implementation", "best", "median", "worst", "x numpy", "ns/run-step"], rows)
    ratio = best["sweep"] / best["numpy"]
    print(f"   thread scaling: {best['sweep'] / best['sweep1']:.2f}x with {threads} threads; "
          f"single-thread sweep = {best['sweep1'] / best['numpy']:.2f}x numpy; "
          f"per-round sweep/numpy ratios: "
          + " ".join(f"{s / m:.2f}" for s, m in zip(rec["sweep"], rec["numpy"])))
    ok = verdict("sweep / numpy run-steps/s", ratio, TARGET, True, "x")
    print(f"   aim {AIM:g}x: {'reached' if ratio >= AIM else 'not reached'}")
    print(f"\nRESULT bench_sweep: {'PASS' if ok and exact else 'FAIL'} (sweep/numpy = {ratio:.2f}x, "
          f"target >= {TARGET:g}x, aim {AIM:g}x; agreement {'OK' if exact else 'MISMATCH'})")
    return 0 if ok and exact else 1


if __name__ == "__main__":
    sys.exit(main())
