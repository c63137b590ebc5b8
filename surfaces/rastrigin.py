r"""Rastrigin's function (two dimensions).

    f(x, y) = 2A + x^2 - A cos(2 pi x) + y^2 - A cos(2 pi y),    minimum (0, 0) -> 0.

A = 10 is the standard choice; A = 0 leaves a convex bowl.

Rastrigin, L. A. (1974). Systems of Extremal Control. Nauka, Moscow.
Surjanovic & Bingham, Virtual Library of Simulation Experiments,
https://www.sfu.ca/~ssurjano/rastr.html
"""
from __future__ import annotations

import numpy as np

from ._jit import jit
from .base import VLSE, Param, Point, Surface

TWO_PI = 2.0 * np.pi


def rastrigin_f(x, y, A):
    return 2.0 * A + x * x - A * np.cos(TWO_PI * x) + y * y - A * np.cos(TWO_PI * y)


def rastrigin_grad(x, y, A):
    k = TWO_PI * A
    return 2.0 * x + k * np.sin(TWO_PI * x), 2.0 * y + k * np.sin(TWO_PI * y)


def rastrigin_hess(x, y, A):
    k = TWO_PI * TWO_PI * A
    z = 0.0 * (x + y)  # zeros of the broadcast shape of (x, y)
    return 2.0 + k * np.cos(TWO_PI * x) + z, z, 2.0 + k * np.cos(TWO_PI * y) + z


rastrigin_f_nb = jit(rastrigin_f)
rastrigin_grad_nb = jit(rastrigin_grad)
rastrigin_hess_nb = jit(rastrigin_hess)

SURFACE = Surface(
    id="rastrigin",
    name="Rastrigin",
    latex=r"f(x, y) = 2A + x^2 - A\cos 2\pi x + y^2 - A\cos 2\pi y",
    citation="Rastrigin, L. A. (1974). Systems of Extremal Control. Nauka, Moscow. " + VLSE,
    f=rastrigin_f,
    grad=rastrigin_grad,
    hess=rastrigin_hess,
    kernels=(rastrigin_f_nb, rastrigin_grad_nb, rastrigin_hess_nb),
    bounds=((-5.12, 5.12), (-5.12, 5.12)),
    minima=(Point(0.0, 0.0, 0.0),),
    start=(-4.2, 3.7),
    params=(Param("A", 10.0, 0.0, 20.0, "height of the ripples (0: a plain bowl)"),),
    values=(10.0,),
    notes="A regular grid of local minima on a bowl.",
)
