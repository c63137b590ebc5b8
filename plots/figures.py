"""Plotly builders for the survey's two figures (no Streamlit and no computing in here).

- **Figure 1**, "Comparison between SGD and SGDM": SGD and SGD with momentum from the same start
  with the same learning rate on the ``quadratic`` ravine (:func:`figure1`).
- **Figure 2**, "The parameter update process of Lookahead when synchronization period k = 5":
  each cycle's k fast steps from the slow weights φ_{t−1}, the straight segment from φ_{t−1} to the
  last fast weight θ_{t,k}, and the new slow weights φ_t on it at fraction α (:func:`figure2`).

The settings, runs, cycles, distances and the measured summary lines are computed by
:mod:`studies.figures` (``figure1_data`` / ``figure2_data`` → ``Figure1Data`` / ``Figure2Data``);
the builders draw those records (given settings instead, they ask :mod:`studies.figures` for
the data first).  They reuse the Explore figures' machinery (:mod:`plots.explore`): arrays as
base64 typed arrays (``_ta``), unvalidated :class:`~plots.explore.FastFigure` construction
(``_make_figure``), the same style, and the same Play / Pause + slider controls.  Frames carry
only the path traces.  ``animated=False`` gives the finished static picture: the same traces, no
frames, no controls.

The background while playing
----------------------------
A frame transitions only the traces it carries, and Plotly's transition step removes a contour
trace's layer; ``redraw: True`` paints it back, but a full redraw of a 120² contour takes
~150–370 ms in headless Chromium, so while playing the contour is missing most of the time (it
was absent in 29 of 30 samples at 50 ms per frame).  The quadratic ravine, the surface of both
figures, is therefore drawn as its exact level sets: nested filled ellipses (evenly spaced in
√f), which are scatter traces and stay painted through a transition, so its frames use
``redraw: False`` and cost milliseconds.  Other surfaces (the builders accept any) get the
contour trace and ``redraw: True``.
"""
from __future__ import annotations

import math

import numpy as np

from optimizers.registry import index_of
from studies import figures as SF

from . import style
from .explore import (_KEEP_OPAQUE, _animation_controls, _grid, _make_figure, _r7, _ta,
                      FastFigure, thin_steps, value_map)  # noqa: F401  (FastFigure: return type)

__all__ = [
    "figure1", "figure2", "FIGURE1_TITLE", "FIGURE1_TITLE_ZH", "FIGURE2_TITLE", "FIGURE2_TITLE_ZH",
    "SGD_COLOR", "SGDM_COLOR", "FAST_COLOR", "SLOW_COLOR", "SEGMENT_COLOR", "lookahead_colors",
    "FIG1_MAX_FRAMES", "FIG1_FRAME_MS", "FIG2_FRAME_MS", "ELLIPSE_LEVELS",
]

FIGURE1_TITLE = "Figure 1. Comparison between SGD and SGDM"
FIGURE1_TITLE_ZH = "图 1. SGD 与 SGDM 的对比"
FIGURE2_TITLE = "Figure 2. The parameter update process of Lookahead when synchronization period k = 5"
FIGURE2_TITLE_ZH = "图 2. 同步周期 k = 5 时，Lookahead 的参数更新流程"

#: Figure 1's colours: each optimizer's own colour, the one it has on every page
#: (:func:`plots.style.optimizer_color` of its registry position)
SGD_COLOR = style.optimizer_color(index_of("sgd"))
SGDM_COLOR = style.optimizer_color(index_of("sgdm"))


def lookahead_colors(inner: str) -> tuple[str, str]:
    """Figure 2's (fast, slow) colours for Lookahead wrapping ``inner``.

    The fast weights are the inner optimizer's own steps, so they take the inner optimizer's
    colour; the slow weights are what Lookahead itself adds, so they take Lookahead's colour.
    Where the two would coincide (Lookahead shares a palette slot with SGD), the slow weights
    get the next free colour, as :func:`plots.style.path_styles` resolves it on the Explore page.
    """
    (fast, _), (slow, _) = style.path_styles([index_of(inner), index_of("lookahead")])
    return fast, slow


