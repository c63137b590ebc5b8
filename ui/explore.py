"""The Explore page: compare optimizers live on any surface.

Flow of one run of the script:
1. On a session's first visit, the URL is parsed once into :class:`ExploreSettings`
   (bad values fall back or are clamped, with warnings) and copied into the widgets' state.
2. The sidebar widgets (built from registry metadata) are drawn; their values make the
   settings, which are written back to the URL.
3. The runs are computed (cached by the settings' URL text), the pure figure builders draw
   them, and the page renders.
"""
from __future__ import annotations

import dataclasses
import html
import json
import urllib.parse

import numpy as np
import plotly.io as pio
import streamlit as st

import optimizers
from optimizers.base import GROUPS
from optimizers.registry import index_of
import surfaces
from plots import explore as P

from plots import stage as PS
from plots import style
from studies import presets

from . import custom as C
from . import compute
from . import internals as UI_INT
from . import settings as S
from . import stage as stage_component
from . import widgets as W
from .export import runs_to_csv, runs_to_json

ss = st.session_state
#: what the main area shows (only the chosen figures are built and sent to the browser)
VIEW_LABELS = {"overlay": "Overlay", "panels": "Panels", "3d": "3D", "both": "Overlay + 3D"}
#: CSS for presenter mode: no sidebar, header or toolbar; the stage fills the window
PRESENTER_CSS = """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
.block-container, [data-testid="stMainBlockContainer"] { padding: 0.6rem 1.2rem 0 1.2rem !important; max-width: 100% !important; }
</style>"""
#: CSS for the normal page: less empty space above the stage, so Play and the legend fit
COMPACT_CSS = """<style>
[data-testid="stMainBlockContainer"], .block-container { padding-top: 3.6rem !important; }
</style>"""


# ---- state <-> widgets ---------------------------------------------------------------------
def _hp_key(uid: int, oid: str, inner: str | None, name: str) -> str:
    return f"o{uid}_{oid}_{inner or ''}_{name}"


def _sp_key(sid: str, name: str) -> str:
    return f"sp_{sid}_{name}"


def _sched_key(sid: str, name: str) -> str:
    return f"sched_{sid}_{name}"


def _write_optimizer(uid: int, cfg: S.OptimizerConfig) -> None:
    ss[f"o{uid}_id"] = cfg.id
    ss[f"o{uid}_variant"] = cfg.variant
    inner = cfg.inner
    if inner:
        ss[f"o{uid}_inner"] = inner
    for k, v in cfg.hyperparams:
        if k != "inner":
            ss[_hp_key(uid, cfg.id, inner, k)] = v


CUSTOM_EXAMPLES = C.EXAMPLES
_CUSTOM = C.Keys("")  # Explore's formula box


def _custom_param_key(name: str) -> str:
    return _sp_key(S.CUSTOM, name)


def _current_surface():
    """The sidebar's surface: a registered one, or the last valid custom formula's."""
    if ss.get("surface") != S.CUSTOM:
        return surfaces.SURFACES[ss["surface"]]
    return C.current(_CUSTOM, _custom_param_key)


def _on_custom_change() -> None:
    """The formula or its bounds changed: keep them if they are valid, else say why (and keep
    the previous surface); a start outside the new bounds moves to the surface's start."""
    surf = C.validate(_CUSTOM, _custom_param_key)
    if surf is None:
        return
    (x0, x1), (y0, y1) = surf.bounds
    if not (x0 <= ss["start_x"] <= x1 and y0 <= ss["start_y"] <= y1):
        ss["start_x"], ss["start_y"] = float(surf.start[0]), float(surf.start[1])


def _use_example(example) -> None:
    surf = C.use_example(_CUSTOM, _custom_param_key, example)
    ss["start_x"], ss["start_y"] = float(surf.start[0]), float(surf.start[1])


