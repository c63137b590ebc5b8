r"""Himmelblau's function.

    f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2,

four global minima, all with f = 0: (3, 2), (-2.805118..., 3.131312...),
(-3.779310..., -3.283186...), (3.584428..., -1.848126...); a local maximum at
(-0.270845, -0.923039).

Himmelblau, D. M. (1972). Applied Nonlinear Programming. McGraw-Hill.
Minima: the catalogue values, refined to double precision by
solving x^2 + y = 11, x + y^2 = 7 with mpmath (50 digits).
"""
from __future__ import annotations

from ._jit import jit
from .base import Point, Surface


def himmelblau_f(x, y):
    a = x * x + y - 11.0
    b = x + y * y - 7.0
    return a * a + b * b


def himmelblau_grad(x, y):
    a = x * x + y - 11.0
    b = x + y * y - 7.0
    return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b


def himmelblau_hess(x, y):
    a = x * x + y - 11.0
    b = x + y * y - 7.0
    return 4.0 * a + 8.0 * (x * x) + 2.0, 4.0 * (x + y), 2.0 + 4.0 * b + 8.0 * (y * y)


himmelblau_f_nb = jit(himmelblau_f)
himmelblau_grad_nb = jit(himmelblau_grad)
himmelblau_hess_nb = jit(himmelblau_hess)

SURFACE = Surface(
    id="himmelblau",
    name="Himmelblau",
    latex=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    citation="Himmelblau, D. M. (1972). Applied Nonlinear Programming. McGraw-Hill.",
    f=himmelblau_f,
    grad=himmelblau_grad,
    hess=himmelblau_hess,
    kernels=(himmelblau_f_nb, himmelblau_grad_nb, himmelblau_hess_nb),
    bounds=((-5.0, 5.0), (-5.0, 5.0)),
    minima=(
        Point(3.0, 2.0, 0.0),
        Point(-2.805118086952745, 3.131312518250573, 0.0),
        Point(-3.779310253377747, -3.2831859912861696, 0.0),
        Point(3.5844283403304917, -1.8481265269644036, 0.0),
    ),
    start=(0.0, 0.0),
    contour="log",
    notes="Four basins with equal minima; which one a method reaches depends on its path.",
)
