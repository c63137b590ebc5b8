"""The Landscapes page: hyperparameter maps and basins of attraction, live from compiled sweeps.

Two modes (a segmented control at the top):

1. **Hyperparameter map.**  One optimizer on one surface from one start; two of its
   hyperparameters (or the start's x / y) span a grid of up to 512 × 512 cells; every other
   hyperparameter stays at its slider value.  Each cell is one run; the whole grid is a single
   ``optimizers.sweep`` call.  The heatmap shows the final loss, the steps to tolerance or the
   step of divergence; clicking a cell shows that run beside the map, with a link that opens it
   in Explore.
2. **Basins of attraction.**  Two optimizers from every start of a grid over the surface's
   domain: each start coloured by the minimum it ends at, lightness = steps it took.

The URL holds the mode shown (``tab``) and both modes' settings (:class:`LandscapesSettings`),
so that a link restores either mode and switching mode never loses the other's::

    ?tab=map&surface=rosenbrock(a=1,b=100)&start=-1.2,1&steps=1000&opt=sgdm(lr=0.0015,momentum=0.9)
    &x=lr&xrange=1.5e-05,0.15&xscale=log&y=momentum&yrange=0,0.99&yscale=linear
    &res=128&tol=1e-06&metric=loss
    &b_surface=himmelblau()&b_steps=500&b_starts=128&b_tol=1e-06&b_within=0.02
    &b_opt_a=sgd(lr=0.01)&b_opt_b=adam(lr=0.05,beta1=0.9,beta2=0.999,eps=1e-08)

Surfaces and optimizers are written as on the Explore link.  The URL is parsed once, on the
session's first visit (:func:`from_query`: never raises; bad values fall back or are clamped or
moved to the nearest slider stop, with warnings shown as escaped text); anything it does not
give keeps the page's default (a learning rate left out is measured for the surface, as when
the optimizer is picked).  The settings are copied into the widgets' state where a widget has
none (a first visit, or a page or mode that was not drawn: Streamlit drops those widgets'
state), and written back (:func:`to_query`) after the widgets are drawn, on every run.

Computation: results are kept in the process's shared cache (``ui.heavy``: read-only, bounded
in bytes, keyed by the settings' JSON text, :meth:`studies.landscapes.MapSpec.key`), and at most
``ui.heavy.SLOTS`` maps or basins above 128² are computed at once; the others queue, with a
note and a Cancel button.  Big grids are computed
in blocks with a progress bar: ``sweep`` calls back after each block, the callback updates the
bar, and since every Streamlit call checks for a pending rerun, a new interaction stops the
computation between blocks (nothing half-done is cached).  The callback runs the bar update in
the script's context captured before the computation starts.

Threading: ``sweep`` splits the runs into chunks of 256 and spreads them over the cores with
plain Python threads running Numba kernels compiled with ``nogil=True``.  No kernel uses
``parallel=True``, so numba's threading layer is never initialised and concurrent sessions
cannot trip over it; each call has its own output arrays.
"""
from __future__ import annotations

import contextvars
import dataclasses
import hashlib
import math
import time
import urllib.parse

import numpy as np
import streamlit as st

import optimizers
import surfaces
from optimizers import Hyperparam
from optimizers.registry import index_of
from plots import explore as PE
from plots import landscapes as L
from plots import style
from studies import landscapes as SL
from studies import metrics, presets

from . import custom as C
from . import settings as S
from . import widgets as W
from .heavy import CACHE_BYTES, SLOTS, heavy
from .figures import numbers_text, point_records, read_numbers

ss = st.session_state
MODES = ("Hyperparameter map", "Basins of attraction")
#: show a progress bar (and compute in blocks) from this many run-steps on
PROGRESS_WORK = 20_000_000
#: blocks per computation when a progress bar is shown
PROGRESS_BLOCKS = 32
DEFAULT_STEPS = 1000
BASIN_SIDES = (64, 128, 256)
TOLERANCES = (1e-10, 1e-8, 1e-6, 1e-4, 1e-3, 1e-2)
#: basins: "reached a minimum" = final point within this fraction of the domain's diagonal
WITHIN = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1)
#: basins: the default optimizers A and B, and their learning rates on Himmelblau (elsewhere
#: the learning rate is measured for the surface)
BASIN_OPTIMIZERS = (("sgd", 0.01), ("adam", 0.05))
#: the URL's tab names
TABS = {"map": MODES[0], "basins": MODES[1]}
_STEPS = Hyperparam("steps", DEFAULT_STEPS, 1, S.MAX_STEPS, integer=True)

THREADING_NOTE = (
    "**Threading.** Each map is one compiled `optimizers.sweep` call: the runs step together in "
    "chunks of 256 (so the CPU vectorises across them) and the chunks are spread over the cores "
    "with plain Python threads running Numba kernels that release the GIL (`nogil=True`). No "
    "kernel is compiled with `parallel=True`, so Numba's threading layer is never used (it stays "
    "unloaded); concurrent sessions each run their own sweep with their own output arrays and "
    "cannot corrupt each other.")


# ---- computations: shared, bounded in bytes, at most K heavy ones at once (ui/heavy.py) -----
def cached_map(key: str, progress=None, block=None, wait=None) -> SL.MapResult:
    """The map for ``MapSpec.key()`` text, from the process's shared cache or computed."""
    spec = SL.MapSpec.from_key(key)
    cells = len(spec.x.values()) * len(spec.y.values())
    return heavy().compute("map:" + key, cells,
                           lambda: SL.compute_map(spec, progress=progress, block=block), wait=wait)


def cached_basins(key: str, progress=None, block=None, wait=None) -> SL.BasinResult:
    spec = SL.BasinSpec.from_key(key)
    return heavy().compute("basins:" + key, spec.n ** 2,
                           lambda: SL.compute_basins(spec, progress=progress, block=block), wait=wait)


@st.cache_data(max_entries=256, show_spinner=False)
def cached_run(optimizer: str, variant: str, surface: str, surface_params: tuple, start: tuple,
               steps: int, hyperparams: tuple, formula: str = "", bounds: tuple = ()):
    surf = surfaces.surface_of(surface, surface_params, formula, bounds)
    return optimizers.run(optimizer, surf, start, steps, variant=variant, **dict(hyperparams))


