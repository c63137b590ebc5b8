"""Tests for the surface catalogue (surfaces/), table-driven over SURFACES.

In the spirit of scipy's benchmark-function tests: every surface is checked against a
formula written again here from the catalogue (the test-function catalogue, which follows
Surjanovic & Bingham's Virtual Library of Simulation Experiments,
https://www.sfu.ca/~ssurjano/), its analytic gradient against central finite
differences, and its listed minima against their values.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der

from surfaces import SURFACES, Point, Surface, get_surface, index_of, kernels, resolve

PI = np.pi

# ---- reference formulas, written independently from the catalogue -------------------
REF = {
    "rosenbrock": lambda x, y, a, b: (a - x) ** 2 + b * (y - x**2) ** 2,
    "beale": lambda x, y: (1.5 - x + x * y) ** 2
    + (2.25 - x + x * y**2) ** 2
    + (2.625 - x + x * y**3) ** 2,
    "saddle": lambda x, y: x**2 - y**2,
    "monkey_saddle": lambda x, y: x**3 - 3 * x * y**2,
    "quadratic": None,  # see _quadratic_ref
    "himmelblau": lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    "rastrigin": lambda x, y, A: 2 * A
    + (x**2 - A * np.cos(2 * PI * x))
    + (y**2 - A * np.cos(2 * PI * y)),
    "ackley": lambda x, y: -20 * np.exp(-0.2 * np.sqrt(0.5 * (x**2 + y**2)))
    - np.exp(0.5 * (np.cos(2 * PI * x) + np.cos(2 * PI * y)))
    + math.e
    + 20,
    "booth": lambda x, y: (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2,
    "goldstein_price": lambda x, y: (
        1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2)
    )
    * (30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2)),
    "six_hump_camel": lambda x, y: (4 - 2.1 * x**2 + x**4 / 3) * x**2
    + x * y
    + (-4 + 4 * y**2) * y**2,
    "three_hump_camel": lambda x, y: 2 * x**2 - 1.05 * x**4 + x**6 / 6 + x * y + y**2,
    "styblinski_tang": lambda x, y: 0.5 * sum(t**4 - 16 * t**2 + 5 * t for t in (x, y)),
    "matyas": lambda x, y: 0.26 * (x**2 + y**2) - 0.48 * x * y,
    "levi13": lambda x, y: np.sin(3 * PI * x) ** 2
    + (x - 1) ** 2 * (1 + np.sin(3 * PI * y) ** 2)
    + (y - 1) ** 2 * (1 + np.sin(2 * PI * y) ** 2),
}


def _quadratic_ref(x, y, kappa, angle):
    """(u, v) = (x, y) rotated by -angle, i.e. coordinates in the ravine's frame."""
    th = math.radians(angle)
    R = np.array([[math.cos(th), math.sin(th)], [-math.sin(th), math.cos(th)]])
    u, v = np.tensordot(R, np.array([x, y], dtype=float), axes=1)
    return 0.5 * (u**2 + kappa * v**2)


REF["quadratic"] = _quadratic_ref

# Catalogue minima, as printed there (rounded); the surfaces list
# them refined to double precision.  Sources: Virtual Library of Simulation Experiments
# (rosen, beale, rastr, ackley, booth, goldpr, camel6, camel3, stybtang, matya, levy13
# pages); Himmelblau (1972) for himmelblau; the catalogue itself for quadratic.
CATALOGUE_MINIMA = {
    "rosenbrock": [(1, 1, 0)],
    "beale": [(3, 0.5, 0)],
    "saddle": [],
    "monkey_saddle": [],
    "quadratic": [(0, 0, 0)],
    "himmelblau": [
        (3, 2, 0),
        (-2.805118, 3.131312, 0),
        (-3.779310, -3.283186, 0),
        (3.584428, -1.848126, 0),
    ],
    "rastrigin": [(0, 0, 0)],
    "ackley": [(0, 0, 0)],
    "booth": [(1, 3, 0)],
    "goldstein_price": [(0, -1, 3)],
    "six_hump_camel": [(0.0898, -0.7126, -1.0316), (-0.0898, 0.7126, -1.0316)],
    "three_hump_camel": [(0, 0, 0)],
    "styblinski_tang": [(-2.903534, -2.903534, -78.33234)],
    "matyas": [(0, 0, 0)],
    "levi13": [(1, 1, 0)],
}
CATALOGUE_BOUNDS = {
    "rosenbrock": ((-2, 2), (-1, 3)),
    "beale": ((-4.5, 4.5), (-4.5, 4.5)),
    "saddle": ((-2, 2), (-2, 2)),
    "monkey_saddle": ((-2, 2), (-2, 2)),
    "quadratic": ((-2, 2), (-1, 1)),
    "himmelblau": ((-5, 5), (-5, 5)),
    "rastrigin": ((-5.12, 5.12), (-5.12, 5.12)),
    "ackley": ((-5, 5), (-5, 5)),
    "booth": ((-10, 10), (-10, 10)),
    "goldstein_price": ((-2, 2), (-2, 2)),
    "six_hump_camel": ((-3, 3), (-2, 2)),
    "three_hump_camel": ((-5, 5), (-5, 5)),
    "styblinski_tang": ((-5, 5), (-5, 5)),
    "matyas": ((-10, 10), (-10, 10)),
    "levi13": ((-10, 10), (-10, 10)),
}
ORDER = list(CATALOGUE_BOUNDS)

