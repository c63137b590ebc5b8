"""The numbers behind the survey's two figures: settings, runs, cycles and measured lines.

- **Figure 1**, "Comparison between SGD and SGDM": SGD and SGD with momentum from the same start
  with the same learning rate on the ``quadratic`` ravine (:class:`Figure1Settings`,
  :func:`figure1_data` → :class:`Figure1Data`: both runs, distances to the minimum, the steep
  coordinate and how often it changes sign).
- **Figure 2**, "The parameter update process of Lookahead when synchronization period k = 5":
  one Lookahead run cut into cycles (:class:`Figure2Settings`, :func:`figure2_data` →
  :class:`Figure2Data` of :class:`Cycle`): each cycle's k fast steps from the slow weights
  φ_{t−1}, the last fast weight θ_{t,k} and the new slow weights φ_t on the segment between them
  at fraction α.  :func:`suggest_inner_lr` measures a learning rate that keeps the picture
  readable for any inner optimizer.

The last fast weight θ_{t,k} of a cycle is the engine's own record (``Run.fast``: the fast
weights just before each synchronisation); the path's row at a sync step is already φ_t.

:func:`figure1_summary` and :func:`figure2_summary` give the page's one measured line each, so
that tests and the page never parse a figure.  :mod:`plots.figures` draws these records.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

import optimizers
import surfaces

from . import metrics

__all__ = [
    "Figure1Settings", "Figure1Data", "figure1_data", "figure1_summary",
    "Figure2Settings", "Figure2Data", "Cycle", "figure2_data", "figure2_summary", "suggest_inner_lr",
    "FIG1_MAX_STEPS", "FIG2_MAX_K", "FIG2_MAX_CYCLES", "ALTERNATION_STEPS", "finite_rows",
]

#: limits that keep the animations small and the pictures readable
FIG1_MAX_STEPS = 400
FIG2_MAX_K = 20
FIG2_MAX_CYCLES = 40
#: Figure 1's check: SGD's steep coordinate should flip sign on most of these first steps
ALTERNATION_STEPS = 20


def finite_rows(path: np.ndarray, diverged_at: int) -> int:
    """Rows of ``path`` to draw: those before the divergence (at least the start)."""
    finite = np.isfinite(path).all(axis=1)
    n = len(path) if finite.all() else int(np.argmin(finite))
    if diverged_at >= 0:
        n = min(n, diverged_at)
    return max(1, n)


def _check_int(name: str, v, lo: int, hi: int) -> int:
    bad = ValueError(f"{name} must be an integer in [{lo}, {hi}], got {v!r}")
    if isinstance(v, (bool, str, bytes)):
        raise bad
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise bad from None
    if not (math.isfinite(f) and f.is_integer() and lo <= f <= hi):
        raise bad
    return int(f)


# ---- Figure 1: SGD vs SGDM -------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Figure1Settings:
    """Figure 1's settings; the defaults make the picture say what the survey's caption says.

    κ = 50 (the ravine is 50 times steeper across than along) and lr = 0.0396, so that
    lr·κ = 1.98: SGD's steep coordinate is multiplied by 1 − lr·κ = −0.98 every step (it flips
    sign on every step and shrinks only 2 % per step: a persistent zig-zag) while its shallow
    coordinate shrinks by only 1 − lr = 0.96 per step (the crawl).  Momentum β = 0.64 damps the
    shallow mode critically, (1 − √β)² ≈ lr·λ_min = 0.0396, and makes the steep mode shrink by
    √β = 0.8 per step: SGDM's zig-zag dies within a few steps and it runs straight down the
    valley without overshooting (:func:`figure1_checks` states this in numbers).  With the
    popular β = 0.9 the valley mode is under-damped: the velocity keeps 90 % per step, so SGDM
    flies past the minimum and swings back (:data:`OVERSHOOT_MOMENTUM`).
    """

    kappa: float = 50.0
    start: tuple = (-1.8, 0.6)
    lr: float = 0.0396
    momentum: float = 0.64
    steps: int = 60
    angle: float = 0.0

    def surface(self):
        """The quadratic ravine with these κ and angle (ValueError when out of range)."""
        return surfaces.get_surface("quadratic", kappa=self.kappa, angle=self.angle)

    def validate(self) -> "Figure1Settings":
        _check_int("steps", self.steps, 1, FIG1_MAX_STEPS)
        self.surface()
        (x0, x1), (y0, y1) = surfaces.SURFACES["quadratic"].bounds
        try:
            sx, sy = (float(v) for v in self.start)
        except (TypeError, ValueError):
            raise ValueError(f"start must be two numbers (x, y), got {self.start!r}") from None
        if not (x0 <= sx <= x1 and y0 <= sy <= y1):
            raise ValueError(f"start must lie in the ravine's box x ∈ [{x0:g}, {x1:g}], "
                             f"y ∈ [{y0:g}, {y1:g}]; got ({sx:g}, {sy:g})")
        optimizers.OPTIMIZERS["sgdm"].hyperparam("lr").check(self.lr, "sgd/sgdm ")
        optimizers.OPTIMIZERS["sgdm"].hyperparam("momentum").check(self.momentum, "sgdm ")
        return self


@dataclasses.dataclass(frozen=True, eq=False)
class Figure1Data:
    """The two runs of Figure 1 and the numbers the figure is about."""

    settings: Figure1Settings
    surface: object
    sgd: optimizers.Run
    sgdm: optimizers.Run

    def distance(self, which: str) -> np.ndarray:
        """Distance to the ravine's minimum (0, 0) after every step (NaN after a divergence)."""
        return metrics.distance_to_targets(getattr(self, which).path, self.surface)

    def final_distance(self, which: str) -> float:
        """Distance after the last step (inf when the run diverged)."""
        r = getattr(self, which)
        return math.inf if r.diverged_at >= 0 else float(self.distance(which)[-1])

    def steep(self, which: str) -> np.ndarray:
        """The steep coordinate v = −sin θ·x + cos θ·y after every step (θ = the ravine's angle)."""
        th = math.radians(self.settings.angle)
        p = getattr(self, which).path
        return -math.sin(th) * p[:, 0] + math.cos(th) * p[:, 1]

    def alternation(self, which: str = "sgd", n: int = ALTERNATION_STEPS) -> float:
        """Fraction of the first ``n`` steps on which the steep coordinate changed sign."""
        v = self.steep(which)[: n + 1]
        if len(v) < 2:
            return 0.0
        flips = np.sign(v[1:]) * np.sign(v[:-1]) < 0
        return float(np.mean(flips))

    def first_within(self, which: str, radius: float) -> int:
        """First step at which the run is within ``radius`` of the minimum (−1: never)."""
        d = self.distance(which)
        hit = np.nonzero(d <= radius)[0]
        return int(hit[0]) if len(hit) else -1


