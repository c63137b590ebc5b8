"""Plain-Python test oracle for the optimizer specification.

This module is an independent, line-by-line transcription of
the update rules of the survey's 17 optimizers (paper and reference forms; "the spec"). It is deliberately slow and simple:

* pure Python floats and the ``math`` module, no numpy and no numba;
* every optimizer is one function that updates ONE coordinate from that
  coordinate's own gradient and state (the spec: "All vector operations are
  element-wise"); the driver calls it for x and then for y;
* the spec line each statement transcribes is quoted next to it.

It must not import anything from ``optimizers/`` or ``surfaces/``: it is the
yardstick those packages are measured against (``tests/test_spec_reference.py``).

Public entry points
-------------------
``run(optimizer, variant, grad_fn, start, steps, hp)``
    -> list of ``steps + 1`` rows ``(x, y)``; row 0 is ``start``.
``run_lookahead(variant, grad_fn, start, steps, hp)``
    -> ``(path, slow, slow_steps)``: ``slow`` lists phi_0 = start and phi after
    each synchronisation, ``slow_steps`` the step index t of each ``slow`` row.
``GRADIENTS`` / ``FUNCTIONS``
    hand-written analytic gradients and values of a few test surfaces.

Gradient noise is not modelled (the comparisons are run with noise = 0).
"""

from __future__ import annotations

import math

# --------------------------------------------------------------------------
# Hyperparameter names and defaults (spec section "Hyperparameter names and
# defaults"). Flat names, the same everywhere.
# --------------------------------------------------------------------------
_ADAM_LIKE = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}

DEFAULTS = {
    # | sgd | lr (1e-2) |
    "sgd": {"lr": 1e-2},
    # | sgdm, nag | lr (1e-2), momentum (0.9) |
    "sgdm": {"lr": 1e-2, "momentum": 0.9},
    "nag": {"lr": 1e-2, "momentum": 0.9},
    # | adagrad | lr (1e-2), eps (1e-10) |
    "adagrad": {"lr": 1e-2, "eps": 1e-10},
    # | adadelta | lr (1.0), rho (0.9), eps (1e-6) |
    "adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6},
    # | rmsprop | lr (1e-2), rho (0.9), eps (1e-8) |
    "rmsprop": {"lr": 1e-2, "rho": 0.9, "eps": 1e-8},
    # | adam, amsgrad, radam, diffgrad | lr (1e-3), beta1 (0.9), beta2 (0.999), eps (1e-8) |
    "adam": dict(_ADAM_LIKE),
    "amsgrad": dict(_ADAM_LIKE),
    "radam": dict(_ADAM_LIKE),
    "diffgrad": dict(_ADAM_LIKE),
    # | adamw | as adam, plus weight_decay (1e-2) |
    "adamw": dict(_ADAM_LIKE, weight_decay=1e-2),
    # | yogi | lr (1e-2), beta1 (0.9), beta2 (0.999), eps (1e-3) |
    "yogi": {"lr": 1e-2, "beta1": 0.9, "beta2": 0.999, "eps": 1e-3},
    # | adabelief | lr (1e-3), beta1 (0.9), beta2 (0.999), eps (1e-16) |
    "adabelief": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-16},
    # | adadb | lr (1e-3), beta1 (0.9), beta2 (0.999), beta3 (0.9), lam (0.5), eps (1e-8) |
    "adadb": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "beta3": 0.9, "lam": 0.5,
              "eps": 1e-8},
    # | adabound | lr (1e-3), beta1 (0.9), beta2 (0.999), final_lr (0.1), gamma (1e-3), eps (1e-8) |
    "adabound": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "final_lr": 0.1,
                 "gamma": 1e-3, "eps": 1e-8},
    # | adamod | lr (1e-3), beta1 (0.9), beta2 (0.999), beta3 (0.999), eps (1e-8) |
    "adamod": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "beta3": 0.999, "eps": 1e-8},
    # | lookahead | inner (adam), k (5), alpha (0.5), plus the inner optimizer's own |
    "lookahead": {"inner": "adam", "k": 5, "alpha": 0.5},
}

OPTIMIZERS = tuple(DEFAULTS)  # the 17 ids, in the spec's order

# Variants table: "paper" always; "reference" only where the spec gives a
# different reference form (rows that say "same" have one form only).
VARIANTS = {name: ("paper",) for name in OPTIMIZERS}
for _name in ("nag", "yogi", "amsgrad", "diffgrad", "adabound", "adamod", "radam"):
    VARIANTS[_name] = ("paper", "reference")


