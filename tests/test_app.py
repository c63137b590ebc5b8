"""The Streamlit app itself, run headless with ``streamlit.testing.v1.AppTest``.

Every check reads what the page sends to the browser: widget values, ``st.warning`` /
``st.error`` / ``st.toast`` elements, the URL (``at.query_params``), the results table, the
download files, the Explore stage's payload (the v2 custom component mounted with key
"stage"; its JSON is built by :func:`plots.stage.stage_payload`, arrays are base64 typed arrays
decoded with :func:`plots.explore.decode_array`) and the 3D view's Plotly JSON (``proto.spec``).
Paths in the payload are compared with ``optimizers.run`` called directly with the expected
arguments, cut where the run diverged or left the view (``studies.metrics.escaped_at``).

1. pages        Explore: defaults (3 optimizers on Rosenbrock, colours, frames, bounds, contour,
                markers, loss arrays, charts, table), no error / warning, every surface and every
                optimizer renders; About (the survey, the verification); the sidebar's page links
                and every page's path ("/" is Explore); going to About and back, or from "/" to
                "/explore" and back, keeps the view
2. interaction  surface (start moves, hyperparameters kept), optimizer (registry defaults),
                hyperparameter slider, steps, start, noise / seed: each changes the payload as it
                should (labels, colours, frames, paths, losses, Lookahead's slow weights);
                expanders keep their keys and labels
3. views        overlay, panels, 3D (a charts-only stage under it), overlay + 3D; presenter mode
                (only the stage, larger text; on and off)
4. stage events what the browser sends (a trigger payload, as stage.js does): a click sets the
                start (4 significant digits, clamped), a step, presenter mode, the scrubber's value;
                the scrubber's family of runs against the engine
5. URL          link -> widgets -> same canonical link (A/B duplicate, @reference, Lookahead
                with inner, surface parameters, noise, seed, view, step); another surface without
                opts; widgets -> link -> fresh session -> identical payload
6. bad links    each bad parameter (also view / present / step): a visible warning, no exception,
                the documented fallback or clamp (``ui.settings.from_query``)
7. divergence   an ``st.error`` naming the run, the legend and the results table say when, the
                other runs are untouched; a run that leaves the view (Adam, lr = 100) gets a
                warning and "left the view at step N" instead; a numerical divergence is called
                one even when the run left the view first
8. downloads    CSV / JSON / HTML bytes as the browser would get them (AppTest's media
                file manager), checked against ``optimizers.run``; the export functions directly
9. buttons      Preset (measured learning rates and start; measured only when pressed, and
                ``S.DEFAULT_LRS`` is what it measures for the default view), Add, Duplicate,
                Remove, Reset

Drawing in the browser (Play, canvas pixels, keys) is covered by the browser tests
(``tests/test_e2e.py``).  Rerun timing is measured by the benchmarks, not asserted here.
"""
from __future__ import annotations

import csv
import io
import json
import math
import pathlib
import re
import urllib.parse

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import optimizers
import surfaces
from optimizers.registry import index_of
from plots import style
from plots.explore import CLICK_GRID_NAME, decode_array
from studies import presets
from studies.metrics import escaped_at
from studies.runs import explore_runs
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
DEFAULT_IDS = ("sgd", "sgdm", "adam")
#: the optimizers a link to another surface without ``opts`` gets: the default ones, registry defaults
REGISTRY_DEFAULT_OPTS = ";".join(S.optimizer_config(i).to_text() for i in DEFAULT_IDS)
TABLE_COLUMNS = ["optimizer", "final loss", "final point", "distance to minimum", "steps to f − f* ≤ 1e-06",
                 "stopped"]

#: a non-default view: surface parameters, start, steps, noise, seed, an A/B duplicate of NAG
#: (one in its torch form), SGD and Lookahead wrapping SGDM, the panels view at step 120
#: (canonical: to_query(from_query(q)) == q)
RICH_QUERY = {
    "surface": "quadratic(kappa=50,angle=30)",
    "start": "-1.8,0.8",
    "steps": "250",
    "noise": "0.5",
    "seed": "7",
    "opts": "nag@reference(lr=0.02,momentum=0.9);nag(lr=0.01,momentum=0.8);sgd(lr=0.01);"
            "lookahead(inner=sgdm,k=6,alpha=0.6,lr=0.01,momentum=0.85)",
    "view": "panels",
    "step": "120",
}


# ---- helpers: the app ------------------------------------------------------------------------
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


def goto_page(at: AppTest, url_path: str) -> AppTest:
    """Switch to the ``st.navigation`` page at ``/url_path`` ("" is "/") and run.

    ``AppTest.switch_page`` only knows file pages; Gradscape's pages are functions
    (``st.Page(explore.page)``), so this selects the page by the script hash that
    ``st.navigation`` registered for its URL path (private AppTest attributes)."""
    pages = getattr(at, "_registered_pages", None)
    assert isinstance(pages, dict) and hasattr(at, "_page_hash"), "AppTest can no longer select a function page"
    hashes = [h for h, info in pages.items() if info.get("url_pathname") == url_path]
    assert len(hashes) == 1, f"no page at /{url_path} among {[i.get('url_pathname') for i in pages.values()]}"
    at._page_hash = hashes[0]
    return at.run()


def send_stage_event(at: AppTest, name: str, value, key: str = "stage") -> AppTest:
    """Rerun as the browser does when the stage ``key`` sends event ``name`` with ``value``
    (``setTriggerValue`` in ``ui/stage/stage.js``): every widget's state, plus the component's
    trigger payload ``[{"event": name, "value": value}]`` (AppTest has no public way to send a
    custom component's events: this uses ``at._tree``, ``at._run`` and Streamlit's trigger id)."""
    from streamlit.components.v2.bidi_component.main import _make_trigger_id

    found = [e for e in at.get("bidi_component") if e.proto.id.endswith(f"-{key}")]
    assert len(found) == 1, f"{len(found)} stages with key {key!r}"
    states = at._tree.get_widget_states()
    trigger = states.widgets.add()
    trigger.id = _make_trigger_id(found[0].proto.id, "events")
    trigger.json_trigger_value = json.dumps([{"event": name, "value": value}])
    return at._run(states)


def messages(elements) -> list[str]:
    return [e.value for e in elements]


def run_notes(at: AppTest) -> tuple[list[str], list[str]]:
    """The notes about runs: the ``st.error`` texts and the ``st.warning`` texts (those not
    about the link)."""
    return messages(at.error), [w for w in messages(at.warning) if not w.startswith("Link: ")]


def link_warnings(at: AppTest) -> list[str]:
    return [w for w in messages(at.warning) if w.startswith("Link: ")]


def summary_line(at: AppTest) -> str:
    """The line above the plot: surface, start, steps (and noise)."""
    lines = [m.value for m in at.main.markdown if " · start (" in m.value]
    assert len(lines) == 1
    return lines[0]


def assert_slider_stops_distinct(at: AppTest) -> None:
    """No select slider shows the same label twice (e.g. 0.3 and 0.30000000000000004)."""
    for sl in at.select_slider:
        stops = list(sl.options)
        assert len(set(stops)) == len(stops), (sl.key, [o for o in stops if stops.count(o) > 1])
        assert sl.format_func(sl.value) in stops


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert len(found) == 1, f"{len(found)} buttons labelled {label!r}"
    return found[0]


def expanders(at: AppTest) -> list[tuple[str, str]]:
    """(key, label without its leading icon) of each optimizer's expander, in order."""
    return [(e.key, re.sub(r"^:material/[a-z_]+: ", "", e.label)) for e in at.expander
            if (e.key or "").startswith("exp")]


def expected_expanders(at: AppTest, ids) -> list[tuple[str, str]]:
    """Keys ``exp{uid}`` and labels "n. <optimizer name>" for the optimizers ``ids``."""
    uids = list(at.session_state["opt_uids"])
    assert len(uids) == len(ids)
    return [(f"exp{u}", f"{n + 1}. {W.optimizer_label(i)}") for n, (u, i) in enumerate(zip(uids, ids))]


def opts_of(at: AppTest) -> tuple:
    """The optimizers of the page's link."""
    return S.from_query(at.query_params)[0].optimizers


# ---- helpers: the stage payload --------------------------------------------------------------
def stages(at: AppTest) -> dict:
    """The page's stages, by widget key ("stage", "stage_charts"), as parsed payloads."""
    return {key: json.loads(e.proto.bytes or e.proto.json) for e in at.get("bidi_component")
            if (key := e.proto.id.rsplit("-", 1)[1]) != "gs_preload"}  # the plotly.js preloader


def stage(at: AppTest) -> dict:
    found = stages(at)
    assert "stage" in found, f"no stage; the page has {sorted(found)}"
    return found["stage"]


def plotly_charts(at: AppTest) -> dict:
    """The page's Plotly charts (only the 3D view, "surface3d"), by key, as parsed JSON."""
    return {c.proto.id.rsplit("-", 1)[1]: json.loads(c.proto.spec) for c in at.get("plotly_chart")}


def legend(payload: dict) -> list[str]:
    """The legend text of each path: its label, and " — " + its status when it has one."""
    return [p["label"] + (f" — {p['status']}" if p["status"] else "") for p in payload["paths"]]


def labels(payload: dict) -> list[str]:
    return [p["label"] for p in payload["paths"]]


