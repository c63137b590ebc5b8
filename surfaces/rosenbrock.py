r"""Rosenbrock's banana function.

    f(x, y) = (a - x)^2 + b (y - x^2)^2,    minimum (a, a^2) -> 0.

Defaults a = 1, b = 100 give the classic function (= ``scipy.optimize.rosen``).

Rosenbrock, H. H. (1960). An automatic method for finding the greatest or least value
of a function. The Computer Journal 3(3), 175-184.  Domain and minimum: Surjanovic &
Bingham, Virtual Library of Simulation Experiments, https://www.sfu.ca/~ssurjano/rosen.html
"""
from __future__ import annotations

from ._jit import jit
from .base import VLSE, Param, Point, Surface


def rosenbrock_f(x, y, a, b):
    u = a - x
    v = y - x * x
    return u * u + b * (v * v)


def rosenbrock_grad(x, y, a, b):
    u = a - x
    v = y - x * x
    return -2.0 * u - 4.0 * b * x * v, 2.0 * b * v


def rosenbrock_hess(x, y, a, b):
    v = y - x * x
    z = 0.0 * (x + y)  # zeros of the broadcast shape of (x, y)
    return 2.0 - 4.0 * b * v + 8.0 * b * (x * x) + z, -4.0 * b * x + z, 2.0 * b + z


rosenbrock_f_nb = jit(rosenbrock_f)
rosenbrock_grad_nb = jit(rosenbrock_grad)
rosenbrock_hess_nb = jit(rosenbrock_hess)


def _minima(a, b):
    return (Point(a, a * a, 0.0),)


SURFACE = Surface(
    id="rosenbrock",
    name="Rosenbrock",
    latex=r"f(x, y) = (a - x)^2 + b\,(y - x^2)^2",
    citation="Rosenbrock, H. H. (1960). An automatic method for finding the greatest or "
    "least value of a function. The Computer Journal 3(3), 175-184. " + VLSE,
    f=rosenbrock_f,
    grad=rosenbrock_grad,
    hess=rosenbrock_hess,
    kernels=(rosenbrock_f_nb, rosenbrock_grad_nb, rosenbrock_hess_nb),
    bounds=((-2.0, 2.0), (-1.0, 3.0)),
    minima=_minima(1.0, 100.0),
    start=(-1.2, 1.0),  # Rosenbrock's own (1960) starting point
    params=(
        Param("a", 1.0, 0.1, 3.0, "x of the minimum (a, a^2)"),
        Param("b", 100.0, 1.0, 1000.0, "steepness of the valley walls"),
    ),
    values=(1.0, 100.0),
    contour="log",
    notes="Narrow curved valley: easy to find, hard to follow to the minimum.",
    minima_fn=_minima,
)