#: the one-click variation: the popular momentum, under-damped along the valley
OVERSHOOT_MOMENTUM = 0.9


@dataclasses.dataclass(frozen=True)
class Figure1Checks:
    """What Figure 1 must show, in numbers (the survey: momentum "accelerates convergence and
    reduces oscillation").

    ``sgd_alternation``: fraction of SGD's first 20 steps on which its steep coordinate changes
    sign; ``swing_ratio``: SGDM's largest steep-coordinate swing |v_{t+1} − v_t| over steps
    10–30 divided by SGD's; ``overshoot``: how far SGDM passes the minimum along the valley, as
    a fraction of the start's distance to it; ``sgdm_final`` / ``sgd_final``: final distances.
    """

    sgd_alternation: float
    swing_ratio: float
    overshoot: float
    sgdm_final: float
    sgd_final: float

    #: the targets, in the order of :meth:`results`
    TARGETS = ("SGD's steep coordinate alternates on ≥ 80% of its first 20 steps",
               "SGDM's largest swing over steps 10–30 is ≤ ¼ of SGD's",
               "SGDM overshoots the minimum by ≤ 15% of the start's distance",
               "SGDM ends closer than SGD")

    def results(self) -> tuple[bool, bool, bool, bool]:
        return (self.sgd_alternation >= 0.8, self.swing_ratio <= 0.25, self.overshoot <= 0.15,
                self.sgdm_final < self.sgd_final)

    @property
    def passed(self) -> bool:
        return all(self.results())