def _write_settings(settings: S.ExploreSettings) -> None:
    """Copy settings into the widgets' session state (before the widgets are drawn)."""
    ss["surface"] = settings.surface
    if settings.surface == S.CUSTOM:
        C.write(_CUSTOM, settings.formula, settings.bounds)
    for k, v in settings.surface_params:
        ss[_sp_key(settings.surface, k)] = v
    ss["start_x"], ss["start_y"] = float(settings.start[0]), float(settings.start[1])
    ss["steps"] = int(settings.steps)
    ss["noise"] = float(settings.noise)
    ss["seed"] = int(settings.seed)
    ss["sched_id"] = settings.schedule.id
    for k, v in settings.schedule.params:
        ss[_sched_key(settings.schedule.id, k)] = v
    ss["opt_uids"] = []
    for cfg in settings.optimizers:
        _add_optimizer(cfg)


def _add_optimizer(cfg: S.OptimizerConfig) -> None:
    uid = ss.get("_next_uid", 0)
    ss["_next_uid"] = uid + 1
    ss["opt_uids"] = list(ss.get("opt_uids", [])) + [uid]
    _write_optimizer(uid, cfg)


def _read_optimizer(uid: int) -> S.OptimizerConfig:
    oid = ss[f"o{uid}_id"]
    spec = optimizers.OPTIMIZERS[oid]
    inner = ss.get(f"o{uid}_inner", "adam") if spec.wraps_inner else None
    hps = spec.hyperparams + (optimizers.OPTIMIZERS[inner].hyperparams if inner else ())
    values = {"inner": inner} if inner else {}
    for h in hps:
        values[h.name] = ss.get(_hp_key(uid, oid, inner, h.name), h.default)
    variants = optimizers.OPTIMIZERS[inner or oid].variants
    variant = ss.get(f"o{uid}_variant", "paper")
    return S.OptimizerConfig(oid, variant if variant in variants else "paper", tuple(values.items()))


def _read_schedule(warnings: list | None = None) -> optimizers.Schedule:
    """The sidebar's learning-rate schedule (its defaults if its parameters do not fit together)."""
    sid = ss.get("sched_id", "constant")
    values = {p.name: ss.get(_sched_key(sid, p.name), p.default) for p in S.schedule_params(sid)}
    return S.schedule_config(sid, values, [] if warnings is None else warnings)


def _read_settings() -> S.ExploreSettings:
    surf = _current_surface()
    sid = ss["surface"]
    sp = tuple((p.name, float(ss.get(_sp_key(sid, p.name), v))) for p, v in zip(surf.params, surf.values))
    formula, bounds = C.formula_and_bounds(_CUSTOM) if sid == S.CUSTOM else ("", ())
    return S.ExploreSettings(sid, sp, (float(ss["start_x"]), float(ss["start_y"])), int(ss["steps"]),
                             float(ss["noise"]), int(ss["seed"]),
                             tuple(_read_optimizer(u) for u in ss["opt_uids"]), schedule=_read_schedule(),
                             formula=formula, bounds=bounds)


# ---- callbacks (run before the script, so they may set widget state) -----------------------
def _apply_preset(with_surface_start: bool = True) -> None:
    settings = _read_settings()
    surf = settings.surface_obj()
    start = tuple(surf.start) if with_surface_start else settings.start
    ids = [c.id for c in settings.optimizers]
    new = presets.preset_optimizers(settings.surface, ids, steps=settings.steps, start=start,
                                    surface_params=settings.surface_params,
                                    variants=[c.variant for c in settings.optimizers],
                                    inners=[c.inner for c in settings.optimizers],
                                    formula=settings.formula, bounds=settings.bounds)
    ss["start_x"], ss["start_y"] = float(start[0]), float(start[1])
    for uid, cfg in zip(ss["opt_uids"], new):
        _write_optimizer(uid, cfg)
    ss["_toast"] = f"Preset for {C.name(surf)}: start {W.fmt(start[0])}, {W.fmt(start[1])} and a measured learning rate for each optimizer."


