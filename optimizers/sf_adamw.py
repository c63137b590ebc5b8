r"""Schedule-Free AdamW (Defazio et al. 2024).

Three sequences: z (the base SGD/Adam iterate), x (the weighted average of the z's, the point
one evaluates) and y = (1 − β1)·z + β1·x, where the gradient is taken.  With
:math:`\eta_t = \eta\,\min(t/W, 1)` (linear warm-up over W steps; W = 0: none),
:math:`\eta_{\max} = \max_{i\le t}\eta_i`, :math:`w_t = t^r \eta_{\max}^{p}` and
:math:`c_t = w_t / \sum_{i\le t} w_i`:

.. math::
    v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\quad
    \tilde g_t = \frac{g_t}{\sqrt{v_t/(1-\beta_2^t) + 10^{-15}} + \epsilon} + \lambda\, y_{t-1}

.. math::
    y_t = (1 - c_t)\, y_{t-1} + c_t z_{t-1} + \eta_t\bigl(\beta_1(1 - c_t) - 1\bigr)\tilde g_t,\qquad
    z_t = z_{t-1} - \eta_t \tilde g_t

with z_0 = y_0 = θ_0 and g_t = ∇f(y_{t−1}).  The y update is the library's incremental form of
x_t = (1 − c_t) x_{t−1} + c_t z_t, y_t = (1 − β1) z_t + β1 x_t.

θ here is y, the point where the gradient is evaluated (the library's parameter during
training), so the path shown is the path of y.  The averaged iterate x, which the library's
``eval()`` switches to, is x_t = (y_t − (1 − β1)·z_t)/β1 (z is the slot ``z``).

Reproduces ``pytorch_optimizer.ScheduleFreeAdamW`` (ams_bound=False, decoupling_c=0; its
per-parameter path, ``foreach=False``), operation by operation:

* the denominator has the library's hidden 1e-15 under the root (``apply_ams_bound``'s
  default ``exp_avg_sq_eps``): √(v/(1 − β2^t) + 1e-15) + ε;
* weight decay λ is coupled and applied *after* the normalisation, to the normalised gradient
  at y (``weight_decouple=False``), skipped when λ = 0;
* the averaging weight c_t: warm-up factor t/W while t < W, else 1; η_max = max(η_t, η_max)
  starting from −1; w_t = t**r · η_max**p (``math.pow``); the running sum of w is the scalar
  ``weight_sum`` (accumulated step by step, as the library does); c_t = w_t/Σw (0 if Σw = 0).
  The scalars hold these from step 1 on (like every scalar they read 1.0 before it; the first
  step starts from the library's Σw = 0 and η_max = −1, and copies θ_0 into z);
* y ← ATen ``lerp(y, z, c_t)`` (y + c·(z − y) for c < 0.5, else z − (z − y)·(1 − c); c_1 = 1 so
  the first step starts from z exactly), then y + (η_t·(β1·(1 − c_t) − 1))·g̃, then
  z ← z − η_t·g̃.

β2^t is a running product here, the library uses ``math.pow``: the same up to rounding.
"""
import math

from surfaces._jit import jit

from .base import BETA2, Hyperparam, OptimizerSpec, eps, lr

