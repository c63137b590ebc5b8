r"""Learning-rate schedules: a registry of specs and one pure function, :func:`lr_factors`.

A schedule multiplies the optimizer's base learning rate :math:`\eta`: update :math:`t`
(t = 1..steps) uses :math:`\eta_t = \eta\, f_t`.  Every schedule equals a
``torch.optim.lr_scheduler`` class stepped the usual way (``opt.step(); sched.step()``), so
update t uses the scheduler's value after :math:`s = t - 1` scheduler steps; the formulas below
are written in :math:`s`.

Torch gives some parameters as absolute learning rates; here they are relative to the base
learning rate, so a schedule means the same thing at every lr:
``eta_min = min_factor·lr`` and OneCycle's ``max_lr = lr``.

==============  ==========================================================================
id              torch equivalent (lr = the optimizer's lr)
==============  ==========================================================================
constant        no scheduler (= ``LambdaLR(lambda s: 1.0)``)
step            ``StepLR(step_size, gamma)``
exponential     ``ExponentialLR(gamma)``
cosine          ``CosineAnnealingLR(T_max, eta_min=min_factor·lr)``
warmup          ``LinearLR(start_factor, end_factor=1.0, total_iters=warmup)``
warmup_cosine   ``SequentialLR([LinearLR(start_factor, total_iters=warmup),
                CosineAnnealingLR(T_max − warmup, eta_min=min_factor·lr)], milestones=[warmup])``
onecycle        ``OneCycleLR(max_lr=lr, total_steps, pct_start, anneal_strategy="cos",
                div_factor, final_div_factor, three_phase=False, cycle_momentum=False)``
==============  ==========================================================================

The factors are closed forms; torch's chainable forms (each value from the last) differ from
them only at the rounding level (checked against torch 2.13 to 1e-9 by
``tests/test_schedules.py`` with the golden data of ``scripts/make_golden.py``).

>>> lr_factors(("step", {"step_size": 2, "gamma": 0.5}), 5)
array([1.  , 1.  , 1.  , 0.5 , 0.5 , 0.25])
"""
from __future__ import annotations

import dataclasses
import math
import numbers

import numpy as np

from .base import Hyperparam

#: the largest step count a schedule parameter may name (the engine's ``MAX_STEPS``)
MAX_SCHEDULE_STEPS = 1_000_000


@dataclasses.dataclass(frozen=True)
class ScheduleSpec:
    """One schedule: its parameters (``Hyperparam`` records: default, range, integer), its rule
    in LaTeX and the torch scheduler it equals."""

    id: str
    name: str
    params: tuple  # of Hyperparam
    latex: str
    torch: str
    notes: str = ""

    @property
    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}


def _steps(name, default, help_):
    return Hyperparam(name, default, 1, MAX_SCHEDULE_STEPS, "linear", help_, integer=True)


_MIN_FACTOR = Hyperparam("min_factor", 0.0, 0.0, 1.0, "linear",
                         "the lowest learning rate, as a fraction of lr (torch's eta_min / lr)",
                         symbol=r"f_{\min}")
_START_FACTOR = Hyperparam("start_factor", 0.1, 1e-3, 1.0, "log",
                           "the first step's learning rate, as a fraction of lr", symbol=r"f_0")
_WARMUP = _steps("warmup", 30, "steps of the linear warm-up (torch's total_iters)")