def _on_surface_change() -> None:
    if ss["surface"] == S.CUSTOM and _CUSTOM.ok not in ss:
        _use_example(CUSTOM_EXAMPLES[0])
    surf = _current_surface()
    for p, v in zip(surf.params, surf.values):
        ss.setdefault(_sp_key(surf.id, p.name), v)
    ss["start_x"], ss["start_y"] = float(surf.start[0]), float(surf.start[1])
    ss["_toast"] = (f"{C.name(surf)}: started from its suggested start. Press Preset for learning rates "
                    "measured on this surface.")


def _on_optimizer_change(uid: int) -> None:
    """A different optimizer in an expander: its defaults (Preset measures a learning rate)."""
    oid = ss[f"o{uid}_id"]
    inner = ss.get(f"o{uid}_inner", "adam") if optimizers.OPTIMIZERS[oid].wraps_inner else None
    _write_optimizer(uid, S.optimizer_config(oid, **({"inner": inner} if inner else {})))


def _remove_optimizer(uid: int) -> None:
    ss["opt_uids"] = [u for u in ss["opt_uids"] if u != uid]


def _duplicate_optimizer(uid: int) -> None:
    if len(ss["opt_uids"]) < S.MAX_OPTIMIZERS:
        _add_optimizer(_read_optimizer(uid))


def _add_selected() -> None:
    oid = ss.get("add_opt")
    if oid and len(ss["opt_uids"]) < S.MAX_OPTIMIZERS:
        _add_optimizer(S.optimizer_config(oid))


def _reset_all() -> None:
    keep = {k: v for k, v in ss.items() if k.startswith("_next_uid")}
    for k in list(ss.keys()):
        del ss[k]
    ss.update(keep)
    _write_settings(S.default_settings())
    ss["_settings"] = S.default_settings()


# ---- sidebar -------------------------------------------------------------------------------
def _sidebar(styles: list[tuple[str, str]]) -> None:
    sb = st.sidebar
    with sb:
        st.header("Surface")
        st.selectbox("Surface", [*surfaces.SURFACES, S.CUSTOM], key="surface", on_change=_on_surface_change,
                     format_func=lambda s: "Custom f(x, y)" if s == S.CUSTOM else surfaces.SURFACES[s].name,
                     label_visibility="collapsed")
        if ss["surface"] == S.CUSTOM:
            _custom_controls()
        surf = _current_surface()
        for p, v in zip(surf.params, surf.values):
            W.slider(f"{p.name} — {p.help}" if p.help else p.name, p, _sp_key(ss["surface"], p.name))
        st.button("Preset: good start and learning rates", on_click=_apply_preset, width="stretch",
                  help="Moves the start to the surface's suggested start and gives every optimizer a "
                       "learning rate measured to work on this surface.")

        st.header("Start and steps")
        (x0, x1), (y0, y1) = surf.bounds
        ss["start_x"] = min(max(float(ss["start_x"]), x0), x1)
        ss["start_y"] = min(max(float(ss["start_y"]), y0), y1)
        c1 = c2 = st.container(horizontal=True, wrap=False)  # one block, not three (every element costs a rerun)
        c1.number_input("start x", min_value=float(x0), max_value=float(x1), key="start_x", format="%.4g",
                        step=(x1 - x0) / 100)
        c2.number_input("start y", min_value=float(y0), max_value=float(y1), key="start_y", format="%.4g",
                        step=(y1 - y0) / 100)
        st.caption("Or click on the 2D plot to start there.")
        st.slider("Steps", 1, S.MAX_STEPS, key="steps")

        st.header("Optimizers")
        for n, uid in enumerate(list(ss["opt_uids"])):
            _optimizer_expander(n, uid, styles[n][0])
        if len(ss["opt_uids"]) < S.MAX_OPTIMIZERS:
            c1 = c2 = st.container(horizontal=True, vertical_alignment="bottom", wrap=False)
            W.optimizer_picker("Add optimizer", "add_opt", label_visibility="collapsed", container=c1)
            c2.button("Add", on_click=_add_selected, width="stretch")
        else:
            st.caption(f"At most {S.MAX_OPTIMIZERS} optimizers at once.")

        _schedule_section()

        st.header("Gradient noise")
        c1 = c2 = st.container(horizontal=True, wrap=False)
        c1.number_input("σ", min_value=0.0, max_value=S.MAX_NOISE, key="noise", step=0.1, format="%.3g",
                        help="The gradient used is g + σ·N(0, I): a stand-in for mini-batch noise.")
        c2.number_input("seed", min_value=0, max_value=S.MAX_SEED, key="seed", step=1)
        st.button("Reset everything", on_click=_reset_all, width="stretch")


