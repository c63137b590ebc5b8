r"""Adadelta (Zeiler 2012; described in prose in the survey).

.. math::
    E_t = \rho E_{t-1} + (1-\rho) g_t^2,\quad
    \Delta_t = \frac{\sqrt{D_{t-1}+\epsilon}}{\sqrt{E_t+\epsilon}}\, g_t,\quad
    D_t = \rho D_{t-1} + (1-\rho)\Delta_t^2,\quad \theta_t = \theta_{t-1} - \eta\,\Delta_t

Equals ``torch.optim.Adadelta``.
"""
import math

from surfaces._jit import jit

from .base import RHO, Hyperparam, OptimizerSpec, eps

SPEC = OptimizerSpec(
    id="adadelta",
    name="Adadelta",
    state=("E_g2", "E_dx2"),
    hyperparams=(
        Hyperparam("lr", 1.0, 1e-7, 100.0, "log", "learning rate: scales the update (1.0 in the paper)", symbol=r"\eta"),
        RHO,
        eps(1e-6),
    ),
    latex={"paper": r"E_t = \rho E_{t-1} + (1-\rho) g_t^2 \quad "
                    r"\Delta_t = \frac{\sqrt{D_{t-1}+\epsilon}}{\sqrt{E_t+\epsilon}}\, g_t \quad "
                    r"D_t = \rho D_{t-1} + (1-\rho)\Delta_t^2 \quad \theta_t = \theta_{t-1} - \eta\,\Delta_t"},
    citation="Zeiler (2012), ADADELTA: An Adaptive Learning Rate Method, arXiv:1212.5701",
    reference={"paper": "Zeiler (2012) = torch.optim.Adadelta"},
)


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    for j in range(j0, j1):
        lr_ = hp[0, j]
        rho = hp[1, j]
        e = hp[2, j]
        for c in range(2):
            gc = g[c, j]
            E = rho * st[0, c, j] + (1.0 - rho) * gc * gc
            st[0, c, j] = E
            d = math.sqrt(st[1, c, j] + e) / math.sqrt(E + e) * gc
            st[1, c, j] = rho * st[1, c, j] + (1.0 - rho) * d * d
            th[c, j] = th[c, j] - lr_ * d
