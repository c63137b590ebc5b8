"""A custom surface in Landscapes (map and basins), in specs and links, and Explore's Preset on it.

The specs carry the formula and bounds (``MapSpec.formula`` / ``bounds``), so a map's cache key
and its link say everything about the surface; AppTest runs the page as a link opens it.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

import optimizers
import surfaces
from plots import landscapes as L
from studies import landscapes as SL
from studies import presets
from test_custom_app import open_app as open_explore
from test_custom_app import stage
from test_page_urls import _landscapes_app, basin_names, heatmap_spec, link_warnings, ok, open_page
from ui import landscapes as LP
from ui import settings as S

VALLEY = {"tab": "map", "surface": "custom(a=2)", "f": "abs(x) + a*abs(y)", "bounds": "-2,2,-1,3",
          "opt": "sgd(lr=0.01)", "res": "64", "steps": "150"}
HAT = {"tab": "basins", "b_surface": "custom(a=1)", "b_f": "(x**2 + y**2 - a)**2", "b_bounds": "-2,2,-2,2",
       "b_starts": "64", "b_steps": "200", "b_opt_a": "sgd(lr=0.01)", "b_opt_b": "adam(lr=0.05)"}
BOUNDS = ((-2.0, 2.0), (-1.0, 3.0))


def _map_spec(**kw) -> SL.MapSpec:
    d = dict(optimizer="sgdm", surface=S.CUSTOM, start=(1.5, 2.0), steps=120,
             x=SL.Axis("lr", 1e-3, 1e-1, True, 6), y=SL.Axis("momentum", 0.0, 0.9, False, 5),
             hyperparams=(("lr", 0.01), ("momentum", 0.5)), surface_params=(("a", 2.0),),
             formula="abs(x) + a*abs(y)", bounds=BOUNDS)
    d.update(kw)
    return SL.MapSpec(**d)


# ---- the specs -------------------------------------------------------------------------------
def test_a_custom_map_spec_round_trips_its_key_and_its_cells_are_plain_runs():
    spec = _map_spec()
    again = SL.MapSpec.from_key(spec.key())
    assert again == spec and again.bounds == BOUNDS and again.formula == spec.formula
    res = SL.compute_map(spec)
    surf = surfaces.from_expression("abs(x) + a*abs(y)", {"a": 2.0}, BOUNDS)
    assert res.loss.shape == (5, 6)
    for iy, ix in ((0, 0), (2, 3), (4, 5)):
        hp, start = SL.cell_hyperparams(spec, *SL.cell_values(res, ix, iy))
        run = optimizers.run("sgdm", surf, start, 120, **hp)
        assert res.loss[iy, ix] == run.loss[-1]  # bit for bit
        assert np.array_equal(res.final[iy, ix], run.path[-1])


def test_the_key_tells_formulas_bounds_and_parameters_apart():
    keys = {_map_spec().key(), _map_spec(formula="abs(x) + a*abs(y) + 0").key(),
            _map_spec(bounds=((-2.0, 2.0), (-1.0, 4.0))).key(), _map_spec(surface_params=(("a", 3.0),)).key()}
    assert len(keys) == 4


@pytest.mark.parametrize("kw, words", [
    (dict(formula=""), "needs its formula"),
    (dict(bounds=((1.0, 0.0), (0.0, 1.0))), "bounds"),
    (dict(surface="rosenbrock", surface_params=()), "belong to a custom surface"),
])
def test_bad_custom_specs_are_refused_by_name(kw, words):
    with pytest.raises(ValueError, match=words):
        _map_spec(**kw)


def test_custom_basins_classify_by_the_minima_found():
    spec = SL.BasinSpec("adam", S.CUSTOM, 300, 16, (("lr", 0.05),), (("a", 1.0),),
                        formula="(x - a)**2 + 2*(y + 0.5)**2", bounds=((-2.0, 2.0), (-2.0, 2.0)))
    assert SL.BasinSpec.from_key(spec.key()) == spec
    res = SL.compute_basins(spec)
    (m,) = res.minima
    assert abs(m.x - 1.0) < 1e-6 and abs(m.y + 0.5) < 1e-6
    assert res.fractions()[0] == 1.0  # one bowl: every start ends in it


def test_a_preset_on_a_custom_surface_is_measured_on_it():
    f = "abs(x) + a*abs(y)"
    lr = presets.best_lr(S.CUSTOM, (("a", 2.0),), "sgd", "paper", None, (1.5, 2.0), 200, f, BOUNDS)
    assert lr in presets.LR_GRID
    # the preset's rule, transcribed, on the surface object itself: among the rates whose run
    # stays on the picture (widened by a quarter) with no jump over MAX_JUMP of the diagonal,
    # the lowest final loss
    surf = surfaces.from_expression(f, {"a": 2.0}, BOUNDS)
    h = optimizers.OPTIMIZERS["sgd"].hyperparam("lr")
    finals = {}
    for g in presets.LR_GRID[(presets.LR_GRID >= h.lo) & (presets.LR_GRID <= h.hi)]:
        r = optimizers.run("sgd", surf, (1.5, 2.0), 200, lr=float(g))
        p = r.path
        inside = (np.abs(p[:, 0]) <= 3.0).all() and (p[:, 1] >= -2.0).all() and (p[:, 1] <= 4.0).all()
        if not r.diverged and inside and np.hypot(*np.diff(p, axis=0).T).max() <= presets.MAX_JUMP * surf.size:
            finals[float(g)] = r.loss[-1]
    assert lr in finals and finals[lr] <= min(finals.values()) + 1e-10
    (cfg,) = presets.preset_optimizers(S.CUSTOM, ["sgd"], steps=200, start=(1.5, 2.0),
                                       surface_params=(("a", 2.0),), formula=f, bounds=BOUNDS)
    assert dict(cfg.hyperparams)["lr"] == lr


# ---- the page and its link -------------------------------------------------------------------------
def test_a_custom_map_link_opens_round_trips_and_links_to_explore():
    at = open_page(_landscapes_app, VALLEY)
    assert not link_warnings(at)
    spec = heatmap_spec(at)
    assert (spec.surface, spec.formula, spec.bounds, spec.surface_params) == (
        S.CUSTOM, "abs(x) + a*abs(y)", BOUNDS, (("a", 2.0),))
    assert at.text_input(key="ls_custom_f").value == VALLEY["f"]
    q = dict(at.query_params)
    assert {k: q[k] for k in VALLEY} == VALLEY
    assert LP.to_query(LP.from_query(q)[0]) == q  # the full link is a fixed point
    # the Explore link of a cell opens the same surface there
    url = LP.explore_url(spec, 0.01, 0.5)
    import urllib.parse

    eq = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    settings, warnings = S.from_query(eq)
    assert not warnings and settings.surface == S.CUSTOM and settings.formula == VALLEY["f"]
    assert settings.bounds == BOUNDS and settings.surface_params == (("a", 2.0),)


def test_typing_in_landscapes_changes_the_map_and_a_bad_formula_keeps_it():
    at = open_page(_landscapes_app, VALLEY)
    at.text_input(key="ls_custom_f").set_value("(x - 1)**2 + 5*(y - 0.5)**2")
    ok(at.run())
    spec = heatmap_spec(at)
    assert spec.formula == "(x - 1)**2 + 5*(y - 0.5)**2" and at.query_params["f"] == spec.formula
    at.text_input(key="ls_custom_f").set_value("().__class__")
    ok(at.run())
    assert any("previous surface is kept" in e.value for e in at.error)
    assert heatmap_spec(at).formula == spec.formula and at.query_params["f"] == spec.formula
    at.text_input(key="ls_custom_bounds").set_value("1,0,0,1")
    ok(at.run())
    assert any("bounds" in e.value for e in at.error) and heatmap_spec(at).bounds == BOUNDS


def test_choosing_custom_in_landscapes_starts_from_an_example():
    at = open_page(_landscapes_app, {"tab": "map", "res": "64", "steps": "100"})
    at.selectbox(key="ls_surface").set_value(S.CUSTOM)
    ok(at.run())
    spec = heatmap_spec(at)
    label, formula, btext, params = LP.C.EXAMPLES[0]
    assert spec.formula == formula and spec.bounds == S.parse_bounds(btext)
    assert dict(spec.surface_params) == dict(params)
    (x0, x1), (y0, y1) = spec.bounds
    assert x0 <= spec.start[0] <= x1 and y0 <= spec.start[1] <= y1
    at.button(key="ls_custom_ex2").click()  # the Mexican hat
    ok(at.run())
    assert heatmap_spec(at).formula == LP.C.EXAMPLES[2][1]


def test_a_custom_basins_link_and_a_bad_one():
    at = open_page(_landscapes_app, HAT)
    assert not link_warnings(at)
    assert basin_names(at)  # drawn
    q = dict(at.query_params)
    assert q["b_f"] == HAT["b_f"] and q["b_bounds"] == "-2,2,-2,2" and q["b_surface"] == "custom(a=1)"
    bad = open_page(_landscapes_app, dict(HAT, b_f="<b>x</b> + __import__('os')"))
    (w,) = link_warnings(bad)
    # Explore's parser names the problem and falls back to its default surface, as for any bad surface
    assert "custom surface" in w and "using rosenbrock" in w
    assert dict(bad.query_params)["b_surface"].startswith("rosenbrock(") and "b_f" not in dict(bad.query_params)
    assert "<b>" not in bad.warning[0].proto.body or "\\<b\\>" in bad.warning[0].proto.body  # escaped


def test_the_html_export_escapes_a_typed_name():
    res = SL.compute_map(_map_spec(x=SL.Axis("lr", 1e-3, 1e-1, True, 2), y=SL.Axis("momentum", 0.0, 0.9, False, 2)))
    page = L.figure_html(L.map_figure(res, "loss", click_grid=False), "Gradscape: f = <script>alert(1)</script>")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


# ---- Explore: Preset works on a custom surface ---------------------------------------------------
def test_explore_preset_on_a_custom_surface():
    at = open_explore({"surface": "custom(a=2)", "f": "abs(x) + a*abs(y)", "bounds": "-2,2,-1,3",
                       "opts": "sgd(lr=0.5)", "steps": "200", "start": "0.3,0.4"})
    (button,) = [b for b in at.sidebar.button if b.label.startswith("Preset")]
    assert not button.disabled
    button.click()
    ok(at.run())
    settings = S.from_query(dict(at.query_params))[0]
    surf = settings.surface_obj()
    want = presets.best_lr(S.CUSTOM, (("a", 2.0),), "sgd", "paper", None, tuple(surf.start), 200,
                           "abs(x) + a*abs(y)", BOUNDS)
    assert settings.start == tuple(surf.start)
    assert dict(settings.optimizers[0].hyperparams)["lr"] == want
    assert stage(at)["bounds"] == [[-2.0, 2.0], [-1.0, 3.0]]


# ---- a ring of minima ----------------------------------------------------------------------------
def test_classify_tells_a_ring_of_minima_from_not_converged():
    from surfaces import Point

    minima = (Point(1.0, 0.0, 0.0), Point(-1.0, 0.0, 0.0))
    final = np.array([[1.0, 0.001], [0.0, 1.0], [0.0, 0.5], [np.nan, np.nan], [0.0, 1.0]])
    loss = np.array([0.0, 1e-9, 0.56, np.nan, 1e-9])
    diverged = np.array([False, False, False, True, False])
    got = SL.classify(final, diverged, minima, 0.05, loss, 0.0, 1e-6)
    assert got.tolist() == [0, -3, -1, -2, -3]
    # without losses (or with no finite f*) nothing is "elsewhere"
    assert SL.classify(final, diverged, minima, 0.05).tolist() == [0, -1, -1, -2, -1]
    assert SL.classify(final, diverged, minima, 0.05, loss, float("nan"), 1e-6).tolist() == [0, -1, -1, -2, -1]


def test_the_mexican_hat_basins_count_the_ring():
    spec = SL.BasinSpec("sgd", S.CUSTOM, 400, 24, (("lr", 0.02),), (("a", 1.0),),
                        formula="(x**2 + y**2 - a)**2", bounds=((-2.0, 2.0), (-2.0, 2.0)))
    res = SL.compute_basins(spec)
    surf = spec.surface_obj()
    fr = res.fractions()
    assert fr[SL.ELSEWHERE] > 0.5  # most starts end on the ring, away from the few listed points
    ring = res.basin == -3
    r = np.hypot(res.final[..., 0], res.final[..., 1])
    assert np.allclose(r[ring], 1.0, atol=1e-3)  # on the circle x² + y² = 1
    m = np.array([[p.x, p.y] for p in surf.minima])
    d = np.sqrt(((res.final[ring][:, None, :] - m[None]) ** 2).sum(-1)).min(axis=1)
    assert (d > spec.dist_tol * surf.size).all()
    # drawn in its own band with its own legend entry, and named in the CSV
    fig = L.basins_figure([res]).to_dict()
    (heat,) = [t for t in fig["data"] if (t.get("meta") or {}).get("role") == "basins"]
    legend = [t["name"] for t in fig["data"] if (t.get("meta") or {}).get("role") == "legend"]
    assert SL.ELSEWHERE in legend and heat["zmax"] == len(res.minima) + 3
    z = L.basin_z(res)
    assert (np.floor(z[ring]) == len(res.minima) + 2).all()
    assert f",{SL.ELSEWHERE}," in L.basins_to_csv([res])


def test_a_ring_of_minima_is_listed_spread_over_the_ring():
    surf = surfaces.from_expression("(x**2 + y**2 - a)**2", {"a": 1.0}, ((-2.0, 2.0), (-2.0, 2.0)))
    pts = np.array([[p.x, p.y] for p in surf.minima])
    assert len(pts) == 8 and np.allclose(np.hypot(pts[:, 0], pts[:, 1]), 1.0, atol=1e-6)
    angles = np.sort(np.arctan2(pts[:, 1], pts[:, 0]))
    gaps = np.diff(np.concatenate([angles, angles[:1] + 2 * np.pi]))
    assert gaps.max() < np.pi / 2  # no quarter of the ring without a listed point
