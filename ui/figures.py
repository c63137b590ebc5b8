"""The Figures page: the survey's Figure 1 (SGD vs SGDM) and Figure 2 (Lookahead, k = 5), live.

Each figure has its captions (English and the survey's Chinese), a short explanation tied to the
survey's argument, its controls (built from the optimizer registry's metadata; widget keys
prefixed ``fig1_`` / ``fig2_`` so that they never clash with the Explore page's), a button that
restores the survey's settings, a measured one-line summary, and the figure twice: animated and
as the finished static picture.  The numbers come from :mod:`studies.figures` (runs, cycles,
the summary lines), the pictures from the pure builders in :mod:`plots.figures`; anything that
goes wrong shows as a readable ``st.error``, never a traceback.

The page keeps its state in the URL, like Explore: :class:`FiguresSettings` (both figures'
settings) is parsed once from the query on the session's first visit (:func:`from_query`, which
never raises: bad values fall back to the survey's or are clamped, with warnings shown as
escaped text), copied into the widgets, and written back (:func:`to_query`) after the widgets
are drawn, on every run.  Grammar (every key prefixed, so it cannot clash with another page's)::

    ?fig1_lr=0.0396&fig1_momentum=0.64&fig1_steps=60&fig1_kappa=50&fig1_start=-1.8,0.6
    &fig2_inner=sgdm(lr=0.035,momentum=0.85)&fig2_k=5&fig2_alpha=0.5&fig2_cycles=5
    &fig2_kappa=50&fig2_start=-1.8,0.6

``fig2_inner`` is the inner optimizer in the Explore link's form (``adam`` alone takes the
registry's defaults).  Each figure draws exactly what the link says (values to 6 digits).

Widget state does not survive a visit to another page (Streamlit drops the state of widgets that
were not drawn), so the last settings are also kept under ``_figures_settings`` and written back
into the widgets when they are missing.
"""
from __future__ import annotations

import dataclasses
import functools

import streamlit as st

import optimizers
import surfaces
from optimizers import Hyperparam
from plots import figures as F
from studies import figures as SF

from . import settings as S
from . import widgets as W

ss = st.session_state

FIG1_DEFAULT = SF.Figure1Settings()
FIG2_DEFAULT = SF.Figure2Settings()
_KAPPA = next(p for p in surfaces.SURFACES["quadratic"].params if p.name == "kappa")
#: the ravine's κ as a slider record: on a log scale (surface parameters carry no scale)
KAPPA = Hyperparam("kappa", _KAPPA.default, _KAPPA.lo, _KAPPA.hi, "log",
                   _KAPPA.help.capitalize() + ". The survey's ravine is long and narrow: κ around 10–50.")
_QBOUNDS = surfaces.SURFACES["quadratic"].bounds
#: figure height (px): at 1280 px wide the ravine's plot is then about 880 × 440 px
FIG_HEIGHT = 600
#: inner optimizers Lookahead can wrap (every optimizer but Lookahead itself)
INNER_CHOICES = tuple(optimizers.inner_choices("lookahead"))


# ---- cached computations (settings are frozen dataclasses: hashable) ---------------------------
@functools.lru_cache(maxsize=64)
def _fig1_data(settings: SF.Figure1Settings) -> SF.Figure1Data:
    return SF.figure1_data(settings)


@functools.lru_cache(maxsize=64)
def _fig2_data(settings: SF.Figure2Settings) -> SF.Figure2Data:
    return SF.figure2_data(settings)


@functools.lru_cache(maxsize=256)
def _suggest_lr(settings: SF.Figure2Settings) -> float:
    return SF.suggest_inner_lr(settings)


# ---- the URL ------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class FiguresSettings:
    """The Figures page's whole configuration (what its URL holds): both figures' settings."""

    fig1: SF.Figure1Settings = FIG1_DEFAULT
    fig2: SF.Figure2Settings = FIG2_DEFAULT


