"""A family of runs over one hyperparameter, for the browser's hyperparameter scrubber.

The family is ``count`` values on the slider's own scale (log for a log hyperparameter),
spanning the hyperparameter's range but at most ``decades`` either side of the current value
for a log scale, and always including the current value exactly.  Each value is one compiled
run: 65 runs of 300 steps take about 9 ms, of 5,000 steps about 25 ms.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

import optimizers

from . import metrics


@dataclasses.dataclass(frozen=True)
class Family:
    name: str  # the hyperparameter
    values: np.ndarray  # (count,)
    paths: tuple  # of (steps + 1, 2) arrays
    n_valid: np.ndarray  # rows to draw per path (before a divergence or escape)


def family_values(h, current: float, count: int = 64, decades: float = 2.0) -> np.ndarray:
    """``count`` values of hyperparameter ``h`` (a ``Hyperparam``) around ``current``."""
    lo, hi = float(h.lo), float(h.hi)
    if getattr(h, "integer", False):
        vals = np.unique(np.round(np.linspace(lo, hi, min(count, int(hi - lo) + 1))))
    elif getattr(h, "scale", "linear") == "log" and lo > 0:
        a = max(math.log10(lo), math.log10(current) - decades)
        b = min(math.log10(hi), math.log10(current) + decades)
        vals = 10.0 ** np.linspace(a, b, count)
    else:
        vals = np.linspace(lo, hi, count)
    vals = np.array([float(f"{v:.4g}") for v in vals])
    vals = np.unique(np.clip(np.r_[vals, current], lo, hi))
    return vals


def family(settings, index: int, name: str, count: int = 64) -> Family:
    """Runs of optimizer ``index`` of ``settings`` (ExploreSettings) with ``name`` varied."""
    cfg = settings.optimizers[index]
    spec = cfg.spec
    hps = spec.hyperparams + (optimizers.OPTIMIZERS[cfg.inner].hyperparams if cfg.inner else ())
    h = {x.name: x for x in hps}.get(name)
    if h is None:
        raise ValueError(f"{cfg.id} has no hyperparameter {name!r}; it has {', '.join(x.name for x in hps)}")
    values = family_values(h, float(cfg.params[name]), count)
    surf = settings.surface_obj()
    paths, ns = [], []
    for v in values:
        kw = dict(cfg.kwargs(), **{name: int(v) if h.integer else float(v)})
        r = optimizers.run(cfg.id, surf, settings.start, settings.steps, variant=cfg.variant,
                           noise=settings.noise, seed=settings.seed, schedule=settings.schedule, **kw)
        paths.append(r.path)
        ns.append(metrics.rows_in_sight(len(r.path), r.diverged_at, metrics.escaped_at(r.path, surf)))
    return Family(name, values, tuple(paths), np.array(ns))