IDS = list(SURFACES)
N_POINTS = 300


def _points(s: Surface, n=N_POINTS, seed=0):
    """Random points of the surface's domain (Ackley: none within 1e-3 of the origin)."""
    rng = np.random.default_rng([seed, index_of(s)])
    (x0, x1), (y0, y1) = s.bounds
    x = rng.uniform(x0, x1, n)
    y = rng.uniform(y0, y1, n)
    if s.id == "ackley":
        keep = np.hypot(x, y) > 1e-3
        x, y = x[keep], y[keep]
    return x, y


def _fd_grad(s: Surface, x, y):
    """Central differences with a relative step h = 1e-6 * max(1, |coordinate|)."""
    hx = 1e-6 * np.maximum(1.0, np.abs(x))
    hy = 1e-6 * np.maximum(1.0, np.abs(y))
    f = s.value
    gx = (f(x + hx, y) - f(x - hx, y)) / (2 * hx)
    gy = (f(x, y + hy) - f(x, y - hy)) / (2 * hy)
    return gx, gy


def _fd_tol(s: Surface, x, y, g):
    # truncation error ~ h^2 f''' and rounding error ~ eps |f| / h: allow 1e-6 of the
    # gradient's size plus a rounding term scaled by |f| (h >= 1e-6).
    fabs = np.abs(s.value(x, y))
    return 1e-6 * np.abs(g) + 1e-8 * (fabs + 1.0)


# ---- registry ------------------------------------------------------------------------
def test_registry_order_and_indices():
    assert IDS[:15] == ORDER, "the catalogue's 15 come first, in order"
    assert [index_of(s) for s in SURFACES.values()] == list(range(len(IDS)))
    assert len(set(IDS)) == len(IDS)
    for sid, s in SURFACES.items():
        assert s.id == sid
        assert s.contour in ("log", "linear")
        assert s.name and s.latex and s.citation and s.notes
        assert len(s.params) == len(s.values) <= 4
        assert s.values == tuple(p.default for p in s.params)
        for p in s.params:
            assert p.lo <= p.default <= p.hi
        assert s.bounds == CATALOGUE_BOUNDS[sid]
        (x0, x1), (y0, y1) = s.bounds
        assert x0 <= s.start[0] <= x1 and y0 <= s.start[1] <= y1, "start out of bounds"
    assert {s.id for s in SURFACES.values() if s.contour == "log"} >= {
        "rosenbrock",
        "beale",
        "goldstein_price",
    }
    for sid in ("saddle", "monkey_saddle"):
        s = SURFACES[sid]
        assert s.minima == ()
        assert s.saddles == (Point(0.0, 0.0, 0.0),)
        assert math.isnan(s.f_min)
        assert s.nearest_minimum(1.0, 1.0) == Point(0.0, 0.0, 0.0)


def test_parameter_table():
    def ranges(sid):
        return {p.name: (p.default, p.lo, p.hi) for p in SURFACES[sid].params}

    assert ranges("rosenbrock") == {"a": (1, 0.1, 3), "b": (100, 1, 1000)}
    assert ranges("quadratic") == {"kappa": (20, 1, 1000), "angle": (0, -90, 90)}
    assert ranges("rastrigin") == {"A": (10, 0, 20)}
    for sid in set(IDS) - {"rosenbrock", "quadratic", "rastrigin"}:
        assert SURFACES[sid].params == ()


@pytest.mark.parametrize("sid", [s for s in IDS if SURFACES[s].contour == "log"])
def test_log_contour_surfaces_are_nonnegative(sid):
    s = SURFACES[sid]
    (x0, x1), (y0, y1) = s.bounds
    X, Y = np.meshgrid(np.linspace(x0, x1, 101), np.linspace(y0, y1, 101))
    assert np.all(s.value(X, Y) >= 0) and s.f_min >= 0