def statuses(payload: dict) -> list[str]:
    return [p["status"] for p in payload["paths"]]


def path_looks(payload: dict) -> list[tuple[str, str]]:
    """(colour, dash) of each path."""
    return [(p["color"], p["dash"]) for p in payload["paths"]]


def styles_for(ids) -> list[tuple[str, str]]:
    """The (colour, dash) each optimizer must have: its own colour, a copy dashed."""
    return style.path_styles([index_of(i) for i in ids])


def drawn_paths(payload: dict) -> list[np.ndarray]:
    """Every path the stage draws, as float32 (n, 2) arrays (``n`` rows, as the payload says)."""
    out = []
    for i, p in enumerate(payload["paths"]):
        x, y = decode_array(p["x"]), decode_array(p["y"])
        assert x.dtype == y.dtype == np.float32 and len(x) == len(y) == p["n"], (i, x.dtype, len(x), p["n"])
        out.append(np.column_stack([x, y]))
    return out


def drawn_losses(payload: dict) -> list[np.ndarray]:
    return [decode_array(p["loss"]) for p in payload["paths"]]


def rows_shown(run, surface) -> int:
    """How many rows of an ``optimizers.run`` result the page draws: those before a divergence
    and before the run left the view (at least the start)."""
    n = len(run.path)
    for stop in (run.diverged_at, escaped_at(run.path, surface)):
        if stop >= 0:
            n = min(n, stop)
    return max(1, n)


def engine_path(run, surface=ROSEN) -> np.ndarray:
    """What the stage must draw of an ``optimizers.run`` result, as float32."""
    return run.path[: rows_shown(run, surface)].astype(np.float32)


def engine_loss(run, surface=ROSEN) -> np.ndarray:
    return run.loss[: rows_shown(run, surface)].astype(np.float32)


def expected_status(run, surface=ROSEN) -> str:
    """What the page says of a run: a numerical divergence (non-finite, or beyond the engine's
    threshold) wins, even when the run left the view first."""
    if run.diverged_at >= 0:
        return f"diverged at step {run.diverged_at}"
    out = escaped_at(run.path, surface)
    return f"left the view at step {out}" if out >= 0 else ""


def assert_draws(payload: dict, runs, surface=ROSEN) -> None:
    """The payload's paths and losses are exactly the engine's runs (float32, cut where drawn),
    and each path's status says why it stops."""
    paths, losses = drawn_paths(payload), drawn_losses(payload)
    assert len(paths) == len(runs)
    for i, (got, loss, run) in enumerate(zip(paths, losses, runs)):
        np.testing.assert_array_equal(got, engine_path(run, surface), err_msg=f"path {i}")
        np.testing.assert_array_equal(loss, engine_loss(run, surface), err_msg=f"loss {i}")
        assert payload["paths"][i]["status"] == expected_status(run, surface), i


def runs_for(query: dict) -> list:
    """``optimizers.run`` for every optimizer of a (canonical) URL, straight from the engine."""
    s, warnings = S.from_query(query)
    assert not warnings
    surf = s.surface_obj()
    return [optimizers.run(c.id, surf, s.start, s.steps, variant=c.variant, noise=s.noise, seed=s.seed,
                           **c.kwargs()) for c in s.optimizers]


def assert_frames(frames: list, steps: int) -> None:
    """The Play frames: at most ``style.MAX_FRAMES`` evenly spaced steps from 0 to ``steps``."""
    assert len(frames) == min(steps + 1, style.MAX_FRAMES)
    assert frames[0] == 0 and frames[-1] == steps
    gaps = np.diff(frames)
    assert gaps.min() >= 1 and gaps.max() - gaps.min() <= 1, sorted(set(gaps.tolist()))


def assert_contour_spans(payload: dict, surface) -> None:
    """The contour grid covers exactly the surface's bounds (which are the payload's)."""
    (x0, x1), (y0, y1) = surface.bounds
    assert payload["bounds"] == [[x0, x1], [y0, y1]]
    c = payload["contour"]
    xs, ys, z = decode_array(c["x"]), decode_array(c["y"]), decode_array(c["z"])
    assert (xs[0], xs[-1], ys[0], ys[-1]) == tuple(np.float32(v) for v in (x0, x1, y0, y1))
    assert len(z) == len(xs) * len(ys) and np.isfinite(z).all()


def assert_markers(payload: dict, surface, start) -> None:
    """The minima (or saddle points) and the start, and the points distances are measured to."""
    named = {m["name"]: m for m in payload["markers"]}
    assert list(named) == ["minimum" if surface.minima else "saddle point", "start"]
    points = surface.minima or surface.saddles
    marks = named["minimum" if surface.minima else "saddle point"]
    assert sorted(zip(marks["x"], marks["y"])) == sorted((m.x, m.y) for m in points)
    assert payload["targets"] == [[m.x, m.y] for m in points]
    assert (named["start"]["x"], named["start"]["y"]) == ([start[0]], [start[1]])


def expected_charts(surface) -> list[tuple]:
    """(kind, title, y title, log) of the charts under the plot: loss, and distance when the
    surface has minima or saddles."""
    if surface.minima:
        return [("loss", "Loss f − f* (log scale)", "f − f*", True),
                ("dist", "Distance to the nearest minimum", "distance", True)]
    out = [("loss", "Loss f", "f", False)]
    if surface.saddles:
        out.append(("dist", "Distance to the saddle point", "distance", True))
    return out


def charts_of(payload: dict) -> list[tuple]:
    return [(c["kind"], c["title"], c["ytitle"], c["log"]) for c in payload["charts"]]


def stopped_text(status: str) -> str:
    return status or "—"


def assert_stops_reported(at: AppTest, payload: dict) -> None:
    """Each run that diverged has one ``st.error`` and each that left the view one
    ``st.warning``, naming it, in order; the table's "stopped" column says the same."""
    errors, warnings = run_notes(at)
    want_errors = [(p["label"], p["status"]) for p in payload["paths"] if p["status"].startswith("diverged at step")]
    want_warnings = [(p["label"], p["status"]) for p in payload["paths"] if p["status"].startswith("left the view")]
    assert len(errors) == len(want_errors) and len(warnings) == len(want_warnings), (errors, warnings)
    for text, (label, status) in zip(errors + warnings, want_errors + want_warnings):
        assert text.startswith(f"**{W.md_escape(label)}** {status}:"), (text, label, status)
    assert list(results(at)["stopped"]) == [stopped_text(s) for s in statuses(payload)]
    assert all(s == "" or re.fullmatch(r"(diverged at|left the view at) step \d+", s) for s in statuses(payload))


def results(at: AppTest):
    """The results table (one Markdown table, cells escaped) as a DataFrame of its shown text."""
    import pandas as pd

    md = next(m.value for m in at.main.markdown if m.value.startswith("| optimizer"))

    def cells(line):
        return [re.sub(r"\\(.)", r"\1", c.strip()).replace("\u200b", "") for c in line.strip()[1:-1].split(" | ")]

    lines = md.split("\n")
    return pd.DataFrame([cells(x) for x in lines[2:]], columns=cells(lines[0]))


def assert_table(at: AppTest, runs, surface=ROSEN) -> None:
    """The results table against the engine: labels, the last drawn row's loss, point and
    distance, the step f − f* ≤ 1e-6 (for runs drawn to the end)."""
    table = results(at)
    dist_col = "distance to minimum" if surface.minima else "distance to saddle"
    assert list(table.columns) == [dist_col if c == "distance to minimum" else c for c in TABLE_COLUMNS]
    points = np.array([(m.x, m.y) for m in (surface.minima or surface.saddles)])
    for i, run in enumerate(runs):
        last = rows_shown(run, surface) - 1
        x, y = run.path[last]
        assert table["final loss"][i] == f"{float(run.loss[last]):.3e}", i
        assert table["final point"][i] == f"({fmt(float(x))}, {fmt(float(y))})", i
        assert table[dist_col][i] == f"{float(np.hypot(points[:, 0] - x, points[:, 1] - y).min()):.3e}", i
        if last == len(run.path) - 1:
            hit = np.nonzero(run.loss - surface.f_min <= 1e-6)[0] if surface.minima else []
            want = str(int(hit[0])) if len(hit) else ("—" if surface.minima else "n/a")
            assert table["steps to f − f* ≤ 1e-06"][i] == want, i


@pytest.fixture
def app() -> AppTest:
    """The app opened with no query parameters."""
    return ok(open_app())


