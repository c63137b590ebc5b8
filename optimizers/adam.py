r"""Adam (survey Alg. 6; Kingma & Ba 2015).

.. math::
    m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\quad
    \theta_t = \theta_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

with :math:`\hat m_t = m_t/(1-\beta_1^t)`, :math:`\hat v_t = v_t/(1-\beta_2^t)`.  Equals
``torch.optim.Adam``; the last line is evaluated in torch's order,
θ − (η/bc1)·m / (√v/√bc2 + ε), which is the same number up to rounding.
"""
import math

from surfaces._jit import jit

from .base import BETA1, BETA2, OptimizerSpec, eps, lr

LATEX = (r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t \quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2"
         r" \quad \theta_t = \theta_{t-1} - \frac{\eta\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}")

SPEC = OptimizerSpec(
    id="adam",
    name="Adam",
    state=("m", "v"),
    scalars=("beta1^t", "beta2^t"),
    hyperparams=(lr(1e-3), BETA1, BETA2, eps(1e-8)),
    latex={"paper": LATEX},
    citation="Kingma & Ba (2015), Adam: A Method for Stochastic Optimization, ICLR; survey Alg. 6",
    reference={"paper": "survey Alg. 6 = torch.optim.Adam"},
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
        inv_sqrt_bc2 = 1.0 / math.sqrt(1.0 - b2t)
        for c in range(2):
            gc = g[c, j]
            m = b1 * st[0, c, j] + (1.0 - b1) * gc
            v = b2 * st[1, c, j] + (1.0 - b2) * gc * gc
            st[0, c, j] = m
            st[1, c, j] = v
            th[c, j] = th[c, j] - step_size * (m / (math.sqrt(v) * inv_sqrt_bc2 + e))
