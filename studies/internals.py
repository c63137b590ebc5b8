r"""What drives an optimizer's steps: named series computed from a run's recorded state (pure numpy).

:func:`internals` takes an :class:`optimizers.Run` recorded with ``record_state=True`` and
returns an :class:`Internals`: groups of series against the step (one chart each on the page),
plus the vectors the contour's arrows need (gradient, momentum, actual step).

Every quantity is computed from the recorded state exactly as the optimizer's update computes it
(``optimizers/<id>.py``), so the "step" series reproduce the path: for Adam,
θ_t − θ_{t−1} = −η·m̂_t/(√v̂_t + ε) (``tests/test_internals.py`` checks each optimizer here
against its path).  Conventions: row t of a series is the value *at step t* (after the t-th
update; row 0 is the start, NaN where undefined); a per-coordinate series has shape
(steps + 1, 2) (x, y), a scalar one (steps + 1,).

The table :data:`SPECIAL` says, in one place, which quantities each optimizer shows; every
optimizer also gets the gradient, the actual step Δθ and the effective step |Δθ|/|g|
(:data:`GENERIC`).  For Lookahead the inner optimizer's quantities come first (they drive the
fast weights), then the slow and fast weights.
"""
from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True)
class Series:
    """One line (scalar) or pair of lines (per coordinate: x solid, y dashed) of a chart."""

    name: str
    values: np.ndarray  # (steps + 1,) or (steps + 1, 2)
    role: str = "main"  # "main": the optimizer's colour; "bound": grey (a bound, a threshold, φ)

    @property
    def per_coordinate(self) -> bool:
        return self.values.ndim == 2


@dataclasses.dataclass(frozen=True)
class Group:
    """One chart: a title that says what it is, the y-axis title, its series and a scale hint."""

    key: str
    title: str
    ytitle: str
    series: tuple
    latex: str = ""
    log: bool = False  # plot on a log y axis (the values are positive and span decades)
    marks: tuple = ()  # ((step, label), ...): vertical markers (RAdam's switch)


@dataclasses.dataclass(frozen=True)
class Internals:
    """An optimizer run's internals.  ``grad[t]``, ``momentum[t]`` and ``step[t]`` are the
    arrows at θ_t: the gradient used by the next update (at θ_t, or where the optimizer takes
    it), the momentum carried into it (None without one) and the update θ_{t+1} − θ_t; the last
    row is NaN."""

    optimizer: str
    name: str
    groups: tuple
    grad: np.ndarray
    momentum: np.ndarray | None
    step: np.ndarray
    switch_step: int | None = None  # RAdam: the first step with the adaptive (rectified) update

    def group(self, key: str) -> Group:
        for g in self.groups:
            if g.key == key:
                return g
        raise KeyError(f"{self.optimizer} has no internals group {key!r}; it has "
                       f"{', '.join(g.key for g in self.groups)}")


# ---- helpers -------------------------------------------------------------------------------
def _decades(*arrays) -> bool:
    """Whether positive values span two decades or more (a log axis reads them better)."""
    vals = np.concatenate([np.abs(np.asarray(a, dtype=float)).ravel() for a in arrays])
    vals = vals[np.isfinite(vals) & (vals > 0)]
    return bool(len(vals)) and float(vals.max()) >= 100.0 * float(vals.min())


def _positive_log(*arrays) -> bool:
    vals = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays])
    vals = vals[np.isfinite(vals)]
    return bool(len(vals)) and bool(np.all(vals > 0)) and _decades(vals)


