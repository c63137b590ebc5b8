r"""diffGrad (survey Alg. 10; Dubey et al. 2020).

.. math::
    \xi_t = \mathrm{AbsSig}(g_{t-1} - g_t),\qquad
    \theta_t = \theta_{t-1} - \eta\, \xi_t\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

with AbsSig(x) = 1/(1 + e^{-|x|}) ∈ [0.5, 1), g_0 = 0, m, v as in Adam (``paper``).
``reference`` reproduces the author code (diffGrad v2), which folds the bias correction into
the step size: θ_t = θ_{t-1} − η(√bc2/bc1)·ξ_t·m_t/(√v_t + ε).
"""
import math

from surfaces._jit import jit

from .base import BETA1, BETA2, PAPER, OptimizerSpec, eps, lr

SPEC = OptimizerSpec(
    id="diffgrad",
    name="diffGrad",
    state=("m", "v", "g_prev"),
    scalars=("beta1^t", "beta2^t"),
    hyperparams=(lr(1e-3), BETA1, BETA2, eps(1e-8)),
    variants=("paper", "reference"),
    latex={
        "paper": r"\xi_t = \frac{1}{1 + e^{-|g_{t-1} - g_t|}} \quad "
                 r"\theta_t = \theta_{t-1} - \frac{\eta\, \xi_t\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}",
        "reference": r"\xi_t = \frac{1}{1 + e^{-|g_{t-1} - g_t|}} \quad "
                     r"\theta_t = \theta_{t-1} - \eta\,\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}\,"
                     r"\frac{\xi_t\, m_t}{\sqrt{v_t} + \epsilon}",
    },
    citation="Dubey, Chakraborty, Roy, Mukherjee, Singh & Chaudhuri (2020), diffGrad: An "
             "Optimization Method for Convolutional Neural Networks, IEEE TNNLS; survey Alg. 10",
    reference={"paper": "survey Alg. 10",
               "reference": "author code, diffGrad v2 (github.com/shivram1987/diffGrad)"},
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
        for c in range(2):
            gc = g[c, j]
            m = b1 * st[0, c, j] + (1.0 - b1) * gc
            v = b2 * st[1, c, j] + (1.0 - b2) * gc * gc
            xi = 1.0 / (1.0 + math.exp(-abs(st[2, c, j] - gc)))
            st[0, c, j] = m
            st[1, c, j] = v
            st[2, c, j] = gc
            if variant == PAPER:
                th[c, j] = th[c, j] - lr_ * xi * (m / bc1) / (math.sqrt(v / bc2) + e)
            else:
                step_size = lr_ * math.sqrt(bc2) / bc1
                th[c, j] = th[c, j] - step_size * (xi * m / (math.sqrt(v) + e))