def resolve_hyperparams(optimizer, hp=None):
    """Spec defaults overlaid with ``hp``; unknown names raise ``KeyError``."""
    if optimizer not in DEFAULTS:
        raise KeyError(f"unknown optimizer {optimizer!r}")
    hp = dict(hp or {})
    out = dict(DEFAULTS[optimizer])
    if optimizer == "lookahead":
        inner = hp.get("inner", out["inner"])
        if inner not in DEFAULTS or inner == "lookahead":
            # "The inner optimizer is any optimizer above except lookahead itself."
            raise KeyError(f"invalid inner optimizer {inner!r}")
        out.update(DEFAULTS[inner])
    unknown = set(hp) - set(out)
    if unknown:
        raise KeyError(f"{optimizer}: unknown hyperparameters {sorted(unknown)}")
    out.update(hp)
    for key, value in out.items():
        if key != "inner":
            out[key] = float(value) if key not in ("k",) else int(value)
    return out


# --------------------------------------------------------------------------
# Notation helpers
# --------------------------------------------------------------------------
def abs_sig(x):
    # "AbsSig(x) = 1 / (1 + exp(−|x|)), which lies in [0.5, 1)."
    return 1.0 / (1.0 + math.exp(-abs(x)))


def sign(x):
    # "sign(0) = 0"
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return -1.0
    return 0.0


def clip(x, lo, hi):
    return min(max(x, lo), hi)


def _adam_moments(s, g, hp):
    # "m_t = β1·m_{t-1} + (1−β1)·g_t;  v_t = β2·v_{t-1} + (1−β2)·g_t²"
    b1, b2 = hp["beta1"], hp["beta2"]
    s["m"] = b1 * s["m"] + (1.0 - b1) * g
    s["v"] = b2 * s["v"] + (1.0 - b2) * g * g
    return s["m"], s["v"]


def _bias_corrections(t, hp):
    # "bc1 = 1 − β1^t, bc2 = 1 − β2^t"
    return 1.0 - hp["beta1"] ** t, 1.0 - hp["beta2"] ** t


# --------------------------------------------------------------------------
# One function per optimizer: (state, θ_{t-1}, g_t, t, hp, variant) -> θ_t for
# ONE coordinate. ``state`` is that coordinate's own dict, created by
# ``init_state``. "All state starts at zero unless stated."
# --------------------------------------------------------------------------
def sgd(s, theta, g, t, hp, variant):
    # "θ_t = θ_{t-1} − lr·g_t"
    return theta - hp["lr"] * g


def sgdm(s, theta, g, t, hp, variant):
    # "m_t = momentum·m_{t-1} + g_t;  θ_t = θ_{t-1} − lr·m_t"
    s["m"] = hp["momentum"] * s["m"] + g
    return theta - hp["lr"] * s["m"]


def nag_point(s, theta, hp, variant):
    """Where nag takes g_t (one coordinate of it)."""
    if variant == "paper":
        # "θ̃ = θ_{t-1} − lr·momentum·m_{t-1};  g_t = ∇f(θ̃)"
        return theta - hp["lr"] * hp["momentum"] * s["m"]
    # reference: "g_t at θ_{t-1}"
    return theta


def nag(s, theta, g, t, hp, variant):
    if variant == "paper":
        # "m_t = momentum·m_{t-1} + g_t;  θ_t = θ_{t-1} − lr·m_t"
        s["m"] = hp["momentum"] * s["m"] + g
        return theta - hp["lr"] * s["m"]
    # reference: "m_t = momentum·m_{t-1} + g_t;  θ_t = θ_{t-1} − lr·(g_t + momentum·m_t)"
    s["m"] = hp["momentum"] * s["m"] + g
    return theta - hp["lr"] * (g + hp["momentum"] * s["m"])


def adagrad(s, theta, g, t, hp, variant):
    # "G_t = G_{t-1} + g_t²;  θ_t = θ_{t-1} − lr·g_t / (√G_t + eps)"
    s["G"] = s["G"] + g * g
    return theta - hp["lr"] * g / (math.sqrt(s["G"]) + hp["eps"])


