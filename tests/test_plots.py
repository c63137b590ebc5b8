"""The Explore page's pure Plotly figure builders (``plots``).

Paths come from the real engine (``optimizers.run``).  Groups:

1. structure     trace names / roles / order (contour first, click grid last), legend, axes
2. animation     ≤ max_frames frames, frames carry only path traces, every frame draws exactly
                 the path up to its step, the last one the full paths; Play / slider redraw
3. values        log contour for Rosenbrock (a grid point checked), linear for Booth,
                 minimum marker, hover customdata (step, loss)
4. divergence    a diverged path stops at its last finite point; legend says so, once
5. 3D            one Surface, Scatter3d per path, frames carry only Scatter3d
6. payload       default view ≤ 1 MB, arrays as base64 (no long lists), deterministic,
                 valid Plotly (re-validated), cheap ``to_dict`` identical to Plotly's
7. other inputs  no minima (saddle), Lookahead slow weights, no paths, loss / distance
8. click grid    the selection helpers
"""
from __future__ import annotations

import json
import math
import re
import time

import numpy as np
import plotly
import plotly.graph_objects as go
import plotly.io as pio
import pytest

import optimizers
import surfaces
from plots import (CLICK_GRID_NAME, COLORS, FastFigure, PathView, click_grid_index, click_grid_points,
                   contour_figure, decode_array, distance_figure, figure_payload_bytes, legend_label,
                   loss_figure, snap_to_click_grid, start_from_selection, surface3d_figure, thin_steps,
                   trace_roles, value_map)

ROSEN = surfaces.SURFACES["rosenbrock"]
BOOTH = surfaces.SURFACES["booth"]
SADDLE = surfaces.SURFACES["saddle"]
START = (-1.5, 2.0)
STEPS = 300
DEFAULT = (("sgd", {"lr": 0.0015}), ("sgdm", {"lr": 0.0015, "momentum": 0.9}), ("adam", {"lr": 0.3}))
PATH_ROLES = {"segment", "slow", "trail", "slow-trail", "head"}


def views(surface, start, configs, steps=STEPS):
    out = []
    for i, (oid, kw) in enumerate(configs):
        r = optimizers.run(oid, surface, start, steps, **kw)
        out.append(PathView.from_run(r, f"{oid} lr={kw['lr']:g}", COLORS[i]))
    return out


@pytest.fixture(scope="module")
def paths():
    return views(ROSEN, START, DEFAULT)


@pytest.fixture(scope="module")
def contour(paths):
    return contour_figure(ROSEN, paths)


@pytest.fixture(scope="module")
def surf3d(paths):
    return surface3d_figure(ROSEN, paths)


@pytest.fixture(scope="module")
def diverged():
    """sgd lr=0.1 on Rosenbrock from (-1.5, 2) blows up within a few steps; adam does not."""
    pvs = views(ROSEN, START, (("sgd", {"lr": 0.1}), ("adam", {"lr": 0.05})))
    assert pvs[0].diverged_at > 0 and pvs[1].diverged_at == -1
    return pvs


def path_traces(fig, p):
    """(index, role) of path p's traces, in order."""
    return [(i, tr.meta["role"]) for i, tr in enumerate(fig.data)
            if isinstance(tr.meta, dict) and tr.meta.get("path") == p and tr.meta["role"] in PATH_ROLES]


def drawn(fig, frame, p):
    """The points path p shows in ``frame`` (None = the initial state): the visible segments'
    points (boundaries once) followed by the trail's, as an (n, 2) float32 array."""
    updates = {}
    if frame is not None:
        updates = dict(zip(frame.traces, frame.data))
    pts = []
    for i, role in path_traces(fig, p):
        tr = fig.data[i]
        upd = updates.get(i)
        if role == "segment":
            visible = tr.visible if upd is None else upd.visible
            if visible:
                xy = np.stack([decode_array(tr.x), decode_array(tr.y)], axis=1)
                pts.append(xy if not pts else xy[1:])
        elif role == "trail":
            src = tr if upd is None else upd
            xy = np.stack([decode_array(src.x), decode_array(src.y)], axis=1)
            if pts:  # the trail starts where the last visible segment ended
                np.testing.assert_array_equal(xy[0], pts[-1][-1])
                xy = xy[1:]
            pts.append(xy)
    return np.concatenate(pts) if pts else np.zeros((0, 2), np.float32)


