r"""Nesterov accelerated gradient (survey Alg. 3; Nesterov 1983, Sutskever et al. 2013).

paper (corrected look-ahead, gradient taken at the look-ahead point):

.. math::
    \tilde\theta = \theta_{t-1} - \eta\beta m_{t-1},\quad g_t = \nabla f(\tilde\theta),\quad
    m_t = \beta m_{t-1} + g_t,\quad \theta_t = \theta_{t-1} - \eta m_t

reference (``torch.optim.SGD(momentum=β, nesterov=True)``), gradient at θ:

.. math:: m_t = \beta m_{t-1} + g_t,\quad \theta_t = \theta_{t-1} - \eta (g_t + \beta m_t)

The survey prints the look-ahead as θ − β·m, which drops the learning rate; with this m the
correct look-ahead is θ − η·β·m.  The two variants describe the same method in shifted
coordinates (φ_t = θ_t − η·β·m_t), so their paths differ point by point.
"""
from surfaces._jit import jit

from .base import MOMENTUM, PAPER, OptimizerSpec, lr

SPEC = OptimizerSpec(
    id="nag",
    name="Nesterov (NAG)",
    state=("m",),
    hyperparams=(lr(1e-2), MOMENTUM),
    variants=("paper", "reference"),
    latex={
        "paper": r"\tilde\theta = \theta_{t-1} - \eta\beta m_{t-1} \quad g_t = \nabla f(\tilde\theta)"
                 r" \quad m_t = \beta m_{t-1} + g_t \quad \theta_t = \theta_{t-1} - \eta\, m_t",
        "reference": r"m_t = \beta m_{t-1} + g_t \qquad \theta_t = \theta_{t-1} - \eta\,(g_t + \beta m_t)",
    },
    citation="Nesterov (1983); Sutskever, Martens, Dahl & Hinton (2013), On the importance of "
             "initialization and momentum in deep learning; survey Alg. 3",
    reference={"paper": "survey Alg. 3 with the look-ahead corrected to θ − η·β·m",
               "reference": "torch.optim.SGD(momentum=β, nesterov=True)"},
)


@jit
def grad_point(variant, hp, th, st, pt, j0, j1):
    """Paper form: the gradient is taken at θ − η·β·m.  Returns True if ``pt`` was written."""
    if variant != PAPER:
        return False
    for j in range(j0, j1):
        shift = hp[0, j] * hp[1, j]
        for c in range(2):
            pt[c, j] = th[c, j] - shift * st[0, c, j]
    return True


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    for j in range(j0, j1):
        lr_ = hp[0, j]
        mu = hp[1, j]
        for c in range(2):
            m = mu * st[0, c, j] + g[c, j]
            st[0, c, j] = m
            if variant == PAPER:
                th[c, j] = th[c, j] - lr_ * m
            else:
                th[c, j] = th[c, j] - lr_ * (g[c, j] + mu * m)