#: Figure 2's colours with the survey's inner optimizer (SGD with momentum): its vermilion
#: fast weights, Lookahead's blue slow weights; near-black interpolation segments
FAST_COLOR, SLOW_COLOR = lookahead_colors("sgdm")
SEGMENT_COLOR = "#1a1a1a"

#: at most this many animation frames for Figure 1 (its steps are thinned to fit)
FIG1_MAX_FRAMES = 120
#: Play speed: Figure 1 step by step, Figure 2 cycle by cycle (slow enough to follow a cycle)
FIG1_FRAME_MS = 100
FIG2_FRAME_MS = 900

_HOVER = ("<b>%{fullData.name}</b><br>step %{customdata[0]:d}<br>x = %{x:.4~g}<br>y = %{y:.4~g}"
          "<br>loss = %{customdata[1]:.4~g}<extra></extra>")


# ---- shared pieces ---------------------------------------------------------------------------
def _contour_trace(surface, grid: int = 120) -> dict:
    """Filled contour in the app's colours, without a colour bar (the Explore page's value map:
    log for Rosenbrock & co.).  Used for surfaces other than the quadratic ravine."""
    xs, ys, f = _grid(surface, grid)
    vm = value_map(surface)
    z, lo, hi = vm(f), vm.lo, vm.hi
    return dict(
        type="contour", name="f", x=_ta(xs), y=_ta(ys), z=_ta(np.clip(z, lo, hi)),
        zmin=lo, zmax=hi, autocontour=False, colorscale=style.SURFACE_COLORSCALE, showscale=False,
        contours=dict(start=lo, end=hi, size=(hi - lo) / style.CONTOUR_LEVELS, coloring="fill", showlines=True),
        line=dict(color=style.CONTOUR_LINE, width=0.8, smoothing=0.85),
        hoverinfo="skip", showlegend=False, meta=dict(role="contour"))


def _scale_color(frac: float) -> str:
    """The app's contour colour scale (:data:`style.SURFACE_COLORSCALE`) at ``frac`` in [0, 1]."""
    stops = style.SURFACE_COLORSCALE
    frac = min(max(float(frac), 0.0), 1.0)
    for (a, ca), (b, cb) in zip(stops, stops[1:]):
        if frac <= b:
            w = 0.0 if b == a else (frac - a) / (b - a)
            rgb = [round(int(ca[i:i + 2], 16) * (1 - w) + int(cb[i:i + 2], 16) * w) for i in (1, 3, 5)]
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    return stops[-1][1]


#: level sets drawn for the quadratic ravine (evenly spaced in √f: nested ellipses)
ELLIPSE_LEVELS = 14


def _ellipse_background(surface) -> tuple[list[dict], str]:
    """The quadratic ravine's exact contours: its level sets f = s² are ellipses, drawn as
    filled scatter polygons from the outermost in (evenly spaced in √f), in the app's colours.

    Returns the traces and the plot background colour (the band outside the last ellipse).
    Scatter polygons, unlike a contour trace, survive an animation frame's transition step, so
    the animation can skip the full redraw (``redraw: False``): the ravine stays painted while
    it plays, and each frame costs milliseconds instead of a full re-render.
    """
    vals = dict(zip((p.name for p in surface.params), surface.values))
    kappa, angle = float(vals.get("kappa", 1.0)), float(vals.get("angle", 0.0))
    (x0, x1), (y0, y1) = surface.bounds
    corners = [(x0, y0), (x0, y1), (x1, y0), (x1, y1)]
    top = max(math.sqrt(max(float(surface.value(x, y)) - float(surface.f_min), 0.0)) for x, y in corners)
    c, s_ = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    t = np.linspace(0.0, 2.0 * math.pi, 241)
    traces = []
    for i in range(ELLIPSE_LEVELS, 0, -1):
        level = top * i / ELLIPSE_LEVELS  # √f on this ellipse: f = ½(u² + κv²) = level²
        u = math.sqrt(2.0) * level * np.cos(t)
        v = math.sqrt(2.0) * level / math.sqrt(kappa) * np.sin(t)
        traces.append(dict(
            type="scatter", mode="lines", name="f", x=_ta(c * u - s_ * v), y=_ta(s_ * u + c * v),
            fill="toself", fillcolor=_scale_color((i - 0.5) / ELLIPSE_LEVELS),
            line=dict(color=style.CONTOUR_LINE, width=0.8), hoverinfo="skip", showlegend=False,
            meta=dict(role="contour", level=float(level ** 2))))
    return traces, _scale_color(1.0)


