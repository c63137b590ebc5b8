"""The Streamlit app itself, run headless with ``streamlit.testing.v1.AppTest``.

Every check reads what the page sends to the browser: widget values, ``st.warning`` /
``st.error`` / ``st.toast`` elements, the URL (``at.query_params``), the results table, the
download files and the Plotly chart JSON (``proto.spec``; arrays are base64 typed arrays,
decoded with :func:`plots.explore.decode_array`).  Paths in the chart are compared with
``optimizers.run`` called directly with the expected arguments.

1. pages        Explore: defaults (3 optimizers on Rosenbrock), no error / warning, every
                surface and every optimizer renders; About (the survey, the verification);
                going to About and back keeps the view
2. interaction  surface, optimizer, hyperparameter slider, steps, start, noise / seed, view:
                each changes the chart JSON as it should (names, traces, legend, frames, paths,
                axis ranges)
3. URL          link -> widgets -> same canonical link (A/B duplicate, @reference, Lookahead
                with inner, surface parameters, noise, seed); widgets -> link -> fresh
                session -> identical chart JSON
4. bad links    each bad parameter: a visible warning, no exception, the documented fallback
                or clamp (``ui.settings.from_query``)
5. divergence   an ``st.error`` naming the run, the legend and the results table say when, the
                other runs are untouched
6. downloads    CSV / JSON / HTML bytes as the browser would get them (AppTest's media
                file manager), checked against ``optimizers.run``; the export functions directly
7. buttons      Preset (measured learning rates and start), Add, Duplicate, Remove, Reset

Clicking on the 2D plot (a point selection) is not simulated here: the browser tests cover it.
Rerun timing is measured by the benchmarks, not asserted here.
"""
from __future__ import annotations

import csv
import io
import json
import pathlib
import re
import urllib.parse

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import optimizers
import surfaces
from plots.explore import CLICK_GRID_NAME, decode_array
from studies import presets
from ui import compute
from ui import settings as S
from ui import widgets as W
from ui.export import runs_to_csv, runs_to_json
from ui.widgets import fmt

ROOT = pathlib.Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
TIMEOUT = 60  # the very first run may compile (or load from the on-disk cache) every kernel

ROSEN = surfaces.SURFACES["rosenbrock"]
DEFAULT = S.default_settings()
DEFAULT_QUERY = S.to_query(DEFAULT)

#: a non-default view: surface parameters, start, steps, noise, seed, an A/B duplicate of NAG
#: (one in its torch form), SGD and Lookahead wrapping SGDM (canonical: to_query(from_query(q)) == q)
RICH_QUERY = {
    "surface": "quadratic(kappa=50,angle=30)",
    "start": "-1.8,0.8",
    "steps": "250",
    "noise": "0.5",
    "seed": "7",
    "opts": "nag@reference(lr=0.02,momentum=0.9);nag(lr=0.01,momentum=0.8);sgd(lr=0.01);"
            "lookahead(inner=sgdm,k=6,alpha=0.6,lr=0.01,momentum=0.85)",
}