def read_numbers(text, records, what: str, warnings: list) -> tuple | None:
    """A link value of comma-separated numbers, one per record (anything with name, lo, hi and
    maybe ``integer``): each clamped into its record's [lo, hi], whole numbers rounded for
    integer records, with a warning for every change.  None (with a warning) when the value is
    not that many finite numbers: the caller then keeps its default.  (The Landscapes page reads
    its numbers with it too; its home would be ``ui.settings``, beside Explore's parser.)"""
    parts = str(text).split(",")
    if len(parts) != len(records):
        warnings.append(f"{what}: {text!r} is not {len(records)} comma-separated number"
                        f"{'s' if len(records) > 1 else ''}; using the default.")
        return None
    nums = [S._number(p.strip(), what, warnings) for p in parts]
    if None in nums:
        return None
    out = []
    for r, v in zip(records, nums):
        label = f"{what} {r.name}" if len(records) > 1 else what
        v = S._clamp(v, r.lo, r.hi, label, warnings)
        if getattr(r, "integer", False) and v != round(v):
            warnings.append(f"{label} = {S._fmt(v)} must be a whole number; rounded to {round(v)}.")
        out.append(int(round(v)) if getattr(r, "integer", False) else float(v))
    return tuple(out)


def numbers_text(values) -> str:
    """Numbers as a link writes them: comma-separated, 6 significant digits."""
    return ",".join(S._fmt(v) for v in values)


def point_records(bounds) -> tuple:
    """Records of a point's x and y inside ``bounds`` ((x0, x1), (y0, y1)), for :func:`read_numbers`."""
    return tuple(surfaces.Param(n, lo, lo, hi) for n, (lo, hi) in zip("xy", bounds))


_START = point_records(_QBOUNDS)
_LA = optimizers.OPTIMIZERS["lookahead"]
#: URL key -> (the figure's settings field, the records of its comma-separated numbers)
FIG1_FIELDS = {
    "fig1_lr": ("lr", (optimizers.OPTIMIZERS["sgd"].hyperparam("lr"),)),
    "fig1_momentum": ("momentum", (optimizers.OPTIMIZERS["sgdm"].hyperparam("momentum"),)),
    "fig1_steps": ("steps", (Hyperparam("steps", FIG1_DEFAULT.steps, 1, SF.FIG1_MAX_STEPS, integer=True),)),
    "fig1_kappa": ("kappa", (KAPPA,)),
    "fig1_start": ("start", _START),
}
FIG2_FIELDS = {
    "fig2_k": ("k", (dataclasses.replace(_LA.hyperparam("k"), hi=SF.FIG2_MAX_K),)),
    "fig2_alpha": ("alpha", (_LA.hyperparam("alpha"),)),
    "fig2_cycles": ("cycles", (Hyperparam("cycles", FIG2_DEFAULT.cycles, 1, SF.FIG2_MAX_CYCLES, integer=True),)),
    "fig2_kappa": ("kappa", (KAPPA,)),
    "fig2_start": ("start", _START),
}


def _fields_from_query(q: dict, fields: dict, warnings: list) -> dict:
    """{settings field: value} for the ``fields`` the link gives and that can be read."""
    out = {}
    for key, (field, records) in fields.items():
        got = read_numbers(q[key], records, key, warnings) if key in q else None
        if got is not None:
            out[field] = got if len(records) > 1 else got[0]
    return out


def _fields_to_query(values: dict, fields: dict) -> dict:
    return {key: numbers_text(values[field] if len(records) > 1 else (values[field],))
            for key, (field, records) in fields.items()}


def _fig2_values(s: SF.Figure2Settings) -> dict:
    return {"k": s.k, "alpha": s.alpha, "cycles": s.cycles, "start": s.start,
            "kappa": dict(s.surface_params).get("kappa", _KAPPA.default)}


def _inner_from_query(text: str, warnings: list) -> tuple[str, tuple]:
    """(inner optimizer, its hyperparameters) from ``fig2_inner`` (Explore's optimizer form)."""
    found = []
    cfg = S.parse_optimizer(text, found)
    warnings += [f"fig2_inner: {w}" for w in found]
    if cfg is not None and cfg.id not in INNER_CHOICES:
        warnings.append(f"fig2_inner: Lookahead cannot wrap {cfg.id!r}; using {FIG2_DEFAULT.inner}.")
        cfg = None
    if cfg is None:
        return FIG2_DEFAULT.inner, FIG2_DEFAULT.inner_params
    if cfg.variant != "paper":
        warnings.append(f"fig2_inner: Figure 2 shows the paper form; {cfg.variant!r} ignored.")
    return cfg.id, cfg.hyperparams


def fig1_from_query(q: dict, warnings: list) -> SF.Figure1Settings:
    return dataclasses.replace(FIG1_DEFAULT, **_fields_from_query(q, FIG1_FIELDS, warnings))


