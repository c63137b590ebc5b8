r"""Saddle surfaces: no minimum, a stationary point at the origin.

saddle:        f(x, y) = x^2 - y^2      (hyperbolic paraboloid, non-degenerate saddle)
monkey_saddle: f(x, y) = x^3 - 3 x y^2  (= Re (x + iy)^3, degenerate saddle: zero Hessian)

Both are unbounded below.  Classic surfaces of differential geometry, e.g. Hilbert, D. &
Cohn-Vossen, S. (1932). Anschauliche Geometrie (Geometry and the Imagination), Springer.
Domains and starts from the Gradscape catalogue (shared/spec/surfaces.md).
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


def monkey_saddle_f(x, y):
    return x * (x * x - 3.0 * (y * y))


def monkey_saddle_grad(x, y):
    return 3.0 * (x * x - y * y), -6.0 * x * y


saddle_f_nb = jit(saddle_f)
saddle_grad_nb = jit(saddle_grad)
monkey_saddle_f_nb = jit(monkey_saddle_f)
monkey_saddle_grad_nb = jit(monkey_saddle_grad)

SADDLE = Surface(
    id="saddle",
    name="Saddle",
    index=2,
    latex=r"f(x, y) = x^2 - y^2",
    citation=_CITE,
    f=saddle_f,
    grad=saddle_grad,
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
    index=3,
    latex=r"f(x, y) = x^3 - 3xy^2",
    citation=_CITE,
    f=monkey_saddle_f,
    grad=monkey_saddle_grad,
    bounds=((-2.0, 2.0), (-2.0, 2.0)),
    minima=(),
    start=(1.5, 1e-3),
    saddles=(Point(0.0, 0.0, 0.0),),
    notes="Degenerate saddle (zero Hessian at the origin) with three descending "
    "valleys; unbounded below.",
)
