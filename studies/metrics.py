"""Measures of a run shared by every page: one tolerance, one distance, one escape test."""
from __future__ import annotations

import numpy as np

#: "reached the minimum": f − f* ≤ TOL (Explore's table and the Landscapes pages' default)
TOL = 1e-6


def targets(surface) -> np.ndarray:
    """The points distances are measured to: the listed minima, else the saddles; (k, 2)."""
    pts = [(m.x, m.y) for m in (surface.minima or surface.saddles)]
    return np.array(pts, dtype=np.float64).reshape(-1, 2)


def distance_to_targets(path: np.ndarray, surface) -> np.ndarray:
    """Distance from every row of ``path`` to the nearest of :func:`targets` (NaN if none)."""
    pts = targets(surface)
    path = np.asarray(path, dtype=np.float64).reshape(-1, 2)
    if not len(pts):
        return np.full(len(path), np.nan)
    d = np.hypot(path[:, None, 0] - pts[None, :, 0], path[:, None, 1] - pts[None, :, 1])
    return d.min(axis=1)


def tol_step(loss: np.ndarray, surface, tol: float = TOL) -> int:
    """The first step with f − f* ≤ ``tol``; −1 if never, or if the surface lists no minimum."""
    if not surface.minima:
        return -1
    hit = np.nonzero(np.asarray(loss) - surface.f_min <= tol)[0]
    return int(hit[0]) if len(hit) else -1


def escaped_at(path: np.ndarray, surface) -> int:
    """The first step at which the path is more than the domain's size outside the plotted
    domain (x outside [x0 − w, x1 + w] with w = x1 − x0, likewise y), or −1.

    Rows that are NaN (a numerical divergence, which the engine flags itself) never count.
    """
    (x0, x1), (y0, y1) = surface.bounds
    w, h = x1 - x0, y1 - y0
    p = np.asarray(path, dtype=np.float64).reshape(-1, 2)
    with np.errstate(invalid="ignore"):
        out = (p[:, 0] < x0 - w) | (p[:, 0] > x1 + w) | (p[:, 1] < y0 - h) | (p[:, 1] > y1 + h)
    hit = np.nonzero(out)[0]
    return int(hit[0]) if len(hit) else -1


def rows_in_sight(n_rows: int, diverged_at: int, escaped_at: int) -> int:
    """How many rows of a path the pages draw: those before a divergence and before it left
    the view (at least the start)."""
    for stop in (diverged_at, escaped_at):
        if stop >= 0:
            n_rows = min(n_rows, stop)
    return max(1, n_rows)
