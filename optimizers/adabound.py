r"""AdaBound (survey Alg. 12; Luo, Xiong, Liu & Sun 2019).

Bounds :math:`\eta_l(t) = \eta^*(1 - 1/(\gamma t + 1))`, :math:`\eta_u(t) = \eta^*(1 + 1/(\gamma t))`
with :math:`\eta^*` = ``final_lr``; Adam's m, v without bias correction.

* paper (theory form): :math:`\eta_t = \mathrm{clip}(\eta/(\sqrt{v_t}+\epsilon), \eta_l, \eta_u)/\sqrt t`,
  :math:`\theta_t = \theta_{t-1} - \eta_t m_t`;
* reference (author code, Luolc/AdaBound):
  :math:`\eta_t = \mathrm{clip}(\eta\sqrt{1-\beta_2^t}/(1-\beta_1^t)/(\sqrt{v_t}+\epsilon), \eta_l, \eta_u)`,
  :math:`\theta_t = \theta_{t-1} - \eta_t m_t`.

With a learning-rate schedule both ``lr`` and ``final_lr`` follow it (``SCHEDULED``): the
author code bounds with ``final_lr · lr / base_lr`` (base_lr = the constructor's lr), so a
scheduler that scales lr scales the bounds too.  Both variants do the same.
"""
import math

from surfaces._jit import jit

from .base import BETA1, BETA2, PAPER, Hyperparam, OptimizerSpec, eps, lr

#: the hyperparameters a learning-rate schedule multiplies (default elsewhere: ("lr",))
SCHEDULED = ("lr", "final_lr")

SPEC = OptimizerSpec(
    id="adabound",
    name="AdaBound",
    state=("m", "v"),
    scalars=("beta1^t", "beta2^t"),
    hyperparams=(
        lr(1e-3), BETA1, BETA2,
        Hyperparam("final_lr", 0.1, 1e-7, 100.0, "log",
                   "the SGD learning rate that both bounds converge to", symbol=r"\eta^*"),
        Hyperparam("gamma", 1e-3, 1e-7, 1.0, "log",
                   "how fast the bounds close in on final_lr", symbol=r"\gamma"),
        eps(1e-8),
    ),
    variants=("paper", "reference"),
    latex={
        "paper": r"\eta_t = \frac{1}{\sqrt t}\,\mathrm{clip}\!\left(\frac{\eta}{\sqrt{v_t}+\epsilon},"
                 r"\ \eta^*\!\left(1-\tfrac{1}{\gamma t+1}\right),\ \eta^*\!\left(1+\tfrac{1}{\gamma t}\right)\right)"
                 r" \quad \theta_t = \theta_{t-1} - \eta_t\, m_t",
        "reference": r"\eta_t = \mathrm{clip}\!\left(\frac{\eta\sqrt{1-\beta_2^t}}{(1-\beta_1^t)(\sqrt{v_t}+\epsilon)},"
                     r"\ \eta^*\!\left(1-\tfrac{1}{\gamma t+1}\right),\ \eta^*\!\left(1+\tfrac{1}{\gamma t}\right)\right)"
                     r" \quad \theta_t = \theta_{t-1} - \eta_t\, m_t",
    },
    citation="Luo, Xiong, Liu & Sun (2019), Adaptive Gradient Methods with Dynamic Bound of "
             "Learning Rate, ICLR; survey Alg. 12",
    reference={"paper": "survey Alg. 12 (theory form, 1/√t)",
               "reference": "author code (github.com/Luolc/AdaBound, package adabound)"},
)


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    for j in range(j0, j1):
        lr_ = hp[0, j]
        b1 = hp[1, j]
        b2 = hp[2, j]
        flr = hp[3, j]
        gam = hp[4, j]
        e = hp[5, j]
        b1t = sc[0, j] * b1
        b2t = sc[1, j] * b2
        sc[0, j] = b1t
        sc[1, j] = b2t
        lower = flr * (1.0 - 1.0 / (gam * t + 1.0))
        upper = flr * (1.0 + 1.0 / (gam * t))
        if variant == PAPER:
            base = lr_
            post = 1.0 / math.sqrt(t)
        else:
            base = lr_ * math.sqrt(1.0 - b2t) / (1.0 - b1t)
            post = 1.0
        for c in range(2):
            gc = g[c, j]
            m = b1 * st[0, c, j] + (1.0 - b1) * gc
            v = b2 * st[1, c, j] + (1.0 - b2) * gc * gc
            st[0, c, j] = m
            st[1, c, j] = v
            eta = min(max(base / (math.sqrt(v) + e), lower), upper)
            if variant == PAPER:
                eta = eta * post
            th[c, j] = th[c, j] - eta * m