def adadelta(s, theta, g, t, hp, variant):
    rho, eps = hp["rho"], hp["eps"]
    # "E_t = ρ·E_{t-1} + (1−ρ)·g_t²"
    s["E"] = rho * s["E"] + (1.0 - rho) * g * g
    # "Δ_t = √(D_{t-1} + eps) / √(E_t + eps) · g_t"
    delta = math.sqrt(s["D"] + eps) / math.sqrt(s["E"] + eps) * g
    # "D_t = ρ·D_{t-1} + (1−ρ)·Δ_t²"
    s["D"] = rho * s["D"] + (1.0 - rho) * delta * delta
    # "θ_t = θ_{t-1} − lr·Δ_t"
    return theta - hp["lr"] * delta


def rmsprop(s, theta, g, t, hp, variant):
    rho = hp["rho"]
    # "G_t = ρ·G_{t-1} + (1−ρ)·g_t²;  θ_t = θ_{t-1} − lr·g_t / (√G_t + eps)"
    s["G"] = rho * s["G"] + (1.0 - rho) * g * g
    return theta - hp["lr"] * g / (math.sqrt(s["G"]) + hp["eps"])


def adam(s, theta, g, t, hp, variant):
    m, v = _adam_moments(s, g, hp)
    bc1, bc2 = _bias_corrections(t, hp)
    m_hat, v_hat = m / bc1, v / bc2  # "m̂ = m_t / bc1, v̂ = v_t / bc2"
    # "θ_t = θ_{t-1} − lr·m̂ / (√v̂ + eps)"
    return theta - hp["lr"] * m_hat / (math.sqrt(v_hat) + hp["eps"])


def adamw(s, theta, g, t, hp, variant):
    # "g_t is taken at θ_{t-1}" (the driver does that)
    # "θ' = θ_{t-1}·(1 − lr·weight_decay)"
    theta_p = theta * (1.0 - hp["lr"] * hp["weight_decay"])
    # "then the Adam step from θ': θ_t = θ' − lr·m̂ / (√v̂ + eps)"
    m, v = _adam_moments(s, g, hp)
    bc1, bc2 = _bias_corrections(t, hp)
    m_hat, v_hat = m / bc1, v / bc2
    return theta_p - hp["lr"] * m_hat / (math.sqrt(v_hat) + hp["eps"])


def yogi(s, theta, g, t, hp, variant):
    b1, b2 = hp["beta1"], hp["beta2"]
    # paper: "m_0 = v_0 = 0"; reference: "the same with m_0 = v_0 = 1e-6" (init_state)
    # "as Adam, except v_t = v_{t-1} − (1−β2)·sign(v_{t-1} − g_t²)·g_t², with sign(0) = 0"
    s["m"] = b1 * s["m"] + (1.0 - b1) * g
    s["v"] = s["v"] - (1.0 - b2) * sign(s["v"] - g * g) * g * g
    bc1, bc2 = _bias_corrections(t, hp)
    m_hat, v_hat = s["m"] / bc1, s["v"] / bc2
    return theta - hp["lr"] * m_hat / (math.sqrt(v_hat) + hp["eps"])


def amsgrad(s, theta, g, t, hp, variant):
    # "Adam's m_t, v_t, then"
    m, v = _adam_moments(s, g, hp)
    bc1, bc2 = _bias_corrections(t, hp)
    m_hat = m / bc1
    if variant == "paper":
        # "v̂max_t = max(v̂max_{t-1}, v̂_t);  θ_t = θ_{t-1} − lr·m̂ / (√v̂max_t + eps)"
        s["vmax"] = max(s["vmax"], v / bc2)
        return theta - hp["lr"] * m_hat / (math.sqrt(s["vmax"]) + hp["eps"])
    # reference: "vmax_t = max(vmax_{t-1}, v_t);  θ_t = θ_{t-1} − lr·m̂ / (√vmax_t / √bc2 + eps)"
    s["vmax"] = max(s["vmax"], v)
    return theta - hp["lr"] * m_hat / (math.sqrt(s["vmax"]) / math.sqrt(bc2) + hp["eps"])


def adabelief(s, theta, g, t, hp, variant):
    b1, b2, eps = hp["beta1"], hp["beta2"], hp["eps"]
    # "m_t as Adam"
    s["m"] = b1 * s["m"] + (1.0 - b1) * g
    # "s_t = β2·s_{t-1} + (1−β2)·(g_t − m_t)² + eps"
    s["s"] = b2 * s["s"] + (1.0 - b2) * (g - s["m"]) ** 2 + eps
    bc1, bc2 = _bias_corrections(t, hp)
    # "ŝ = s_t / bc2"
    s_hat = s["s"] / bc2
    # "θ_t = θ_{t-1} − lr·m̂ / (√ŝ + eps)   (eps enters twice, as in the paper)"
    return theta - hp["lr"] * (s["m"] / bc1) / (math.sqrt(s_hat) + eps)