SCHEDULES = {s.id: s for s in (
    ScheduleSpec(
        "constant", "Constant", (),
        r"f_s = 1",
        "no scheduler (LambdaLR(lambda s: 1.0))"),
    ScheduleSpec(
        "step", "Step decay",
        (_steps("step_size", 100, "steps between two decays"),
         Hyperparam("gamma", 0.5, 0.0, 1.0, "linear", "factor applied at every decay", symbol=r"\gamma")),
        r"f_s = \gamma^{\lfloor s / \mathrm{step\_size} \rfloor}",
        "StepLR(step_size, gamma)"),
    ScheduleSpec(
        "exponential", "Exponential decay",
        (Hyperparam("gamma", 0.99, 0.9, 1.0, "linear", "factor applied at every step", symbol=r"\gamma"),),
        r"f_s = \gamma^{s}",
        "ExponentialLR(gamma)"),
    ScheduleSpec(
        "cosine", "Cosine annealing",
        (_steps("T_max", 300, "steps from lr down to the lowest learning rate"), _MIN_FACTOR),
        r"f_s = f_{\min} + (1 - f_{\min})\,\tfrac12\left(1 + \cos\tfrac{\pi s}{T_{\max}}\right)",
        "CosineAnnealingLR(T_max, eta_min=min_factor·lr)",
        notes="Past T_max the factor rises again along the same cosine (period 2·T_max), as torch's does."),
    ScheduleSpec(
        "warmup", "Linear warm-up",
        (_START_FACTOR, _WARMUP),
        r"f_s = f_0 + (1 - f_0)\,\min(s, W)/W",
        "LinearLR(start_factor, end_factor=1.0, total_iters=warmup)"),
    ScheduleSpec(
        "warmup_cosine", "Warm-up, then cosine",
        (_START_FACTOR, _WARMUP, _steps("T_max", 300, "the step at which the cosine reaches its lowest "
                                                     "learning rate (warm-up included)"), _MIN_FACTOR),
        r"f_s = \begin{cases} f_0 + (1 - f_0)\, s/W & s < W \\ f_{\min} + (1 - f_{\min})\,\tfrac12"
        r"\left(1 + \cos\tfrac{\pi (s - W)}{T_{\max} - W}\right) & s \ge W \end{cases}",
        "SequentialLR([LinearLR(start_factor, total_iters=warmup), CosineAnnealingLR(T_max − warmup, "
        "eta_min=min_factor·lr)], milestones=[warmup])",
        notes="SequentialLR switches at s = warmup, so the linear ramp's last value is at s = warmup − 1 "
              "and s = warmup is the cosine's first (= lr); past T_max the cosine rises again, as torch's does."),
    ScheduleSpec(
        "onecycle", "One-cycle",
        (_steps("total_steps", 300, "length of the cycle (the updates it covers)"),
         Hyperparam("pct_start", 0.3, 0.01, 0.99, "linear", "fraction of the cycle spent rising",
                    symbol=r"p"),
         Hyperparam("div_factor", 25.0, 1.0, 1e4, "log", "the first learning rate is lr / div_factor",
                    symbol=r"d"),
         Hyperparam("final_div_factor", 1e4, 1.0, 1e6, "log",
                    "the last learning rate is lr / (div_factor · final_div_factor)", symbol=r"d_f")),
        r"f_s = \begin{cases} \mathrm{cos\_anneal}(1/d,\ 1,\ s/(pN - 1)) & s \le pN - 1 \\"
        r" \mathrm{cos\_anneal}(1,\ 1/(d\,d_f),\ (s - pN + 1)/(N - pN)) & s > pN - 1\end{cases},\ "
        r"\mathrm{cos\_anneal}(a, b, x) = b + \tfrac{a - b}{2}(1 + \cos \pi x)",
        "OneCycleLR(max_lr=lr, total_steps, pct_start, anneal_strategy='cos', div_factor, "
        "final_div_factor, three_phase=False, cycle_momentum=False)",
        notes="cycle_momentum=False: torch's default would also cycle the momentum (SGD's momentum, "
              "Adam's beta1) between 0.85 and 0.95, which would change the optimizer, not its "
              "learning rate. Past total_steps (torch raises) the last factor, 1/(d·d_f), is held."),
)}


@dataclasses.dataclass(frozen=True)
class Schedule:
    """A schedule and its parameters: ``Schedule("cosine", {"T_max": 300})``.

    ``params`` may be a dict or ((name, value), ...); it is stored as a tuple of pairs in the
    spec's order with every parameter present (defaults filled in) once validated by
    :func:`parse`.  Hashable, so it can sit in frozen settings.
    """

    id: str = "constant"
    params: tuple = ()

    def __post_init__(self):
        if isinstance(self.params, dict):
            object.__setattr__(self, "params", tuple(self.params.items()))

    @property
    def kwargs(self) -> dict:
        return dict(self.params)

    @property
    def spec(self) -> ScheduleSpec:
        return SCHEDULES[self.id]

    def to_text(self) -> str:
        """``cosine(T_max=300,min_factor=0)``: the URL form."""
        return self.id + "(" + ",".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}"
                                        for k, v in self.params) + ")"


CONSTANT = Schedule("constant", ())


def _fmt(v) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else f"{v:g}"


def check_param(sid: str, p: Hyperparam, value):
    """``value`` as int (integer parameters) or float, or ValueError naming the range."""
    rng = f"[{_fmt(p.lo)}, {_fmt(p.hi)}]"
    kind = "an integer" if p.integer else "a number"
    bad = ValueError(f"schedule {sid}: {p.name} must be {kind} in {rng}, got {value!r}")
    if isinstance(value, (bool, str, bytes, np.bool_)):
        raise bad
    if p.integer:
        if isinstance(value, numbers.Integral):
            v = int(value)
        elif isinstance(value, numbers.Real) and float(value).is_integer():
            v = int(value)
        else:
            raise bad
    else:
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise bad from None
    if not (p.lo <= v <= p.hi):  # also rejects nan
        raise bad
    return v


