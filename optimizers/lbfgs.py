r"""L-BFGS with a fixed step length, one iteration per step (Liu & Nocedal 1989).

With the last m pairs :math:`s_i = \theta_{i+1} - \theta_i`, :math:`y_i = g_{i+1} - g_i` (only
pairs with :math:`y_i^\top s_i > 10^{-10}` are stored), the two-loop recursion computes
:math:`d_t = -H_t g_t`, where :math:`H_t` is the L-BFGS inverse-Hessian approximation started
from :math:`H^0 = \gamma I`, :math:`\gamma = y^\top s / y^\top y` of the newest pair:

.. math::
    q = -g_t;\ \ \text{newest to oldest: } a_i = \rho_i s_i^\top q,\ q \leftarrow q - a_i y_i;
    \ \ r = \gamma q;\ \ \text{oldest to newest: } b_i = \rho_i y_i^\top r,\
    r \leftarrow r + (a_i - b_i) s_i;\ \ d_t = r

with :math:`\rho_i = 1/(y_i^\top s_i)`, and :math:`\theta_t = \theta_{t-1} + \tau_t d_t`, where
:math:`\tau_1 = \eta\,\min(1, 1/\lVert g_1\rVert_1)` and :math:`\tau_t = \eta` afterwards (no
line search).  The first iteration is a gradient step, d_1 = −g_1.

Reproduces ``torch.optim.LBFGS(lr, max_iter=1, history_size=m, line_search_fn=None,
tolerance_grad, tolerance_change)``; one ``step(closure)`` call is one iteration, i.e. one step
here.  With max_iter = 1 (so max_eval = 1) only two of torch's exits can act, and both are
reproduced exactly:

* **tolerance_grad**: if max|g| ≤ tolerance_grad, ``step`` returns at once — θ and every
  piece of state (history, d, step length, iteration count) stay as they are.  The next step
  sees the same gradient, so the run stays put from then on.
* **tolerance_change** on the directional derivative: if gᵀd > −tolerance_change, torch
  breaks *after* computing the new direction d, updating the history, saving the gradient as
  the previous one and setting the step length, but *before* moving θ; the new d and τ are
  still stored.  At the next step y = g − g_prev = 0, so no pair is added, d comes out the same
  and the run stalls there too.  (Torch's other tolerance_change tests — on |τ·d| and on the
  loss change — sit after the ``n_iter == max_iter`` break and never run with max_iter = 1.)

Bookkeeping: the history is a ring buffer of capacity m in the slots ``s0..s19``/``y0..y19``
(storage for the largest m, 20) with ``rho0..rho19`` the ρ_i; the scalar ``head`` is the
ring position of the oldest pair and ``count`` the number stored; when the buffer is full the
oldest pair is overwritten (torch pops it from the front of its lists).  Slot ``d`` holds the
last direction, ``g_prev`` the last gradient; scalar ``step_len`` is torch's ``t`` (the last
step length), ``H_diag`` is γ, ``n_iter`` counts iterations (steps that got past the
tolerance_grad exit).  Like every slot and scalar they start at 0 and 1.0; the first
iteration — recognised by d = (0, 0), torch's "no d in the state yet" (d is never 0 after an
iteration: max|g| > tolerance_grad and H is positive definite) — sets n_iter = 1, count =
head = 0 and γ = 1, as torch does when its n_iter is 1.  Dot products are x0·y0 + x1·y1 in
that order; torch's BLAS dot may round the two-term sum differently (rounding level).
"""
import numpy as np

from surfaces._jit import jit

from .base import Hyperparam, OptimizerSpec, lr

#: history storage (the largest history_size)
M_MAX = 20

# slot and scalar positions
D, G_PREV, S0, Y0 = 0, 1, 2, 2 + M_MAX
STEP_LEN, H_DIAG, N_ITER, COUNT, HEAD, RHO0 = 0, 1, 2, 3, 4, 5