def _background(surface) -> tuple[list[dict], str | None, bool]:
    """(background traces, plot background colour, whether the animation must redraw)."""
    if surface.id == "quadratic":
        traces, bg = _ellipse_background(surface)
        return traces, bg, False
    return [_contour_trace(surface)], None, True


def _controls(steps, redraw: bool, prefix: str, frame_ms: int):
    """The Explore page's Play / Pause + slider, with ``redraw`` set as the background needs and
    ``frame_ms`` per frame while playing."""
    menus, sliders = _animation_controls(np.asarray(steps))
    play = menus[0]["buttons"][0]["args"][1]
    play["frame"] = dict(play["frame"], duration=int(frame_ms))
    if not redraw:
        for b in menus[0]["buttons"]:
            b["args"][1]["frame"] = dict(b["args"][1]["frame"], redraw=False)
        for st_ in sliders[0]["steps"]:
            st_["args"][1] = dict(st_["args"][1], frame=dict(st_["args"][1]["frame"], redraw=False))
    sliders[0]["currentvalue"] = dict(sliders[0]["currentvalue"], prefix=prefix)
    return menus, sliders


def _minimum_trace(surface) -> dict | None:
    if not surface.minima:
        return None
    pts = surface.minima
    return dict(
        type="scatter", mode="markers", name="minimum" if len(pts) == 1 else "minima",
        x=[p.x for p in pts], y=[p.y for p in pts], marker=style.MINIMUM_MARKER, cliponaxis=False,
        legendrank=1, hovertemplate="<b>minimum</b><br>(%{x:.4~g}, %{y:.4~g})<extra></extra>",
        meta=dict(role="minima"), **_KEEP_OPAQUE)


def _layout(surface, *, height: int, animated: bool, title: str | None, plot_bgcolor: str | None = None) -> dict:
    """Axes fixed to the surface's bounds with equal scales (when not a sliver), the legend in
    a row above the plot (never over the paths), controls below when animated."""
    (x0, x1), (y0, y1) = surface.bounds
    axis = dict(showgrid=False, zeroline=False, ticks="outside", showline=True, mirror=True,
                linecolor=style.AXIS_LINE, tickfont=dict(size=16), constrain="domain")
    xaxis = dict(axis, range=[x0, x1], title=dict(text="x", font=dict(size=17)))
    yaxis = dict(axis, range=[y0, y1], title=dict(text="y", font=dict(size=17)))
    r = (x1 - x0) / (y1 - y0)
    if 1 / 3 <= r <= 3:
        yaxis.update(scaleanchor="x", scaleratio=1)
    # without a title, room above the legend for Plotly's mode bar (it shows on hover)
    top = 64 if title is None else 84
    layout = dict(
        template=style.TEMPLATE, height=int(height), font=style.FONT,
        paper_bgcolor="#ffffff", plot_bgcolor=plot_bgcolor or "#ffffff",
        margin=dict(l=60, r=20, t=top, b=120 if animated else 50),
        xaxis=xaxis, yaxis=yaxis, hovermode="closest", hoverdistance=20, dragmode="zoom",
        legend=dict(orientation="h", x=0.0, xanchor="left", y=1.01, yanchor="bottom",
                    font=dict(size=style.LEGEND_FONT_SIZE), itemsizing="constant",
                    itemclick=False, itemdoubleclick=False, bgcolor="rgba(255,255,255,0)"),
    )
    if title is not None:
        layout["title"] = dict(text=title, x=0.5, xanchor="center", y=0.985, yanchor="top",
                               font=dict(size=18))
    return layout


