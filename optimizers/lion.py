r"""Lion: evolved sign momentum (Chen et al. 2023).

.. math::
    \theta' = \theta_{t-1}(1 - \eta\lambda),\quad
    u_t = \mathrm{sign}\bigl(\beta_1 m_{t-1} + (1-\beta_1) g_t\bigr),\quad
    \theta_t = \theta' - \eta\, u_t,\quad
    m_t = \beta_2 m_{t-1} + (1-\beta_2) g_t

Every coordinate moves by exactly η (or 0 where the interpolation is exactly 0, sign(0) = 0),
whatever the gradient's size; the direction mixes the momentum with the current gradient using
β1, and the momentum itself is updated with the slower β2.

Reproduces ``pytorch_optimizer.Lion`` (weight_decouple=True, fixed_decay=False; its
per-parameter path, ``foreach=False``), operation by operation:

* decoupled weight decay first: θ·(1 − λ·η) (skipped when λ = 0, as the library does);
* both interpolations are ATen's ``lerp(m, g, w)``: m + w·(g − m) for w < 0.5, otherwise
  g − (g − m)·(1 − w), with w = 1 − β1 for the update and w = 1 − β2 for the momentum;
* the step is ``add_(u, alpha=−η)``: θ' + (−η)·u.
"""
import dataclasses

from surfaces._jit import jit

from ._common import lerp
from .base import BETA1, Hyperparam, OptimizerSpec, lr

SPEC = OptimizerSpec(
    id="lion",
    name="Lion",
    hyperparams=(
        lr(1e-4),
        dataclasses.replace(BETA1, help="interpolation between momentum and gradient for the "
                                        "update's sign"),
        Hyperparam("beta2", 0.99, 0.0, 0.99999, "linear",
                   "decay of the momentum (the interpolation of the update uses beta1)",
                   symbol=r"\beta_2"),
        Hyperparam("weight_decay", 0.0, 0.0, 1.0, "linear",
                   "decoupled weight decay: shrinks θ towards 0 each step", symbol=r"\lambda"),
    ),
    latex={"paper": r"u_t = \mathrm{sign}\bigl(\beta_1 m_{t-1} + (1-\beta_1) g_t\bigr) \quad "
                    r"\theta_t = \theta_{t-1}(1-\eta\lambda) - \eta\, u_t \quad "
                    r"m_t = \beta_2 m_{t-1} + (1-\beta_2) g_t"},
    citation="Chen, Liang, Huang, Real, Wang, Pham, Dong, Luong, Hsieh, Lu & Le (2023), "
             "Symbolic Discovery of Optimization Algorithms, NeurIPS",
    reference={"paper": "= pytorch_optimizer.Lion(lr, betas=(beta1, beta2), weight_decay, "
                        "weight_decouple=True, fixed_decay=False)"},
    notes="A sign method: each coordinate moves by exactly η per step (0 only where the "
          "interpolated momentum is exactly 0), so the step size does not shrink near a minimum "
          "and the path ends in a zig-zag of size η around it. The update direction uses β1, the "
          "stored momentum the slower β2. Weight decay is decoupled (θ ← θ(1 − ηλ) first). "
          "Matches pytorch_optimizer.Lion to rounding.",
    state=("m",),
    group="beyond",
)


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    for j in range(j0, j1):
        lr_ = hp[0, j]
        b1 = hp[1, j]
        b2 = hp[2, j]
        wd = hp[3, j]
        for c in range(2):
            gc = g[c, j]
            p = th[c, j]
            if wd != 0.0:
                p = p * (1.0 - wd * lr_)
            m = st[0, c, j]
            x = lerp(m, gc, 1.0 - b1)
            u = 1.0 if x > 0.0 else (-1.0 if x < 0.0 else x)  # sign; 0 and NaN stay as they are
            st[0, c, j] = lerp(m, gc, 1.0 - b2)
            th[c, j] = p + -lr_ * u


def reference(params, hp):
    """``pytorch_optimizer.Lion`` with every option set (the golden cases' library)."""
    import pytorch_optimizer

    return pytorch_optimizer.Lion(params, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]),
                                  weight_decay=hp["weight_decay"], weight_decouple=True,
                                  fixed_decay=False, foreach=False, maximize=False)


GOLDEN_CASES = (
    ("rosenbrock", (-1.2, 1.0), {"lr": 0.003, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.0}),
    ("quadratic", (-1.5, 0.8), {"lr": 0.01, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.5}),
    ("booth", (-6.0, -4.0), {"lr": 0.05, "beta1": 0.95, "beta2": 0.98, "weight_decay": 0.1}),
)
