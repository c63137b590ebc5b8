r"""Booth's function.

    f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2,    minimum (1, 3) -> 0.

A convex quadratic (Hessian [[10, 8], [8, 10]], eigenvalues 2 and 18).
Surjanovic & Bingham, Virtual Library of Simulation Experiments,
https://www.sfu.ca/~ssurjano/booth.html
"""
from __future__ import annotations

from ._jit import jit
from .base import VLSE, Point, Surface


def booth_f(x, y):
    a = x + 2.0 * y - 7.0
    b = 2.0 * x + y - 5.0
    return a * a + b * b


def booth_grad(x, y):
    a = x + 2.0 * y - 7.0
    b = 2.0 * x + y - 5.0
    return 2.0 * a + 4.0 * b, 4.0 * a + 2.0 * b


def booth_hess(x, y):
    z = 0.0 * (x + y)  # constant Hessian, broadcast to the shape of (x, y)
    return z + 10.0, z + 8.0, z + 10.0


booth_f_nb = jit(booth_f)
booth_grad_nb = jit(booth_grad)
booth_hess_nb = jit(booth_hess)

SURFACE = Surface(
    id="booth",
    name="Booth",
    latex=r"f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2",
    citation=VLSE,
    f=booth_f,
    grad=booth_grad,
    hess=booth_hess,
    kernels=(booth_f_nb, booth_grad_nb, booth_hess_nb),
    bounds=((-10.0, 10.0), (-10.0, 10.0)),
    minima=(Point(1.0, 3.0, 0.0),),
    start=(-8.0, -6.0),
    notes="Convex quadratic with condition number 9.",
)
