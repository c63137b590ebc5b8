r"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019).

.. math::
    \theta' = \theta_{t-1}(1 - \eta\lambda),\qquad
    \theta_t = \theta' - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

The gradient is taken at θ_{t-1}; m, v as in Adam.  Equals ``torch.optim.AdamW``.
"""
import math

from surfaces._jit import jit

from .base import BETA1, BETA2, Hyperparam, OptimizerSpec, eps, lr

SPEC = OptimizerSpec(
    id="adamw",
    name="AdamW",
    state=("m", "v"),
    scalars=("beta1^t", "beta2^t"),
    hyperparams=(lr(1e-3), BETA1, BETA2, eps(1e-8),
                 Hyperparam("weight_decay", 1e-2, 0.0, 1.0, "linear",
                            "decoupled weight decay: shrinks θ towards 0 each step", symbol=r"\lambda")),
    latex={"paper": r"\theta' = \theta_{t-1}(1 - \eta\lambda) \quad m_t,\ v_t \text{ as Adam} \quad "
                    r"\theta_t = \theta' - \frac{\eta\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}"},
    citation="Loshchilov & Hutter (2019), Decoupled Weight Decay Regularization, ICLR",
    reference={"paper": "Loshchilov & Hutter (2019) = torch.optim.AdamW"},
)


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    for j in range(j0, j1):
        lr_ = hp[0, j]
        b1 = hp[1, j]
        b2 = hp[2, j]
        e = hp[3, j]
        wd = hp[4, j]
        b1t = sc[0, j] * b1
        b2t = sc[1, j] * b2
        sc[0, j] = b1t
        sc[1, j] = b2t
        step_size = lr_ / (1.0 - b1t)
        sqrt_bc2 = math.sqrt(1.0 - b2t)
        for c in range(2):
            gc = g[c, j]
            m = b1 * st[0, c, j] + (1.0 - b1) * gc
            v = b2 * st[1, c, j] + (1.0 - b2) * gc * gc
            st[0, c, j] = m
            st[1, c, j] = v
            p = th[c, j] * (1.0 - lr_ * wd)
            th[c, j] = p - step_size * (m / (math.sqrt(v) / sqrt_bc2 + e))