def diffgrad(s, theta, g, t, hp, variant):
    # "ξ_t = AbsSig(g_{t-1} − g_t) with g_0 = 0"
    xi = abs_sig(s["g_prev"] - g)
    s["g_prev"] = g
    # "Adam's m_t, v_t"
    m, v = _adam_moments(s, g, hp)
    bc1, bc2 = _bias_corrections(t, hp)
    if variant == "paper":
        # "θ_t = θ_{t-1} − lr·ξ_t·m̂ / (√v̂ + eps)"
        return theta - hp["lr"] * xi * (m / bc1) / (math.sqrt(v / bc2) + hp["eps"])
    # reference: "θ_t = θ_{t-1} − lr·(√bc2 / bc1)·ξ_t·m_t / (√v_t + eps)"
    return theta - hp["lr"] * (math.sqrt(bc2) / bc1) * xi * m / (math.sqrt(v) + hp["eps"])


def adadb(s, theta, g, t, hp, variant):
    b3, lam = hp["beta3"], hp["lam"]
    # history "with g_0 = g_{-1} = g_{-2} = 0": s["g1"] = g_{t-1}, s["g2"] = g_{t-2}, s["g3"] = g_{t-3}
    g1, g2, g3 = s["g1"], s["g2"], s["g3"]
    # "Δg_t = β3·(g_{t-1} − g_t) + β3²·(g_{t-2} − g_{t-1}) + β3³·(g_{t-3} − g_{t-2})"
    dg = b3 * (g1 - g) + b3 ** 2 * (g2 - g1) + b3 ** 3 * (g3 - g2)
    if g * g1 < 0.0:
        # "where g_t·g_{t-1} < 0 (...opposite signs): ξ_t = AbsSig(Δg_t)  (friction)"
        xi = abs_sig(dg)
    else:
        # "otherwise (same sign, or a zero): ξ_t = 1 + lam·AbsSig(Δg_t)  (acceleration)"
        xi = 1.0 + lam * abs_sig(dg)
    s["g3"], s["g2"], s["g1"] = g2, g1, g
    # "Adam's m_t, v_t;  θ_t = θ_{t-1} − lr·ξ_t·m̂ / (√v̂ + eps)"
    m, v = _adam_moments(s, g, hp)
    bc1, bc2 = _bias_corrections(t, hp)
    return theta - hp["lr"] * xi * (m / bc1) / (math.sqrt(v / bc2) + hp["eps"])


def adabound_bounds(t, hp):
    final_lr, gamma = hp["final_lr"], hp["gamma"]
    # "η_l(t) = final_lr·(1 − 1/(gamma·t + 1)),  η_u(t) = final_lr·(1 + 1/(gamma·t))"
    lower = final_lr * (1.0 - 1.0 / (gamma * t + 1.0))
    upper = final_lr * (1.0 + 1.0 / (gamma * t))
    return lower, upper


def adabound(s, theta, g, t, hp, variant):
    # "Adam's m_t, v_t (no bias correction in the paper form)"
    m, v = _adam_moments(s, g, hp)
    lower, upper = adabound_bounds(t, hp)
    if variant == "paper":
        # "η_t = clip(lr / (√v_t + eps), η_l(t), η_u(t)) / √t;  θ_t = θ_{t-1} − η_t·m_t"
        eta = clip(hp["lr"] / (math.sqrt(v) + hp["eps"]), lower, upper) / math.sqrt(t)
        return theta - eta * m
    # reference: "η_t = clip(lr·(√bc2 / bc1) / (√v_t + eps), η_l(t), η_u(t));  θ_t = θ_{t-1} − η_t·m_t"
    bc1, bc2 = _bias_corrections(t, hp)
    eta = clip(hp["lr"] * (math.sqrt(bc2) / bc1) / (math.sqrt(v) + hp["eps"]), lower, upper)
    return theta - eta * m