# ---- values --------------------------------------------------------------------------
@pytest.mark.parametrize("sid", IDS)
def test_value_matches_reference(sid):
    s = SURFACES[sid]
    x, y = _points(s)
    ref = REF[sid](x, y, *s.values)
    tol = dict(rtol=1e-12, atol=1e-12 * max(1.0, np.abs(ref).max()))
    np.testing.assert_allclose(s.value(x, y), ref, **tol)
    np.testing.assert_allclose(s.f(x, y, *s.values), ref, **tol)
    p = s.param_array()
    jitted = np.array([kernels.value(index_of(s), p, xi, yi) for xi, yi in zip(x, y)])
    np.testing.assert_allclose(jitted, ref, **tol)
    # plain Python floats give a scalar, equal to the jitted value
    for xi, yi, vi in zip(x[:5].tolist(), y[:5].tolist(), jitted[:5]):
        v = s.value(xi, yi)
        assert np.ndim(v) == 0
        assert v == pytest.approx(vi, rel=1e-14, abs=1e-14)


@pytest.mark.parametrize("sid", IDS)
def test_broadcasts_over_meshgrid(sid):
    s = SURFACES[sid]
    (x0, x1), (y0, y1) = s.bounds
    X, Y = np.meshgrid(np.linspace(x0, x1, 40), np.linspace(y0, y1, 30))
    Z = s.value(X, Y)
    assert Z.shape == (30, 40) and np.all(np.isfinite(Z))
    gx, gy = s.gradient(X, Y)
    assert np.shape(gx) == np.shape(gy) == (30, 40)
    np.testing.assert_allclose(Z[7, 11], s.value(X[7, 11], Y[7, 11]), rtol=1e-15)
    g1 = s.gradient(float(X[7, 11]), float(Y[7, 11]))
    np.testing.assert_allclose([gx[7, 11], gy[7, 11]], g1, rtol=1e-14, atol=1e-14)


# ---- gradients -----------------------------------------------------------------------
@pytest.mark.parametrize("sid", IDS)
def test_gradient_matches_finite_differences(sid):
    s = SURFACES[sid]
    x, y = _points(s, seed=1)
    fx, fy = _fd_grad(s, x, y)
    gx, gy = s.gradient(x, y)
    assert np.all(np.abs(gx - fx) <= _fd_tol(s, x, y, fx))
    assert np.all(np.abs(gy - fy) <= _fd_tol(s, x, y, fy))
    p = s.param_array()
    kg = np.array([kernels.grad(index_of(s), p, xi, yi) for xi, yi in zip(x, y)])
    np.testing.assert_allclose(kg[:, 0], gx, rtol=1e-13, atol=1e-13 * (1 + np.abs(gx).max()))
    np.testing.assert_allclose(kg[:, 1], gy, rtol=1e-13, atol=1e-13 * (1 + np.abs(gy).max()))


@pytest.mark.parametrize("sid", IDS)
def test_chunk_kernels(sid):
    s = SURFACES[sid]
    x, y = _points(s, n=257, seed=2)
    n = len(x)
    th = np.ascontiguousarray(np.stack([x, y]))
    p = s.param_array()
    out = np.full(n, -7.0)
    g = np.full((2, n), -7.0)
    j0, j1 = 3, n - 5
    kernels.value_chunk(index_of(s), p, th, out, j0, j1)
    kernels.grad_chunk(index_of(s), p, th, g, j0, j1)
    # untouched outside [j0, j1)
    assert np.all(out[:j0] == -7.0) and np.all(out[j1:] == -7.0)
    assert np.all(g[:, :j0] == -7.0) and np.all(g[:, j1:] == -7.0)
    sl = slice(j0, j1)
    ref = REF[sid](x[sl], y[sl], *s.values)
    np.testing.assert_allclose(out[sl], ref, rtol=1e-12, atol=1e-12 * max(1.0, np.abs(ref).max()))
    one = np.array([kernels.value(index_of(s), p, a, b) for a, b in zip(x[sl], y[sl])])
    np.testing.assert_allclose(out[sl], one, rtol=1e-14, atol=1e-300)
    one = np.array([kernels.grad(index_of(s), p, a, b) for a, b in zip(x[sl], y[sl])]).T
    np.testing.assert_allclose(g[:, sl], one, rtol=1e-14, atol=1e-300)
    fx, fy = _fd_grad(s, x[sl], y[sl])
    assert np.all(np.abs(g[0, sl] - fx) <= _fd_tol(s, x[sl], y[sl], fx))
    assert np.all(np.abs(g[1, sl] - fy) <= _fd_tol(s, x[sl], y[sl], fy))


