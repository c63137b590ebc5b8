"""The Figures page: the survey's Figure 1 (SGD vs SGDM) and Figure 2 (Lookahead, k = 5), live.

Each figure has its captions (English and the survey's Chinese), a short explanation tied to the
survey's argument, its controls (built from the optimizer registry's metadata; widget keys
prefixed ``fig1_`` / ``fig2_`` so that they never clash with the Explore page's), a button that
restores the survey's settings, a measured one-line summary, and the figure twice: animated and
as the finished static picture.  The pictures and numbers come from the pure builders in
:mod:`plots.figures`; anything that goes wrong shows as a readable ``st.error``, never a
traceback.

Widget state does not survive a visit to another page (Streamlit drops the state of widgets that
were not drawn), so the last settings are also kept under ``_fig1_settings`` /
``_fig2_settings`` and written back into the widgets when they are missing.
"""
from __future__ import annotations

import dataclasses
import functools

import streamlit as st

import optimizers
import surfaces
from plots import figures as F

from . import widgets as W

ss = st.session_state

FIG1_DEFAULT = F.Figure1Settings()
FIG2_DEFAULT = F.Figure2Settings()
_KAPPA = next(p for p in surfaces.SURFACES["quadratic"].params if p.name == "kappa")
_QBOUNDS = surfaces.SURFACES["quadratic"].bounds
#: inner optimizers Lookahead can wrap (every optimizer but Lookahead itself)
#: figure height (px): at 1280 px wide the ravine's plot is then about 880 × 440 px
FIG_HEIGHT = 600
INNER_CHOICES = tuple(optimizers.inner_choices("lookahead"))


# ---- cached computations (settings are frozen dataclasses: hashable) ---------------------------
@functools.lru_cache(maxsize=64)
def _fig1_data(settings: F.Figure1Settings) -> F.Figure1Data:
    return F.figure1_data(settings)


@functools.lru_cache(maxsize=64)
def _fig2_data(settings: F.Figure2Settings) -> F.Figure2Data:
    return F.figure2_data(settings)


@functools.lru_cache(maxsize=256)
def _suggest_lr(settings: F.Figure2Settings) -> float:
    return F.suggest_inner_lr(settings)


# ---- sliders from metadata ---------------------------------------------------------------------
def _select(label: str, key: str, options: list[float], help: str | None = None):
    """A select slider over ``options`` (the current value snapped onto them)."""
    cur = float(ss[key])
    ss[key] = min(options, key=lambda o: abs(o - cur))
    return st.select_slider(label, options=options, key=key, format_func=W.fmt, help=help)


def _hp_slider(label: str, h, key: str):
    """A slider for registry hyperparameter ``h`` (log, linear or integer, as its metadata says)."""
    if h.integer:
        return st.slider(label, int(h.lo), int(h.hi), key=key, step=1, help=h.help)
    return _select(label, key, W.options_for(h, float(ss[key])), help=h.help)


def _kappa_slider(key: str):
    return _select("ravine κ (condition number)", key, W.log_options(_KAPPA.lo, _KAPPA.hi, float(ss[key])),
                   help=_KAPPA.help.capitalize() + ". The survey's ravine is long and narrow: κ around 10–50.")


def _start_inputs(prefix: str):
    (x0, x1), (y0, y1) = _QBOUNDS
    c1, c2 = st.columns(2)
    c1.number_input("start x", min_value=float(x0), max_value=float(x1), step=0.1, format="%.3g",
                    key=f"{prefix}_start_x")
    c2.number_input("start y", min_value=float(y0), max_value=float(y1), step=0.1, format="%.3g",
                    key=f"{prefix}_start_y")


# ---- Figure 1: state <-> widgets ---------------------------------------------------------------
def _write_fig1(s: F.Figure1Settings) -> None:
    ss["fig1_lr"] = float(s.lr)
    ss["fig1_momentum"] = float(s.momentum)
    ss["fig1_steps"] = int(s.steps)
    ss["fig1_kappa"] = float(s.kappa)
    ss["fig1_start_x"], ss["fig1_start_y"] = float(s.start[0]), float(s.start[1])


