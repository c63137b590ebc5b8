"""Tests for the analytic Hessians ``<name>_hess`` of every surface, table-driven.

For every surface (and ``quadratic_hess_cs``), at 50 random points inside its bounds:

* the Hessian equals central finite differences of the analytic gradient ``<name>_grad``;
* the compiled ``<name>_hess_nb`` gives the same numbers as the numpy version, on scalars;
* each of (hxx, hxy, hyy) broadcasts to the shape of (x, y), also for constant Hessians.

Bounds and parameters are written here (the bounds are checked against the catalogue), so
the table does not depend on how ``surfaces`` builds its records.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from surfaces import (
    ackley,
    beale,
    booth,
    camel,
    goldstein_price,
    himmelblau,
    levi13,
    matyas,
    quadratic,
    rastrigin,
    rosenbrock,
    saddle,
    styblinski_tang,
)

N_POINTS = 50

_C27, _S27 = math.cos(math.radians(27.0)), math.sin(math.radians(27.0))

# (case id, module, function prefix, catalogue id, bounds, parameter sets after (x, y))
CASES = [
    ("rosenbrock", rosenbrock, "rosenbrock", "rosenbrock", ((-2.0, 2.0), (-1.0, 3.0)),
     [(1.0, 100.0), (1.7, 3.0)]),
    ("beale", beale, "beale", "beale", ((-4.5, 4.5), (-4.5, 4.5)), [()]),
    ("saddle", saddle, "saddle", "saddle", ((-2.0, 2.0), (-2.0, 2.0)), [()]),
    ("monkey_saddle", saddle, "monkey_saddle", "monkey_saddle", ((-2.0, 2.0), (-2.0, 2.0)), [()]),
    ("quadratic", quadratic, "quadratic", "quadratic", ((-2.0, 2.0), (-1.0, 1.0)),
     [(20.0, 0.0), (20.0, 27.0), (1000.0, -63.0)]),
    ("quadratic_cs", quadratic, "quadratic", "quadratic", ((-2.0, 2.0), (-1.0, 1.0)),
     [(20.0, 1.0, 0.0), (20.0, _C27, _S27)]),
    ("himmelblau", himmelblau, "himmelblau", "himmelblau", ((-5.0, 5.0), (-5.0, 5.0)), [()]),
    ("rastrigin", rastrigin, "rastrigin", "rastrigin", ((-5.12, 5.12), (-5.12, 5.12)),
     [(10.0,), (0.0,), (3.5,)]),
    ("ackley", ackley, "ackley", "ackley", ((-5.0, 5.0), (-5.0, 5.0)), [()]),
    ("booth", booth, "booth", "booth", ((-10.0, 10.0), (-10.0, 10.0)), [()]),
    ("goldstein_price", goldstein_price, "goldstein_price", "goldstein_price",
     ((-2.0, 2.0), (-2.0, 2.0)), [()]),
    ("six_hump_camel", camel, "six_hump_camel", "six_hump_camel", ((-3.0, 3.0), (-2.0, 2.0)), [()]),
    ("three_hump_camel", camel, "three_hump_camel", "three_hump_camel",
     ((-5.0, 5.0), (-5.0, 5.0)), [()]),
    ("styblinski_tang", styblinski_tang, "styblinski_tang", "styblinski_tang",
     ((-5.0, 5.0), (-5.0, 5.0)), [()]),
    ("matyas", matyas, "matyas", "matyas", ((-10.0, 10.0), (-10.0, 10.0)), [()]),
    ("levi13", levi13, "levi13", "levi13", ((-10.0, 10.0), (-10.0, 10.0)), [()]),
]
IDS = [c[0] for c in CASES]


def _fns(case):
    """(grad, hess, hess_nb) of one table row."""
    cid, mod, prefix = case[:3]
    sfx = "_cs" if cid.endswith("_cs") else ""
    return (getattr(mod, f"{prefix}_grad{sfx}"), getattr(mod, f"{prefix}_hess{sfx}"),
            getattr(mod, f"{prefix}_hess{sfx}_nb"))


def _points(case, n=N_POINTS):
    """``n`` reproducible random points strictly inside the bounds."""
    (x0, x1), (y0, y1) = case[4]
    rng = np.random.default_rng(IDS.index(case[0]))
    return rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)


def _fd_hessian(grad, x, y, p):
    """Central differences of the analytic gradient: (d gx/dx, d gx/dy, d gy/dx, d gy/dy)."""
    hx = 1e-6 * max(1.0, abs(x))
    hy = 1e-6 * max(1.0, abs(y))
    gxp, gyp = grad(x + hx, y, *p)
    gxm, gym = grad(x - hx, y, *p)
    gx_x, gy_x = (gxp - gxm) / (2 * hx), (gyp - gym) / (2 * hx)
    gxp, gyp = grad(x, y + hy, *p)
    gxm, gym = grad(x, y - hy, *p)
    gx_y, gy_y = (gxp - gxm) / (2 * hy), (gyp - gym) / (2 * hy)
    return gx_x, gx_y, gy_x, gy_y


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_hessian_matches_finite_differences_of_gradient(case):
    grad, hess, _ = _fns(case)
    xs, ys = _points(case)
    for p in case[5]:
        for x, y in zip(xs.tolist(), ys.tolist()):
            hxx, hxy, hyy = (float(h) for h in hess(x, y, *p))
            gx_x, gx_y, gy_x, gy_y = _fd_hessian(grad, x, y, p)
            g = float(np.hypot(*grad(x, y, *p)))
            # rounding error of the differences is ~ 1e-16 |g| / 1e-6; allow 100x that
            atol = 1e-8 * (1.0 + g)
            for got, fd in ((hxx, gx_x), (hxy, gx_y), (hxy, gy_x), (hyy, gy_y)):
                assert abs(got - fd) <= 1e-5 * abs(fd) + atol, (case[0], p, x, y, got, fd)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_compiled_hessian_equals_numpy_version(case):
    _, hess, hess_nb = _fns(case)
    xs, ys = _points(case)
    for p in case[5]:
        for x, y in zip(xs.tolist(), ys.tolist()):
            ref = [float(h) for h in hess(x, y, *p)]
            got = hess_nb(x, y, *p)
            assert isinstance(got, tuple) and len(got) == 3
            scale = max(1.0, *(abs(h) for h in ref))
            for a, b in zip(got, ref):
                assert abs(a - b) <= 1e-12 * scale, (case[0], p, x, y, got, ref)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_hessian_broadcasts_to_the_shape_of_x_and_y(case):
    _, hess, _ = _fns(case)
    xs, ys = _points(case, 12)
    p = case[5][-1]
    # same shapes, and (3, 1) x (1, 4) -> (3, 4): every component has the full shape,
    # constant ones included, and equals the scalar evaluation
    for x, y in ((xs.reshape(3, 4), ys.reshape(3, 4)), (xs[:3, None], ys[None, :4])):
        shape = np.broadcast_shapes(x.shape, y.shape)
        out = hess(x, y, *p)
        assert len(out) == 3
        X, Y = np.broadcast_arrays(x, y)
        for k, h in enumerate(out):
            assert isinstance(h, np.ndarray) and h.shape == shape, (case[0], k, np.shape(h))
            ref = np.array([float(hess(a, b, *p)[k]) for a, b in zip(X.ravel(), Y.ravel())])
            np.testing.assert_allclose(h.ravel(), ref, rtol=1e-13, atol=1e-13)


def test_bounds_match_the_catalogue():
    from surfaces import SURFACES

    for case in CASES:
        assert tuple(map(tuple, SURFACES[case[3]].bounds)) == case[4], case[0]


def test_hessians_exact_where_known():
    """Spot values worked out by hand."""
    # Rosenbrock at its minimum (1, 1): [[802, -400], [-400, 200]]
    assert rosenbrock.rosenbrock_hess(1.0, 1.0, 1.0, 100.0) == (802.0, -400.0, 200.0)
    # quadratic: eigenvalues 1 and kappa, eigenvector (cos, sin) for 1
    hxx, hxy, hyy = quadratic.quadratic_hess(0.3, -0.2, 50.0, 30.0)
    w, v = np.linalg.eigh([[hxx, hxy], [hxy, hyy]])
    np.testing.assert_allclose(w, [1.0, 50.0], rtol=1e-13)
    np.testing.assert_allclose(abs(v[:, 0] @ [math.cos(math.pi / 6), math.sin(math.pi / 6)]), 1.0)
    # monkey saddle: zero Hessian at the origin
    assert saddle.monkey_saddle_hess(0.0, 0.0) == (0.0, 0.0, 0.0)
    assert saddle.monkey_saddle_hess_nb(0.0, 0.0) == (0.0, 0.0, 0.0)


def test_ackley_origin_convention():
    """At the origin the cone's unbounded part is taken as 0 (like the gradient): what is
    left is the cosine term's Hessian, 2 pi^2 e I; same in the compiled and array forms."""
    expected = (2 * math.pi**2 * math.e, 0.0, 2 * math.pi**2 * math.e)
    np.testing.assert_allclose(ackley.ackley_hess(0.0, 0.0), expected, rtol=1e-14)
    np.testing.assert_allclose(ackley.ackley_hess_nb(0.0, 0.0), expected, rtol=1e-14)
    hxx, hxy, hyy = ackley.ackley_hess(np.array([0.0, 0.5]), np.array([0.0, -0.25]))
    np.testing.assert_allclose([hxx[0], hxy[0], hyy[0]], expected, rtol=1e-14)
    assert np.all(np.isfinite([hxx, hxy, hyy]))