# ---- 1. structure -------------------------------------------------------------------------------
def test_trace_order_and_names(contour, paths):
    roles = trace_roles(contour)
    assert roles[0] == "contour" and contour.data[0].type == "contour"
    assert roles[1] == "minima" and roles[2] == "start"
    assert roles[-1] == "click-grid" and contour.data[-1].name == CLICK_GRID_NAME
    assert contour.data[-1].showlegend is False
    assert click_grid_index(contour) == len(contour.data) - 1
    # per path, in order: its segments, then trail, then head; paths in the given order
    body = roles[3:-1]
    k = 0
    for p, pv in enumerate(paths):
        mine = path_traces(contour, p)
        assert [r for _, r in mine][-2:] == ["trail", "head"]
        assert set(r for _, r in mine[:-2]) == {"segment"}
        assert [i for i, _ in mine] == list(range(3 + k, 3 + k + len(mine)))
        k += len(mine)
        for i, _ in mine:
            assert contour.data[i].name == pv.label
            assert contour.data[i].mode in ("lines+markers", "markers")
            assert contour.data[i].marker.color == pv.color
    assert k == len(body)
    # one legend entry per path (its trail), with its label
    legend = [tr.name for tr in contour.data if tr.showlegend and tr.type == "scatter"
              and tr.meta["role"] in PATH_ROLES]
    assert legend == [pv.label for pv in paths]
    assert all(tr.mode == "lines+markers" for tr in contour.data if tr.meta["role"] in ("segment", "trail"))


def test_layout(contour):
    lay = contour.layout
    (x0, x1), (y0, y1) = ROSEN.bounds
    assert tuple(lay.xaxis.range) == (x0, x1) and tuple(lay.yaxis.range) == (y0, y1)
    assert lay.xaxis.title.text == "x" and lay.yaxis.title.text == "y"
    assert lay.yaxis.scaleanchor == "x" and lay.yaxis.scaleratio == 1
    assert lay.legend.font.size >= 13
    assert lay.legend.y >= 1.0  # above the plot, not over it
    assert lay.uirevision and contour_figure(ROSEN, []).layout.uirevision == lay.uirevision
    assert lay.height == 620


def test_no_streamlit_import():
    import plots.explore
    import plots.style
    for mod in (plots.explore, plots.style):
        src = open(mod.__file__).read()
        assert not re.search(r"^\s*(import|from)\s+streamlit", src, re.M)


def test_palette():
    assert len(COLORS) == 8 and len(set(COLORS)) == 8
    assert all(re.fullmatch(r"#[0-9A-Fa-f]{6}", c) for c in COLORS)
    assert "#F0E442" not in COLORS  # Okabe-Ito yellow: invisible on a light background


# ---- 2. animation -------------------------------------------------------------------------------
@pytest.mark.parametrize("n,k", [(300, 100), (300, 301), (10, 100), (0, 100), (5000, 100), (7, 1), (99, 2)])
def test_thin_steps(n, k):
    s = thin_steps(n, k)
    assert len(s) <= max(1, k) and s[-1] == n
    assert np.all(np.diff(s) > 0)
    if k >= 2 and n >= 1:
        assert s[0] == 0
    if k >= n + 1:
        np.testing.assert_array_equal(s, np.arange(n + 1))


def test_frames(contour, paths):
    frames = contour.frames
    assert 2 <= len(frames) <= 100
    assert frames[-1].name == str(STEPS) and frames[0].name == "0"
    animated = [i for i, r in enumerate(trace_roles(contour)) if r in PATH_ROLES]
    for fr in frames:
        assert list(fr.traces) == animated  # only path traces ...
        assert len(fr.data) == len(animated)
    for fr in contour.to_dict()["frames"]:  # ... and no contour / grid / marker data rides along
        for d in fr["data"]:
            assert set(d) <= {"visible", "x", "y", "customdata"}, set(d)
    # the slider names every frame, the last one active
    slider = contour.layout.sliders[0]
    assert [s.args[0][0] for s in slider.steps] == [fr.name for fr in frames]
    assert slider.active == len(frames) - 1