def _row0_nan(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a[0] = np.nan
    return a


class _Ctx:
    """What every group builder reads: the run, its hyperparameters, state and step numbers."""

    def __init__(self, run, inner_id: str, variant: str):
        self.run = run
        self.id = inner_id
        self.variant = variant
        self.hp = run.hyperparams
        self.st = run.state
        self.sc = run.scalars
        n = len(run.path)
        self.n = n
        self.t = np.arange(n, dtype=float)  # step numbers; row 0 = start
        lrs = getattr(run, "lrs", None)
        if lrs is not None and len(lrs) == n:
            self.lr = np.asarray(lrs, dtype=float)
        else:
            self.lr = np.full(n, float(self.hp.get("lr", np.nan)))
        self.lr_col = self.lr[:, None]
        base = float(self.hp.get("lr", np.nan))
        self.factor = self.lr / base if base > 0 else np.ones(n)  # the schedule's factor f_t
        self.g = np.asarray(run.grads, dtype=float)
        self.delta = inner_delta(run)  # the inner optimizer's update at each step

    def bc(self):
        """(1 − β1^t, 1 − β2^t) per step, from the recorded running powers (row 0: NaN)."""
        return _row0_nan(1.0 - self.sc["beta1^t"]), _row0_nan(1.0 - self.sc["beta2^t"])


def inner_delta(run) -> np.ndarray:
    """θ_t − θ_{t−1} as the inner update made it (row 0 NaN).  For Lookahead, at a sync step the
    path holds the new slow weights; the inner update went from θ_{t−1} to ``fast[i]``."""
    pre = np.array(run.path, dtype=float)
    if len(run.fast):
        steps = np.asarray(run.slow_steps)[1:1 + len(run.fast)]
        pre[steps] = run.fast
    d = np.full_like(pre, np.nan)
    d[1:] = pre[1:] - run.path[:-1]
    return d


# ---- the quantities, by name (each returns a Group) ------------------------------------------
def _adam_like_terms(c: _Ctx):
    """(m̂ or m, the denominator √v̂ + ε, the factor in front) such that the update is
    Δθ = −factor·numerator/denominator, exactly as each Adam-like kernel evaluates it."""
    hp, st, v = c.hp, c.st, c.variant
    bc1, bc2 = c.bc()
    e = float(hp.get("eps", 0.0))
    m = st["m"]
    bc1c, bc2c = bc1[:, None], bc2[:, None]
    if c.id in ("adam", "adamw", "yogi"):
        return m / bc1c, np.sqrt(st["v"]) / np.sqrt(bc2c) + e, c.lr_col
    if c.id == "adabelief":
        return m / bc1c, np.sqrt(st["s"]) / np.sqrt(bc2c) + e, c.lr_col
    if c.id == "amsgrad":
        den = np.sqrt(st["v_max"]) + e if v == "paper" else np.sqrt(st["v_max"]) / np.sqrt(bc2c) + e
        return m / bc1c, den, c.lr_col
    if c.id == "diffgrad":
        xi = diffgrad_xi(c)
        if v == "paper":
            return xi * m / bc1c, np.sqrt(st["v"] / bc2c) + e, c.lr_col
        return xi * m, np.sqrt(st["v"]) + e, c.lr_col * np.sqrt(bc2c) / bc1c
    if c.id == "radam":
        rect = radam_rho(c)[2]
        r = radam_rho(c)[1][:, None]
        mhat = m / bc1c
        if v == "paper":
            den = np.where(rect[:, None], np.sqrt(st["v"] / bc2c) + e, 1.0)
            return mhat, den, c.lr_col * np.where(rect[:, None], r, 1.0)
        den = np.where(rect[:, None], (np.sqrt(st["v"]) + e) / np.sqrt(bc2c), 1.0)
        return mhat, den, c.lr_col * np.where(rect[:, None], r, 1.0)
    raise KeyError(c.id)


def step_adaptive(c: _Ctx) -> Group:
    """η·m̂/(√v̂+ε) per coordinate: the step the update takes (Δθ = −this)."""
    num, den, fac = _adam_like_terms(c)
    s = fac * num / den
    if c.id == "adamw":  # the decoupled decay is a separate part of the step
        title = "Adaptive part of the step lr·m̂/(√v̂+ε), per coordinate (Δθ = −this − lr·λ·θ)"
    elif c.id == "diffgrad":
        title = "Effective step size lr·ξ·m̂/(√v̂+ε), per coordinate (Δθ = −this)"
    elif c.id == "radam":
        title = "Effective step size lr·r_t·m̂/(√v̂+ε) (lr·m̂ before the switch), per coordinate"
    elif c.id == "adabelief":
        title = "Effective step size lr·m̂/(√ŝ+ε), per coordinate (Δθ = −this)"
    elif c.id == "amsgrad":
        title = "Effective step size lr·m̂/(√v̂_max+ε), per coordinate (Δθ = −this)"
    else:
        title = "Effective step size lr·m̂/(√v̂+ε), per coordinate (Δθ = −this)"
    return Group("step", title, "step", (Series("lr·m̂/(√v̂+ε)", _row0_nan(s)),),
                 latex=r"\eta\,\hat m_t/(\sqrt{\hat v_t}+\epsilon)")


def lr_adaptive(c: _Ctx) -> Group:
    """η/(√v̂+ε) per coordinate: the learning rate each coordinate really gets."""
    num, den, fac = _adam_like_terms(c)
    per = _row0_nan(np.broadcast_to(fac, den.shape) / den)
    what = "√ŝ" if c.id == "adabelief" else ("√v̂_max" if c.id == "amsgrad" else "√v̂")
    head = "lr·r_t" if c.id == "radam" else "lr"
    return Group("lr", f"Per-coordinate learning rate {head}/({what}+ε)", "lr / (√v̂+ε)",
                 (Series(f"lr/({what}+ε)", per),), latex=r"\eta/(\sqrt{\hat v_t}+\epsilon)",
                 log=_positive_log(per[1:]))


def moment_m(c: _Ctx) -> Group:
    m = np.array(c.st["m"], dtype=float)
    title = {"sgdm": "Momentum (velocity) m_t = β·m_{t−1} + g_t, per coordinate",
             "nag": "Momentum (velocity) m_t = β·m_{t−1} + g_t, per coordinate"}.get(
        c.id, "First moment m_t (running mean of gradients), per coordinate")
    return Group("m", title, "m", (Series("m", m),), latex=r"m_t")


def moment_v(c: _Ctx) -> Group:
    name = {"adabelief": "s", "rmsprop": "G", "adagrad": "G", "adadelta": "E_g2"}.get(c.id, "v")
    v = np.array(c.st[name], dtype=float)
    series = [Series(name, v)]
    if c.id == "amsgrad":
        series.append(Series("v_max", np.array(c.st["v_max"], dtype=float), role="bound"))
    title = {"adabelief": "Belief s_t (running variance of g − m), per coordinate",
             "rmsprop": "Running mean of squared gradients G_t, per coordinate",
             "adagrad": "Sum of squared gradients G_t, per coordinate",
             "adadelta": "Running mean of squared gradients E[g²]_t, per coordinate",
             "amsgrad": "Second moment v_t and its running maximum v_max (grey), per coordinate"}.get(
        c.id, "Second moment v_t (running mean of squared gradients), per coordinate")
    return Group("v", title, name, tuple(series), latex=r"v_t",
                 log=_positive_log(*(s.values[1:] for s in series)))


def bias_correction(c: _Ctx) -> Group:
    bc1, bc2 = c.bc()
    return Group("bc", "Bias-correction factors 1 − β₁ᵗ (colour) and 1 − β₂ᵗ (grey)", "factor",
                 (Series("1 − β₁ᵗ", bc1), Series("1 − β₂ᵗ", bc2, role="bound")),
                 latex=r"1-\beta_1^t,\ 1-\beta_2^t", log=_positive_log(bc1[1:], bc2[1:]))


def adabound_bounds(c: _Ctx):
    """(lower, upper, the clipped per-coordinate rate η_t before the paper form's 1/√t, post)."""
    hp, t = c.hp, c.t
    flr = hp["final_lr"] * c.factor  # a schedule scales final_lr too (as the author code does)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = flr * (1.0 - 1.0 / (hp["gamma"] * t + 1.0))
        upper = flr * (1.0 + 1.0 / (hp["gamma"] * t))
        bc1, bc2 = c.bc()
        if c.variant == "paper":
            base = c.lr
            post = 1.0 / np.sqrt(t)
        else:
            base = c.lr * np.sqrt(bc2) / bc1
            post = np.ones_like(t)
        raw = base[:, None] / (np.sqrt(c.st["v"]) + hp["eps"])
        eta = np.minimum(np.maximum(raw, lower[:, None]), upper[:, None])
    return _row0_nan(lower), _row0_nan(upper), _row0_nan(eta), _row0_nan(raw), _row0_nan(post)


def bounds_adabound(c: _Ctx) -> Group:
    lower, upper, eta, _, _ = adabound_bounds(c)
    return Group("bounds", "AdaBound: step size clipped between the lower and upper bounds (grey)",
                 "step size", (Series("upper bound", upper, "bound"), Series("lower bound", lower, "bound"),
                               Series("clipped η_t", eta)),
                 latex=r"\mathrm{clip}(\eta/(\sqrt{v_t}+\epsilon),\ \eta_l(t),\ \eta_u(t))",
                 log=_positive_log(lower[2:], upper[1:], eta[1:]))


def adamod_bounds(c: _Ctx):
    """(η_t candidate, s_t the upper bound, min(η_t, s_t) used) per coordinate."""
    hp = c.hp
    bc1, bc2 = c.bc()
    if c.variant == "paper":
        eta = c.lr_col / (np.sqrt(c.st["v"] / bc2[:, None]) + hp["eps"])
    else:
        eta = c.lr_col * np.sqrt(bc2[:, None]) / bc1[:, None] / (np.sqrt(c.st["v"]) + hp["eps"])
    s = np.array(c.st["s"], dtype=float)
    return _row0_nan(eta), _row0_nan(s), _row0_nan(np.minimum(eta, s))


def bounds_adamod(c: _Ctx) -> Group:
    eta, s, used = adamod_bounds(c)
    return Group("bounds", "AdaMod: step size min(η_t, s_t) under the upper bound s_t (grey)",
                 "step size", (Series("upper bound s_t", s, "bound"), Series("min(η_t, s_t)", used)),
                 latex=r"\min(\eta_t, s_t),\ s_t = \beta_3 s_{t-1} + (1-\beta_3)\eta_t",
                 log=_positive_log(s[1:], used[1:]))


def radam_rho(c: _Ctx):
    """(ρ_t, r_t (0 before the switch), rectified?, threshold) per step, as radam.py computes them."""
    b2 = c.hp["beta2"]
    with np.errstate(divide="ignore", invalid="ignore"):
        b2t = c.sc["beta2^t"]
        rho_inf = 2.0 / (1.0 - b2) - 1.0
        rho = rho_inf - 2.0 * c.t * b2t / (1.0 - b2t)
        threshold = 4.0 if c.variant == "paper" else 5.0
        rect = rho > threshold
        r = np.where(rect, np.sqrt(np.abs((rho - 4.0) * (rho - 2.0) * rho_inf
                                          / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho))), 0.0)
    rho, r = _row0_nan(rho), _row0_nan(r)
    rect = np.asarray(rect, dtype=bool).copy()
    rect[0] = False
    return rho, r, rect, threshold