def figure1_checks(data: Figure1Data) -> Figure1Checks:
    """:class:`Figure1Checks` of a run of Figure 1."""
    def swing(which):
        v = data.steep(which)[10:31]
        return float(np.max(np.abs(np.diff(v)))) if len(v) > 1 else 0.0

    th = math.radians(data.settings.angle)
    start = np.asarray(data.settings.start, dtype=float)
    along = np.array([math.cos(th), math.sin(th)])  # the valley's direction
    side = float(np.sign(start @ along)) or 1.0  # the start's side of the minimum
    past = -side * (data.sgdm.path[: data.sgdm.path.shape[0]] @ along)  # > 0: beyond the minimum
    overshoot = max(0.0, float(np.nanmax(past))) / float(np.hypot(*start))
    sgd_swing = swing("sgd")
    return Figure1Checks(data.alternation("sgd", 20), swing("sgdm") / sgd_swing if sgd_swing else math.inf,
                         overshoot, data.final_distance("sgdm"), data.final_distance("sgd"))


def figure1_data(settings: Figure1Settings = Figure1Settings()) -> Figure1Data:
    """Run SGD and SGDM with ``settings`` (ValueError for bad settings)."""
    settings.validate()
    surf = settings.surface()
    start = tuple(float(v) for v in settings.start)
    sgd = optimizers.run("sgd", surf, start, int(settings.steps), lr=settings.lr)
    sgdm = optimizers.run("sgdm", surf, start, int(settings.steps), lr=settings.lr,
                          momentum=settings.momentum)
    return Figure1Data(settings, surf, sgd, sgdm)


def _fmt(v: float) -> str:
    if not math.isfinite(v):
        return "∞"
    return f"{v:.2e}" if abs(v) < 1e-3 or abs(v) >= 1e4 else f"{v:.3f}"


def figure1_summary(data: Figure1Data) -> str:
    """One measured line, e.g. "After 60 steps SGD is 0.239 from the minimum, SGDM 4.97e-05 ..."."""
    s = data.settings
    parts = []
    for which, name in (("sgd", "SGD"), ("sgdm", "SGDM")):
        r = getattr(data, which)
        parts.append(f"{name} diverged at step {r.diverged_at}" if r.diverged_at >= 0
                     else f"{name} {'is ' if which == 'sgd' else ''}{_fmt(data.final_distance(which))}")
    line = f"After {s.steps} steps {parts[0]}" + (" from the minimum" if data.sgd.diverged_at < 0 else "")
    line += f", {parts[1]}."
    alt = data.alternation("sgd")
    n = min(ALTERNATION_STEPS, s.steps)
    line += f" SGD's steep coordinate changed sign on {round(alt * n)} of its first {n} steps"
    line += f" (lr·κ = {s.lr * s.kappa:.3g})."
    return line


# ---- Figure 2: Lookahead ---------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Figure2Settings:
    """Figure 2's settings; the defaults are the survey-faithful picture (k = 5, α = 0.5).

    ``inner_params`` holds the inner optimizer's hyperparameters (those left out take their
    registry defaults), ``surface_params`` the surface's.  The run is ``cycles`` × ``k`` fast
    steps, so every cycle is complete.

    Default: Figure 1's ravine (κ = 50, start (−1.8, 0.6)) with inner SGD with momentum,
    lr = 0.035, momentum 0.85, for 5 cycles.  Its momentum survives the synchronisations (the
    inner state is kept), so in every cycle the fast weights swing right across the ravine and
    end far from where they set out, while the slow weights move half-way towards each end
    point and so go down the valley along a smooth line, every cycle closer to the minimum (from
    1.897 to 0.042).  With plain SGD as the inner optimizer the averaging cancels the zig-zag within two
    cycles, after which the fast weights hardly wander at all: right, but a less telling picture.
    """

    surface: str = "quadratic"
    surface_params: tuple = (("kappa", 50.0), ("angle", 0.0))
    start: tuple = (-1.8, 0.6)
    inner: str = "sgdm"
    inner_params: tuple = (("lr", 0.035), ("momentum", 0.85))
    k: int = 5
    alpha: float = 0.5
    cycles: int = 5
    variant: str = "paper"

    @property
    def steps(self) -> int:
        return int(self.cycles) * int(self.k)

    def surface_obj(self):
        return surfaces.get_surface(self.surface, **dict(self.surface_params))

    def hyperparams(self) -> dict:
        """The keyword arguments of ``optimizers.run("lookahead", ...)``."""
        return dict(inner=self.inner, k=int(self.k), alpha=float(self.alpha), **dict(self.inner_params))

    def validate(self) -> "Figure2Settings":
        _check_int("k", self.k, 1, FIG2_MAX_K)
        _check_int("cycles", self.cycles, 1, FIG2_MAX_CYCLES)
        surf = self.surface_obj()
        try:
            sx, sy = (float(v) for v in self.start)
        except (TypeError, ValueError):
            raise ValueError(f"start must be two numbers (x, y), got {self.start!r}") from None
        (x0, x1), (y0, y1) = surf.bounds
        if not (x0 <= sx <= x1 and y0 <= sy <= y1):
            raise ValueError(f"start must lie in the surface's box x ∈ [{x0:g}, {x1:g}], "
                             f"y ∈ [{y0:g}, {y1:g}]; got ({sx:g}, {sy:g})")
        optimizers.plan("lookahead", surf, variant=self.variant, **self.hyperparams())
        return self


