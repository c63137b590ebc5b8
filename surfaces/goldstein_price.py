r"""Goldstein-Price function.

    f(x, y) = [1 + (x + y + 1)^2 (19 - 14x + 3x^2 - 14y + 6xy + 3y^2)]
              * [30 + (2x - 3y)^2 (18 - 32x + 12x^2 + 48y - 36xy + 27y^2)],
    minimum (0, -1) -> 3.

Goldstein, A. A. & Price, J. F. (1971). On descent from local minima. Mathematics of
Computation 25(115), 569-574.  Surjanovic & Bingham, Virtual Library of Simulation
Experiments, https://www.sfu.ca/~ssurjano/goldpr.html
"""
from __future__ import annotations

from ._jit import jit
from .base import VLSE, Point, Surface


def goldstein_price_f(x, y):
    a = x + y + 1.0
    B = 19.0 - 14.0 * x + 3.0 * (x * x) - 14.0 * y + 6.0 * (x * y) + 3.0 * (y * y)
    c = 2.0 * x - 3.0 * y
    D = 18.0 - 32.0 * x + 12.0 * (x * x) + 48.0 * y - 36.0 * (x * y) + 27.0 * (y * y)
    return (1.0 + a * a * B) * (30.0 + c * c * D)


def goldstein_price_grad(x, y):
    a = x + y + 1.0
    B = 19.0 - 14.0 * x + 3.0 * (x * x) - 14.0 * y + 6.0 * (x * y) + 3.0 * (y * y)
    c = 2.0 * x - 3.0 * y
    D = 18.0 - 32.0 * x + 12.0 * (x * x) + 48.0 * y - 36.0 * (x * y) + 27.0 * (y * y)
    P = 1.0 + a * a * B
    Q = 30.0 + c * c * D
    # dB/dx = dB/dy = -14 + 6x + 6y, so dP/dx = dP/dy
    dP = a * (2.0 * B + a * (6.0 * (x + y) - 14.0))
    dQx = c * (4.0 * D + c * (24.0 * x - 36.0 * y - 32.0))
    dQy = c * (-6.0 * D + c * (54.0 * y - 36.0 * x + 48.0))
    return dP * Q + P * dQx, dP * Q + P * dQy


def goldstein_price_hess(x, y):
    # P depends on s = x + y only (B = 19 - 14 s + 3 s^2) and Q on c = 2x - 3y only
    # (D = 18 - 16 c + 3 c^2), so with ' = d/ds for P and d/dc for Q:
    #   f_xx = P''Q + 4 P'Q' + 4 P Q'',  f_xy = P''Q - P'Q' - 6 P Q'',
    #   f_yy = P''Q - 6 P'Q' + 9 P Q''
    a = x + y + 1.0
    B = 19.0 - 14.0 * x + 3.0 * (x * x) - 14.0 * y + 6.0 * (x * y) + 3.0 * (y * y)
    c = 2.0 * x - 3.0 * y
    D = 18.0 - 32.0 * x + 12.0 * (x * x) + 48.0 * y - 36.0 * (x * y) + 27.0 * (y * y)
    P = 1.0 + a * a * B
    Q = 30.0 + c * c * D
    dB = 6.0 * (x + y) - 14.0  # dB/ds
    dD = 6.0 * c - 16.0  # dD/dc
    dP = a * (2.0 * B + a * dB)
    d2P = 2.0 * B + 4.0 * a * dB + 6.0 * (a * a)
    dQ = c * (2.0 * D + c * dD)
    d2Q = 2.0 * D + 4.0 * c * dD + 6.0 * (c * c)
    PQ = d2P * Q
    pq = dP * dQ
    Pq = P * d2Q
    return PQ + 4.0 * pq + 4.0 * Pq, PQ - pq - 6.0 * Pq, PQ - 6.0 * pq + 9.0 * Pq


goldstein_price_f_nb = jit(goldstein_price_f)
goldstein_price_grad_nb = jit(goldstein_price_grad)
goldstein_price_hess_nb = jit(goldstein_price_hess)

SURFACE = Surface(
    id="goldstein_price",
    name="Goldstein-Price",
    latex=r"f(x, y) = \left[1 + (x + y + 1)^2(19 - 14x + 3x^2 - 14y + 6xy + 3y^2)\right]"
    r"\left[30 + (2x - 3y)^2(18 - 32x + 12x^2 + 48y - 36xy + 27y^2)\right]",
    citation="Goldstein, A. A. & Price, J. F. (1971). On descent from local minima. "
    "Mathematics of Computation 25(115), 569-574. " + VLSE,
    f=goldstein_price_f,
    grad=goldstein_price_grad,
    hess=goldstein_price_hess,
    kernels=(goldstein_price_f_nb, goldstein_price_grad_nb, goldstein_price_hess_nb),
    bounds=((-2.0, 2.0), (-2.0, 2.0)),
    minima=(Point(0.0, -1.0, 3.0),),
    start=(0.5, 0.5),
    contour="log",
    notes="Values span six orders of magnitude over the domain; several local minima "
    "(e.g. near (-0.6, -0.4) with f = 30).",
)