SPEC = OptimizerSpec(
    id="sf_adamw",
    name="Schedule-Free AdamW",
    hyperparams=(
        lr(2.5e-3),
        Hyperparam("beta1", 0.9, 0.01, 0.9999, "linear",
                   "interpolation: the gradient is taken at y = (1 − β1)·z + β1·x",
                   symbol=r"\beta_1"),
        BETA2,
        eps(1e-8),
        Hyperparam("weight_decay", 0.0, 0.0, 1.0, "linear",
                   "weight decay, added to the normalised gradient at y", symbol=r"\lambda"),
        Hyperparam("warmup_steps", 0, 0, 10000, "linear",
                   "linear learning-rate warm-up over this many steps (0: none)",
                   integer=True, symbol="W"),
        Hyperparam("r", 0.0, 0.0, 10.0, "linear",
                   "averaging weight grows like t^r (0: uniform average)", symbol="r"),
        Hyperparam("weight_lr_power", 2.0, 0.0, 10.0, "linear",
                   "averaging weight grows like (largest learning rate so far)^p", symbol="p"),
    ),
    latex={"paper": r"\tilde g_t = \frac{g_t}{\sqrt{\hat v_t + 10^{-15}} + \epsilon} + \lambda y_{t-1} \quad "
                    r"z_t = z_{t-1} - \eta_t \tilde g_t \quad "
                    r"x_t = (1-c_t)\, x_{t-1} + c_t z_t \quad "
                    r"y_t = (1-\beta_1) z_t + \beta_1 x_t \quad "
                    r"c_t = \frac{t^r \eta_{\max}^p}{\sum_{i\le t} i^r \eta_{\max,i}^p}"},
    citation="Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky (2024), The Road Less "
             "Scheduled, NeurIPS",
    reference={"paper": "= pytorch_optimizer.ScheduleFreeAdamW(lr, betas=(beta1, beta2), eps, "
                        "weight_decay, warmup_steps, r, weight_lr_power, decoupling_c=0, "
                        "ams_bound=False)"},
    notes="The path shown is y, the point where the gradient is evaluated (the library's "
          "parameter while training). The averaged iterate x, what schedule-free methods "
          "return for evaluation, is x = (y − (1 − β1)·z)/β1, with z the base Adam iterate "
          "(slot z). No learning-rate schedule is needed: c_t = w_t/Σw (uniform 1/t by default) "
          "averages the z's. The denominator contains the library's 1e-15 under the square root; "
          "weight decay is added to the normalised gradient at y. Matches "
          "pytorch_optimizer.ScheduleFreeAdamW to rounding.",
    state=("z", "v"),
    scalars=("beta2^t", "weight_sum", "lr_max"),
    group="beyond",
)


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    for j in range(j0, j1):
        lr0 = hp[0, j]
        b1 = hp[1, j]
        b2 = hp[2, j]
        e = hp[3, j]
        wd = hp[4, j]
        warm = hp[5, j]
        r = hp[6, j]
        power = hp[7, j]
        if t == 1:  # z_0 = θ_0; the library starts from weight_sum = 0 and lr_max = −1
            st[0, 0, j] = th[0, j]
            st[0, 1, j] = th[1, j]
            weight_sum0 = 0.0
            lr_max0 = -1.0
        else:
            weight_sum0 = sc[1, j]
            lr_max0 = sc[2, j]
        schedule = t / warm if t < warm else 1.0
        b2t = sc[0, j] * b2
        sc[0, j] = b2t
        bc2 = 1.0 - b2t
        lr_ = lr0 * schedule
        lr_max = max(lr_, lr_max0)
        sc[2, j] = lr_max
        weight = math.pow(t, r) * math.pow(lr_max, power)
        weight_sum = weight_sum0 + weight
        sc[1, j] = weight_sum
        ckp = weight / weight_sum if weight_sum != 0.0 else 0.0
        coef = lr_ * (b1 * (1.0 - ckp) - 1.0)
        for c in range(2):
            gc = g[c, j]
            v = st[1, c, j] * b2 + (1.0 - b2) * gc * gc
            st[1, c, j] = v
            gn = gc / (math.sqrt(v / bc2 + 1e-15) + e)
            y = th[c, j]
            if wd != 0.0:
                gn = gn + wd * y
            z = st[0, c, j]
            if ckp < 0.5:
                y = y + ckp * (z - y)
            else:
                y = z - (z - y) * (1.0 - ckp)
            th[c, j] = y + coef * gn
            st[0, c, j] = z - lr_ * gn


def reference(params, hp):
    """``pytorch_optimizer.ScheduleFreeAdamW`` with every option set (the golden cases' library)."""
    import pytorch_optimizer

    return pytorch_optimizer.ScheduleFreeAdamW(
        params, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), weight_decay=hp["weight_decay"],
        r=hp["r"], weight_lr_power=hp["weight_lr_power"], warmup_steps=int(hp["warmup_steps"]),
        decoupling_c=0, ams_bound=False, eps=hp["eps"], maximize=False, foreach=False)


GOLDEN_CASES = (
    ("rosenbrock", (-1.2, 1.0), {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                                 "weight_decay": 0.0, "warmup_steps": 0, "r": 0.0,
                                 "weight_lr_power": 2.0}),
    # warm-up, polynomial averaging weights and weight decay
    ("quadratic", (-1.5, 0.8), {"lr": 0.05, "beta1": 0.9, "beta2": 0.99, "eps": 1e-8,
                                "weight_decay": 0.05, "warmup_steps": 50, "r": 1.0,
                                "weight_lr_power": 2.0}),
    ("beale", (1.0, 1.5), {"lr": 0.02, "beta1": 0.8, "beta2": 0.999, "eps": 1e-8,
                           "weight_decay": 0.0, "warmup_steps": 20, "r": 0.5,
                           "weight_lr_power": 1.0}),
)