def test_every_frame_draws_the_path_up_to_its_step(contour, paths):
    for fr in contour.frames:
        t = int(fr.name)
        for p, pv in enumerate(paths):
            np.testing.assert_array_equal(drawn(contour, fr, p), pv.path[: t + 1].astype(np.float32))
            head = dict(zip(fr.traces, fr.data))[path_traces(contour, p)[-1][0]]
            assert head.customdata[0][0] == t
            assert head.x[0] == pytest.approx(pv.path[t, 0], rel=1e-6)


def test_initial_state_is_the_last_frame(contour, paths):
    last = contour.frames[-1]
    for p, pv in enumerate(paths):
        full = pv.path.astype(np.float32)
        np.testing.assert_array_equal(drawn(contour, None, p), full)
        np.testing.assert_array_equal(drawn(contour, last, p), full)
    for i, d in zip(last.traces, last.data):
        if d.visible is not None:
            assert d.visible is True and contour.data[i].visible is True


def test_play_and_slider_redraw(contour, surf3d):
    for fig in (contour, surf3d):
        play, pause = fig.layout.updatemenus[0].buttons
        assert play.method == "animate" and play.args[0] is None
        opts = play.args[1]
        assert opts["frame"]["redraw"] is True
        assert opts["fromcurrent"] is True
        assert 40 <= opts["frame"]["duration"] <= 60
        assert opts["transition"]["duration"] == 0
        assert list(pause.args[0]) == [None]
        for step in fig.layout.sliders[0].steps:
            assert step.method == "animate"
            assert step.args[1]["frame"]["redraw"] is True
            assert step.args[1]["transition"]["duration"] == 0


def test_max_frames_respected(paths):
    fig = contour_figure(ROSEN, paths, max_frames=17)
    assert len(fig.frames) <= 17 and fig.frames[-1].name == str(STEPS)
    long = views(ROSEN, START, DEFAULT[:1], steps=2000)
    fig = contour_figure(ROSEN, long)
    assert len(fig.frames) <= 100
    np.testing.assert_array_equal(drawn(fig, fig.frames[-1], 0), long[0].path.astype(np.float32))
    assert len(fig.data) < 40  # segments are capped


# ---- 3. values ----------------------------------------------------------------------------------
def test_log_contour_rosenbrock(contour):
    assert ROSEN.contour == "log"
    c = contour.data[0]
    x, y, z = decode_array(c.x), decode_array(c.y), decode_array(c.z)
    assert z.shape == (120, 120) and z.dtype == np.float32
    vm = value_map(ROSEN)
    assert vm.log and vm.ref == 0.0
    i, j = 17, 83  # an arbitrary grid point: z = log10(f − f*), floored at 10**lo
    f = ROSEN.value(float(x[j]), float(y[i]))
    assert z[i, j] == pytest.approx(math.log10(max(f - ROSEN.f_min, 10 ** vm.lo)), abs=1e-4)
    assert z.max() == pytest.approx(vm.hi, abs=1e-3) and z.min() >= vm.lo - 1e-6
    assert vm.hi == pytest.approx(math.log10(ROSEN.value(-2.0, -1.0)), abs=1e-6)  # the worst corner
    # levels are log-spaced: the colour bar labels decades with real values
    cb = c.colorbar
    assert list(cb.tickvals) == list(range(math.ceil(vm.lo), math.floor(vm.hi) + 1))
    assert "1" in cb.ticktext and "100" in cb.ticktext and "0.01" in cb.ticktext
    assert 20 <= (c.contours.end - c.contours.start) / c.contours.size <= 30
    assert c.contours.showlines is True and c.hoverinfo == "skip"


def test_linear_contour_booth():
    assert BOOTH.contour == "linear"
    fig = contour_figure(BOOTH, views(BOOTH, BOOTH.start, (("adam", {"lr": 0.1}),), steps=50))
    c = fig.data[0]
    x, y, z = decode_array(c.x), decode_array(c.y), decode_array(c.z)
    (x0, x1), (y0, y1) = BOOTH.bounds
    assert (x[0], x[-1], y[0], y[-1]) == (x0, x1, y0, y1)
    i, j = 40, 101
    assert z[i, j] == pytest.approx(BOOTH.value(float(x[j]), float(y[i])), rel=1e-6)
    assert c.colorbar.tickvals is None  # plain linear ticks
    assert fig.data[1].x == (1.0,) and fig.data[1].y == (3.0,)


