r"""RMSProp (survey Alg. 5; Tieleman & Hinton 2012).

.. math:: G_t = \rho G_{t-1} + (1-\rho) g_t^2,\qquad \theta_t = \theta_{t-1} - \eta\, g_t / (\sqrt{G_t} + \epsilon)

Equals ``torch.optim.RMSprop(alpha=ρ)``.
"""
import math

from surfaces._jit import jit

from .base import RHO, OptimizerSpec, eps, lr

SPEC = OptimizerSpec(
    id="rmsprop",
    name="RMSProp",
    state=("G",),
    hyperparams=(lr(1e-2), RHO, eps(1e-8)),
    latex={"paper": r"G_t = \rho G_{t-1} + (1-\rho) g_t^2 \qquad \theta_t = \theta_{t-1} - \frac{\eta\, g_t}{\sqrt{G_t} + \epsilon}"},
    citation="Tieleman & Hinton (2012), Lecture 6.5, COURSERA: Neural Networks for Machine Learning; survey Alg. 5",
    reference={"paper": "survey Alg. 5 = torch.optim.RMSprop(alpha=ρ)"},
)


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    for j in range(j0, j1):
        lr_ = hp[0, j]
        rho = hp[1, j]
        e = hp[2, j]
        for c in range(2):
            gc = g[c, j]
            G = rho * st[0, c, j] + (1.0 - rho) * gc * gc
            st[0, c, j] = G
            th[c, j] = th[c, j] - lr_ * gc / (math.sqrt(G) + e)