def _custom_controls() -> None:
    """The custom surface: its formula and bounds (validated as typed), examples, its LaTeX."""
    C.controls(_CUSTOM, _current_surface(), _on_custom_change, _use_example)


def _schedule_section() -> None:
    """One learning-rate schedule for every optimizer: a picker and a slider per parameter,
    from the schedules' registry."""
    st.header("Learning-rate schedule")
    ss.setdefault("sched_id", "constant")
    st.selectbox("Schedule", list(optimizers.SCHEDULES), key="sched_id", label_visibility="collapsed",
                 format_func=lambda s: optimizers.SCHEDULES[s].name,
                 help="Multiplies every optimizer's learning rate at each step; each equals a "
                      "torch.optim.lr_scheduler: " + " · ".join(
                          f"{s.name}: {s.torch}" for s in optimizers.SCHEDULES.values()))
    sid = ss["sched_id"]
    for p in S.schedule_params(sid):
        W.slider(p.name, p, _sched_key(sid, p.name), help=p.help)
    problems = []
    _read_schedule(problems)
    for text in problems:
        st.caption(W.md_escape(text))


def _optimizer_expander(n: int, uid: int, color: str) -> None:
    cfg = _read_optimizer(uid)
    # a stable key and label: changing a slider inside must not remount (and close) the panel
    with st.expander(f":material/show_chart: {n + 1}. {W.optimizer_label(cfg.id)}", key=f"exp{uid}",
                     expanded=n == 0 and len(ss["opt_uids"]) <= 2):
        st.markdown(f"<div style='height:4px;background:{color};border-radius:2px'></div>", unsafe_allow_html=True)
        W.optimizer_picker("Optimizer", f"o{uid}_id", on_change=_on_optimizer_change, args=(uid,))
        spec = optimizers.OPTIMIZERS[ss[f"o{uid}_id"]]
        inner = None
        if spec.wraps_inner:
            choices = optimizers.inner_choices(spec)
            ss.setdefault(f"o{uid}_inner", "adam")
            W.optimizer_picker("Inner optimizer", f"o{uid}_inner", choices)
            inner = ss[f"o{uid}_inner"]
        variants = optimizers.OPTIMIZERS[inner or spec.id].variants
        if len(variants) > 1:
            if ss.get(f"o{uid}_variant") not in variants:
                ss[f"o{uid}_variant"] = "paper"
            st.radio("Form", variants, key=f"o{uid}_variant", horizontal=True,
                     format_func=lambda v: {"paper": "paper (survey)", "reference": "reference (library)"}[v],
                     help=" · ".join(f"{v}: {optimizers.OPTIMIZERS[inner or spec.id].reference[v]}" for v in variants))
        hps = spec.hyperparams + (optimizers.OPTIMIZERS[inner].hyperparams if inner else ())
        for h in hps:
            W.slider(h.name, h, _hp_key(uid, spec.id, inner, h.name), help=h.help)
        c1 = c2 = st.container(horizontal=True, wrap=False)
        c1.button("Duplicate", key=f"dup{uid}", on_click=_duplicate_optimizer, args=(uid,), width="stretch",
                  help="Add a copy, to compare two settings of the same optimizer.",
                  disabled=len(ss["opt_uids"]) >= S.MAX_OPTIMIZERS)
        c2.button("Remove", key=f"rm{uid}", on_click=_remove_optimizer, args=(uid,), width="stretch",
                  disabled=len(ss["opt_uids"]) <= 1)


