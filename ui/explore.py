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

import json
import urllib.parse

import numpy as np
import plotly.io as pio
import streamlit as st

import optimizers
from optimizers.base import GROUPS
import surfaces
from plots import explore as P

from . import compute, presets
from . import settings as S
from . import widgets as W
from .export import runs_to_csv, runs_to_json

ss = st.session_state
#: what the main plot shows (only the chosen figures are built and sent to the browser)
VIEWS = ("2D contour", "3D surface", "2D and 3D")


# ---- state <-> widgets ---------------------------------------------------------------------
def _hp_key(uid: int, oid: str, inner: str | None, name: str) -> str:
    return f"o{uid}_{oid}_{inner or ''}_{name}"


def _sp_key(sid: str, name: str) -> str:
    return f"sp_{sid}_{name}"


def _write_optimizer(uid: int, cfg: S.OptimizerConfig) -> None:
    ss[f"o{uid}_id"] = cfg.id
    ss[f"o{uid}_variant"] = cfg.variant
    inner = cfg.inner
    if inner:
        ss[f"o{uid}_inner"] = inner
    for k, v in cfg.hyperparams:
        if k != "inner":
            ss[_hp_key(uid, cfg.id, inner, k)] = v


def _write_settings(settings: S.ExploreSettings) -> None:
    """Copy settings into the widgets' session state (before the widgets are drawn)."""
    ss["surface"] = settings.surface
    for k, v in settings.surface_params:
        ss[_sp_key(settings.surface, k)] = v
    ss["start_x"], ss["start_y"] = float(settings.start[0]), float(settings.start[1])
    ss["steps"] = int(settings.steps)
    ss["noise"] = float(settings.noise)
    ss["seed"] = int(settings.seed)
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


def _read_settings() -> S.ExploreSettings:
    surf = surfaces.SURFACES[ss["surface"]]
    sp = tuple((p.name, float(ss.get(_sp_key(surf.id, p.name), v))) for p, v in zip(surf.params, surf.values))
    return S.ExploreSettings(surf.id, sp, (float(ss["start_x"]), float(ss["start_y"])), int(ss["steps"]),
                             float(ss["noise"]), int(ss["seed"]),
                             tuple(_read_optimizer(u) for u in ss["opt_uids"]))


# ---- callbacks (run before the script, so they may set widget state) -----------------------
def _apply_preset(with_surface_start: bool = True) -> None:
    settings = _read_settings()
    surf = surfaces.SURFACES[settings.surface]
    start = tuple(surf.start) if with_surface_start else settings.start
    ids = [c.id for c in settings.optimizers]
    new = presets.preset_optimizers(surf.id, ids, steps=settings.steps, start=start,
                                    surface_params=settings.surface_params,
                                    variants=[c.variant for c in settings.optimizers],
                                    inners=[c.inner for c in settings.optimizers])
    ss["start_x"], ss["start_y"] = float(start[0]), float(start[1])
    for uid, cfg in zip(ss["opt_uids"], new):
        _write_optimizer(uid, cfg)
    ss["_toast"] = f"Preset for {surf.name}: start {W.fmt(start[0])}, {W.fmt(start[1])} and a measured learning rate for each optimizer."


def _on_surface_change() -> None:
    surf = surfaces.SURFACES[ss["surface"]]
    for p, v in zip(surf.params, surf.values):
        ss.setdefault(_sp_key(surf.id, p.name), v)
    _apply_preset(with_surface_start=True)


def _on_optimizer_change(uid: int) -> None:
    """A different optimizer in an expander: fresh defaults and a measured learning rate."""
    settings = _read_settings()
    oid = ss[f"o{uid}_id"]
    inner = ss.get(f"o{uid}_inner", "adam") if optimizers.OPTIMIZERS[oid].wraps_inner else None
    cfg = presets.preset_optimizers(settings.surface, [oid], steps=settings.steps, start=settings.start,
                                    surface_params=settings.surface_params, inners=[inner])[0]
    _write_optimizer(uid, cfg)