def _read_fig1() -> F.Figure1Settings:
    return F.Figure1Settings(kappa=float(ss["fig1_kappa"]),
                             start=(float(ss["fig1_start_x"]), float(ss["fig1_start_y"])),
                             lr=float(ss["fig1_lr"]), momentum=float(ss["fig1_momentum"]),
                             steps=int(ss["fig1_steps"]))


def _reset_fig1() -> None:
    _write_fig1(FIG1_DEFAULT)
    ss["_fig1_settings"] = FIG1_DEFAULT


# ---- Figure 2: state <-> widgets ---------------------------------------------------------------
def _hp_key(inner: str, name: str) -> str:
    return f"fig2_hp_{inner}_{name}"


def _write_fig2(s: F.Figure2Settings) -> None:
    ss["fig2_inner"] = s.inner
    ss["fig2_k"] = int(s.k)
    ss["fig2_alpha"] = float(s.alpha)
    ss["fig2_cycles"] = int(s.cycles)
    ss["fig2_kappa"] = float(dict(s.surface_params).get("kappa", _KAPPA.default))
    ss["fig2_start_x"], ss["fig2_start_y"] = float(s.start[0]), float(s.start[1])
    given = dict(s.inner_params)
    for h in optimizers.OPTIMIZERS[s.inner].hyperparams:
        ss[_hp_key(s.inner, h.name)] = given.get(h.name, h.default)


def _read_fig2() -> F.Figure2Settings:
    inner = ss["fig2_inner"]
    params = tuple((h.name, ss.get(_hp_key(inner, h.name), h.default))
                   for h in optimizers.OPTIMIZERS[inner].hyperparams)
    return F.Figure2Settings(
        surface="quadratic", surface_params=(("kappa", float(ss["fig2_kappa"])), ("angle", 0.0)),
        start=(float(ss["fig2_start_x"]), float(ss["fig2_start_y"])), inner=inner, inner_params=params,
        k=int(ss["fig2_k"]), alpha=float(ss["fig2_alpha"]), cycles=int(ss["fig2_cycles"]))


def _reset_fig2() -> None:
    _write_fig2(FIG2_DEFAULT)
    ss["_fig2_settings"] = FIG2_DEFAULT


def _on_inner_change() -> None:
    """A new inner optimizer: its registry defaults, and a measured learning rate for the ravine."""
    inner = ss["fig2_inner"]
    spec = optimizers.OPTIMIZERS[inner]
    for h in spec.hyperparams:
        ss[_hp_key(inner, h.name)] = h.default
    try:
        probe = dataclasses.replace(_read_fig2(), inner_params=())
        ss[_hp_key(inner, "lr")] = _suggest_lr(probe)
    except Exception:  # noqa: BLE001 - keep the registry default; the figure will report any problem
        pass


# ---- drawing -----------------------------------------------------------------------------------
def _captions(en: str, zh: str) -> None:
    st.header(en, anchor=False)
    st.markdown(f"<div lang='zh' style='font-size:1.15rem;color:#555;margin-top:-0.6rem'>{zh}</div>",
                unsafe_allow_html=True)


def _guarded(label: str, compute, *args):
    """``compute(*args)``, or None after a readable ``st.error`` (never a traceback)."""
    try:
        return compute(*args)
    except (ValueError, RuntimeError) as e:
        st.error(f"{label} cannot be drawn with these settings: {e}", icon=":material/error:")
    except Exception as e:  # noqa: BLE001 - never a traceback on the page
        st.error(f"{label} could not be computed ({type(e).__name__}: {e}).", icon=":material/error:")
    return None


def _two_views(build, key: str, what: str, label: str) -> None:
    """The animated figure and the finished static picture, each full width in its own tab
    (side by side they would be too small to read).  ``theme=None``: exactly the builders'
    styling, so the page shows what the export command writes.  A figure that cannot be built
    shows a readable error instead."""
    figs = _guarded(label, lambda: (build(True), build(False)))
    if figs is None:
        return
    t1, t2 = st.tabs([f":material/play_circle: Animated {what}", ":material/image: Finished picture"])
    with t1:
        st.plotly_chart(figs[0], key=f"{key}_animated", width="stretch", theme=None)
    with t2:
        st.plotly_chart(figs[1], key=f"{key}_static", width="stretch", theme=None)


