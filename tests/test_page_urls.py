"""Every page keeps its state in the URL: the Figures and Landscapes pages (Explore: ``test_app.py``).

Each page is run headless with ``streamlit.testing.v1.AppTest``, as in ``test_figures.py`` and
``test_landscapes.py`` (the page function alone), and a few checks run the whole app
(``app.py``, opened at the page's own path as a browser would).  Every check reads what the page
sends: widget values, ``st.warning`` elements, the URL (``at.query_params``) and the charts.

1. Figures      link -> widgets -> the same canonical link; widgets -> link -> a fresh session
                has the same widgets and draws the same figures; bad values: a warning each
                (escaped text), no exception, the documented fallback or clamp
2. Landscapes   the same, with both modes' settings in one link: switching mode keeps the
                other's, and switching back restores its widgets
3. app          ``/figures?…`` and ``/landscapes?…`` in a fresh session of the whole app; a visit
                to another page and back keeps the settings; "Open in Explore" opens Explore
                with exactly that run and no warning
4. colours      one colour per optimizer: SGD and SGDM on the Explore page and in Figure 1
                (Figure 2 and the Landscapes cell: ``test_figures.py``, ``test_landscapes.py``)
"""
from __future__ import annotations

import json
import pathlib
import urllib.parse

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import optimizers
from optimizers.registry import index_of
from plots import figures as F
from plots import style
from studies import figures as SF
from studies import landscapes as SL
from ui import figures as FP
from ui import landscapes as LP
from ui import settings as S
from ui.widgets import md_escape

ROOT = pathlib.Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
TIMEOUT = 90  # the first run may compile (or load from the on-disk cache) every kernel

#: a Figures link away from every default (each value a slider stop or a number the input takes)
FIG_QUERY = {
    "fig1_lr": "0.03", "fig1_momentum": "0.7", "fig1_steps": "80", "fig1_kappa": "20",
    "fig1_start": "-1.5,0.4",
    "fig2_inner": "adam(lr=0.05,beta1=0.8,beta2=0.999,eps=1e-08)", "fig2_k": "4", "fig2_alpha": "0.7",
    "fig2_cycles": "6", "fig2_kappa": "30", "fig2_start": "-1.6,0.5",
}
#: a Landscapes link away from every default, for both modes (small grids: quick to compute)
LS_QUERY = {
    "tab": "map", "surface": "quadratic(kappa=20,angle=0)", "start": "-1.5,0.5", "steps": "200",
    "opt": "sgdm(lr=0.05,momentum=0.8)", "x": "lr", "xrange": "0.001,1", "xscale": "log",
    "y": "momentum", "yrange": "0,0.9", "yscale": "linear", "res": "64", "tol": "0.0001", "metric": "steps",
    "b_surface": "himmelblau()", "b_steps": "300", "b_starts": "64", "b_tol": "0.001", "b_within": "0.05",
    "b_opt_a": "sgd(lr=0.005)", "b_opt_b": "rmsprop(lr=0.02,rho=0.9,eps=1e-08)",
}
LS_AXES = "ls_ax_quadratic_sgdm_None"


# ---- helpers ---------------------------------------------------------------------------------
def _figures_app():
    import streamlit as st

    from ui import figures

    st.set_page_config(layout="wide")
    figures.page()


def _landscapes_app():
    import streamlit as st

    from ui import landscapes

    st.set_page_config(layout="wide")
    landscapes.page()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, "\n".join(e.message + "\n" + "\n".join(e.stack_trace) for e in at.exception)
    return at


def open_page(script, query: dict | None = None) -> AppTest:
    """A fresh session of one page, opened with ``query`` as the URL's query parameters."""
    at = AppTest.from_function(script, default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return ok(at.run())


def open_app(url_path: str, query: dict | None = None) -> AppTest:
    """A fresh session of the whole app at ``/<url_path>?<query>``, as a browser opens a link:
    ``st.navigation`` picks the page by the hash of its URL path (``st.Page``'s script hash)."""
    from streamlit.util import calc_hash

    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if not hasattr(at, "_page_hash"):
        pytest.skip("this Streamlit's AppTest cannot open a page by its URL path")
    at._page_hash = calc_hash(url_path)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return ok(at.run())


def link_warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if w.value.startswith("Link: ")]