def radam_switch(c: _Ctx) -> int | None:
    rect = radam_rho(c)[2]
    return int(np.argmax(rect)) if rect.any() else None


def rho_radam(c: _Ctx) -> Group:
    rho, _, _, thr = radam_rho(c)
    sw = radam_switch(c)
    when = f"adaptive from step {sw}" if sw is not None else "never adaptive in this run"
    return Group("rho", f"RAdam: ρ_t, the variance's degrees of freedom ({when}, where ρ_t > {thr:g})",
                 "ρ_t", (Series("ρ_t", rho), Series(f"threshold {thr:g}", np.full(c.n, thr), "bound")),
                 latex=r"\rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t)",
                 marks=((sw, "switch"),) if sw is not None else ())


def r_radam(c: _Ctx) -> Group:
    _, r, _, _ = radam_rho(c)
    sw = radam_switch(c)
    return Group("r", "RAdam: rectification r_t (0 = plain momentum step lr·m̂)", "r_t",
                 (Series("r_t", r),), latex=r"r_t", marks=((sw, "switch"),) if sw is not None else ())


def diffgrad_xi(c: _Ctx) -> np.ndarray:
    """ξ_t = 1/(1 + exp(−|g_{t−1} − g_t|)) per coordinate, from the recorded g_prev (g_0 = 0)."""
    gp = np.full_like(c.st["g_prev"], np.nan)
    gp[1:] = c.st["g_prev"][:-1]  # g_prev before step t = the state after step t − 1
    return 1.0 / (1.0 + np.exp(-np.abs(gp - c.g)))