SPEC = OptimizerSpec(
    id="lbfgs",
    name="L-BFGS",
    hyperparams=(
        lr(1.0),
        Hyperparam("history_size", 10, 1, M_MAX, "linear",
                   "number of (s, y) pairs kept for the inverse-Hessian approximation",
                   integer=True, symbol="m"),
        Hyperparam("tolerance_grad", 1e-7, 1e-20, 1.0, "log",
                   "stop (stay put) once max|g| is at most this", symbol=r"\epsilon_g"),
        Hyperparam("tolerance_change", 1e-9, 1e-20, 1.0, "log",
                   "stop (stay put) once the directional derivative gᵀd is above −this",
                   symbol=r"\epsilon_c"),
    ),
    latex={"paper": r"s_i = \theta_{i+1} - \theta_i,\ y_i = g_{i+1} - g_i\ (\text{last } m) \quad "
                    r"d_t = -H_t\, g_t\ (\text{two-loop recursion},\ H^0 = \tfrac{y^\top s}{y^\top y} I) \quad "
                    r"\theta_t = \theta_{t-1} + \eta\, d_t"},
    citation="Liu & Nocedal (1989), On the limited memory BFGS method for large scale "
             "optimization, Mathematical Programming 45; Nocedal & Wright (2006), Numerical "
             "Optimization, 2nd ed., Springer, Alg. 7.4 and 7.5",
    reference={"paper": "= torch.optim.LBFGS(lr, max_iter=1, history_size=m, tolerance_grad, "
                        "tolerance_change, line_search_fn=None), one step(closure) per step"},
    notes="Quasi-Newton from gradients only: the last m steps and gradient changes build an "
          "inverse-Hessian approximation (pairs with yᵀs ≤ 1e-10 are skipped). The step length "
          "is fixed (η, and η·min(1, 1/‖g‖₁) at the first step; no line search), so a large η "
          "can overshoot. As in torch.optim.LBFGS with max_iter=1: once max|g| ≤ tolerance_grad, "
          "or the direction's slope gᵀd is above −tolerance_change, the run stops moving for good "
          "(in the second case torch has already updated its history and direction).",
    state=("d", "g_prev") + tuple(f"s{i}" for i in range(M_MAX))
          + tuple(f"y{i}" for i in range(M_MAX)),
    scalars=("step_len", "H_diag", "n_iter", "count", "head") + tuple(f"rho{i}" for i in range(M_MAX)),
    group="second-order",
)


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    al = np.empty(M_MAX)
    for j in range(j0, j1):
        lr_ = hp[0, j]
        m = int(hp[1, j])
        tol_grad = hp[2, j]
        tol_change = hp[3, j]
        g0 = g[0, j]
        g1 = g[1, j]
        if max(abs(g0), abs(g1)) <= tol_grad:
            continue  # torch returns before touching θ or the state
        # first iteration: d is still (0, 0) (torch: no "d" in its state yet); afterwards d is
        # never 0, since max|g| > tolerance_grad ≥ 1e-20 and H is positive definite
        first = st[D, 0, j] == 0.0 and st[D, 1, j] == 0.0
        if first:
            sc[N_ITER, j] = 1.0
            d0 = -g0
            d1 = -g1
            sc[COUNT, j] = 0.0
            sc[HEAD, j] = 0.0
            sc[H_DIAG, j] = 1.0
        else:
            sc[N_ITER, j] = sc[N_ITER, j] + 1.0
            # new pair (y, s) from the last step
            yv0 = g0 - st[G_PREV, 0, j]
            yv1 = g1 - st[G_PREV, 1, j]
            tl = sc[STEP_LEN, j]
            sv0 = st[D, 0, j] * tl
            sv1 = st[D, 1, j] * tl
            ys = yv0 * sv0 + yv1 * sv1
            count = int(sc[COUNT, j])
            head = int(sc[HEAD, j])
            if ys > 1e-10:
                if count == m:  # full: overwrite the oldest pair
                    pos = head
                    head = (head + 1) % m
                else:
                    pos = (head + count) % m
                    count += 1
                st[Y0 + pos, 0, j] = yv0
                st[Y0 + pos, 1, j] = yv1
                st[S0 + pos, 0, j] = sv0
                st[S0 + pos, 1, j] = sv1
                sc[RHO0 + pos, j] = 1.0 / ys
                sc[H_DIAG, j] = ys / (yv0 * yv0 + yv1 * yv1)
                sc[COUNT, j] = count
                sc[HEAD, j] = head
            # two-loop recursion, newest to oldest then oldest to newest
            q0 = -g0
            q1 = -g1
            for i in range(count - 1, -1, -1):
                pos = (head + i) % m
                a = (st[S0 + pos, 0, j] * q0 + st[S0 + pos, 1, j] * q1) * sc[RHO0 + pos, j]
                al[i] = a
                q0 = q0 + -a * st[Y0 + pos, 0, j]
                q1 = q1 + -a * st[Y0 + pos, 1, j]
            h = sc[H_DIAG, j]
            d0 = q0 * h
            d1 = q1 * h
            for i in range(count):
                pos = (head + i) % m
                be = (st[Y0 + pos, 0, j] * d0 + st[Y0 + pos, 1, j] * d1) * sc[RHO0 + pos, j]
                d0 = d0 + (al[i] - be) * st[S0 + pos, 0, j]
                d1 = d1 + (al[i] - be) * st[S0 + pos, 1, j]
        st[G_PREV, 0, j] = g0
        st[G_PREV, 1, j] = g1
        if first:
            tl = min(1.0, 1.0 / (abs(g0) + abs(g1))) * lr_
        else:
            tl = lr_
        st[D, 0, j] = d0
        st[D, 1, j] = d1
        sc[STEP_LEN, j] = tl
        gtd = g0 * d0 + g1 * d1
        if gtd > -tol_change:
            continue  # torch breaks here: new d, τ and history kept, θ not moved
        th[0, j] = th[0, j] + tl * d0
        th[1, j] = th[1, j] + tl * d1


def reference(params, hp):
    """``torch.optim.LBFGS`` with one iteration per ``step(closure)`` (the golden cases' library)."""
    import torch

    return torch.optim.LBFGS(params, lr=hp["lr"], max_iter=1, max_eval=None,
                             tolerance_grad=hp["tolerance_grad"],
                             tolerance_change=hp["tolerance_change"],
                             history_size=int(hp["history_size"]), line_search_fn=None)


GOLDEN_CASES = (
    # history wraps around (m = 4) for 160 steps; then gᵀd > −tolerance_change stops the run
    # (a fixed step from the classic start (−1.2, 1) is chaotic: rounding decides the path)
    ("rosenbrock", (0.5, 1.5), {"lr": 0.1, "history_size": 4, "tolerance_grad": 1e-7,
                                "tolerance_change": 1e-9}),
    # m = 2; stops at step 30 through tolerance_grad (max|g| ≤ 1e-4)
    ("quadratic", (-1.5, 0.8), {"lr": 0.5, "history_size": 2, "tolerance_grad": 1e-4,
                                "tolerance_change": 1e-15}),
    # m = 5; torch's default tolerances, the tolerance_change stop after 48 steps
    ("beale", (1.0, 1.5), {"lr": 0.3, "history_size": 5, "tolerance_grad": 1e-7,
                           "tolerance_change": 1e-9}),
    # m = 1: every new pair replaces the only one
    ("booth", (-6.0, -4.0), {"lr": 0.1, "history_size": 1, "tolerance_grad": 1e-7,
                             "tolerance_change": 1e-9}),
)