def _nan_joined(pieces) -> np.ndarray:
    """Polylines joined into one (m, 2) array with a NaN row between them (Plotly breaks the
    line there; ``connectgaps`` is off)."""
    out = []
    for p in pieces:
        p = np.asarray(p, dtype=np.float64).reshape(-1, 2)
        if len(p):
            if out:
                out.append(np.full((1, 2), np.nan))
            out.append(p)
    return np.concatenate(out) if out else np.zeros((0, 2))


def _xy(a: np.ndarray) -> dict:
    a = np.asarray(a, dtype=np.float64).reshape(-1, 2)
    return {"x": _ta(a[:, 0]), "y": _ta(a[:, 1])}


def _fig1_path_trace(name, color, pts, loss, upto):
    """A path up to row ``upto``: every step a dot, joined by lines, hover (step, loss)."""
    n = upto + 1
    cd = np.stack([np.arange(n), np.clip(loss[:n], -3e38, 3e38)], axis=1)
    return dict(type="scatter", mode="lines+markers", name=name, **_xy(pts[:n]),
                customdata=_ta(cd), hovertemplate=_HOVER,
                line=dict(color=color, width=2), marker=dict(color=color, size=6),
                meta=dict(role="path"), **_KEEP_OPAQUE)


def _fig1_frame_path(pts, upto):
    """A frame's update of a path trace: x and y up to row ``upto``.  The trace keeps its full
    hover data (step, loss), whose first rows are exactly these steps: half the frame bytes."""
    return _xy(pts[: upto + 1])


def _fig1_head(name, color, pts, upto):
    """The marker where a run is (row ``upto``)."""
    return dict(type="scatter", mode="markers", name=name, showlegend=False,
                x=[_r7(pts[upto, 0])], y=[_r7(pts[upto, 1])], hoverinfo="skip",
                marker=dict(color=color, size=13, line=dict(color="#ffffff", width=2)),
                meta=dict(role="head"), **_KEEP_OPAQUE)


def figure1(settings: SF.Figure1Settings | SF.Figure1Data = SF.Figure1Settings(), *, animated: bool = True,
            height: int = 560, title: str | None = None, max_frames: int = FIG1_MAX_FRAMES) -> FastFigure:
    """Figure 1: the ravine's contours, the minimum, the start, SGD's and SGDM's paths.

    Trace order: background (the ravine's ellipses, or a contour), start, SGD path, SGDM path,
    SGD head, SGDM head (the heads mark where each run is), minimum (on top of the paths; first
    in the legend).  Animated: frames at ≤ ``max_frames`` steps carry only the four path traces
    (x and y of each path up to that step, and of its head), with Play / Pause and a step
    slider; the initial state is the finished picture.  ``animated=False``: the finished picture
    only.  A diverged run is drawn up to its last finite point and its legend entry says when it
    diverged.
    """
    data = settings if isinstance(settings, SF.Figure1Data) else SF.figure1_data(settings)
    s, surf = data.settings, data.surface
    traces, bg, redraw = _background(surf)
    start = (float(s.start[0]), float(s.start[1]))
    traces.append(dict(type="scatter", mode="markers", name="start", x=[start[0]], y=[start[1]],
                       marker=style.START_MARKER, cliponaxis=False, legendrank=2, meta=dict(role="start"),
                       hovertemplate="<b>start</b><br>(%{x:.4~g}, %{y:.4~g})<extra></extra>", **_KEEP_OPAQUE))
    runs = [("sgd", f"SGD (lr = {s.lr:g})", SGD_COLOR),
            ("sgdm", f"SGDM (lr = {s.lr:g}, momentum = {s.momentum:g})", SGDM_COLOR)]
    geo = []
    for which, name, color in runs:
        r = getattr(data, which)
        n = SF.finite_rows(r.path, r.diverged_at)
        if r.diverged_at >= 0:
            name += f" — diverged at step {r.diverged_at}"
        geo.append((name, color, r.path, r.loss, n - 1))
    first = len(traces)
    for name, color, pts, loss, last in geo:
        traces.append(_fig1_path_trace(name, color, pts, loss, last))
    for name, color, pts, loss, last in geo:
        traces.append(_fig1_head(name, color, pts, last))
    animated_idx, layout = _finish_static(traces, first, surf, height=height, animated=animated,
                                          title=title, plot_bgcolor=bg)
    frames = []
    if animated:
        steps = thin_steps(int(s.steps), max_frames)
        for t in steps.tolist():
            fdata = [_fig1_frame_path(pts, min(t, last)) for name, color, pts, loss, last in geo]
            fdata += [dict(x=[_r7(pts[min(t, last), 0])], y=[_r7(pts[min(t, last), 1])])
                      for name, color, pts, loss, last in geo]
            frames.append(dict(name=str(t), data=fdata, traces=animated_idx))
        layout["updatemenus"], layout["sliders"] = _controls(steps, redraw, "step ", FIG1_FRAME_MS)
    return _make_figure(traces, layout, frames)