def test_minimum_and_start_markers(contour):
    m = contour.data[1]
    assert m.name == "minimum" and m.x == (1.0,) and m.y == (1.0,)
    assert m.marker.symbol == "star"
    s = contour.data[2]
    assert s.name == "start" and (s.x[0], s.y[0]) == START
    other = contour_figure(ROSEN, [], start=(0.5, -0.25))
    assert (other.data[2].x[0], other.data[2].y[0]) == (0.5, -0.25)


def test_hover_customdata(contour, paths):
    for p, pv in enumerate(paths):
        for i, role in path_traces(contour, p):
            tr = contour.data[i]
            if role == "segment":
                cd = decode_array(tr.customdata)
                x = decode_array(tr.x)
                steps = cd[:, 0].astype(int)
                assert cd.shape == (len(x), 2)
                np.testing.assert_array_equal(x, pv.path[steps, 0].astype(np.float32))
                np.testing.assert_allclose(cd[:, 1], pv.loss[steps], rtol=1e-6)
                assert "customdata[0]" in tr.hovertemplate and "customdata[1]" in tr.hovertemplate
                assert "step" in tr.hovertemplate and "loss" in tr.hovertemplate
            elif role == "head":
                assert tr.customdata[0][0] == STEPS
            elif role == "trail":
                assert tr.hoverinfo == "skip"


# ---- 4. divergence ------------------------------------------------------------------------------
def test_diverged_path(diverged):
    sgd = diverged[0]
    d = sgd.diverged_at
    assert np.isnan(sgd.path[d:]).all() and np.isfinite(sgd.path[:d]).all()
    fig = contour_figure(ROSEN, diverged)
    label = legend_label(sgd)
    assert label == f"{sgd.label} — diverged at step {d}"
    assert legend_label(PathView(label, sgd.color, sgd.path, sgd.loss, d)) == label  # not twice
    assert legend_label(diverged[1]) == diverged[1].label
    names = [tr.name for tr in fig.data if tr.showlegend and tr.meta["role"] == "trail"]
    assert names == [label, diverged[1].label]
    # drawn up to its last finite point, in every frame, and never a NaN
    full = sgd.path[:d].astype(np.float32)
    for fr in fig.frames:
        pts = drawn(fig, fr, 0)
        t = int(fr.name)
        np.testing.assert_array_equal(pts, full[: min(t, d - 1) + 1])
    np.testing.assert_array_equal(drawn(fig, None, 0), full)
    for i, _ in path_traces(fig, 0):
        for key in ("x", "y", "customdata"):
            v = getattr(fig.data[i], key)
            if v is not None:
                assert np.isfinite(decode_array(v).astype(float)).all()
    # frames run over the longest run
    assert fig.frames[-1].name == str(STEPS)
    # the loss figure stops there too and marks it
    lf = loss_figure(diverged, ROSEN.f_min)
    line = next(tr for tr in lf.data if tr.meta["role"] == "series" and tr.meta["path"] == 0)
    assert len(decode_array(line.y)) == d and line.name == label and (line.x0, line.dx) == (0, 1)
    x_mark = next(tr for tr in lf.data if tr.meta["role"] == "diverged")
    assert x_mark.x == (d - 1,)


# ---- 5. 3D --------------------------------------------------------------------------------------
def test_surface3d(surf3d, paths):
    types = [tr.type for tr in surf3d.data]
    assert types.count("surface") == 1 and types[0] == "surface"
    assert all(t in ("surface", "scatter3d") for t in types)
    for p in range(len(paths)):
        mine = path_traces(surf3d, p)
        assert [r for _, r in mine][-2:] == ["trail", "head"]
        assert all(surf3d.data[i].type == "scatter3d" for i, _ in mine)
        legend = [surf3d.data[i] for i, _ in mine if surf3d.data[i].showlegend]
        assert len(legend) == 1 and legend[0].mode == "lines+markers"
    z = decode_array(surf3d.data[0].z)
    assert z.shape == (60, 60) and z.dtype == np.float32
    assert surf3d.layout.scene.zaxis.title.text == "log10(f − f*)"
    assert surf3d.layout.scene.camera.eye.z > 0  # looking down at an angle
    animated = [i for i, tr in enumerate(surf3d.data) if tr.meta["role"] in PATH_ROLES]
    assert 2 <= len(surf3d.frames) <= 100 and surf3d.frames[-1].name == str(STEPS)
    for fr in surf3d.frames:
        assert list(fr.traces) == animated
        assert all(d.type == "scatter3d" for d in fr.data)
        assert all(surf3d.data[i].type == "scatter3d" for i in fr.traces)
    # the lifted path: z follows the (clipped) log loss
    seg = surf3d.data[path_traces(surf3d, 2)[0][0]]
    zs = decode_array(seg.z).astype(float)
    cd = decode_array(seg.customdata)
    assert np.all(np.diff(zs) != 0) or len(zs) < 2
    assert zs[0] == pytest.approx(max(math.log10(cd[0, 1]), zs.min()), abs=0.05)


