"""Tests for the Newton kernel (optimizers/newton.py), called directly, without the driver.

The arrays are built by hand the way the driver does it (see ``optimizers.base``): before
every step the gradient goes to ``g[c, j]`` and the Hessian from the surface's ``<name>_hess``
to ``st[0] = (h_xx, h_yy)``, ``st[1] = (h_xy, h_xy)``.  Each result is compared with a numpy
transcription, θ ← θ − η (H + λI)⁻¹ g with ``np.linalg.solve``.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import optimizers.newton as newton
from optimizers.base import PAPER
from surfaces import quadratic, rosenbrock, saddle

STEP = newton.SPEC.state.index("step")


def _arrays(starts, lr=1.0, damping=0.0):
    """th, g, st, sc, hp for len(starts) runs; lr and damping are scalars or per-run lists."""
    n = len(starts)
    th = np.array(starts, dtype=float).T.copy()
    hp = np.empty((len(newton.SPEC.hyperparams), n))
    hp[0] = lr
    hp[1] = damping
    return (th, np.zeros((2, n)), np.zeros((len(newton.SPEC.state), 2, n)),
            np.ones((len(newton.SPEC.scalars), n)), hp)


def _fill(th, g, st, grad, hess, params):
    """What the driver does before each step: gradient and Hessian at θ."""
    g[0], g[1] = grad(th[0], th[1], *params)
    hxx, hxy, hyy = hess(th[0], th[1], *params)
    st[0, 0], st[0, 1] = hxx, hyy
    st[1, 0] = st[1, 1] = hxy


def _run(grad, hess, params, starts, steps, lr=1.0, damping=0.0):
    th, g, st, sc, hp = _arrays(starts, lr, damping)
    path, dirs = [th.copy()], []
    for t in range(1, steps + 1):
        _fill(th, g, st, grad, hess, params)
        newton.step(PAPER, t, hp, th, g, st, sc, 0, th.shape[1])
        path.append(th.copy())
        dirs.append(st[STEP].copy())
    return np.array(path), np.array(dirs)


def _numpy_newton(grad, hess, params, start, steps, lr=1.0, damping=0.0):
    th = np.array(start, dtype=float)
    path, dirs = [th.copy()], []
    for _ in range(steps):
        hxx, hxy, hyy = (float(h) for h in hess(th[0], th[1], *params))
        H = np.array([[hxx, hxy], [hxy, hyy]]) + damping * np.eye(2)
        d = np.linalg.solve(H, np.array(grad(th[0], th[1], *params), dtype=float))
        th = th - lr * d
        path.append(th.copy())
        dirs.append(d)
    return np.array(path), np.array(dirs)


def test_spec():
    s = newton.SPEC
    assert (s.id, s.name, s.group, s.hessian, s.variants) == ("newton", "Newton", "second-order",
                                                               True, ("paper",))
    assert s.state[:2] == ("h_diag", "h_off") and "step" in s.state and s.scalars == ()
    assert [h.name for h in s.hyperparams] == ["lr", "damping"]
    assert s.defaults == {"lr": 1.0, "damping": 0.0}
    lam = s.hyperparam("damping")
    assert (lam.lo, lam.hi, lam.scale, lam.symbol) == (0.0, 1e3, "linear", r"\lambda")
    assert s.reference == {"paper": "plain transcription: θ ← θ − η (H + λI)⁻¹ g"}
    assert set(s.latex) == {"paper"} and r"\lambda" in s.latex["paper"]
    for text in (s.citation, s.notes, *s.latex.values(), *s.reference.values()):
        assert "shared/" not in text


@pytest.mark.parametrize("kappa, angle", [(20.0, 0.0), (20.0, 27.0), (1000.0, -63.0), (1.0, 45.0)])
def test_one_step_lands_on_the_quadratic_minimum(kappa, angle):
    starts = [(-1.8, 0.8), (1.3, -0.4), (0.25, 0.9)]
    path, _ = _run(quadratic.quadratic_grad, quadratic.quadratic_hess, (kappa, angle), starts, 1)
    np.testing.assert_allclose(path[1], 0.0, rtol=0, atol=1e-12)


@pytest.mark.parametrize("lr, damping", [(1.0, 0.0), (0.5, 0.0), (1.0, 10.0), (0.3, 2.5)])
def test_rosenbrock_matches_numpy_transcription(lr, damping):
    params = (1.0, 100.0)
    starts = [(-1.2, 1.0), (1.5, -0.5), (-0.3, 2.7)]
    steps = 6
    path, dirs = _run(rosenbrock.rosenbrock_grad, rosenbrock.rosenbrock_hess, params, starts,
                      steps, lr, damping)
    for j, start in enumerate(starts):
        ref_path, ref_dirs = _numpy_newton(rosenbrock.rosenbrock_grad, rosenbrock.rosenbrock_hess,
                                           params, start, steps, lr, damping)
        np.testing.assert_allclose(path[:, :, j], ref_path, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(dirs[:, :, j], ref_dirs, rtol=1e-12, atol=1e-12)


def test_plain_newton_reaches_rosenbrock_minimum():
    path, _ = _run(rosenbrock.rosenbrock_grad, rosenbrock.rosenbrock_hess, (1.0, 100.0),
                   [(-1.2, 1.0)], 8)
    np.testing.assert_allclose(path[-1, :, 0], [1.0, 1.0], rtol=0, atol=1e-12)


def test_per_run_hyperparameters_and_run_range():
    """Each run uses its own lr and damping; runs outside [j0, j1) are left alone."""
    params = (1.0, 100.0)
    starts = [(-1.2, 1.0), (-1.2, 1.0), (-1.2, 1.0), (0.7, 0.2)]
    th, g, st, sc, hp = _arrays(starts, lr=[1.0, 0.5, 0.3, 1.0], damping=[0.0, 1.0, 50.0, 0.0])
    _fill(th, g, st, rosenbrock.rosenbrock_grad, rosenbrock.rosenbrock_hess, params)
    before, st_before = th.copy(), st.copy()
    newton.step(PAPER, 1, hp, th, g, st, sc, 0, 3)
    for j in range(3):
        ref, d = _numpy_newton(rosenbrock.rosenbrock_grad, rosenbrock.rosenbrock_hess, params,
                               starts[j], 1, hp[0, j], hp[1, j])
        np.testing.assert_allclose(th[:, j], ref[1], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(st[STEP, :, j], d[0], rtol=1e-12, atol=1e-12)
    assert np.array_equal(th[:, 3], before[:, 3])
    assert np.array_equal(st[:, :, 3], st_before[:, :, 3])
    # the Hessian slots are the driver's: the kernel only reads them
    assert np.array_equal(st[:2], st_before[:2])


def test_saddle_attracts_newton_and_damping_escapes():
    """The lesson: plain Newton jumps onto the saddle of x^2 - y^2 in one step; with damping
    λ = 3 the shifted Hessian diag(5, 1) is positive definite and y grows (3y per step)."""
    x0, y0 = 1.5, 1e-3
    path, _ = _run(saddle.saddle_grad, saddle.saddle_hess, (), [(x0, y0)], 1)
    assert path[1, 0, 0] == 0.0 and path[1, 1, 0] == 0.0
    path, _ = _run(saddle.saddle_grad, saddle.saddle_hess, (), [(x0, y0)], 3, damping=3.0)
    np.testing.assert_allclose(path[:, 1, 0], y0 * 3.0 ** np.arange(4), rtol=1e-14)
    np.testing.assert_allclose(path[:, 0, 0], x0 * 0.6 ** np.arange(4), rtol=1e-14)


def test_singular_hessian_gives_nan_without_raising():
    """det(H + λI) = 0 or not finite: the step is NaN (the driver then marks the run diverged)."""
    th, g, st, sc, hp = _arrays([(0.0, 0.0)] * 5, damping=[0.0, 0.0, 0.0, 0.0, 2.0])
    g[:] = [[1.0, 1.0, 1.0, 1.0, 2.0], [0.0, 0.5, -1.0, 0.0, -2.0]]
    # run 0: zero Hessian (the monkey saddle's origin) with a non-zero gradient
    # run 1: rank one, [[1, 1], [1, 1]];  run 2: an infinite entry;  run 3: a NaN entry
    # run 4: saddle x^2 - y^2 with λ = 2, H + λI = diag(4, 0)
    st[0, 0] = [0.0, 1.0, math.inf, math.nan, 2.0]
    st[0, 1] = [0.0, 1.0, 1.0, 1.0, -2.0]
    st[1, 0] = st[1, 1] = [0.0, 1.0, 0.0, 0.0, 0.0]
    newton.step(PAPER, 1, hp, th, g, st, sc, 0, 5)
    assert np.isnan(th).all() and np.isnan(st[STEP]).all()


def test_monkey_saddle_origin_is_stationary():
    """At the monkey saddle's origin H = 0 but also g = 0: the documented exception, d = 0,
    keeps the run in place (as gradient descent would) instead of marking it diverged."""
    path, dirs = _run(saddle.monkey_saddle_grad, saddle.monkey_saddle_hess, (), [(0.0, 0.0)], 3)
    assert (path == 0.0).all() and (dirs == 0.0).all()
    # approaching it along y = 0, plain Newton halves x at every step: attracted to the saddle
    path, _ = _run(saddle.monkey_saddle_grad, saddle.monkey_saddle_hess, (), [(1.5, 0.0)], 5)
    np.testing.assert_allclose(path[:, 0, 0], 1.5 * 0.5 ** np.arange(6), rtol=1e-15)
    assert (path[:, 1, 0] == 0.0).all()


# ---- through the engine: the driver fills the Hessian, sweeps and runs agree ---------------
def test_engine_newton_lands_on_a_quadratic_minimum_in_one_step():
    import optimizers
    import surfaces

    q = surfaces.get_surface("quadratic", kappa=50.0, angle=30.0)
    r = optimizers.run("newton", q, (-1.5, 0.8), 3, record_state=True)
    np.testing.assert_allclose(r.path[1], [0.0, 0.0], atol=1e-12)
    hxx, hxy, hyy = q.hessian(-1.5, 0.8)
    np.testing.assert_allclose(r.state["h_diag"][1], [hxx, hyy], rtol=1e-14)
    np.testing.assert_allclose(r.state["h_off"][1], [hxy, hxy], rtol=1e-14)
    np.testing.assert_allclose(r.state["step"][1], [-1.5, 0.8], rtol=1e-12)


def test_engine_singular_hessian_ends_the_run_as_diverged_and_never_breaks_a_sweep():
    import optimizers

    # monkey saddle (H = 0 at the origin): on the ridge y = 0 Newton halves x every step
    r = optimizers.run("newton", "monkey_saddle", (1e-3, 0.0), 60)
    res = optimizers.sweep("newton", "monkey_saddle", [(1e-3, 0.0), (1.0, 1.0), (0.0, 0.0)], 60)
    np.testing.assert_array_equal(res.final[0], r.final)
    assert res.diverged_at[0] == r.diverged_at
    # the exact stationary point stays put; a regular start moves
    np.testing.assert_array_equal(res.final[2], [0.0, 0.0])
    assert res.diverged_at[2] == -1
    # a start where H is singular with g != 0 ends at step 1
    # (saddle x^2 - y^2 with damping 2: H + 2I = diag(4, 0) is singular, g = (2x, -2y) != 0)
    r2 = optimizers.run("newton", "saddle", (0.5, 0.5), 10, damping=2.0)
    assert r2.diverged_at == 1 and np.isnan(r2.path[1:]).all()
    res2 = optimizers.sweep("newton", "saddle", [(0.5, 0.5), (0.5, 0.5)], 10, damping=[2.0, 0.0])
    assert res2.diverged_at.tolist() == [1, -1]
    np.testing.assert_allclose(res2.final[1], [0.0, 0.0], atol=1e-15)  # plain Newton: onto the saddle


def test_engine_bad_damping_is_a_value_error_naming_it():
    import optimizers

    with pytest.raises(ValueError, match=r"damping.*out of range \[0, 1000\]"):
        optimizers.run("newton", "booth", (0.0, 0.0), 3, damping=-1.0)
