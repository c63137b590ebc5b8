"""Custom surfaces typed as text (issue 12): the language, its limits, the exact derivatives,
the compiled kernels and the cache.  The hostile inputs are in ``test_expression_fuzz.py``."""
from __future__ import annotations

import math
import random

import numpy as np
import pytest

import optimizers
import surfaces
from surfaces import custom, expression

ROSEN = "(a - x)**2 + b*(y - x**2)**2"
RB = ((-2.0, 2.0), (-1.0, 3.0))


# ---- the language -------------------------------------------------------------------------
@pytest.mark.parametrize("text, x, y, want", [
    ("x**2 + 3*y**2", 1.0, 2.0, 13.0),
    ("-x + +y", 1.0, 2.0, 1.0),
    ("sin(x) + cos(y) + tan(x*y)", 0.3, 0.4, math.sin(0.3) + math.cos(0.4) + math.tan(0.12)),
    ("exp(x) * log(y) / sqrt(y)", 0.5, 2.0, math.exp(0.5) * math.log(2) / math.sqrt(2)),
    ("abs(x) + abs(y)", -1.5, 2.0, 3.5),
    ("tanh(x) + sinh(y) - cosh(x)", 0.2, 0.3, math.tanh(0.2) + math.sinh(0.3) - math.cosh(0.2)),
    ("arctan(x) + arcsin(y) + arccos(y)", 0.7, 0.1, math.atan(0.7) + math.pi / 2),
    ("min(x, y) + max(x, y, 3)", 1.0, 2.0, 4.0),
    ("pi * e * x", 1.0, 0.0, math.pi * math.e),
    ("2**-2 * x**-1", 2.0, 0.0, 0.125),
    ("(x**2 + y**2)**0.5", 3.0, 4.0, 5.0),
])
def test_values(text, x, y, want):
    s = surfaces.from_expression(text, bounds=((-5, 5), (-5, 5)))
    assert float(s.value(x, y)) == pytest.approx(want, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("text, limit", [
    ("x" + "+x" * 300, "MAX_LENGTH"),
    ("sin(" * 60 + "x" + ")" * 60, "MAX_DEPTH"),
    ("-" * 60 + "x", "MAX_DEPTH"),
    ("9**9**9", "MAX_EXPONENT"),
    ("x**1e6", "MAX_EXPONENT"),
    ("x**(2**8)", "MAX_EXPONENT"),
    ("(((1000000000000000*x)**100)**100)**100", "MAX_DEGREE"),
    ("(x**20 * y**20)**30", "MAX_DEGREE"),
    ("((1000000000000000*x)**10)**100", "expression:"),
    ("1e16 * x", "MAX_LITERAL"),
    ("100000000000000000000 + x", "MAX_LITERAL"),
    ("(1e15**20) * (1e15**2) * x", "1e+300"),
    ("min(" + ", ".join(["x"] * 9) + ")", "MAX_ARGS"),
    ("exp(1000) + x", "finite"),
    ("x / 0", "division by zero"),
    ("x / (1 - 1)", "division by zero"),
    ("log(-1) + x", "finite real"),
    ("", "empty"),
    ("   ", "empty"),
    ("y.real", "Attribute"),
    ("foo(x)", "calls are allowed only to"),
    ("z + x", "unknown name 'z'"),
    ("sin(x, y)", "exactly 1 argument"),
    ("min(x)", "2 to MAX_ARGS"),
    ("x % 2", "Mod"),
    ("x // 2", "FloorDiv"),
    ("x < y", "Compare"),
    ("'x'", "only numbers"),
    ("x = 1", "not a valid formula"),
])
def test_rejected_with_the_limit_named(text, limit):
    with pytest.raises(ValueError, match=None) as exc:
        surfaces.from_expression(text)
    assert limit in str(exc.value), str(exc.value)


def test_canonical_text_keys_the_cache():
    a = expression.validate("x**2+  (y)")
    b = expression.validate("(x ** 2) + y")
    assert a[1] == b[1] and expression.key(a[1]) == expression.key(b[1])
    assert expression.validate("b*x + d")[2] == ("b", "d")


# ---- the Surface --------------------------------------------------------------------------
@pytest.mark.parametrize("params, bounds, msg", [
    ({"q": 1.0}, RB, "unknown parameter 'q'"),
    ({"a": "1"}, RB, "parameter 'a'"),
    ({"a": (5.0, 0.0, 1.0)}, RB, "lo <= value <= hi"),
    ({"a": math.nan}, RB, "finite"),
    ([("a", 1.0)], RB, "params must be a dict"),
    (None, ((1, 0), (0, 1)), "bounds"),
    (None, ((0, math.inf), (0, 1)), "bounds"),
    (None, "box", "bounds"),
])
def test_bad_arguments(params, bounds, msg):
    with pytest.raises(ValueError, match=msg):
        surfaces.from_expression(ROSEN, params, bounds=bounds)


def test_custom_rosenbrock_equals_the_builtin():
    s = surfaces.from_expression(ROSEN, {"a": 1.0, "b": 100.0}, bounds=RB, name="my banana")
    b = surfaces.SURFACES["rosenbrock"]
    assert s.name == "my banana" and s.id.startswith("custom-") and surfaces.index_of(s) == -1
    assert [p.name for p in s.params] == ["a", "b"] and s.values == (1.0, 100.0)
    assert len(s.minima) == 1 and s.minima[0].x == pytest.approx(1.0, abs=1e-6)
    assert s.minima[0].y == pytest.approx(1.0, abs=1e-6) and "not proven" in s.notes
    for kw in ({"lr": 1e-3}, {"lr": 2e-3, "beta1": 0.8}):
        p_custom = optimizers.trajectory("adam", s, (-1.2, 1.0), 500, **kw)
        p_builtin = optimizers.trajectory("adam", b, (-1.2, 1.0), 500, **kw)
        np.testing.assert_allclose(p_custom, p_builtin, rtol=1e-9, atol=1e-12)
    r = optimizers.run("newton", s, (-1.2, 1.0), 20)
    rb = optimizers.run("newton", b, (-1.2, 1.0), 20)
    np.testing.assert_allclose(r.path, rb.path, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(r.loss, rb.loss, rtol=1e-9, atol=1e-12)
    starts = np.array([[-1.2, 1.0], [0.5, 2.0], [1.5, -0.5]])
    sw = optimizers.sweep("adam", s, starts, 300, tol=1e-3, lr=0.01)
    swb = optimizers.sweep("adam", b, starts, 300, tol=1e-3, lr=0.01)
    np.testing.assert_allclose(sw.final, swb.final, rtol=1e-9)
    np.testing.assert_array_equal(sw.steps_to_tol, swb.steps_to_tol)


def test_params_change_without_recompiling_and_move_the_minima():
    s = surfaces.from_expression(ROSEN, {"a": 1.0, "b": 100.0}, bounds=RB)
    t = s.with_params(a=1.5)
    assert t.compiled is s.compiled and t.minima[0].x == pytest.approx(1.5, abs=1e-5)
    assert surfaces.get_surface(s.id, a=0.5).values == (0.5, 100.0)
    with pytest.raises(ValueError, match="out of range"):
        s.with_params(a=1e9)
    path = optimizers.trajectory("newton", t, (0.0, 0.0), 50)
    np.testing.assert_allclose(path[-1], (1.5, 2.25), atol=1e-6)


def test_diverging_run_is_flagged_and_nan_is_masked():
    s = surfaces.from_expression("-exp(x**2 + y**2)", bounds=((-2, 2), (-2, 2)))
    r = optimizers.run("sgd", s, (1.0, 1.0), 200, lr=0.5)
    assert r.diverged and np.isnan(r.path[-1]).all()
    s2 = surfaces.from_expression("sqrt(x) + y**2", bounds=((-1, 1), (-1, 1)))
    assert np.isnan(s2.value(-0.5, 0.0))  # NaN regions are NaN, never an exception


def test_landscapes_and_basins_take_a_custom_surface():
    from studies import landscapes

    s = surfaces.from_expression("(x**2 + y - 11)**2 + (x + y**2 - 7)**2", bounds=((-5, 5), (-5, 5)))
    assert len(s.minima) == 4  # Himmelblau's four minima, found
    res = landscapes.compute_basins(landscapes.BasinSpec("adam", s.id, 300, n=8,
                                                         hyperparams=(("lr", 0.1),)))
    assert res.basin.shape == (8, 8) and (res.basin >= 0).mean() > 0.5


def test_no_minimum_inside_the_bounds():
    assert surfaces.from_expression("x + y").minima == ()
    assert surfaces.from_expression("x**2 - y**2").minima == ()


# ---- the cache ----------------------------------------------------------------------------
def test_memory_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(custom, "MAX_MEMORY", 2)
    keys = []
    for k in range(4):
        s = surfaces.from_expression(f"x**2 + {k + 11}*y**2")
        keys.append(s.compiled.key)
    assert len(custom._MEMORY) <= 2 and keys[-1] in custom._MEMORY and keys[0] not in custom._MEMORY


@pytest.mark.parametrize("in_memory, on_disk", [(1, 2), (16, 4)])
def test_disk_cache_is_bounded(monkeypatch, tmp_path, in_memory, on_disk):
    """At most MAX_DISK folders, except those of expressions this process holds in memory
    (never pruned under its feet): so the bound is MAX_DISK + MAX_MEMORY."""
    monkeypatch.setattr(custom, "ROOT", tmp_path)
    monkeypatch.setattr(custom, "MAX_DISK", 2)
    monkeypatch.setattr(custom, "MAX_MEMORY", in_memory)
    monkeypatch.setattr(custom, "_MEMORY", type(custom._MEMORY)())
    for k in range(4):
        surfaces.from_expression(f"x**2 + {k + 21}*y**4")
    assert len([p for p in tmp_path.iterdir() if p.is_dir()]) == on_disk
    assert all(c.folder.exists() for c in custom._MEMORY.values())


# ---- exact derivatives ----------------------------------------------------------------------
_SMOOTH = ["sin({})", "cos({})", "tanh({})", "arctan({})", "exp(0.3*{})", "sqrt(1 + ({})**2)",
           "log(2 + ({})**2)", "({})**2", "({})**3", "cosh(0.5*{})"]


def _random_expr(rng: random.Random, depth: int = 0) -> str:
    if depth > 3 or rng.random() < 0.25:
        return rng.choice(["x", "y", "a", "b", str(rng.randint(1, 5)), f"{rng.uniform(-2, 2):.3f}"])
    r = rng.random()
    if r < 0.35:
        return rng.choice(_SMOOTH).format(_random_expr(rng, depth + 1))
    op = rng.choice(["+", "-", "*"])
    return f"({_random_expr(rng, depth + 1)} {op} {_random_expr(rng, depth + 1)})"


def _fd_grad(fn, x, y, h=1e-6):
    return ((fn(x + h, y) - fn(x - h, y)) / (2 * h), (fn(x, y + h) - fn(x, y - h)) / (2 * h))


@pytest.mark.parametrize("seed", range(40))
def test_gradient_and_hessian_match_finite_differences(seed):
    rng = random.Random(seed)
    text = f"{_random_expr(rng)} + x*y"
    s = surfaces.from_expression(text, {"a": 0.7, "b": -1.3})
    prng = np.random.default_rng(seed)
    for x, y in prng.uniform(-1.5, 1.5, size=(5, 2)):
        gx, gy = s.gradient(x, y)
        fx, fy = _fd_grad(s.value, x, y)
        scale = 1.0 + abs(float(s.value(x, y)))
        assert gx == pytest.approx(fx, rel=1e-5, abs=1e-6 * scale), text
        assert gy == pytest.approx(fy, rel=1e-5, abs=1e-6 * scale), text
        hxx, hxy, hyy = s.hessian(x, y)
        (gxx, gxy), (gyx, gyy) = (_fd_grad(lambda u, v, i=i: s.gradient(u, v)[i], x, y) for i in (0, 1))
        gscale = 1.0 + abs(gx) + abs(gy)
        for got, want in ((hxx, gxx), (hxy, gxy), (hxy, gyx), (hyy, gyy)):
            assert got == pytest.approx(want, rel=1e-4, abs=1e-5 * gscale), text


@pytest.mark.parametrize("seed", range(3))
def test_compiled_kernels_equal_the_numpy_functions(seed):
    rng = random.Random(100 + seed)
    s = surfaces.from_expression(f"{_random_expr(rng)} + abs(x) + min(x, y)", {"a": 0.7, "b": 2.0})
    f_nb, g_nb, h_nb = s.kernels
    p = s.param_array()
    for x, y in np.random.default_rng(seed).uniform(-1.5, 1.5, size=(5, 2)):
        assert f_nb(x, y, *p) == pytest.approx(float(s.value(x, y)), rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(g_nb(x, y, *p), np.array(s.gradient(x, y), float), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(h_nb(x, y, *p), np.array(s.hessian(x, y), float), rtol=1e-12, atol=1e-12)


def test_custom_surfaces_share_one_set_of_loops_and_empty_slots_give_nan():
    from surfaces import indirect

    s1 = surfaces.from_expression("x**2 + 2*y**2")
    s2 = surfaces.from_expression("x**4 + y**2")
    assert s1.compiled.loops("adam") is s2.compiled.loops("adam")
    fresh = custom.Compiled("k", s1.compiled.module, s1.compiled.folder)
    p = np.zeros(4)
    assert all(np.isnan(indirect.grad(fresh.address(), p, 1.0, 1.0)))
    assert indirect.grad(fresh.address("grad"), p, 1.0, 1.0) == (2.0, 4.0)


def test_a_folder_pruned_by_another_process_is_written_again():
    """Processes share the disk cache; one may prune the folder of an expression another still
    holds in memory.  Its next callbacks (a sweep's, Newton's Hessian) must still compile."""
    import shutil

    f = f"(x - {random.random():.9f})**2 + a*abs(y)**3"  # never seen: its own folder
    s = surfaces.from_expression(f, {"a": 2.0}, ((-2.0, 2.0), (-2.0, 2.0)))
    optimizers.run("sgd", s, (1.0, 1.0), 5, lr=0.1)  # compiles only grad
    shutil.rmtree(s.compiled.folder)
    again = surfaces.from_expression(f, {"a": 1.0}, ((-2.0, 2.0), (-2.0, 2.0)))
    assert again.compiled is s.compiled  # from memory
    res = optimizers.sweep("sgd", again, np.array([[1.0, 1.0], [0.5, -0.5]]), 5, lr=0.1)
    one = optimizers.run("sgd", again, (0.5, -0.5), 5, lr=0.1)
    assert res.loss[1] == one.loss[-1]
    assert np.isfinite(optimizers.run("newton", again, (1.0, 1.0), 3).loss).all()
    assert (s.compiled.folder / f"{s.compiled.module.__name__}.py").exists()
