r"""LAMB: layer-wise adaptive moments with a trust ratio (You et al. 2020).

.. math::
    m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\quad
    \theta' = \theta_{t-1}(1 - \eta\lambda),\quad r_t = \frac{m_t}{\sqrt{v_t} + \epsilon}

.. math::
    \phi_t = \min(\lVert\theta'\rVert, 10),\quad
    \tau_t = \frac{\phi_t}{\lVert r_t\rVert + \epsilon}\ (\tau_t = 1 \text{ if } \phi_t = 0
    \text{ or } \lVert r_t\rVert = 0),\quad
    \theta_t = \theta' - \frac{\eta\,\tau_t}{1-\beta_1^t}\, r_t

The whole 2D parameter θ is one "layer": both norms are taken over the two coordinates, so the
trust ratio τ rescales the Adam-like direction r to a step whose length is about η·‖θ‖/(1 − β1^t)
(while ‖θ‖ ≤ 10).

Reproduces ``pytorch_optimizer.Lamb`` with its defaults (its per-parameter path,
``foreach=False``), operation by operation:

* only the first moment is bias-corrected (step size η/(1 − β1^t)); v is not (the library's
  default, "version 3 of the paper without bias correction" of v, ``adam_debias=False``);
* ``grad_averaging=True``: m ← m·β1 + (1 − β1)·g; v ← v·β2 + ((1 − β2)·g)·g;
* decoupled weight decay (``weight_decouple=True``, ``fixed_decay=False``) is applied to θ
  *before* the norms: ‖θ'‖ uses the decayed θ (skipped when λ = 0);
* the weight norm is clamped to at most 10 (the class constant ``Lamb.clamp``) — the clamp is
  part of the library's default behaviour;
* τ = 1 when either norm is exactly 0, otherwise ‖θ'‖/(‖r‖ + ε) (ε also in the trust ratio);
* ``pre_norm=False``: no gradient-norm scaling (``max_grad_norm`` only acts with pre_norm);
  ``rectify=False``, ``adam=False`` (the trust ratio is used), no AdaNorm;
* the step is ``add_(r, alpha=−(η/(1 − β1^t))·τ)``.

β1^t is a running product here, the library uses ``math.pow``: the same up to rounding.
"""
import math

from surfaces._jit import jit

from .base import BETA1, BETA2, Hyperparam, OptimizerSpec, eps, lr

#: the library's cap on the weight norm in the trust ratio (pytorch_optimizer.Lamb.clamp)
CLAMP = 10.0

SPEC = OptimizerSpec(
    id="lamb",
    name="LAMB",
    hyperparams=(
        lr(1e-3), BETA1, BETA2, eps(1e-6),
        Hyperparam("weight_decay", 0.0, 0.0, 1.0, "linear",
                   "decoupled weight decay: shrinks θ towards 0 each step", symbol=r"\lambda"),
    ),
    latex={"paper": r"r_t = \frac{m_t}{\sqrt{v_t} + \epsilon} \quad "
                    r"\tau_t = \frac{\min(\lVert\theta_{t-1}(1-\eta\lambda)\rVert,\ 10)}"
                    r"{\lVert r_t\rVert + \epsilon} \quad "
                    r"\theta_t = \theta_{t-1}(1-\eta\lambda) - \frac{\eta\,\tau_t}{1-\beta_1^t}\, r_t"},
    citation="You, Li, Reddi, Hseu, Kumar, Bhojanapalli, Song, Demmel, Keutzer & Hsieh (2020), "
             "Large Batch Optimization for Deep Learning: Training BERT in 76 minutes, ICLR",
    reference={"paper": "= pytorch_optimizer.Lamb(lr, betas=(beta1, beta2), eps, weight_decay) "
                        "with its defaults (weight_decouple=True, grad_averaging=True, "
                        "pre_norm=False, adam=False, rectify=False; weight norm clamped at 10)"},
    notes="The whole 2D parameter is one layer: the trust ratio τ = min(‖θ‖, 10)/(‖r‖ + ε), "
          "with both norms over the two coordinates, rescales the Adam-like direction "
          "r = m/(√v + ε) so that each step has length about η‖θ‖/(1 − β1^t). The step size "
          "therefore depends on the distance from the origin, and a path through θ = 0 falls "
          "back to τ = 1. As in the library, only m is bias-corrected, the weight norm is "
          "clamped at 10 and weight decay is decoupled and applied before the norms. Matches "
          "pytorch_optimizer.Lamb to rounding.",
    state=("m", "v"),
    scalars=("beta1^t",),
    group="beyond",
)


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    for j in range(j0, j1):
        lr_ = hp[0, j]
        b1 = hp[1, j]
        b2 = hp[2, j]
        e = hp[3, j]
        wd = hp[4, j]
        b1t = sc[0, j] * b1
        sc[0, j] = b1t
        step_size = lr_ / (1.0 - b1t)
        beta3 = 1.0 - b1
        p0 = th[0, j]
        p1 = th[1, j]
        if wd != 0.0:
            p0 = p0 * (1.0 - wd * lr_)
            p1 = p1 * (1.0 - wd * lr_)
        g0 = g[0, j]
        g1 = g[1, j]
        m0 = st[0, 0, j] * b1 + beta3 * g0
        m1 = st[0, 1, j] * b1 + beta3 * g1
        v0 = st[1, 0, j] * b2 + (1.0 - b2) * g0 * g0
        v1 = st[1, 1, j] * b2 + (1.0 - b2) * g1 * g1
        st[0, 0, j] = m0
        st[0, 1, j] = m1
        st[1, 0, j] = v0
        st[1, 1, j] = v1
        r0 = m0 / (math.sqrt(v0) + e)
        r1 = m1 / (math.sqrt(v1) + e)
        weight_norm = min(math.sqrt(p0 * p0 + p1 * p1), CLAMP)
        r_norm = math.sqrt(r0 * r0 + r1 * r1)
        if weight_norm == 0.0 or r_norm == 0.0:
            trust = 1.0
        else:
            trust = weight_norm / (r_norm + e)
        alpha = -step_size * trust
        th[0, j] = p0 + alpha * r0
        th[1, j] = p1 + alpha * r1


def reference(params, hp):
    """``pytorch_optimizer.Lamb`` with every option set (the golden cases' library)."""
    import pytorch_optimizer

    return pytorch_optimizer.Lamb(params, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]),
                                  weight_decay=hp["weight_decay"], weight_decouple=True,
                                  fixed_decay=False, rectify=False, degenerated_to_sgd=False,
                                  n_sma_threshold=5, grad_averaging=True, max_grad_norm=1.0,
                                  adam=False, pre_norm=False, eps=hp["eps"], foreach=False,
                                  maximize=False)


GOLDEN_CASES = (
    # the start's norm is 15 > 10: the weight-norm clamp is active for the first 75 steps
    ("booth", (-12.0, -9.0), {"lr": 0.005, "beta1": 0.9, "beta2": 0.999, "eps": 1e-6,
                              "weight_decay": 0.0}),
    ("rosenbrock", (-1.2, 1.0), {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-6,
                                 "weight_decay": 0.0}),
    ("quadratic", (-1.5, 0.8), {"lr": 0.02, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6,
                                "weight_decay": 0.1}),
)