def charts(at: AppTest) -> dict:
    return {c.proto.id.rsplit("-", 1)[1]: json.loads(c.proto.spec) for c in at.get("plotly_chart")}


def by_role(fig: dict, role: str) -> list[dict]:
    return [t for t in fig["data"] if (t.get("meta") or {}).get("role") == role]


def widget_values(at: AppTest, prefixes: tuple) -> dict:
    """Every widget value of the page whose key starts with one of ``prefixes``."""
    out = {}
    for kind in ("select_slider", "slider", "selectbox", "number_input", "radio", "button_group"):
        for w in getattr(at, kind) if hasattr(at, kind) else at.get(kind):
            if w.key and w.key.startswith(prefixes):
                out[w.key] = w.value
    return out


def heatmap_spec(at: AppTest) -> SL.MapSpec:
    (chart,) = [c for c in at.get("plotly_chart") if c.proto.id.endswith("ls_map")]
    return SL.MapSpec.from_key(json.loads(chart.proto.spec)["data"][0]["meta"]["spec"])


def basin_names(at: AppTest) -> list[str]:
    (chart,) = [c for c in at.get("plotly_chart") if c.proto.id.endswith("lb_chart")]
    return [t["name"] for t in by_role(json.loads(chart.proto.spec), "basins")]


# ---- 1. Figures ------------------------------------------------------------------------------
def test_figures_codec_is_canonical_and_empty_link_is_the_survey():
    settings, warnings = FP.from_query(FIG_QUERY)
    assert not warnings and FP.to_query(settings) == FIG_QUERY
    assert settings.fig1 == SF.Figure1Settings(kappa=20.0, start=(-1.5, 0.4), lr=0.03, momentum=0.7, steps=80)
    assert settings.fig2.inner == "adam" and dict(settings.fig2.inner_params) == {
        "lr": 0.05, "beta1": 0.8, "beta2": 0.999, "eps": 1e-08}
    assert (settings.fig2.k, settings.fig2.alpha, settings.fig2.cycles) == (4, 0.7, 6)
    assert FP.from_query({}) == (FP.FiguresSettings(SF.Figure1Settings(), SF.Figure2Settings()), [])
    # keys of other pages are not the Figures page's business
    assert FP.from_query({"surface": "beale()", "opts": "sgd(lr=1)", "tab": "basins"}) == FP.from_query({})


def test_figures_link_restores_widgets_and_stays_canonical():
    at = open_page(_figures_app, FIG_QUERY)
    assert not at.warning and not at.error
    assert at.query_params == FIG_QUERY
    assert (at.select_slider(key="fig1_lr").value, at.select_slider(key="fig1_momentum").value) == (0.03, 0.7)
    assert at.slider(key="fig1_steps").value == 80 and at.select_slider(key="fig1_kappa").value == 20.0
    assert (at.number_input(key="fig1_start_x").value, at.number_input(key="fig1_start_y").value) == (-1.5, 0.4)
    assert at.selectbox(key="fig2_inner").value == "adam"
    assert [at.select_slider(key=f"fig2_hp_adam_{h}").value for h in ("lr", "beta1", "beta2", "eps")] == [
        0.05, 0.8, 0.999, 1e-08]
    assert (at.slider(key="fig2_k").value, at.select_slider(key="fig2_alpha").value) == (4, 0.7)
    assert at.slider(key="fig2_cycles").value == 6 and at.select_slider(key="fig2_kappa").value == 30.0
    assert (at.number_input(key="fig2_start_x").value, at.number_input(key="fig2_start_y").value) == (-1.6, 0.5)
    # and the figures are drawn from them
    ch = charts(at)
    assert by_role(ch["fig1_static"], "path")[0]["name"] == "SGD (lr = 0.03)"
    assert by_role(ch["fig1_static"], "path")[1]["name"] == "SGDM (lr = 0.03, momentum = 0.7)"
    assert ch["fig1_static"] == json.loads(F.figure1(FP.from_query(FIG_QUERY)[0].fig1, animated=False,
                                                     height=FP.FIG_HEIGHT).to_json())
    assert by_role(ch["fig2_static"], "fast")[0]["name"] == "fast weights θ (4 inner steps per cycle)"
    assert "6 cycles of k = 4 Adam steps" in "\n".join(i.value for i in at.info)