# ---- 1. pages ------------------------------------------------------------------------------
def test_default_view(app):
    assert not app.error and not app.warning, messages(app.error) + messages(app.warning)
    assert summary_line(app).startswith("**Rosenbrock**: ") and "· start (-1.5, 2) · 300 steps" in summary_line(app)
    assert app.selectbox(key="surface").value == "rosenbrock"
    assert [app.selectbox(key=f"o{u}_id").value for u in range(3)] == list(DEFAULT_IDS)
    assert (app.number_input(key="start_x").value, app.number_input(key="start_y").value) == (-1.5, 2.0)
    assert app.slider(key="steps").value == S.DEFAULT_STEPS
    assert app.segmented_control(key="view_w").value == "overlay"
    assert app.toggle(key="present_w").value is False and app.toggle(key="scrub_on").value is False
    assert app.query_params == DEFAULT_QUERY
    assert DEFAULT_QUERY["view"] == "overlay" and "present" not in DEFAULT_QUERY and "step" not in DEFAULT_QUERY
    assert_slider_stops_distinct(app)
    assert expanders(app) == [("exp0", "1. SGD"), ("exp1", "2. SGD with momentum"), ("exp2", "3. Adam")]

    assert set(stages(app)) == {"stage"} and not plotly_charts(app)  # the 3D figure is built only when shown
    s = stage(app)
    assert (s["view"], s["present"], s["font"], s["step"], s["scrub"]) == ("overlay", False, style.STAGE_FONT,
                                                                           None, None)
    assert s["steps"] == S.DEFAULT_STEPS
    assert_frames(s["frames"], S.DEFAULT_STEPS)
    assert s["bounds"] == [[-2.0, 2.0], [-1.0, 3.0]]
    assert_contour_spans(s, ROSEN)
    assert_markers(s, ROSEN, (-1.5, 2.0))
    assert legend(s) == [c.label() for c in DEFAULT.optimizers]
    assert legend(s)[0].startswith("SGD lr=") and legend(s)[2].startswith("Adam lr=")
    assert statuses(s) == [""] * 3
    # each optimizer its own colour, solid
    assert path_looks(s) == styles_for(DEFAULT_IDS)
    assert len({c for c, _ in path_looks(s)}) == 3 and {d for _, d in path_looks(s)} == {"solid"}
    runs = runs_for(DEFAULT_QUERY)
    assert not any(r.diverged for r in runs)
    assert_draws(s, runs)
    assert [p["n"] for p in s["paths"]] == [S.DEFAULT_STEPS + 1] * 3
    assert "slow" not in s["paths"][0]
    assert charts_of(s) == expected_charts(ROSEN)

    assert_table(app, runs)
    assert list(results(app)["optimizer"]) == labels(s)
    assert list(results(app)["stopped"]) == ["—"] * 3
    assert [b.label for b in app.get("download_button")] == ["Trajectories (CSV)", "Trajectories (JSON)",
                                                             "Figure (HTML)"]
    # the whole payload of the default view stays well under a megabyte
    assert sum(len(e.proto.bytes or e.proto.json) for e in app.get("bidi_component")) < 1_000_000


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
    assert not at.get("plotly_chart") and not at.get("bidi_component") and not at.error and not at.warning


def test_about_page_alone():
    at = AppTest.from_string("from ui import about\nabout.page()\n", default_timeout=TIMEOUT)
    _check_about(at.run())


def test_pages_and_their_links(app):
    # the sidebar links every page by its own path; "/" (the default page) is Explore
    links = {(p.proto.label, p.proto.page) for p in app.get("page_link")}
    assert links == {("Explore", "explore"), ("Lessons", "lessons"), ("Figures", "figures"),
                     ("Landscapes", "landscapes"), ("About", "about")}
    paths = sorted(info.get("url_pathname") for info in app._registered_pages.values())
    assert paths == ["", "about", "explore", "figures", "landscapes", "lessons"]
    home = stage(app)
    ok(goto_page(app, "lessons"))
    assert [t.value for t in app.title] == ["Lessons"] and not stages(app)
    ok(goto_page(app, "figures"))
    assert [t.value for t in app.title] == ["The survey's figures, live"] and not stages(app)
    ok(goto_page(app, "landscapes"))
    assert [t.value for t in app.title] == ["Landscapes"] and not stages(app)
    _check_about(goto_page(app, "about"))
    ok(goto_page(app, "explore"))
    assert stage(app) == home and app.query_params == DEFAULT_QUERY
    _check_about(goto_page(app, "about"))
    ok(goto_page(app, ""))
    assert stage(app) == home and app.query_params == DEFAULT_QUERY


def test_explore_link_seen_from_home_keeps_the_view(app):
    """"/" and "/explore" are the same page: following the sidebar's Explore link from "/" (and
    back) keeps the view."""
    ok(app.slider(key="steps").set_value(77).run())
    before, before_stage = dict(app.query_params), stage(app)
    ok(goto_page(app, "explore"))
    assert app.query_params == before
    assert app.slider(key="steps").value == 77
    assert stage(app) == before_stage
    ok(goto_page(app, ""))
    assert app.query_params == before and stage(app) == before_stage


def test_about_page_and_back_keeps_the_view(app):
    app.slider(key="steps").set_value(77).run()
    app.select_slider(key="o0_sgd__lr").set_value(0.003).run()
    app.segmented_control(key="view_w").set_value("panels").run()
    before = dict(ok(app).query_params)
    assert before["view"] == "panels" and before["steps"] == "77"
    before_stage = stage(app)
    _check_about(goto_page(app, "about"))
    ok(goto_page(app, "explore"))
    assert app.query_params == before
    assert app.slider(key="steps").value == 77 and app.segmented_control(key="view_w").value == "panels"
    assert stage(app) == before_stage
    # and by "/" too
    _check_about(goto_page(app, "about"))
    ok(goto_page(app, ""))
    assert app.query_params == before and stage(app) == before_stage


def test_every_surface_renders(app):
    ids = list(surfaces.SURFACES)
    for sid in ids[1:] + ids[:1]:  # Rosenbrock (shown first) last: choosing it must be a change
        surf = surfaces.SURFACES[sid]
        ok(app.selectbox(key="surface").set_value(sid).run())
        s = stage(app)
        assert_contour_spans(s, surf)
        assert_markers(s, surf, tuple(surf.start))
        assert charts_of(s) == expected_charts(surf), sid
        # choosing a surface moves to its suggested start and keeps the optimizers' settings
        assert app.query_params["surface"].startswith(f"{sid}(")
        settings = S.from_query(app.query_params)[0]
        assert settings.start == tuple(surf.start), sid
        assert settings.optimizers == DEFAULT.optimizers, sid
        assert [t.value for t in app.toast] == [f"{surf.name}: started from its suggested start. Press Preset "
                                                "for learning rates measured on this surface."]
        runs = [optimizers.run(c.id, surf, tuple(surf.start), S.DEFAULT_STEPS, **c.kwargs())
                for c in DEFAULT.optimizers]
        assert_draws(s, runs, surf)
        assert labels(s) == [c.label() for c in DEFAULT.optimizers]
        assert_stops_reported(app, s)
        assert_table(app, runs, surf)


def test_every_optimizer_renders(app):
    ids = list(optimizers.OPTIMIZERS)
    default_paths = drawn_paths(stage(app))
    for oid in ids[1:] + ids[:1]:  # SGD (shown first) last: choosing it must be a change
        spec = optimizers.OPTIMIZERS[oid]
        ok(app.selectbox(key="o0_id").set_value(oid).run())
        s = stage(app)
        assert len(s["paths"]) == 3 and labels(s)[0].startswith(spec.name), (oid, labels(s))
        # a newly chosen optimizer gets its registry defaults (Preset measures a learning rate)
        cfg = opts_of(app)[0]
        assert cfg == S.optimizer_config(oid), oid
        assert labels(s)[0] == cfg.label()
        assert path_looks(s) == styles_for([oid, "sgdm", "adam"]), oid
        assert expanders(app)[0] == ("exp0", f"1. {W.optimizer_label(oid)}")
        run = optimizers.run(oid, ROSEN, (-1.5, 2.0), S.DEFAULT_STEPS, **cfg.kwargs())
        assert_draws({"paths": s["paths"][:1]}, [run])
        for got, want in zip(drawn_paths(s)[1:], default_paths[1:]):
            np.testing.assert_array_equal(got, want)
        assert_stops_reported(app, s)


# ---- 2. interaction ------------------------------------------------------------------------
def test_surface_change(app):
    before = stage(app)
    ok(app.selectbox(key="surface").set_value("himmelblau").run())
    s = stage(app)
    him = surfaces.SURFACES["himmelblau"]
    assert s["bounds"] == [[-5.0, 5.0], [-5.0, 5.0]]
    z, z_before = decode_array(s["contour"]["z"]), decode_array(before["contour"]["z"])
    assert z.shape == z_before.shape and not np.array_equal(z, z_before)
    assert_markers(s, him, (0.0, 0.0))  # Himmelblau's four minima, its suggested start
    assert app.query_params["surface"] == "himmelblau()" and app.query_params["start"] == "0,0"
    # the optimizers keep their hyperparameters (Preset would measure new learning rates)
    assert opts_of(app) == DEFAULT.optimizers
    assert labels(s) == [c.label() for c in DEFAULT.optimizers]
    assert path_looks(s) == path_looks(before)
    assert_draws(s, [optimizers.run(c.id, him, (0.0, 0.0), S.DEFAULT_STEPS, **c.kwargs())
                     for c in DEFAULT.optimizers], him)
    # a surface parameter slider changes the surface (and the URL)
    ok(app.selectbox(key="surface").set_value("quadratic").run())
    flat = decode_array(stage(app)["contour"]["z"])
    ok(app.select_slider(key="sp_quadratic_kappa").set_value(200.0).run())
    assert app.query_params["surface"] == "quadratic(kappa=200,angle=0)"
    s = stage(app)
    assert not np.array_equal(decode_array(s["contour"]["z"]), flat)
    quad = surfaces.get_surface("quadratic", kappa=200, angle=0)
    assert_draws(s, [optimizers.run(c.id, quad, (-1.8, 0.8), S.DEFAULT_STEPS, **c.kwargs())
                     for c in DEFAULT.optimizers], quad)