def xi_diffgrad(c: _Ctx) -> Group:
    return Group("xi", "diffGrad: friction ξ_t = 1/(1 + e^−|g_{t−1} − g_t|), per coordinate", "ξ",
                 (Series("ξ", diffgrad_xi(c)),), latex=r"\xi_t")


def adagrad_like_lr(c: _Ctx) -> np.ndarray:
    """η/(√G+ε) (RMSProp, AdaGrad) or Adadelta's η·√(D_{t−1}+ε)/√(E_t+ε), per coordinate."""
    e = c.hp["eps"]
    if c.id == "adadelta":
        dp = np.full_like(c.st["E_dx2"], np.nan)
        dp[1:] = c.st["E_dx2"][:-1]
        return _row0_nan(c.lr_col * np.sqrt(dp + e) / np.sqrt(c.st["E_g2"] + e))
    return _row0_nan(c.lr_col / (np.sqrt(c.st["G"]) + e))


def lr_adagrad(c: _Ctx) -> Group:
    per = adagrad_like_lr(c)
    if c.id == "adadelta":
        title, lt = "Per-coordinate learning rate lr·√(E[Δθ²]+ε)/√(E[g²]+ε)", r"\eta\sqrt{D_{t-1}+\epsilon}/\sqrt{E_t+\epsilon}"
    else:
        title, lt = "Per-coordinate learning rate lr/(√G+ε)", r"\eta/(\sqrt{G_t}+\epsilon)"
    return Group("lr", title, "learning rate", (Series("per-coordinate lr", per),), latex=lt,
                 log=_positive_log(per[1:]))


