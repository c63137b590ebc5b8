r"""AdaMax: Adam with the infinity norm (Kingma & Ba 2015, sec. 7.1).

.. math::
    m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad
    u_t = \max(\beta_2 u_{t-1},\ |g_t| + \epsilon),\quad
    \theta_t = \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\,\frac{m_t}{u_t}

Reproduces ``torch.optim.Adamax`` (weight_decay=0; its single-tensor path, ``foreach=False``),
operation by operation:

* ε is added to |g| *inside* the maximum (torch's ``max(u·β2, |g| + ε)``), not to the
  denominator as in the paper's Algorithm 2 (which has no ε): u_t ≥ ε always, so the first
  step does not divide by zero where a gradient component is 0.
* m is ATen's ``lerp(m, g, 1 − β1)``: m + w·(g − m) for w = 1 − β1 < 0.5, otherwise
  g − (g − m)·(1 − w).
* The step is an ``addcdiv`` with value −η/(1 − β1^t): θ + (c·m)/u.

β1^t is a running product here, torch uses ``beta1**step``: the same up to rounding.
"""
from surfaces._jit import jit

from ._common import lerp
from .base import BETA1, BETA2, OptimizerSpec, eps, lr

SPEC = OptimizerSpec(
    id="adamax",
    name="AdaMax",
    hyperparams=(lr(2e-3), BETA1, BETA2, eps(1e-8)),
    latex={"paper": r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t \quad "
                    r"u_t = \max(\beta_2 u_{t-1},\ |g_t| + \epsilon) \quad "
                    r"\theta_t = \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\,\frac{m_t}{u_t}"},
    citation="Kingma & Ba (2015), Adam: A Method for Stochastic Optimization, ICLR "
             "(sec. 7.1, AdaMax)",
    reference={"paper": "= torch.optim.Adamax(lr, betas=(beta1, beta2), eps, weight_decay=0)"},
    notes="Adam's second moment replaced by an exponentially decaying infinity norm "
          "u_t = max(β2·u_{t−1}, |g_t| + ε), which needs no bias correction. As in "
          "torch.optim.Adamax, ε is added to |g| inside the maximum (the paper has no ε). "
          "Matches torch.optim.Adamax to rounding.",
    state=("m", "u"),
    scalars=("beta1^t",),
    group="beyond",
)


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    for j in range(j0, j1):
        lr_ = hp[0, j]
        b1 = hp[1, j]
        b2 = hp[2, j]
        e = hp[3, j]
        b1t = sc[0, j] * b1
        sc[0, j] = b1t
        clr = lr_ / (1.0 - b1t)
        for c in range(2):
            gc = g[c, j]
            m = lerp(st[0, c, j], gc, 1.0 - b1)
            u = max(st[1, c, j] * b2, abs(gc) + e)
            st[0, c, j] = m
            st[1, c, j] = u
            th[c, j] = th[c, j] + -clr * m / u


def reference(params, hp):
    """``torch.optim.Adamax`` with every option set (the golden cases' library)."""
    import torch

    return torch.optim.Adamax(params, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                              weight_decay=0.0, foreach=False, maximize=False,
                              differentiable=False, capturable=False)


GOLDEN_CASES = (
    ("rosenbrock", (-1.2, 1.0), {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
    # a large ε with a short memory: u falls to its floor |g| + ε near the minimum
    ("quadratic", (-1.5, 0.8), {"lr": 0.05, "beta1": 0.8, "beta2": 0.9, "eps": 0.1}),
    ("booth", (-6.0, -4.0), {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
)