def test_optimizer_change_and_hyperparameter_slider(app):
    ok(app.select_slider(key="o0_sgd__lr").set_value(0.0003).run())
    s = stage(app)
    assert legend(s)[0] == "SGD lr=0.0003"
    assert app.query_params["opts"].split(";")[0] == "sgd(lr=0.0003)"
    assert_draws({"paths": s["paths"][:1]}, [optimizers.run("sgd", ROSEN, (-1.5, 2.0), 300, lr=0.0003)])
    # the other paths are the same as before
    for got, run in zip(drawn_paths(s)[1:], runs_for(DEFAULT_QUERY)[1:]):
        np.testing.assert_array_equal(got, engine_path(run))
    # the expanders keep their keys and their labels (no hyperparameters in them)
    assert expanders(app) == [("exp0", "1. SGD"), ("exp1", "2. SGD with momentum"), ("exp2", "3. Adam")]

    sgdm_lr = DEFAULT.optimizers[1].params["lr"]
    ok(app.select_slider(key="o1_sgdm__momentum").set_value(0.5).run())
    assert legend(stage(app))[1] == f"SGD with momentum lr={sgdm_lr:g}, momentum=0.5"
    np.testing.assert_array_equal(drawn_paths(stage(app))[1], engine_path(
        optimizers.run("sgdm", ROSEN, (-1.5, 2.0), 300, lr=sgdm_lr, momentum=0.5)))

    # another optimizer: its registry defaults, its own colour
    ok(app.selectbox(key="o2_id").set_value("nag").run())
    assert opts_of(app)[2] == S.optimizer_config("nag")
    assert app.radio(key="o2_variant").value == "paper"
    assert path_looks(stage(app)) == styles_for(["sgd", "sgdm", "nag"])
    assert expanders(app)[2] == ("exp2", f"3. {W.optimizer_label('nag')}")
    ok(app.radio(key="o2_variant").set_value("reference").run())
    s = stage(app)
    assert labels(s)[2].startswith("Nesterov (NAG) [reference] lr=")
    cfg = opts_of(app)[2]
    assert (cfg.id, cfg.variant) == ("nag", "reference")
    assert cfg.params == S.optimizer_config("nag").params
    assert app.query_params["opts"].split(";")[2].startswith("nag@reference(")
    np.testing.assert_array_equal(drawn_paths(s)[2], engine_path(
        optimizers.run("nag", ROSEN, (-1.5, 2.0), 300, variant="reference", **cfg.kwargs())))

    # Lookahead: an inner optimizer selectbox, an integer slider for k, the slow weights
    ok(app.selectbox(key="o2_id").set_value("lookahead").run())
    ok(app.selectbox(key="o2_inner").set_value("sgdm").run())
    ok(app.slider(key="o2_lookahead_sgdm_k").set_value(7).run())
    ok(app.select_slider(key="o2_lookahead_sgdm_lr").set_value(0.001).run())  # slow enough to stay in view
    s = stage(app)
    assert labels(s)[2] == "Lookahead(SGD with momentum) k=7, alpha=0.5, lr=0.001, momentum=0.9"
    assert [("slow" in p) for p in s["paths"]] == [False, False, True]
    cfg = opts_of(app)[2]
    assert cfg.inner == "sgdm" and cfg.params["k"] == 7
    assert cfg == S.optimizer_config("lookahead", inner="sgdm", k=7, lr=0.001)
    run = optimizers.run("lookahead", ROSEN, (-1.5, 2.0), 300, **cfg.kwargs())
    np.testing.assert_array_equal(drawn_paths(s)[2], engine_path(run))
    slow = s["paths"][2]["slow"]
    assert rows_shown(run, ROSEN) == 301
    keep = np.isfinite(run.slow).all(axis=1) & (run.slow_steps < 301)
    assert keep.sum() == 300 // 7 + 1  # the start, then every k = 7 steps
    np.testing.assert_array_equal(decode_array(slow["x"]), run.slow[keep, 0].astype(np.float32))
    np.testing.assert_array_equal(decode_array(slow["y"]), run.slow[keep, 1].astype(np.float32))
    np.testing.assert_array_equal(decode_array(slow["steps"]), run.slow_steps[keep])
    assert expanders(app)[2] == ("exp2", f"3. {W.optimizer_label('lookahead')}")


def test_steps_change(app):
    ok(app.slider(key="steps").set_value(40).run())
    s = stage(app)
    assert s["steps"] == 40 and s["frames"] == list(range(41))
    assert [p["n"] for p in s["paths"]] == [41] * 3
    assert [len(loss) for loss in drawn_losses(s)] == [41] * 3
    assert_draws(s, runs_for(dict(DEFAULT_QUERY, steps="40")))
    ok(app.slider(key="steps").set_value(2000).run())
    s = stage(app)
    assert s["steps"] == 2000
    assert_frames(s["frames"], 2000)
    assert len(s["frames"]) == style.MAX_FRAMES == 150
    assert [len(p) for p in drawn_paths(s)] == [2001] * 3
    assert_draws(s, runs_for(dict(DEFAULT_QUERY, steps="2000")))
    assert app.query_params["steps"] == "2000"


def test_start_change(app):
    ok(app.number_input(key="start_x").set_value(0.5).run())
    ok(app.number_input(key="start_y").set_value(-0.25).run())
    s = stage(app)
    assert_markers(s, ROSEN, (0.5, -0.25))
    for path in drawn_paths(s):
        assert tuple(path[0]) == (0.5, -0.25)
    assert_draws(s, [optimizers.run(c.id, ROSEN, (0.5, -0.25), 300, **c.kwargs()) for c in DEFAULT.optimizers])
    assert app.query_params["start"] == "0.5,-0.25"
    assert "start (0.5, -0.25)" in summary_line(app)


def test_noise_and_seed(app):
    ok(app.number_input(key="noise").set_value(0.5).run())
    noisy = drawn_paths(stage(app))
    ok(app.number_input(key="seed").set_value(3).run())
    reseeded = stage(app)
    assert (app.query_params["noise"], app.query_params["seed"]) == ("0.5", "3")
    assert "gradient noise σ = 0.5, seed 3" in summary_line(app)
    for i, cfg in enumerate(DEFAULT.optimizers):
        np.testing.assert_array_equal(noisy[i], engine_path(optimizers.run(
            cfg.id, ROSEN, (-1.5, 2.0), 300, noise=0.5, seed=0, **cfg.kwargs())))
        assert not np.array_equal(noisy[i], drawn_paths(reseeded)[i])
    assert_draws(reseeded, [optimizers.run(c.id, ROSEN, (-1.5, 2.0), 300, noise=0.5, seed=3, **c.kwargs())
                            for c in DEFAULT.optimizers])


# ---- 3. views ------------------------------------------------------------------------------
def test_view_switch(app):
    overlay = stage(app)
    ok(app.segmented_control(key="view_w").set_value("panels").run())
    assert app.query_params == dict(DEFAULT_QUERY, view="panels")
    assert set(stages(app)) == {"stage"} and not plotly_charts(app)
    s = stage(app)
    assert s["view"] == "panels"
    assert s["paths"] == overlay["paths"] and s["charts"] == overlay["charts"] and s["rev"] != overlay["rev"]

    ok(app.segmented_control(key="view_w").set_value("both").run())
    assert app.query_params["view"] == "both"
    assert set(stages(app)) == {"stage"} and set(plotly_charts(app)) == {"surface3d"}
    assert stage(app)["view"] == "overlay" and stage(app)["paths"] == overlay["paths"]
    f3 = plotly_charts(app)["surface3d"]
    assert f3["data"][0]["type"] == "surface"
    trails = [t for t in f3["data"] if (t.get("meta") or {}).get("role") == "trail"]
    assert [t["name"] for t in trails] == legend(overlay)
    # the same colour (and dash) for each optimizer in 3D as on the stage
    assert [(t["line"]["color"], t["line"]["dash"]) for t in trails] == path_looks(overlay)
    assert len(f3["frames"]) == 100

    ok(app.segmented_control(key="view_w").set_value("3d").run())
    assert app.query_params["view"] == "3d"
    # the 3D surface, and under it a stage that draws only the loss and distance charts
    assert set(stages(app)) == {"stage_charts"} and set(plotly_charts(app)) == {"surface3d"}
    charts = stages(app)["stage_charts"]
    assert charts["view"] == "charts" and charts["charts"] == overlay["charts"]
    assert charts["paths"] == overlay["paths"] and charts["frames"] == overlay["frames"]
    assert results(app).equals(results(ok(open_app())))

    ok(app.segmented_control(key="view_w").set_value("overlay").run())
    assert app.query_params == DEFAULT_QUERY
    assert set(stages(app)) == {"stage"} and not plotly_charts(app)
    assert stage(app) == overlay


def _normal_page_parts(at: AppTest) -> dict:
    """How many of each part of the page besides the stage there are."""
    return {"table": len([m for m in at.main.markdown if m.value.startswith("| optimizer")]),
            "update rules": len([e for e in at.expander if e.key == "rules_exp"]), "subheaders": len(at.subheader),
            "links": len([t for t in at.text_input if t.key in ("share_link", "share_present")]), "downloads": len(at.get("download_button")),
            "view selector": len(at.get("segmented_control")) + len(at.get("button_group")),
            "toggles": len(at.toggle), "summary": len([m for m in at.main.markdown if " · start (" in m.value])}


