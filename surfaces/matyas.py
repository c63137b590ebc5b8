r"""Matyas function.

    f(x, y) = 0.26 (x^2 + y^2) - 0.48 xy,    minimum (0, 0) -> 0.

A flat, ill-conditioned convex quadratic: Hessian eigenvalues 0.04 (along (1, 1)) and
1.0 (along (1, -1)), condition number 25.
Surjanovic & Bingham, Virtual Library of Simulation Experiments,
https://www.sfu.ca/~ssurjano/matya.html
"""
from __future__ import annotations

from ._jit import jit
from .base import VLSE, Point, Surface


def matyas_f(x, y):
    return 0.26 * (x * x + y * y) - 0.48 * (x * y)


def matyas_grad(x, y):
    return 0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x


def matyas_hess(x, y):
    z = 0.0 * (x + y)  # constant Hessian, broadcast to the shape of (x, y)
    return z + 0.52, z - 0.48, z + 0.52


matyas_f_nb = jit(matyas_f)
matyas_grad_nb = jit(matyas_grad)
matyas_hess_nb = jit(matyas_hess)

SURFACE = Surface(
    id="matyas",
    name="Matyas",
    latex=r"f(x, y) = 0.26\,(x^2 + y^2) - 0.48\,xy",
    citation=VLSE,
    f=matyas_f,
    grad=matyas_grad,
    hess=matyas_hess,
    kernels=(matyas_f_nb, matyas_grad_nb, matyas_hess_nb),
    bounds=((-10.0, 10.0), (-10.0, 10.0)),
    minima=(Point(0.0, 0.0, 0.0),),
    start=(-8.0, 4.0),
    notes="Flat valley along y = x: condition number 25.",
)