def test_figures_widgets_to_link_to_fresh_session():
    at = open_page(_figures_app)
    assert at.query_params == FP.to_query(FP.FiguresSettings())
    ok(at.select_slider(key="fig1_lr").set_value(0.02).run())
    ok(at.number_input(key="fig1_start_x").set_value(-1.2).run())
    ok(at.selectbox(key="fig2_inner").set_value("rmsprop").run())  # picks a measured learning rate
    ok(at.slider(key="fig2_k").set_value(3).run())
    ok(at.select_slider(key="fig2_hp_rmsprop_rho").set_value(0.8).run())
    query = dict(at.query_params)
    assert query["fig1_lr"] == "0.02" and query["fig1_start"] == "-1.2,0.6" and query["fig2_k"] == "3"
    lr = at.select_slider(key="fig2_hp_rmsprop_lr").value
    assert query["fig2_inner"] == f"rmsprop(lr={S._fmt(lr)},rho=0.8,eps=1e-08)"
    assert query == FP.to_query(FP.from_query(query)[0])  # canonical

    fresh = open_page(_figures_app, query)
    assert not fresh.warning
    assert fresh.query_params == query
    assert widget_values(fresh, ("fig1_", "fig2_")) == widget_values(at, ("fig1_", "fig2_"))
    assert charts(fresh) == charts(at)


BAD_FIGURE_LINKS = [
    # (query, widget key, the value it falls back or is clamped to)
    ({"fig1_lr": "fast"}, "fig1_lr", 0.0396),
    ({"fig1_lr": "1e9"}, "fig1_lr", 100.0),
    ({"fig1_steps": "9999"}, "fig1_steps", SF.FIG1_MAX_STEPS),
    ({"fig1_start": "1,2,3"}, "fig1_start_x", -1.8),
    ({"fig1_start": "0.5,7"}, "fig1_start_y", 1.0),
    ({"fig2_k": "2.5"}, "fig2_k", 2),
    ({"fig2_alpha": "inf"}, "fig2_alpha", 0.5),
    ({"fig2_inner": "lookahead(k=3)"}, "fig2_inner", "sgdm"),
    ({"fig2_inner": "nosuch(lr=1)"}, "fig2_inner", "sgdm"),
    ({"fig2_inner": "nag@reference(lr=0.01,zeta=2)"}, "fig2_hp_nag_lr", 0.01),
    ({"fig1_kappa": "[click](https://evil.example)"}, "fig1_kappa", 50.0),
    ({"fig2_inner": "**sgd**(lr=$x$)"}, "fig2_inner", "sgdm"),
]


@pytest.mark.parametrize("query, key, want", BAD_FIGURE_LINKS)
def test_figures_bad_links_warn_and_fall_back(query, key, want):
    at = open_page(_figures_app, query)
    expected = FP.from_query(query)[1]
    assert expected, "every bad link gives at least one warning"
    # the page escapes the URL text it quotes (md_escape): nothing in it renders as Markdown
    assert link_warnings(at) == ["Link: " + md_escape(w) for w in expected]
    kind = "selectbox" if key == "fig2_inner" else ("number_input" if "start" in key else None)
    widget = (getattr(at, kind)(key=key) if kind else
              next(w for w in list(at.select_slider) + list(at.slider) if w.key == key))
    assert widget.value == want
    # the page then writes the canonical form of what it shows
    assert at.query_params == FP.to_query(FP.from_query(query)[0])