def _finish_static(traces, first, surf, **layout_kw):
    """The path traces from ``first`` on are the animated ones; add the minimum on top of them
    and build the layout.  Returns (indices of the animated traces, layout)."""
    animated_idx = list(range(first, len(traces)))
    m = _minimum_trace(surf)
    if m:
        traces.append(m)
    return animated_idx, _layout(surf, **layout_kw)


# ---- Figure 2: Lookahead ---------------------------------------------------------------------
def _fig2_traces(data: SF.Figure2Data, upto: int, k: int) -> list[dict]:
    """The five path traces of Figure 2 showing cycles 1..``upto`` (see :func:`figure2`)."""
    cyc = data.cycles[:upto]
    tail = [data.tail] if (upto == len(data.cycles) and len(data.tail) > 1) else []
    fast = _nan_joined([c.fast for c in cyc] + tail)
    seg = _nan_joined([np.vstack([c.phi_prev, c.last_fast]) for c in cyc])
    last = np.array([c.last_fast for c in cyc]).reshape(-1, 2)
    slow = data.slow[: upto + 1]
    fast_cd = []
    for c in cyc:
        fast_cd += [[c.index, i] for i in range(len(c.fast))] + [[np.nan, np.nan]]
    if tail:
        fast_cd += [[len(cyc) + 1, i] for i in range(len(data.tail))]
    fast_cd = np.array(fast_cd[: len(fast)] if fast_cd else np.zeros((0, 2)), dtype=np.float64).reshape(-1, 2)
    fast_color, slow_color = lookahead_colors(data.settings.inner)
    slow_marker = dict(symbol="circle", size=14, color=slow_color, line=dict(color="#ffffff", width=2))
    slow_hover = "<b>φ<sub>%{customdata}</sub></b> (slow weights)<br>(%{x:.4~g}, %{y:.4~g})<extra></extra>"
    return [
        dict(type="scatter", mode="lines+markers", name=f"fast weights θ ({k} inner steps per cycle)",
             **_xy(fast), customdata=_ta(fast_cd),
             hovertemplate="<b>fast weights</b><br>cycle %{customdata[0]}, step %{customdata[1]}"
                           "<br>(%{x:.4~g}, %{y:.4~g})<extra></extra>",
             line=dict(color=fast_color, width=1.6), marker=dict(color=fast_color, size=6),
             meta=dict(role="fast"), **_KEEP_OPAQUE),
        # the slow weights' thick line (its legend entry shows line and marker) ...
        dict(type="scatter", mode="lines+markers", name="slow weights φ", legendgroup="slow", **_xy(slow),
             hoverinfo="skip", line=dict(color=slow_color, width=5), marker=slow_marker,
             meta=dict(role="slow"), **_KEEP_OPAQUE),
        # ... under the dashed segments φ_{t−1} → θ_{t,k}: φ_{t−1} → φ_t is the first α of each
        # segment, so the dashes run along the thick line and on to θ_{t,k} ...
        dict(type="scatter", mode="lines", name="φ<sub>t−1</sub> → θ<sub>t,k</sub>: φ<sub>t</sub> at α of the way",
             **_xy(seg), hoverinfo="skip",
             line=dict(color=SEGMENT_COLOR, width=1.8, dash="dash"), meta=dict(role="segment")),
        dict(type="scatter", mode="markers", name="last fast weight θ<sub>t,k</sub>", **_xy(last),
             customdata=_ta(np.arange(1, len(last) + 1)),
             hovertemplate="<b>θ<sub>t,k</sub></b>, cycle %{customdata}<br>(%{x:.4~g}, %{y:.4~g})<extra></extra>",
             marker=dict(symbol="circle-open", size=13, color=fast_color, line=dict(width=2.5)),
             meta=dict(role="last-fast"), **_KEEP_OPAQUE),
        # ... and the slow weights' markers on top of everything
        dict(type="scatter", mode="markers", name="slow weights φ", legendgroup="slow", showlegend=False,
             **_xy(slow), customdata=_ta(np.arange(len(slow))), hovertemplate=slow_hover,
             marker=slow_marker, meta=dict(role="slow-markers"), **_KEEP_OPAQUE),
    ]