# ---- main area -----------------------------------------------------------------------------
def _share_url(query: dict) -> str:
    try:
        base = st.context.url.split("?")[0]
    except Exception:  # noqa: BLE001 - no browser context (tests)
        base = ""
    return f"{base}?{urllib.parse.urlencode(query, safe='(),;=@')}"


def _styles() -> list[tuple[str, str]]:
    """(colour, dash) of each configured optimizer, in order: each optimizer's own colour."""
    ids = [ss.get(f"o{u}_id", "sgd") for u in ss.get("opt_uids", [])]
    return style.path_styles([index_of(i) for i in ids])


def _on_stage_event(name: str, key: str) -> None:
    """A stage event (a callback: runs before the script, so it may set widget state)."""
    value = (ss.get(key) or {}).get(name)
    if value is None:
        return
    if name == "click":
        surf = _current_surface()
        (x0, x1), (y0, y1) = surf.bounds
        try:
            x, y = float(value["x"]), float(value["y"])
        except (KeyError, TypeError, ValueError):
            return
        ss["start_x"] = min(max(float(f"{x:.4g}"), x0), x1)
        ss["start_y"] = min(max(float(f"{y:.4g}"), y0), y1)
    elif name == "step":
        try:
            ss["_step"] = max(0, int(value))
        except (TypeError, ValueError):
            return
    elif name == "present":
        ss["_present"] = bool(value)
    elif name == "lesson":  # ← → in a lesson's presenter mode: the lesson's next or previous step
        try:
            ss["_lesson_goto"] = int(value)
        except (TypeError, ValueError):
            return
    elif name == "scrub":
        target = ss.get("_scrub_target")
        try:
            v = float(value["value"])
        except (KeyError, TypeError, ValueError):
            return
        if target and target[0] in ss.get("opt_uids", []):
            uid, name_ = target
            oid = ss[f"o{uid}_id"]
            inner = ss.get(f"o{uid}_inner") if optimizers.OPTIMIZERS[oid].wraps_inner else None
            ss[_hp_key(uid, oid, inner, name_)] = v
            ss["_toast"] = f"{name_} = {W.fmt(v)} is now the setting of optimizer {ss['opt_uids'].index(uid) + 1}."


def _on_view_change() -> None:
    ss["_view"] = ss.get("view_w") or ss.get("_view", "overlay")


def _on_present_change() -> None:
    ss["_present"] = bool(ss.get("present_w"))


def _results_rows(runs, surf) -> list[dict]:
    rows = []
    dist_col = "distance to minimum" if surf.minima else "distance to saddle"
    for r in runs:
        last = r.last_row
        stopped = P.status_text(r) or "—"  # the legend's words
        rows.append({
            "optimizer": r.label,
            "final loss": f"{float(r.loss[last]):.3e}",
            "final point": f"({W.fmt(float(r.path[last, 0]))}, {W.fmt(float(r.path[last, 1]))})",
            dist_col: f"{float(r.dist[last]):.3e}",
            f"steps to f − f* ≤ {compute.TOL:g}": (str(r.tol_step) if r.tol_step >= 0 else
                                                   ("—" if surf.minima else "n/a")),
            "stopped": stopped,
        })
    return rows


def _results_table(runs, surf) -> None:
    # one Markdown table (cells escaped): it wraps at any width, and costs the server neither
    # pandas nor Arrow, nor the browser the data grid's JavaScript
    rows = _results_rows(runs, surf)
    head = list(rows[0])
    lines = ["| " + " | ".join(W.md_escape(h) for h in head) + " |", "|" + "---|" * len(head)]
    # the optimizer's label is escaped; the other cells are numbers the page formatted itself
    # (left as they are, so that a number never breaks across lines)
    lines += ["| " + " | ".join(W.md_escape(str(row[h])) if h == "optimizer" else str(row[h]) for h in head) + " |"
              for row in rows]
    st.markdown("\n".join(lines))