def test_unknown_kernel_index_gives_nan():
    p = np.zeros(4)
    assert math.isnan(kernels.value(99, p, 0.5, 0.5))
    assert all(math.isnan(v) for v in kernels.grad(99, p, 0.5, 0.5))
    th = np.ones((2, 4))
    out = np.zeros(4)
    g = np.zeros((2, 4))
    kernels.value_chunk(99, p, th, out, 0, 4)
    kernels.grad_chunk(99, p, th, g, 0, 4)
    assert np.all(np.isnan(out)) and np.all(np.isnan(g))


def test_ackley_gradient_at_origin_is_zero():
    s = SURFACES["ackley"]
    p = s.param_array()
    assert tuple(s.gradient(0.0, 0.0)) == (0.0, 0.0)
    assert kernels.grad(index_of(s), p, 0.0, 0.0) == (0.0, 0.0)
    gx, gy = s.gradient(np.array([0.0, 0.5]), np.array([0.0, -0.25]))
    assert gx[0] == 0.0 and gy[0] == 0.0 and np.all(np.isfinite([gx, gy]))
    th = np.zeros((2, 8))
    g = np.full((2, 8), np.nan)
    kernels.grad_chunk(index_of(s), p, th, g, 0, 8)
    assert np.all(g == 0.0)
    # just off the origin the cone term dominates: |grad| -> 4 exp(0) / sqrt(2) ~ 2.83
    gx, gy = s.gradient(1e-9, 0.0)
    assert gx == pytest.approx(2 * math.sqrt(2), rel=1e-6) and gy == 0.0


# ---- minima --------------------------------------------------------------------------
@pytest.mark.parametrize("sid", IDS)
def test_minima(sid):
    s = SURFACES[sid]
    (x0, x1), (y0, y1) = s.bounds
    p = s.param_array()
    cat = CATALOGUE_MINIMA[sid]
    assert len(s.minima) == len(cat)
    for m, (cx, cy, cf) in zip(s.minima, cat):
        assert x0 <= m.x <= x1 and y0 <= m.y <= y1
        # the listed (refined) minimum rounds to the catalogue's printed one
        assert abs(m.x - cx) < 1e-4 and abs(m.y - cy) < 1e-4 and abs(m.f - cf) < 1e-4
        ftol = 1e-13 * max(1.0, abs(m.f))
        assert s.value(m.x, m.y) == pytest.approx(m.f, abs=ftol)
        assert kernels.value(index_of(s), p, m.x, m.y) == pytest.approx(m.f, abs=ftol)
        gx, gy = s.gradient(m.x, m.y)
        assert math.hypot(gx, gy) < 1e-12
        assert math.hypot(*kernels.grad(index_of(s), p, m.x, m.y)) < 1e-12
        # and it is a local minimum: every small step goes up (or stays level)
        for dx, dy in [(1e-4, 0), (-1e-4, 0), (0, 1e-4), (0, -1e-4), (7e-5, -7e-5)]:
            assert s.value(m.x + dx, m.y + dy) >= m.f - 1e-13
    if s.minima:
        assert abs(s.f_min - min(c[2] for c in cat)) < 1e-4
    for sp in s.saddles:
        assert s.value(sp.x, sp.y) == sp.f
        assert s.gradient(sp.x, sp.y) == (0.0, 0.0)


def test_precise_minimum_values():
    # Double-precision values requested in the brief, cross-checked with mpmath (50 digits):
    # six-hump camel f* = -1.031628453489877, Styblinski-Tang f* = -78.33233140754282.
    assert SURFACES["six_hump_camel"].f_min == pytest.approx(-1.031628453489877, abs=1e-15)
    assert SURFACES["styblinski_tang"].f_min == pytest.approx(-78.33233140754282, abs=1e-13)
    st = SURFACES["styblinski_tang"].minima[0]
    assert st.x == st.y and 2 * st.x**3 - 16 * st.x + 2.5 == pytest.approx(0, abs=1e-13)


# ---- scipy's Rosenbrock --------------------------------------------------------------
def test_rosenbrock_equals_scipy():
    s = SURFACES["rosenbrock"]
    x, y = _points(s, seed=3)
    for xi, yi in zip(x, y):
        ref = rosen(np.array([xi, yi]))
        assert s.value(xi, yi) == pytest.approx(ref, rel=1e-13, abs=1e-13)
        np.testing.assert_allclose(
            s.gradient(xi, yi), rosen_der(np.array([xi, yi])), rtol=1e-13, atol=1e-12
        )
    assert s.value(1.0, 1.0) == rosen(np.ones(2)) == 0.0