def figure2(settings: SF.Figure2Settings | SF.Figure2Data = SF.Figure2Settings(), *, animated: bool = True,
            height: int = 560, title: str | None = None, labels: bool = True) -> FastFigure:
    """Figure 2: contours, the minimum, each cycle's fast path from φ_{t−1}, the dashed segments
    φ_{t−1} → θ_{t,k}, the last fast weights, and the slow weights as large markers on a thick line.

    Trace order: background, then the five path traces: fast weights, slow weights (thick line),
    segments (dashed, drawn over the thick line), last fast weights, slow-weight markers (no
    legend entry of their own), and last the minimum (on top; first in the legend).  Cycles are
    separated by NaN breaks inside each trace.  Animated cycle by cycle: frame t shows cycles
    1..t (frame 0 only φ_0); frames carry only the five path traces.  ``labels`` names φ_0, φ_1
    and θ_{1,k} on the picture (static only: labels are annotations, which frames do not carry).
    """
    data = settings if isinstance(settings, SF.Figure2Data) else SF.figure2_data(settings)
    s, surf = data.settings, data.surface
    k = int(s.k)
    traces, bg, redraw = _background(surf)
    first = len(traces)
    traces += _fig2_traces(data, len(data.cycles), k)
    animated_idx, layout = _finish_static(traces, first, surf, height=height, animated=animated,
                                          title=title, plot_bgcolor=bg)
    frames = []
    if animated:
        n = len(data.cycles)
        for t in range(n + 1):
            frames.append(dict(name=str(t), data=_fig2_traces(data, t, k), traces=animated_idx))
        layout["updatemenus"], layout["sliders"] = _controls(np.arange(n + 1), redraw, "cycle ", FIG2_FRAME_MS)
    elif labels and data.cycles:
        c = data.cycles[0]
        layout["annotations"] = _labels(c, k)
    return _make_figure(traces, layout, frames)


def _labels(c: SF.Cycle, k: int) -> list[dict]:
    """Text labels for the first cycle: φ_0, θ_{1,k} and φ_1, pushed away from the path."""
    centre = c.fast.mean(axis=0)
    out = []
    for pt, text in ((c.phi_prev, "φ<sub>0</sub>"), (c.last_fast, f"θ<sub>1,{k}</sub>"), (c.phi, "φ<sub>1</sub>")):
        d = np.asarray(pt) - centre
        nrm = float(np.hypot(*d)) or 1.0
        ax, ay = 26 * d[0] / nrm, -26 * d[1] / nrm  # screen y points down
        out.append(dict(x=_r7(pt[0]), y=_r7(pt[1]), text=text, showarrow=True, arrowhead=0, arrowwidth=1,
                        arrowcolor="#555555", ax=ax, ay=ay, font=dict(size=17, color="#1a1a1a"),
                        bgcolor="rgba(255,255,255,0.8)"))
    return out