def _presenter_css(at: AppTest) -> bool:
    return any("stSidebar" in h.proto.body and "display: none" in h.proto.body for h in at.get("html"))


def test_presenter_mode(app):
    assert all(_normal_page_parts(app).values()) and not _presenter_css(app)
    ok(app.toggle(key="present_w").set_value(True).run())
    assert app.query_params == dict(DEFAULT_QUERY, present="1")
    # only the stage, in larger text; the sidebar and the header are hidden
    assert set(stages(app)) == {"stage"} and not plotly_charts(app)
    s = stage(app)
    assert (s["present"], s["font"], s["view"]) == (True, style.PRESENTER_FONT, "overlay")
    assert not any(_normal_page_parts(app).values()), _normal_page_parts(app)
    assert _presenter_css(app)
    assert not app.error and not app.warning
    # the stage turns it off (P, or its button)
    ok(send_stage_event(app, "present", False))
    assert app.query_params == DEFAULT_QUERY
    assert stage(app)["present"] is False and stage(app)["font"] == style.STAGE_FONT
    assert all(_normal_page_parts(app).values()) and not _presenter_css(app)
    assert app.toggle(key="present_w").value is False
    # and on again
    ok(send_stage_event(app, "present", True))
    assert app.query_params == dict(DEFAULT_QUERY, present="1") and stage(app)["present"] is True

    # a presenter link: panels at step 40
    at = ok(open_app({"present": "1", "view": "panels", "step": "40"}))
    assert not link_warnings(at)
    s = stage(at)
    assert (s["present"], s["view"], s["step"], s["font"]) == (True, "panels", 40, style.PRESENTER_FONT)
    assert at.query_params == dict(DEFAULT_QUERY, view="panels", present="1", step="40")
    assert not any(_normal_page_parts(at).values())
    # presenting the 3D view: the 3D surface alone (no charts stage)
    at = ok(open_app({"present": "1", "view": "3d"}))
    assert not stages(at) and set(plotly_charts(at)) == {"surface3d"}
    assert not any(_normal_page_parts(at).values())


# ---- 4. stage events -------------------------------------------------------------------------
def test_click_on_the_stage_sets_the_start(app):
    # rounded to 4 significant digits, and clamped into the plotted domain
    ok(send_stage_event(app, "click", {"x": 0.123456, "y": 5.0}))
    assert (app.number_input(key="start_x").value, app.number_input(key="start_y").value) == (0.1235, 3.0)
    assert app.query_params["start"] == "0.1235,3"
    s = stage(app)
    assert_markers(s, ROSEN, (0.1235, 3.0))
    assert_draws(s, [optimizers.run(c.id, ROSEN, (0.1235, 3.0), 300, **c.kwargs()) for c in DEFAULT.optimizers])
    ok(send_stage_event(app, "click", {"x": -7.777777, "y": -0.3333333}))
    assert app.query_params["start"] == "-2,-0.3333"
    # what cannot be read is ignored
    before = dict(app.query_params)
    ok(send_stage_event(app, "click", {"x": "left", "y": 1}))
    ok(send_stage_event(app, "click", {"y": 1}))
    assert app.query_params == before


def test_step_from_the_stage(app):
    ok(send_stage_event(app, "step", 120))
    assert app.query_params == dict(DEFAULT_QUERY, step="120")
    s = stage(app)
    assert s["step"] == 120
    # the step is where the stage opens; the picture itself (rev) is unchanged
    default = stage(ok(open_app()))
    assert {k: v for k, v in s.items() if k != "step"} == {k: v for k, v in default.items() if k != "step"}
    # it survives a rerun and a view change, and goes when the runs change
    ok(app.run())
    assert app.query_params["step"] == "120"
    ok(app.segmented_control(key="view_w").set_value("panels").run())
    assert app.query_params["step"] == "120" and stage(app)["step"] == 120
    ok(app.slider(key="steps").set_value(100).run())
    assert "step" not in app.query_params and stage(app)["step"] is None
    # the last step is "no step"
    ok(send_stage_event(app, "step", 100))
    assert "step" not in app.query_params and stage(app)["step"] is None


def _scrub_rows(n: int, max_points: int = 600) -> np.ndarray:
    """The rows the scrubber sends of a path with ``n`` drawn rows: evenly strided, at most
    ``max_points`` of them, and the last row."""
    return np.unique(np.r_[np.arange(0, n, max(1, math.ceil(n / max_points))), n - 1])


def _assert_scrub_family(scrub: dict, cfg, name: str, surface, start, steps: int) -> None:
    """The scrubber's paths are the engine's runs of ``cfg`` with ``name`` set to each value."""
    spec = cfg.spec
    hps = spec.hyperparams + (optimizers.OPTIMIZERS[cfg.inner].hyperparams if cfg.inner else ())
    h = {x.name: x for x in hps}[name]
    values = scrub["values"]
    assert scrub["name"] == name
    assert 64 <= len(values) <= 65 and values == sorted(set(values))
    assert h.lo <= values[0] and values[-1] <= h.hi
    assert values[scrub["current"]] == cfg.params[name]  # the current value, exactly
    assert len(scrub["paths"]) == len(scrub["n"]) == len(values)
    for j, v in enumerate(values):
        run = optimizers.run(cfg.id, surface, start, steps, variant=cfg.variant,
                             **dict(cfg.kwargs(), **{name: v}))
        want = run.path[_scrub_rows(rows_shown(run, surface))].astype(np.float32)
        got = np.column_stack([decode_array(scrub["paths"][j]["x"]), decode_array(scrub["paths"][j]["y"])])
        assert scrub["n"][j] == len(want) <= 601, (j, v)
        np.testing.assert_array_equal(got, want, err_msg=f"{name} = {v}")


def test_scrubbing_a_hyperparameter(app):
    ok(app.toggle(key="scrub_on").set_value(True).run())
    scrub = stage(app)["scrub"]
    # by default the last optimizer's learning rate
    assert scrub["path"] == 2 and scrub["name"] == "lr"
    assert (app.selectbox(key="scrub_opt").value, app.selectbox(key="scrub_hp").value) == (2, "lr")
    _assert_scrub_family(scrub, DEFAULT.optimizers[2], "lr", ROSEN, (-1.5, 2.0), 300)
    assert stage(app)["paths"] == stage(ok(open_app()))["paths"]  # the paths themselves are unchanged

    # releasing the scrubber sets the value
    j = 10
    v = scrub["values"][j]
    ok(send_stage_event(app, "scrub", {"index": j, "value": v}))
    assert opts_of(app)[2] == S.optimizer_config("adam", lr=v)
    assert app.select_slider(key="o2_adam__lr").value == v
    assert [t.value for t in app.toast] == [f"lr = {fmt(v)} is now the setting of optimizer 3."]
    assert_draws({"paths": stage(app)["paths"][2:]}, [optimizers.run("adam", ROSEN, (-1.5, 2.0), 300, lr=v)])
    assert stage(app)["scrub"]["values"][stage(app)["scrub"]["current"]] == v

    # another optimizer and hyperparameter (a linear one)
    ok(app.selectbox(key="scrub_opt").set_value(1).run())
    ok(app.selectbox(key="scrub_hp").set_value("momentum").run())
    scrub = stage(app)["scrub"]
    assert scrub["path"] == 1
    _assert_scrub_family(scrub, DEFAULT.optimizers[1], "momentum", ROSEN, (-1.5, 2.0), 300)
    ok(send_stage_event(app, "scrub", {"index": 3, "value": scrub["values"][3]}))
    assert opts_of(app)[1].params["momentum"] == scrub["values"][3]

    # long runs are thinned to at most 600 rows (and the last)
    ok(app.slider(key="steps").set_value(2000).run())
    scrub = stage(app)["scrub"]
    cfg = opts_of(app)[1]
    _assert_scrub_family(scrub, cfg, "momentum", ROSEN, (-1.5, 2.0), 2000)
    assert max(scrub["n"]) <= 601 and max(scrub["n"]) > 500

    ok(app.toggle(key="scrub_on").set_value(False).run())
    assert stage(app)["scrub"] is None


