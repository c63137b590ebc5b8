"""Small compiled helpers shared by the trajectory loops and the sweep (:mod:`optimizers.kernels`).

Array layout: coordinates first, runs last (``th[c, j]``).
"""
from __future__ import annotations

import math

import numpy as np

from surfaces._jit import jit


# ---- counter-based gradient noise ----------------------------------------------------------
@jit
def _mix64(z):
    """splitmix64's finaliser (Steele, Lea & Flood 2014)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@jit
def gauss(seed, run, t, c):
    """A standard normal deviate keyed by (seed, run, step, coordinate) (Box–Muller).

    Counter-based, so a run's noise is the same whatever the chunking or threading, and
    ``sweep`` reproduces ``trajectory`` run by run even with noise on.
    """
    golden = np.uint64(0x9E3779B97F4A7C15)
    k = _mix64(np.uint64(seed) * golden + np.uint64(0x632BE59BD9B4E019))
    k = _mix64(k + np.uint64(run) * golden)
    k = _mix64(k + np.uint64(t) * np.uint64(2) + np.uint64(c))
    h1 = _mix64(k + golden)
    h2 = _mix64(k + golden + golden)
    u1 = (float(h1 >> np.uint64(11)) + 1.0) * (1.0 / 9007199254740992.0)  # (0, 1]
    u2 = float(h2 >> np.uint64(11)) * (1.0 / 9007199254740992.0)  # [0, 1)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@jit(inline="always")
def add_noise(g, noise, seed, run0, t, j0, j1):
    """g += noise · N(0, I), run j drawing from stream (seed, run0 + j)."""
    for j in range(j0, j1):
        for c in range(2):
            g[c, j] = g[c, j] + noise * gauss(seed, run0 + j, t, c)


@jit(inline="always")
def lookahead_sync(th, slow, laa, j0, j1):
    """φ ← φ + α(θ − φ); θ ← φ."""
    for j in range(j0, j1):
        a = laa[j]
        for c in range(2):
            phi = slow[c, j] + a * (th[c, j] - slow[c, j])
            slow[c, j] = phi
            th[c, j] = phi


@jit(inline="always")
def check_bounds(th, cx, cy, radius, j0, j1):
    """Set a run to NaN once it is non-finite or outside |θ − centre| ≤ radius.

    Branch-free (a select per run), so LLVM vectorises it across a chunk of runs.
    Returns the number of NaN runs in j0..j1-1 afterwards.
    """
    nan_count = 0
    for j in range(j0, j1):
        x = th[0, j]
        y = th[1, j]
        ok = (abs(x - cx) <= radius) & (abs(y - cy) <= radius)
        th[0, j] = x if ok else np.nan
        th[1, j] = y if ok else np.nan
        nan_count += 0 if ok else 1
    return nan_count


@jit(inline="always")
def lerp(a, b, w):
    """ATen's ``lerp(a, b, w)`` for a scalar weight, as torch and pytorch_optimizer compute
    their moving averages (``m.lerp_(g, 1 − β)``): a + w·(b − a) for |w| < 0.5, otherwise
    b − (b − a)·(1 − w), which is the same number up to rounding."""
    if abs(w) < 0.5:
        return a + w * (b - a)
    return b - (b - a) * (1.0 - w)


@jit(inline="always")
def uniform_rows(hp, r0, r1, j0, j1):
    """Whether hyperparameter rows r0..r1-1 hold one value for all runs j0..j1-1.

    A sweep over learning rates shares every other hyperparameter: an update can then compute
    its per-step factors (bias corrections) once per chunk instead of once per run.
    """
    same = True
    for r in range(r0, r1):
        h = hp[r, j0]
        for j in range(j0, j1):
            same &= hp[r, j] == h
    return same


# ---- the one-run trajectory loop's prologue and bookkeeping --------------------------------
@jit(inline="always")
def traj_alloc(start, lak, path, slow_out, slow_steps, nslot, nsc):
    th = np.empty((2, 1))
    th[0, 0] = start[0]
    th[1, 0] = start[1]
    g = np.zeros((2, 1))
    pt = np.zeros((2, 1))
    st = np.zeros((nslot, 2, 1))
    sc = np.ones((nsc, 1))
    slow = th.copy()
    path[0, 0] = start[0]
    path[0, 1] = start[1]
    k = lak[0]
    nslow = 0
    if k > 0:
        slow_out[0, 0] = start[0]
        slow_out[0, 1] = start[1]
        slow_steps[0] = 0
        nslow = 1
    return th, g, pt, st, sc, slow, k, nslow


@jit(inline="always")
def traj_diverged(path, t, steps):
    for r in range(t, steps + 1):
        path[r, 0] = np.nan
        path[r, 1] = np.nan


@jit(inline="always")
def record_slow(t, nslow, slow, slow_out, slow_steps):
    slow_out[nslow, 0] = slow[0, 0]
    slow_out[nslow, 1] = slow[1, 0]
    slow_steps[nslow] = t
    return nslow + 1


@jit(inline="always")
def record_fast(th, nslow, fast_out):
    """The fast weights θ_{t,k} just before the sync that makes slow row ``nslow``: row
    ``nslow - 1`` of ``fast_out`` (kept only if that slow row is, see ``record_slow``)."""
    fast_out[nslow - 1, 0] = th[0, 0]
    fast_out[nslow - 1, 1] = th[1, 0]


@jit(inline="always")
def record_state(t, st, sc, g, state_out, scalars_out, grad_out):
    """Row t of the recorded state, scalars and gradient (row 0: the initial state, no gradient)."""
    for s in range(st.shape[0]):
        for c in range(2):
            state_out[t, s, c] = st[s, c, 0]
    for s in range(sc.shape[0]):
        scalars_out[t, s] = sc[s, 0]
    if t == 0:
        grad_out[0, 0] = np.nan
        grad_out[0, 1] = np.nan
    else:
        grad_out[t, 0] = g[0, 0]
        grad_out[t, 1] = g[1, 0]