def _with_progress(fn, key: str, n_runs: int, steps: int, what: str):
    """``fn(key)``, with a progress bar and block-wise computation when the job is big, and,
    while it waits for a free slot (``ui.heavy``), a "queued" note with a Cancel button.
    None when the user cancelled (the page then offers to compute it again)."""
    if ss.get("_cancelled") == key:
        st.info(f"You cancelled {what}.", icon=":material/cancel:")
        if st.button(f"Compute {what}", key=f"retry_{key}"):
            ss.pop("_cancelled")
            st.rerun()
        return None
    big = n_runs * steps >= PROGRESS_WORK or n_runs >= 512 * 512
    holder = st.empty()
    outer = contextvars.copy_context()  # outside the computation: its own thread state
    state = {}

    def on_cancel():
        ss["_cancelled"] = key

    def show(frac):
        text = f"Computing {what}: {frac:.0%} of {n_runs:,} runs × {steps:,} steps"
        if "bar" not in state:
            state["bar"] = holder.progress(frac, text=text)
        else:
            state["bar"].progress(frac, text=text)

    def progress(frac):
        outer.run(show, frac)  # a pending rerun raises here, between two blocks

    def wait(ahead):
        def note():
            if "cancel" not in state:
                with holder.container():
                    state["text"] = st.empty()
                    state["cancel"] = st.button("Cancel", key=f"cancel_{key}", on_click=on_cancel)
            msg = (f"Queued: {ahead} heavy computation{'s' if ahead != 1 else ''} ahead of yours on this "
                   f"server (at most {heavy().gate.slots} at once). {what.capitalize()} starts as soon as "
                   "a slot is free." if ahead >= 0 else
                   f"Someone is computing this very {what.removeprefix('the ')} right now: it appears when done.")
            state["text"].info(msg, icon=":material/hourglass_top:")
        outer.run(note)  # a click on Cancel (a rerun) raises here and leaves the line

    block = max(256, (n_runs // PROGRESS_BLOCKS) // 256 * 256) if big else None
    out = fn(key, progress=progress if big else None, block=block, wait=wait)
    holder.empty()
    return out


# ---- widget keys (one place, shared by the widgets and by the settings written into them) ----
def _default(key: str, value) -> None:
    if key not in ss:
        ss[key] = value


def _sp_key(prefix: str, sid: str, name: str) -> str:
    return f"{prefix}sp_{sid}_{name}"


def _kid(sid: str, formula: str = "", bounds: tuple = ()) -> str:
    """The surface's part of widget keys: its id, or for a custom surface a hash of its formula
    and bounds (each formula gets its own start, measured learning rates and axes)."""
    if sid != S.CUSTOM:
        return sid
    text = f"{formula}|{S.bounds_text(bounds or S.DEFAULT_BOUNDS)}"
    return "custom_" + hashlib.sha1(text.encode()).hexdigest()[:12]


def _spec_kid(spec) -> str:
    return _kid(spec.surface, spec.formula, spec.bounds)


def _start_keys(prefix: str, sid: str) -> tuple[str, str]:
    return f"{prefix}sx_{sid}", f"{prefix}sy_{sid}"


def _variant_key(prefix: str, oid: str, inner: str | None) -> str:
    return f"{prefix}variant_{oid}_{inner}"


def _hp_key(prefix: str, sid: str, oid: str, inner: str | None, name: str) -> str:
    """Hyperparameter slider keys include the surface: each surface starts from its own
    measured learning rate."""
    return f"{prefix}hp_{sid}_{oid}_{inner}_{name}"


def _axes_key(sid: str, oid: str, inner: str | None) -> str:
    """The prefix of the map's axis widgets (their choices are per surface and optimizer)."""
    return f"ls_ax_{sid}_{oid}_{inner}"


# ---- widgets ---------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Chosen:
    """The surface the sidebar holds: its id (``"custom"`` for a formula), parameters, formula
    and bounds (custom only), the key part of its widgets (:func:`_kid`), and the Surface."""

    sid: str
    params: tuple
    formula: str
    bounds: tuple
    kid: str
    surf: object


def _custom_param_key(prefix: str):
    return lambda name: _sp_key(prefix, S.CUSTOM, name)


def _surface_widgets(prefix: str, default_surface: str) -> Chosen:
    """Surface select box (the registry, then "Custom f(x, y)" with its formula box) and
    parameter sliders."""
    _default(f"{prefix}surface", default_surface)
    st.selectbox("Surface", [*surfaces.SURFACES, S.CUSTOM], key=f"{prefix}surface",
                 format_func=lambda s: "Custom f(x, y)" if s == S.CUSTOM else surfaces.SURFACES[s].name)
    sid = ss[f"{prefix}surface"]
    formula, bounds = "", ()
    if sid == S.CUSTOM:
        keys, pkey = C.Keys(prefix), _custom_param_key(prefix)
        if keys.ok not in ss:
            C.use_example(keys, pkey, C.EXAMPLES[0])
        surf = C.current(keys, pkey)  # the box's callbacks ran before this script run
        C.controls(keys, surf, lambda: C.validate(keys, pkey), lambda example: C.use_example(keys, pkey, example))
        formula, bounds = C.formula_and_bounds(keys)
    else:
        surf = surfaces.SURFACES[sid]
    params = []
    for p, v in zip(surf.params, surf.values):
        key = _sp_key(prefix, sid, p.name)
        _default(key, v)
        params.append((p.name, float(W.slider(f"{p.name} — {p.help}" if p.help else p.name, p, key))))
    params = tuple(params)
    return Chosen(sid, params, formula, bounds, _kid(sid, formula, bounds),
                  surfaces.surface_of(sid, params, formula, bounds))


def _optimizer_widgets(prefix: str, ch: Chosen, start: tuple, steps: int,
                       default_opt: str, default_lr: float | None = None, label: str = "Optimizer"):
    """Optimizer, inner (Lookahead), form, and a slider per hyperparameter.

    Returns (optimizer id, variant, inner or None, ((name, value), ...)).  A learning rate with
    no value yet is measured for the surface (``studies.presets``) unless ``default_lr`` is given.
    """
    _default(f"{prefix}opt", default_opt)
    W.optimizer_picker(label, f"{prefix}opt")
    oid = ss[f"{prefix}opt"]
    spec = optimizers.OPTIMIZERS[oid]
    inner = None
    if spec.wraps_inner:
        _default(f"{prefix}inner", "adam")
        W.optimizer_picker("Inner optimizer", f"{prefix}inner", optimizers.inner_choices(spec))
        inner = ss[f"{prefix}inner"]
    variants = optimizers.OPTIMIZERS[inner or oid].variants
    variant = "paper"
    if len(variants) > 1:
        vkey = _variant_key(prefix, oid, inner)
        _default(vkey, "paper")
        variant = st.radio("Form", variants, key=vkey, horizontal=True,
                           format_func=lambda v: {"paper": "paper (survey)", "reference": "reference (library)"}[v])
    hps = SL.hyperparams_of(oid, inner)
    values = []
    for h in hps:
        key = _hp_key(prefix, ch.kid, oid, inner, h.name)
        if key not in ss:
            if h.name == "lr":
                ss[key] = (default_lr if default_lr is not None else
                           presets.best_lr(ch.sid, ch.params, oid, variant, inner, tuple(start),
                                           int(min(steps, 1000)), ch.formula, ch.bounds))
            else:
                ss[key] = h.default
        values.append((h.name, W.slider(h.name, h, key, help=h.help)))
    values = tuple((k, int(v) if isinstance(v, (int, np.integer)) else float(v)) for k, v in values)
    return oid, variant, inner, values


def _start_widgets(prefix: str, ch: Chosen):
    surf = ch.surf
    (x0, x1), (y0, y1) = surf.bounds
    kx, ky = _start_keys(prefix, ch.kid)
    _default(kx, float(surf.start[0]))
    _default(ky, float(surf.start[1]))
    c1, c2 = st.columns(2)
    c1.number_input("start x", min_value=float(x0), max_value=float(x1), key=kx, format="%.4g",
                    step=(x1 - x0) / 100)
    c2.number_input("start y", min_value=float(y0), max_value=float(y1), key=ky, format="%.4g",
                    step=(y1 - y0) / 100)
    return (SL._r6(ss[kx]), SL._r6(ss[ky]))


# ---- the map: sidebar ---------------------------------------------------------------------------
def _axis_record(name: str, hps: dict, surf):
    """Something with lo / hi / scale / integer for an axis name (a Hyperparam, or a Param-like
    record for the start's coordinates)."""
    if name in SL.START_AXES:
        (x0, x1), (y0, y1) = surf.bounds
        lo, hi = (x0, x1) if name == "start_x" else (y0, y1)
        return surfaces.Param(name, lo, lo, hi)
    return hps[name]


def _axis_names(oid: str, inner: str | None) -> tuple[dict, list[str]]:
    """The optimizer's hyperparameter records by name, and every name an axis may take."""
    hps = {h.name: h for h in SL.hyperparams_of(oid, inner)}
    return hps, list(hps) + list(SL.START_AXES)


def _default_axes(names: list[str]) -> tuple[str, str]:
    x = "lr" if "lr" in names else names[0]
    rest = [n for n in names if n not in (x, "eps", "start_x", "start_y")]
    pref = [n for n in ("alpha", "momentum", "beta1", "rho") if n in rest]
    y = pref[0] if pref else (rest[0] if rest else "start_y")
    return x, y


def _y_names(names: list[str], x: str, dy: str) -> tuple[list[str], str]:
    """The names the y axis may take beside ``x``, and its default among them."""
    ynames = [n for n in names if n != x]
    return ynames, (dy if dy in ynames else ynames[0])


def _nearest(v: float, options):
    """The option nearest to ``v`` (by ratio where both are positive, else by difference)."""
    return min(options, key=lambda o: abs(math.log10(o / v)) if o > 0 and v > 0 else abs(o - v))


def _default_range(h, cur: float, opts: list[float]) -> tuple[float, float]:
    if getattr(h, "scale", "linear") == "log" and cur > 0:
        lo, hi = cur / 100.0, cur * 100.0
    else:
        lo, hi = h.lo, h.hi
        if 0.99 < hi < 1.0 and lo < 0.99:  # decay rates: the last per mille is rarely of interest
            hi = 0.99
    lo, hi = _nearest(lo, opts), _nearest(hi, opts)
    if lo >= hi:
        lo, hi = opts[0], opts[-1]
    return lo, hi


def _axis_widgets(which: str, name: str, rec, cur: float, base: str, res: int):
    """Spacing radio and range slider for one axis; returns an Axis."""
    is_log_meta = getattr(rec, "scale", "linear") == "log"
    skey = f"{base}_{name}_spacing"
    _default(skey, "log" if is_log_meta else "linear")
    opts = W.options_for(rec)
    rkey = f"{base}_{name}_range"
    # a range slider takes its default as ``value`` (a pair; a value already in the session state,
    # e.g. from the URL, wins); its key is fixed per axis record, so the options never change under it
    lo, hi = st.select_slider(f"{which} range", options=opts, key=rkey, format_func=W.fmt,
                              value=_default_range(rec, cur, opts))
    spacing = st.radio(f"{which} spacing", ("log", "linear"), key=skey, horizontal=True)
    lo, hi = float(lo), float(hi)
    log = spacing == "log"
    if log and lo <= 0:
        pos = [o for o in opts if o > 0 and o < hi]
        lo = pos[0] if pos else hi / 1000.0
        st.caption(f"A log axis cannot start at 0: it starts at {W.fmt(lo)}.")
    if lo >= hi:
        i = opts.index(hi) if hi in opts else len(opts) - 1
        hi = opts[min(i + 1, len(opts) - 1)]
        if lo >= hi:
            lo = opts[max(0, opts.index(hi) - 1)]
    return SL.Axis(name, float(lo), float(hi), log, int(res), bool(getattr(rec, "integer", False)))


def _map_sidebar() -> SL.MapSpec:
    with st.sidebar:
        st.header("Surface and start")
        ch = _surface_widgets("ls_", "rosenbrock")
        surf = ch.surf
        start = _start_widgets("ls_", ch)
        _default("ls_steps", MapSettings.steps)
        steps = int(st.slider("Steps", 1, S.MAX_STEPS, key="ls_steps"))

        st.header("Optimizer")
        _default("ls_opt", "sgdm")
        oid, variant, inner, hp = _optimizer_widgets("ls_", ch, start, steps, "sgdm")
        st.caption("Every hyperparameter not on an axis stays at its slider value; the axes' slider "
                   "values are the current settings, marked ○ on the map.")

        st.header("Axes")
        hps, names = _axis_names(oid, inner)
        base = _axes_key(ch.kid, oid, inner)
        dx, dy = _default_axes(names)
        _default(f"{base}_x", dx)
        _default(f"{base}_y", dy)
        _default("ls_res", MapSettings.res)
        res = int(st.radio("Resolution (cells per side)", L.RESOLUTIONS, key="ls_res", horizontal=True,
                           format_func=lambda n: f"{n}²",
                           help="512 × 512 = 262,144 runs: computed in blocks, with a progress bar."))
        fmt = lambda n: SL.START_AXES.get(n, n)  # noqa: E731
        if ss[f"{base}_x"] not in names:
            ss[f"{base}_x"] = dx
        st.selectbox("x axis", names, key=f"{base}_x", format_func=fmt)
        ynames, ydefault = _y_names(names, ss[f"{base}_x"], dy)
        if ss[f"{base}_y"] not in ynames:
            ss[f"{base}_y"] = ydefault
        xname = ss[f"{base}_x"]
        cur = dict(hp)
        cur.update(start_x=start[0], start_y=start[1])
        xaxis = _axis_widgets("x", xname, _axis_record(xname, hps, surf), float(cur[xname]), base, res)
        st.selectbox("y axis", ynames, key=f"{base}_y", format_func=fmt)
        yname = ss[f"{base}_y"]
        yaxis = _axis_widgets("y", yname, _axis_record(yname, hps, surf), float(cur[yname]), base, res)

        _default("ls_tol", metrics.TOL)
        tol = st.select_slider("Tolerance for “reached the minimum” (f − f* ≤ tol)", TOLERANCES,
                               key="ls_tol", format_func=L.short_g)
    return SL.MapSpec(oid, ch.sid, start, steps, xaxis, yaxis, hyperparams=hp, surface_params=ch.params,
                     variant=variant, inner=inner, tol=float(tol), formula=ch.formula, bounds=ch.bounds)


# ---- the map: selection, side panel ---------------------------------------------------------------
def _apply_selection(result: SL.MapResult) -> None:
    """A click on the map (a click-grid point selection) selects that cell's run."""
    event = ss.get("ls_map")
    try:
        points = event["selection"]["points"] if event else []
    except (KeyError, TypeError):
        points = []
    if not points:
        return
    sig = tuple((round(float(p.get("x", 0)), 12), round(float(p.get("y", 0)), 12)) for p in points)
    if ss.get("_ls_last_points") == sig:
        return
    ss["_ls_last_points"] = sig
    cell = L.cell_from_selection({"points": points}, result)
    if cell is not None:
        xv, yv = SL.cell_values(result, *cell)
        ss["ls_cell"] = {"axes": (result.spec.x.name, result.spec.y.name), "x": xv, "y": yv}


def _selected(spec: SL.MapSpec):
    sel = ss.get("ls_cell")
    if not sel or tuple(sel.get("axes", ())) != (spec.x.name, spec.y.name):
        return None
    return float(sel["x"]), float(sel["y"])


def explore_url(spec: SL.MapSpec, xv: float, yv: float, base: str = "") -> str:
    """The Explore link of the run at axis values (xv, yv): ``<base>/explore?`` + the query of
    ``ui.settings.to_query``.  ``base`` is the app's root URL ("" gives a root-relative link)."""
    hp, start = SL.cell_hyperparams(spec, xv, yv)
    cfg = S.optimizer_config(spec.optimizer, spec.variant, **hp)
    settings = S.ExploreSettings(spec.surface, tuple(spec.surface_params), start, int(spec.steps), 0.0, 0, (cfg,),
                                 formula=spec.formula, bounds=spec.bounds)
    query = S.to_query(settings)
    return f"{base.rstrip('/')}/explore?{urllib.parse.urlencode(query, safe='(),;=@')}"


def _app_base() -> str:
    """The app's root URL, from the browser's URL of this page ("" when unknown)."""
    try:
        url = st.context.url or ""
    except Exception:  # noqa: BLE001 - no browser context (tests)
        return ""
    if not url:
        return ""
    parts = urllib.parse.urlsplit(url)
    path = parts.path.rstrip("/")
    if path.endswith("/landscapes"):
        path = path[: -len("/landscapes")]
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _cell_run(spec: SL.MapSpec, xv: float, yv: float):
    hp, start = SL.cell_hyperparams(spec, xv, yv)
    return cached_run(spec.optimizer, spec.variant, spec.surface, tuple(spec.surface_params), start,
                      int(spec.steps), tuple(hp.items()), spec.formula, spec.bounds), hp, start


def _use_as_current(spec_key: str, xv: float, yv: float) -> None:
    """Callback: the selected cell's axis values become the sliders' (current) values."""
    spec = SL.MapSpec.from_key(spec_key)
    for axis, v in ((spec.x, xv), (spec.y, yv)):
        if axis.name in SL.START_AXES:
            kx, ky = _start_keys("ls_", _spec_kid(spec))
            ss[kx if axis.name == "start_x" else ky] = float(v)
        else:
            ss[_hp_key("ls_", _spec_kid(spec), spec.optimizer, spec.inner, axis.name)] = (
                int(round(v)) if axis.integer else float(v))


def _cell_figure(surf, pv, start):
    """Explore's contour figure of one run, made static and compact for the side panel: no
    animation controls or frames, no legend, no click grid (clicks here do nothing)."""
    d = PE.contour_figure(surf, [pv], start=start, height=360, max_frames=1, click_grid=0).to_dict()
    layout = dict(d["layout"])
    for k in ("updatemenus", "sliders"):
        layout.pop(k, None)
    layout.update(showlegend=False, margin=dict(l=50, r=10, t=10, b=40))
    return PE._make_figure(d["data"], layout)


def _side_panel(spec: SL.MapSpec, result: SL.MapResult, selected) -> None:
    if selected is None:
        st.info("Click a cell of the map to see its run here, with a link that opens it in Explore.",
                icon=":material/touch_app:")
        return
    xv, yv = selected
    run, hp, start = _cell_run(spec, xv, yv)
    surf = spec.surface_obj()
    st.markdown(f"**Selected run** · {spec.x.label} = `{W.fmt(xv)}`, {spec.y.label} = `{W.fmt(yv)}`")
    fmin = surf.f_min
    if run.diverged_at >= 0:
        st.markdown(f":red[**diverged at step {run.diverged_at}**] (left 10⁶ × the domain or became non-finite)")
    else:
        gap = run.loss[-1] - fmin if math.isfinite(fmin) else run.loss[-1]
        hit = np.nonzero(run.loss - fmin <= spec.tol)[0] if math.isfinite(fmin) else []
        when = f"first at step {int(hit[0])}" if len(hit) else "never"
        st.markdown(f"final {'f − f*' if math.isfinite(fmin) else 'f'} = `{gap:.3g}` · "
                    f"f − f* ≤ {L.short_g(spec.tol)}: {when}")
    pv = PE.PathView.from_run(run, "this cell's run", style.optimizer_color(index_of(spec.optimizer)))
    st.plotly_chart(_cell_figure(surf, pv, start), key="ls_cell_chart", width="stretch")
    st.caption("○ start · ★ minimum · the run's every step as a dot. Open it in Explore to animate "
               "it and compare it with other optimizers.")
    url = explore_url(spec, xv, yv, _app_base())
    c1, c2 = st.columns(2)
    c1.link_button("Open in Explore", url, icon=":material/open_in_new:", width="stretch")
    c2.button("Set as current", on_click=_use_as_current, args=(spec.key(), xv, yv),
              width="stretch", help="Set the axes' sliders to this cell's values (moves the ○ marker).")
    st.caption(f"Explore link: `{url}`")


# ---- the map page -------------------------------------------------------------------------------
def _metric_control() -> str:
    _default("ls_metric", "loss")
    return st.segmented_control("Metric", list(L.METRICS), key="ls_metric",
                                format_func=lambda m: L.METRICS[m].capitalize(),
                                label_visibility="collapsed") or "loss"


def _map_page(spec: SL.MapSpec, metric: str) -> None:
    """The map of ``spec`` (its widgets already drawn), the selected cell's run and the exports."""
    n_runs = len(spec.x.values()) * len(spec.y.values())
    t0 = time.perf_counter()
    result = _with_progress(cached_map, spec.key(), n_runs, spec.steps, "the map")
    if result is None:
        return
    t_compute = time.perf_counter() - t0
    _apply_selection(result)
    selected = _selected(spec)

    surf = spec.surface_obj()
    opt_name = optimizers.OPTIMIZERS[spec.optimizer].name + (
        f"({optimizers.OPTIMIZERS[spec.inner].name})" if spec.inner else "")
    title = (f"{opt_name} on {C.name(surf)} from ({W.fmt(spec.start[0])}, {W.fmt(spec.start[1])}), "
             f"{spec.steps:,} steps: {L.METRICS[metric]}")
    t1 = time.perf_counter()
    fig = L.map_figure(result, metric, selected=selected, height=600)
    t_fig = time.perf_counter() - t1

    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.markdown(f"**{title}**")
        st.plotly_chart(fig, key="ls_map", on_select="rerun", selection_mode=("points",), width="stretch")
        ny, nx = result.shape
        div = float(np.mean(result.diverged_at >= 0))
        st.caption(f"{nx} × {ny} = {nx * ny:,} runs × {spec.steps:,} steps in one compiled sweep: "
                   f"{result.seconds:.2f} s when computed (this view: {t_compute:.2f} s, cached "
                   f"after the first time) · figure {t_fig * 1000:.0f} ms · {div:.0%} of the runs diverged."
                   + (f" At this resolution hover and clicks snap to every "
                      f"{'other' if max(nx, ny) <= 2 * L.MAX_CLICK_GRID else 'few'} cell (the cell named in "
                      "the hover is the one you get)." if max(nx, ny) > L.MAX_CLICK_GRID else ""))
    with right:
        _side_panel(spec, result, selected)

    st.subheader("Export")
    c1, c2 = st.columns(2)
    # the exports fetch the result by its key when clicked: a closure holding the result itself
    # would keep every 512² map (10 MB) alive as long as its session, past the bounded cache
    key = spec.key()
    c1.download_button("Map (CSV)", data=lambda: L.map_to_csv(cached_map(key)), file_name="gradscape_map.csv",
                       mime="text/csv", width="stretch", on_click="ignore",
                       help="One row per cell: both axis values, final loss, f − f*, steps to tolerance, "
                            "step of divergence (−1 = never) and the final point.")
    c2.download_button("Map (HTML)", data=lambda: L.figure_html(
                           L.map_figure(cached_map(key), metric, selected=selected, title=title, click_grid=False),
                           f"Gradscape: {title}"),
                       file_name="gradscape_map.html", mime="text/html", width="stretch", on_click="ignore",
                       help="The heatmap as a standalone HTML file (plotly.js embedded; works offline).")


# ---- basins ---------------------------------------------------------------------------------------
def _basins_sidebar():
    with st.sidebar:
        st.header("Surface")
        ch = _surface_widgets("lb_", "himmelblau")
        surf = ch.surf
        _default("lb_steps", BasinsSettings.steps)
        steps = int(st.slider("Steps", 1, S.MAX_STEPS, key="lb_steps"))
        _default("lb_n", BasinsSettings.starts)
        n = int(st.radio("Starts per side", BASIN_SIDES, key="lb_n", horizontal=True,
                         format_func=lambda v: f"{v}²"))
        _default("lb_tol", metrics.TOL)
        tol = float(st.select_slider("Tolerance f − f* ≤ tol (shading)", TOLERANCES, key="lb_tol",
                                     format_func=L.short_g))
        _default("lb_dist", BasinsSettings.within)
        dist = float(st.select_slider("Reached a minimum: final point within (× domain diagonal)",
                                      WITHIN, key="lb_dist", format_func=L.short_g))
        specs = []
        for i, (dflt, lr) in enumerate(BASIN_OPTIMIZERS):
            st.header(f"Optimizer {'AB'[i]}")
            use_lr = lr if ch.sid == "himmelblau" else None
            oid, variant, inner, hp = _optimizer_widgets(f"lb{i}_", ch, tuple(surf.start), steps,
                                                         dflt, default_lr=use_lr, label=f"Optimizer {'AB'[i]}")
            specs.append(SL.BasinSpec(oid, ch.sid, steps, n, hp, ch.params, variant, inner, tol, dist,
                                      ch.formula, ch.bounds))
    return specs


def _basins_page(specs) -> None:
    """The basins of ``specs`` (their widgets already drawn), side by side, and the exports."""
    results = []
    for i, spec in enumerate(specs):
        results.append(_with_progress(cached_basins, spec.key(), spec.n ** 2, spec.steps,
                                      f"the basins of optimizer {'AB'[i]}"))
        if results[-1] is None:
            return
    surf = specs[0].surface_obj()
    titles = [f"{'AB'[i]}: {s.label()}" for i, s in enumerate(specs)]
    if not surf.minima:
        st.warning(f"{C.name(surf)} lists no minimum: every start is either 'not converged' or diverged.",
                   icon=":material/info:")
    if surf.compiled is not None:
        st.caption("The minima of a typed surface are found numerically (a multi-start local search over "
                   "its bounds): found, not proven. A start that reaches their level f* away from all of "
                   f"them (a ring or valley of minima) is counted as “{SL.ELSEWHERE}”.")
    fig = L.basins_figure(results, titles, height=600)
    st.plotly_chart(fig, key="lb_chart", width="stretch")
    rows = []
    for t, r in zip(titles, results):
        fr = r.fractions()
        row = {"optimizer": t}
        for k, p in enumerate(r.minima):
            row[f"→ ({p.x:.3g}, {p.y:.3g})"] = f"{fr[k]:.1%}"
        if any((x.basin == -3).any() for x in results):  # a ring or valley of minima
            row[SL.ELSEWHERE] = f"{fr.get(SL.ELSEWHERE, 0.0):.1%}"
        row["not converged"] = f"{fr['not converged']:.1%}"
        row["diverged"] = f"{fr['diverged']:.1%}"
        reached = r.steps_to_tol[r.steps_to_tol >= 0]
        row[f"median steps to f − f* ≤ {L.short_g(r.spec.tol)}"] = f"{int(np.median(reached))}" if reached.size else "—"
        row["compute (s)"] = f"{r.seconds:.2f}"
        rows.append(row)
    st.dataframe(rows, hide_index=True, width="stretch")
    c1, c2 = st.columns(2)
    keys = [spec.key() for spec in specs]  # by key, not the results (see _map_page)
    c1.download_button("Basins (CSV)", data=lambda: L.basins_to_csv([cached_basins(k) for k in keys]),
                       file_name="gradscape_basins.csv", mime="text/csv", width="stretch", on_click="ignore")
    c2.download_button("Basins (HTML)", data=lambda: L.figure_html(
                           L.basins_figure([cached_basins(k) for k in keys], titles, height=600),
                           f"Gradscape: basins on {surf.name}"),
                       file_name="gradscape_basins.html", mime="text/html", width="stretch", on_click="ignore")


# ---- the URL -----------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class AxisSetting:
    """A map axis as set: its name, the range slider's two stops and the spacing (None: the
    page's default range / spacing for that axis)."""

    name: str
    lo: float | None = None
    hi: float | None = None
    log: bool | None = None


@dataclasses.dataclass(frozen=True)
class MapSettings:
    """The map's widgets.  ``None``, and a hyperparameter missing from ``optimizer``, mean the
    page's default: the surface's start, the optimizer's default axes, a learning rate measured
    for the surface."""

    surface: str = "rosenbrock"
    surface_params: tuple = ()  # ((name, value), ...)
    formula: str = ""  # surface == "custom": the typed f(x, y) and its bounds
    bounds: tuple = ()
    start: tuple | None = None
    steps: int = DEFAULT_STEPS
    optimizer: S.OptimizerConfig = S.OptimizerConfig("sgdm")
    x: AxisSetting | None = None
    y: AxisSetting | None = None
    res: int = 128
    tol: float = metrics.TOL
    metric: str = "loss"


@dataclasses.dataclass(frozen=True)
class BasinsSettings:
    """The basins' widgets (optimizers A and B as in :class:`MapSettings`)."""

    surface: str = "himmelblau"
    surface_params: tuple = ()
    formula: str = ""
    bounds: tuple = ()
    steps: int = 500
    starts: int = 128
    tol: float = metrics.TOL
    within: float = 0.02
    optimizers: tuple = tuple(S.OptimizerConfig(oid) for oid, _ in BASIN_OPTIMIZERS)


@dataclasses.dataclass(frozen=True)
class LandscapesSettings:
    """The page's whole configuration, what its URL holds: the mode shown and both modes' settings."""

    tab: str = "map"
    map: MapSettings = MapSettings()
    basins: BasinsSettings = BasinsSettings()


def _one(q: dict, key: str, record, default, warnings: list):
    """A number of the link, clamped into ``record``'s range; ``default`` when absent or unreadable."""
    got = read_numbers(q[key], (record,), key, warnings) if key in q else None
    return default if got is None else got[0]


def _choice(q: dict, key: str, options, default, warnings: list):
    """A word of the link among ``options``; ``default`` when absent or not one of them."""
    if key not in q:
        return default
    if str(q[key]).strip() in options:
        return str(q[key]).strip()
    warnings.append(f"{key}: {q[key]!r} is not one of {', '.join(options)}; "
                    f"using {'the default' if default is None else default}.")
    return default


def _snap(v: float, options, what: str, warnings: list):
    """``v`` moved onto the nearest of a slider's ``options`` (with a warning if it moves)."""
    o = _nearest(v, options)
    if o != v:
        warnings.append(f"{what} = {S._fmt(v)} is not a stop of its slider; using {S._fmt(o)}.")
    return o


def _stop(q: dict, key: str, options, default, warnings: list):
    """A number of the link on one of a slider's ``options``; ``default`` when absent or unreadable."""
    v = _one(q, key, surfaces.Param(key, default, min(options), max(options)), default, warnings)
    return _snap(v, options, key, warnings)


def _surface_from(q: dict, prefix: str, default: str, warnings: list) -> tuple[str, tuple, str, tuple]:
    """(id, parameters, formula, bounds) of the surface under ``{prefix}surface``, written as on
    the Explore link (``name(param=value,...)``; a custom one with ``{prefix}f`` and
    ``{prefix}bounds``) and read by Explore's own parser: parameters are clamped, and a surface
    it cannot read falls back to Explore's default surface."""
    key = f"{prefix}surface"
    if key not in q:
        surf = surfaces.SURFACES[default]
        return default, tuple((p.name, float(v)) for p, v in zip(surf.params, surf.values)), "", ()
    s, found = S.from_query({k: q[f"{prefix}{k}"] for k in ("surface", "f", "bounds") if f"{prefix}{k}" in q})
    warnings += [f"{key}: {w}" for w in found]
    return s.surface, tuple((k, float(v)) for k, v in s.surface_params), s.formula, tuple(s.bounds)


def _optimizer_from(q: dict, key: str, default: S.OptimizerConfig, warnings: list) -> S.OptimizerConfig:
    """An optimizer written as on the Explore link, with only the hyperparameters the link gives
    (and Lookahead's inner optimizer): the others keep the page's defaults."""
    if key not in q:
        return default
    found = []
    cfg = S.parse_optimizer(q[key], found)
    warnings += [f"{key}: {w}" for w in found]
    if cfg is None:
        return default
    given = {k for k, _ in S.parse_call(q[key])[2]} | {"inner"}
    return dataclasses.replace(cfg, hyperparams=tuple(p for p in cfg.hyperparams if p[0] in given))


def _axis_from(q: dict, which: str, name: str, rec, warnings: list) -> AxisSetting:
    """Axis ``which`` ("x" or "y") named ``name``: its range on the slider's stops, its spacing."""
    key = f"{which}range"
    got = read_numbers(q[key], (rec, rec), key, warnings) if key in q else None
    lo = hi = None
    if got is not None:
        opts = W.options_for(rec)
        lo, hi = (_snap(v, opts, key, warnings) for v in got)
        if lo >= hi:
            warnings.append(f"{key}: {q[key]!r} does not go from low to high; using the default range.")
            lo = hi = None
    scale = _choice(q, f"{which}scale", ("log", "linear"), None, warnings)
    return AxisSetting(name, lo, hi, None if scale is None else scale == "log")


def _axes_from(q: dict, cfg: S.OptimizerConfig, surf, warnings: list) -> tuple:
    """The map's two axes; (None, None) when the link gives none of their keys."""
    if not any(f"{w}{k}" in q for w in "xy" for k in ("", "range", "scale")):
        return None, None
    hps, names = _axis_names(cfg.id, cfg.inner)
    dx, dy = _default_axes(names)
    x = _choice(q, "x", names, dx, warnings)
    ynames, ydefault = _y_names(names, x, dy)
    y = _choice(q, "y", ynames, ydefault, warnings)
    return tuple(_axis_from(q, which, n, _axis_record(n, hps, surf), warnings) for which, n in (("x", x), ("y", y)))


def _map_from_query(q: dict, warnings: list) -> MapSettings:
    d = MapSettings()
    sid, sparams, formula, bounds = _surface_from(q, "", d.surface, warnings)
    surf = surfaces.surface_of(sid, sparams, formula, bounds)
    start = read_numbers(q["start"], point_records(surf.bounds), "start", warnings) if "start" in q else None
    cfg = _optimizer_from(q, "opt", d.optimizer, warnings)
    x, y = _axes_from(q, cfg, surf, warnings)
    return MapSettings(sid, sparams, formula, bounds, start, _one(q, "steps", _STEPS, d.steps, warnings), cfg, x, y,
                       _stop(q, "res", L.RESOLUTIONS, d.res, warnings), _stop(q, "tol", TOLERANCES, d.tol, warnings),
                       _choice(q, "metric", tuple(L.METRICS), d.metric, warnings))


def _basins_from_query(q: dict, warnings: list) -> BasinsSettings:
    d = BasinsSettings()
    sid, sparams, formula, bounds = _surface_from(q, "b_", d.surface, warnings)
    opts = tuple(_optimizer_from(q, key, cfg, warnings) for key, cfg in zip(("b_opt_a", "b_opt_b"), d.optimizers))
    return BasinsSettings(sid, sparams, formula, bounds, _one(q, "b_steps", _STEPS, d.steps, warnings),
                          _stop(q, "b_starts", BASIN_SIDES, d.starts, warnings),
                          _stop(q, "b_tol", TOLERANCES, d.tol, warnings),
                          _stop(q, "b_within", WITHIN, d.within, warnings), opts)


def from_query(query: dict) -> tuple[LandscapesSettings, list[str]]:
    """The page's settings from URL query parameters (str -> str).  Never raises: a value that
    cannot be used keeps the page's default, one out of range is clamped, one between a slider's
    stops moves to the nearest; each with a warning.  Keys of other pages are ignored."""
    warnings: list[str] = []
    q = {k: (v[-1] if isinstance(v, (list, tuple)) else v) for k, v in dict(query).items()}
    tab = _choice(q, "tab", tuple(TABS), "map", warnings)
    return LandscapesSettings(tab, _map_from_query(q, warnings), _basins_from_query(q, warnings)), warnings


def _call_text(name: str, pairs) -> str:
    return f"{name}(" + ",".join(f"{k}={S._fmt(v)}" for k, v in pairs) + ")"


def _surface_query(prefix: str, m) -> dict:
    """The surface of ``m`` (MapSettings or BasinsSettings) as link keys under ``prefix``."""
    q = {f"{prefix}surface": _call_text(m.surface, m.surface_params)}
    if m.surface == S.CUSTOM:
        q.update({f"{prefix}f": m.formula, f"{prefix}bounds": S.bounds_text(m.bounds or S.DEFAULT_BOUNDS)})
    return q


def to_query(s: LandscapesSettings) -> dict:
    """URL query parameters for the settings (inverse of :func:`from_query`)."""
    m, b = s.map, s.basins
    q = {"tab": s.tab, **_surface_query("", m)}
    if m.start is not None:
        q["start"] = numbers_text(m.start)
    q.update(steps=str(m.steps), opt=m.optimizer.to_text())
    for which, a in (("x", m.x), ("y", m.y)):
        if a is not None:
            q[which] = a.name
            if a.lo is not None:
                q[f"{which}range"] = numbers_text((a.lo, a.hi))
            if a.log is not None:
                q[f"{which}scale"] = "log" if a.log else "linear"
    q.update(res=str(m.res), tol=S._fmt(m.tol), metric=m.metric, **_surface_query("b_", b),
             b_steps=str(b.steps), b_starts=str(b.starts), b_tol=S._fmt(b.tol), b_within=S._fmt(b.within),
             b_opt_a=b.optimizers[0].to_text(), b_opt_b=b.optimizers[1].to_text())
    return q


# ---- settings <-> widgets ----------------------------------------------------------------------------
def _write_surface(prefix: str, m) -> None:
    """The surface of ``m`` (MapSettings or BasinsSettings) into the widgets without a value."""
    _default(f"{prefix}surface", m.surface)
    keys = C.Keys(prefix)
    if m.surface == S.CUSTOM and (keys.ok not in ss or keys.f not in ss):  # first visit, or the box was dropped
        C.write(keys, m.formula, m.bounds)
    for k, v in m.surface_params:
        _default(_sp_key(prefix, m.surface, k), v)


def _write_optimizer(prefix: str, sid: str, cfg: S.OptimizerConfig) -> None:
    _default(f"{prefix}opt", cfg.id)
    inner = cfg.inner
    if inner:
        _default(f"{prefix}inner", inner)
    _default(_variant_key(prefix, cfg.id, inner), cfg.variant)
    for k, v in cfg.hyperparams:
        if k != "inner":
            _default(_hp_key(prefix, sid, cfg.id, inner, k), v)


def _write_settings(s: LandscapesSettings) -> None:
    """Copy the settings into the widgets' state wherever a widget has no value: on the first
    visit, and for widgets Streamlit dropped (those of another page, or of the mode not shown).
    What the widgets hold wins."""
    m, b = s.map, s.basins
    _default("ls_mode", TABS[s.tab])
    _write_surface("ls_", m)
    kid = _spec_kid(m)
    for k, v in zip(_start_keys("ls_", kid), m.start or ()):
        _default(k, v)
    _write_optimizer("ls_", kid, m.optimizer)
    base = _axes_key(kid, m.optimizer.id, m.optimizer.inner)
    for which, a in (("x", m.x), ("y", m.y)):
        if a is not None:
            _default(f"{base}_{which}", a.name)
            if a.lo is not None:
                _default(f"{base}_{a.name}_range", (a.lo, a.hi))
            if a.log is not None:
                _default(f"{base}_{a.name}_spacing", "log" if a.log else "linear")
    for key, v in (("ls_steps", m.steps), ("ls_res", m.res), ("ls_tol", m.tol), ("ls_metric", m.metric),
                   ("lb_steps", b.steps), ("lb_n", b.starts), ("lb_tol", b.tol), ("lb_dist", b.within)):
        _default(key, v)
    _write_surface("lb_", b)
    for i, cfg in enumerate(b.optimizers):
        _write_optimizer(f"lb{i}_", _spec_kid(b), cfg)


def _config(oid: str, variant: str, inner: str | None, hyperparams) -> S.OptimizerConfig:
    return S.OptimizerConfig(oid, variant, ((("inner", inner),) if inner else ()) + tuple(hyperparams))


def _read_axis(base: str, axis: SL.Axis) -> AxisSetting:
    lo, hi = ss[f"{base}_{axis.name}_range"]
    return AxisSetting(axis.name, float(lo), float(hi), ss[f"{base}_{axis.name}_spacing"] == "log")


def _read_map(spec: SL.MapSpec, metric: str) -> MapSettings:
    """The map's settings as its widgets hold them (after they are drawn)."""
    base = _axes_key(_spec_kid(spec), spec.optimizer, spec.inner)
    return MapSettings(spec.surface, tuple(spec.surface_params), spec.formula, tuple(spec.bounds),
                       tuple(spec.start), int(spec.steps),
                       _config(spec.optimizer, spec.variant, spec.inner, spec.hyperparams),
                       _read_axis(base, spec.x), _read_axis(base, spec.y), int(spec.x.n), float(spec.tol), metric)


def _read_basins(specs) -> BasinsSettings:
    """The basins' settings as their widgets hold them (after they are drawn)."""
    a = specs[0]
    return BasinsSettings(a.surface, tuple(a.surface_params), a.formula, tuple(a.bounds), int(a.steps), int(a.n), float(a.tol),
                          float(a.dist_tol), tuple(_config(s.optimizer, s.variant, s.inner, s.hyperparams) for s in specs))


# ---- the page ---------------------------------------------------------------------------------------
def _publish(settings: LandscapesSettings) -> None:
    """Keep the settings (to restore widgets Streamlit drops) and write them to the URL."""
    ss["_ls_settings"] = settings
    query = to_query(settings)
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)


def page() -> None:
    if "_ls_settings" not in ss:  # the session's first visit: the URL, once
        ss["_ls_settings"], ss["_ls_url_warnings"] = from_query(st.query_params.to_dict())
    last = ss["_ls_settings"]
    _write_settings(last)
    st.title("Landscapes")
    for w in ss.pop("_ls_url_warnings", []):
        st.warning(f"Link: {W.md_escape(w)}", icon=":material/link_off:")  # w quotes URL text
    _default("ls_mode", MODES[0])
    mode = st.segmented_control("Mode", MODES, key="ls_mode", label_visibility="collapsed") or MODES[0]
    if mode == MODES[0]:
        st.caption("Two hyperparameters span a grid; every cell is one run of the optimizer, all of them "
                   "computed in one compiled sweep. Click a cell to see its run.")
        spec = _map_sidebar()
        metric = _metric_control()
        _publish(dataclasses.replace(last, tab="map", map=_read_map(spec, metric)))
        _map_page(spec, metric)
    else:
        st.caption("Every start of a grid over the surface is one run: its colour is the minimum it ends "
                   "at, its lightness the steps it took. Two optimizers side by side.")
        specs = _basins_sidebar()
        _publish(dataclasses.replace(last, tab="basins", basins=_read_basins(specs)))
        _basins_page(specs)
    with st.expander("How these maps are computed", icon=":material/info:"):
        st.markdown(f"""
- **One sweep per map.** Every cell (or start) is an independent run of the same compiled
  optimizer kernel; the grid's hyperparameters go in as per-run arrays of one
  `optimizers.sweep` call, which returns each run's final loss, step of divergence and the
  first step with f − f* ≤ tol. A cell equals `optimizers.trajectory` run on its own,
  bit for bit.
- **Diverged** means the run became non-finite or left the box of half-width 10⁶ × the domain's
  diagonal (hatched grey on the map, black in the basins). Near a stability boundary the
  growth is slow, so a run just past it may need many steps to be flagged.
- **Big grids** (512 × 512 = 262,144 runs) are computed in blocks with a progress bar; changing
  a setting meanwhile stops the computation between two blocks. Results are cached per
  setting (shared by every session, at most {CACHE_BYTES // 2**20} MB per server process), so
  going back to a setting is instant. At most {SLOTS} map(s) or basins above 128 × 128 are
  computed at once per server process; the others wait in line, with a Cancel button.
- {THREADING_NOTE}
- No gradient noise here: with noise every cell would get its own noise stream, and the
  Explore link could not reproduce it.
""")
