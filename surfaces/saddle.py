r"""Saddle surfaces: no minimum, a stationary point at the origin.

saddle:        f(x, y) = x^2 - y^2      (hyperbolic paraboloid, non-degenerate saddle)
monkey_saddle: f(x, y) = x^3 - 3 x y^2  (= Re (x + iy)^3, degenerate saddle: zero Hessian)

Both are unbounded below.  Classic surfaces of differential geometry, e.g. Hilbert, D. &
Cohn-Vossen, S. (1932). Anschauliche Geometrie (Geometry and the Imagination), Springer.
Domains and starts are Gradscape's choice: a start just off the ridge shows the escape.
"""
from __future__ import annotations

from ._jit import jit
from .base import Point, Surface

_CITE = (
    "Hilbert, D. & Cohn-Vossen, S. (1932). Anschauliche Geometrie. Springer "
    "(Geometry and the Imagination, Chelsea 1952). Domain: Gradscape catalogue."
)


def saddle_f(x, y):
    return x * x - y * y


def saddle_grad(x, y):
    return 2.0 * x, -2.0 * y


def saddle_hess(x, y):
    z = 0.0 * (x + y)  # zeros of the broadcast shape of (x, y)
    return z + 2.0, z, z - 2.0


def monkey_saddle_f(x, y):
    return x * (x * x - 3.0 * (y * y))


def monkey_saddle_grad(x, y):
    return 3.0 * (x * x - y * y), -6.0 * x * y


def monkey_saddle_hess(x, y):
    z = 0.0 * (x + y)  # zeros of the broadcast shape of (x, y)
    return 6.0 * x + z, -6.0 * y + z, -6.0 * x + z


saddle_f_nb = jit(saddle_f)
saddle_grad_nb = jit(saddle_grad)
saddle_hess_nb = jit(saddle_hess)
monkey_saddle_f_nb = jit(monkey_saddle_f)
monkey_saddle_grad_nb = jit(monkey_saddle_grad)
monkey_saddle_hess_nb = jit(monkey_saddle_hess)

SADDLE = Surface(
    id="saddle",
    name="Saddle",
    latex=r"f(x, y) = x^2 - y^2",
    citation=_CITE,
    f=saddle_f,
    grad=saddle_grad,
    hess=saddle_hess,
    kernels=(saddle_f_nb, saddle_grad_nb, saddle_hess_nb),
    bounds=((-2.0, 2.0), (-2.0, 2.0)),
    minima=(),
    start=(1.5, 1e-3),  # just off the ridge y = 0: shows how fast a method escapes
    saddles=(Point(0.0, 0.0, 0.0),),
    notes="Unbounded below. Started near the ridge y = 0, plain gradient descent "
    "approaches the saddle and leaves it only slowly.",
)

MONKEY_SADDLE = Surface(
    id="monkey_saddle",
    name="Monkey saddle",
    latex=r"f(x, y) = x^3 - 3xy^2",
    citation=_CITE,
    f=monkey_saddle_f,
    grad=monkey_saddle_grad,
    hess=monkey_saddle_hess,
    kernels=(monkey_saddle_f_nb, monkey_saddle_grad_nb, monkey_saddle_hess_nb),
    bounds=((-2.0, 2.0), (-2.0, 2.0)),
    minima=(),
    start=(1.5, 1e-3),
    saddles=(Point(0.0, 0.0, 0.0),),
    notes="Degenerate saddle (zero Hessian at the origin) with three descending "
    "valleys; unbounded below.",
)
