"""Compiled integer dispatch over the surfaces, for the optimizer kernels.

The optimizer kernels never receive Python function objects (that would defeat numba's
on-disk cache); they pass the surface's ``index`` (``sid``, int64) and its parameter
array ``p`` (float64, length ``N_PARAMS``, unused entries 0.0, see
:meth:`Surface.param_array`).

* ``value(sid, p, x, y) -> float`` and ``grad(sid, p, x, y) -> (gx, gy)``: one point.
* ``value_chunk(sid, p, th, out, j0, j1)``: ``out[j] = f(th[0, j], th[1, j])`` and
  ``grad_chunk(sid, p, th, g, j0, j1)``: ``g[:, j] = grad f(th[0, j], th[1, j])`` for
  ``j0 <= j < j1``, where ``th`` is a C-contiguous ``(2, n)`` array (row 0 = x of every
  run, row 1 = y); ``0 <= j0 <= j1 <= n``.  The ``sid`` dispatch sits outside the loop
  over runs, so each surface gets its own tight loop that LLVM can vectorise.

An unknown ``sid`` gives nan.  The dispatch chains list the surfaces by index, one
branch per surface: adding a surface adds one branch to each function.
"""
from __future__ import annotations

import numpy as np
from numba import uint64

from ._jit import jit
from .ackley import (
    ackley_f_nb,
    ackley_grad_nb,
)
from .beale import (
    beale_f_nb,
    beale_grad_nb,
)
from .booth import (
    booth_f_nb,
    booth_grad_nb,
)
from .camel import (
    six_hump_camel_f_nb,
    six_hump_camel_grad_nb,
    three_hump_camel_f_nb,
    three_hump_camel_grad_nb,
)
from .goldstein_price import (
    goldstein_price_f_nb,
    goldstein_price_grad_nb,
)
from .himmelblau import (
    himmelblau_f_nb,
    himmelblau_grad_nb,
)
from .levi13 import (
    levi13_f_nb,
    levi13_grad_nb,
)
from .matyas import (
    matyas_f_nb,
    matyas_grad_nb,
)
from .quadratic import (
    quadratic_f_nb,
    quadratic_grad_nb,
    quadratic_cs_nb,
    quadratic_f_cs_nb,
    quadratic_grad_cs_nb,
)
from .rastrigin import (
    rastrigin_f_nb,
    rastrigin_grad_nb,
)
from .rosenbrock import (
    rosenbrock_f_nb,
    rosenbrock_grad_nb,
)
from .saddle import (
    saddle_f_nb,
    saddle_grad_nb,
    monkey_saddle_f_nb,
    monkey_saddle_grad_nb,
)
from .styblinski_tang import (
    styblinski_tang_f_nb,
    styblinski_tang_grad_nb,
)


@jit
def value(sid, p, x, y):
    """f at (x, y) for surface ``sid`` with parameters ``p``."""
    if sid == 0:
        return rosenbrock_f_nb(x, y, p[0], p[1])
    if sid == 1:
        return beale_f_nb(x, y)
    if sid == 2:
        return saddle_f_nb(x, y)
    if sid == 3:
        return monkey_saddle_f_nb(x, y)
    if sid == 4:
        return quadratic_f_nb(x, y, p[0], p[1])
    if sid == 5:
        return himmelblau_f_nb(x, y)
    if sid == 6:
        return rastrigin_f_nb(x, y, p[0])
    if sid == 7:
        return ackley_f_nb(x, y)
    if sid == 8:
        return booth_f_nb(x, y)
    if sid == 9:
        return goldstein_price_f_nb(x, y)
    if sid == 10:
        return six_hump_camel_f_nb(x, y)
    if sid == 11:
        return three_hump_camel_f_nb(x, y)
    if sid == 12:
        return styblinski_tang_f_nb(x, y)
    if sid == 13:
        return matyas_f_nb(x, y)
    if sid == 14:
        return levi13_f_nb(x, y)
    return np.nan


@jit
def grad(sid, p, x, y):
    """(df/dx, df/dy) at (x, y) for surface ``sid`` with parameters ``p``."""
    if sid == 0:
        return rosenbrock_grad_nb(x, y, p[0], p[1])
    if sid == 1:
        return beale_grad_nb(x, y)
    if sid == 2:
        return saddle_grad_nb(x, y)
    if sid == 3:
        return monkey_saddle_grad_nb(x, y)
    if sid == 4:
        return quadratic_grad_nb(x, y, p[0], p[1])
    if sid == 5:
        return himmelblau_grad_nb(x, y)
    if sid == 6:
        return rastrigin_grad_nb(x, y, p[0])
    if sid == 7:
        return ackley_grad_nb(x, y)
    if sid == 8:
        return booth_grad_nb(x, y)
    if sid == 9:
        return goldstein_price_grad_nb(x, y)
    if sid == 10:
        return six_hump_camel_grad_nb(x, y)
    if sid == 11:
        return three_hump_camel_grad_nb(x, y)
    if sid == 12:
        return styblinski_tang_grad_nb(x, y)
    if sid == 13:
        return matyas_grad_nb(x, y)
    if sid == 14:
        return levi13_grad_nb(x, y)
    return np.nan, np.nan