def test_figures_bad_link_text_is_escaped():
    at = open_page(_figures_app, {"fig2_inner": "**sgd**(lr=[x](https://evil.example))"})
    (shown,) = link_warnings(at)
    assert "**sgd**" not in shown and "[x](" not in shown and "https://" not in shown
    assert "\\*\\*sgd\\*\\*" in shown


# ---- 2. Landscapes ----------------------------------------------------------------------------
def test_landscapes_codec_is_canonical_and_empty_link_is_the_default():
    settings, warnings = LP.from_query(LS_QUERY)
    assert not warnings and LP.to_query(settings) == LS_QUERY
    m, b = settings.map, settings.basins
    assert (m.surface, dict(m.surface_params), m.start, m.steps) == ("quadratic", {"kappa": 20.0, "angle": 0.0},
                                                                     (-1.5, 0.5), 200)
    assert m.optimizer == S.OptimizerConfig("sgdm", "paper", (("lr", 0.05), ("momentum", 0.8)))
    assert m.x == LP.AxisSetting("lr", 0.001, 1.0, True) and m.y == LP.AxisSetting("momentum", 0.0, 0.9, False)
    assert (m.res, m.tol, m.metric) == (64, 1e-4, "steps")
    assert (b.surface, b.steps, b.starts, b.tol, b.within) == ("himmelblau", 300, 64, 1e-3, 0.05)
    assert [c.to_text() for c in b.optimizers] == ["sgd(lr=0.005)", "rmsprop(lr=0.02,rho=0.9,eps=1e-08)"]
    # a link without a setting leaves it to the page (e.g. a learning rate measured for the surface)
    empty, warnings = LP.from_query({})
    assert not warnings and empty.map.optimizer == S.OptimizerConfig("sgdm") and empty.map.x is None
    assert LP.from_query({"opt": "adam(beta1=0.8)"})[0].map.optimizer.hyperparams == (("beta1", 0.8),)


def check_map_widgets(at: AppTest) -> None:
    """The map's widgets, and the map itself, hold :data:`LS_QUERY`'s settings."""
    assert at.selectbox(key="ls_surface").value == "quadratic"
    assert at.select_slider(key="ls_sp_quadratic_kappa").value == 20.0
    assert (at.number_input(key="ls_sx_quadratic").value, at.number_input(key="ls_sy_quadratic").value) == (-1.5, 0.5)
    assert at.slider(key="ls_steps").value == 200 and at.selectbox(key="ls_opt").value == "sgdm"
    assert at.select_slider(key="ls_hp_quadratic_sgdm_None_lr").value == 0.05
    assert at.select_slider(key="ls_hp_quadratic_sgdm_None_momentum").value == 0.8
    assert (at.selectbox(key=f"{LS_AXES}_x").value, at.selectbox(key=f"{LS_AXES}_y").value) == ("lr", "momentum")
    assert at.select_slider(key=f"{LS_AXES}_lr_range").value == (0.001, 1.0)
    assert at.select_slider(key=f"{LS_AXES}_momentum_range").value == (0.0, 0.9)
    assert at.radio(key=f"{LS_AXES}_lr_spacing").value == "log"
    assert at.radio(key=f"{LS_AXES}_momentum_spacing").value == "linear"
    assert at.radio(key="ls_res").value == 64 and at.select_slider(key="ls_tol").value == 1e-4
    assert at.button_group(key="ls_metric").value == "steps"
    spec = heatmap_spec(at)
    assert (spec.optimizer, spec.surface, spec.start, spec.steps, spec.tol) == ("sgdm", "quadratic", (-1.5, 0.5),
                                                                                 200, 1e-4)
    assert (spec.x.name, spec.x.lo, spec.x.hi, spec.x.log, spec.x.n) == ("lr", 0.001, 1.0, True, 64)
    assert (spec.y.name, spec.y.lo, spec.y.hi, spec.y.log, spec.y.n) == ("momentum", 0.0, 0.9, False, 64)
    assert dict(spec.hyperparams) == {"lr": 0.05, "momentum": 0.8}