def step_adagrad(c: _Ctx) -> Group:
    s = adagrad_like_lr(c) * c.g
    return Group("step", "Step size per coordinate: per-coordinate lr × g (Δθ = −this)", "step",
                 (Series("lr·g", s),), latex=r"\eta_t\, g_t")


def slow_fast(c: _Ctx) -> Group:
    """Lookahead: the fast weights θ (every step) and the slow weights φ (held between syncs)."""
    run = c.run
    slow = np.full((c.n, 2), np.nan)
    for i, s in enumerate(run.slow_steps):
        slow[int(s):] = run.slow[i]
    return Group("slowfast", "Lookahead: fast weights θ (colour) and slow weights φ (grey), x and y",
                 "θ, φ", (Series("fast θ", np.array(run.path, dtype=float)), Series("slow φ", slow, "bound")),
                 latex=r"\phi_t = \phi_{t-1} + \alpha(\theta_{t,k} - \phi_{t-1})")


def learning_rate(c: _Ctx) -> Group:
    sched = getattr(c.run, "schedule", None)
    spec = getattr(sched, "spec", None)
    what = f" ({spec.name})" if spec is not None else (f" ({sched})" if isinstance(sched, str) and sched else "")
    return Group("schedule", f"Learning rate η_t of the schedule{what}", "lr", (Series("lr", c.lr),),
                 latex=r"\eta_t", log=_positive_log(c.lr))


# ---- the generic quantities (every optimizer) ---------------------------------------------------
def gradient(c: _Ctx) -> Group:
    return Group("grad", "Gradient g_t = ∇f used at each step, per coordinate", "g",
                 (Series("g", np.array(c.g, dtype=float)),), latex=r"g_t")


def actual_step(c: _Ctx) -> Group:
    return Group("delta", "Actual step Δθ_t = θ_t − θ_{t−1}, per coordinate", "Δθ",
                 (Series("Δθ", np.array(c.delta)),), latex=r"\Delta\theta_t")


def effective_ratio(c: _Ctx) -> Group:
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.abs(c.delta) / np.abs(c.g)
    r[~np.isfinite(r)] = np.nan
    return Group("ratio", "Effective step size |Δθ|/|g| per coordinate (the lr the step amounts to)",
                 "|Δθ| / |g|", (Series("|Δθ|/|g|", r),), latex=r"|\Delta\theta_t|/|g_t|",
                 log=_positive_log(r[1:]))