def test_surface3d_linear_title():
    fig = surface3d_figure(BOOTH, views(BOOTH, BOOTH.start, (("adam", {"lr": 0.1}),), steps=20))
    assert fig.layout.scene.zaxis.title.text == "f"


# ---- 6. payload, speed, validity ------------------------------------------------------------------
def default_view(paths):
    return [contour_figure(ROSEN, paths), surface3d_figure(ROSEN, paths),
            loss_figure(paths, ROSEN.f_min), distance_figure(paths, ROSEN)]


def test_payload_default_view(paths):
    sizes = [figure_payload_bytes(f) for f in default_view(paths)]
    assert sum(sizes) <= 1_000_000, sizes


def test_arrays_are_base64(paths):
    for fig in default_view(paths):
        text = pio.to_json(fig, validate=False)
        assert '"bdata"' in text
        # no long literal lists of numbers anywhere (frames included)
        assert not re.search(r"\[(?:\s*-?[0-9.eE+-]+\s*,){40,}", text)
    c = json.loads(pio.to_json(default_view(paths)[0], validate=False))
    assert c["data"][0]["z"]["dtype"] == "f4"
    assert c["data"][-1]["x"]["dtype"] == "f4"


def test_deterministic(paths):
    a = [pio.to_json(f, validate=False) for f in default_view(paths)]
    b = [pio.to_json(f, validate=False) for f in default_view(paths)]
    assert a == b


def test_valid_plotly_and_cheap_to_dict(paths):
    for fig in default_view(paths):
        assert isinstance(fig, FastFigure) and isinstance(fig, go.Figure)
        fast = fig.to_dict()
        slow = go.Figure.to_dict(fig)  # Plotly's own (deep copy + base64 conversion)
        assert json.loads(pio.to_json(fast, validate=False)) == json.loads(pio.to_json(slow, validate=False))
        go.Figure(fast)  # full validation: raises on any invalid property
        # what st.plotly_chart does with a figure
        spec = pio.to_json(plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True),
                           validate=False)
        assert len(spec.encode()) == figure_payload_bytes(fig)


def test_build_time(paths):
    """Loose guard (CI machines vary): builders plus serialisation of the default view."""
    default_view(paths)  # warm caches
    t0 = time.perf_counter()
    for fig in default_view(paths):
        pio.to_json(plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True), validate=False)
    assert time.perf_counter() - t0 < 0.5


# ---- 7. other inputs -----------------------------------------------------------------------------
def test_saddle_surface_every_builder():
    assert not SADDLE.minima and SADDLE.saddles and math.isnan(SADDLE.f_min)
    pvs = views(SADDLE, SADDLE.start, (("sgd", {"lr": 0.01}), ("adam", {"lr": 0.01})), steps=120)
    c = contour_figure(SADDLE, pvs)
    assert trace_roles(c)[:3] == ["contour", "saddles", "start"]
    assert c.data[1].x == (0.0,) and c.data[1].y == (0.0,) and c.data[1].marker.symbol != "star"
    assert c.data[0].colorbar.tickvals is None  # linear
    assert len(c.frames) <= 100 and c.frames[-1].name == "120"
    s = surface3d_figure(SADDLE, pvs)
    assert s.layout.scene.zaxis.title.text == "f" and trace_roles(s)[1] == "saddles"
    lf = loss_figure(pvs, SADDLE.f_min)
    assert lf.layout.yaxis.type != "log" and lf.layout.yaxis.title.text == "f"
    np.testing.assert_allclose(decode_array(lf.data[0].y), pvs[0].loss[: pvs[0].n_valid], rtol=1e-6)
    df = distance_figure(pvs, SADDLE)
    assert df.layout.yaxis.type == "log" and "saddle" in df.layout.yaxis.title.text
    d = decode_array(df.data[0].y)
    np.testing.assert_allclose(d, np.hypot(*pvs[0].path[: pvs[0].n_valid].T), rtol=1e-6)
    for fig in (c, s, lf, df):
        go.Figure(fig.to_dict())


