"""The compiled drivers: one trajectory, and a chunked sweep of many runs.

Everything here takes only integers, floats and arrays, so numba's on-disk cache works in
every new process.  Optimizers and surfaces are chosen by small integer ids (their registry
positions) through ``if`` chains; the branch is loop-invariant and costs nothing measurable.

Array layout: coordinates first, runs last (``th[c, j]``), so that a chunk of runs stepping
together is contiguous and LLVM vectorises the per-optimizer loops across runs.
"""
from __future__ import annotations

import numpy as np

from surfaces._jit import jit
from surfaces.kernels import grad_chunk, value_chunk

from ._common import add_noise, check_bounds, lookahead_sync, record_slow, traj_alloc, traj_diverged
from ._loops import grad_point_chunk, init_extra, step_chunk, trajectory_loop
from .base import N_SC, N_SLOT


@jit(inline="always")
def init_chunk(oid, variant, hp, st, sc, j0, j1):
    """Initial state: zeros, running powers 1, plus any optimizer-specific start."""
    for s in range(st.shape[0]):
        for c in range(2):
            for j in range(j0, j1):
                st[s, c, j] = 0.0
    for s in range(sc.shape[0]):
        for j in range(j0, j1):
            sc[s, j] = 1.0
    init_extra(oid, variant, hp, st, sc, j0, j1)



# ---- one step of a chunk of runs -----------------------------------------------------------
@jit(inline="always")
def advance(oid, variant, sid, sp, hp, lak, laa, th, g, pt, st, sc, slow,
            t, noise, seed, run0, j0, j1, cx, cy, radius):
    """Gradient (+ noise), update, Lookahead sync, divergence check, for runs j0..j1-1.

    A run that leaves the box |θ − centre| ≤ radius, or becomes non-finite, is set to NaN;
    NaN then propagates through every later step, so it stays frozen at NaN.
    """
    if grad_point_chunk(oid, variant, hp, th, st, pt, j0, j1):
        grad_chunk(sid, sp, pt, g, j0, j1)
    else:
        grad_chunk(sid, sp, th, g, j0, j1)
    if noise != 0.0:
        add_noise(g, noise, seed, run0, t, j0, j1)
    step_chunk(oid, variant, t, hp, th, g, st, sc, j0, j1)
    if lak[j0] > 0:  # Lookahead runs: every run of a call has k > 0, or none has
        for j in range(j0, j1):
            k = lak[j]
            if k > 0 and t % k == 0:  # Lookahead synchronisation
                lookahead_sync(th, slow, laa, j, j + 1)
    return check_bounds(th, cx, cy, radius, j0, j1)


# ---- drivers -------------------------------------------------------------------------------
@jit
def trajectory_kernel(oid, variant, sid, sp, hp, lak, laa, start, steps, noise, seed, run,
                      cx, cy, radius, path, slow_out, slow_steps, state_out, grad_out):
    """One run.  Fills ``path`` (steps+1, 2); returns (diverged_at or -1, number of slow rows).

    ``slow_out``/``slow_steps`` receive φ_0 and the slow weights after each Lookahead sync.
    If ``state_out`` has steps+1 rows, the optimizer state after every step is recorded there
    (and the gradient used at step t in ``grad_out[t]``), through the generic per-step
    dispatch; otherwise the optimizer's own specialised loop runs (``_loops.py``), which is
    as fast as plain C.
    """
    if state_out.shape[0] == 0:
        return trajectory_loop(oid, variant, sid, sp, hp, lak, laa, start, steps, noise, seed,
                               run, cx, cy, radius, path, slow_out, slow_steps)
    th, g, pt, st, sc, slow, k, nslow = traj_alloc(start, lak, path, slow_out, slow_steps)
    init_chunk(oid, variant, hp, st, sc, 0, 1)
    for s in range(N_SLOT):
        for c in range(2):
            state_out[0, s, c] = st[s, c, 0]
    grad_out[0, 0] = np.nan
    grad_out[0, 1] = np.nan
    for t in range(1, steps + 1):
        advance(oid, variant, sid, sp, hp, lak, laa, th, g, pt, st, sc, slow,
                t, noise, seed, run, 0, 1, cx, cy, radius)
        if th[0, 0] != th[0, 0]:
            traj_diverged(path, t, steps)
            return t, nslow
        if k > 0 and t % k == 0:
            nslow = record_slow(t, nslow, slow, slow_out, slow_steps)
        path[t, 0] = th[0, 0]
        path[t, 1] = th[1, 0]
        for s in range(N_SLOT):
            for c in range(2):
                state_out[t, s, c] = st[s, c, 0]
        grad_out[t, 0] = g[0, 0]
        grad_out[t, 1] = g[1, 0]
    return -1, nslow


@jit
def sweep_kernel(oid, variant, sid, sp, hp, lak, laa, starts, steps, noise, seed,
                 cx, cy, radius, fmin, tol, chunk, j_begin, j_end,
                 final, loss, steps_to_tol, diverged_at):
    """Runs j_begin..j_end-1 of a sweep, ``chunk`` runs stepping together.

    ``hp`` is (N_HP, n), ``starts`` (2, n); outputs are written at the runs' global indices.
    ``steps_to_tol[j]`` is the first t with f(θ_t) − fmin ≤ tol (t = 0 included), or −1;
    it is not tracked when ``fmin`` is nan.
    """
    nhp = hp.shape[0]
    track = fmin == fmin
    for c0 in range(j_begin, j_end, chunk):
        c1 = min(c0 + chunk, j_end)
        m = c1 - c0
        hpc = np.empty((nhp, m))
        for h in range(nhp):
            for j in range(m):
                hpc[h, j] = hp[h, c0 + j]
        lk = np.empty(m, dtype=np.int64)
        la = np.empty(m)
        th = np.empty((2, m))
        for j in range(m):
            lk[j] = lak[c0 + j]
            la[j] = laa[c0 + j]
            th[0, j] = starts[0, c0 + j]
            th[1, j] = starts[1, c0 + j]
        slow = th.copy()
        g = np.zeros((2, m))
        pt = np.zeros((2, m))
        st = np.zeros((N_SLOT, 2, m))
        sc = np.ones((N_SC, m))
        fv = np.empty(m)
        stt = np.full(m, -1, dtype=np.int64)
        dv = np.full(m, -1, dtype=np.int64)
        init_chunk(oid, variant, hpc, st, sc, 0, m)
        if track:
            value_chunk(sid, sp, th, fv, 0, m)
            for j in range(m):
                if fv[j] - fmin <= tol:
                    stt[j] = 0
        n_nan = 0
        for t in range(1, steps + 1):
            now_nan = advance(oid, variant, sid, sp, hpc, lk, la, th, g, pt, st, sc, slow,
                              t, noise, seed, c0, 0, m, cx, cy, radius)
            if now_nan > n_nan:  # some run diverged at this step
                n_nan = now_nan
                for j in range(m):
                    if dv[j] < 0 and th[0, j] != th[0, j]:
                        dv[j] = t
            if track:
                value_chunk(sid, sp, th, fv, 0, m)
                for j in range(m):  # branch-free, so it vectorises
                    hit = (stt[j] < 0) & (fv[j] - fmin <= tol)
                    stt[j] = t if hit else stt[j]
        value_chunk(sid, sp, th, fv, 0, m)
        for j in range(m):
            final[c0 + j, 0] = th[0, j]
            final[c0 + j, 1] = th[1, j]
            loss[c0 + j] = fv[j]
            steps_to_tol[c0 + j] = stt[j]
            diverged_at[c0 + j] = dv[j]