def check_basins_widgets(at: AppTest) -> None:
    assert at.selectbox(key="lb_surface").value == "himmelblau" and at.slider(key="lb_steps").value == 300
    assert at.radio(key="lb_n").value == 64 and at.select_slider(key="lb_tol").value == 1e-3
    assert at.select_slider(key="lb_dist").value == 0.05
    assert (at.selectbox(key="lb0_opt").value, at.selectbox(key="lb1_opt").value) == ("sgd", "rmsprop")
    assert at.select_slider(key="lb0_hp_himmelblau_sgd_None_lr").value == 0.005
    assert at.select_slider(key="lb1_hp_himmelblau_rmsprop_None_lr").value == 0.02
    assert at.select_slider(key="lb1_hp_himmelblau_rmsprop_None_rho").value == 0.9
    assert [n.split(" lr=")[0] for n in basin_names(at)] == ["A: SGD", "B: RMSProp"]


def test_landscapes_link_restores_both_modes_and_stays_canonical():
    at = open_page(_landscapes_app, LS_QUERY)
    assert not at.warning and not at.error
    assert at.query_params == LS_QUERY
    check_map_widgets(at)
    # the other mode's settings are in the link too: switching shows them, the link keeps the map's
    ok(at.button_group(key="ls_mode").set_value(LP.MODES[1]).run())
    check_basins_widgets(at)
    assert at.query_params == dict(LS_QUERY, tab="basins")
    # back: Streamlit dropped the map's widgets while they were not drawn; they are restored
    ok(at.button_group(key="ls_mode").set_value(LP.MODES[0]).run())
    check_map_widgets(at)
    assert at.query_params == LS_QUERY
    # a link that opens on the basins
    basins = open_page(_landscapes_app, dict(LS_QUERY, tab="basins"))
    assert at.button_group(key="ls_mode").value == LP.MODES[0] and basins.button_group(key="ls_mode").value == LP.MODES[1]
    check_basins_widgets(basins)
    assert basins.query_params == dict(LS_QUERY, tab="basins")


def test_landscapes_widgets_to_link_to_fresh_session():
    at = open_page(_landscapes_app, {"res": "64", "steps": "200"})
    ok(at.selectbox(key="ls_surface").set_value("himmelblau").run())
    ok(at.selectbox(key="ls_opt").set_value("adam").run())  # its learning rate is measured
    base = "ls_ax_himmelblau_adam_None"
    ok(at.selectbox(key=f"{base}_y").set_value("beta2").run())
    ok(at.radio(key=f"{base}_lr_spacing").set_value("linear").run())
    ok(at.select_slider(key="ls_hp_himmelblau_adam_None_beta1").set_value(0.8).run())
    ok(at.button_group(key="ls_metric").set_value("diverged").run())
    ok(at.button_group(key="ls_mode").set_value(LP.MODES[1]).run())
    ok(at.selectbox(key="lb1_opt").set_value("nag").run())
    ok(at.select_slider(key="lb_dist").set_value(0.01).run())
    query = dict(at.query_params)
    assert query["tab"] == "basins" and query["surface"] == "himmelblau()" and query["metric"] == "diverged"
    assert query["opt"].startswith("adam(lr=") and ",beta1=0.8," in query["opt"]
    assert (query["x"], query["xscale"], query["y"]) == ("lr", "linear", "beta2")
    assert query["b_opt_b"].startswith("nag(lr=") and query["b_within"] == "0.01"
    assert query == LP.to_query(LP.from_query(query)[0])  # canonical

    fresh = open_page(_landscapes_app, query)
    assert not fresh.warning and fresh.query_params == query
    prefixes = ("ls_", "lb")
    assert widget_values(fresh, prefixes) == widget_values(at, prefixes)
    assert basin_names(fresh) == basin_names(at)
    for page in (at, fresh):
        ok(page.button_group(key="ls_mode").set_value(LP.MODES[0]).run())
    assert widget_values(fresh, prefixes) == widget_values(at, prefixes)
    assert heatmap_spec(fresh) == heatmap_spec(at)
    spec = heatmap_spec(fresh)
    assert (spec.optimizer, spec.surface, spec.y.name, spec.x.log, spec.steps) == ("adam", "himmelblau", "beta2",
                                                                                    False, 200)
    assert fresh.button_group(key="ls_metric").value == "diverged"


