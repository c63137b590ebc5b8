r"""Ackley's function (two dimensions).

    f(x, y) = -20 exp(-0.2 sqrt((x^2 + y^2) / 2)) - exp((cos 2 pi x + cos 2 pi y) / 2) + e + 20,
    minimum (0, 0) -> 0.

The gradient is undefined at the origin (the cone tip of the first term); we define it
as (0, 0) there.  The cone's part of the Hessian grows like 1/r near the origin; there it
is likewise taken as 0, so the Hessian at the origin is that of the cosine term alone.

Ackley, D. H. (1987). A Connectionist Machine for Genetic Hillclimbing. Kluwer, Boston.
Surjanovic & Bingham, Virtual Library of Simulation Experiments,
https://www.sfu.ca/~ssurjano/ackley.html
"""
from __future__ import annotations

import numpy as np

from ._jit import jit
from .base import VLSE, Point, Surface

TWO_PI = 2.0 * np.pi
E20 = np.e + 20.0


def ackley_f(x, y):
    r = np.sqrt(0.5 * (x * x + y * y))
    c = 0.5 * (np.cos(TWO_PI * x) + np.cos(TWO_PI * y))
    return -20.0 * np.exp(-0.2 * r) - np.exp(c) + E20


def _ackley_grad_scalar(x, y):
    r = np.sqrt(0.5 * (x * x + y * y))
    ec = np.pi * np.exp(0.5 * (np.cos(TWO_PI * x) + np.cos(TWO_PI * y)))
    # d/dx of -20 exp(-0.2 r) is 4 exp(-0.2 r) * x / (2 r) = t * x; defined as 0 at r = 0
    t = 0.0
    if r > 0.0:
        t = 2.0 * np.exp(-0.2 * r) / r
    return t * x + ec * np.sin(TWO_PI * x), t * y + ec * np.sin(TWO_PI * y)


def _ackley_hess_scalar(x, y):
    r = np.sqrt(0.5 * (x * x + y * y))
    sx = np.sin(TWO_PI * x)
    sy = np.sin(TWO_PI * y)
    ec = np.pi * np.exp(0.5 * (np.cos(TWO_PI * x) + np.cos(TWO_PI * y)))
    # cone term -20 exp(-0.2 r): gradient t (x, y) with t = 2 exp(-0.2 r) / r, so its Hessian is
    # t I + u (x, y)(x, y)^T with u = t'(r) / (2 r) = -exp(-0.2 r) (1 + 0.2 r) / r^3.  It grows
    # like 1/r at the tip of the cone; as for the gradient, it is taken as 0 at r = 0.
    t = 0.0
    u = 0.0
    if r > 0.0:
        e = np.exp(-0.2 * r)
        t = 2.0 * e / r
        u = -e * (1.0 + 0.2 * r) / (r * r * r)
    # cosine term -exp(c): gradient ec (sin 2 pi x, sin 2 pi y)
    hxx = t + u * (x * x) + ec * (TWO_PI * np.cos(TWO_PI * x) - np.pi * (sx * sx))
    hxy = u * (x * y) - np.pi * ec * (sx * sy)
    hyy = t + u * (y * y) + ec * (TWO_PI * np.cos(TWO_PI * y) - np.pi * (sy * sy))
    return hxx, hxy, hyy


ackley_f_nb = jit(ackley_f)
ackley_grad_nb = jit(_ackley_grad_scalar)
ackley_hess_nb = jit(_ackley_hess_scalar)


def ackley_grad(x, y):
    """Analytic gradient, (0, 0) at the origin; scalars or arrays."""
    if np.ndim(x) == 0 and np.ndim(y) == 0:
        return _ackley_grad_scalar(float(x), float(y))
    x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    r = np.sqrt(0.5 * (x * x + y * y))
    ec = np.pi * np.exp(0.5 * (np.cos(TWO_PI * x) + np.cos(TWO_PI * y)))
    pos = r > 0.0
    t = np.where(pos, 2.0 * np.exp(-0.2 * r) / np.where(pos, r, 1.0), 0.0)
    return t * x + ec * np.sin(TWO_PI * x), t * y + ec * np.sin(TWO_PI * y)


def ackley_hess(x, y):
    """Analytic Hessian (hxx, hxy, hyy); the cone's part is taken as 0 at the origin, where it
    is unbounded (as the gradient takes its part as 0 there); scalars or arrays."""
    if np.ndim(x) == 0 and np.ndim(y) == 0:
        return _ackley_hess_scalar(float(x), float(y))
    x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    r = np.sqrt(0.5 * (x * x + y * y))
    sx = np.sin(TWO_PI * x)
    sy = np.sin(TWO_PI * y)
    ec = np.pi * np.exp(0.5 * (np.cos(TWO_PI * x) + np.cos(TWO_PI * y)))
    pos = r > 0.0
    rs = np.where(pos, r, 1.0)
    e = np.exp(-0.2 * rs)
    t = np.where(pos, 2.0 * e / rs, 0.0)
    u = np.where(pos, -e * (1.0 + 0.2 * rs) / (rs * rs * rs), 0.0)
    hxx = t + u * (x * x) + ec * (TWO_PI * np.cos(TWO_PI * x) - np.pi * (sx * sx))
    hxy = u * (x * y) - np.pi * ec * (sx * sy)
    hyy = t + u * (y * y) + ec * (TWO_PI * np.cos(TWO_PI * y) - np.pi * (sy * sy))
    return hxx, hxy, hyy


SURFACE = Surface(
    id="ackley",
    name="Ackley",
    latex=r"f(x, y) = -20\,e^{-0.2\sqrt{(x^2 + y^2)/2}}"
    r" - e^{(\cos 2\pi x + \cos 2\pi y)/2} + e + 20",
    citation="Ackley, D. H. (1987). A Connectionist Machine for Genetic Hillclimbing. "
    "Kluwer, Boston. " + VLSE,
    f=ackley_f,
    grad=ackley_grad,
    hess=ackley_hess,
    kernels=(ackley_f_nb, ackley_grad_nb, ackley_hess_nb),
    bounds=((-5.0, 5.0), (-5.0, 5.0)),
    minima=(Point(0.0, 0.0, 0.0),),
    start=(-3.7, 3.3),
    notes="Nearly flat, rippled outer region around a sharp central funnel; the gradient "
    "is not defined at the origin and is taken to be (0, 0) there.",
)