def fig2_from_query(q: dict, warnings: list) -> SF.Figure2Settings:
    v = _fields_from_query(q, FIG2_FIELDS, warnings)
    kappa = v.pop("kappa", _fig2_values(FIG2_DEFAULT)["kappa"])
    inner, params = (_inner_from_query(q["fig2_inner"], warnings) if "fig2_inner" in q
                     else (FIG2_DEFAULT.inner, FIG2_DEFAULT.inner_params))
    return dataclasses.replace(FIG2_DEFAULT, surface_params=(("kappa", kappa), ("angle", 0.0)), inner=inner,
                               inner_params=tuple(params), **v)


def from_query(query: dict) -> tuple[FiguresSettings, list[str]]:
    """The page's settings from URL query parameters (str -> str).  Never raises: a value that
    cannot be read keeps the survey's setting, one out of range is clamped; each with a warning.
    Keys of other pages are ignored."""
    warnings: list[str] = []
    q = {k: (v[-1] if isinstance(v, (list, tuple)) else v) for k, v in dict(query).items()}
    return FiguresSettings(fig1_from_query(q, warnings), fig2_from_query(q, warnings)), warnings


def fig1_query(s: SF.Figure1Settings) -> dict:
    return _fields_to_query(dataclasses.asdict(s), FIG1_FIELDS)


def fig2_query(s: SF.Figure2Settings) -> dict:
    inner = S.OptimizerConfig(s.inner, "paper", tuple(s.inner_params)).to_text()
    return {"fig2_inner": inner, **_fields_to_query(_fig2_values(s), FIG2_FIELDS)}


def to_query(s: FiguresSettings) -> dict:
    """URL query parameters for the settings (inverse of :func:`from_query`)."""
    return {**fig1_query(s.fig1), **fig2_query(s.fig2)}


# ---- widgets -----------------------------------------------------------------------------------
def _start_inputs(prefix: str):
    (x0, x1), (y0, y1) = _QBOUNDS
    c1, c2 = st.columns(2)
    c1.number_input("start x", min_value=float(x0), max_value=float(x1), step=0.1, format="%.3g",
                    key=f"{prefix}_start_x")
    c2.number_input("start y", min_value=float(y0), max_value=float(y1), step=0.1, format="%.3g",
                    key=f"{prefix}_start_y")


# ---- Figure 1: state <-> widgets ---------------------------------------------------------------
def _write_fig1(s: SF.Figure1Settings) -> None:
    ss["fig1_lr"] = float(s.lr)
    ss["fig1_momentum"] = float(s.momentum)
    ss["fig1_steps"] = int(s.steps)
    ss["fig1_kappa"] = float(s.kappa)
    ss["fig1_start_x"], ss["fig1_start_y"] = float(s.start[0]), float(s.start[1])


def _read_fig1() -> SF.Figure1Settings:
    return SF.Figure1Settings(kappa=float(ss["fig1_kappa"]),
                             start=(float(ss["fig1_start_x"]), float(ss["fig1_start_y"])),
                             lr=float(ss["fig1_lr"]), momentum=float(ss["fig1_momentum"]),
                             steps=int(ss["fig1_steps"]))


def _heavy_ball() -> None:
    """The one-click variation: the popular β = 0.9, which overshoots along the valley."""
    ss["fig1_momentum"] = SF.OVERSHOOT_MOMENTUM


def _reset_fig1() -> None:
    _write_fig1(FIG1_DEFAULT)


# ---- Figure 2: state <-> widgets ---------------------------------------------------------------
def _hp_key(inner: str, name: str) -> str:
    return f"fig2_hp_{inner}_{name}"


def _write_fig2(s: SF.Figure2Settings) -> None:
    ss["fig2_inner"] = s.inner
    ss["fig2_k"] = int(s.k)
    ss["fig2_alpha"] = float(s.alpha)
    ss["fig2_cycles"] = int(s.cycles)
    ss["fig2_kappa"] = float(dict(s.surface_params).get("kappa", _KAPPA.default))
    ss["fig2_start_x"], ss["fig2_start_y"] = float(s.start[0]), float(s.start[1])
    given = dict(s.inner_params)
    for h in optimizers.OPTIMIZERS[s.inner].hyperparams:
        ss[_hp_key(s.inner, h.name)] = given.get(h.name, h.default)


