r"""Adan: adaptive Nesterov momentum (Xie et al. 2022/2024).

With :math:`\Delta_t = g_t - g_{t-1}` (:math:`\Delta_1 = 0`):

.. math::
    m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad
    n_t = \beta_2 n_{t-1} + (1-\beta_2) \Delta_t,\quad
    v_t = \beta_3 v_{t-1} + (1-\beta_3) (g_t + \beta_2 \Delta_t)^2

.. math::
    d_t = \sqrt{v_t}/\sqrt{1-\beta_3^t} + \epsilon,\quad
    \theta_t = \Bigl(\theta_{t-1} - \frac{\eta}{1-\beta_1^t}\frac{m_t}{d_t}
               - \frac{\eta\,\beta_2}{1-\beta_2^t}\frac{n_t}{d_t}\Bigr) \Big/ (1 + \eta\lambda)

Reproduces ``pytorch_optimizer.Adan`` (max_grad_norm=0, i.e. no gradient clipping;
weight_decouple=False; its per-parameter path, ``foreach=False``), operation by operation:

* the library's β's are the decay rates (β1 = 0.98, β2 = 0.92, β3 = 0.99); the paper writes
  the same method with 1 − β (0.02, 0.08, 0.01).
* At the first step the previous gradient is taken to be g_1 itself (the library stores
  −g_1 before the first update), so Δ_1 = 0.  The slot ``g_prev`` holds g_{t−1}; Δ is
  evaluated as (−g_{t−1}) + g_t, which is g_t − g_{t−1} exactly.
* m and n are ATen's ``lerp``: a + w·(b − a) for w = 1 − β < 0.5, otherwise
  b − (b − a)·(1 − w); v is ``v·β3 + ((1 − β3)·u)·u`` with u = Δ·β2 + g.
* The three moments are bias-corrected (not in the paper's Algorithm 1, which has none): the
  denominator √v / √(1 − β3^t) + ε, then two ``addcdiv`` steps, θ + (c1·m)/d with
  c1 = −η/(1 − β1^t) and θ + (c2·n)/d with c2 = (−η·β2)/(1 − β2^t).
* Weight decay λ is the paper's proximal form, applied last: θ / (1 + ηλ) (skipped when λ = 0).
* No restart condition.

The powers β^t are running products here, the library uses ``math.pow``: the same up to rounding.
"""
import dataclasses
import math

from surfaces._jit import jit

from ._common import lerp
from .base import BETA1, BETA2, Hyperparam, OptimizerSpec, eps, lr

SPEC = OptimizerSpec(
    id="adan",
    name="Adan",
    hyperparams=(
        lr(1e-3),
        dataclasses.replace(BETA1, default=0.98),
        dataclasses.replace(BETA2, default=0.92, help="decay of the mean of gradient differences"),
        Hyperparam("beta3", 0.99, 0.0, 0.99999, "linear",
                   "decay of the second moment (mean of squared corrected gradients)",
                   symbol=r"\beta_3"),
        eps(1e-8),
        Hyperparam("weight_decay", 0.0, 0.0, 1.0, "linear",
                   "proximal weight decay: θ ← θ/(1 + ηλ) after each step", symbol=r"\lambda"),
    ),
    latex={"paper": r"\Delta_t = g_t - g_{t-1} \quad m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t \quad "
                    r"n_t = \beta_2 n_{t-1} + (1-\beta_2)\Delta_t \quad "
                    r"v_t = \beta_3 v_{t-1} + (1-\beta_3)(g_t + \beta_2\Delta_t)^2 \quad "
                    r"\theta_t = \frac{\theta_{t-1} - \eta\,(\hat m_t + \beta_2 \hat n_t)"
                    r"/(\sqrt{\hat v_t} + \epsilon)}{1 + \eta\lambda}"},
    citation="Xie, Zhou, Li, Lin & Yan (2024), Adan: Adaptive Nesterov Momentum Algorithm for "
             "Faster Optimizing Deep Models, IEEE TPAMI (arXiv 2208.06677, 2022)",
    reference={"paper": "= pytorch_optimizer.Adan(lr, betas=(beta1, beta2, beta3), eps, "
                        "weight_decay, weight_decouple=False, max_grad_norm=0)"},
    notes="Three moving averages: of the gradient (m), of the gradient difference "
          "Δ_t = g_t − g_{t−1} (n, the Nesterov-like correction), and of the squared corrected "
          "gradient g_t + β2·Δ_t (v). β's are decay rates as in the library (the paper writes "
          "1 − β). At step 1, Δ = 0. All three moments are bias-corrected, and weight decay is "
          "the paper's proximal θ/(1 + ηλ). No gradient clipping, no restarts. Matches "
          "pytorch_optimizer.Adan to rounding.",
    state=("m", "n", "v", "g_prev"),
    scalars=("beta1^t", "beta2^t", "beta3^t"),
    group="beyond",
)


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    for j in range(j0, j1):
        lr_ = hp[0, j]
        b1 = hp[1, j]
        b2 = hp[2, j]
        b3 = hp[3, j]
        e = hp[4, j]
        wd = hp[5, j]
        b1t = sc[0, j] * b1
        b2t = sc[1, j] * b2
        b3t = sc[2, j] * b3
        sc[0, j] = b1t
        sc[1, j] = b2t
        sc[2, j] = b3t
        sqrt_bc3 = math.sqrt(1.0 - b3t)
        c1 = -lr_ / (1.0 - b1t)
        c2 = -lr_ * b2 / (1.0 - b2t)
        for c in range(2):
            gc = g[c, j]
            gp = gc if t == 1 else st[3, c, j]
            diff = -gp + gc
            m = lerp(st[0, c, j], gc, 1.0 - b1)
            n = lerp(st[1, c, j], diff, 1.0 - b2)
            u = diff * b2 + gc
            v = st[2, c, j] * b3 + (1.0 - b3) * u * u
            st[0, c, j] = m
            st[1, c, j] = n
            st[2, c, j] = v
            st[3, c, j] = gc
            d = math.sqrt(v) / sqrt_bc3 + e
            p = th[c, j] + c1 * m / d
            p = p + c2 * n / d
            if wd != 0.0:
                p = p / (1.0 + lr_ * wd)
            th[c, j] = p


def reference(params, hp):
    """``pytorch_optimizer.Adan`` with every option set (the golden cases' library)."""
    import pytorch_optimizer

    return pytorch_optimizer.Adan(params, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"], hp["beta3"]),
                                  weight_decay=hp["weight_decay"], weight_decouple=False,
                                  max_grad_norm=0.0, foreach=False, eps=hp["eps"], maximize=False)


GOLDEN_CASES = (
    ("rosenbrock", (-1.2, 1.0), {"lr": 0.02, "beta1": 0.98, "beta2": 0.92, "beta3": 0.99,
                                 "eps": 1e-8, "weight_decay": 0.0}),
    ("quadratic", (-1.5, 0.8), {"lr": 0.05, "beta1": 0.9, "beta2": 0.9, "beta3": 0.99,
                                "eps": 1e-8, "weight_decay": 0.2}),
    ("beale", (1.0, 1.5), {"lr": 0.02, "beta1": 0.98, "beta2": 0.92, "beta3": 0.99,
                           "eps": 1e-8, "weight_decay": 0.0}),
)