def _equations(settings: S.ExploreSettings) -> None:
    for n, cfg in enumerate(settings.optimizers):
        spec = cfg.spec
        st.markdown(f"**{n + 1}. {cfg.label()}** — {cfg.variant} form")
        if spec.wraps_inner:
            st.latex(spec.latex["paper"])
            inner = optimizers.OPTIMIZERS[cfg.inner]
            st.caption(f"inner step: {inner.name} ({cfg.variant})")
            st.latex(inner.latex[cfg.variant])
            st.caption(f"{spec.citation}. Inner: {inner.citation}. Reproduces: {inner.reference[cfg.variant]}.")
        else:
            st.latex(spec.latex[cfg.variant])
            st.caption(f"{spec.citation}. Reproduces: {spec.reference[cfg.variant]}.")
        if spec.group != "survey":
            st.caption(f"{GROUPS[spec.group][0].upper()}{GROUPS[spec.group][1:]}. {spec.notes}")


def _figure_html(surf, views, settings) -> str:
    """A standalone HTML file with the 2D and 3D figures (plotly.js embedded: works offline)."""
    f2 = P.contour_figure(surf, views, start=settings.start, click_grid=0)  # nothing to click in a file
    f3 = P.surface3d_figure(surf, views)
    body = (pio.to_html(f2.to_dict(), include_plotlyjs=True, full_html=False, validate=False)
            + f3.to_html(include_plotlyjs=False, full_html=False))
    title = f"Gradscape: {html.escape(surf.name)}"  # a custom surface's name is its formula, as typed
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><h2 style='font-family:sans-serif'>{title}</h2>{body}</body></html>")


def _scrub_controls(settings: S.ExploreSettings) -> tuple[int, str] | None:
    """The hyperparameter scrubber's controls; (optimizer index, hyperparameter) when it is on."""
    on = st.toggle("Drag a hyperparameter (the path follows in the browser)", key="scrub_on",
                   help="Precomputes 64 runs over the hyperparameter's range; drag the orange slider "
                        "under the plot to morph the path, release to keep the value.")
    if not on:
        ss.pop("_scrub_target", None)
        return None
    uids = list(ss["opt_uids"])
    c1, c2 = st.columns(2)
    if ss.get("scrub_opt") not in range(len(uids)):
        ss["scrub_opt"] = len(uids) - 1
    idx = c1.selectbox("Optimizer", range(len(uids)), key="scrub_opt",
                       format_func=lambda i: f"{i + 1}. {settings.optimizers[i].label()}")
    cfg = settings.optimizers[idx]
    hps = cfg.spec.hyperparams + (optimizers.OPTIMIZERS[cfg.inner].hyperparams if cfg.inner else ())
    names = [h.name for h in hps]
    if ss.get("scrub_hp") not in names:
        ss["scrub_hp"] = "lr" if "lr" in names else names[0]
    name = c2.selectbox("Hyperparameter", names, key="scrub_hp")
    ss["_scrub_target"] = (uids[idx], name)
    return idx, name


def _scrub_payload(core: S.ExploreSettings, key: str, target: tuple[int, str] | None) -> dict | None:
    """The scrubber's payload for ``target`` on the runs of ``core`` (whose cache key is ``key``)."""
    if target is None:
        return None
    idx, name = target
    fam = compute.scrub_family(key, idx, name, core)
    return PS.scrub_payload(fam, idx, float(core.optimizers[idx].params[name]))


def _key(settings: S.ExploreSettings) -> str:
    """The cache key of a computation on ``settings``: their URL text."""
    return json.dumps(S.to_query(settings), sort_keys=True)


def _core(settings: S.ExploreSettings) -> S.ExploreSettings:
    """The settings without view, presenter mode and step: what the runs depend on."""
    return dataclasses.replace(settings, view="overlay", present=False, step=None, internals=None, arrows=False)