def _figure1() -> None:
    _captions(F.FIGURE1_TITLE, F.FIGURE1_TITLE_ZH)
    st.markdown(
        "On a long, narrow valley the gradient points almost straight across it. Plain **SGD** follows "
        "it: with this learning rate every step overshoots the valley floor, so SGD **zig-zags** from wall "
        "to wall while it only **crawls** along the gentle slope towards the minimum. **SGD with momentum** "
        "adds up its past gradients (m ← β·m + g). The survey puts it this way: momentum *accelerates "
        "convergence where the current gradient agrees with history, and reduces oscillation where it does "
        "not*. Across the valley the gradients flip sign and partly cancel in m, so the swings die out "
        "faster than SGD's; along the valley they all point the same way and add up, so SGDM gains speed "
        "and reaches the minimum much sooner. It even shoots past the minimum and swings back: with β = 0.9 "
        "momentum is a heavy ball that keeps rolling.")
    sgd_lr = optimizers.OPTIMIZERS["sgd"].hyperparam("lr")
    mom = optimizers.OPTIMIZERS["sgdm"].hyperparam("momentum")
    c1, c2, c3, c4 = st.columns(4, vertical_alignment="bottom")
    with c1:
        _hp_slider("learning rate (both)", sgd_lr, "fig1_lr")
    with c2:
        _hp_slider("SGDM momentum β", mom, "fig1_momentum")
    with c3:
        st.slider("steps", 1, F.FIG1_MAX_STEPS, key="fig1_steps")
    with c4:
        st.button("Reset to the survey's figure", key="fig1_reset", on_click=_reset_fig1,
                  icon=":material/restart_alt:", width="stretch",
                  help=f"κ = {FIG1_DEFAULT.kappa:g}, start {FIG1_DEFAULT.start}, lr = {FIG1_DEFAULT.lr:g}, "
                       f"momentum = {FIG1_DEFAULT.momentum:g}, {FIG1_DEFAULT.steps} steps")
    with st.expander("The ravine and the start"):
        _kappa_slider("fig1_kappa")
        _start_inputs("fig1")
        st.caption("f(x, y) = ½(x² + κy²): steep across (curvature κ), gentle along (curvature 1). "
                   "SGD's steep coordinate is multiplied by 1 − lr·κ each step: it flips sign once "
                   "lr·κ > 1 and grows without bound once lr·κ > 2.")
    settings = _read_fig1()
    ss["_fig1_settings"] = settings
    data = _guarded("Figure 1", _fig1_data, settings)
    if data is None:
        return
    for which, name in (("sgd", "SGD"), ("sgdm", "SGDM")):
        r = getattr(data, which)
        if r.diverged_at >= 0:
            st.warning(f"{name} diverged at step {r.diverged_at} (lr·κ = {settings.lr * settings.kappa:.3g}"
                       + (", above 2" if which == "sgd" and settings.lr * settings.kappa > 2 else "")
                       + "): its path is drawn up to its last point on the picture.", icon=":material/warning:")
    st.info(F.figure1_summary(data), icon=":material/straighten:")
    _two_views(lambda animated: F.figure1(data, animated=animated, height=FIG_HEIGHT), "fig1",
               "step by step", "Figure 1")