def _remove_optimizer(uid: int) -> None:
    ss["opt_uids"] = [u for u in ss["opt_uids"] if u != uid]


def _duplicate_optimizer(uid: int) -> None:
    if len(ss["opt_uids"]) < S.MAX_OPTIMIZERS:
        _add_optimizer(_read_optimizer(uid))


def _add_selected() -> None:
    oid = ss.get("add_opt")
    if oid and len(ss["opt_uids"]) < S.MAX_OPTIMIZERS:
        settings = _read_settings()
        cfg = presets.preset_optimizers(settings.surface, [oid], steps=settings.steps, start=settings.start,
                                        surface_params=settings.surface_params)[0]
        _add_optimizer(cfg)


def _reset_all() -> None:
    keep = {k: v for k, v in ss.items() if k.startswith("_next_uid")}
    for k in list(ss.keys()):
        del ss[k]
    ss.update(keep)
    _write_settings(S.default_settings())
    ss["_settings"] = S.default_settings()


# ---- sidebar -------------------------------------------------------------------------------
def _slider(label: str, h, key: str, help: str | None = None):
    """A slider built from metadata: log, linear or integer, with the current value always allowed."""
    if key not in ss:
        ss[key] = h.default
    if getattr(h, "integer", False):
        return st.slider(label, int(h.lo), int(h.hi), key=key, step=1, help=help)
    cur = float(ss[key])  # read once: each session-state read costs ~30 µs, the key ran it per option
    opts = W.options_for(h, cur)
    ss[key] = min(opts, key=lambda o: abs(o - cur))
    return st.select_slider(label, options=opts, key=key, format_func=W.fmt, help=help)


def _sidebar() -> None:
    sb = st.sidebar
    with sb:
        st.header("Surface")
        st.selectbox("Surface", list(surfaces.SURFACES), key="surface", on_change=_on_surface_change,
                     format_func=lambda s: surfaces.SURFACES[s].name, label_visibility="collapsed")
        surf = surfaces.SURFACES[ss["surface"]]
        for p, v in zip(surf.params, surf.values):
            _slider(f"{p.name} — {p.help}" if p.help else p.name, p, _sp_key(surf.id, p.name))
        st.button("Preset: good start and learning rates", on_click=_apply_preset, width="stretch",
                  help="Moves the start to the surface's suggested start and gives every optimizer a "
                       "learning rate measured to work on this surface.")

        st.header("Start and steps")
        (x0, x1), (y0, y1) = surf.bounds
        ss["start_x"] = min(max(float(ss["start_x"]), x0), x1)
        ss["start_y"] = min(max(float(ss["start_y"]), y0), y1)
        c1, c2 = st.columns(2)
        c1.number_input("start x", min_value=float(x0), max_value=float(x1), key="start_x", format="%.4g",
                        step=(x1 - x0) / 100)
        c2.number_input("start y", min_value=float(y0), max_value=float(y1), key="start_y", format="%.4g",
                        step=(y1 - y0) / 100)
        st.caption("Or click on the 2D plot to start there.")
        st.slider("Steps", 1, S.MAX_STEPS, key="steps")

        st.header("Optimizers")
        for n, uid in enumerate(list(ss["opt_uids"])):
            _optimizer_expander(n, uid)
        if len(ss["opt_uids"]) < S.MAX_OPTIMIZERS:
            c1, c2 = st.columns([3, 2])
            c1.selectbox("Add optimizer", list(optimizers.OPTIMIZERS), key="add_opt",
                         format_func=W.optimizer_label, label_visibility="collapsed")
            c2.button("Add", on_click=_add_selected, width="stretch")
        else:
            st.caption(f"At most {S.MAX_OPTIMIZERS} optimizers at once.")

        st.header("Gradient noise")
        c1, c2 = st.columns(2)
        c1.number_input("σ", min_value=0.0, max_value=S.MAX_NOISE, key="noise", step=0.1, format="%.3g",
                        help="The gradient used is g + σ·N(0, I): a stand-in for mini-batch noise.")
        c2.number_input("seed", min_value=0, max_value=S.MAX_SEED, key="seed", step=1)
        st.button("Reset everything", on_click=_reset_all, width="stretch")