def test_log_surface_without_minima_uses_grid_minimum():
    import dataclasses
    surf = dataclasses.replace(ROSEN, id="rosenbrock-nominima", minima=())
    vm = value_map(surf)
    assert vm.log and vm.ref == pytest.approx(float(np.min(ROSEN.value(*np.meshgrid(
        np.linspace(-2, 2, 121), np.linspace(-1, 3, 121))))))
    contour_figure(surf, [])
    surface3d_figure(surf, [])
    distance_figure([], surf)


def shown_slow_steps(fig, frame, p):
    """The steps of the slow weights path p shows in ``frame`` (None = the initial state)."""
    updates = {} if frame is None else dict(zip(frame.traces, frame.data))
    out = []
    for i, role in path_traces(fig, p):
        tr, upd = fig.data[i], updates.get(i)
        if role == "slow" and (tr.visible if upd is None else upd.visible):
            out.extend(decode_array(tr.customdata).tolist() if tr.customdata else [])
        elif role == "slow-trail":
            src = tr if upd is None else upd
            out.extend(decode_array(src.customdata).tolist() if src.customdata else [])
    return out


def test_lookahead_slow_weights():
    r = optimizers.run("lookahead", ROSEN, START, 200, inner="adam", lr=0.05, k=5, alpha=0.5)
    pv = PathView.from_run(r, "lookahead", COLORS[0])
    assert pv.slow is not None and len(pv.slow) == len(pv.slow_steps) == 41
    fig = contour_figure(ROSEN, [pv])
    roles = [r for _, r in path_traces(fig, 0)]
    assert roles[-3:] == ["trail", "slow-trail", "head"]
    n_seg = roles.count("segment")
    assert roles[:2 * n_seg] == ["segment"] * n_seg + ["slow"] * n_seg
    assert all(fig.data[i].marker.symbol == "diamond" for i, r in path_traces(fig, 0) if r.startswith("slow"))
    all_steps = pv.slow_steps.tolist()
    assert shown_slow_steps(fig, None, 0) == all_steps
    for fr in fig.frames:  # exactly the slow weights set up to the frame's step, each once
        assert shown_slow_steps(fig, fr, 0) == [s for s in all_steps if s <= int(fr.name)]
        np.testing.assert_array_equal(drawn(fig, fr, 0), pv.path[: int(fr.name) + 1].astype(np.float32))
    # no slow weights in 3D, and plain runs carry none
    assert "slow" not in trace_roles(surface3d_figure(ROSEN, [pv]))
    # plain runs carry no slow weights
    plain = PathView.from_run(optimizers.run("adam", ROSEN, START, 10, lr=0.05), "adam", COLORS[1])
    assert plain.slow is None


def test_no_paths():
    for fig in (contour_figure(ROSEN, []), surface3d_figure(ROSEN, [])):
        assert not fig.frames and not fig.layout.updatemenus and not fig.layout.sliders
    assert trace_roles(contour_figure(ROSEN, []))[-1] == "click-grid"
    loss_figure([], 0.0)
    distance_figure([], ROSEN)


def test_loss_and_distance(paths):
    lf = loss_figure(paths, ROSEN.f_min)
    assert lf.layout.yaxis.type == "log" and lf.layout.xaxis.title.text == "step"
    assert [tr.name for tr in lf.data] == [pv.label for pv in paths]
    assert [tr.line.color for tr in lf.data] == [pv.color for pv in paths]
    y = decode_array(lf.data[2].y)
    np.testing.assert_allclose(y, np.maximum(paths[2].loss - ROSEN.f_min, 1e-16), rtol=1e-6)
    np.testing.assert_allclose(decode_array(lf.data[2].customdata), paths[2].loss, rtol=1e-6)
    assert "step %{x}" in lf.data[0].hovertemplate and "loss" in lf.data[0].hovertemplate
    df = distance_figure(paths, ROSEN)
    d = decode_array(df.data[1].y)
    np.testing.assert_allclose(d, np.maximum(np.hypot(*(paths[1].path - [1.0, 1.0]).T), 1e-16 * ROSEN.size),
                               rtol=1e-6)
    assert df.layout.yaxis.type == "log"


