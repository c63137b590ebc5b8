r"""Lévy function N. 13.

    f(x, y) = sin^2(3 pi x) + (x - 1)^2 (1 + sin^2(3 pi y)) + (y - 1)^2 (1 + sin^2(2 pi y)),
    minimum (1, 1) -> 0.

Surjanovic & Bingham, Virtual Library of Simulation Experiments,
https://www.sfu.ca/~ssurjano/levy13.html (there spelled "Levy").
"""
from __future__ import annotations

import numpy as np

from ._jit import jit
from .base import VLSE, Point, Surface

PI3 = 3.0 * np.pi
PI2 = 2.0 * np.pi


def levi13_f(x, y):
    sx = np.sin(PI3 * x)
    s3y = np.sin(PI3 * y)
    s2y = np.sin(PI2 * y)
    a = x - 1.0
    b = y - 1.0
    return sx * sx + a * a * (1.0 + s3y * s3y) + b * b * (1.0 + s2y * s2y)


def levi13_grad(x, y):
    sx = np.sin(PI3 * x)
    cx = np.cos(PI3 * x)
    s3y = np.sin(PI3 * y)
    c3y = np.cos(PI3 * y)
    s2y = np.sin(PI2 * y)
    c2y = np.cos(PI2 * y)
    a = x - 1.0
    b = y - 1.0
    gx = 2.0 * PI3 * sx * cx + 2.0 * a * (1.0 + s3y * s3y)
    gy = (
        2.0 * PI3 * (a * a) * s3y * c3y
        + 2.0 * b * (1.0 + s2y * s2y)
        + 2.0 * PI2 * (b * b) * s2y * c2y
    )
    return gx, gy


def levi13_hess(x, y):
    sx = np.sin(PI3 * x)
    cx = np.cos(PI3 * x)
    s3y = np.sin(PI3 * y)
    c3y = np.cos(PI3 * y)
    s2y = np.sin(PI2 * y)
    c2y = np.cos(PI2 * y)
    a = x - 1.0
    b = y - 1.0
    hxx = 2.0 * (PI3 * PI3) * (cx * cx - sx * sx) + 2.0 * (1.0 + s3y * s3y)
    hxy = 4.0 * PI3 * a * s3y * c3y
    hyy = (
        2.0 * (PI3 * PI3) * (a * a) * (c3y * c3y - s3y * s3y)
        + 2.0 * (1.0 + s2y * s2y)
        + 8.0 * PI2 * b * s2y * c2y
        + 2.0 * (PI2 * PI2) * (b * b) * (c2y * c2y - s2y * s2y)
    )
    return hxx, hxy, hyy


levi13_f_nb = jit(levi13_f)
levi13_grad_nb = jit(levi13_grad)
levi13_hess_nb = jit(levi13_hess)

SURFACE = Surface(
    id="levi13",
    name="Lévy N. 13",
    latex=r"f(x, y) = \sin^2 3\pi x + (x - 1)^2\left(1 + \sin^2 3\pi y\right)"
    r" + (y - 1)^2\left(1 + \sin^2 2\pi y\right)",
    citation=VLSE,
    f=levi13_f,
    grad=levi13_grad,
    hess=levi13_hess,
    kernels=(levi13_f_nb, levi13_grad_nb, levi13_hess_nb),
    bounds=((-10.0, 10.0), (-10.0, 10.0)),
    minima=(Point(1.0, 1.0, 0.0),),
    start=(-4.3, 4.7),
    notes="Corrugated bowl with many local minima.",
)