def _optimizer_expander(n: int, uid: int) -> None:
    cfg = _read_optimizer(uid)
    color = P.COLORS[n % len(P.COLORS)]
    with st.expander(f":material/show_chart: {n + 1}. {cfg.label()}", expanded=n == 0 and len(ss["opt_uids"]) <= 2):
        st.markdown(f"<div style='height:4px;background:{color};border-radius:2px'></div>", unsafe_allow_html=True)
        st.selectbox("Optimizer", list(optimizers.OPTIMIZERS), key=f"o{uid}_id",
                     format_func=W.optimizer_label,
                     on_change=_on_optimizer_change, args=(uid,))
        spec = optimizers.OPTIMIZERS[ss[f"o{uid}_id"]]
        inner = None
        if spec.wraps_inner:
            choices = optimizers.inner_choices(spec)
            ss.setdefault(f"o{uid}_inner", "adam")
            st.selectbox("Inner optimizer", choices, key=f"o{uid}_inner",
                         format_func=W.optimizer_label)
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
            _slider(h.name, h, _hp_key(uid, spec.id, inner, h.name), help=h.help)
        c1, c2 = st.columns(2)
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


def _apply_click(event, surf, fig) -> None:
    """A click on the 2D plot's click grid sets the start, on the next run."""
    try:
        picked = P.start_from_selection(event, surf, curve_number=P.click_grid_index(fig))
    except (AttributeError, KeyError, TypeError, ValueError):
        picked = None
    if picked is None:
        return
    x, y = float(picked[0]), float(picked[1])
    sig = (round(x, 9), round(y, 9))
    if ss.get("_last_click") == sig:
        return
    ss["_last_click"] = sig
    ss["_pending_start"] = (x, y)
    st.rerun()


def _results_table(runs, surf) -> None:
    rows = []
    for r in runs:
        last = r.path[r.diverged_at - 1] if r.diverged_at > 0 else r.path[-1]
        final_loss = r.loss[r.diverged_at - 1] if r.diverged_at > 0 else r.loss[-1]
        dist = r.dist[r.diverged_at - 1] if r.diverged_at > 0 else r.dist[-1]
        rows.append({
            "optimizer": r.label,
            "final loss": float(final_loss),
            "final point": f"({W.fmt(float(last[0]))}, {W.fmt(float(last[1]))})",
            "distance to nearest minimum" if surf.minima else "distance to the saddle": float(dist),
            f"step reaching f − f* ≤ {compute.TOL:g}": (str(r.tol_step) if r.tol_step >= 0 else
                                                       ("—" if surf.minima else "n/a")),
            "diverged at step": str(r.diverged_at) if r.diverged_at >= 0 else "—",
        })
    st.dataframe(rows, hide_index=True, width="stretch",
                 column_config={"final loss": st.column_config.NumberColumn(format="%.4e"),
                                "distance to nearest minimum": st.column_config.NumberColumn(format="%.3e"),
                                "distance to the saddle": st.column_config.NumberColumn(format="%.3e")})


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
    # without the click grid (nothing to click in a file); contour_figure has no option to omit it
    f2 = P.contour_figure(surf, views, start=settings.start).to_dict()
    f2["data"] = [t for t in f2["data"] if t.get("name") != P.CLICK_GRID_NAME]
    f3 = P.surface3d_figure(surf, views)
    body = (pio.to_html(f2, include_plotlyjs=True, full_html=False, validate=False)
            + f3.to_html(include_plotlyjs=False, full_html=False))
    title = f"Gradscape: {surf.name}"
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><h2 style='font-family:sans-serif'>{title}</h2>{body}</body></html>")