BAD_LANDSCAPE_LINKS = [
    # (query, widget kind, key, the value it falls back or is clamped to)
    ({"surface": "nowhere(a=1)"}, "selectbox", "ls_surface", "rosenbrock"),
    ({"surface": "rosenbrock(b=1e9,zz=1)"}, "select_slider", "ls_sp_rosenbrock_b", 1000.0),
    ({"start": "9,9"}, "number_input", "ls_sy_rosenbrock", 3.0),
    ({"start": "1;2"}, "number_input", "ls_sx_rosenbrock", -1.2),
    ({"steps": "-5"}, "slider", "ls_steps", 1),
    ({"opt": "sgdm(lr=abc,zeta=1)"}, "select_slider", "ls_hp_rosenbrock_sgdm_None_lr", 0.01),
    ({"opt": "adam@reference"}, "selectbox", "ls_opt", "adam"),
    ({"opt": "<script>alert(1)</script>"}, "selectbox", "ls_opt", "sgdm"),
    ({"x": "nope"}, "selectbox", "ls_ax_rosenbrock_sgdm_None_x", "lr"),
    ({"y": "lr"}, "selectbox", "ls_ax_rosenbrock_sgdm_None_y", "momentum"),  # y = x is not an axis
    ({"xrange": "1,0.001"}, "select_slider", "ls_ax_rosenbrock_sgdm_None_lr_range", "default"),
    ({"yrange": "0.123,0.5"}, "select_slider", "ls_ax_rosenbrock_sgdm_None_momentum_range", (0.12, 0.5)),
    ({"xscale": "cubic"}, "radio", "ls_ax_rosenbrock_sgdm_None_lr_spacing", "log"),
    ({"res": "100"}, "radio", "ls_res", 128),
    ({"tol": "3e-7"}, "select_slider", "ls_tol", 1e-6),
    ({"metric": "**loud**"}, "button_group", "ls_metric", "loss"),
    ({"tab": "3d"}, "button_group", "ls_mode", LP.MODES[0]),
    ({"tab": "basins", "b_starts": "many"}, "radio", "lb_n", 128),
    ({"tab": "basins", "b_opt_b": "[x](javascript:alert(1))"}, "selectbox", "lb1_opt", "adam"),
]


SMALL = {"res": "64", "steps": "100", "b_starts": "64", "b_steps": "100"}  # quick grids


@pytest.mark.parametrize("query, kind, key, want", BAD_LANDSCAPE_LINKS)
def test_landscapes_bad_links_warn_and_fall_back(query, kind, key, want):
    q = dict(SMALL, **query)
    at = open_page(_landscapes_app, q)
    expected = LP.from_query(q)[1]
    assert expected, "every bad link gives at least one warning"
    assert link_warnings(at) == ["Link: " + md_escape(w) for w in expected]
    if want == "default":  # what the page shows without the bad value
        want = getattr(open_page(_landscapes_app, SMALL), kind)(key=key).value
    assert getattr(at, kind)(key=key).value == want
    # the page then writes a link it reads back without a warning
    assert LP.from_query(at.query_params)[1] == []


def test_landscapes_bad_link_text_is_escaped():
    at = open_page(_landscapes_app, dict(SMALL, metric="**loud** [x](https://evil.example)"))
    (shown,) = link_warnings(at)
    assert "**loud**" not in shown and "[x](" not in shown and "https://" not in shown
    assert "\\*\\*loud\\*\\*" in shown


