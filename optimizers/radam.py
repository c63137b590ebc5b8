r"""RAdam: rectified Adam (survey Alg. 14; Liu et al. 2020).

:math:`\rho_\infty = 2/(1-\beta_2) - 1`, :math:`\rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t)`,
:math:`r_t = \sqrt{(\rho_t-4)(\rho_t-2)\rho_\infty / ((\rho_\infty-4)(\rho_\infty-2)\rho_t)}`.

* paper: if ρ_t > 4, θ_t = θ_{t-1} − η·r_t·m̂/(√v̂ + ε), else θ_t = θ_{t-1} − η·m̂;
* reference (``torch.optim.RAdam``): if ρ_t > 5, θ_t = θ_{t-1} − η·r_t·m̂·√bc2/(√v_t + ε),
  else θ_t = θ_{t-1} − η·m̂.  With β2 = 0.999 the two first differ at step 5.
"""
import math

from surfaces._jit import jit

from .base import BETA1, BETA2, PAPER, OptimizerSpec, eps, lr

SPEC = OptimizerSpec(
    id="radam",
    name="RAdam",
    state=("m", "v"),
    scalars=("beta1^t", "beta2^t"),
    hyperparams=(lr(1e-3), BETA1, BETA2, eps(1e-8)),
    variants=("paper", "reference"),
    latex={
        "paper": r"\rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t} \quad "
                 r"\theta_t = \begin{cases}\theta_{t-1} - \eta\, r_t\, \frac{\hat m_t}{\sqrt{\hat v_t}+\epsilon} & \rho_t > 4\\"
                 r" \theta_{t-1} - \eta\, \hat m_t & \text{otherwise}\end{cases}",
        "reference": r"\rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t} \quad "
                     r"\theta_t = \begin{cases}\theta_{t-1} - \eta\, r_t\, \hat m_t \frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t}+\epsilon} & \rho_t > 5\\"
                     r" \theta_{t-1} - \eta\, \hat m_t & \text{otherwise}\end{cases}",
    },
    citation="Liu, Jiang, He, Chen, Liu, Gao & Han (2020), On the Variance of the Adaptive "
             "Learning Rate and Beyond, ICLR; survey Alg. 14",
    reference={"paper": "survey Alg. 14 (ρ_t > 4)",
               "reference": "torch.optim.RAdam (ρ_t > 5, ε added to √v)"},
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
        bc1 = 1.0 - b1t
        bc2 = 1.0 - b2t
        rho_inf = 2.0 / (1.0 - b2) - 1.0
        rho_t = rho_inf - 2.0 * t * b2t / bc2
        threshold = 4.0 if variant == PAPER else 5.0
        rect = rho_t > threshold
        r = 0.0
        if rect:
            r = math.sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf
                          / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
        for c in range(2):
            gc = g[c, j]
            m = b1 * st[0, c, j] + (1.0 - b1) * gc
            v = b2 * st[1, c, j] + (1.0 - b2) * gc * gc
            st[0, c, j] = m
            st[1, c, j] = v
            mhat = m / bc1
            if not rect:
                th[c, j] = th[c, j] - mhat * lr_
            elif variant == PAPER:
                th[c, j] = th[c, j] - lr_ * r * mhat / (math.sqrt(v / bc2) + e)
            else:
                th[c, j] = th[c, j] - mhat * lr_ * (math.sqrt(bc2) / (math.sqrt(v) + e)) * r