# ---- 5. URL --------------------------------------------------------------------------------
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
    assert at.segmented_control(key="view_w").value == "panels" and at.toggle(key="present_w").value is False
    assert [at.selectbox(key=f"o{u}_id").value for u in range(4)] == ["nag", "nag", "sgd", "lookahead"]
    assert (at.radio(key="o0_variant").value, at.radio(key="o1_variant").value) == ("reference", "paper")
    assert (at.select_slider(key="o0_nag__lr").value, at.select_slider(key="o0_nag__momentum").value) == (0.02, 0.9)
    assert (at.select_slider(key="o1_nag__lr").value, at.select_slider(key="o1_nag__momentum").value) == (0.01, 0.8)
    assert at.select_slider(key="o2_sgd__lr").value == 0.01
    assert at.selectbox(key="o3_inner").value == "sgdm"
    assert at.slider(key="o3_lookahead_sgdm_k").value == 6
    assert [at.select_slider(key=f"o3_lookahead_sgdm_{h}").value for h in ("alpha", "lr", "momentum")] == [
        0.6, 0.01, 0.85]

    s = stage(at)
    assert (s["view"], s["step"], s["steps"], s["present"]) == ("panels", 120, 250, False)
    assert labels(s) == ["Nesterov (NAG) [reference] lr=0.02, momentum=0.9",
                         "Nesterov (NAG) lr=0.01, momentum=0.8", "SGD lr=0.01",
                         "Lookahead(SGD with momentum) k=6, alpha=0.6, lr=0.01, momentum=0.85"]
    # the A/B copy of NAG: the same colour family, dashed
    assert path_looks(s) == styles_for(["nag", "nag", "sgd", "lookahead"])
    assert [p["dash"] for p in s["paths"]] == ["solid", "dash", "solid", "solid"]
    quad = surfaces.get_surface("quadratic", kappa=50, angle=30)
    want = [optimizers.run("nag", quad, (-1.8, 0.8), 250, variant="reference", lr=0.02, momentum=0.9,
                           noise=0.5, seed=7),
            optimizers.run("nag", quad, (-1.8, 0.8), 250, lr=0.01, momentum=0.8, noise=0.5, seed=7),
            optimizers.run("sgd", quad, (-1.8, 0.8), 250, lr=0.01, noise=0.5, seed=7),
            optimizers.run("lookahead", quad, (-1.8, 0.8), 250, inner="sgdm", k=6, alpha=0.6, lr=0.01,
                           momentum=0.85, noise=0.5, seed=7)]
    assert_draws(s, want, quad)
    assert_markers(s, quad, (-1.8, 0.8))

    # the share box shows the same link, and the presenter link the same with present=1
    shared, presenter = at.text_input(key="share_link").value, at.text_input(key="share_present").value
    assert shared.startswith("?") and dict(urllib.parse.parse_qsl(shared[1:])) == RICH_QUERY
    assert presenter.startswith("?") and dict(urllib.parse.parse_qsl(presenter[1:])) == dict(RICH_QUERY, present="1")

    # a rerun keeps the link as it was
    ok(at.run())
    assert at.query_params == RICH_QUERY


def test_url_is_canonicalised():
    at = ok(open_app({"start": "-1.50,2.000", "steps": "0300", "opts": "adam(lr=0.05);  sgd( lr = 1e-3 )",
                      "view": " Panels", "present": "no", "step": "300"}))
    assert not link_warnings(at)
    # (step 300 of 300 steps is the last one: no step in the link)
    assert at.query_params == dict(DEFAULT_QUERY, opts="adam(lr=0.05,beta1=0.9,beta2=0.999,eps=1e-08);sgd(lr=0.001)",
                                   view="panels")


def test_url_with_another_surface_and_no_optimizers():
    at = ok(open_app({"surface": "himmelblau"}))
    assert not link_warnings(at)
    him = surfaces.SURFACES["himmelblau"]
    # the surface's suggested start, the default optimizers with their registry defaults
    assert at.query_params == dict(DEFAULT_QUERY, surface="himmelblau()", start="0,0", opts=REGISTRY_DEFAULT_OPTS)
    assert at.select_slider(key="o0_sgd__lr").value == optimizers.OPTIMIZERS["sgd"].hyperparam("lr").default
    assert_draws(stage(at), [optimizers.run(i, him, (0.0, 0.0), 300, **S.optimizer_config(i).kwargs())
                             for i in DEFAULT_IDS], him)


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
    ok(app.segmented_control(key="view_w").set_value("panels").run())
    ok(send_stage_event(app, "step", 77))
    query = dict(app.query_params)
    assert query["surface"] == "quadratic(kappa=100,angle=0)" and query["start"] == "-1.9,0.612346"
    assert query["opts"].count("sgdm(") == 2 and "radam@reference(" in query["opts"]
    assert (query["view"], query["step"]) == ("panels", "77") and "present" not in query

    fresh = ok(open_app(query))
    assert not link_warnings(fresh)
    assert run_notes(fresh) == run_notes(app)
    assert fresh.query_params == query
    a, b = stages(app), stages(fresh)
    assert set(a) == set(b) == {"stage"} and not plotly_charts(app) and not plotly_charts(fresh)
    assert a["stage"] == b["stage"]
    assert b["stage"]["step"] == 77 and b["stage"]["view"] == "panels"
    assert results(app).equals(results(fresh))
    # the start marker is where the (6-digit) link says, like the paths
    start = [m for m in b["stage"]["markers"] if m["name"] == "start"][0]
    assert start["y"] == [0.612346]
    assert all(p[0, 1] == np.float32(0.612346) for p in drawn_paths(b["stage"]))
    # the fresh session's widgets show the same settings
    assert fresh.select_slider(key="sp_quadratic_kappa").value == 100.0
    assert (fresh.number_input(key="start_x").value, fresh.number_input(key="start_y").value) == (-1.9, 0.612346)
    assert (fresh.slider(key="steps").value, fresh.number_input(key="noise").value,
            fresh.number_input(key="seed").value) == (180, 0.2, 11)
    assert [fresh.selectbox(key=f"o{u}_id").value for u in range(4)] == ["sgd", "sgdm", "radam", "sgdm"]
    assert fresh.select_slider(key="o1_sgdm__momentum").value == fresh.select_slider(key="o3_sgdm__momentum").value == 0.7
    assert fresh.radio(key="o2_variant").value == "reference"
    assert fresh.segmented_control(key="view_w").value == "panels"
    assert expanders(fresh) == expected_expanders(fresh, ["sgd", "sgdm", "radam", "sgdm"])


# ---- 6. bad links --------------------------------------------------------------------------
#: (query, warnings that must show (substrings), expected canonical values afterwards; None: absent)
BAD_LINKS = [
    ({"surface": "nosuch"}, ["surface 'nosuch' is unknown; using rosenbrock"], {"surface": "rosenbrock(a=1,b=100)"}),
    ({"surface": "quadratic(kappa=1e9,zz=3)"},
     ["kappa = 1e+09 is out of range [1, 1000]; clamped to 1000", "unknown parameter 'zz' ignored"],
     {"surface": "quadratic(kappa=1000,angle=0)", "start": "-1.8,0.8", "opts": REGISTRY_DEFAULT_OPTS}),
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
    ({"view": "sideways"}, ["view: 'sideways' is not one of overlay, panels, 3d, both; using overlay"],
     {"view": "overlay"}),
    ({"present": "maybe"}, ["present: 'maybe' is not 1 or 0; presenter mode is off"], {"present": None}),
    ({"step": "soon"}, ["step: 'soon' is not a number"], {"step": None}),
    ({"step": "-4"}, ["step = -4 is out of range [0, 300]; clamped to 0"], {"step": "0"}),
    ({"steps": "50", "step": "9999"}, ["step = 9999 is out of range [0, 50]; clamped to 50"],
     {"steps": "50", "step": None}),
]


@pytest.mark.parametrize("query, warns, expect", BAD_LINKS, ids=[json.dumps(q)[:50] for q, _, _ in BAD_LINKS])
def test_bad_link(query, warns, expect):
    at = ok(open_app(query))
    shown = link_warnings(at)
    # the page escapes the URL text it quotes (md_escape); undone here to read the message
    assert shown == ["Link: " + W.md_escape(w) for w in S.from_query(query)[1]]
    shown = [re.sub(r"\\(.)", r"\1", s).replace("\u200b", "") for s in shown]
    for w in warns:
        assert any(w in s for s in shown), (w, shown)
    assert len(shown) == len(S.from_query(query)[1])
    for k, v in expect.items():
        assert at.query_params.get(k) == v, k
    if at.query_params["surface"] == DEFAULT_QUERY["surface"]:  # everything else stays the default
        assert {k: v for k, v in at.query_params.items() if k not in expect} == {
            k: v for k, v in DEFAULT_QUERY.items() if k not in expect}
    assert dict(at.query_params.items()) == S.to_query(S.from_query(query)[0])
    # the widgets agree with the fixed link, and the page draws it
    s = S.from_query(at.query_params)[0]
    assert at.slider(key="steps").value == s.steps
    assert (at.number_input(key="start_x").value, at.number_input(key="start_y").value) == s.start
    assert at.segmented_control(key="view_w").value == s.view
    payload = stage(at)
    assert labels(payload) == [c.label() for c in s.optimizers]
    assert payload["step"] == s.step and payload["steps"] == s.steps
    assert_draws(payload, runs_for(at.query_params), s.surface_obj())
    assert_stops_reported(at, payload)
    # the link's warnings are shown once: the next rerun does not repeat them
    notes = run_notes(at)
    assert not link_warnings(ok(at.run())) and run_notes(at) == notes