def _figure2() -> None:
    _captions(F.FIGURE2_TITLE, F.FIGURE2_TITLE_ZH)
    st.markdown(
        "Lookahead wraps any optimizer and keeps two sets of weights. From the **slow weights** φₜ₋₁ the "
        "inner optimizer takes k **fast steps** θₜ,₁ … θₜ,ₖ, which run ahead and explore: they *look "
        "ahead*. Then the slow weights move only part of the way towards where the fast weights ended, "
        "φₜ = φₜ₋₁ + α(θₜ,ₖ − φₜ₋₁), and the fast weights restart from φₜ. The fast weights search for the "
        "direction; the slow weights stay behind, follow it steadily and pull the fast weights back, which "
        "is what gives Lookahead its long-term stability and lowers the variance of the inner optimizer. "
        "Here the inner optimizer is SGD with momentum on the ravine of Figure 1: each cycle's five fast "
        "steps fan out across the valley, each slow step lands half-way along the dashed line to the last "
        "fast weight, and the slow weights go down the valley on a smooth path.")
    la = optimizers.OPTIMIZERS["lookahead"]
    inner = ss["fig2_inner"]
    spec = optimizers.OPTIMIZERS[inner]
    c1, c2, c3, c4, c5 = st.columns([3, 2, 2, 2, 3], vertical_alignment="bottom")
    with c1:
        st.selectbox("inner optimizer", INNER_CHOICES, key="fig2_inner",
                     format_func=W.optimizer_label, on_change=_on_inner_change,
                     help="The optimizer that takes the fast steps; switching picks a measured learning rate.")
    with c2:
        k = la.hyperparam("k")
        st.slider("k (fast steps per cycle)", int(k.lo), F.FIG2_MAX_K, key="fig2_k", help=k.help)
    with c3:
        _hp_slider("α", la.hyperparam("alpha"), "fig2_alpha")
    with c4:
        _hp_slider(f"{spec.name} lr", spec.hyperparam("lr"), _hp_key(inner, "lr"))
    with c5:
        st.button("Reset to the survey's figure", key="fig2_reset", on_click=_reset_fig2,
                  icon=":material/restart_alt:", width="stretch",
                  help=f"k = {FIG2_DEFAULT.k}, α = {FIG2_DEFAULT.alpha:g}, inner SGD with momentum "
                       f"(lr = {dict(FIG2_DEFAULT.inner_params)['lr']:g}, momentum = "
                       f"{dict(FIG2_DEFAULT.inner_params)['momentum']:g}), {FIG2_DEFAULT.cycles} cycles, κ = 50")
    with st.expander(f"Cycles, the ravine, the start and {spec.name}'s other hyperparameters"):
        st.slider("cycles (slow-weight updates)", 1, F.FIG2_MAX_CYCLES, key="fig2_cycles",
                  help="The run is cycles × k fast steps, so every cycle is complete.")
        _kappa_slider("fig2_kappa")
        _start_inputs("fig2")
        for h in spec.hyperparams:
            if h.name != "lr":
                key = _hp_key(inner, h.name)
                ss.setdefault(key, h.default)
                _hp_slider(f"{spec.name} {h.name}", h, key)
    settings = _read_fig2()
    ss["_fig2_settings"] = settings
    data = _guarded("Figure 2", _fig2_data, settings)
    if data is None:
        return
    if data.diverged_at >= 0:
        st.warning(f"The fast weights diverged at step {data.diverged_at}: try a smaller learning rate.",
                   icon=":material/warning:")
    st.info(F.figure2_summary(data), icon=":material/straighten:")
    _two_views(lambda animated: F.figure2(data, animated=animated, height=FIG_HEIGHT), "fig2",
               "cycle by cycle", "Figure 2")


def _init_state() -> None:
    """Fill missing widget state from the last settings used (or the survey's)."""
    if "fig1_lr" not in ss:
        _write_fig1(ss.get("_fig1_settings", FIG1_DEFAULT))
    if "fig2_inner" not in ss or "fig2_k" not in ss:
        _write_fig2(ss.get("_fig2_settings", FIG2_DEFAULT))
    inner = ss["fig2_inner"]
    for h in optimizers.OPTIMIZERS[inner].hyperparams:
        ss.setdefault(_hp_key(inner, h.name), h.default)


def page() -> None:
    _init_state()
    st.title("The survey's figures, live")
    st.markdown("Both figures of the survey, recomputed by Gradscape's engine from the same optimizers as "
                "the Explore page. The settings start at the survey's pictures; change them to see what each "
                "figure depends on, and **Reset** to get the survey's picture back.")
    _figure1()
    st.divider()
    _figure2()
