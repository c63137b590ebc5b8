r"""Adam (survey Alg. 6; Kingma & Ba 2015).

.. math::
    m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\quad
    \theta_t = \theta_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

with :math:`\hat m_t = m_t/(1-\beta_1^t)`, :math:`\hat v_t = v_t/(1-\beta_2^t)`.  Equals
``torch.optim.Adam``; the last line is evaluated as θ − (η/bc1)·m / (√v·(1/√bc2) + ε), which
is torch's θ − (η/bc1)·m / (√v/√bc2 + ε) up to rounding.  bc1 and 1/√bc2 depend on β1, β2 and
t only: when every run of a sweep chunk shares β1 and β2, they are computed once per chunk
instead of once per run (the same numbers either way).
"""
import math

from surfaces._jit import jit

from ._common import uniform_rows
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


@jit(inline="always")
def _update(j, step_size, b1, b2, e, inv_sqrt_bc2, th, g, st):
    for c in range(2):
        gc = g[c, j]
        m = b1 * st[0, c, j] + (1.0 - b1) * gc
        v = b2 * st[1, c, j] + (1.0 - b2) * gc * gc
        st[0, c, j] = m
        st[1, c, j] = v
        th[c, j] = th[c, j] - step_size * (m / (math.sqrt(v) * inv_sqrt_bc2 + e))


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    if uniform_rows(hp, 1, 3, j0, j1):
        # β1 and β2 shared by every run (every run has taken t steps): the bias corrections
        # are computed once, not per run; the same numbers as the general loop below
        b1 = hp[1, j0]
        b2 = hp[2, j0]
        b1t = sc[0, j0] * b1
        b2t = sc[1, j0] * b2
        bc1 = 1.0 - b1t
        inv_sqrt_bc2 = 1.0 / math.sqrt(1.0 - b2t)
        for j in range(j0, j1):
            sc[0, j] = b1t
            sc[1, j] = b2t
            _update(j, hp[0, j] / bc1, b1, b2, hp[3, j], inv_sqrt_bc2, th, g, st)
        return
    for j in range(j0, j1):
        b1 = hp[1, j]
        b2 = hp[2, j]
        b1t = sc[0, j] * b1
        b2t = sc[1, j] * b2
        sc[0, j] = b1t
        sc[1, j] = b2t
        _update(j, hp[0, j] / (1.0 - b1t), b1, b2, hp[3, j], 1.0 / math.sqrt(1.0 - b2t), th, g, st)