# ---- 7. divergence and leaving the view ------------------------------------------------------
def test_divergence_is_reported_and_isolated():
    others = "sgdm(lr=0.0015,momentum=0.9);adam(lr=0.3,beta1=0.9,beta2=0.999,eps=1e-08)"
    at = ok(open_app({"opts": f"sgd(lr=0.1);{others}"}))
    run = optimizers.run("sgd", ROSEN, (-1.5, 2.0), 300, lr=0.1)
    n = run.diverged_at
    assert n > 0 and not np.isfinite(run.path[n]).all()  # a numerical (NaN / inf) divergence

    s = stage(at)
    drawn = drawn_paths(s)
    assert np.isfinite(drawn[0]).all() and 1 <= len(drawn[0]) <= n
    np.testing.assert_array_equal(drawn[0], engine_path(run))
    np.testing.assert_array_equal(drawn_losses(s)[0], engine_loss(run))
    table = results(at)
    last = len(drawn[0]) - 1
    assert table["final point"][0] == f"({fmt(run.path[last, 0])}, {fmt(run.path[last, 1])})"

    # the other runs are exactly what they are without the diverging one
    alone = ok(open_app({"opts": others}))
    assert not alone.error and not alone.warning
    alone_stage = stage(alone)
    assert len(alone_stage["paths"]) == 2
    assert s["paths"][1:] == alone_stage["paths"]
    for a, b in zip(drawn[1:], drawn_paths(alone_stage)):
        np.testing.assert_array_equal(a, b)
    assert table.iloc[1:].reset_index(drop=True).equals(results(alone))

    # an error names the run and says when; the legend and the table too
    assert statuses(s)[1:] == ["", ""]
    assert legend(s)[0] == f"SGD lr=0.1 — diverged at step {n}"
    assert list(table["stopped"]) == [f"diverged at step {n}", "—", "—"]
    errors = messages(at.error)
    assert len(errors) == 1 and not at.warning, (errors, messages(at.warning))
    assert errors[0].startswith(f"**{W.md_escape('SGD lr=0.1')}** diverged at step {n}:")
    assert "smaller learning rate (below 0.05)" in errors[0]


def test_a_run_that_leaves_the_view_is_flagged():
    """Adam with lr = 100 flies off the plot (its values stay finite): "left the view at step N"
    (payload, table, a warning), apart from SGD's numerical divergence ("diverged at step N")."""
    at = ok(open_app({"opts": "adam(lr=100);sgd(lr=0.1)"}))
    adam = optimizers.run("adam", ROSEN, (-1.5, 2.0), 300, lr=100)
    sgd = optimizers.run("sgd", ROSEN, (-1.5, 2.0), 300, lr=0.1)
    out = escaped_at(adam.path, ROSEN)
    assert not adam.diverged and np.isfinite(adam.path).all() and out > 0
    assert sgd.diverged_at > 0 and not np.isfinite(sgd.path[sgd.diverged_at]).all()

    s = stage(at)
    table = results(at)
    errors, warnings = run_notes(at)
    # Adam: left the view
    assert statuses(s)[0] == f"left the view at step {out}"
    assert legend(s)[0] == f"Adam lr=100 — left the view at step {out}"
    assert table["stopped"][0] == f"left the view at step {out}"
    assert warnings[0].startswith(f"**{W.md_escape('Adam lr=100')}** left the view at step {out}:")
    # each is drawn only while in sight: every drawn point within one domain size of the plot
    assert_draws(s, [adam, sgd])
    assert s["paths"][0]["n"] == out
    (x0, x1), (y0, y1) = ROSEN.bounds
    for p in drawn_paths(s):
        assert (p[:, 0] >= 2 * x0 - x1).all() and (p[:, 0] <= 2 * x1 - x0).all()
        assert (p[:, 1] >= 2 * y0 - y1).all() and (p[:, 1] <= 2 * y1 - y0).all()
    assert_table(at, [adam, sgd])
    # SGD: a numerical divergence is still called one
    assert statuses(s)[1] == f"diverged at step {sgd.diverged_at}"
    assert legend(s)[1] == f"SGD lr=0.1 — diverged at step {sgd.diverged_at}"
    assert table["stopped"][1] == f"diverged at step {sgd.diverged_at}"
    assert len(errors) == 1 and len(warnings) == 1, (errors, warnings)
    assert errors[0].startswith(f"**{W.md_escape('SGD lr=0.1')}** diverged at step {sgd.diverged_at}:")


# ---- 8. downloads --------------------------------------------------------------------------
@pytest.fixture
def media(monkeypatch):
    """The media file managers AppTest creates (one per run): the download buttons' files."""
    import streamlit.testing.v1.app_test as app_test_module

    base = getattr(app_test_module, "MediaFileManager", None)
    assert base is not None, "AppTest no longer creates its media file manager where this test expects"
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
    names = labels(stage(at))
    for i, run in enumerate(want):
        mine = [r for r in rows if r["run"] == str(i)]
        assert [int(r["step"]) for r in mine] == list(range(51))
        got = np.array([[float(r["x"]), float(r["y"]), float(r["loss"])] for r in mine])
        np.testing.assert_array_equal(got, np.column_stack([run.path, run.loss]))
        assert {r["diverged_at"] for r in mine} == {str(run.diverged_at)}
        assert {r["surface"] for r in mine} == {"rosenbrock(a=1,b=100)"}
        assert {(r["noise"], r["seed"], r["variant"]) for r in mine} == {("0.0", "0", "paper")}
        assert {r["label"] for r in mine} == {names[i]}
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
    assert CLICK_GRID_NAME not in html
    assert f"SGD lr=0.1 — diverged at step {want[0].diverged_at}" in html  # the legend says when


def test_export_functions_match_the_engine():
    """runs_to_csv / runs_to_json on the page's own computation (independent of AppTest)."""
    s, _ = S.from_query(RICH_QUERY)
    runs = explore_runs(s)
    quad = s.surface_obj()
    engine = runs_for(RICH_QUERY)
    for r, run in zip(runs, engine):  # what the page knows about each run
        assert r.escaped_at == escaped_at(run.path, quad) and r.last_row == rows_shown(run, quad) - 1
    rows = list(csv.DictReader(io.StringIO(runs_to_csv(runs, s))))
    assert len(rows) == len(s.optimizers) * (s.steps + 1)
    for i, run in enumerate(engine):
        mine = [r for r in rows if r["run"] == str(i)]
        np.testing.assert_array_equal([[float(r["x"]), float(r["y"]), float(r["loss"])] for r in mine],
                                      np.column_stack([run.path, run.loss]))
        assert {(r["noise"], r["seed"]) for r in mine} == {("0.5", "7")}
    doc = json.loads(runs_to_json(runs, s))
    assert doc["settings"] == RICH_QUERY
    assert [r["variant"] for r in doc["runs"]] == ["reference", "paper", "paper", "paper"]


# ---- 9. buttons ----------------------------------------------------------------------------
def test_default_learning_rates_are_the_preset():
    measured = presets.preset_optimizers("rosenbrock", ("sgd", "sgdm", "adam"), start=(-1.5, 2.0))
    assert S.DEFAULT_LRS == tuple((c.id, c.params["lr"]) for c in measured)
    assert DEFAULT.optimizers == tuple(S.optimizer_config(c.id, lr=c.params["lr"]) for c in measured)


def test_presets_are_measured_only_on_the_button(monkeypatch):
    calls = {"preset_optimizers": 0, "best_lr": 0}

    def counted(name):
        measure = getattr(presets, name)

        def wrapper(*args, **kwargs):
            calls[name] += 1
            return measure(*args, **kwargs)
        return wrapper

    for name in calls:
        monkeypatch.setattr(presets, name, counted(name))
    # opening the page, a link, another surface, another optimizer, an added one: nothing measured
    app = ok(open_app())
    ok(open_app({"surface": "booth", "start": "1,1", "steps": "120"}))
    ok(app.selectbox(key="surface").set_value("beale").run())
    ok(app.selectbox(key="o1_id").set_value("rmsprop").run())
    app.selectbox(key="add_opt").set_value("yogi")
    ok(button(app, "Add").click().run())
    assert calls == {"preset_optimizers": 0, "best_lr": 0}
    ok(button(app, "Preset: good start and learning rates").click().run())
    assert calls == {"preset_optimizers": 1, "best_lr": 4}  # one learning rate per optimizer


def test_preset_button(app):
    ok(app.select_slider(key="o0_sgd__lr").set_value(1e-5).run())
    ok(app.select_slider(key="o2_adam__lr").set_value(0.001).run())
    ok(app.number_input(key="start_x").set_value(0.5).run())
    ok(app.number_input(key="start_y").set_value(2.5).run())
    assert legend(stage(app))[0] == "SGD lr=1e-05"

    ok(button(app, "Preset: good start and learning rates").click().run())
    start = tuple(ROSEN.start)
    want = presets.preset_optimizers("rosenbrock", ["sgd", "sgdm", "adam"], steps=300, start=start)
    assert (app.number_input(key="start_x").value, app.number_input(key="start_y").value) == start
    assert opts_of(app) == want
    assert app.select_slider(key="o0_sgd__lr").value == want[0].params["lr"]
    assert app.select_slider(key="o2_adam__lr").value == want[2].params["lr"]
    s = stage(app)
    assert legend(s) == [c.label() for c in want]
    assert_markers(s, ROSEN, start)
    assert_draws(s, [optimizers.run(c.id, ROSEN, start, 300, **c.kwargs()) for c in want])
    assert [t.value for t in app.toast] == ["Preset for Rosenbrock: start -1.2, 1 and a measured learning rate "
                                            "for each optimizer."]
    assert not app.error and not app.warning