def _read_fig2() -> SF.Figure2Settings:
    inner = ss["fig2_inner"]
    params = tuple((h.name, ss.get(_hp_key(inner, h.name), h.default))
                   for h in optimizers.OPTIMIZERS[inner].hyperparams)
    return SF.Figure2Settings(
        surface="quadratic", surface_params=(("kappa", float(ss["fig2_kappa"])), ("angle", 0.0)),
        start=(float(ss["fig2_start_x"]), float(ss["fig2_start_y"])), inner=inner, inner_params=params,
        k=int(ss["fig2_k"]), alpha=float(ss["fig2_alpha"]), cycles=int(ss["fig2_cycles"]))


def _reset_fig2() -> None:
    _write_fig2(FIG2_DEFAULT)


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


def _figure1() -> SF.Figure1Settings:
    """Figure 1's section; returns its settings (as the link describes them)."""
    _captions(F.FIGURE1_TITLE, F.FIGURE1_TITLE_ZH)
    st.markdown(
        "On a long, narrow valley the gradient points almost straight across it. Plain **SGD** follows "
        "it: with this learning rate every step overshoots the valley floor, so SGD **zig-zags** from wall "
        "to wall while it only **crawls** along the gentle slope towards the minimum. **SGD with momentum** "
        "adds up its past gradients (m ← β·m + g). The survey puts it this way: momentum *accelerates "
        "convergence where the current gradient agrees with history, and reduces oscillation where it does "
        "not*. Across the valley the gradients flip sign and partly cancel in m, so the swings die out "
        "faster than SGD's; along the valley they all point the same way and add up, so SGDM gains speed "
        "and reaches the minimum much sooner. With β = 0.64 the valley's slow mode is critically damped "
        "((1 − √β)² ≈ lr·λ_min): SGDM runs straight to the minimum without overshooting.")
    sgd_lr = optimizers.OPTIMIZERS["sgd"].hyperparam("lr")
    mom = optimizers.OPTIMIZERS["sgdm"].hyperparam("momentum")
    c1, c2, c3, c4 = st.columns(4, vertical_alignment="bottom")
    with c1:
        W.slider("learning rate (both)", sgd_lr, "fig1_lr", help=sgd_lr.help)
    with c2:
        W.slider("SGDM momentum β", mom, "fig1_momentum", help=mom.help)
    with c3:
        st.slider("steps", 1, SF.FIG1_MAX_STEPS, key="fig1_steps")
    with c4:
        st.button("Reset to the survey's figure", key="fig1_reset", on_click=_reset_fig1,
                  icon=":material/restart_alt:", width="stretch",
                  help=f"κ = {FIG1_DEFAULT.kappa:g}, start {FIG1_DEFAULT.start}, lr = {FIG1_DEFAULT.lr:g}, "
                       f"momentum = {FIG1_DEFAULT.momentum:g}, {FIG1_DEFAULT.steps} steps")
    st.button(f"What happens with β = {SF.OVERSHOOT_MOMENTUM:g}?", key="fig1_heavy", on_click=_heavy_ball,
              icon=":material/sports_baseball:",
              help="The momentum most libraries default to. Along the valley it is under-damped: the velocity "
                   "keeps 90% of itself every step, so SGDM gathers speed, flies past the minimum and swings "
                   "back before it settles.")
    with st.expander("The ravine and the start"):
        W.slider("ravine κ (condition number)", KAPPA, "fig1_kappa", help=KAPPA.help)
        _start_inputs("fig1")
        st.caption("f(x, y) = ½(x² + κy²): steep across (curvature κ), gentle along (curvature 1). "
                   "SGD's steep coordinate is multiplied by 1 − lr·κ each step: it flips sign once "
                   "lr·κ > 1 and grows without bound once lr·κ > 2.")
    settings = fig1_from_query(fig1_query(_read_fig1()), [])  # drawn as its link says (6 digits)
    data = _guarded("Figure 1", _fig1_data, settings)
    if data is None:
        return settings
    for which, name in (("sgd", "SGD"), ("sgdm", "SGDM")):
        r = getattr(data, which)
        if r.diverged_at >= 0:
            st.warning(f"{name} diverged at step {r.diverged_at} (lr·κ = {settings.lr * settings.kappa:.3g}"
                       + (", above 2" if which == "sgd" and settings.lr * settings.kappa > 2 else "")
                       + "): its path is drawn up to its last point on the picture.", icon=":material/warning:")
    st.info(SF.figure1_summary(data), icon=":material/straighten:")
    _two_views(lambda animated: F.figure1(data, animated=animated, height=FIG_HEIGHT), "fig1",
               "step by step", "Figure 1")
    return settings


