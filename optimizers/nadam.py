r"""NAdam: Adam with Nesterov momentum and a momentum schedule (Dozat 2016).

.. math::
    \mu_t = \beta_1\bigl(1 - \tfrac12\, 0.96^{t\psi}\bigr),\quad
    \Pi_t = \prod_{i \le t} \mu_i,\quad
    m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2

.. math::
    \theta_t = \theta_{t-1}
      - \eta\,\frac{1-\mu_t}{1-\Pi_t}\,\frac{g_t}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}
      - \eta\,\frac{\mu_{t+1}}{1-\Pi_t\,\mu_{t+1}}\,\frac{m_t}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}

Reproduces ``torch.optim.NAdam`` (weight_decay=0, decoupled_weight_decay=False; its
single-tensor path, ``foreach=False``), operation by operation:

* ψ is ``momentum_decay`` (4e-3); μ_t and μ_{t+1} are evaluated as
  ``β1·(1 − 0.5·0.96**(t·ψ))`` and ``β1·(1 − 0.5·0.96**((t+1)·ψ))`` (a power, not a running
  product, exactly as torch does; μ_{t+1} is kept in the scalar ``mu_next`` and reused as the
  next step's μ, which is the same number).  The product Π_t of all μ so far is the per-run
  scalar ``mu_product`` (torch's ``state["mu_product"]``, a float64 tensor under float64).
* m is ATen's ``lerp(m, g, 1 − β1)``: m + w·(g − m) for w = 1 − β1 < 0.5, otherwise
  g − (g − m)·(1 − w); v is ``v·β2 + ((1 − β2)·g)·g`` (``mul_`` then ``addcmul_``).
* The denominator is √(v / (1 − β2^t)) + ε (the division is inside the root, unlike Adam's
  √v/√(1 − β2^t)); each of the two terms is an ``addcdiv``, θ + (c·g)/denom, with
  c = (−η·(1 − μ_t))/(1 − Π_t), then (−η·μ_{t+1})/(1 − Π_t·μ_{t+1}).

β2^t is a running product here, torch uses ``beta2**step``: the same up to rounding.
"""
import math

from surfaces._jit import jit

from ._common import lerp
from .base import BETA1, BETA2, Hyperparam, OptimizerSpec, eps, lr

MOMENTUM_DECAY = Hyperparam("momentum_decay", 4e-3, 0.0, 1.0, "linear",
                            "how fast the momentum coefficient μ_t warms up to β1 "
                            "(μ_t = β1(1 − ½·0.96^{tψ}))", symbol=r"\psi")

SPEC = OptimizerSpec(
    id="nadam",
    name="NAdam",
    hyperparams=(lr(2e-3), BETA1, BETA2, eps(1e-8), MOMENTUM_DECAY),
    latex={"paper": r"\mu_t = \beta_1\bigl(1 - \tfrac12 0.96^{t\psi}\bigr) \quad "
                    r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t \quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2"
                    r" \quad \theta_t = \theta_{t-1} - \frac{\eta}{\sqrt{\hat v_t} + \epsilon}\Bigl("
                    r"\frac{1-\mu_t}{1-\prod_{i\le t}\mu_i}\, g_t + "
                    r"\frac{\mu_{t+1}}{1-\prod_{i\le t+1}\mu_i}\, m_t\Bigr)"},
    citation="Dozat (2016), Incorporating Nesterov Momentum into Adam, ICLR Workshop",
    reference={"paper": "= torch.optim.NAdam(lr, betas=(beta1, beta2), eps, weight_decay=0, "
                        "momentum_decay, decoupled_weight_decay=False)"},
    notes="Nesterov momentum in Adam: the step mixes the current gradient and the first moment, "
          "each with its own bias correction. The momentum coefficient μ_t = β1(1 − ½·0.96^{tψ}) "
          "warms up from β1/2 towards β1 (ψ = momentum_decay); the running product of all μ so "
          "far is the scalar mu_product. The denominator is √(v/(1 − β2^t)) + ε. Matches "
          "torch.optim.NAdam to rounding.",
    state=("m", "v"),
    scalars=("beta2^t", "mu_product", "mu_next"),
    group="beyond",
)


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    for j in range(j0, j1):
        lr_ = hp[0, j]
        b1 = hp[1, j]
        b2 = hp[2, j]
        e = hp[3, j]
        psi = hp[4, j]
        b2t = sc[0, j] * b2
        sc[0, j] = b2t
        bc2 = 1.0 - b2t
        if t == 1:
            mu = b1 * (1.0 - 0.5 * math.pow(0.96, t * psi))
        else:
            mu = sc[2, j]
        mu_next = b1 * (1.0 - 0.5 * math.pow(0.96, (t + 1) * psi))
        sc[2, j] = mu_next
        mu_prod = sc[1, j] * mu
        sc[1, j] = mu_prod
        mu_prod_next = mu_prod * mu_next
        c_g = -lr_ * (1.0 - mu) / (1.0 - mu_prod)
        c_m = (-lr_ * mu_next) / (1.0 - mu_prod_next)
        for c in range(2):
            gc = g[c, j]
            m = lerp(st[0, c, j], gc, 1.0 - b1)
            v = st[1, c, j] * b2 + (1.0 - b2) * gc * gc
            st[0, c, j] = m
            st[1, c, j] = v
            denom = math.sqrt(v / bc2) + e
            p = th[c, j] + c_g * gc / denom
            th[c, j] = p + c_m * m / denom


def reference(params, hp):
    """``torch.optim.NAdam`` with every option set (the golden cases' library)."""
    import torch

    return torch.optim.NAdam(params, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                             weight_decay=0.0, momentum_decay=hp["momentum_decay"],
                             decoupled_weight_decay=False, foreach=False, maximize=False,
                             capturable=False, differentiable=False)


GOLDEN_CASES = (
    ("rosenbrock", (-1.2, 1.0), {"lr": 0.02, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                                 "momentum_decay": 4e-3}),
    ("quadratic", (-1.5, 0.8), {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-8,
                                "momentum_decay": 0.02}),
    ("beale", (1.0, 1.5), {"lr": 0.02, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                           "momentum_decay": 4e-3}),
)
