"""Presets: a good start and working learning rates for any optimizer on any surface.

Surfaces differ wildly in scale, so one learning rate cannot serve them all.  Instead of a
hand-written table, the preset is *measured*: the optimizer runs over a grid of "nice"
learning rates from the surface's suggested start (compiled, a few milliseconds), and the
preset is the rate with the lowest final loss among the runs that stay on the picture (for a
surface with no minimum, such as the saddle, the lowest final value).  That takes a few
milliseconds and is cached.
"""
from __future__ import annotations

import functools

import numpy as np

import optimizers
import surfaces

#: the largest single step a preset may take, as a fraction of the domain's diagonal
MAX_JUMP = 0.08
#: candidate learning rates: 1, 1.5, 2, 3, 5, 7 per decade, 1e-6 .. 7
LR_GRID = np.array([float(f"{m * 10.0**e:.6g}") for e in range(-6, 1) for m in (1, 1.5, 2, 3, 5, 7)])
# (rounded: 3 * 0.1 is 0.30000000000000004, which the slider would show as a second "0.3" stop)


@functools.lru_cache(maxsize=1024)
def best_lr(surface_id: str, surface_params: tuple, opt_id: str, variant: str, inner: str | None,
            start: tuple, steps: int, formula: str = "", bounds: tuple = ()) -> float:
    """The grid learning rate that works best from ``start`` (see the module docstring).

    A run qualifies if it never diverges, its whole path stays inside the plotted domain
    (widened by a quarter on each side) and no single step jumps more than ``MAX_JUMP`` of the
    domain's diagonal: a path that flies off or teleports across the picture teaches nothing.
    Among those, the lowest final loss wins; when several reach the minimum (to 1e-10), the
    smallest such rate wins, because its path is the smoothest to watch.

    A custom surface is ``surface_id="custom"`` with its ``formula`` and ``bounds``
    (:func:`surfaces.surface_of`).
    """
    surf = surfaces.surface_of(surface_id, surface_params, formula, bounds)
    spec = optimizers.OPTIMIZERS[opt_id]
    lr_h = (optimizers.OPTIMIZERS[inner] if spec.wraps_inner else spec).hyperparam("lr")
    grid = LR_GRID[(LR_GRID >= lr_h.lo) & (LR_GRID <= lr_h.hi)]
    kw = {"inner": inner} if spec.wraps_inner else {}
    (x0, x1), (y0, y1) = surf.bounds
    wx, wy = 0.25 * (x1 - x0), 0.25 * (y1 - y0)
    fmin = surf.f_min if surf.minima else 0.0
    scores = np.full(len(grid), np.inf)
    for i, lr in enumerate(grid):
        r = optimizers.run(opt_id, surf, start, steps, variant=variant, lr=float(lr), **kw)
        p = r.path
        if r.diverged or not ((p[:, 0] >= x0 - wx).all() and (p[:, 0] <= x1 + wx).all()
                              and (p[:, 1] >= y0 - wy).all() and (p[:, 1] <= y1 + wy).all()):
            continue
        if np.hypot(*np.diff(p, axis=0).T).max() > MAX_JUMP * surf.size:
            continue
        scores[i] = r.loss[-1] - fmin
    if not np.isfinite(scores).any():
        return float(grid[0])
    best = scores.min()
    if best < 1e-10:
        return float(grid[int(np.argmax(scores < 1e-10))])
    return float(grid[int(np.argmin(scores))])


def preset_optimizers(surface_id: str, ids, steps: int = 300, start=None, surface_params=None,
                      variants=None, inners=None, formula: str = "", bounds: tuple = ()):
    """Optimizer configs for ``ids`` with default hyperparameters and a measured learning rate
    (a custom surface: ``surface_id="custom"`` with its ``formula`` and ``bounds``)."""
    from ui.settings import optimizer_config

    if surface_params is None:
        surf = surfaces.surface_of(surface_id, (), formula, bounds)
        surface_params = tuple(zip((p.name for p in surf.params), surf.values))
    surf = surfaces.surface_of(surface_id, tuple(surface_params), formula, bounds)
    start = tuple(surf.start) if start is None else tuple(start)
    out = []
    for n, oid in enumerate(ids):
        variant = variants[n] if variants else "paper"
        spec = optimizers.OPTIMIZERS[oid]
        inner = (inners[n] if inners and inners[n] else "adam") if spec.wraps_inner else None
        lr = best_lr(surface_id, tuple(surface_params), oid, variant, inner, start, int(steps), formula,
                     tuple(bounds))
        kw = {"inner": inner} if inner else {}
        out.append(optimizer_config(oid, variant, lr=lr, **kw))
    return tuple(out)
