r"""Rotated quadratic ravine.

    th = angle in radians,  u = cos(th) x + sin(th) y,  v = -sin(th) x + cos(th) y,
    f(x, y) = (u^2 + kappa v^2) / 2,    minimum (0, 0) -> 0.

The Hessian has eigenvalues 1 (along (cos th, sin th)) and kappa (across), so kappa is
the condition number.  With angle = 0 the ravine is axis-aligned; rotating it shows
that per-coordinate methods (Adagrad, RMSprop, Adam) are tied to the axes.
The ravine of the survey's Figure 1.
"""
from __future__ import annotations

import math

import numpy as np

from ._jit import jit
from .base import Param, Point, Surface

DEG = np.pi / 180.0


def quadratic_cs(angle):
    """(cos th, sin th) for ``angle`` in degrees; the kernels hoist this out of loops."""
    th = angle * DEG
    return np.cos(th), np.sin(th)


def quadratic_f_cs(x, y, kappa, c, s):
    u = c * x + s * y
    v = c * y - s * x
    return 0.5 * (u * u + kappa * (v * v))


def quadratic_grad_cs(x, y, kappa, c, s):
    u = c * x + s * y
    w = kappa * (c * y - s * x)
    return c * u - s * w, s * u + c * w


def quadratic_hess_cs(x, y, kappa, c, s):
    # H = R^T diag(1, kappa) R with R = [[c, s], [-s, c]]: constant, broadcast to (x, y)
    z = 0.0 * (x + y)
    return z + (c * c + kappa * (s * s)), z + (1.0 - kappa) * (c * s), z + (s * s + kappa * (c * c))


def quadratic_kernel_params(kappa, angle):
    """The compiled kernels' parameters (kappa, cos th, sin th): the angle's cosine and sine are
    computed once per call instead of at every gradient."""
    th = angle * (math.pi / 180.0)
    return kappa, math.cos(th), math.sin(th)


quadratic_cs_nb = jit(quadratic_cs)
quadratic_f_cs_nb = jit(quadratic_f_cs)
quadratic_grad_cs_nb = jit(quadratic_grad_cs)
quadratic_hess_cs_nb = jit(quadratic_hess_cs)


def quadratic_f(x, y, kappa, angle):
    th = angle * DEG
    c = np.cos(th)
    s = np.sin(th)
    u = c * x + s * y
    v = c * y - s * x
    return 0.5 * (u * u + kappa * (v * v))


def quadratic_grad(x, y, kappa, angle):
    th = angle * DEG
    c = np.cos(th)
    s = np.sin(th)
    u = c * x + s * y
    w = kappa * (c * y - s * x)
    return c * u - s * w, s * u + c * w


def quadratic_hess(x, y, kappa, angle):
    th = angle * DEG
    c = np.cos(th)
    s = np.sin(th)
    z = 0.0 * (x + y)  # the Hessian is constant; zeros of the broadcast shape of (x, y)
    return z + (c * c + kappa * (s * s)), z + (1.0 - kappa) * (c * s), z + (s * s + kappa * (c * c))


quadratic_f_nb = jit(quadratic_f)
quadratic_grad_nb = jit(quadratic_grad)
quadratic_hess_nb = jit(quadratic_hess)

SURFACE = Surface(
    id="quadratic",
    name="Quadratic ravine",
    latex=r"f = \tfrac12\left(u^2 + \kappa v^2\right),\ "
    r"\begin{pmatrix}u\\v\end{pmatrix} = "
    r"\begin{pmatrix}\cos\theta & \sin\theta\\ -\sin\theta & \cos\theta\end{pmatrix}"
    r"\begin{pmatrix}x\\y\end{pmatrix}",
    citation="Ill-conditioned quadratic: the ravine of the survey's Figure 1 (SGD with and "
    "without momentum).",
    f=quadratic_f,
    grad=quadratic_grad,
    hess=quadratic_hess,
    kernels=(quadratic_f_cs_nb, quadratic_grad_cs_nb, quadratic_hess_cs_nb),
    kernel_params=quadratic_kernel_params,
    bounds=((-2.0, 2.0), (-1.0, 1.0)),
    minima=(Point(0.0, 0.0, 0.0),),
    start=(-1.8, 0.8),
    params=(
        Param("kappa", 20.0, 1.0, 1000.0, "condition number: Hessian eigenvalues are 1 and kappa"),
        Param("angle", 0.0, -90.0, 90.0, "rotation of the ravine, in degrees"),
    ),
    values=(20.0, 0.0),
    notes="Hessian eigenvalues 1 and kappa; a rotated ravine defeats per-coordinate scaling.",
)