# ---- helpers ---------------------------------------------------------------------------------
def open_app(query: dict | None = None) -> AppTest:
    """A fresh session of the app, run once (with ``query`` as the URL's query parameters)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def ok(at: AppTest) -> AppTest:
    """Assert the last run raised nothing (with the traceback in the message if it did)."""
    assert not at.exception, "\n".join(e.message + "\n" + "\n".join(e.stack_trace) for e in at.exception)
    return at


def charts(at: AppTest) -> dict:
    """The page's Plotly charts, by widget key ("contour", "surface3d", "loss", "distance"),
    as parsed figure JSON."""
    return {c.proto.id.rsplit("-", 1)[1]: json.loads(c.proto.spec) for c in at.get("plotly_chart")}


def contour(at: AppTest) -> dict:
    return charts(at)["contour"]


def role(trace) -> str:
    return (trace.get("meta") or {}).get("role", "")


def traces(fig: dict, *roles: str) -> list[dict]:
    return [t for t in fig["data"] if role(t) in roles]


def trail_names(fig: dict) -> list[str]:
    """One legend label per optimizer (the trail trace carries the path's legend entry)."""
    return [t["name"] for t in traces(fig, "trail")]


def legend_entries(fig: dict) -> list[str]:
    return [t["name"] for t in fig["data"] if t.get("showlegend", True) and t.get("visible", True) is not False]


def chart_paths(fig: dict) -> list[np.ndarray]:
    """Every path drawn in the 2D (final state of the) chart, as float32 (n, 2) arrays, rebuilt
    from its segments' customdata step numbers (and the head, for a one-point path).  Asserts
    the drawn steps are exactly 0, 1, ..., n - 1."""
    pts: dict[int, dict[int, tuple]] = {}
    for t in traces(fig, "segment", "head"):
        drawn = pts.setdefault(t["meta"]["path"], {})
        cd = decode_array(t["customdata"]).reshape(-1, 2)
        xs, ys = decode_array(t["x"]), decode_array(t["y"])
        for s, x, y in zip(cd[:, 0].tolist(), xs.tolist(), ys.tolist()):
            if role(t) == "segment" or int(s) not in drawn:  # segments hold the exact float32 values
                drawn[int(s)] = (x, y)
    out = []
    for i in sorted(pts):
        steps = sorted(pts[i])
        assert steps == list(range(len(steps))), f"path {i}: drawn steps are not 0..n-1"
        out.append(np.array([pts[i][s] for s in steps], dtype=np.float32))
    return out


def engine_path(run) -> np.ndarray:
    """What the chart must show of an ``optimizers.run`` result: the rows before any
    divergence, as float32."""
    n = run.diverged_at if run.diverged_at >= 0 else len(run.path)
    return run.path[: max(1, n)].astype(np.float32)


def runs_for(query: dict) -> list:
    """``optimizers.run`` for every optimizer of a (canonical) URL, straight from the engine."""
    s, warnings = S.from_query(query)
    assert not warnings
    surf = s.surface_obj()
    return [optimizers.run(c.id, surf, s.start, s.steps, variant=c.variant, noise=s.noise, seed=s.seed,
                           **c.kwargs()) for c in s.optimizers]


def messages(elements) -> list[str]:
    return [e.value for e in elements]


def summary_line(at: AppTest) -> str:
    """The line under the title: surface, start, steps (and noise)."""
    lines = [m.value for m in at.main.markdown if " · start (" in m.value]
    assert len(lines) == 1
    return lines[0]


def assert_slider_stops_distinct(at: AppTest) -> None:
    """No select slider shows the same label twice (e.g. 0.3 and 0.30000000000000004)."""
    for sl in at.select_slider:
        labels = list(sl.options)
        assert len(set(labels)) == len(labels), (sl.key, [o for o in labels if labels.count(o) > 1])
        assert sl.format_func(sl.value) in labels


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert len(found) == 1, f"{len(found)} buttons labelled {label!r}"
    return found[0]


def goto_page(at: AppTest, title: str) -> AppTest:
    """Switch to the ``st.navigation`` page called ``title`` and run.

    ``AppTest.switch_page`` only knows file pages; Gradscape's pages are functions
    (``st.Page(explore.page)``), so this selects the page by the script hash that
    ``st.navigation`` registered for it (a private AppTest attribute)."""
    pages = getattr(at, "_registered_pages", None)
    if not isinstance(pages, dict) or not hasattr(at, "_page_hash"):
        pytest.skip("this Streamlit's AppTest cannot select a function page")
    hashes = [h for h, info in pages.items() if info.get("page_name") == title]
    assert len(hashes) == 1, f"no page {title!r} among {[i.get('page_name') for i in pages.values()]}"
    at._page_hash = hashes[0]
    return at.run()


@pytest.fixture
def app() -> AppTest:
    """The app opened with no query parameters."""
    return ok(open_app())


# ---- 1. pages ------------------------------------------------------------------------------
def test_default_view(app):
    assert not app.error and not app.warning, messages(app.error) + messages(app.warning)
    assert app.title[0].value == "Gradscape: optimizers on loss surfaces"
    assert app.selectbox(key="surface").value == "rosenbrock"
    assert [app.selectbox(key=f"o{u}_id").value for u in range(3)] == ["sgd", "sgdm", "adam"]
    assert (app.number_input(key="start_x").value, app.number_input(key="start_y").value) == (-1.5, 2.0)
    assert app.slider(key="steps").value == S.DEFAULT_STEPS
    assert app.query_params == DEFAULT_QUERY
    assert_slider_stops_distinct(app)

    figs = charts(app)
    assert set(figs) == {"contour", "loss", "distance"}  # the 3D figure is built only when shown
    fig = figs["contour"]
    assert [role(t) for t in fig["data"][:3]] == ["contour", "minima", "start"]
    assert fig["data"][-1]["name"] == CLICK_GRID_NAME
    assert trail_names(fig) == [c.label() for c in DEFAULT.optimizers]
    assert trail_names(fig)[0].startswith("SGD lr=") and trail_names(fig)[2].startswith("Adam lr=")
    assert legend_entries(fig) == ["minimum", "start", *trail_names(fig)]
    assert len(fig["frames"]) == 100 and fig["frames"][-1]["name"] == str(S.DEFAULT_STEPS)
    assert fig["layout"]["xaxis"]["range"] == [-2.0, 2.0] and fig["layout"]["yaxis"]["range"] == [-1.0, 3.0]
    drawn = chart_paths(fig)
    assert len(drawn) == 3
    for got, run in zip(drawn, runs_for(DEFAULT_QUERY)):
        assert not run.diverged
        np.testing.assert_array_equal(got, engine_path(run))
    assert [t["name"] for t in figs["loss"]["data"]] == trail_names(fig)

    table = app.dataframe[0].value
    assert list(table["optimizer"]) == trail_names(fig)
    assert list(table["diverged at step"]) == ["—"] * 3
    assert [b.label for b in app.get("download_button")] == ["Trajectories (CSV)", "Trajectories (JSON)",
                                                             "Figure (HTML)"]
    # the whole chart payload of the default view stays well under a megabyte
    assert sum(len(c.proto.spec) for c in app.get("plotly_chart")) < 1_000_000


def _about_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _check_about(at: AppTest) -> None:
    ok(at)
    assert [t.value for t in at.title] == ["About Gradscape"]
    text = _about_text(at)
    n_survey = sum(s.group == "survey" for s in optimizers.OPTIMIZERS.values())
    assert "**The survey.**" in text and f"all {n_survey} of its first-order optimizers" in text
    assert f"{len(optimizers.OPTIMIZERS)} optimizers and {len(surfaces.SURFACES)} test surfaces" in text
    # the survey is named (authors, title, venue, year, doi), as plain text
    survey = text.split("**The survey.**")[1].split("**How")[0]
    for what in ("Chen", "Research on Optimization Algorithms in Deep Learning", "2022", "10.12677/airr.2022.114046"):
        assert what in survey
    # every optimizer is listed, once, in its group's table
    listed = [i for df in at.dataframe for i in df.value["id"]]
    assert listed == list(optimizers.OPTIMIZERS)
    assert "second-order baseline" in "\n".join(h.value for h in at.subheader).lower()
    assert "**How the optimizers were verified.**" in text
    for what in ("plain-Python transcription", "torch.optim", "pytorch_optimizer", "finite differences",
                 "scipy.optimize.rosen"):
        assert what in text
    assert not at.get("plotly_chart") and not at.error and not at.warning


def test_about_page_alone():
    at = AppTest.from_string("from ui import about\nabout.page()\n", default_timeout=TIMEOUT)
    _check_about(at.run())


def test_about_page_and_back_keeps_the_view(app):
    app.slider(key="steps").set_value(77).run()
    app.select_slider(key="o0_sgd__lr").set_value(0.001).run()
    before = dict(ok(app).query_params)
    before_fig = contour(app)
    _check_about(goto_page(app, "About"))
    ok(goto_page(app, "Explore"))
    assert app.query_params == before
    assert app.slider(key="steps").value == 77
    assert contour(app) == before_fig


def test_every_surface_renders(app):
    ids = list(surfaces.SURFACES)
    for sid in ids[1:] + ids[:1]:  # Rosenbrock (shown first) last: choosing it must be a change
        surf = surfaces.SURFACES[sid]
        ok(app.selectbox(key="surface").set_value(sid).run())
        fig = contour(app)
        (x0, x1), (y0, y1) = surf.bounds
        assert fig["layout"]["xaxis"]["range"] == [x0, x1] and fig["layout"]["yaxis"]["range"] == [y0, y1], sid
        xs, ys = decode_array(fig["data"][0]["x"]), decode_array(fig["data"][0]["y"])
        assert (xs[0], xs[-1], ys[0], ys[-1]) == tuple(np.float32(v) for v in (x0, x1, y0, y1)), sid
        marks = fig["data"][1]
        assert role(marks) == ("minima" if surf.minima else "saddles"), sid
        assert len(marks["x"]) == len(surf.minima or surf.saddles), sid
        # choosing a surface moves to its suggested start (the preset)
        assert app.query_params["surface"].startswith(f"{sid}(")
        assert S.from_query(app.query_params)[0].start == tuple(surf.start), sid
        for path in chart_paths(fig):
            assert tuple(path[0]) == tuple(np.float32(surf.start)), sid
        # the presets are measured so as not to diverge
        assert not app.error, (sid, messages(app.error))


def test_every_optimizer_renders(app):
    ids = list(optimizers.OPTIMIZERS)
    for oid in ids[1:] + ids[:1]:  # SGD (shown first) last: choosing it must be a change
        spec = optimizers.OPTIMIZERS[oid]
        ok(app.selectbox(key="o0_id").set_value(oid).run())
        names = trail_names(contour(app))
        assert len(names) == 3 and names[0].startswith(spec.name), (oid, names)
        cfg = S.from_query(app.query_params)[0].optimizers[0]
        assert cfg.id == oid
        # a newly chosen optimizer gets the measured learning rate for this view
        inner = "adam" if spec.wraps_inner else None
        want = presets.preset_optimizers("rosenbrock", [oid], steps=S.DEFAULT_STEPS, start=(-1.5, 2.0),
                                         inners=[inner])[0]
        assert cfg == want, oid
        run = optimizers.run(oid, ROSEN, (-1.5, 2.0), S.DEFAULT_STEPS, **want.kwargs())
        np.testing.assert_array_equal(chart_paths(contour(app))[0], engine_path(run))


# ---- 2. interaction ------------------------------------------------------------------------
def test_surface_change(app):
    before = contour(app)
    ok(app.selectbox(key="surface").set_value("himmelblau").run())
    fig = contour(app)
    him = surfaces.SURFACES["himmelblau"]
    assert fig["layout"]["xaxis"]["range"] == [-5.0, 5.0] and fig["layout"]["yaxis"]["range"] == [-5.0, 5.0]
    z = decode_array(fig["data"][0]["z"])
    assert z.shape == decode_array(before["data"][0]["z"]).shape and not np.array_equal(
        z, decode_array(before["data"][0]["z"]))
    assert sorted(zip(fig["data"][1]["x"], fig["data"][1]["y"])) == sorted((m.x, m.y) for m in him.minima)
    assert fig["data"][1]["name"] == "minima"
    assert (fig["data"][2]["x"], fig["data"][2]["y"]) == ([0.0], [0.0])  # Himmelblau's suggested start
    assert app.query_params["surface"] == "himmelblau()" and app.query_params["start"] == "0,0"
    # the learning rates are the ones measured for Himmelblau from its start
    want = presets.preset_optimizers("himmelblau", ["sgd", "sgdm", "adam"], steps=S.DEFAULT_STEPS)
    assert S.from_query(app.query_params)[0].optimizers == want
    assert trail_names(fig) == [c.label() for c in want]
    for got, cfg in zip(chart_paths(fig), want):
        np.testing.assert_array_equal(got, engine_path(optimizers.run(cfg.id, him, (0.0, 0.0), S.DEFAULT_STEPS,
                                                                      **cfg.kwargs())))
    # a surface parameter slider changes the surface (and the URL)
    ok(app.selectbox(key="surface").set_value("quadratic").run())
    flat = decode_array(contour(app)["data"][0]["z"])
    ok(app.select_slider(key="sp_quadratic_kappa").set_value(200.0).run())
    assert app.query_params["surface"] == "quadratic(kappa=200,angle=0)"
    assert not np.array_equal(decode_array(contour(app)["data"][0]["z"]), flat)


def test_optimizer_change_and_hyperparameter_slider(app):
    ok(app.select_slider(key="o0_sgd__lr").set_value(0.001).run())
    fig = contour(app)
    assert trail_names(fig)[0] == "SGD lr=0.001"
    assert app.query_params["opts"].split(";")[0] == "sgd(lr=0.001)"
    drawn = chart_paths(fig)
    np.testing.assert_array_equal(drawn[0], engine_path(optimizers.run("sgd", ROSEN, (-1.5, 2.0), 300, lr=0.001)))
    # the other paths are the same as before
    default_paths = [engine_path(r) for r in runs_for(DEFAULT_QUERY)]
    for got, want in zip(drawn[1:], default_paths[1:]):
        np.testing.assert_array_equal(got, want)

    sgdm_lr = S.default_settings().optimizers[1].params["lr"]
    ok(app.select_slider(key="o1_sgdm__momentum").set_value(0.5).run())
    assert trail_names(contour(app))[1] == f"SGD with momentum lr={sgdm_lr:g}, momentum=0.5"
    np.testing.assert_array_equal(chart_paths(contour(app))[1], engine_path(
        optimizers.run("sgdm", ROSEN, (-1.5, 2.0), 300, lr=sgdm_lr, momentum=0.5)))

    ok(app.selectbox(key="o2_id").set_value("nag").run())
    assert app.radio(key="o2_variant").value == "paper"
    ok(app.radio(key="o2_variant").set_value("reference").run())
    fig = contour(app)
    assert trail_names(fig)[2].startswith("Nesterov (NAG) [reference] lr=")
    cfg = S.from_query(app.query_params)[0].optimizers[2]
    assert (cfg.id, cfg.variant) == ("nag", "reference")
    assert app.query_params["opts"].split(";")[2].startswith("nag@reference(")
    np.testing.assert_array_equal(chart_paths(fig)[2], engine_path(
        optimizers.run("nag", ROSEN, (-1.5, 2.0), 300, variant="reference", **cfg.kwargs())))

    # Lookahead: an inner optimizer selectbox, an integer slider for k, the slow weights
    ok(app.selectbox(key="o2_id").set_value("lookahead").run())
    ok(app.selectbox(key="o2_inner").set_value("sgdm").run())
    ok(app.slider(key="o2_lookahead_sgdm_k").set_value(7).run())
    fig = contour(app)
    assert trail_names(fig)[2].startswith("Lookahead(SGD with momentum) k=7, alpha=0.5, lr=")
    assert len(traces(fig, "slow")) == 1
    cfg = S.from_query(app.query_params)[0].optimizers[2]
    assert cfg.inner == "sgdm" and cfg.params["k"] == 7
    run = optimizers.run("lookahead", ROSEN, (-1.5, 2.0), 300, **cfg.kwargs())
    np.testing.assert_array_equal(chart_paths(fig)[2], engine_path(run))
    slow = traces(fig, "slow")[0]
    np.testing.assert_array_equal(decode_array(slow["x"]), run.slow[:, 0].astype(np.float32))


def test_steps_change(app):
    ok(app.slider(key="steps").set_value(40).run())
    figs = charts(app)
    fig = figs["contour"]
    assert [f["name"] for f in fig["frames"]] == [str(t) for t in range(41)]
    assert fig["layout"]["sliders"][0]["steps"][-1]["label"] == "40"
    for path in chart_paths(fig):
        assert len(path) == 41
    for series in traces(figs["loss"], "series") + traces(figs["distance"], "series"):
        assert len(decode_array(series["y"])) == 41
    ok(app.slider(key="steps").set_value(2000).run())
    fig = contour(app)
    assert len(fig["frames"]) == 100 and fig["frames"][0]["name"] == "0" and fig["frames"][-1]["name"] == "2000"
    assert [len(p) for p in chart_paths(fig)] == [2001] * 3
    assert app.query_params["steps"] == "2000"


def test_start_change(app):
    ok(app.number_input(key="start_x").set_value(0.5).run())
    ok(app.number_input(key="start_y").set_value(-0.25).run())
    fig = contour(app)
    assert (fig["data"][2]["x"], fig["data"][2]["y"]) == ([0.5], [-0.25])
    for path, cfg in zip(chart_paths(fig), DEFAULT.optimizers):
        assert tuple(path[0]) == (0.5, -0.25)
        np.testing.assert_array_equal(path, engine_path(optimizers.run(cfg.id, ROSEN, (0.5, -0.25), 300,
                                                                       **cfg.kwargs())))
    assert app.query_params["start"] == "0.5,-0.25"
    assert "start (0.5, -0.25)" in summary_line(app)


def test_noise_and_seed(app):
    ok(app.number_input(key="noise").set_value(0.5).run())
    noisy = chart_paths(contour(app))
    ok(app.number_input(key="seed").set_value(3).run())
    reseeded = chart_paths(contour(app))
    assert (app.query_params["noise"], app.query_params["seed"]) == ("0.5", "3")
    assert "gradient noise σ = 0.5, seed 3" in summary_line(app)
    for i, cfg in enumerate(DEFAULT.optimizers):
        for got, seed in ((noisy[i], 0), (reseeded[i], 3)):
            np.testing.assert_array_equal(got, engine_path(optimizers.run(
                cfg.id, ROSEN, (-1.5, 2.0), 300, noise=0.5, seed=seed, **cfg.kwargs())))
        assert not np.array_equal(noisy[i], reseeded[i])


def test_view_switch(app):
    ok(app.button_group(key="view").set_value("2D and 3D").run())
    figs = charts(app)
    assert set(figs) == {"contour", "surface3d", "loss", "distance"}
    f3 = figs["surface3d"]
    assert f3["data"][0]["type"] == "surface"
    assert [t["name"] for t in f3["data"] if role(t) == "trail"] == trail_names(figs["contour"])
    assert len(f3["frames"]) == 100
    ok(app.button_group(key="view").set_value("3D surface").run())
    assert set(charts(app)) == {"surface3d", "loss", "distance"}


# ---- 3. URL --------------------------------------------------------------------------------
def test_url_sets_the_widgets_and_round_trips():
    assert S.to_query(S.from_query(RICH_QUERY)[0]) == RICH_QUERY  # the input is canonical
    at = ok(open_app(RICH_QUERY))
    assert not at.warning and not at.error, messages(at.warning) + messages(at.error)
    assert at.query_params == RICH_QUERY
    assert_slider_stops_distinct(at)

    assert at.selectbox(key="surface").value == "quadratic"
    assert at.select_slider(key="sp_quadratic_kappa").value == 50.0
    assert at.select_slider(key="sp_quadratic_angle").value == 30.0
    assert (at.number_input(key="start_x").value, at.number_input(key="start_y").value) == (-1.8, 0.8)
    assert at.slider(key="steps").value == 250
    assert (at.number_input(key="noise").value, at.number_input(key="seed").value) == (0.5, 7)
    assert [at.selectbox(key=f"o{u}_id").value for u in range(4)] == ["nag", "nag", "sgd", "lookahead"]
    assert (at.radio(key="o0_variant").value, at.radio(key="o1_variant").value) == ("reference", "paper")
    assert (at.select_slider(key="o0_nag__lr").value, at.select_slider(key="o0_nag__momentum").value) == (0.02, 0.9)
    assert (at.select_slider(key="o1_nag__lr").value, at.select_slider(key="o1_nag__momentum").value) == (0.01, 0.8)
    assert at.select_slider(key="o2_sgd__lr").value == 0.01
    assert at.selectbox(key="o3_inner").value == "sgdm"
    assert at.slider(key="o3_lookahead_sgdm_k").value == 6
    assert [at.select_slider(key=f"o3_lookahead_sgdm_{h}").value for h in ("alpha", "lr", "momentum")] == [
        0.6, 0.01, 0.85]

    fig = contour(at)
    assert trail_names(fig) == ["Nesterov (NAG) [reference] lr=0.02, momentum=0.9",
                                "Nesterov (NAG) lr=0.01, momentum=0.8", "SGD lr=0.01",
                                "Lookahead(SGD with momentum) k=6, alpha=0.6, lr=0.01, momentum=0.85"]
    quad = surfaces.get_surface("quadratic", kappa=50, angle=30)
    want = [optimizers.run("nag", quad, (-1.8, 0.8), 250, variant="reference", lr=0.02, momentum=0.9,
                           noise=0.5, seed=7),
            optimizers.run("nag", quad, (-1.8, 0.8), 250, lr=0.01, momentum=0.8, noise=0.5, seed=7),
            optimizers.run("sgd", quad, (-1.8, 0.8), 250, lr=0.01, noise=0.5, seed=7),
            optimizers.run("lookahead", quad, (-1.8, 0.8), 250, inner="sgdm", k=6, alpha=0.6, lr=0.01,
                           momentum=0.85, noise=0.5, seed=7)]
    for got, run in zip(chart_paths(fig), want):
        np.testing.assert_array_equal(got, engine_path(run))

    # the share box shows the same link
    shared = at.code[0].value
    assert shared.startswith("?") and dict(urllib.parse.parse_qsl(shared[1:])) == RICH_QUERY

    # a rerun keeps the link as it was
    ok(at.run())
    assert at.query_params == RICH_QUERY


def test_url_is_canonicalised():
    at = ok(open_app({"start": "-1.50,2.000", "steps": "0300", "opts": "adam(lr=0.05);  sgd( lr = 1e-3 )"}))
    assert not at.warning
    assert at.query_params == dict(DEFAULT_QUERY, opts="adam(lr=0.05,beta1=0.9,beta2=0.999,eps=1e-08);sgd(lr=0.001)")


def test_widgets_to_url_to_fresh_session(app):
    ok(app.selectbox(key="surface").set_value("quadratic").run())
    ok(app.select_slider(key="sp_quadratic_kappa").set_value(100.0).run())
    ok(app.slider(key="steps").set_value(180).run())
    ok(app.number_input(key="start_x").set_value(-1.9).run())
    ok(app.number_input(key="start_y").set_value(0.6123456789).run())  # more digits than the link keeps
    ok(app.number_input(key="noise").set_value(0.2).run())
    ok(app.number_input(key="seed").set_value(11).run())
    ok(app.select_slider(key="o1_sgdm__momentum").set_value(0.7).run())
    ok(app.button(key="dup1").click().run())
    ok(app.selectbox(key="o2_id").set_value("radam").run())
    ok(app.radio(key="o2_variant").set_value("reference").run())
    query = dict(app.query_params)
    assert query["surface"] == "quadratic(kappa=100,angle=0)" and query["start"] == "-1.9,0.612346"
    assert query["opts"].count("sgdm(") == 2 and "radam@reference(" in query["opts"]

    fresh = ok(open_app(query))
    assert not fresh.warning
    assert fresh.query_params == query
    a, b = charts(app), charts(fresh)
    assert set(a) == set(b) == {"contour", "loss", "distance"}
    for key in a:
        assert a[key] == b[key], key
    assert app.dataframe[0].value.equals(fresh.dataframe[0].value)
    # the start marker is where the (6-digit) link says, like the paths
    assert contour(fresh)["data"][2]["y"] == [0.612346]
    # the fresh session's widgets show the same settings
    assert fresh.select_slider(key="sp_quadratic_kappa").value == 100.0
    assert (fresh.number_input(key="start_x").value, fresh.number_input(key="start_y").value) == (-1.9, 0.612346)
    assert (fresh.slider(key="steps").value, fresh.number_input(key="noise").value,
            fresh.number_input(key="seed").value) == (180, 0.2, 11)
    assert [fresh.selectbox(key=f"o{u}_id").value for u in range(4)] == ["sgd", "sgdm", "radam", "sgdm"]
    assert fresh.select_slider(key="o1_sgdm__momentum").value == fresh.select_slider(key="o3_sgdm__momentum").value == 0.7
    assert fresh.radio(key="o2_variant").value == "reference"


# ---- 4. bad links --------------------------------------------------------------------------
BAD_LINKS = [
    # (query, warnings that must show (substrings), expected canonical values afterwards)
    ({"surface": "nosuch"}, ["surface 'nosuch' is unknown; using rosenbrock"], {"surface": "rosenbrock(a=1,b=100)"}),
    ({"surface": "quadratic(kappa=1e9,zz=3)"},
     ["kappa = 1e+09 is out of range [1, 1000]; clamped to 1000", "unknown parameter 'zz' ignored"],
     {"surface": "quadratic(kappa=1000,angle=0)", "start": "-1.8,0.8"}),
    ({"surface": "rosenbrock(a=2"}, ["surface: cannot read"], {"surface": "rosenbrock(a=1,b=100)"}),
    ({"start": "abc,1"}, ["start: 'abc' is not a number"], {"start": "-1.5,2"}),
    ({"start": "1"}, ["start: '1' is not two numbers x,y"], {"start": "-1.5,2"}),
    ({"start": "100,-100"}, ["start x = 100 is out of range [-2, 2]; clamped to 2",
                             "start y = -100 is out of range [-1, 3]; clamped to -1"], {"start": "2,-1"}),
    ({"steps": "999999"}, ["steps = 999999 is out of range [1, 5000]; clamped to 5000"], {"steps": "5000"}),
    ({"steps": "-5"}, ["steps = -5 is out of range [1, 5000]; clamped to 1"], {"steps": "1"}),
    ({"steps": "ten"}, ["steps: 'ten' is not a number"], {"steps": "300"}),
    ({"noise": "nan", "seed": "-3"}, ["noise: 'nan' is not a finite number", "seed = -3 is out of range"],
     {"noise": "0", "seed": "0"}),
    ({"noise": "1e6"}, ["noise = 1e+06 is out of range [0, 100]; clamped to 100"], {"noise": "100"}),
    ({"opts": "nosuchopt(lr=1)"}, ["optimizer 'nosuchopt' is unknown", "no usable optimizer in the link"],
     {"opts": DEFAULT_QUERY["opts"]}),
    ({"opts": "nosuchopt(lr=1);sgd(lr=0.001)"}, ["optimizer 'nosuchopt' is unknown"], {"opts": "sgd(lr=0.001)"}),
    ({"opts": "nag@torch(lr=0.01)"}, ["nag: variant 'torch' is not one of paper, reference; using paper"],
     {"opts": "nag(lr=0.01,momentum=0.9)"}),
    ({"opts": "sgd(lr=0.001,foo=3)"}, ["sgd: unknown hyperparameter 'foo' ignored"], {"opts": "sgd(lr=0.001)"}),
    ({"opts": "sgd(lr=1e9)"}, ["sgd lr = 1e+09 is out of range [1e-07, 100]; clamped to 100"],
     {"opts": "sgd(lr=100)"}),
    ({"opts": "sgd(lr=fast)"}, ["sgd lr: 'fast' is not a number"], {"opts": "sgd(lr=0.01)"}),
    ({"opts": ")(;;"}, ["optimizer: cannot read ')('", "no usable optimizer in the link"],
     {"opts": DEFAULT_QUERY["opts"]}),
    ({"opts": "lookahead(inner=lookahead,k=2.5)"},
     ["inner optimizer 'lookahead' is not valid; using adam", "lookahead k = 2.5 must be a whole number; rounded to 2"],
     {"opts": "lookahead(inner=adam,k=2,alpha=0.5,lr=0.001,beta1=0.9,beta2=0.999,eps=1e-08)"}),
    ({"opts": ";".join(["sgd(lr=0.001)"] * 10)}, ["at most 8 optimizers at once"],
     {"opts": ";".join(["sgd(lr=0.001)"] * 8)}),
]


@pytest.mark.parametrize("query, warns, expect", BAD_LINKS, ids=[json.dumps(q)[:50] for q, _, _ in BAD_LINKS])
def test_bad_link(query, warns, expect):
    at = ok(open_app(query))
    shown = messages(at.warning)
    # the page escapes the URL text it quotes (md_escape); undone here to read the message
    assert shown == ["Link: " + W.md_escape(w) for w in S.from_query(query)[1]]
    shown = [re.sub(r"\\(.)", r"\1", s).replace("\u200b", "") for s in shown]
    for w in warns:
        assert any(w in s for s in shown), (w, shown)
    assert all(s.startswith("Link: ") for s in shown)
    assert len(shown) == len(S.from_query(query)[1])
    for k, v in expect.items():
        assert at.query_params[k] == v, k
    if at.query_params["surface"] == DEFAULT_QUERY["surface"]:  # everything else stays the default
        # (a link that moves the start or the steps gets default optimizers whose learning rates
        # are measured for that start and number of steps)
        skip = set(expect) | ({"opts"} if {"start", "steps"} & set(expect) else set())
        assert {k: v for k, v in at.query_params.items() if k not in skip} == {
            k: v for k, v in DEFAULT_QUERY.items() if k not in skip}
    assert dict(at.query_params.items()) == S.to_query(S.from_query(query)[0])
    # the widgets agree with the fixed link, and the page draws it
    s = S.from_query(at.query_params)[0]
    assert at.slider(key="steps").value == s.steps
    assert (at.number_input(key="start_x").value, at.number_input(key="start_y").value) == s.start
    assert len(trail_names(contour(at))) == len(s.optimizers)
    # the warnings are shown once: the next rerun does not repeat them
    assert not ok(at.run()).warning


# ---- 5. divergence -------------------------------------------------------------------------
def test_divergence_is_reported_and_isolated():
    others = "sgdm(lr=0.0015,momentum=0.9);adam(lr=0.3,beta1=0.9,beta2=0.999,eps=1e-08)"
    at = ok(open_app({"opts": f"sgd(lr=0.1);{others}"}))
    run = optimizers.run("sgd", ROSEN, (-1.5, 2.0), 300, lr=0.1)
    n = run.diverged_at
    assert n > 0

    errors = messages(at.error)
    assert len(errors) == 1
    assert "**SGD lr=0.1** diverged at step" in errors[0] and f"diverged at step {n}:" in errors[0]
    assert "smaller learning rate (below 0.05)" in errors[0]
    assert not at.warning

    fig = contour(at)
    names = trail_names(fig)
    assert names[0] == f"SGD lr=0.1 — diverged at step {n}"
    assert "diverged" not in names[1] and "diverged" not in names[2]
    drawn = chart_paths(fig)
    assert len(drawn[0]) == n and np.isfinite(drawn[0]).all()
    np.testing.assert_array_equal(drawn[0], engine_path(run))
    loss = charts(at)["loss"]
    assert [role(t) for t in loss["data"]] == ["series", "diverged", "series", "series"]

    table = at.dataframe[0].value
    assert list(table["diverged at step"]) == [str(n), "—", "—"]
    assert table["final point"][0] == f"({fmt(run.path[n - 1, 0])}, {fmt(run.path[n - 1, 1])})"

    # the other runs are exactly what they are without the diverging one
    alone = ok(open_app({"opts": others}))
    assert not alone.error
    alone_paths = chart_paths(contour(alone))
    assert len(alone_paths) == 2
    for a, b in zip(drawn[1:], alone_paths):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(loss["data"][2:], charts(alone)["loss"]["data"]):
        np.testing.assert_array_equal(decode_array(a["y"]), decode_array(b["y"]))
    assert table.iloc[1:].reset_index(drop=True).equals(alone.dataframe[0].value)


# ---- 6. downloads --------------------------------------------------------------------------
@pytest.fixture
def media(monkeypatch):
    """The media file managers AppTest creates (one per run): the download buttons' files."""
    import streamlit.testing.v1.app_test as app_test_module

    base = getattr(app_test_module, "MediaFileManager", None)
    if base is None:
        pytest.skip("AppTest no longer creates its media file manager where this test expects")
    made = []

    class Recording(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(app_test_module, "MediaFileManager", Recording)
    return made


def download(at: AppTest, made: list, label: str) -> bytes:
    """The bytes the browser would download for the button ``label`` (running a deferred
    download's callable, as a click does)."""
    proto = [b for b in at.get("download_button") if b.label == label][0].proto
    mgr = made[-1]
    if proto.deferred_file_id:
        url = mgr.execute_deferred(proto.deferred_file_id)
    else:
        url = proto.url
    f = mgr.read_file(url.rsplit("/", 1)[1])
    assert f is not None, url
    return f.content


def test_downloads(media):
    query = {"steps": "50", "opts": "sgd(lr=0.1);adam(lr=0.3);lookahead(inner=sgd,lr=0.001)"}
    at = ok(open_app(query))
    lookahead_kw = dict(inner="sgd", k=5, alpha=0.5, lr=0.001)
    want = [optimizers.run("sgd", ROSEN, (-1.5, 2.0), 50, lr=0.1),
            optimizers.run("adam", ROSEN, (-1.5, 2.0), 50, lr=0.3),
            optimizers.run("lookahead", ROSEN, (-1.5, 2.0), 50, **lookahead_kw)]
    assert want[0].diverged and not want[1].diverged

    # CSV: one row per optimizer and step, the exact engine values (repr round-trips floats)
    text = download(at, media, "Trajectories (CSV)").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["run", "label", "optimizer", "variant", "hyperparams", "surface", "noise", "seed",
                             "step", "x", "y", "loss", "diverged_at"]
    assert len(rows) == sum(50 + 1 for _ in want)
    labels = trail_names(contour(at))
    for i, run in enumerate(want):
        mine = [r for r in rows if r["run"] == str(i)]
        assert [int(r["step"]) for r in mine] == list(range(51))
        got = np.array([[float(r["x"]), float(r["y"]), float(r["loss"])] for r in mine])
        np.testing.assert_array_equal(got, np.column_stack([run.path, run.loss]))
        assert {r["diverged_at"] for r in mine} == {str(run.diverged_at)}
        assert {r["surface"] for r in mine} == {"rosenbrock(a=1,b=100)"}
        assert {(r["noise"], r["seed"], r["variant"]) for r in mine} == {("0.0", "0", "paper")}
        assert {r["label"] for r in mine} == {labels[i].split(" — ")[0]}
    assert {r["optimizer"] for r in rows} == {"sgd", "adam", "lookahead"}
    assert [r["x"] for r in rows if r["run"] == "0"][want[0].diverged_at:] == ["nan"] * (51 - want[0].diverged_at)

    # JSON: the link's settings and every step (null where the run had diverged)
    doc = json.loads(download(at, media, "Trajectories (JSON)"))
    assert doc["settings"] == at.query_params
    assert [r["optimizer"] for r in doc["runs"]] == ["sgd", "adam", "lookahead"]
    for r, run in zip(doc["runs"], want):
        assert r["diverged_at"] == run.diverged_at and len(r["steps"]) == 51
        for t in (0, 1, 17, 50):
            x, y = run.path[t]
            assert (r["steps"][t]["x"], r["steps"][t]["y"]) == ((float(x), float(y)) if np.isfinite(x) else (None, None))

    # HTML: a standalone page with both figures (plotly.js inlined), without the click grid
    html = download(at, media, "Figure (HTML)").decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<title>Gradscape: Rosenbrock</title>" in html
    assert html.count("Plotly.newPlot") == 2 and len(html) > 1_000_000  # plotly.js is embedded
    assert CLICK_GRID_NAME not in html and "SGD lr=0.1 — diverged at step" in html


def test_export_functions_match_the_engine():
    """runs_to_csv / runs_to_json on the page's own computation (independent of AppTest)."""
    s, _ = S.from_query(RICH_QUERY)
    runs = compute._runs(s)
    rows = list(csv.DictReader(io.StringIO(runs_to_csv(runs, s))))
    assert len(rows) == len(s.optimizers) * (s.steps + 1)
    for i, run in enumerate(runs_for(RICH_QUERY)):
        mine = [r for r in rows if r["run"] == str(i)]
        np.testing.assert_array_equal([[float(r["x"]), float(r["y"]), float(r["loss"])] for r in mine],
                                      np.column_stack([run.path, run.loss]))
        assert {(r["noise"], r["seed"]) for r in mine} == {("0.5", "7")}
    doc = json.loads(runs_to_json(runs, s))
    assert doc["settings"] == RICH_QUERY
    assert [r["variant"] for r in doc["runs"]] == ["reference", "paper", "paper", "paper"]


# ---- 7. buttons ----------------------------------------------------------------------------
def test_preset_button(app):
    ok(app.select_slider(key="o0_sgd__lr").set_value(1e-5).run())
    ok(app.select_slider(key="o2_adam__lr").set_value(0.001).run())
    ok(app.number_input(key="start_x").set_value(0.5).run())
    ok(app.number_input(key="start_y").set_value(2.5).run())
    assert trail_names(contour(app))[0] == "SGD lr=1e-05"

    ok(button(app, "Preset: good start and learning rates").click().run())
    start = tuple(ROSEN.start)
    want = presets.preset_optimizers("rosenbrock", ["sgd", "sgdm", "adam"], steps=300, start=start)
    assert (app.number_input(key="start_x").value, app.number_input(key="start_y").value) == start
    assert S.from_query(app.query_params)[0].optimizers == want
    assert app.select_slider(key="o0_sgd__lr").value == want[0].params["lr"]
    assert app.select_slider(key="o2_adam__lr").value == want[2].params["lr"]
    fig = contour(app)
    assert trail_names(fig) == [c.label() for c in want]
    for path in chart_paths(fig):
        assert tuple(path[0]) == tuple(np.float32(start))
    assert [t.value for t in app.toast] == ["Preset for Rosenbrock: start -1.2, 1 and a measured learning rate "
                                            "for each optimizer."]
    assert not app.error


def test_add_duplicate_remove_reset(app):
    def check(names):
        fig = contour(app)
        assert trail_names(fig) == names
        assert legend_entries(fig) == ["minimum", "start", *names]
        n_animated = len(traces(fig, "segment", "trail", "slow", "head"))
        assert all(f["traces"] == fig["frames"][0]["traces"] and len(f["data"]) == n_animated for f in fig["frames"])
        assert len(app.dataframe[0].value) == len(names) == len(S.from_query(app.query_params)[0].optimizers)
        return fig

    base = trail_names(contour(app))
    app.selectbox(key="add_opt").set_value("yogi")
    ok(button(app, "Add").click().run())
    yogi = presets.preset_optimizers("rosenbrock", ["yogi"], steps=300, start=(-1.5, 2.0))[0]
    check(base + [yogi.label()])
    assert app.query_params["opts"].endswith(";" + yogi.to_text())

    ok(app.button(key="dup3").click().run())
    fig = check(base + [yogi.label()] * 2)
    p = chart_paths(fig)
    np.testing.assert_array_equal(p[3], p[4])
    # the copy is independent: change it alone
    ok(app.select_slider(key="o4_yogi__lr").set_value(0.01).run())
    p = chart_paths(check(base + [yogi.label(), "Yogi lr=0.01"]))
    assert not np.array_equal(p[3], p[4])

    ok(app.button(key="rm0").click().run())
    check(base[1:] + [yogi.label(), "Yogi lr=0.01"])
    assert app.query_params["opts"].startswith("sgdm(")

    # at most 8 optimizers: then no Add, and Duplicate is disabled
    for _ in range(4):
        ok(button(app, "Add").click().run())
    assert len(trail_names(contour(app))) == S.MAX_OPTIMIZERS
    assert not [b for b in app.button if b.label == "Add"]
    assert all(b.disabled for b in app.button if b.label == "Duplicate")

    # the last one cannot be removed
    for uid in list(app.session_state["opt_uids"])[:-1]:
        ok(app.button(key=f"rm{uid}").click().run())
    assert len(trail_names(contour(app))) == 1
    assert [b.disabled for b in app.button if b.label == "Remove"] == [True]

    ok(button(app, "Reset everything").click().run())
    assert app.query_params == DEFAULT_QUERY
    assert trail_names(contour(app)) == base


@pytest.mark.parametrize("text", [
    "[click](http://evil.example)", "![i](https://x.example/i.png)", ":red[boom] :material/home:",
    "$x^2$", "<b>b</b> &amp;", "**s** _e_ `c` # h", "a@b.example www.x.example", "line\nbreak", "plain",
])
def test_md_escape_keeps_the_text_and_escapes_every_markdown_character(text):
    from ui.widgets import _MD_SPECIAL, md_escape

    out = md_escape(text)
    # nothing is lost: removing the escapes and zero-width spaces gives the text back
    assert out.replace("\u200b", "").replace("\\", "") == text.replace("\\", "").replace("\n", " ")
    # every special character is escaped, and no link scheme or www. survives intact
    for i, ch in enumerate(out):
        if ch in _MD_SPECIAL and ch != "\\":
            assert out[i - 1] == "\\", (ch, out)
    bare = out.replace("\\", "")
    assert "http://" not in bare and "https://" not in bare and "www." not in bare
