r"""AdEMAMix: Adam with a mixture of a fast and a slow gradient average (Pagliardini et al. 2025).

.. math::
    m^{(1)}_t = \beta_1 m^{(1)}_{t-1} + (1-\beta_1) g_t,\quad
    m^{(2)}_t = \beta_3 m^{(2)}_{t-1} + (1-\beta_3) g_t,\quad
    v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2

.. math::
    \theta_t = \theta_{t-1} - \eta\,
      \frac{m^{(1)}_t/(1-\beta_1^t) + \alpha\, m^{(2)}_t}{\sqrt{v_t}/\sqrt{1-\beta_2^t} + \epsilon}

The slow average m⁽²⁾ (β3 = 0.9999: a memory of ~10⁴ steps) is not bias-corrected and is added
with weight α on top of Adam's step.

Optional warm-up (``t_alpha_beta3`` = T > 0; 0 turns it off, the library's ``None``): for the
step t,

.. math::
    \alpha_t = \min(t\alpha/T,\ \alpha),\qquad
    \beta_{3,t} = \min\Bigl(\exp\frac{\ln\beta_1 \ln\beta_3}
        {(1 - t/T)\ln\beta_3 + (t/T)\ln\beta_1},\ \beta_3\Bigr)

Reproduces ``pytorch_optimizer.AdEMAMix`` (weight_decay=0; its per-parameter path,
``foreach=False``), operation by operation:

* m⁽¹⁾ and m⁽²⁾ are ATen's ``lerp(m, g, w)``: m + w·(g − m) for w < 0.5, otherwise
  g − (g − m)·(1 − w), with w = 1 − β1 and w = 1 − β3,t; v is ``v·β2 + ((1 − β2)·g)·g``;
* the numerator is ``m⁽¹⁾/(1 − β1^t)`` then ``+ α_t·m⁽²⁾``; the denominator
  √v / √(1 − β2^t) + ε; the step an ``addcdiv`` with value −η: θ + (−η·u)/d;
* the schedules are evaluated in the library's order ((t·α)/T; the exponent with ``math.log``
  and ``math.exp``).  Where the library's ``math.log`` would fail (β1 = 0 or β3 = 0 with the
  warm-up on), the kernel uses the limits: β3,t = β3^{T/t} for β1 = 0, and 0 for β3 = 0.

β1^t and β2^t are running products here, the library uses ``math.pow``: the same up to rounding.
"""
import math

from surfaces._jit import jit

from ._common import lerp
from .base import BETA1, BETA2, Hyperparam, OptimizerSpec, eps, lr

SPEC = OptimizerSpec(
    id="ademamix",
    name="AdEMAMix",
    hyperparams=(
        lr(1e-3), BETA1, BETA2,
        Hyperparam("beta3", 0.9999, 0.0, 0.99999, "linear",
                   "decay of the slow gradient average (a long memory)", symbol=r"\beta_3"),
        Hyperparam("alpha", 5.0, 0.0, 100.0, "linear",
                   "weight of the slow average in the step", symbol=r"\alpha"),
        eps(1e-8),
        Hyperparam("t_alpha_beta3", 0, 0, 10000, "linear",
                   "warm-up length in steps of alpha and beta3 (0: no warm-up)",
                   integer=True, symbol=r"T_{\alpha,\beta_3}"),
    ),
    latex={"paper": r"m^{(1)}_t = \beta_1 m^{(1)}_{t-1} + (1-\beta_1) g_t \quad "
                    r"m^{(2)}_t = \beta_3 m^{(2)}_{t-1} + (1-\beta_3) g_t \quad "
                    r"v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \quad "
                    r"\theta_t = \theta_{t-1} - \eta\,\frac{\hat m^{(1)}_t + \alpha\, m^{(2)}_t}"
                    r"{\sqrt{\hat v_t} + \epsilon}"},
    citation="Pagliardini, Ablin & Grangier (2025), The AdEMAMix Optimizer: Better, Faster, "
             "Older, ICLR (arXiv 2409.03137, 2024)",
    reference={"paper": "= pytorch_optimizer.AdEMAMix(lr, betas=(beta1, beta2, beta3), alpha, eps, "
                        "t_alpha_beta3 (0 -> None), weight_decay=0)"},
    notes="Adam plus a slow, un-bias-corrected gradient average m⁽²⁾ (β3 ≈ 0.9999) added with "
          "weight α: old gradients keep pushing long after they were seen. With "
          "t_alpha_beta3 = T > 0, α and β3 warm up over the first T steps (α linearly, β3 on the "
          "library's log schedule); 0 turns the warm-up off (the library's None). Matches "
          "pytorch_optimizer.AdEMAMix to rounding.",
    state=("m1", "v", "m2"),
    scalars=("beta1^t", "beta2^t"),
    group="beyond",
)


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    for j in range(j0, j1):
        lr_ = hp[0, j]
        b1 = hp[1, j]
        b2 = hp[2, j]
        b3 = hp[3, j]
        alpha = hp[4, j]
        e = hp[5, j]
        warm = hp[6, j]
        b1t = sc[0, j] * b1
        b2t = sc[1, j] * b2
        sc[0, j] = b1t
        sc[1, j] = b2t
        bc1 = 1.0 - b1t
        sqrt_bc2 = math.sqrt(1.0 - b2t)
        if warm > 0.0:
            alpha_t = min(t * alpha / warm, alpha)
            if b3 == 0.0:
                b3_t = 0.0
            elif b1 == 0.0:
                b3_t = min(math.pow(b3, warm / t), b3)
            else:
                lb1 = math.log(b1)
                lb3 = math.log(b3)
                s = t / warm
                b3_t = min(math.exp(lb1 * lb3 / ((1.0 - s) * lb3 + s * lb1)), b3)
        else:
            alpha_t = alpha
            b3_t = b3
        for c in range(2):
            gc = g[c, j]
            m1 = lerp(st[0, c, j], gc, 1.0 - b1)
            v = st[1, c, j] * b2 + (1.0 - b2) * gc * gc
            m2 = lerp(st[2, c, j], gc, 1.0 - b3_t)
            st[0, c, j] = m1
            st[1, c, j] = v
            st[2, c, j] = m2
            d = math.sqrt(v) / sqrt_bc2 + e
            u = m1 / bc1 + alpha_t * m2
            th[c, j] = th[c, j] + -lr_ * u / d


def reference(params, hp):
    """``pytorch_optimizer.AdEMAMix`` with every option set (the golden cases' library)."""
    import pytorch_optimizer

    warm = hp.get("t_alpha_beta3", 0)
    return pytorch_optimizer.AdEMAMix(params, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"], hp["beta3"]),
                                      weight_decay=0.0, weight_decouple=False, fixed_decay=False,
                                      alpha=hp["alpha"], t_alpha_beta3=warm if warm else None,
                                      eps=hp["eps"], maximize=False, foreach=False)


GOLDEN_CASES = (
    ("rosenbrock", (-1.2, 1.0), {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "beta3": 0.9999,
                                 "alpha": 5.0, "eps": 1e-8, "t_alpha_beta3": 0}),
    # warm-up on: alpha and beta3 ramp over the first 200 of the 300 steps
    ("quadratic", (-1.5, 0.8), {"lr": 0.02, "beta1": 0.9, "beta2": 0.99, "beta3": 0.999,
                                "alpha": 5.0, "eps": 1e-8, "t_alpha_beta3": 200}),
    ("beale", (1.0, 1.5), {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "beta3": 0.99,
                           "alpha": 2.0, "eps": 1e-8, "t_alpha_beta3": 100}),
)
