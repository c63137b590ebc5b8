"""The :class:`Surface` record: one 2D test function with everything the app needs."""
from __future__ import annotations

import dataclasses
import math
from typing import Callable

import numpy as np

#: Every surface kernel takes exactly this many parameters (unused ones are 0.0).
N_PARAMS = 4

#: The reference most catalogue entries cite (formulas, domains, minima).
VLSE = (
    "Surjanovic, S. & Bingham, D. Virtual Library of Simulation Experiments: "
    "Test Functions and Datasets. Simon Fraser University. https://www.sfu.ca/~ssurjano/"
)


@dataclasses.dataclass(frozen=True)
class Param:
    """A surface parameter, e.g. Rosenbrock's ``b``."""

    name: str
    default: float
    lo: float
    hi: float
    help: str = ""


@dataclasses.dataclass(frozen=True)
class Point:
    """A known minimum (or a stationary point): coordinates and value."""

    x: float
    y: float
    f: float


@dataclasses.dataclass(frozen=True)
class Surface:
    """One test surface.

    ``f(x, y, *params)`` broadcasts over numpy arrays (for contour grids);
    ``grad(x, y, *params)`` returns ``(df/dx, df/dy)`` and ``hess(x, y, *params)``
    ``(d2f/dx2, d2f/dxdy, d2f/dy2)``, for scalars or arrays.  ``values`` are this instance's
    parameter values, in the order of ``params``.

    ``kernels`` are the compiled ``(f, grad, hess)`` the optimizer kernels call, each taking
    ``(x, y, *kernel_params(values))``; ``kernel_params`` (default: the values themselves) lets
    a surface hand its kernels precomputed numbers (the quadratic passes cos and sin of its
    angle).  The compiled dispatch over all surfaces is generated from the registry
    (:mod:`surfaces.kernels`); a surface's integer id there is its registry position.
    """

    id: str
    name: str
    latex: str
    citation: str
    f: Callable
    grad: Callable
    bounds: tuple  # ((xmin, xmax), (ymin, ymax))
    minima: tuple  # of Point: every known global minimum; empty if unbounded below
    start: tuple  # suggested start (x, y)
    params: tuple = ()  # of Param
    values: tuple = ()  # this instance's parameter values, same order as params
    contour: str = "linear"  # "log" or "linear" contour levels
    saddles: tuple = ()  # of Point: stationary points that matter (saddle surfaces)
    notes: str = ""
    hess: Callable | None = None
    kernels: tuple = ()  # compiled (f, grad, hess), see the class docstring
    kernel_params: Callable | None = None  # values -> the kernels' parameters
    compiled: object = None  # a custom surface's own kernels and loops (surfaces/custom.py)

    # ---- evaluation -------------------------------------------------------------
    def value(self, x, y):
        """f at (x, y); broadcasts over arrays."""
        return self.f(x, y, *self.values)

    def gradient(self, x, y):
        """(df/dx, df/dy) at (x, y)."""
        return self.grad(x, y, *self.values)

    def hessian(self, x, y):
        """(d2f/dx2, d2f/dxdy, d2f/dy2) at (x, y)."""
        return self.hess(x, y, *self.values)

    def kernel_values(self) -> tuple:
        """The parameters the compiled kernels take (``kernel_params(values)``)."""
        return tuple(self.kernel_params(*self.values)) if self.kernel_params else tuple(self.values)

    def param_array(self) -> np.ndarray:
        """The kernels' parameters as the fixed-length float64 array they take."""
        vals = self.kernel_values()
        out = np.zeros(N_PARAMS, dtype=np.float64)
        out[: len(vals)] = vals
        return out

    @property
    def f_min(self) -> float:
        """The global minimum value, or nan when the surface has none."""
        return min((m.f for m in self.minima), default=math.nan)

    @property
    def size(self) -> float:
        """Length of the domain's diagonal."""
        (x0, x1), (y0, y1) = self.bounds
        return math.hypot(x1 - x0, y1 - y0)

    def nearest_minimum(self, x: float, y: float):
        """The listed minimum (or saddle, if there are no minima) closest to (x, y)."""
        pts = self.minima or self.saddles
        if not pts:
            return None
        return min(pts, key=lambda m: (m.x - x) ** 2 + (m.y - y) ** 2)

    # ---- parameters -------------------------------------------------------------
    def with_params(self, **kwargs) -> "Surface":
        """A copy with some parameters changed; ValueError names bad names/values."""
        names = [p.name for p in self.params]
        vals = dict(zip(names, self.values))
        for key, val in kwargs.items():
            if key not in vals:
                allowed = ", ".join(names) if names else "none"
                raise ValueError(
                    f"surface {self.id!r} has no parameter {key!r}; its parameters are: {allowed}"
                )
            p = self.params[names.index(key)]
            try:
                val = float(val)
            except (TypeError, ValueError):
                raise ValueError(f"surface parameter {key!r} must be a number, got {val!r}") from None
            if not (p.lo <= val <= p.hi):
                raise ValueError(
                    f"surface parameter {key!r} = {val!r} is out of range [{p.lo}, {p.hi}]"
                )
            vals[key] = val
        new_values = tuple(vals[n] for n in names)
        minima = self.minima_for(new_values)
        return dataclasses.replace(self, values=new_values, minima=minima)

    # Surfaces whose minima move with their parameters override this through
    # ``minima_fn``; see surfaces/rosenbrock.py.
    minima_fn: Callable | None = None

    def minima_for(self, values: tuple) -> tuple:
        if self.minima_fn is None:
            return self.minima
        return tuple(self.minima_fn(*values))
