r"""AdaBelief (survey Alg. 9; Zhuang et al. 2020).

.. math::
    s_t = \beta_2 s_{t-1} + (1-\beta_2)(g_t - m_t)^2 + \epsilon,\qquad
    \theta_t = \theta_{t-1} - \eta\, \hat m_t / (\sqrt{\hat s_t} + \epsilon)

m as in Adam, :math:`\hat s_t = s_t/(1-\beta_2^t)`; ε enters twice, as in the paper.  Equals
``pytorch_optimizer.AdaBelief(rectify=False)``.
"""
import math

from surfaces._jit import jit

from .base import BETA1, BETA2, OptimizerSpec, eps, lr

SPEC = OptimizerSpec(
    id="adabelief",
    name="AdaBelief",
    state=("m", "s"),
    scalars=("beta1^t", "beta2^t"),
    hyperparams=(lr(1e-3), BETA1, BETA2, eps(1e-16)),
    latex={"paper": r"s_t = \beta_2 s_{t-1} + (1-\beta_2)(g_t - m_t)^2 + \epsilon \quad "
                    r"\theta_t = \theta_{t-1} - \frac{\eta\, \hat m_t}{\sqrt{\hat s_t} + \epsilon}"},
    citation="Zhuang et al. (2020), AdaBelief Optimizer: Adapting Stepsizes by the Belief in "
             "Observed Gradients, NeurIPS; survey Alg. 9",
    reference={"paper": "survey Alg. 9 = pytorch_optimizer.AdaBelief(rectify=False)"},
)


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    for j in range(j0, j1):
        lr_ = hp[0, j]
        b1 = hp[1, j]
        b2 = hp[2, j]
        e = hp[3, j]
        b1t = sc[0, j] * b1
        b2t = sc[1, j] * b2
        sc[0, j] = b1t
        sc[1, j] = b2t
        step_size = lr_ / (1.0 - b1t)
        sqrt_bc2 = math.sqrt(1.0 - b2t)
        for c in range(2):
            gc = g[c, j]
            m = b1 * st[0, c, j] + (1.0 - b1) * gc
            r = gc - m
            s = b2 * st[1, c, j] + (1.0 - b2) * r * r + e
            st[0, c, j] = m
            st[1, c, j] = s
            th[c, j] = th[c, j] - step_size * (m / (math.sqrt(s) / sqrt_bc2 + e))