ADAM_LIKE = (step_adaptive, lr_adaptive, moment_m, moment_v, bias_correction)
GENERIC = (gradient, actual_step, effective_ratio)

#: optimizer id -> the quantities shown before the generic ones (metadata in one place)
SPECIAL: dict[str, tuple] = {
    "sgdm": (moment_m,),
    "nag": (moment_m,),
    "adagrad": (lr_adagrad, step_adagrad, moment_v),
    "rmsprop": (lr_adagrad, step_adagrad, moment_v),
    "adadelta": (lr_adagrad, moment_v),
    "adam": ADAM_LIKE,
    "adamw": ADAM_LIKE,
    "yogi": ADAM_LIKE,
    "amsgrad": ADAM_LIKE,
    "adabelief": ADAM_LIKE,
    "diffgrad": (xi_diffgrad,) + ADAM_LIKE,
    "radam": (rho_radam, r_radam) + ADAM_LIKE,
    "adabound": (bounds_adabound, moment_m, moment_v, bias_correction),
    "adamod": (bounds_adamod, moment_m, moment_v, bias_correction),
    "nadam": (moment_m, moment_v),
    "adamax": (moment_m,),
    "lion": (moment_m,),
    "lamb": (moment_m, moment_v),
}


def quantities(optimizer_id: str, inner: str | None = None) -> tuple:
    """The group builders shown for an optimizer (Lookahead: its inner optimizer's, then φ/θ)."""
    if inner is not None:
        return quantities(inner) + (slow_fast,)
    return SPECIAL.get(optimizer_id, ()) + GENERIC


def _momentum(c: _Ctx) -> np.ndarray | None:
    """m_t carried into step t + 1 (for the arrow at θ_t), in the direction it moves θ."""
    if c.st is None or "m" not in c.st or c.id in ("lion",):
        return None
    return np.array(c.st["m"], dtype=float)


def internals(run, *, inner: str | None = None) -> Internals:
    """The internals of ``run`` (from ``optimizers.run(..., record_state=True)``).

    ``inner`` defaults to ``run.hyperparams["inner"]`` for Lookahead.
    """
    import optimizers

    if run.state is None or run.grads is None:
        raise ValueError("internals need a run recorded with record_state=True")
    spec = optimizers.OPTIMIZERS[run.optimizer]
    if spec.wraps_inner:
        inner = inner or run.hyperparams.get("inner", "adam")
    c = _Ctx(run, inner or run.optimizer, run.variant)
    builders = quantities(run.optimizer, inner)
    lr = c.lr[np.isfinite(c.lr)]
    if len(lr) and float(lr.max() - lr.min()) > 1e-12 * float(np.abs(lr).max()):
        builders = (learning_rate,) + builders  # a schedule: the lr itself comes first
    groups = tuple(b(c) for b in builders)
    n = c.n
    nxt = lambda a: np.concatenate([a[1:], np.full((1, 2), np.nan)])  # noqa: E731 (row t: step t + 1)
    mom = _momentum(c)
    step = np.full((n, 2), np.nan)
    step[:-1] = np.diff(run.path, axis=0)
    return Internals(run.optimizer, spec.name if not inner else f"{spec.name}({optimizers.OPTIMIZERS[inner].name})",
                     groups, nxt(c.g), mom, step,
                     switch_step=radam_switch(c) if c.id == "radam" else None)


def inspect_run(settings, index: int, *, steps: int | None = None):
    """The recorded run of optimizer ``index`` of an ``ui.settings.ExploreSettings`` and its
    :class:`Internals` (the same run the page draws, with ``record_state=True``)."""
    import optimizers

    cfg = settings.optimizers[index]
    sched = getattr(settings, "schedule", None)  # the page's learning-rate schedule, when it has one
    r = optimizers.run(cfg.id, settings.surface_obj(), settings.start, steps or settings.steps,
                       variant=cfg.variant, noise=settings.noise, seed=settings.seed, record_state=True,
                       **({"schedule": sched} if sched is not None else {}), **cfg.kwargs())
    return r, internals(r)
