r"""AdaMod (survey Alg. 13; Ding, Ren, Luo & Sun 2019).

Adam's m, v; s_0 = 0.

* paper: :math:`\eta_t = \eta/(\sqrt{\hat v_t}+\epsilon)`, :math:`s_t = \beta_3 s_{t-1} + (1-\beta_3)\eta_t`,
  :math:`\theta_t = \theta_{t-1} - \min(\eta_t, s_t)\,\hat m_t`;
* reference (author code, lancopku/AdaMod): :math:`\eta_t = \eta\sqrt{1-\beta_2^t}/(1-\beta_1^t)/(\sqrt{v_t}+\epsilon)`,
  s_t as above, :math:`\theta_t = \theta_{t-1} - \min(\eta_t, s_t)\, m_t`.
"""
import math

from surfaces._jit import jit

from .base import BETA1, BETA2, PAPER, Hyperparam, OptimizerSpec, eps, lr

SPEC = OptimizerSpec(
    id="adamod",
    name="AdaMod",
    state=("m", "v", "s"),
    scalars=("beta1^t", "beta2^t"),
    hyperparams=(
        lr(1e-3), BETA1, BETA2,
        Hyperparam("beta3", 0.999, 0.0, 0.99999, "linear",
                   "memory of the running average that caps the step size", symbol=r"\beta_3"),
        eps(1e-8),
    ),
    variants=("paper", "reference"),
    latex={
        "paper": r"\eta_t = \frac{\eta}{\sqrt{\hat v_t}+\epsilon} \quad s_t = \beta_3 s_{t-1} + (1-\beta_3)\eta_t"
                 r" \quad \theta_t = \theta_{t-1} - \min(\eta_t, s_t)\,\hat m_t",
        "reference": r"\eta_t = \frac{\eta\sqrt{1-\beta_2^t}}{(1-\beta_1^t)(\sqrt{v_t}+\epsilon)} \quad "
                     r"s_t = \beta_3 s_{t-1} + (1-\beta_3)\eta_t \quad \theta_t = \theta_{t-1} - \min(\eta_t, s_t)\, m_t",
    },
    citation="Ding, Ren, Luo & Sun (2019), An Adaptive and Momental Bound Method for Stochastic "
             "Learning, arXiv:1910.12249; survey Alg. 13",
    reference={"paper": "survey Alg. 13",
               "reference": "author code (github.com/lancopku/AdaMod, package adamod)"},
)


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    for j in range(j0, j1):
        lr_ = hp[0, j]
        b1 = hp[1, j]
        b2 = hp[2, j]
        b3 = hp[3, j]
        e = hp[4, j]
        b1t = sc[0, j] * b1
        b2t = sc[1, j] * b2
        sc[0, j] = b1t
        sc[1, j] = b2t
        bc1 = 1.0 - b1t
        bc2 = 1.0 - b2t
        for c in range(2):
            gc = g[c, j]
            m = b1 * st[0, c, j] + (1.0 - b1) * gc
            v = b2 * st[1, c, j] + (1.0 - b2) * gc * gc
            st[0, c, j] = m
            st[1, c, j] = v
            if variant == PAPER:
                eta = lr_ / (math.sqrt(v / bc2) + e)
                s = b3 * st[2, c, j] + (1.0 - b3) * eta
                st[2, c, j] = s
                th[c, j] = th[c, j] - min(eta, s) * (m / bc1)
            else:
                eta = lr_ * math.sqrt(bc2) / bc1 / (math.sqrt(v) + e)
                s = b3 * st[2, c, j] + (1.0 - b3) * eta
                st[2, c, j] = s
                th[c, j] = th[c, j] - min(eta, s) * m
