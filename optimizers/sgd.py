r"""SGD: stochastic gradient descent (survey Alg. 1; Robbins & Monro 1951).

.. math:: \theta_t = \theta_{t-1} - \eta\, g_t

Equals ``torch.optim.SGD(lr)`` exactly.
"""
from surfaces._jit import jit

from .base import OptimizerSpec, lr

SPEC = OptimizerSpec(
    id="sgd",
    name="SGD",
    hyperparams=(lr(1e-2),),
    latex={"paper": r"\theta_t = \theta_{t-1} - \eta\, g_t"},
    citation="Robbins & Monro (1951), A Stochastic Approximation Method; survey Alg. 1",
    reference={"paper": "survey Alg. 1 = torch.optim.SGD"},
)


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    for j in range(j0, j1):
        lr_ = hp[0, j]
        for c in range(2):
            th[c, j] = th[c, j] - lr_ * g[c, j]