def _link_box(label: str, url: str, key: str) -> None:
    """A read-only text box holding a link (select it to copy)."""
    ss[key] = url
    st.text_input(label, key=key, disabled=False, label_visibility="collapsed",
                  help="Select the text and copy it.")


def _divergence_notes(runs) -> None:
    for r in runs:
        if r.diverged_at >= 0:
            lr = r.hyperparams.get("lr")
            hint = f" Try a smaller learning rate (below {W.fmt(lr / 2)}), or press Preset." if lr else ""
            st.error(f"**{W.md_escape(r.label)}** diverged at step {r.diverged_at}: it became non-finite or "
                     f"left the domain by a factor of 10⁶. Its path is drawn "
                     f"{'while it is in sight' if r.escaped_at >= 0 else 'up to that point'}.{hint}",
                     icon=":material/warning:")
        elif r.escaped_at >= 0:
            st.warning(f"**{W.md_escape(r.label)}** left the view at step {r.escaped_at}: it went more than "
                       "the plot's own size beyond its edge. Its path is drawn while it is in sight.",
                       icon=":material/open_in_new:")


def load_settings(settings: S.ExploreSettings, warnings=()) -> None:
    """Make ``settings`` (a link's, or a lesson step's) the page's state, before its widgets
    are drawn; ``warnings`` are shown once."""
    ss["_url_warnings"] = list(warnings)
    _write_settings(settings)
    ss["_view"], ss["_present"], ss["_step"] = settings.view, settings.present, settings.step
    UI_INT.remember(settings)
    ss["_core_key"] = S.to_query(_core(settings))


