"""Hyperparameter maps and basins of attraction: what to run, the runs, and their outcomes.

No drawing in here: :mod:`plots.landscapes` turns these records into figures (and CSV), and the
page (``ui/landscapes.py``) caches and renders them.

Hyperparameter map
------------------
:class:`MapSpec` says what to run: one optimizer (variant, Lookahead inner), one surface (with
its parameters), start, steps, every hyperparameter at a fixed value, and two :class:`Axis`
records (a hyperparameter, or the start's x / y, with a range, log or linear spacing and a
resolution).  :func:`compute_map` runs every cell of the grid in **one** ``optimizers.sweep``
call (per-run hyperparameter arrays; ``progress``/``block`` passed through, so a caller can
show progress and interrupt between blocks) and returns a :class:`MapResult`: final loss, step
of divergence, steps to tolerance and final point per cell, as ``(ny, nx)`` grids (row = y).
:func:`cell_values` and :func:`cell_hyperparams` give a cell's axis values and the settings of
its run (for the run beside the map and its Explore link).

Basins of attraction
--------------------
:class:`BasinSpec` is one optimizer on one surface from every start of an ``n × n`` grid of cell
centres over the surface's domain (:func:`basin_starts`); :func:`compute_basins` runs them in
one ``sweep`` and :func:`classify` labels each start by the listed minimum nearest to its final
point (within ``dist_tol`` × the domain's diagonal), or as having reached the lowest level
between the listed minima (a ring or valley of minima: :data:`ELSEWHERE`), or as not converged,
or diverged: a :class:`BasinResult`.

"Reached the minimum" is f − f* ≤ ``tol``, by default :data:`studies.metrics.TOL`.
"""
from __future__ import annotations

import dataclasses
import json
import math
import time

import numpy as np

import optimizers
import surfaces

from . import metrics

__all__ = [
    "START_AXES", "Axis", "hyperparams_of", "MapSpec", "MapResult", "cell_grid", "compute_map",
    "cell_values", "cell_hyperparams", "BasinSpec", "BasinResult", "basin_starts", "classify",
    "compute_basins", "ELSEWHERE",
]

#: pseudo-axes: the start's coordinates (every run may start elsewhere in a sweep)
START_AXES = {"start_x": "start x", "start_y": "start y"}


def _r6(v: float) -> float:
    """v rounded to 6 significant digits: what the Explore URL keeps (``ui.settings._fmt``)."""
    return float(f"{float(v):.6g}")


def _check_custom(spec) -> None:
    """A spec names a custom surface by its formula and bounds (so its key says everything)."""
    if spec.surface == surfaces.custom.CUSTOM:
        if not spec.formula:
            raise ValueError("a custom surface needs its formula")
        surfaces.custom.check_bounds(spec.bounds or surfaces.custom.DEFAULT_BOUNDS)
    elif spec.formula or spec.bounds:
        raise ValueError(f"formula and bounds belong to a custom surface, not {spec.surface!r}")


def _surface(spec):
    """The spec's surface with its parameters (a custom one built from its formula, cached)."""
    return surfaces.surface_of(spec.surface, spec.surface_params, spec.formula, spec.bounds)