def adamod(s, theta, g, t, hp, variant):
    b3 = hp["beta3"]
    # "Adam's m_t, v_t;  s_0 = 0"
    m, v = _adam_moments(s, g, hp)
    bc1, bc2 = _bias_corrections(t, hp)
    if variant == "paper":
        # "η_t = lr / (√v̂ + eps)"
        eta = hp["lr"] / (math.sqrt(v / bc2) + hp["eps"])
        # "s_t = β3·s_{t-1} + (1−β3)·η_t"
        s["s"] = b3 * s["s"] + (1.0 - b3) * eta
        # "θ_t = θ_{t-1} − min(η_t, s_t)·m̂"
        return theta - min(eta, s["s"]) * (m / bc1)
    # reference: "η_t = lr·(√bc2 / bc1) / (√v_t + eps);  s_t as above;  θ_t = θ_{t-1} − min(η_t, s_t)·m_t"
    eta = hp["lr"] * (math.sqrt(bc2) / bc1) / (math.sqrt(v) + hp["eps"])
    s["s"] = b3 * s["s"] + (1.0 - b3) * eta
    return theta - min(eta, s["s"]) * m


def radam_rho(t, beta2):
    # "ρ_∞ = 2/(1−β2) − 1;  ρ_t = ρ_∞ − 2·t·β2^t / bc2"
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    bc2 = 1.0 - beta2 ** t
    return rho_inf, rho_inf - 2.0 * t * beta2 ** t / bc2


def radam(s, theta, g, t, hp, variant):
    m, v = _adam_moments(s, g, hp)
    bc1, bc2 = _bias_corrections(t, hp)
    rho_inf, rho_t = radam_rho(t, hp["beta2"])
    m_hat = m / bc1
    threshold = 4.0 if variant == "paper" else 5.0  # "ρ_t > 4" / "ρ_t > 5"
    if rho_t > threshold:
        # "r_t = √( (ρ_t − 4)(ρ_t − 2)ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2)ρ_t) )"
        r = math.sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf
                      / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
        if variant == "paper":
            # "θ_t = θ_{t-1} − lr·r_t·m̂ / (√v̂ + eps)"
            return theta - hp["lr"] * r * m_hat / (math.sqrt(v / bc2) + hp["eps"])
        # reference: "θ_t = θ_{t-1} − lr·r_t·m̂·√bc2 / (√v_t + eps)"
        return theta - hp["lr"] * r * m_hat * math.sqrt(bc2) / (math.sqrt(v) + hp["eps"])
    # "else θ_t = θ_{t-1} − lr·m̂"
    return theta - hp["lr"] * m_hat


STEP = {
    "sgd": sgd, "sgdm": sgdm, "nag": nag, "adagrad": adagrad, "adadelta": adadelta,
    "rmsprop": rmsprop, "adam": adam, "adamw": adamw, "yogi": yogi, "amsgrad": amsgrad,
    "adabelief": adabelief, "diffgrad": diffgrad, "adadb": adadb, "adabound": adabound,
    "adamod": adamod, "radam": radam,
}


def init_state(optimizer, variant):
    """One coordinate's state. "All state starts at zero unless stated." """
    s = {"m": 0.0, "v": 0.0, "G": 0.0, "E": 0.0, "D": 0.0, "s": 0.0, "vmax": 0.0,
         "g_prev": 0.0, "g1": 0.0, "g2": 0.0, "g3": 0.0}
    if optimizer == "yogi" and variant == "reference":
        # yogi reference: "the same with m_0 = v_0 = 1e-6"
        s["m"] = 1e-6
        s["v"] = 1e-6
    return s


def _check_variant(optimizer, variant):
    if variant not in VARIANTS[optimizer]:
        raise ValueError(f"{optimizer} has no {variant!r} variant")


class _Inner:
    """A plain (non-lookahead) optimizer acting on the 2-vector θ."""

    def __init__(self, optimizer, variant, hp):
        _check_variant(optimizer, variant)
        self.optimizer, self.variant, self.hp = optimizer, variant, hp
        self.states = [init_state(optimizer, variant) for _ in range(2)]
        self.t = 0  # "steps count from t = 1"

    def step(self, theta, grad_fn):
        self.t += 1
        t = self.t
        # "g_t = ∇f(θ_{t-1})" (σ = 0), except nag paper's look-ahead point
        if self.optimizer == "nag":
            point = [nag_point(self.states[i], theta[i], self.hp, self.variant)
                     for i in range(2)]
        else:
            point = list(theta)
        g = grad_fn(point[0], point[1])
        update = STEP[self.optimizer]
        return [update(self.states[i], theta[i], float(g[i]), t, self.hp, self.variant)
                for i in range(2)]


