"""Hyperparameter landscapes and basins of attraction (``studies.landscapes``, ``plots.landscapes``,
``ui.landscapes``).

1. axes          log / linear / integer values, 6-digit rounding, cell edges, spec keys
2. per cell      a map equals ``optimizers.run`` cell by cell (final loss, step of divergence,
                 steps to tolerance, final point), for hyperparameter, integer and start axes
3. theory        SGD on the quadratic with condition number κ diverges from lr = 2/κ; SGD with
                 heavy-ball momentum β from lr = 2(1 + β)/κ (each within one grid cell)
4. figure        metrics, diverged cells (hatched region covering exactly them), the click grid
                 and its selection round trip, markers, log axes, float32 payload, validity
5. basins        classification = per-start runs, figure structure, fractions
6. progress      block-wise computation with a progress callback; an exception stops it and
                 nothing is cached
7. page          AppTest: renders, axes / metric / resolution change the heatmap, a divergent
                 region where theory puts it, a selected cell shows its run (in its optimizer's
                 own colour) and an Explore link that parses back to it, basins mode, exports
                 (the page's URL: ``test_page_urls.py``)
8. concurrency   5 sessions (AppTest in threads) and 5 threads through the page's cached
                 function, with different settings, each equal to the single-threaded result;
                 no numba kernel uses parallel=True
9. browser       a real Streamlit server and headless Chromium: screenshots at 1280 × 720 into
                 artifacts/screenshots/landscapes_*.png, a click on the map opens its run
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import numpy as np
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

import optimizers
import surfaces
from optimizers.registry import index_of
from plots import landscapes as L
from plots import style
from plots.explore import decode_array
from studies import landscapes as SL
from ui import settings as S
from ui.widgets import fmt

ROOT = pathlib.Path(__file__).resolve().parent.parent
TIMEOUT = 120
ROSEN_P = (("a", 1.0), ("b", 100.0))


def sgdm_spec(nx=7, ny=5, steps=300, tol=1e-3, **kw) -> SL.MapSpec:
    """SGDM on Rosenbrock, lr (log, 1e-4..1e-2) x momentum: both converged and diverged cells."""
    return SL.MapSpec("sgdm", "rosenbrock", (-1.5, 2.0), steps, SL.Axis("lr", 1e-4, 1e-2, True, nx),
                     SL.Axis("momentum", 0.0, 0.95, False, ny), hyperparams=(("lr", 1e-3), ("momentum", 0.9)),
                     surface_params=ROSEN_P, tol=tol, **kw)


def role(t) -> str:
    return (t.get("meta") or {}).get("role", "")


def traces(fig: dict, *roles) -> list[dict]:
    return [t for t in fig["data"] if role(t) in roles]


# ---- 1. axes ---------------------------------------------------------------------------------
def test_axis_values_and_edges():
    a = SL.Axis("lr", 1e-4, 1e-1, True, 7)
    v = a.values()
    assert v[0] == 1e-4 and v[-1] == 1e-1 and len(v) == 7
    assert all(float(f"{x:.6g}") == x for x in v)  # what the Explore URL keeps
    np.testing.assert_allclose(np.diff(np.log10(v)), 0.5, rtol=1e-5)
    e = SL.Axis.edges(v, True)
    assert len(e) == 8 and np.all(np.diff(np.log10(e)) > 0)
    np.testing.assert_allclose(np.sqrt(e[1:] * e[:-1]), v, rtol=1e-5)  # centres in log space

    lin = SL.Axis("momentum", 0.0, 0.9, False, 4).values()
    np.testing.assert_array_equal(lin, [0.0, 0.3, 0.6, 0.9])
    np.testing.assert_allclose(SL.Axis.edges(lin, False), [-0.15, 0.15, 0.45, 0.75, 1.05])

    k = SL.Axis("k", 1, 20, False, 64, integer=True).values()  # fewer cells than asked
    np.testing.assert_array_equal(k, np.arange(1, 21))
    with pytest.raises(ValueError, match="log axis needs lo > 0"):
        SL.Axis("momentum", 0.0, 0.9, True, 8)
    with pytest.raises(ValueError, match="lo < hi"):
        SL.Axis("lr", 1.0, 1.0, True, 8)
    with pytest.raises(ValueError, match="axes must differ"):
        SL.MapSpec("adam", "rosenbrock", (0, 0), 10, SL.Axis("lr", 1e-3, 1e-1, True, 4), SL.Axis("lr", 1e-3, 1e-1, True, 4))
    with pytest.raises(ValueError, match="not a hyperparameter"):
        SL.MapSpec("sgd", "rosenbrock", (0, 0), 10, SL.Axis("lr", 1e-3, 1e-1, True, 4), SL.Axis("beta1", 0, 0.9, False, 4))


def test_spec_key_round_trips():
    for spec in (sgdm_spec(), SL.MapSpec("lookahead", "quadratic", (-1.8, 0.8), 50, SL.Axis("k", 1, 10, False, 10, True),
                                        SL.Axis("start_y", -1, 1, False, 9), hyperparams=(("k", 5), ("alpha", 0.5)),
                                        surface_params=(("kappa", 20.0), ("angle", 30.0)), inner="sgdm")):
        again = SL.MapSpec.from_key(spec.key())
        assert again == spec and again.key() == spec.key()
        assert hash(again) == hash(spec)


# ---- 2. per-cell agreement ----------------------------------------------------------------------
def _check_cells(spec: SL.MapSpec) -> SL.MapResult:
    res = SL.compute_map(spec)
    surf = spec.surface_obj()
    fmin = surf.f_min
    assert res.shape == (len(spec.y.values()), len(spec.x.values()))
    for iy, yv in enumerate(res.ys):
        for ix, xv in enumerate(res.xs):
            hp, start = SL.cell_hyperparams(spec, xv, yv)
            run = optimizers.run(spec.optimizer, surf, start, spec.steps, variant=spec.variant, **hp)
            np.testing.assert_array_equal(optimizers.trajectory(spec.optimizer, surf, start, spec.steps,
                                                                variant=spec.variant, **hp), run.path)
            where = f"cell ({ix}, {iy}) = ({xv}, {yv})"
            assert res.diverged_at[iy, ix] == run.diverged_at, where
            np.testing.assert_array_equal(res.loss[iy, ix], run.loss[-1], err_msg=where)  # NaN == NaN
            np.testing.assert_array_equal(res.final[iy, ix], run.path[-1], err_msg=where)
            hit = np.nonzero(run.loss - fmin <= spec.tol)[0]
            assert res.steps_to_tol[iy, ix] == (int(hit[0]) if len(hit) else -1), where
    return res


def test_map_equals_trajectories_cell_by_cell():
    res = _check_cells(sgdm_spec())
    dv = res.diverged_at >= 0
    assert dv.any() and (~dv).any() and (res.steps_to_tol >= 0).any()  # all kinds of cell occur


def test_map_equals_trajectories_integer_and_start_axes():
    # Lookahead(SGDM): k (integer) x alpha, and NAG's torch form: start x x start y
    la = SL.MapSpec("lookahead", "rosenbrock", (-1.5, 2.0), 120, SL.Axis("k", 1, 9, False, 5, True),
                   SL.Axis("alpha", 0.1, 1.0, False, 4), hyperparams=(("k", 5), ("alpha", 0.5), ("lr", 2e-3),
                                                                     ("momentum", 0.9)),
                   surface_params=ROSEN_P, inner="sgdm", tol=1e-2)
    _check_cells(la)
    nag = SL.MapSpec("nag", "himmelblau", (0.0, 0.0), 80, SL.Axis("start_x", -5, 5, False, 6),
                    SL.Axis("start_y", -5, 5, False, 5), hyperparams=(("lr", 0.01), ("momentum", 0.5)),
                    variant="reference")
    res = _check_cells(nag)
    np.testing.assert_array_equal(res.xs, np.linspace(-5, 5, 6))


# ---- 3. theory ---------------------------------------------------------------------------------------
# Gradient descent on f = ½(u² + κv²) multiplies the v-coordinate by (1 − lr·κ) each step, so it
# diverges exactly when lr > 2/κ (at lr = 2/κ it oscillates with constant amplitude).  The engine
# only flags a run as diverged once it leaves the box of half-width 1e6 × the domain's diagonal
# (4.47e6 here, from |v0| ≈ 0.8, a factor ≈ 5.6e6 ≈ e^15.5), so just past the boundary, where
# |1 − lr·κ| = 1 + ε with ε small, it takes ≈ 15.5/ε steps.  On a log grid with cells 1.3 %
# apart, the first grid lr above 2/κ may be arbitrarily close to it (then ε ≈ 0 and it is not
# flagged in time), but the next one has ε ≥ 2.6 %, i.e. needs ≤ ~600 steps: with 3,000 steps
# the map's first diverged cell is the first grid lr ≥ 2/κ, or the one after it.
THEORY_STEPS = 3000
THEORY_RECORD: dict = {}  # measured boundaries, printed by test_theory_report


def _first_diverged(res: SL.MapResult, row: int) -> int:
    dv = res.diverged_at[row] >= 0
    assert dv.any(), "no diverged cell in the row"
    i = int(np.argmax(dv))
    assert dv[i:].all(), "divergence must be monotone in lr"  # every larger lr diverges too
    return i


@pytest.mark.parametrize("kappa", [20.0, 50.0])
@pytest.mark.parametrize("angle", [0.0, 30.0])
def test_sgd_divergence_boundary_is_2_over_kappa(kappa, angle):
    bound = 2.0 / kappa
    spec = SL.MapSpec("sgd", "quadratic", (-1.8, 0.8), THEORY_STEPS, SL.Axis("lr", bound / 2.5, bound * 2.5, True, 128),
                     SL.Axis("start_y", 0.3, 0.8, False, 3), hyperparams=(("lr", 0.01),),
                     surface_params=(("kappa", kappa), ("angle", angle)))
    res = SL.compute_map(spec)
    want = int(np.argmax(res.xs >= bound))  # the first grid lr >= 2/κ
    for row in range(len(res.ys)):
        got = _first_diverged(res, row)
        assert abs(got - want) <= 1, (res.xs[got], bound)
        assert not (res.diverged_at[row, : want - 1] >= 0).any()
    THEORY_RECORD[f"SGD κ={kappa:g} angle={angle:g}°"] = (float(res.xs[_first_diverged(res, 0)]), bound,
                                                         float(res.xs[want]))


# Heavy ball (v ← βv + g, θ ← θ − lr·v) on an eigenvalue λ: the iteration matrix has
# characteristic polynomial z² − (1 + β − lr·λ)z + β, stable iff 0 < lr·λ < 2(1 + β); with λ = κ
# the map over lr × momentum must diverge from lr = 2(1 + β)/κ in every momentum row.  Just past
# it the growth rate is ε ≈ 2δ(1 + β)/(1 − β) for lr = 2(1 + β)(1 + δ)/κ: fastest for large β.
@pytest.mark.parametrize("kappa,angle", [(20.0, 0.0), (50.0, 30.0)])
def test_heavy_ball_boundary(kappa, angle):
    spec = SL.MapSpec("sgdm", "quadratic", (-1.8, 0.8), THEORY_STEPS, SL.Axis("lr", 1.0 / kappa, 5.0 / kappa, True, 128),
                     SL.Axis("momentum", 0.0, 0.9, False, 10), hyperparams=(("lr", 0.01), ("momentum", 0.9)),
                     surface_params=(("kappa", kappa), ("angle", angle)))
    res = SL.compute_map(spec)
    rows = []
    for row, beta in enumerate(res.ys):
        bound = 2.0 * (1.0 + beta) / kappa
        want = int(np.argmax(res.xs >= bound))
        got = _first_diverged(res, row)
        assert abs(got - want) <= 1, (beta, res.xs[got], bound)
        assert not (res.diverged_at[row, : max(0, want - 1)] >= 0).any()
        rows.append((float(beta), float(res.xs[got]), bound))
    THEORY_RECORD[f"SGDM κ={kappa:g} angle={angle:g}°"] = rows


def test_theory_report(capsys):
    """Prints the measured boundaries (run with -s to see them); runs after the theory tests."""
    with capsys.disabled():
        for k, v in THEORY_RECORD.items():
            if isinstance(v, tuple):
                print(f"\n  {k}: first diverged lr {v[0]:.6g}, 2/κ = {v[1]:.6g} (first grid lr ≥ 2/κ: {v[2]:.6g})")
            else:
                print(f"\n  {k}: " + "; ".join(f"β={b:.1f}: {m:.5g} vs {t:.5g}" for b, m, t in v))


# ---- 4. the map figure ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sgdm_map():
    return SL.compute_map(sgdm_spec(nx=40, ny=30, steps=400))


def _rasterise(xs, ys, px, py):
    """Which cell centres lie inside the rectangles of a None-separated polygon list."""
    inside = np.zeros((len(ys), len(xs)), dtype=bool)
    pts = []
    for v in zip(px, py):
        if v[0] is None:
            (x0, y0), (x1, _), (_, y1) = pts[0], pts[1], pts[2]
            inside |= ((xs[None, :] > min(x0, x1)) & (xs[None, :] < max(x0, x1))
                       & (ys[:, None] > min(y0, y1)) & (ys[:, None] < max(y0, y1)))
            pts = []
        else:
            pts.append(v)
    return inside


def test_map_figure_structure(sgdm_map):
    res = sgdm_map
    fig = L.map_figure(res, "loss", selected=(float(res.xs[3]), float(res.ys[4])))
    d = fig.to_dict()
    go.Figure(d)  # valid Plotly (re-validated)
    assert [role(t) for t in d["data"]][:2] == ["heatmap", "diverged"]
    hm = d["data"][0]
    assert hm["type"] == "heatmap" and hm["z"]["dtype"] == "f4" and hm["z"]["shape"] == "30, 40"
    z = decode_array(hm["z"])
    assert z.dtype == np.float32 and z.shape == (30, 40)
    dv = res.diverged_at >= 0
    assert np.isnan(z[dv]).all() and np.isfinite(z[~dv]).all()  # diverged cells are not coloured
    np.testing.assert_allclose(z[~dv], np.log10(np.maximum(res.loss[~dv] - 0.0, 1e-16)), rtol=1e-6)
    assert len(decode_array(hm["x"])) == 41 and len(decode_array(hm["y"])) == 31  # cell edges
    assert SL.MapSpec.from_key(hm["meta"]["spec"]) == res.spec

    # the hatched region covers exactly the diverged cells
    div = traces(d, "diverged")[0]
    assert div["fill"] == "toself" and div["fillpattern"]["shape"] == "/" and div["showlegend"]
    np.testing.assert_array_equal(_rasterise(res.xs, res.ys, div["x"], div["y"]), dv)

    lay = d["layout"]
    assert lay["xaxis"]["type"] == "log" and lay["yaxis"]["type"] == "linear"
    assert lay["xaxis"]["title"]["text"].startswith("lr (learning rate)") and "log scale" in lay["xaxis"]["title"]["text"]
    assert lay["yaxis"]["title"]["text"].startswith("momentum")
    assert lay["plot_bgcolor"] == L.NEVER_COLOR
    cur = traces(d, "current")[0]
    assert (cur["x"], cur["y"]) == ([1e-3], [0.9]) and cur["name"] == "current settings"
    sel = traces(d, "selected")[0]
    assert (sel["x"], sel["y"]) == ([float(res.xs[3])], [float(res.ys[4])])
    legend = [t["name"] for t in d["data"] if t.get("showlegend", True)]
    assert legend == ["diverged", "current settings", "selected run"]

    # the click grid: every cell exactly once, hover per kind, float32
    grid = traces(d, L.CLICK_GRID_ROLE)
    assert sum(len(decode_array(t["x"])) for t in grid) == res.loss.size
    assert {t["meta"]["kind"] for t in grid} == {0, 1}
    assert all(t["x"]["dtype"] == "f4" and t["customdata"]["dtype"] == "f4" for t in grid)
    assert "diverged</b> at step" in [t for t in grid if t["meta"]["kind"] == 1][0]["hovertemplate"]
    # the payload stays compact: no long lists anywhere
    assert len(json.dumps(d)) < 40 * res.loss.size + 20_000


def test_metrics(sgdm_map):
    res = sgdm_map
    dv = res.diverged_at >= 0
    steps = L.metric_grid(res, "steps")
    reached = res.steps_to_tol >= 0
    np.testing.assert_array_equal(steps.kind, np.where(dv, 1, np.where(reached, 0, 2)))
    np.testing.assert_array_equal(steps.z[steps.kind == 0], res.steps_to_tol[reached & ~dv].astype(np.float32))
    div = L.metric_grid(res, "diverged")
    np.testing.assert_array_equal(div.kind, np.where(dv, 0, 2))
    np.testing.assert_allclose(div.z[dv], np.log10(res.diverged_at[dv]), rtol=1e-6)
    assert div.log and div.title == "diverged at step" and div.never_label == "did not diverge"
    for metric in L.METRICS:
        d = L.map_figure(res, metric).to_dict()
        go.Figure(d)
        assert d["data"][0]["meta"]["metric"] == metric
        names = [t["name"] for t in d["data"] if t.get("showlegend", True)]
        if metric == "diverged":
            assert "did not diverge" in names and "diverged" not in names
        if metric == "steps":
            assert f"never reached f − f* ≤ {L.short_g(res.spec.tol)}" in names and "diverged" in names
    with pytest.raises(ValueError, match="metric must be one of"):
        L.metric_grid(res, "speed")


def test_click_grid_selection_round_trip(sgdm_map):
    res = sgdm_map
    d = L.map_figure(res, "loss").to_dict()
    grid = traces(d, L.CLICK_GRID_ROLE)
    seen = set()
    for t in grid:
        xs, ys = decode_array(t["x"]), decode_array(t["y"])
        for x, y in zip(xs.tolist(), ys.tolist()):  # float32 values, as the browser returns them
            cell = L.cell_from_selection({"selection": {"points": [{"x": x, "y": y}]}}, res)
            assert cell is not None
            seen.add(cell)
            ix, iy = cell
            assert abs(res.xs[ix] / x - 1) < 1e-6 and abs(res.ys[iy] - y) < 1e-6
    assert len(seen) == res.loss.size
    assert L.cell_from_selection(None, res) is None
    assert L.cell_from_selection({"points": [{"x": 50.0, "y": 0.5}]}, res) is None  # off the map
    assert L.cell_from_selection({"points": [{"x": "a", "y": 0.5}]}, res) is None


def test_click_grid_is_capped_for_big_maps():
    spec = SL.MapSpec("sgd", "quadratic", (-1.8, 0.8), 5, SL.Axis("lr", 1e-3, 1e-1, True, 600),
                     SL.Axis("start_y", -0.5, 0.5, False, 3), hyperparams=(("lr", 0.01),))
    res = SL.compute_map(spec)
    d = L.map_figure(res, "loss").to_dict()
    grid = traces(d, L.CLICK_GRID_ROLE)
    xs = np.concatenate([decode_array(t["x"]) for t in grid])
    assert len(xs) == 200 * 3  # every third column (600 > 2 x 256), every row
    assert decode_array(d["data"][0]["z"]).shape == (3, 600)  # the heatmap keeps every cell
    cells = {L.cell_from_selection({"points": [{"x": float(x), "y": 0.0}]}, res) for x in xs}
    assert {c[0] for c in cells} == set(range(0, 600, 3))


def test_runs_polygon_merges_rows_and_caps():
    xe, ye = np.arange(5.0), np.arange(4.0)
    m = np.array([[1, 1, 0, 1], [1, 1, 0, 0], [0, 0, 0, 1]], dtype=bool)
    px, py = L._runs_polygon(m, xe, ye)
    assert px.count(None) == 3  # the 2x2 block is one rectangle
    np.testing.assert_array_equal(_rasterise(xe[:-1] + 0.5, ye[:-1] + 0.5, px, py), m)
    assert L._runs_polygon(np.eye(4, dtype=bool), xe, ye, max_rects=3) is None


def test_no_minimum_surface_and_csv():
    spec = SL.MapSpec("sgd", "saddle", (1.5, 0.001), 50, SL.Axis("lr", 1e-3, 1e-1, True, 6),
                     SL.Axis("start_y", -0.5, 0.5, False, 5), hyperparams=(("lr", 0.01),))
    res = SL.compute_map(spec)
    assert (res.steps_to_tol == -1).all()
    mg = L.metric_grid(res, "loss")
    assert not mg.log and "no minimum" in mg.note
    d = L.map_figure(res, "steps").to_dict()
    assert "no minimum" in d["layout"]["annotations"][0]["text"]
    go.Figure(d)

    res = SL.compute_map(sgdm_spec())
    rows = list(csv.DictReader(io.StringIO(L.map_to_csv(res))))
    assert len(rows) == res.loss.size
    assert list(rows[0]) == ["lr", "momentum", "final_loss", "final_f_minus_fmin", "steps_to_tol_0.001",
                             "diverged_at", "final_x", "final_y"]
    X, Y = np.meshgrid(res.xs, res.ys)
    for r, x, y, loss, dv, st_ in zip(rows, X.ravel(), Y.ravel(), res.loss.ravel(), res.diverged_at.ravel(),
                                      res.steps_to_tol.ravel()):
        assert (float(r["lr"]), float(r["momentum"])) == (x, y)
        assert int(r["diverged_at"]) == dv and int(r["steps_to_tol_0.001"]) == st_
        assert (r["final_loss"] == "") if not math.isfinite(loss) else float(r["final_loss"]) == loss
    html = L.figure_html(L.map_figure(res, "loss", title="t"), "Gradscape: test")
    assert html.startswith("<!DOCTYPE html>") and len(html) > 1_000_000  # plotly.js embedded
    assert L.CLICK_GRID_ROLE not in html


# ---- 5. basins --------------------------------------------------------------------------------
def test_basins_match_runs_and_classify():
    spec = SL.BasinSpec("sgd", "himmelblau", 300, 9, (("lr", 0.02),))
    res = SL.compute_basins(spec)
    surf = spec.surface_obj()
    assert res.basin.shape == (9, 9) and len(res.minima) == 4
    m = np.array([[p.x, p.y] for p in surf.minima])
    for iy, y in enumerate(res.ys):
        for ix, x in enumerate(res.xs):
            run = optimizers.run("sgd", surf, (x, y), 300, lr=0.02)
            np.testing.assert_array_equal(res.final[iy, ix], run.path[-1])
            if run.diverged:
                want = -2
            else:
                d = np.hypot(*(run.path[-1] - m).T)
                want = int(d.argmin()) if d.min() <= spec.dist_tol * surf.size else -1
            assert res.basin[iy, ix] == want
            hit = np.nonzero(run.loss <= spec.tol)[0]
            assert res.steps_to_tol[iy, ix] == (int(hit[0]) if len(hit) else -1)
    fr = res.fractions()
    assert math.isclose(sum(fr.values()), 1.0)
    assert fr["not converged"] > 0  # lr = 0.02 is too large for the steep minima: they cycle
    assert len({k for k in range(4) if fr[k] > 0}) >= 2


def test_basins_figure():
    a = SL.compute_basins(SL.BasinSpec("sgd", "himmelblau", 200, 32, (("lr", 0.01),)))
    b = SL.compute_basins(SL.BasinSpec("adam", "himmelblau", 200, 32, (("lr", 0.05), ("beta1", 0.9),
                                                                      ("beta2", 0.999), ("eps", 1e-8))))
    fig = L.basins_figure([a, b], ["A", "B"])
    d = fig.to_dict()
    go.Figure(d)
    maps = traces(d, "basins")
    assert [t["xaxis"] for t in maps] == ["x", "x2"] and all(t["z"]["dtype"] == "f4" for t in maps)
    z = decode_array(maps[0]["z"])
    band = np.floor(z).astype(int)
    np.testing.assert_array_equal(np.where(a.basin >= 0, band, -9), np.where(a.basin >= 0, a.basin, -9))
    assert (band[a.basin == -1] == 4).all() and (band[a.basin == -2] == 5).all()
    shade = z - band
    fast = (a.basin >= 0) & (a.steps_to_tol >= 0)
    s = a.steps_to_tol[fast]
    assert np.all(np.diff(shade[fast][np.argsort(s)]) >= -1e-6)  # more steps -> lighter
    legend = [t["name"] for t in d["data"] if t.get("showlegend", True) and role(t) == "legend"]
    assert legend[:4] == [f"→ minimum ({p.x:.3g}, {p.y:.3g})" for p in a.minima]
    assert legend[4:] == ["not converged", "diverged", "minimum"]
    assert d["layout"]["xaxis"]["domain"][1] < d["layout"]["xaxis2"]["domain"][0]
    rows = list(csv.DictReader(io.StringIO(L.basins_to_csv([a, b]))))
    assert len(rows) == 2 * 32 * 32 and {r["outcome"] for r in rows} <= {"minimum", "not converged", "diverged"}


# ---- 6. progress and interruption -----------------------------------------------------------------
def test_progress_blocks_and_interrupt():
    spec = sgdm_spec(nx=64, ny=40, steps=100)
    calls = []
    res = SL.compute_map(spec, progress=calls.append, block=512)
    assert len(calls) == 5 and calls[-1] == 1.0 and calls == sorted(calls)
    plain = SL.compute_map(spec)
    np.testing.assert_array_equal(res.loss, plain.loss)
    np.testing.assert_array_equal(res.diverged_at, plain.diverged_at)

    from ui import landscapes as page

    class Stop(Exception):
        pass

    def stop(frac):
        raise Stop

    page.heavy().cache.clear()
    key = spec.key()
    with pytest.raises(Stop):  # the page's rerun works alike: an exception between two blocks
        page.cached_map(key, progress=stop, block=512)
    seen = []
    again = page.cached_map(key, progress=seen.append, block=512)  # not cached: computed again
    assert seen and seen[-1] == 1.0
    np.testing.assert_array_equal(again.loss, plain.loss)
    seen.clear()
    page.cached_map(key, progress=seen.append, block=512)  # now cached: no computation
    assert seen == []


# ---- 7. the page (AppTest) ---------------------------------------------------------------------------
def _page_script():
    import streamlit as st

    st.set_page_config(page_title="Gradscape", layout="wide")
    from ui import landscapes

    landscapes.page()


def open_page(**state) -> AppTest:
    at = AppTest.from_function(_page_script, default_timeout=TIMEOUT)
    for k, v in state.items():
        at.session_state[k] = v
    return ok(at.run())


def ok(at: AppTest) -> AppTest:
    assert not at.exception, "\n".join(e.message + "\n" + "\n".join(e.stack_trace) for e in at.exception)
    return at


def chart(at: AppTest, key: str) -> dict:
    found = [c for c in at.get("plotly_chart") if c.proto.id.endswith(key)]
    assert len(found) == 1, [c.proto.id for c in at.get("plotly_chart")]
    return json.loads(found[0].proto.spec)


def heatmap(at: AppTest) -> dict:
    return chart(at, "ls_map")["data"][0]


def link_urls(at: AppTest) -> list[str]:
    return [e.proto.url for e in at.get("link_button")]


def test_page_default_and_controls():
    at = open_page()
    assert [t.value for t in at.title] == ["Landscapes"]
    base = "ls_ax_rosenbrock_sgdm_None"
    assert at.selectbox(key="ls_opt").value == "sgdm" and at.selectbox(key="ls_surface").value == "rosenbrock"
    assert (at.selectbox(key=f"{base}_x").value, at.selectbox(key=f"{base}_y").value) == ("lr", "momentum")
    fig = chart(at, "ls_map")
    hm = fig["data"][0]
    spec = SL.MapSpec.from_key(hm["meta"]["spec"])
    assert (spec.x.n, spec.y.n, spec.steps, spec.optimizer) == (128, 128, 1000, "sgdm")
    assert hm["z"]["shape"] == "128, 128" and fig["layout"]["xaxis"]["type"] == "log"
    assert "diverged" in [t["name"] for t in fig["data"] if t.get("showlegend", True)]  # large lr diverge
    assert any("in one compiled sweep" in c.value for c in at.caption)
    assert [b.label for b in at.get("download_button")] == ["Map (CSV)", "Map (HTML)"]
    about = "\n".join(m.value for m in at.markdown)
    assert "Python threads" in about and "parallel=True" in about and "threading layer" in about

    # metric: same grid, another z and colour bar
    ok(at.button_group(key="ls_metric").set_value("steps").run())
    hm2 = heatmap(at)
    assert hm2["meta"]["metric"] == "steps" and hm2["meta"]["spec"] == hm["meta"]["spec"]
    assert hm2["colorbar"]["title"]["text"].startswith("steps to f − f*")
    ok(at.button_group(key="ls_metric").set_value("diverged").run())
    assert heatmap(at)["colorbar"]["title"]["text"] == "diverged at step"

    # resolution
    ok(at.radio(key="ls_res").set_value(64).run())
    assert heatmap(at)["z"]["shape"] == "64, 64"

    # axes: y = the start's x, on a linear axis; then x on a linear spacing
    ok(at.selectbox(key=f"{base}_y").set_value("start_x").run())
    fig = chart(at, "ls_map")
    spec = SL.MapSpec.from_key(fig["data"][0]["meta"]["spec"])
    assert spec.y.name == "start_x" and (spec.y.lo, spec.y.hi) == (-2.0, 2.0)
    assert fig["layout"]["yaxis"]["title"]["text"] == "start x (start coordinate)"
    ok(at.radio(key=f"{base}_lr_spacing").set_value("linear").run())
    fig = chart(at, "ls_map")
    assert fig["layout"]["xaxis"]["type"] == "linear" and not SL.MapSpec.from_key(fig["data"][0]["meta"]["spec"]).x.log

    # a fixed hyperparameter slider changes the spec (and the current-settings marker)
    ok(at.select_slider(key="ls_hp_rosenbrock_sgdm_None_momentum").set_value(0.5).run())
    spec = SL.MapSpec.from_key(heatmap(at)["meta"]["spec"])
    assert dict(spec.hyperparams)["momentum"] == 0.5


def test_page_divergent_region_where_theory_says():
    # SGD on the κ = 20 ravine: every lr above 2/κ = 0.1 diverges (the map's x range 0.01..1)
    at = open_page(ls_surface="quadratic", ls_opt="sgd", ls_steps=3000, ls_res=64)
    base = "ls_ax_quadratic_sgd_None"
    assert (at.selectbox(key=f"{base}_x").value, at.selectbox(key=f"{base}_y").value) == ("lr", "start_y")
    ok(at.select_slider(key=f"{base}_lr_range").set_range(0.01, 1.0).run())
    fig = chart(at, "ls_map")
    spec = SL.MapSpec.from_key(fig["data"][0]["meta"]["spec"])
    assert (spec.x.lo, spec.x.hi) == (0.01, 1.0) and dict(spec.surface_params)["kappa"] == 20.0
    xs = spec.x.values()
    div = traces(fig, "diverged")[0]
    px = [v for v in div["x"] if v is not None]
    edges = SL.Axis.edges(xs, True)
    first = int(np.argmax(xs >= 0.1))
    assert min(px) in (edges[first], edges[first + 1])  # the region starts at the boundary cell
    assert max(px) == pytest.approx(edges[-1])
    z = decode_array(fig["data"][0]["z"])
    assert np.isfinite(z[:, : first]).all() and np.isnan(z[:, first + 1:]).all()


def test_page_selected_cell_shows_run_and_explore_link():
    at = open_page(ls_res=64)
    spec = SL.MapSpec.from_key(heatmap(at)["meta"]["spec"])
    res = SL.compute_map(spec)
    ix, iy = 20, 50
    xv, yv = SL.cell_values(res, ix, iy)
    at.session_state["ls_cell"] = {"axes": ("lr", "momentum"), "x": xv, "y": yv}
    ok(at.run())
    fig = chart(at, "ls_map")
    sel = traces(fig, "selected")[0]
    assert (sel["x"], sel["y"]) == ([xv], [yv])
    text = "\n".join(m.value for m in at.markdown)
    assert f"**Selected run** · lr = `{fmt(xv)}`, momentum = `{fmt(yv)}`" in text
    run = optimizers.run("sgdm", spec.surface_obj(), spec.start, spec.steps, lr=xv, momentum=yv)
    cell = chart(at, "ls_cell_chart")
    seg = [t for t in cell["data"] if role(t) == "segment"]
    got = np.concatenate([np.column_stack([decode_array(t["x"]), decode_array(t["y"])]) for t in seg])
    n = run.diverged_at if run.diverged else len(run.path)
    np.testing.assert_array_equal(np.unique(got, axis=0), np.unique(run.path[:n].astype(np.float32), axis=0))
    assert not [t for t in cell["data"] if t.get("name") == "click-grid"]
    # drawn in SGDM's own colour, the one it has on every page
    assert {t["line"]["color"] for t in seg} == {style.optimizer_color(index_of("sgdm"))}

    (url,) = link_urls(at)
    parts = urllib.parse.urlsplit(url)
    assert parts.path.endswith("/explore")
    query = {k: v[-1] for k, v in urllib.parse.parse_qs(parts.query).items()}
    settings, warnings = S.from_query(query)
    assert not warnings
    assert settings.surface == "rosenbrock" and dict(settings.surface_params) == dict(spec.surface_params)
    assert settings.start == tuple(spec.start) and settings.steps == spec.steps
    (cfg,) = settings.optimizers
    assert cfg.id == "sgdm" and cfg.variant == "paper" and cfg.params == {"lr": xv, "momentum": yv}
    assert S.to_query(settings) == query  # canonical
    # the link reproduces the cell exactly
    res_cell = (res.loss[iy, ix], res.diverged_at[iy, ix])
    r = optimizers.run(cfg.id, settings.surface_obj(), settings.start, settings.steps, **cfg.kwargs())
    np.testing.assert_array_equal(r.loss[-1], res_cell[0])
    assert r.diverged_at == res_cell[1]

    # "Set as current" moves the sliders (and so the ○ marker) to the cell
    ok([b for b in at.button if b.label == "Set as current"][0].click().run())
    cur = traces(chart(at, "ls_map"), "current")[0]
    assert (cur["x"], cur["y"]) == ([xv], [yv])


def test_page_explore_url_function_lookahead():
    from ui.landscapes import explore_url

    spec = SL.MapSpec("lookahead", "quadratic", (-1.8, 0.8), 400, SL.Axis("k", 1, 10, False, 10, True),
                     SL.Axis("lr", 1e-3, 1e-1, True, 16), hyperparams=(("k", 5), ("alpha", 0.5), ("lr", 0.01),
                                                                    ("momentum", 0.9)),
                     surface_params=(("kappa", 50.0), ("angle", 30.0)), inner="sgdm")
    url = explore_url(spec, 7.0, 0.0215443, "http://h:1/app/")
    assert url.startswith("http://h:1/app/explore?")
    q = {k: v[-1] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).items()}
    s, w = S.from_query(q)
    assert not w and s.optimizers[0].params == {"inner": "sgdm", "k": 7, "alpha": 0.5, "lr": 0.0215443,
                                                "momentum": 0.9}
    assert explore_url(spec, 7.0, 0.0215443).startswith("/explore?")


def test_page_basins_mode():
    at = open_page(ls_mode="Basins of attraction", lb_n=64, lb_steps=300)
    fig = chart(at, "lb_chart")
    maps = traces(fig, "basins")
    assert len(maps) == 2 and maps[0]["name"].startswith("A: SGD") and maps[1]["name"].startswith("B: Adam")
    assert maps[0]["z"]["shape"] == "64, 64"
    table = at.dataframe[0].value
    assert list(table["optimizer"]) == [maps[0]["name"], maps[1]["name"]]
    assert "→ (3, 2)" in table.columns and "diverged" in table.columns
    assert [b.label for b in at.get("download_button")] == ["Basins (CSV)", "Basins (HTML)"]
    ok(at.selectbox(key="lb1_opt").set_value("rmsprop").run())
    assert traces(chart(at, "lb_chart"), "basins")[1]["name"].startswith("B: RMSProp")


def test_page_progress_bar_for_big_maps(monkeypatch):
    from ui import landscapes as page

    page.heavy().cache.clear()
    monkeypatch.setattr(page, "PROGRESS_WORK", 1)  # every map counts as big
    at = open_page(ls_res=64, ls_steps=50)
    assert not at.get("progress")  # emptied once done
    spec = SL.MapSpec.from_key(heatmap(at)["meta"]["spec"])
    want = L.metric_grid(SL.compute_map(spec), "loss").z
    np.testing.assert_array_equal(decode_array(heatmap(at)["z"]), want)
    # a second session gets it from the cache: the progress bar (drawn from outside the cached
    # function) was not recorded, so nothing is replayed and nothing fails
    again = open_page(ls_res=64, ls_steps=50)
    assert not again.get("progress")
    np.testing.assert_array_equal(decode_array(heatmap(again)["z"]), want)


@pytest.mark.parametrize("state,axes", [
    ({"ls_opt": "lookahead"}, ("lr", "alpha")),
    ({"ls_opt": "nag", "ls_surface": "himmelblau"}, ("lr", "momentum")),
    ({"ls_opt": "adam", "ls_surface": "beale"}, ("lr", "beta1")),
    ({"ls_opt": "adagrad", "ls_surface": "saddle"}, ("lr", "start_y")),
    ({"ls_opt": "adabound", "ls_surface": "quadratic"}, ("lr", "beta1")),
])
def test_page_other_optimizers_and_surfaces(state, axes):
    at = open_page(ls_res=64, ls_steps=100, **state)
    spec = SL.MapSpec.from_key(heatmap(at)["meta"]["spec"])
    assert (spec.optimizer, spec.surface) == (state["ls_opt"], state.get("ls_surface", "rosenbrock"))
    assert (spec.x.name, spec.y.name) == axes
    if state["ls_opt"] == "lookahead":
        assert spec.inner == "adam" and at.selectbox(key="ls_inner").value == "adam"
    if state["ls_opt"] in ("nag", "adabound"):
        assert at.radio(key=f"ls_variant_{state['ls_opt']}_None").value == "paper"


# ---- 8. concurrency ---------------------------------------------------------------------------------
def test_no_parallel_kernels_and_threading_layer():
    import importlib
    import pkgutil

    import numba
    from numba.core.registry import CPUDispatcher

    found = []
    for pkg in (optimizers, surfaces):
        for info in pkgutil.iter_modules(pkg.__path__):
            mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
            found += [v for v in vars(mod).values() if isinstance(v, CPUDispatcher) and v not in found]
    assert len(found) > 20
    assert not [d for d in found if d.targetoptions.get("parallel")]
    assert all(d.targetoptions.get("nogil") for d in found)
    print(f"\n  numba.config.THREADING_LAYER = {numba.config.THREADING_LAYER!r}; {len(found)} kernels, "
          "none with parallel=True")


CONCURRENT = [("sgd", "rosenbrock"), ("sgdm", "quadratic"), ("adam", "rosenbrock"), ("rmsprop", "himmelblau"),
              ("nag", "booth")]


def test_five_sessions_at_once_apptest():
    from ui import landscapes as page

    page.heavy().cache.clear()
    apps = [AppTest.from_function(_page_script, default_timeout=TIMEOUT) for _ in CONCURRENT]
    for at, (oid, sid) in zip(apps, CONCURRENT):
        at.session_state["ls_opt"] = oid
        at.session_state["ls_surface"] = sid
        at.session_state["ls_steps"] = 800
    errors = []
    barrier = threading.Barrier(len(apps))

    def go_(at):
        try:
            barrier.wait()
            at.run()
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))

    threads = [threading.Thread(target=go_, args=(at,)) for at in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    keys = set()
    for at, (oid, sid) in zip(apps, CONCURRENT):
        ok(at)
        hm = heatmap(at)
        spec = SL.MapSpec.from_key(hm["meta"]["spec"])
        assert (spec.optimizer, spec.surface, spec.steps) == (oid, sid, 800)
        keys.add(spec.key())
        want = L.metric_grid(SL.compute_map(spec), "loss").z  # single-threaded, uncached
        np.testing.assert_array_equal(decode_array(hm["z"]), want)
    assert len(keys) == len(CONCURRENT)


def test_five_threads_through_the_cached_function():
    from ui import landscapes as page

    page.heavy().cache.clear()
    specs = [SL.MapSpec(oid, sid, tuple(surfaces.SURFACES[sid].start), 1000,
                       SL.Axis("lr", 1e-4, 1e-1, True, 160), SL.Axis("start_y", *surfaces.SURFACES[sid].bounds[1], False, 96),
                       hyperparams=tuple((h.name, h.default) for h in SL.hyperparams_of(oid)),
                       surface_params=tuple(zip((p.name for p in surfaces.SURFACES[sid].params),
                                                surfaces.SURFACES[sid].values)))
             for oid, sid in CONCURRENT]
    out, errors, spans = {}, [], {}
    barrier = threading.Barrier(len(specs))

    def work(i, spec):
        try:
            barrier.wait()
            t0 = time.perf_counter()
            out[i] = page.cached_map(spec.key(), progress=lambda f: None, block=2048)
            spans[i] = (t0, time.perf_counter())
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(i, s)) for i, s in enumerate(specs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(out) == len(specs)
    # the computations overlapped in time (they really ran concurrently)
    assert max(s[0] for s in spans.values()) < min(s[1] for s in spans.values())
    for i, spec in enumerate(specs):
        want = SL.compute_map(spec)  # alone, single caller
        got = out[i]
        assert got.spec == spec
        for name in ("loss", "steps_to_tol", "diverged_at", "final"):
            np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=f"{spec.optimizer} {name}")


# ---- 9. the browser ---------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    chromium = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if chromium is None:
        pytest.skip("no chromium")
    pytest.importorskip("playwright.sync_api")
    script = tmp_path_factory.mktemp("app") / "landscapes_app.py"
    script.write_text(
        "import streamlit as st\n"
        "st.set_page_config(page_title='Gradscape', layout='wide')\n"
        "from ui import landscapes\n"
        "landscapes.page()\n")
    port = _free_port()
    log = open(tmp_path_factory.mktemp("log") / "streamlit.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 90
        while True:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if time.time() > deadline or proc.poll() is not None:
                pytest.fail("the Streamlit server did not start")
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}", chromium
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _wait_idle(page, timeout=60):
    """Until the app has stopped running (Streamlit's status widget gone) and charts are drawn."""
    page.wait_for_selector(".js-plotly-plot .heatmaplayer, .js-plotly-plot .hm image", timeout=timeout * 1000)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not page.locator("[data-testid='stStatusWidget']").count():
            break
        time.sleep(0.2)
    time.sleep(1.0)


def test_browser_screenshots_and_click(server):
    from playwright.sync_api import sync_playwright

    url, chromium = server
    out = ROOT / "artifacts" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url)
            _wait_idle(page)
            page.screenshot(path=str(out / "landscapes_top.png"))
            chart_el = page.locator(".js-plotly-plot").first
            chart_el.scroll_into_view_if_needed()
            time.sleep(0.5)
            page.screenshot(path=str(out / "landscapes_map.png"))

            # hover then click a cell two thirds up, a quarter across: its run appears beside
            box = chart_el.locator(".nsewdrag").first.bounding_box()
            x, y = box["x"] + 0.25 * box["width"], box["y"] + 0.33 * box["height"]
            page.mouse.move(x, y)
            time.sleep(0.5)
            hover = page.locator(".hoverlayer").first.text_content() or ""
            assert "lr" in hover and "momentum" in hover
            page.screenshot(path=str(out / "landscapes_hover.png"))
            page.mouse.click(x, y)
            page.get_by_text("Open in Explore").wait_for(timeout=30_000)
            _wait_idle(page)
            link = page.get_by_role("link", name="Open in Explore").get_attribute("href")
            assert link.startswith(url + "/explore?")
            q = {k: v[-1] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(link).query).items()}
            settings, warnings = S.from_query(q)
            assert not warnings and settings.optimizers[0].id == "sgdm"
            lr = settings.optimizers[0].params["lr"]
            assert 1e-6 < lr < 1  # the clicked cell's learning rate
            chart_el.scroll_into_view_if_needed()
            time.sleep(0.5)
            page.screenshot(path=str(out / "landscapes_selected.png"))

            page.get_by_text("Basins of attraction").click()
            page.get_by_text("A: SGD").first.wait_for(timeout=60_000)
            _wait_idle(page)
            page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
            time.sleep(0.5)
            page.screenshot(path=str(out / "landscapes_basins.png"))
            assert not errors, errors
        finally:
            browser.close()
    for name in ("top", "map", "hover", "selected", "basins"):
        assert (out / f"landscapes_{name}.png").stat().st_size > 20_000