@jit(inline="always")
def value_chunk(sid, p, th, out, j0, j1):
    """out[j] = f(th[0, j], th[1, j]) for j0 <= j < j1."""
    p0 = p[0]
    p1 = p[1]
    u0 = uint64(j0)  # unsigned indices: no negative-index wraparound, so LLVM
    u1 = uint64(j1)  # can vectorise the loops (needed for grad_chunk's two-row stores)
    if sid == 0:
        for j in range(u0, u1):
            out[j] = rosenbrock_f_nb(th[0, j], th[1, j], p0, p1)
    elif sid == 1:
        for j in range(u0, u1):
            out[j] = beale_f_nb(th[0, j], th[1, j])
    elif sid == 2:
        for j in range(u0, u1):
            out[j] = saddle_f_nb(th[0, j], th[1, j])
    elif sid == 3:
        for j in range(u0, u1):
            out[j] = monkey_saddle_f_nb(th[0, j], th[1, j])
    elif sid == 4:
        c, s = quadratic_cs_nb(p1)  # hoisted out of the loop
        for j in range(u0, u1):
            out[j] = quadratic_f_cs_nb(th[0, j], th[1, j], p0, c, s)
    elif sid == 5:
        for j in range(u0, u1):
            out[j] = himmelblau_f_nb(th[0, j], th[1, j])
    elif sid == 6:
        for j in range(u0, u1):
            out[j] = rastrigin_f_nb(th[0, j], th[1, j], p0)
    elif sid == 7:
        for j in range(u0, u1):
            out[j] = ackley_f_nb(th[0, j], th[1, j])
    elif sid == 8:
        for j in range(u0, u1):
            out[j] = booth_f_nb(th[0, j], th[1, j])
    elif sid == 9:
        for j in range(u0, u1):
            out[j] = goldstein_price_f_nb(th[0, j], th[1, j])
    elif sid == 10:
        for j in range(u0, u1):
            out[j] = six_hump_camel_f_nb(th[0, j], th[1, j])
    elif sid == 11:
        for j in range(u0, u1):
            out[j] = three_hump_camel_f_nb(th[0, j], th[1, j])
    elif sid == 12:
        for j in range(u0, u1):
            out[j] = styblinski_tang_f_nb(th[0, j], th[1, j])
    elif sid == 13:
        for j in range(u0, u1):
            out[j] = matyas_f_nb(th[0, j], th[1, j])
    elif sid == 14:
        for j in range(u0, u1):
            out[j] = levi13_f_nb(th[0, j], th[1, j])
    else:
        for j in range(u0, u1):
            out[j] = np.nan


@jit(inline="always")
def grad_chunk(sid, p, th, g, j0, j1):
    """g[0, j], g[1, j] = grad f(th[0, j], th[1, j]) for j0 <= j < j1."""
    p0 = p[0]
    p1 = p[1]
    u0 = uint64(j0)  # unsigned indices: no negative-index wraparound, so LLVM
    u1 = uint64(j1)  # can vectorise the loops (needed for grad_chunk's two-row stores)
    if sid == 0:
        for j in range(u0, u1):
            g[0, j], g[1, j] = rosenbrock_grad_nb(th[0, j], th[1, j], p0, p1)
    elif sid == 1:
        for j in range(u0, u1):
            g[0, j], g[1, j] = beale_grad_nb(th[0, j], th[1, j])
    elif sid == 2:
        for j in range(u0, u1):
            g[0, j], g[1, j] = saddle_grad_nb(th[0, j], th[1, j])
    elif sid == 3:
        for j in range(u0, u1):
            g[0, j], g[1, j] = monkey_saddle_grad_nb(th[0, j], th[1, j])
    elif sid == 4:
        c, s = quadratic_cs_nb(p1)  # hoisted out of the loop
        for j in range(u0, u1):
            g[0, j], g[1, j] = quadratic_grad_cs_nb(th[0, j], th[1, j], p0, c, s)
    elif sid == 5:
        for j in range(u0, u1):
            g[0, j], g[1, j] = himmelblau_grad_nb(th[0, j], th[1, j])
    elif sid == 6:
        for j in range(u0, u1):
            g[0, j], g[1, j] = rastrigin_grad_nb(th[0, j], th[1, j], p0)
    elif sid == 7:
        for j in range(u0, u1):
            g[0, j], g[1, j] = ackley_grad_nb(th[0, j], th[1, j])
    elif sid == 8:
        for j in range(u0, u1):
            g[0, j], g[1, j] = booth_grad_nb(th[0, j], th[1, j])
    elif sid == 9:
        for j in range(u0, u1):
            g[0, j], g[1, j] = goldstein_price_grad_nb(th[0, j], th[1, j])
    elif sid == 10:
        for j in range(u0, u1):
            g[0, j], g[1, j] = six_hump_camel_grad_nb(th[0, j], th[1, j])
    elif sid == 11:
        for j in range(u0, u1):
            g[0, j], g[1, j] = three_hump_camel_grad_nb(th[0, j], th[1, j])
    elif sid == 12:
        for j in range(u0, u1):
            g[0, j], g[1, j] = styblinski_tang_grad_nb(th[0, j], th[1, j])
    elif sid == 13:
        for j in range(u0, u1):
            g[0, j], g[1, j] = matyas_grad_nb(th[0, j], th[1, j])
    elif sid == 14:
        for j in range(u0, u1):
            g[0, j], g[1, j] = levi13_grad_nb(th[0, j], th[1, j])
    else:
        for j in range(u0, u1):
            g[0, j] = np.nan
            g[1, j] = np.nan