def page() -> None:
    # first visit (or back from another page): settings from the URL, or the last ones used
    if "surface" not in ss or "opt_uids" not in ss:
        if "_settings" in ss:
            _write_settings(ss["_settings"])
        else:
            settings, warnings = S.from_query(st.query_params.to_dict())
            ss["_url_warnings"] = warnings
            _write_settings(settings)
    if "_pending_start" in ss:
        x, y = ss.pop("_pending_start")
        ss["start_x"], ss["start_y"] = x, y

    if "_warmed" not in ss:
        with st.spinner("Compiling the optimizers (first start of the server only)…"):
            compute.warm_kernels()
        ss["_warmed"] = True

    _sidebar()
    settings = _read_settings()
    ss["_settings"] = settings
    query = S.to_query(settings)
    # draw exactly what the URL (and compute_runs) describes: values rounded to 6 digits
    settings, _ = S.from_query(query)
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)

    st.title("Gradscape: optimizers on loss surfaces")
    for w in ss.pop("_url_warnings", []):
        st.warning(f"Link: {W.md_escape(w)}", icon=":material/link_off:")  # w quotes URL text
    if "_toast" in ss:
        st.toast(ss.pop("_toast"))

    surf = settings.surface_obj()
    runs = compute.compute_runs(json.dumps(query, sort_keys=True))
    views = [P.PathView(label=r.label, color=P.COLORS[n % len(P.COLORS)], path=r.path, loss=r.loss,
                        diverged_at=r.diverged_at, slow=r.slow if len(r.slow) else None,
                        slow_steps=r.slow_steps if len(r.slow) else None)
             for n, r in enumerate(runs)]

    for r in runs:
        if r.diverged_at >= 0:
            lr = r.hyperparams.get("lr")
            hint = f" Try a smaller learning rate (below {W.fmt(lr / 2)})." if lr else ""
            st.error(f"**{r.label}** diverged at step {r.diverged_at}: it became non-finite or left the "
                     f"domain by a factor of 10⁶. Its path is drawn up to that point.{hint}",
                     icon=":material/warning:")

    st.markdown(f"**{surf.name}**: ${surf.latex}$ · start ({W.fmt(settings.start[0])}, "
                f"{W.fmt(settings.start[1])}) · {settings.steps} steps"
                + (f" · gradient noise σ = {W.fmt(settings.noise)}, seed {settings.seed}" if settings.noise else ""))
    ss.setdefault("view", VIEWS[0])
    view = st.segmented_control("View", VIEWS, key="view", label_visibility="collapsed") or VIEWS[0]
    fig2d = None
    if view in (VIEWS[0], VIEWS[2]):
        fig2d = P.contour_figure(surf, views, start=settings.start)
        event = st.plotly_chart(fig2d, key="contour", on_select="rerun", selection_mode=("points",),
                                width="stretch")
        _apply_click(event, surf, fig2d)
    if view in (VIEWS[1], VIEWS[2]):
        st.plotly_chart(P.surface3d_figure(surf, views), key="surface3d", width="stretch")

    c1, c2 = st.columns(2)
    with c1:
        st.plotly_chart(P.loss_figure(views, surf.f_min), key="loss", width="stretch")
    with c2:
        st.plotly_chart(P.distance_figure(views, surf), key="distance", width="stretch")

    st.subheader("Results")
    _results_table(runs, surf)

    st.subheader("Update rules")
    _equations(settings)

    st.subheader("Share and export")
    st.caption("This link restores exactly this view (copy it with the button at its right):")
    st.code(_share_url(query), language=None, wrap_lines=True)
    c1, c2, c3 = st.columns(3)
    c1.download_button("Trajectories (CSV)", data=runs_to_csv(runs, settings), file_name="gradscape.csv",
                       mime="text/csv", width="stretch", on_click="ignore")
    c2.download_button("Trajectories (JSON)", data=lambda: runs_to_json(runs, settings), file_name="gradscape.json",
                       mime="application/json", width="stretch", on_click="ignore")
    c3.download_button("Figure (HTML)", data=lambda: _figure_html(surf, views, settings),
                       file_name="gradscape.html", mime="text/html", width="stretch", on_click="ignore",
                       help="The animated 2D and 3D figures as one standalone HTML file.")