def test_loss_figure_clips_a_blow_up(diverged):
    lf = loss_figure(diverged, ROSEN.f_min)
    cap = lf.layout.yaxis.autorangeoptions.maxallowed
    assert cap is not None and cap < math.log10(np.nanmax(diverged[0].loss[: diverged[0].n_valid]))
    assert loss_figure(diverged, ROSEN.f_min, clip_diverged=False).layout.yaxis.autorangeoptions.maxallowed is None


def test_multiple_minima():
    him = surfaces.SURFACES["himmelblau"]
    fig = contour_figure(him, [])
    assert fig.data[1].name == "minima" and len(fig.data[1].x) == 4
    pvs = views(him, (0.0, 0.0), (("adam", {"lr": 0.1}),), steps=100)
    df = distance_figure(pvs, him)
    mins = np.array([[m.x, m.y] for m in him.minima])
    p = pvs[0].path
    want = np.min(np.linalg.norm(p[:, None, :] - mins[None], axis=2), axis=1)
    np.testing.assert_allclose(decode_array(df.data[0].y), want, rtol=1e-6)


def test_non_square_domain_keeps_equal_aspect_when_readable():
    quad = surfaces.SURFACES["quadratic"]  # 4 × 2
    assert contour_figure(quad, []).layout.yaxis.scaleanchor == "x"
    import dataclasses
    sliver = dataclasses.replace(quad, id="sliver", bounds=((-10.0, 10.0), (-1.0, 1.0)))
    fig = contour_figure(sliver, [])
    assert fig.layout.yaxis.scaleanchor is None
    assert tuple(fig.layout.xaxis.range) == (-10.0, 10.0)


# ---- 8. click grid --------------------------------------------------------------------------------
def test_click_grid_trace(contour):
    g = contour.data[-1]
    x, y = decode_array(g.x), decode_array(g.y)
    assert len(x) == len(y) == 1600
    (x0, x1), (y0, y1) = ROSEN.bounds
    assert x.min() > x0 and x.max() < x1 and y.min() > y0 and y.max() < y1
    assert g.marker.opacity <= 0.01 and g.hoverinfo != "skip"
    assert g.selected.marker.opacity <= 0.01 and g.unselected.marker.opacity <= 0.01
    f = decode_array(g.customdata)
    assert f[0] == pytest.approx(ROSEN.value(float(x[0]), float(y[0])), rel=1e-6)
    gx, gy = click_grid_points(ROSEN, 40)
    assert gx[0] == -1.95 and gy[-1] == 2.95


def test_start_from_selection(contour):
    gi = click_grid_index(contour)
    g = contour.data[gi]
    k = 1234
    px, py = float(decode_array(g.x)[k]), float(decode_array(g.y)[k])  # float32, as the browser sends
    event = {"selection": {"points": [{"curve_number": gi, "point_index": k, "x": px, "y": py,
                                       "customdata": 1.0}], "point_indices": [k], "box": [], "lasso": []}}
    sx, sy = start_from_selection(event, ROSEN)
    gx, gy = click_grid_points(ROSEN, 40)
    assert (sx, sy) == (float(gx[k % 40]), float(gy[k // 40]))
    assert start_from_selection(event["selection"], ROSEN, curve_number=gi) == (sx, sy)
    assert start_from_selection(event, ROSEN, curve_number=gi - 1) is None
    # a point on a path (not on the grid), an empty selection, nothing
    off = {"points": [{"curve_number": 5, "point_index": 3, "x": -1.4321, "y": 1.987}]}
    assert start_from_selection(off, ROSEN) is None
    assert start_from_selection({"points": []}, ROSEN) is None
    assert start_from_selection(None, ROSEN) is None
    assert snap_to_click_grid(0.45000001, 2.5499999, ROSEN) == (0.45, 2.55)
    assert snap_to_click_grid("nan", 1, ROSEN) is None


def test_click_grid_can_be_left_out(paths):
    fig = contour_figure(ROSEN, paths, click_grid=0)
    assert CLICK_GRID_NAME not in [tr.name for tr in fig.data] and click_grid_index(fig) is None
    full = contour_figure(ROSEN, paths)
    assert len(fig.data) == len(full.data) - 1
    assert [list(f.traces) for f in fig.frames] == [list(f.traces) for f in full.frames]
