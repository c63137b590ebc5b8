r"""Camel functions.

six_hump_camel:   f(x, y) = (4 - 2.1x^2 + x^4/3) x^2 + xy + (-4 + 4y^2) y^2,
                  minima (0.0898..., -0.7126...), (-0.0898..., 0.7126...) -> -1.0316...
three_hump_camel: f(x, y) = 2x^2 - 1.05x^4 + x^6/6 + xy + y^2,    minimum (0, 0) -> 0.

Dixon, L. C. W. & Szego, G. P. (1978). The global optimization problem: an introduction.
In Towards Global Optimisation 2, North-Holland, 1-15.  Surjanovic & Bingham, Virtual
Library of Simulation Experiments, https://www.sfu.ca/~ssurjano/camel6.html and
https://www.sfu.ca/~ssurjano/camel3.html
"""
from __future__ import annotations

from ._jit import jit
from .base import VLSE, Point, Surface

_CITE = (
    "Dixon, L. C. W. & Szego, G. P. (1978). The global optimization problem: an "
    "introduction. Towards Global Optimisation 2, North-Holland, 1-15. " + VLSE
)


def six_hump_camel_f(x, y):
    x2 = x * x
    y2 = y * y
    return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (4.0 * y2 - 4.0) * y2


def six_hump_camel_grad(x, y):
    x2 = x * x
    return x * (8.0 - 8.4 * x2 + 2.0 * (x2 * x2)) + y, x + y * (16.0 * (y * y) - 8.0)


def six_hump_camel_hess(x, y):
    x2 = x * x
    z = 0.0 * (x + y)  # zeros of the broadcast shape of (x, y)
    return 8.0 - 25.2 * x2 + 10.0 * (x2 * x2) + z, z + 1.0, 48.0 * (y * y) - 8.0 + z


def three_hump_camel_f(x, y):
    x2 = x * x
    return x2 * (2.0 - 1.05 * x2 + x2 * x2 / 6.0) + x * y + y * y


def three_hump_camel_grad(x, y):
    x2 = x * x
    return x * (4.0 - 4.2 * x2 + x2 * x2) + y, x + 2.0 * y


def three_hump_camel_hess(x, y):
    x2 = x * x
    z = 0.0 * (x + y)  # zeros of the broadcast shape of (x, y)
    return 4.0 - 12.6 * x2 + 5.0 * (x2 * x2) + z, z + 1.0, z + 2.0


six_hump_camel_f_nb = jit(six_hump_camel_f)
six_hump_camel_grad_nb = jit(six_hump_camel_grad)
six_hump_camel_hess_nb = jit(six_hump_camel_hess)
three_hump_camel_f_nb = jit(three_hump_camel_f)
three_hump_camel_grad_nb = jit(three_hump_camel_grad)
three_hump_camel_hess_nb = jit(three_hump_camel_hess)

# Minima: catalogue / Virtual Library list (±0.0898, ∓0.7126) -> -1.0316; refined here to
# double precision by solving grad f = 0 with mpmath (50 digits): f* = -1.03162845348987735...
SIX_HUMP_CAMEL = Surface(
    id="six_hump_camel",
    name="Six-hump camel",
    latex=r"f(x, y) = \left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy + (-4 + 4y^2)\,y^2",
    citation=_CITE,
    f=six_hump_camel_f,
    grad=six_hump_camel_grad,
    hess=six_hump_camel_hess,
    kernels=(six_hump_camel_f_nb, six_hump_camel_grad_nb, six_hump_camel_hess_nb),
    bounds=((-3.0, 3.0), (-2.0, 2.0)),
    minima=(
        Point(0.08984201310031806, -0.7126564030207396, -1.0316284534898774),
        Point(-0.08984201310031806, 0.7126564030207396, -1.0316284534898774),
    ),
    start=(-1.5, -1.0),
    notes="Six local minima, two of them global.",
)

THREE_HUMP_CAMEL = Surface(
    id="three_hump_camel",
    name="Three-hump camel",
    latex=r"f(x, y) = 2x^2 - 1.05x^4 + \tfrac{x^6}{6} + xy + y^2",
    citation=VLSE,
    f=three_hump_camel_f,
    grad=three_hump_camel_grad,
    hess=three_hump_camel_hess,
    kernels=(three_hump_camel_f_nb, three_hump_camel_grad_nb, three_hump_camel_hess_nb),
    bounds=((-5.0, 5.0), (-5.0, 5.0)),
    minima=(Point(0.0, 0.0, 0.0),),
    start=(-2.0, 2.0),
    contour="log",
    notes="Three local minima; the x^6 term makes the rim steep (log contours).",
)
