r"""SGD with momentum (heavy ball; survey Alg. 2; Polyak 1964).

.. math::
    m_t = \beta m_{t-1} + g_t, \qquad \theta_t = \theta_{t-1} - \eta\, m_t

Equals ``torch.optim.SGD(lr, momentum=β, dampening=0)`` exactly.
"""
from surfaces._jit import jit

from .base import MOMENTUM, OptimizerSpec, lr

SPEC = OptimizerSpec(
    id="sgdm",
    name="SGD with momentum",
    state=("m",),
    hyperparams=(lr(1e-2), MOMENTUM),
    latex={"paper": r"m_t = \beta m_{t-1} + g_t \qquad \theta_t = \theta_{t-1} - \eta\, m_t"},
    citation="Polyak (1964), Some methods of speeding up the convergence of iteration methods; survey Alg. 2",
    reference={"paper": "survey Alg. 2 = torch.optim.SGD(momentum=β, dampening=0)"},
)


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    for j in range(j0, j1):
        lr_ = hp[0, j]
        mu = hp[1, j]
        for c in range(2):
            m = mu * st[0, c, j] + g[c, j]
            st[0, c, j] = m
            th[c, j] = th[c, j] - lr_ * m
