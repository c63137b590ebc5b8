r"""AMSGrad (survey Alg. 8; Reddi, Kale & Kumar 2018).

Adam's m_t and v_t, then

* paper: :math:`\hat v^{max}_t = \max(\hat v^{max}_{t-1}, \hat v_t)`,
  :math:`\theta_t = \theta_{t-1} - \eta \hat m_t / (\sqrt{\hat v^{max}_t} + \epsilon)`;
* reference (``torch.optim.Adam(amsgrad=True)``): :math:`v^{max}_t = \max(v^{max}_{t-1}, v_t)`,
  :math:`\theta_t = \theta_{t-1} - \eta \hat m_t / (\sqrt{v^{max}_t}/\sqrt{1-\beta_2^t} + \epsilon)`.
"""
import math

from surfaces._jit import jit

from .base import BETA1, BETA2, PAPER, OptimizerSpec, eps, lr

SPEC = OptimizerSpec(
    id="amsgrad",
    name="AMSGrad",
    state=("m", "v", "v_max"),
    scalars=("beta1^t", "beta2^t"),
    hyperparams=(lr(1e-3), BETA1, BETA2, eps(1e-8)),
    variants=("paper", "reference"),
    latex={
        "paper": r"\hat v^{\max}_t = \max(\hat v^{\max}_{t-1}, \hat v_t) \quad "
                 r"\theta_t = \theta_{t-1} - \frac{\eta\, \hat m_t}{\sqrt{\hat v^{\max}_t} + \epsilon}",
        "reference": r"v^{\max}_t = \max(v^{\max}_{t-1}, v_t) \quad "
                     r"\theta_t = \theta_{t-1} - \frac{\eta\, \hat m_t}{\sqrt{v^{\max}_t}/\sqrt{1-\beta_2^t} + \epsilon}",
    },
    citation="Reddi, Kale & Kumar (2018), On the Convergence of Adam and Beyond, ICLR; survey Alg. 8",
    reference={"paper": "survey Alg. 8 (max of bias-corrected v̂)",
               "reference": "torch.optim.Adam(amsgrad=True) (max of raw v)"},
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
        bc2 = 1.0 - b2t
        step_size = lr_ / (1.0 - b1t)
        sqrt_bc2 = math.sqrt(bc2)
        for c in range(2):
            gc = g[c, j]
            m = b1 * st[0, c, j] + (1.0 - b1) * gc
            v = b2 * st[1, c, j] + (1.0 - b2) * gc * gc
            st[0, c, j] = m
            st[1, c, j] = v
            if variant == PAPER:
                vmax = max(st[2, c, j], v / bc2)
                st[2, c, j] = vmax
                th[c, j] = th[c, j] - step_size * (m / (math.sqrt(vmax) + e))
            else:
                vmax = max(st[2, c, j], v)
                st[2, c, j] = vmax
                th[c, j] = th[c, j] - step_size * (m / (math.sqrt(vmax) / sqrt_bc2 + e))