# ---- the axes --------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Axis:
    """One axis of a map: ``name`` (a hyperparameter, ``start_x`` or ``start_y``), the values of
    its first and last cell (``lo`` < ``hi``), spacing and number of cells.

    Values are rounded to 6 significant digits (so the Explore link of a cell reproduces it
    exactly), and to whole numbers for integer hyperparameters (duplicates dropped, so such an
    axis may have fewer cells than ``n``).
    """

    name: str
    lo: float
    hi: float
    log: bool = False
    n: int = 128
    integer: bool = False

    def __post_init__(self):
        if not (math.isfinite(self.lo) and math.isfinite(self.hi)) or not self.lo < self.hi:
            raise ValueError(f"axis {self.name!r}: need lo < hi, got {self.lo!r}, {self.hi!r}")
        if self.log and self.lo <= 0:
            raise ValueError(f"axis {self.name!r}: a log axis needs lo > 0, got {self.lo!r}")
        if not 1 <= int(self.n) <= 1024:
            raise ValueError(f"axis {self.name!r}: n must be in [1, 1024], got {self.n!r}")

    def values(self) -> np.ndarray:
        n = int(self.n)
        if n == 1:
            v = np.array([self.lo])
        elif self.log:
            v = np.geomspace(self.lo, self.hi, n)
        else:
            v = np.linspace(self.lo, self.hi, n)
        if self.integer:
            return np.unique(np.round(v))
        r = np.array([_r6(x) for x in v])
        r = np.clip(r, self.lo, self.hi)
        # the rounded values must stay distinct and increasing (else keep the exact ones)
        return r if n == 1 or np.all(np.diff(r) > 0) else v

    @staticmethod
    def edges(values: np.ndarray, log: bool) -> np.ndarray:
        """Cell edges around ``values``: midpoints (geometric on a log axis), the outer ones
        half a step beyond the first and last value."""
        v = np.asarray(values, dtype=np.float64)
        t = np.log10(v) if log else v
        if len(t) == 1:
            h = 0.05 * abs(t[0]) if t[0] != 0 else 0.5
            e = np.array([t[0] - h, t[0] + h]) if not log else np.array([t[0] - 0.05, t[0] + 0.05])
        else:
            mid = 0.5 * (t[1:] + t[:-1])
            e = np.concatenate([[t[0] - (mid[0] - t[0])], mid, [t[-1] + (t[-1] - mid[-1])]])
        return 10.0 ** e if log else e

    @property
    def label(self) -> str:
        return START_AXES.get(self.name, self.name)


def hyperparams_of(optimizer: str, inner: str | None = None) -> tuple:
    """The Hyperparam records a map of ``optimizer`` can vary (Lookahead: its own, then the
    inner optimizer's)."""
    spec = optimizers.OPTIMIZERS[optimizer]
    if spec.wraps_inner:
        return spec.hyperparams + optimizers.OPTIMIZERS[inner or "adam"].hyperparams
    return spec.hyperparams