def _figure2() -> SF.Figure2Settings:
    """Figure 2's section; returns its settings (as the link describes them)."""
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
        W.optimizer_picker("inner optimizer", "fig2_inner", INNER_CHOICES, on_change=_on_inner_change,
                           help="The optimizer that takes the fast steps; switching picks a measured learning rate.")
    with c2:
        k = la.hyperparam("k")
        st.slider("k (fast steps per cycle)", int(k.lo), SF.FIG2_MAX_K, key="fig2_k", help=k.help)
    with c3:
        alpha = la.hyperparam("alpha")
        W.slider("α", alpha, "fig2_alpha", help=alpha.help)
    with c4:
        lr = spec.hyperparam("lr")
        W.slider(f"{spec.name} lr", lr, _hp_key(inner, "lr"), help=lr.help)
    with c5:
        st.button("Reset to the survey's figure", key="fig2_reset", on_click=_reset_fig2,
                  icon=":material/restart_alt:", width="stretch",
                  help=f"k = {FIG2_DEFAULT.k}, α = {FIG2_DEFAULT.alpha:g}, inner SGD with momentum "
                       f"(lr = {dict(FIG2_DEFAULT.inner_params)['lr']:g}, momentum = "
                       f"{dict(FIG2_DEFAULT.inner_params)['momentum']:g}), {FIG2_DEFAULT.cycles} cycles, κ = 50")
    with st.expander(f"Cycles, the ravine, the start and {spec.name}'s other hyperparameters"):
        st.slider("cycles (slow-weight updates)", 1, SF.FIG2_MAX_CYCLES, key="fig2_cycles",
                  help="The run is cycles × k fast steps, so every cycle is complete.")
        W.slider("ravine κ (condition number)", KAPPA, "fig2_kappa", help=KAPPA.help)
        _start_inputs("fig2")
        for h in spec.hyperparams:
            if h.name != "lr":
                W.slider(f"{spec.name} {h.name}", h, _hp_key(inner, h.name), help=h.help)
    settings = fig2_from_query(fig2_query(_read_fig2()), [])  # drawn as its link says (6 digits)
    data = _guarded("Figure 2", _fig2_data, settings)
    if data is None:
        return settings
    if data.diverged_at >= 0:
        st.warning(f"The fast weights diverged at step {data.diverged_at}: try a smaller learning rate.",
                   icon=":material/warning:")
    st.info(SF.figure2_summary(data), icon=":material/straighten:")
    _two_views(lambda animated: F.figure2(data, animated=animated, height=FIG_HEIGHT), "fig2",
               "cycle by cycle", "Figure 2")
    return settings


def _init_state() -> None:
    """On the session's first visit, the settings from the URL (once); then fill missing widget
    state from the last settings used."""
    if "_figures_settings" not in ss:
        ss["_figures_settings"], ss["_figures_url_warnings"] = from_query(st.query_params.to_dict())
    last = ss["_figures_settings"]
    if "fig1_lr" not in ss:
        _write_fig1(last.fig1)
    if "fig2_inner" not in ss or "fig2_k" not in ss:
        _write_fig2(last.fig2)
    inner = ss["fig2_inner"]
    for h in optimizers.OPTIMIZERS[inner].hyperparams:
        ss.setdefault(_hp_key(inner, h.name), h.default)


def page() -> None:
    _init_state()
    st.title("The survey's figures, live")
    st.markdown("Both figures of the survey, recomputed by Gradscape's engine from the same optimizers as "
                "the Explore page. The settings start at the survey's pictures; change them to see what each "
                "figure depends on, and **Reset** to get the survey's picture back.")
    for w in ss.pop("_figures_url_warnings", []):
        st.warning(f"Link: {W.md_escape(w)}", icon=":material/link_off:")  # w quotes URL text
    fig1 = _figure1()
    st.divider()
    settings = FiguresSettings(fig1, _figure2())
    ss["_figures_settings"] = settings
    query = to_query(settings)
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
