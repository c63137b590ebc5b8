r"""AdaGrad (survey Alg. 4; Duchi, Hazan & Singer 2011).

.. math:: G_t = G_{t-1} + g_t^2,\qquad \theta_t = \theta_{t-1} - \eta\, g_t / (\sqrt{G_t} + \epsilon)

Equals ``torch.optim.Adagrad`` (no lr decay, initial accumulator 0).
"""
import math

from surfaces._jit import jit

from .base import OptimizerSpec, eps, lr

SPEC = OptimizerSpec(
    id="adagrad",
    name="AdaGrad",
    state=("G",),
    hyperparams=(lr(1e-2), eps(1e-10)),
    latex={"paper": r"G_t = G_{t-1} + g_t^2 \qquad \theta_t = \theta_{t-1} - \frac{\eta\, g_t}{\sqrt{G_t} + \epsilon}"},
    citation="Duchi, Hazan & Singer (2011), Adaptive subgradient methods for online learning "
             "and stochastic optimization, JMLR 12; survey Alg. 4",
    reference={"paper": "survey Alg. 4 = torch.optim.Adagrad"},
)


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    for j in range(j0, j1):
        lr_ = hp[0, j]
        e = hp[1, j]
        for c in range(2):
            gc = g[c, j]
            G = st[0, c, j] + gc * gc
            st[0, c, j] = G
            th[c, j] = th[c, j] - lr_ * gc / (math.sqrt(G) + e)