# ---- a map -----------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class MapSpec:
    """Everything a hyperparameter map depends on (hashable; :meth:`key` is its cache key).

    ``hyperparams`` holds every hyperparameter's fixed value ((name, value), ...); the two axes
    override theirs per cell (the fixed value of an axis hyperparameter is the "current
    setting" the figure marks).
    """

    optimizer: str
    surface: str
    start: tuple
    steps: int
    x: Axis
    y: Axis
    hyperparams: tuple = ()
    surface_params: tuple = ()
    variant: str = "paper"
    inner: str | None = None
    tol: float = metrics.TOL
    formula: str = ""  # surface == "custom": the typed f(x, y) ...
    bounds: tuple = ()  # ... and its ((x0, x1), (y0, y1))

    def __post_init__(self):
        _check_custom(self)
        if self.x.name == self.y.name:
            raise ValueError(f"the two axes must differ, both are {self.x.name!r}")
        known = {h.name for h in hyperparams_of(self.optimizer, self.inner)} | set(START_AXES)
        for a in (self.x, self.y):
            if a.name not in known:
                raise ValueError(f"axis {a.name!r} is not a hyperparameter of {self.optimizer!r} "
                                 f"nor a start coordinate; allowed: {', '.join(sorted(known))}")

    # -- serialisation (the cache key) --
    def key(self) -> str:
        d = dataclasses.asdict(self)
        return json.dumps(d, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_key(cls, key: str) -> "MapSpec":
        d = json.loads(key)
        d["x"], d["y"] = Axis(**d["x"]), Axis(**d["y"])
        for k in ("start", "hyperparams", "surface_params", "bounds"):
            d[k] = tuple(tuple(v) if isinstance(v, list) else v for v in d.get(k, ()))
        return cls(**d)

    def surface_obj(self):
        return _surface(self)

    @property
    def fixed(self) -> dict:
        return dict(self.hyperparams)

    def current(self, axis: Axis) -> float:
        """The fixed value of an axis's hyperparameter (the start's coordinate for start axes)."""
        if axis.name == "start_x":
            return float(self.start[0])
        if axis.name == "start_y":
            return float(self.start[1])
        h = {h.name: h for h in hyperparams_of(self.optimizer, self.inner)}[axis.name]
        return float(self.fixed.get(axis.name, h.default))


@dataclasses.dataclass
class MapResult:
    """The outcome of every cell of a map; grids are (ny, nx), row = y value, column = x value."""

    spec: MapSpec
    xs: np.ndarray  # (nx,) axis values
    ys: np.ndarray  # (ny,)
    loss: np.ndarray  # final loss, NaN for diverged runs
    steps_to_tol: np.ndarray  # int64, -1 = never (or no minimum listed)
    diverged_at: np.ndarray  # int64, -1 = never
    final: np.ndarray  # (ny, nx, 2) final point, NaN for diverged runs
    f_min: float  # the surface's f* (nan when it lists no minimum)
    seconds: float = 0.0  # time spent in optimizers.sweep

    @property
    def shape(self) -> tuple:
        return self.loss.shape


def cell_grid(spec: MapSpec):
    """(xs, ys, starts (n, 2), hyperparameter kwargs for sweep) for every cell, row-major."""
    xs, ys = spec.x.values(), spec.y.values()
    X, Y = np.meshgrid(xs, ys)  # (ny, nx)
    n = X.size
    starts = np.tile(np.asarray(spec.start, dtype=np.float64), (n, 1))
    kw = dict(spec.hyperparams)
    for axis, grid in ((spec.x, X), (spec.y, Y)):
        if axis.name == "start_x":
            starts[:, 0] = grid.ravel()
        elif axis.name == "start_y":
            starts[:, 1] = grid.ravel()
        else:
            kw[axis.name] = grid.ravel()
    if spec.inner:
        kw["inner"] = spec.inner
    return xs, ys, starts, kw


def compute_map(spec: MapSpec, *, progress=None, block=None) -> MapResult:
    """Run every cell of ``spec`` in one ``optimizers.sweep`` call (see the module docstring).

    ``progress(fraction)`` is called after each ``block`` runs (``sweep`` rounds ``block`` to a
    multiple of 256); an exception it raises (e.g. Streamlit's rerun) stops the computation.
    """
    xs, ys, starts, kw = cell_grid(spec)
    surf = spec.surface_obj()
    t0 = time.perf_counter()
    res = optimizers.sweep(spec.optimizer, surf, starts, spec.steps, variant=spec.variant, tol=spec.tol,
                           progress=progress, block=block, **kw)
    dt = time.perf_counter() - t0
    shape = (len(ys), len(xs))
    return MapResult(spec, xs, ys, res.loss.reshape(shape), res.steps_to_tol.reshape(shape),
                     res.diverged_at.reshape(shape), res.final.reshape(shape + (2,)),
                     float(surf.f_min), dt)


def cell_values(result: MapResult, ix: int, iy: int) -> tuple[float, float]:
    """The (x, y) axis values of a cell."""
    return float(result.xs[ix]), float(result.ys[iy])


def cell_hyperparams(spec: MapSpec, xv: float, yv: float) -> tuple[dict, tuple]:
    """(hyperparameters incl. ``inner``, start) of the run at axis values (xv, yv)."""
    hp = dict(spec.hyperparams)
    start = [float(spec.start[0]), float(spec.start[1])]
    for axis, v in ((spec.x, xv), (spec.y, yv)):
        if axis.name == "start_x":
            start[0] = float(v)
        elif axis.name == "start_y":
            start[1] = float(v)
        else:
            hp[axis.name] = int(round(v)) if axis.integer else float(v)
    if spec.inner:
        hp = {"inner": spec.inner, **hp}
    return hp, tuple(start)


# ---- basins of attraction ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class BasinSpec:
    """One optimizer from every start of an ``n × n`` grid over the surface's domain."""

    optimizer: str
    surface: str
    steps: int
    n: int = 128
    hyperparams: tuple = ()
    surface_params: tuple = ()
    variant: str = "paper"
    inner: str | None = None
    tol: float = metrics.TOL
    dist_tol: float = 0.02  # reaching a minimum: final point within this × the domain's diagonal
    formula: str = ""  # surface == "custom": the typed f(x, y) and its bounds (as in MapSpec)
    bounds: tuple = ()

    def __post_init__(self):
        _check_custom(self)

    def key(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_key(cls, key: str) -> "BasinSpec":
        d = json.loads(key)
        for k in ("hyperparams", "surface_params", "bounds"):
            d[k] = tuple(tuple(v) for v in d.get(k, ()))
        return cls(**d)

    def surface_obj(self):
        return _surface(self)

    def label(self) -> str:
        spec = optimizers.OPTIMIZERS[self.optimizer]
        name = spec.name + (f"({optimizers.OPTIMIZERS[self.inner].name})" if self.inner else "")
        if self.variant != "paper":
            name += f" [{self.variant}]"
        parts = [f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in self.hyperparams
                 if k in ("lr", "momentum", "k", "alpha")]
        return f"{name} {', '.join(parts)}" if parts else name


@dataclasses.dataclass
class BasinResult:
    """The outcome of every start of a basins grid; grids are (n, n), row = start y."""

    spec: BasinSpec
    xs: np.ndarray  # (n,) start x of each column
    ys: np.ndarray  # (n,) start y of each row
    basin: np.ndarray  # (n, n) int: index into surface.minima, -1 not converged, -2 diverged, -3 elsewhere
    steps_to_tol: np.ndarray  # (n, n) int64, -1 = never
    final: np.ndarray  # (n, n, 2)
    minima: tuple  # of surfaces.Point
    seconds: float = 0.0

    def fractions(self) -> dict:
        """Share of starts per outcome: minimum index (int), "not converged", "diverged", and,
        when some start has it, ELSEWHERE."""
        n = self.basin.size
        out = {k: float(np.sum(self.basin == k)) / n for k in range(len(self.minima))}
        out["not converged"] = float(np.sum(self.basin == -1)) / n
        out["diverged"] = float(np.sum(self.basin == -2)) / n
        if (self.basin == -3).any():
            out[ELSEWHERE] = float(np.sum(self.basin == -3)) / n
        return out


def basin_starts(surface, n: int):
    """(xs, ys, starts (n*n, 2)): the centres of an n × n grid of cells over the domain, row-major
    (row = y)."""
    (x0, x1), (y0, y1) = surface.bounds
    xs = x0 + (np.arange(n) + 0.5) * (x1 - x0) / n
    ys = y0 + (np.arange(n) + 0.5) * (y1 - y0) / n
    X, Y = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([X.ravel(), Y.ravel()])


#: the outcome of a run that reached the lowest level found (f − f* ≤ tol) away from every
#: listed minimum: a valley or ring of minima (e.g. the "Mexican hat"), of which a numerical
#: search lists only a few points
ELSEWHERE = "at f* between listed minima"


def classify(final: np.ndarray, diverged: np.ndarray, minima, radius: float, loss=None,
             f_min: float = math.nan, tol: float = 0.0) -> np.ndarray:
    """Per run: index of the listed minimum nearest to its final point when within ``radius``,
    -2 when it diverged; else -3 (:data:`ELSEWHERE`) when its final ``loss`` − ``f_min`` ≤
    ``tol``, and -1 (not converged) otherwise."""
    final = np.asarray(final, dtype=np.float64).reshape(-1, 2)
    out = np.full(len(final), -1, dtype=np.int64)
    if minima:
        m = np.array([[p.x, p.y] for p in minima])
        with np.errstate(invalid="ignore"):
            d = np.sqrt(((final[:, None, :] - m[None, :, :]) ** 2).sum(axis=2))
        k = np.argmin(np.where(np.isfinite(d), d, np.inf), axis=1)
        near = np.take_along_axis(d, k[:, None], axis=1)[:, 0] <= radius
        out[near] = k[near]
    if loss is not None and math.isfinite(f_min):
        with np.errstate(invalid="ignore"):
            low = np.asarray(loss, dtype=np.float64).reshape(-1) - f_min <= tol
        out[(out == -1) & low] = -3
    out[np.asarray(diverged).reshape(-1)] = -2
    return out


def compute_basins(spec: BasinSpec, *, progress=None, block=None) -> BasinResult:
    """Run ``spec`` from every start of its grid in one ``optimizers.sweep`` call and classify
    each start (``progress`` / ``block`` as for :func:`compute_map`)."""
    surf = spec.surface_obj()
    xs, ys, starts = basin_starts(surf, spec.n)
    kw = dict(spec.hyperparams)
    if spec.inner:
        kw["inner"] = spec.inner
    t0 = time.perf_counter()
    res = optimizers.sweep(spec.optimizer, surf, starts, spec.steps, variant=spec.variant, tol=spec.tol,
                           progress=progress, block=block, **kw)
    dt = time.perf_counter() - t0
    basin = classify(res.final, res.diverged, surf.minima, spec.dist_tol * surf.size, res.loss,
                     float(surf.f_min) if surf.minima else math.nan, spec.tol)
    shape = (spec.n, spec.n)
    return BasinResult(spec, xs, ys, basin.reshape(shape), res.steps_to_tol.reshape(shape),
                       res.final.reshape(shape + (2,)), tuple(surf.minima), dt)
