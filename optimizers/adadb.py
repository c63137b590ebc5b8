r"""AdaDB (survey Alg. 11; Khan et al. 2021).

.. math::
    \Delta g_t = \beta_3 (g_{t-1} - g_t) + \beta_3^2 (g_{t-2} - g_{t-1}) + \beta_3^3 (g_{t-3} - g_{t-2})

    \xi_t = \begin{cases} \mathrm{AbsSig}(\Delta g_t) & g_t g_{t-1} < 0 \text{ (friction)}\\
                          1 + \lambda\,\mathrm{AbsSig}(\Delta g_t) & \text{otherwise (acceleration)}\end{cases}

    \theta_t = \theta_{t-1} - \eta\, \xi_t\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

with g_0 = g_{-1} = g_{-2} = 0 and m, v as in Adam.  The survey's PDF extraction is the only
source of AdaDB reachable here (the paper is not available), and this is the reading its symbol
order admits; β3 = 0.9 and λ = 0.5 are this project's choice, not the paper's.  There is no
reference implementation, so only the ``paper`` form exists.
"""
import math

from surfaces._jit import jit

from .base import BETA1, BETA2, Hyperparam, OptimizerSpec, eps, lr

SPEC = OptimizerSpec(
    id="adadb",
    name="AdaDB",
    state=("m", "v", "g_prev", "g_prev2", "g_prev3"),
    scalars=("beta1^t", "beta2^t"),
    hyperparams=(
        lr(1e-3), BETA1, BETA2,
        Hyperparam("beta3", 0.9, 0.0, 0.99999, "linear",
                   "decay weighting the last three gradient differences", symbol=r"\beta_3"),
        Hyperparam("lam", 0.5, 0.0, 2.0, "linear",
                   "extra acceleration when successive gradients agree in sign", symbol=r"\lambda"),
        eps(1e-8),
    ),
    latex={"paper": r"\Delta g_t = \beta_3 (g_{t-1} - g_t) + \beta_3^2 (g_{t-2} - g_{t-1}) + \beta_3^3 (g_{t-3} - g_{t-2})"
                    r" \quad \xi_t = \begin{cases} \mathrm{AbsSig}(\Delta g_t) & g_t g_{t-1} < 0 \\ "
                    r"1 + \lambda\,\mathrm{AbsSig}(\Delta g_t) & \text{otherwise} \end{cases}"
                    r" \quad \theta_t = \theta_{t-1} - \frac{\eta\, \xi_t\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}"},
    citation="Khan et al. (2021), AdaDB: an adaptive gradient method with data-dependent bound "
             "(as described in the survey, Alg. 11; the paper itself was not available)",
    reference={"paper": "survey Alg. 11 as read from its symbol order (no reference code exists)"},
    notes="β3 and λ defaults are Gradscape's choice: the AdaDB paper's values are not available.",
)


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    for j in range(j0, j1):
        lr_ = hp[0, j]
        b1 = hp[1, j]
        b2 = hp[2, j]
        b3 = hp[3, j]
        lam = hp[4, j]
        e = hp[5, j]
        b1t = sc[0, j] * b1
        b2t = sc[1, j] * b2
        sc[0, j] = b1t
        sc[1, j] = b2t
        bc1 = 1.0 - b1t
        bc2 = 1.0 - b2t
        for c in range(2):
            gc = g[c, j]
            g1 = st[2, c, j]  # g_{t-1}
            g2 = st[3, c, j]  # g_{t-2}
            g3 = st[4, c, j]  # g_{t-3}
            dg = b3 * (g1 - gc) + b3 * b3 * (g2 - g1) + b3 * b3 * b3 * (g3 - g2)
            a = 1.0 / (1.0 + math.exp(-abs(dg)))
            if gc * g1 < 0.0:
                xi = a
            else:
                xi = 1.0 + lam * a
            m = b1 * st[0, c, j] + (1.0 - b1) * gc
            v = b2 * st[1, c, j] + (1.0 - b2) * gc * gc
            st[0, c, j] = m
            st[1, c, j] = v
            st[4, c, j] = g2
            st[3, c, j] = g1
            st[2, c, j] = gc
            th[c, j] = th[c, j] - lr_ * xi * (m / bc1) / (math.sqrt(v / bc2) + e)