def page(lesson=None) -> None:
    """The Explore page; ``lesson`` (a ``ui.lessons.LessonFrame``) draws a lesson step's text
    above the stage, adds its keys to the URL and its step to the stage's keyboard."""
    stage_component.preload_plotly()
    # first visit (or back from another page): settings from the URL, or the last ones used
    if "surface" not in ss or "opt_uids" not in ss:
        if "_settings" in ss:
            _write_settings(ss["_settings"])
        else:
            load_settings(*S.from_query(st.query_params.to_dict()))

    if "_warmed" not in ss:
        with st.spinner("Compiling the optimizers (first start of the server only)…"):
            compute.warm_kernels()
        ss["_warmed"] = True

    present = bool(ss.get("_present", False))
    st.html(PRESENTER_CSS if present else COMPACT_CSS)
    styles = _styles()  # one colour per optimizer, for the sidebar and the plots alike
    _sidebar(styles)  # always drawn (hidden in presenter mode), so that every widget keeps its state
    settings = _read_settings()
    core_key = S.to_query(settings)
    if ss.get("_core_key") != core_key:  # the runs changed: show them finished
        ss["_core_key"] = core_key
        ss["_step"] = None
    step = ss.get("_step")
    step = None if step is None or step >= settings.steps else int(step)
    # values rounded as the URL writes them: what is drawn is exactly what the link draws
    inspect, arrows = UI_INT.state(len(settings.optimizers))
    settings = S.canonical(dataclasses.replace(settings, view=ss.get("_view", "overlay"), present=present,
                                               step=step, internals=inspect, arrows=arrows))
    ss["_settings"] = settings
    query = S.to_query(settings)
    url_query = lesson.url_query(settings) if lesson else query
    if st.query_params.to_dict() != url_query:
        st.query_params.from_dict(url_query)

    for w in ss.pop("_url_warnings", []):
        st.warning(f"Link: {W.md_escape(w)}", icon=":material/link_off:")  # w quotes URL text
    if "_toast" in ss:
        st.toast(ss.pop("_toast"))

    surf = settings.surface_obj()
    core = _core(settings)
    core_cache_key = _key(core)
    runs = compute.compute_runs(core_cache_key, core)
    views = [P.PathView(label=r.label, color=c, dash=d, path=r.path, loss=r.loss,
                        diverged_at=r.diverged_at, escaped_at=r.escaped_at,
                        slow=r.slow if len(r.slow) else None,
                        slow_steps=r.slow_steps if len(r.slow) else None,
                        lrs=r.lrs if settings.schedule.id != "constant" else None)
             for r, (c, d) in zip(runs, styles)]

    view = settings.view
    if lesson:
        lesson.header(present)
    if not present:
        st.markdown(f"**{C.name(surf)}**: ${surf.latex}$ · start ({W.fmt(settings.start[0])}, "
                    f"{W.fmt(settings.start[1])}) · {settings.steps} steps"
                    + (f" · gradient noise σ = {W.fmt(settings.noise)}, seed {settings.seed}" if settings.noise else ""))
        c1, c2 = st.columns([3, 2], vertical_alignment="center")
        ss["view_w"] = view
        c1.segmented_control("View", list(VIEW_LABELS), key="view_w", format_func=VIEW_LABELS.get,
                             on_change=_on_view_change, label_visibility="collapsed", required=True)
        ss["present_w"] = present
        c2.toggle("Presenter mode (P)", key="present_w", on_change=_on_present_change,
                  help="The plot fills the screen, the controls hide. Keys: Space play/pause, ← → one "
                       "step, Home back to the start, 1–8 show or hide a path, P leave.")
        scrub = _scrub_controls(settings) if view in ("overlay", "both", "panels") else None
        UI_INT.controls(settings)
    else:
        scrub = None

    src = stage_component.plotly_src()

    def show_stage(kind: str, key: str, scrub_target=None) -> None:
        # one payload per picture, serialised once and shared by every session showing it
        blob_key = json.dumps([core_cache_key, kind, present, scrub_target, src, settings.internals,
                               settings.arrows])
        blob = compute.stage_blob(blob_key, lambda: PS.stage_payload(
            surf, views, view=kind, present=present, start=settings.start, plotly_src=src,
            scrub=_scrub_payload(core, core_cache_key, scrub_target),
            internals=UI_INT.payload(settings, core, core_cache_key, views)))
        stage_component.stage(PS.with_step(blob, settings.step, lesson.stage_keys() if lesson else None),
                              key=key, on_event=_on_stage_event)

    if view in ("overlay", "panels", "both"):
        show_stage("panels" if view == "panels" else "overlay", "stage", scrub)
    if view in ("3d", "both"):
        st.plotly_chart(P.surface3d_figure(surf, views, height=900 if present else 720), key="surface3d",
                        width="stretch")
    if view == "3d" and not present:
        show_stage("charts", "stage_charts")
    if present:
        return

    _divergence_notes(runs)
    st.subheader("Results")
    _results_table(runs, surf)

    rules = st.expander("Update rules, with their papers", icon=":material/function:", key="rules_exp",
                        on_change="rerun")
    if rules.open:  # drawn only when opened
        with rules:
            _equations(settings)

    st.subheader("Share and export")
    st.caption("This link restores exactly this view, including the view, presenter mode and step "
               "(select it and copy):")
    _link_box("Link to this view", _share_url(url_query), "share_link")
    present_query = dict(url_query, present="1")
    st.caption("Presenter link: opens full screen, at this step.")
    _link_box("Presenter link", _share_url(present_query), "share_present")
    c1 = c2 = c3 = st.container(horizontal=True)
    c1.download_button("Trajectories (CSV)", data=lambda: runs_to_csv(runs, settings), file_name="gradscape.csv",
                       mime="text/csv", width="stretch", on_click="ignore")
    c2.download_button("Trajectories (JSON)", data=lambda: runs_to_json(runs, settings), file_name="gradscape.json",
                       mime="application/json", width="stretch", on_click="ignore")
    c3.download_button("Figure (HTML)", data=lambda: _figure_html(surf, views, settings),
                       file_name="gradscape.html", mime="text/html", width="stretch", on_click="ignore",
                       help="The animated 2D and 3D figures as one standalone HTML file.")