def test_add_duplicate_remove_reset(app):
    def check(names, ids):
        s = stage(app)
        assert labels(s) == names
        assert path_looks(s) == styles_for(ids)
        assert [m["name"] for m in s["markers"]] == ["minimum", "start"]
        assert_frames(s["frames"], 300)
        assert len(results(app)) == len(names) == len(opts_of(app))
        assert expanders(app) == expected_expanders(app, ids)
        return s

    ids = list(DEFAULT_IDS)
    base = labels(stage(app))
    app.selectbox(key="add_opt").set_value("yogi")
    ok(button(app, "Add").click().run())
    yogi = S.optimizer_config("yogi")  # an added optimizer gets its registry defaults
    check(base + [yogi.label()], ids + ["yogi"])
    assert app.query_params["opts"].endswith(";" + yogi.to_text())
    assert opts_of(app)[3] == yogi

    ok(app.button(key="dup3").click().run())
    s = check(base + [yogi.label()] * 2, ids + ["yogi"] * 2)
    p = drawn_paths(s)
    np.testing.assert_array_equal(p[3], p[4])
    # the copy is told apart: dashed
    assert (s["paths"][3]["dash"], s["paths"][4]["dash"]) == ("solid", "dash")
    # the copy is independent: change it alone
    assert yogi.params["lr"] != 0.03
    ok(app.select_slider(key="o4_yogi__lr").set_value(0.03).run())
    p = drawn_paths(check(base + [yogi.label(), "Yogi lr=0.03"], ids + ["yogi"] * 2))
    assert not np.array_equal(p[3], p[4])

    ok(app.button(key="rm0").click().run())
    ids = ids[1:] + ["yogi"] * 2
    check(base[1:] + [yogi.label(), "Yogi lr=0.03"], ids)
    assert app.query_params["opts"].startswith("sgdm(")

    # at most 8 optimizers: then no Add, and Duplicate is disabled
    for _ in range(4):
        ok(button(app, "Add").click().run())
    ids += ["yogi"] * 4
    check(base[1:] + [yogi.label(), "Yogi lr=0.03"] + [yogi.label()] * 4, ids)
    assert len(stage(app)["paths"]) == S.MAX_OPTIMIZERS
    assert not [b for b in app.button if b.label == "Add"]
    assert all(b.disabled for b in app.button if b.label == "Duplicate")

    # the last one cannot be removed
    for uid in list(app.session_state["opt_uids"])[:-1]:
        ok(app.button(key=f"rm{uid}").click().run())
    assert len(stage(app)["paths"]) == 1
    assert [b.disabled for b in app.button if b.label == "Remove"] == [True]

    ok(button(app, "Reset everything").click().run())
    assert app.query_params == DEFAULT_QUERY
    check(base, list(DEFAULT_IDS))


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


def test_canonical_settings_are_what_their_link_draws():
    """``canonical`` rounds like the URL, so a link parses back to the very same settings (the
    page never parses its own URL again to get there)."""
    s = S.ExploreSettings(
        "quadratic", (("kappa", 12.3456789), ("angle", 30.0000001)), (0.123456789, -1.00000049), 77,
        0.3333333333, 5, (S.optimizer_config("adam", lr=0.0123456789, beta1=0.912345678),
                          S.optimizer_config("lookahead", inner="sgdm", lr=0.0111111111, alpha=0.55555555)),
        "panels", True, 12)
    c = S.canonical(s)
    back, warnings = S.from_query(S.to_query(c))
    assert not warnings and back == c
    assert c.start == (0.123457, -1.0) and c.optimizers[0].params["lr"] == 0.0123457
    assert S.canonical(c) == c  # idempotent


def test_one_link_opened_by_many_costs_one_payload(monkeypatch):
    """Sessions showing the same picture share one computation and one serialised payload;
    each still gets its own step and its own widgets."""
    from plots import stage as PS
    from ui import explore as E

    compute.stage_blob.clear()
    compute.compute_runs.clear()
    built, ran = [], []
    real_build, real_runs = PS.stage_payload, compute.explore_runs
    monkeypatch.setattr(E.PS, "stage_payload", lambda *a, **k: built.append(1) or real_build(*a, **k))
    monkeypatch.setattr(compute, "explore_runs", lambda s: ran.append(1) or real_runs(s))
    query = {"opts": "sgd(lr=0.002);adam(lr=0.07)", "steps": "123"}
    a = ok(open_app(dict(query, step="10")))
    b = ok(open_app(dict(query, step="50")))
    assert len(built) == 1 and len(ran) == 1
    sa, sb = stage(a), stage(b)
    assert (sa["step"], sb["step"]) == (10, 50)
    assert {k: v for k, v in sa.items() if k != "step"} == {k: v for k, v in sb.items() if k != "step"}
    # their own widgets: a slider change in one session leaves the other as it was
    lr = next(s for s in a.select_slider if s.key.startswith("o0_") and s.key.endswith("_lr"))
    lr.set_value(0.003).run()
    assert "sgd(lr=0.003)" in a.query_params["opts"] and "sgd(lr=0.002)" in b.query_params["opts"]
    # the shared arrays are read-only
    runs = compute.compute_runs(E._key(E._core(S.from_query(query)[0])), S.from_query(query)[0])
    assert not runs[0].path.flags.writeable


def test_update_rules_are_built_only_when_opened():
    """The update rules' LaTeX is drawn once their expander is opened, not on every rerun."""
    at = ok(open_app({"opts": "sgd(lr=0.001);nag@reference(lr=0.01,momentum=0.9)"}))
    assert not at.latex
    at.session_state["rules_exp"] = True
    ok(at.run())
    want = [optimizers.OPTIMIZERS["sgd"].latex["paper"], optimizers.OPTIMIZERS["nag"].latex["reference"]]
    assert [e.value.strip().removeprefix("$$").removesuffix("$$").strip() for e in at.latex] == want


def test_contour_levels_are_the_surface_to_16_bits():
    """The contour's 16-bit levels decode to the value map of the surface within 1/65535 of its
    colour range."""
    from plots.explore import _grid, value_map

    s = stage(ok(open_app()))
    c = s["contour"]
    q = decode_array(c["z"]).astype(np.float64)
    assert c["z"]["dtype"] == "u2" and q.min() >= 0 and q.max() <= 65535
    z = c["zmin"] + q / 65535 * (c["zmax"] - c["zmin"])
    vm = value_map(ROSEN)
    _, _, f = _grid(ROSEN, 120)
    want = np.clip(vm(f), vm.lo, vm.hi).reshape(-1)
    assert np.abs(z - want).max() <= (vm.hi - vm.lo) / 65535


def test_internals_view_link_toggle_and_arrows():
    """``inspect=3&arrows=1`` opens with Adam's internals in the stage's payload (its charts, the
    arrows' vectors), equal to ``studies.internals`` on the engine's recorded run; the toggle and
    the optimizer picker change it, and the link follows."""
    from studies import internals as SI

    at = ok(open_app({"inspect": "3", "arrows": "1"}))
    assert not link_warnings(at)
    ins = stage(at)["internals"]
    assert ins["path"] == 2 and ins["color"] == stage(at)["paths"][2]["color"]
    keys = [c["key"] for c in ins["charts"]]
    assert keys == ["step", "lr", "m", "v", "bc", "grad", "delta", "ratio"]
    assert ins["charts"][0]["title"].startswith("Effective step size lr·m̂/(√v̂+ε), per coordinate")
    assert ins["charts"][4]["log"] and not ins["charts"][0]["log"]  # 1 − β₂ᵗ spans decades
    r = optimizers.run("adam", ROSEN, DEFAULT.start, DEFAULT.steps, record_state=True, lr=0.15)
    want = SI.internals(r)
    rows = decode_array(ins["steps"]).astype(int)
    np.testing.assert_allclose(decode_array(ins["charts"][0]["series"][0]["y"]),
                               want.group("step").series[0].values[rows, 0].astype(np.float32), equal_nan=True)
    np.testing.assert_array_equal(decode_array(ins["arrows"]["gx"]), want.grad[:, 0].astype(np.float32))
    assert at.query_params["inspect"] == "3" and at.query_params["arrows"] == "1"
    assert at.toggle(key="ins_on").value and at.toggle(key="ins_arrows").value
    # another optimizer: SGD has the generic charts only, no momentum arrow
    at.selectbox(key="ins_opt").set_value(0)
    ok(at.run())
    ins = stage(at)["internals"]
    assert ins["path"] == 0 and [c["key"] for c in ins["charts"]] == ["grad", "delta", "ratio"]
    assert "mx" not in ins["arrows"] and at.query_params["inspect"] == "1"
    # arrows off, then internals off: the payload and the link drop them
    at.toggle(key="ins_arrows").set_value(False)
    ok(at.run())
    assert "arrows" not in stage(at)["internals"] and "arrows" not in at.query_params
    at.toggle(key="ins_on").set_value(False)
    ok(at.run())
    assert stage(at)["internals"] is None and "inspect" not in at.query_params
    at.toggle(key="ins_on").set_value(True)
    ok(at.run())
    assert stage(at)["internals"]["path"] == 0 and at.query_params["inspect"] == "1"


def test_internals_bad_link_warns():
    at = ok(open_app({"inspect": "9", "arrows": "1"}))
    w = link_warnings(at)
    assert any("inspect" in x for x in w) and any("arrows" in x for x in w)
    assert stage(at)["internals"] is None and "inspect" not in at.query_params
