r"""Styblinski-Tang function (two dimensions).

    f(x, y) = ((x^4 - 16x^2 + 5x) + (y^4 - 16y^2 + 5y)) / 2,
    minimum (-2.903534..., -2.903534...) -> -78.33233...

Styblinski, M. A. & Tang, T.-S. (1990). Experiments in nonconvex optimization:
stochastic approximation with function smoothing and simulated annealing. Neural Networks
3(4), 467-483.  Surjanovic & Bingham, Virtual Library of Simulation Experiments,
https://www.sfu.ca/~ssurjano/stybtang.html
"""
from __future__ import annotations

from ._jit import jit
from .base import VLSE, Point, Surface


def styblinski_tang_f(x, y):
    x2 = x * x
    y2 = y * y
    return 0.5 * ((x2 * x2 - 16.0 * x2 + 5.0 * x) + (y2 * y2 - 16.0 * y2 + 5.0 * y))


def styblinski_tang_grad(x, y):
    return x * (2.0 * (x * x) - 16.0) + 2.5, y * (2.0 * (y * y) - 16.0) + 2.5


def styblinski_tang_hess(x, y):
    z = 0.0 * (x + y)  # zeros of the broadcast shape of (x, y)
    return 6.0 * (x * x) - 16.0 + z, z, 6.0 * (y * y) - 16.0 + z


styblinski_tang_f_nb = jit(styblinski_tang_f)
styblinski_tang_grad_nb = jit(styblinski_tang_grad)
styblinski_tang_hess_nb = jit(styblinski_tang_hess)

# Catalogue / Virtual Library: x* = (-2.903534, -2.903534), f* = -39.16599 d = -78.33198 for
# d = 2 (the library's rounded per-coordinate value).  Refined here: x* is the root of
# 2x^3 - 16x + 2.5 = 0 (mpmath, 50 digits), f* = x*^4 - 16x*^2 + 5x* = -78.3323314075428309...
X_STAR = -2.903534027771177

SURFACE = Surface(
    id="styblinski_tang",
    name="Styblinski-Tang",
    latex=r"f(x, y) = \tfrac12\left(x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y\right)",
    citation="Styblinski, M. A. & Tang, T.-S. (1990). Experiments in nonconvex "
    "optimization: stochastic approximation with function smoothing and simulated "
    "annealing. Neural Networks 3(4), 467-483. " + VLSE,
    f=styblinski_tang_f,
    grad=styblinski_tang_grad,
    hess=styblinski_tang_hess,
    kernels=(styblinski_tang_f_nb, styblinski_tang_grad_nb, styblinski_tang_hess_nb),
    bounds=((-5.0, 5.0), (-5.0, 5.0)),
    minima=(Point(X_STAR, X_STAR, -78.33233140754282),),
    start=(0.0, 4.5),
    notes="Separable; each coordinate has a global (x = -2.90) and a local (x = 2.75) "
    "minimum, so there are four basins.",
)
