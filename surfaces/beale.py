r"""Beale's function.

    f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2,
    minimum (3, 0.5) -> 0.

Beale, E. M. L. (1958). On an iterative method for finding a local minimum of a function
of more than one variable. Technical Report 25, Statistical Techniques Research Group,
Princeton University.  Surjanovic & Bingham, Virtual Library of Simulation Experiments,
https://www.sfu.ca/~ssurjano/beale.html
"""
from __future__ import annotations

from ._jit import jit
from .base import VLSE, Point, Surface


def beale_f(x, y):
    y2 = y * y
    t1 = 1.5 - x + x * y
    t2 = 2.25 - x + x * y2
    t3 = 2.625 - x + x * (y2 * y)
    return t1 * t1 + t2 * t2 + t3 * t3


def beale_grad(x, y):
    y2 = y * y
    y3 = y2 * y
    t1 = 1.5 - x + x * y
    t2 = 2.25 - x + x * y2
    t3 = 2.625 - x + x * y3
    gx = 2.0 * (t1 * (y - 1.0) + t2 * (y2 - 1.0) + t3 * (y3 - 1.0))
    gy = 2.0 * x * (t1 + 2.0 * y * t2 + 3.0 * y2 * t3)
    return gx, gy


def beale_hess(x, y):
    y2 = y * y
    y3 = y2 * y
    t1 = 1.5 - x + x * y
    t2 = 2.25 - x + x * y2
    t3 = 2.625 - x + x * y3
    # d t_i/dx = y^i - 1 and d t_i/dy = i x y^(i-1)
    d1 = y - 1.0
    d2 = y2 - 1.0
    d3 = y3 - 1.0
    hxx = 2.0 * (d1 * d1 + d2 * d2 + d3 * d3) + 0.0 * x  # depends on y only: broadcast to (x, y)
    hxy = 2.0 * (t1 + 2.0 * y * t2 + 3.0 * y2 * t3) + 2.0 * x * (d1 + 2.0 * y * d2 + 3.0 * y2 * d3)
    hyy = 2.0 * x * (2.0 * t2 + 6.0 * y * t3 + x * (1.0 + 4.0 * y2 + 9.0 * (y2 * y2)))
    return hxx, hxy, hyy


beale_f_nb = jit(beale_f)
beale_grad_nb = jit(beale_grad)
beale_hess_nb = jit(beale_hess)

SURFACE = Surface(
    id="beale",
    name="Beale",
    latex=r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
    citation="Beale, E. M. L. (1958). On an iterative method for finding a local minimum "
    "of a function of more than one variable. Tech. Rep. 25, Statistical Techniques "
    "Research Group, Princeton University. " + VLSE,
    f=beale_f,
    grad=beale_grad,
    hess=beale_hess,
    kernels=(beale_f_nb, beale_grad_nb, beale_hess_nb),
    bounds=((-4.5, 4.5), (-4.5, 4.5)),
    minima=(Point(3.0, 0.5, 0.0),),
    start=(1.0, 1.5),
    contour="log",
    notes="Flat plateau and steep arms: a huge dynamic range, hence log contours.",
)