# ---- 3. the whole app ---------------------------------------------------------------------------
def test_app_opens_figures_link_and_keeps_it_across_pages():
    at = open_app("figures", FIG_QUERY)
    assert [t.value for t in at.title] == ["The survey's figures, live"]
    assert not link_warnings(at) and at.query_params == FIG_QUERY
    assert at.select_slider(key="fig1_lr").value == 0.03 and at.selectbox(key="fig2_inner").value == "adam"
    ok(at.slider(key="fig2_k").set_value(7).run())
    want = dict(FIG_QUERY, fig2_k="7")
    assert at.query_params == want
    # another page and back: the widgets were dropped meanwhile; the settings come back, and the link
    from streamlit.util import calc_hash

    for path in ("about", "figures"):
        at._page_hash = calc_hash(path)
        ok(at.run())
    assert at.slider(key="fig2_k").value == 7 and at.select_slider(key="fig1_lr").value == 0.03
    assert at.query_params == want and not link_warnings(at)


def test_app_opens_landscapes_link():
    at = open_app("landscapes", dict(LS_QUERY, tab="basins"))
    assert [t.value for t in at.title] == ["Landscapes"]
    assert not link_warnings(at) and at.query_params == dict(LS_QUERY, tab="basins")
    check_basins_widgets(at)


def test_open_in_explore_opens_that_run_without_warnings():
    at = open_page(_landscapes_app, LS_QUERY)
    spec = heatmap_spec(at)
    res = SL.compute_map(spec)
    xv, yv = SL.cell_values(res, 40, 10)
    at.session_state["ls_cell"] = {"axes": ("lr", "momentum"), "x": xv, "y": yv}
    ok(at.run())
    (url,) = [e.proto.url for e in at.get("link_button")]
    parts = urllib.parse.urlsplit(url)
    assert parts.path == "/explore"
    query = {k: v[-1] for k, v in urllib.parse.parse_qs(parts.query).items()}
    assert query["view"] == "overlay" and "present" not in query and "step" not in query
    settings, warnings = S.from_query(query)
    assert not warnings and S.to_query(settings) == query
    explore = open_app("explore", query)
    assert not explore.warning and explore.query_params == query
    assert explore.selectbox(key="surface").value == "quadratic"
    assert explore.slider(key="steps").value == 200
    assert explore.selectbox(key="o0_id").value == "sgdm"
    assert explore.select_slider(key="o0_sgdm__lr").value == xv
    assert explore.select_slider(key="o0_sgdm__momentum").value == yv
    # the run Explore draws is the cell's, bit for bit
    run = optimizers.run("sgdm", settings.surface_obj(), settings.start, settings.steps, lr=xv, momentum=yv)
    np.testing.assert_array_equal(run.loss[-1], res.loss[10, 40])


# ---- 4. one colour per optimizer ------------------------------------------------------------------
def explore_colors(at: AppTest) -> dict:
    """{legend label: colour} of the paths on Explore's stage."""
    (stage,) = [e for e in at.get("bidi_component") if e.proto.id.endswith("-stage")]
    return {p["label"]: p["color"] for p in json.loads(stage.proto.bytes or stage.proto.json)["paths"]}


def test_sgd_and_sgdm_have_the_same_colour_on_explore_and_in_figure1():
    explore = open_app("explore", {"opts": "sgdm(lr=0.01,momentum=0.9);sgd(lr=0.01)"})
    colours = explore_colors(explore)
    sgd = next(c for label, c in colours.items() if label.startswith("SGD lr="))
    sgdm = next(c for label, c in colours.items() if label.startswith("SGD with momentum"))
    assert sgd != sgdm
    fig = F.figure1(animated=False).to_dict()
    paths = by_role(fig, "path")
    assert paths[0]["name"].startswith("SGD (") and paths[0]["line"]["color"] == sgd
    assert paths[1]["name"].startswith("SGDM (") and paths[1]["line"]["color"] == sgdm
    assert [h["marker"]["color"] for h in by_role(fig, "head")] == [sgd, sgdm]
    assert (F.SGD_COLOR, F.SGDM_COLOR) == (sgd, sgdm) == (style.optimizer_color(index_of("sgd")),
                                                          style.optimizer_color(index_of("sgdm")))