# ---- parameters ----------------------------------------------------------------------
def test_rosenbrock_parameters_move_the_minimum():
    s = get_surface("rosenbrock", a=2)
    assert s.values == (2.0, 100.0)
    assert s.minima == (Point(2.0, 4.0, 0.0),)
    assert s.value(2.0, 4.0) == 0.0 and s.gradient(2.0, 4.0) == (0.0, 0.0)
    p = s.param_array()
    assert list(p) == [2.0, 100.0, 0.0, 0.0]
    assert kernels.value(index_of(s), p, 2.0, 4.0) == 0.0
    assert kernels.grad(index_of(s), p, 2.0, 4.0) == (0.0, 0.0)
    assert kernels.value(index_of(s), p, 1.0, 1.0) == 1.0  # (2 - 1)^2 + 100 (1 - 1)^2
    s = get_surface("rosenbrock", a=0.5, b=10)
    assert s.minima == (Point(0.5, 0.25, 0.0),)
    assert s.value(0.0, 1.0) == pytest.approx(0.25 + 10.0)
    # the default surface is unchanged
    assert SURFACES["rosenbrock"].minima == (Point(1.0, 1.0, 0.0),)


@pytest.mark.parametrize("kappa,angle", [(50.0, 30.0), (20.0, -90.0), (1000.0, 45.0), (1.0, 10.0)])
def test_quadratic_rotated(kappa, angle):
    s = get_surface("quadratic", kappa=kappa, angle=angle)
    p = s.param_array()
    assert s.gradient(0.0, 0.0) == (0.0, 0.0)
    assert kernels.grad(index_of(s), p, 0.0, 0.0) == (0.0, 0.0)
    # the gradient is linear, so central differences of it give the Hessian exactly
    h = 0.5
    cols = []
    for dx, dy in [(h, 0.0), (0.0, h)]:
        gp = np.array(kernels.grad(index_of(s), p, 0.3 + dx, -0.2 + dy))
        gm = np.array(kernels.grad(index_of(s), p, 0.3 - dx, -0.2 - dy))
        cols.append((gp - gm) / (2 * h))
    H = np.array(cols).T
    np.testing.assert_allclose(H, H.T, atol=1e-12 * kappa)
    w, V = np.linalg.eigh(H)
    np.testing.assert_allclose(w, sorted([1.0, kappa]), rtol=1e-12)
    # the shallow direction (eigenvalue 1) points along the angle
    th = math.radians(angle)
    if kappa > 1:
        assert abs(V[:, 0] @ [math.cos(th), math.sin(th)]) == pytest.approx(1.0, abs=1e-12)


def test_rastrigin_A_zero_is_a_bowl():
    s = get_surface("rastrigin", A=0)
    assert s.value(1.5, -2.0) == pytest.approx(1.5**2 + 2.0**2)
    assert kernels.value(index_of(s), s.param_array(), 1.5, -2.0) == pytest.approx(6.25)


# ---- get_surface / resolve -----------------------------------------------------------
def test_get_surface_errors():
    with pytest.raises(ValueError, match="unknown surface 'banana'") as e:
        get_surface("banana")
    for sid in IDS:
        assert sid in str(e.value)
    with pytest.raises(ValueError, match="no parameter 'c'.*a, b"):
        get_surface("rosenbrock", c=1.0)
    with pytest.raises(ValueError, match="no parameter 'a'.*none"):
        get_surface("beale", a=1.0)
    with pytest.raises(ValueError, match=r"'b' = 5000.0 is out of range \[1.0, 1000.0\]"):
        get_surface("rosenbrock", b=5000)
    with pytest.raises(ValueError, match=r"'angle'.*out of range \[-90.0, 90.0\]"):
        get_surface("quadratic", angle=120)
    with pytest.raises(ValueError, match=r"'kappa'.*out of range"):
        get_surface("quadratic", kappa=0.5)
    with pytest.raises(ValueError, match="must be a number"):
        get_surface("rastrigin", A="lots")
    assert get_surface("beale") is SURFACES["beale"]


def test_resolve():
    assert resolve("himmelblau") is SURFACES["himmelblau"]
    s = get_surface("rosenbrock", b=10)
    assert resolve(s) is s
    with pytest.raises(ValueError, match="unknown surface"):
        resolve("nope")
    with pytest.raises(ValueError, match="surface id"):
        resolve(3)