@dataclasses.dataclass(frozen=True, eq=False)
class Cycle:
    """One Lookahead cycle t: ``fast`` = [φ_{t−1}, θ_{t,1}, …, θ_{t,k}] (k + 1 rows), ``phi`` = φ_t."""

    index: int
    fast: np.ndarray
    phi: np.ndarray

    @property
    def phi_prev(self) -> np.ndarray:
        return self.fast[0]

    @property
    def last_fast(self) -> np.ndarray:
        return self.fast[-1]

    @property
    def n_fast(self) -> int:
        """Fast steps in the cycle (k)."""
        return len(self.fast) - 1

    @property
    def fraction(self) -> float:
        """Where φ_t sits on the segment φ_{t−1} → θ_{t,k} (α, up to rounding)."""
        d = self.last_fast - self.phi_prev
        dd = float(d @ d)
        return float((self.phi - self.phi_prev) @ d / dd) if dd > 0 else math.nan


@dataclasses.dataclass(frozen=True, eq=False)
class Figure2Data:
    """Figure 2's run, cut into cycles.

    ``slow`` = φ_0, φ_1, … (one more row than ``cycles``); ``tail`` = the fast weights after the
    last complete cycle when the run diverged mid-cycle (from φ_n; empty otherwise).  Each
    cycle's θ_{t,k} is ``run.fast[t − 1]``.
    """

    settings: Figure2Settings
    surface: object
    run: optimizers.Run
    slow: np.ndarray
    cycles: tuple
    tail: np.ndarray

    @property
    def diverged_at(self) -> int:
        return self.run.diverged_at

    def distance(self, pts) -> np.ndarray:
        """Distance of each point to the nearest listed minimum (the nearest saddle on a surface
        that lists none: :func:`studies.metrics.distance_to_targets`)."""
        return metrics.distance_to_targets(pts, self.surface)

    def max_off_segment(self) -> float:
        """The largest distance of a φ_t from its point φ_{t−1} + α(θ_{t,k} − φ_{t−1})."""
        a = float(self.settings.alpha)
        errs = [float(np.hypot(*(c.phi - (c.phi_prev + a * (c.last_fast - c.phi_prev))))) for c in self.cycles]
        return max(errs, default=0.0)


#: "nice" learning rates tried by :func:`suggest_inner_lr`: 1, 1.5, 2, 3, 5, 7 per decade
_LR_GRID = tuple(float(f"{m * 10.0 ** e:.6g}") for e in range(-6, 2) for m in (1, 1.5, 2, 3, 5, 7))


