r"""Yogi (survey Alg. 7; Zaheer et al. 2018).

.. math::
    v_t = v_{t-1} - (1-\beta_2)\,\mathrm{sign}(v_{t-1} - g_t^2)\, g_t^2,\qquad
    \theta_t = \theta_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

m as in Adam, sign(0) = 0.  The extracted survey text has the sign flipped (which drives v
negative); this is the rule of Zaheer et al.  ``paper`` starts from m_0 = v_0 = 0;
``reference`` reproduces ``pytorch_optimizer.Yogi``, which starts from m_0 = v_0 = 1e-6.
"""
import math

from surfaces._jit import jit

from .base import BETA1, BETA2, REFERENCE, OptimizerSpec, eps, lr

SPEC = OptimizerSpec(
    id="yogi",
    name="Yogi",
    state=("m", "v"),
    scalars=("beta1^t", "beta2^t"),
    hyperparams=(lr(1e-2), BETA1, BETA2, eps(1e-3)),
    variants=("paper", "reference"),
    latex={
        "paper": r"v_t = v_{t-1} - (1-\beta_2)\,\mathrm{sign}(v_{t-1} - g_t^2)\, g_t^2 \quad "
                 r"\theta_t = \theta_{t-1} - \frac{\eta\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}"
                 r" \quad (m_0 = v_0 = 0)",
        "reference": r"v_t = v_{t-1} - (1-\beta_2)\,\mathrm{sign}(v_{t-1} - g_t^2)\, g_t^2 \quad "
                     r"\theta_t = \theta_{t-1} - \frac{\eta\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}"
                     r" \quad (m_0 = v_0 = 10^{-6})",
    },
    citation="Zaheer, Reddi, Sachan, Kale & Kumar (2018), Adaptive Methods for Nonconvex "
             "Optimization, NeurIPS; survey Alg. 7 (sign corrected)",
    reference={"paper": "survey Alg. 7 with the sign of the v update corrected",
               "reference": "pytorch_optimizer.Yogi (initial accumulator 1e-6)"},
)


@jit
def init(variant, hp, st, sc, j0, j1):
    if variant == REFERENCE:
        for j in range(j0, j1):
            for c in range(2):
                st[0, c, j] = 1e-6
                st[1, c, j] = 1e-6


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
        step_size = lr_ / (1.0 - b1t)
        sqrt_bc2 = math.sqrt(1.0 - b2t)
        for c in range(2):
            gc = g[c, j]
            g2 = gc * gc
            m = b1 * st[0, c, j] + (1.0 - b1) * gc
            vp = st[1, c, j]
            d = vp - g2
            sgn = 1.0 if d > 0.0 else (-1.0 if d < 0.0 else 0.0)
            v = vp - (1.0 - b2) * sgn * g2
            st[0, c, j] = m
            st[1, c, j] = v
            th[c, j] = th[c, j] - step_size * (m / (math.sqrt(v) / sqrt_bc2 + e))