def parse(schedule) -> Schedule:
    """A validated :class:`Schedule` from ``None`` / ``"constant"``, an id, ``(id, {params})``
    or a :class:`Schedule`; missing parameters take their defaults.  Bad input raises
    ValueError naming the parameter and its range."""
    if schedule is None:
        return CONSTANT
    if isinstance(schedule, str):
        sid, given = schedule, {}
    elif isinstance(schedule, Schedule):
        sid, given = schedule.id, dict(schedule.params)
    elif isinstance(schedule, (tuple, list)) and len(schedule) == 2 and isinstance(schedule[1], dict):
        sid, given = schedule[0], dict(schedule[1])
    else:
        raise ValueError(f"schedule must be None, an id, (id, {{params}}) or a Schedule; got {schedule!r}")
    if not isinstance(sid, str) or sid not in SCHEDULES:
        raise ValueError(f"unknown schedule {sid!r}; valid schedules: {', '.join(SCHEDULES)}")
    spec = SCHEDULES[sid]
    known = {p.name: p for p in spec.params}
    for name in given:
        if name not in known:
            allowed = ", ".join(known) or "none"
            raise ValueError(f"schedule {sid}: unknown parameter {name!r}; allowed: {allowed}")
    values = {p.name: check_param(sid, p, given.get(p.name, p.default)) for p in spec.params}
    if sid == "warmup_cosine" and values["T_max"] <= values["warmup"]:
        raise ValueError(f"schedule warmup_cosine: T_max must be greater than warmup (the cosine "
                         f"lasts T_max − warmup steps), got T_max={values['T_max']}, warmup={values['warmup']}")
    return Schedule(sid, tuple(values.items()))


validate = parse


# ---- the factors ---------------------------------------------------------------------------
def _cosine(s, t_max, fmin):
    return fmin + (1.0 - fmin) * 0.5 * (1.0 + np.cos(np.pi * s / t_max))


def _linear_warmup(s, start, warmup):
    return start + (1.0 - start) * np.minimum(s, warmup) / warmup


def _cos_anneal(a, b, x):
    """torch's OneCycleLR._annealing_cos: b + (a − b)/2·(cos(πx) + 1)."""
    return b + (a - b) / 2.0 * (np.cos(np.pi * x) + 1.0)


def _onecycle(s, total, pct, div, final_div):
    """torch's OneCycleLR phases (three_phase=False), relative to max_lr = lr.  Past total − 1
    the last value is held.  A rising phase of zero length (pct·total = 1 exactly, where torch
    divides by zero) gives step 0 its end value, 1."""
    initial = 1.0 / div
    lo = initial / final_div
    s = np.minimum(s, total - 1).astype(np.float64)
    end1 = float(pct * total) - 1.0  # torch: the rising phase's end_step
    end2 = float(total - 1)
    rising = s <= end1
    x1 = s / end1 if end1 != 0.0 else np.ones_like(s)
    x2 = (s - end1) / (end2 - end1)  # end2 > end1 since pct < 1
    return np.where(rising, _cos_anneal(initial, 1.0, x1), _cos_anneal(1.0, lo, x2))


def factor_of(schedule: Schedule, s: np.ndarray) -> np.ndarray:
    """The factor after ``s`` scheduler steps (an int array), for a validated schedule."""
    p = schedule.kwargs
    s = np.asarray(s, dtype=np.int64)
    sid = schedule.id
    if sid == "constant":
        return np.ones(s.shape)
    if sid == "step":
        return p["gamma"] ** (s // p["step_size"]).astype(np.float64)
    if sid == "exponential":
        return p["gamma"] ** s.astype(np.float64)
    if sid == "cosine":
        return _cosine(s, p["T_max"], p["min_factor"])
    if sid == "warmup":
        return _linear_warmup(s, p["start_factor"], p["warmup"])
    if sid == "warmup_cosine":
        w = p["warmup"]
        return np.where(s < w, _linear_warmup(s, p["start_factor"], w),
                        _cosine(s - w, p["T_max"] - w, p["min_factor"]))
    if sid == "onecycle":
        return _onecycle(s, p["total_steps"], p["pct_start"], p["div_factor"], p["final_div_factor"])
    raise ValueError(f"unknown schedule {sid!r}")


def lr_factors(schedule, steps: int) -> np.ndarray:
    r"""The factors of ``schedule`` for a run of ``steps`` updates: float64, shape (steps + 1,).

    ``factor[t]`` multiplies the base learning rate for update t (t = 1..steps):
    :math:`f_{t-1}` in the registry's formulas (the scheduler's value after t − 1 steps, as
    torch's ``opt.step(); sched.step()`` loop uses it).  ``factor[0]`` belongs to no update and
    is set to ``factor[1]``.
    """
    sched = parse(schedule)
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    out = np.empty(int(steps) + 1)
    out[1:] = factor_of(sched, np.arange(int(steps)))
    out[0] = out[1]
    return out


def is_constant(schedule) -> bool:
    return parse(schedule).id == "constant"


__all__ = ["CONSTANT", "MAX_SCHEDULE_STEPS", "SCHEDULES", "Schedule", "ScheduleSpec", "check_param",
           "factor_of", "is_constant", "lr_factors", "parse", "validate"]