def suggest_inner_lr(settings: Figure2Settings, *, max_jump: float = 0.25) -> float:
    """A measured learning rate for Figure 2's inner optimizer: the largest "nice" rate (1, 1.5,
    2, 3, 5, 7 per decade) whose Lookahead run stays inside the picture, never jumps more than
    ``max_jump`` of the domain's diagonal in one fast step and brings the slow weights at least
    half-way to the minimum: the fast weights then wander as far as they can while the picture
    still tells the story.  Falls back to dropping the last condition, then to the registry
    default.  The other inner hyperparameters are taken from ``settings``."""
    spec = optimizers.OPTIMIZERS[settings.inner]
    h = spec.hyperparam("lr")
    surf = settings.surface_obj()
    (x0, x1), (y0, y1) = surf.bounds
    others = tuple((n, v) for n, v in settings.inner_params if n != "lr")
    best = {True: None, False: None}
    for lr in _LR_GRID:
        if not h.lo <= lr <= h.hi:
            continue
        s = dataclasses.replace(settings, inner_params=(("lr", lr),) + others)
        try:
            r = optimizers.run("lookahead", surf, s.start, s.steps, variant=s.variant, **s.hyperparams())
        except ValueError:
            continue
        p = r.path
        if r.diverged_at >= 0 or not ((p[:, 0] >= x0).all() and (p[:, 0] <= x1).all()
                                      and (p[:, 1] >= y0).all() and (p[:, 1] <= y1).all()):
            continue
        if np.hypot(*np.diff(p, axis=0).T).max() > max_jump * surf.size:
            continue
        best[False] = lr
        if surf.minima:
            d0, d1 = metrics.distance_to_targets(r.slow[[0, -1]], surf)
            if d1 <= 0.5 * d0:
                best[True] = lr
    for key in (True, False):
        if best[key] is not None:
            return float(best[key])
    return float(h.default)


def figure2_data(settings: Figure2Settings = Figure2Settings()) -> Figure2Data:
    """Run Lookahead with ``settings`` and cut it into cycles (ValueError for bad settings)."""
    settings.validate()
    surf = settings.surface_obj()
    k = int(settings.k)
    start = tuple(float(v) for v in settings.start)
    r = optimizers.run("lookahead", surf, start, settings.steps, variant=settings.variant,
                       **settings.hyperparams())
    slow = np.asarray(r.slow, dtype=np.float64).reshape(-1, 2)
    n_cycles = len(slow) - 1  # syncs that happened before any divergence
    cycles = []
    for t in range(1, n_cycles + 1):
        rows = r.path[(t - 1) * k + 1: t * k]  # θ_{t,1} … θ_{t,k−1}
        fast = np.vstack([slow[t - 1], rows, r.fast[t - 1]])
        cycles.append(Cycle(t, fast, slow[t].copy()))
    n_rows = finite_rows(r.path, r.diverged_at)
    tail = np.zeros((0, 2))
    if n_rows - 1 > n_cycles * k:
        tail = np.vstack([slow[-1], r.path[n_cycles * k + 1: n_rows]])
    return Figure2Data(settings, surf, r, slow, tuple(cycles), tail)


def figure2_summary(data: Figure2Data) -> str:
    """One measured line: cycles, how far the slow weights got, how far the fast ones wandered,
    and the α check."""
    s = data.settings
    inner = optimizers.OPTIMIZERS[s.inner].name
    n = len(data.cycles)
    if data.diverged_at >= 0:
        return (f"The fast weights ({inner}) diverged at step {data.diverged_at}, in cycle "
                f"{(data.diverged_at - 1) // s.k + 1}; the {n} complete cycles before it are drawn.")
    line = f"{n} cycle{'s' if n != 1 else ''} of k = {s.k} {inner} steps"
    if data.surface.minima:
        d0 = float(data.distance(data.slow[0])[0])
        d1 = float(data.distance(data.slow[-1])[0])
        line += f": the slow weights went from {_fmt(d0)} to {_fmt(d1)} from the minimum"
    if data.cycles:
        spread = max(float(np.max(np.hypot(*(c.fast[1:] - c.phi_prev).T))) for c in data.cycles)
        line += f", while the fast weights swung up to {_fmt(spread)} away from each cycle's start φₜ₋₁"
    dev = data.max_off_segment()
    line += (f". Every φₜ lies at α = {s.alpha:g} of the way from φₜ₋₁ to θₜ,{s.k} "
             f"(largest deviation {dev:.1g}).")
    return line