def run(optimizer, variant, grad_fn, start, steps, hp=None):
    """Path of ``steps`` steps: a list of ``steps + 1`` (x, y) tuples, row 0 = start."""
    if optimizer == "lookahead":
        return run_lookahead(variant, grad_fn, start, steps, hp)[0]
    hp = resolve_hyperparams(optimizer, hp)
    opt = _Inner(optimizer, variant, hp)
    theta = [float(start[0]), float(start[1])]
    path = [tuple(theta)]
    for _ in range(steps):
        theta = opt.step(theta, grad_fn)
        path.append(tuple(theta))
    return path


def run_lookahead(variant, grad_fn, start, steps, hp=None):
    """Lookahead (Alg. 15). Returns ``(path, slow, slow_steps)``.

    ``variant`` is passed to the inner optimizer (lookahead itself has one form).
    """
    hp = resolve_hyperparams("lookahead", hp)
    k, alpha = hp["k"], hp["alpha"]
    inner_hp = {key: hp[key] for key in DEFAULTS[hp["inner"]]}
    inner = _Inner(hp["inner"], variant, inner_hp)
    # "Fast weights θ, slow weights φ_0 = θ_0."
    theta = [float(start[0]), float(start[1])]
    phi = list(theta)
    path, slow, slow_steps = [tuple(theta)], [tuple(phi)], [0]
    for t in range(1, steps + 1):
        # "Every step, the inner optimizer updates θ."
        theta = inner.step(theta, grad_fn)
        if t % k == 0:
            # "After every k-th step: φ ← φ + alpha·(θ − φ), then θ ← φ."
            phi = [phi[i] + alpha * (theta[i] - phi[i]) for i in range(2)]
            theta = list(phi)
            slow.append(tuple(phi))
            slow_steps.append(t)
            # "The inner optimizer's state (moments, step count) is kept"
        # "The recorded path is θ after each step (so at a sync step it is the new φ)"
        path.append(tuple(theta))
    return path, slow, slow_steps


# --------------------------------------------------------------------------
# Hand-written analytic surfaces (values and gradients), independent of surfaces/.
# --------------------------------------------------------------------------
def rosenbrock(a=1.0, b=100.0):
    def f(x, y):
        return (a - x) ** 2 + b * (y - x * x) ** 2

    def grad(x, y):
        # f = (a − x)² + b(y − x²)²
        return (-2.0 * (a - x) - 4.0 * b * x * (y - x * x), 2.0 * b * (y - x * x))

    return f, grad


def beale():
    def f(x, y):
        return ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2
                + (2.625 - x + x * y ** 3) ** 2)

    def grad(x, y):
        r1 = 1.5 - x + x * y
        r2 = 2.25 - x + x * y * y
        r3 = 2.625 - x + x * y ** 3
        gx = 2.0 * r1 * (y - 1.0) + 2.0 * r2 * (y * y - 1.0) + 2.0 * r3 * (y ** 3 - 1.0)
        gy = 2.0 * r1 * x + 4.0 * r2 * x * y + 6.0 * r3 * x * y * y
        return (gx, gy)

    return f, grad


def booth():
    def f(x, y):
        return (x + 2.0 * y - 7.0) ** 2 + (2.0 * x + y - 5.0) ** 2

    def grad(x, y):
        r1 = x + 2.0 * y - 7.0
        r2 = 2.0 * x + y - 5.0
        return (2.0 * r1 + 4.0 * r2, 4.0 * r1 + 2.0 * r2)

    return f, grad


def quadratic(kappa=20.0, angle=0.0):
    """½(u² + κv²), (u, v) = (x, y) rotated by −angle (angle in degrees)."""
    th = math.radians(angle)
    c, s_ = math.cos(th), math.sin(th)

    def f(x, y):
        u = c * x + s_ * y
        v = -s_ * x + c * y
        return 0.5 * (u * u + kappa * v * v)

    def grad(x, y):
        u = c * x + s_ * y
        v = -s_ * x + c * y
        # ∂f/∂x = u·∂u/∂x + κv·∂v/∂x, ∂f/∂y likewise
        return (u * c - kappa * v * s_, u * s_ + kappa * v * c)

    return f, grad


SURFACES = {"rosenbrock": rosenbrock, "beale": beale, "booth": booth, "quadratic": quadratic}


def surface(name, **params):
    """``(f, grad)`` of a hand-written surface."""
    return SURFACES[name](**params)
