"""Hyperparameter maps and basins of attraction, drawn: Plotly builders and CSV / HTML exports.

Nothing is computed here: the specs, the runs and their outcomes (:class:`~studies.landscapes.MapSpec`,
:class:`~studies.landscapes.MapResult`, :class:`~studies.landscapes.BasinSpec`,
:class:`~studies.landscapes.BasinResult`, ``compute_map``, ``compute_basins``, ...) live in
:mod:`studies.landscapes`; this module turns those records into figures.  No Streamlit in here:
the page (``ui/landscapes.py``) caches and renders what the two make.

Hyperparameter map
------------------
:func:`metric_grid` prepares one metric of a :class:`~studies.landscapes.MapResult` for drawing
(colour values, kind of each cell, colour-bar title and hover text); :func:`map_figure` draws it:

- a heatmap of the metric (``z`` as a base64 float32 grid; log colour for the final loss and the
  divergence step), with cell *edges* as x / y, so log-spaced axes are true log axes;
- cells outside the metric (diverged runs, or runs that never reached the tolerance / never
  diverged) are left transparent: the plot background shows there, and diverged cells are
  covered by a hatched grey region (one rectangle per run of diverged cells in a row), each
  with a legend entry, so neither looks like the end of the colour scale;
- an invisible click grid (scatter markers at the cell centres, one trace per kind of cell,
  carrying the hover text): Plotly heatmaps raise no selection events, so a click on the map
  selects a click-grid point, which :func:`cell_from_selection` turns back into a cell;
- markers for the current (fixed) settings and the selected cell.

:func:`map_to_csv` writes a result's cells as CSV, :func:`figure_html` a figure as a standalone
page.

Basins of attraction
--------------------
:func:`basins_figure` draws two (or more) :class:`~studies.landscapes.BasinResult` side by side:
colour = the minimum reached, lightness = the steps it took to get within the tolerance of f*
(``steps_to_tol``; palest = never), black = diverged, grey = not converged;
:func:`basins_to_csv` writes them as CSV.
"""
from __future__ import annotations

import csv
import dataclasses
import html
import io
import math
import re

import numpy as np
import plotly.io as pio

from studies import landscapes as SL

from . import style
from .explore import _KEEP_OPAQUE, _ta, _make_figure, _square_ok, FastFigure, decode_array

__all__ = [
    "METRICS", "RESOLUTIONS", "metric_grid", "map_figure", "cell_from_selection", "map_to_csv",
    "figure_html", "basins_figure", "basins_to_csv", "basin_z", "short_g", "CLICK_GRID_ROLE",
    "FastFigure", "decode_array",
]

#: metric id -> label
METRICS = {"loss": "final loss", "steps": "steps to tolerance", "diverged": "step of divergence"}
#: cells per side the page offers
RESOLUTIONS = (64, 128, 256, 512)
#: log colour floor for f − f*, relative to max(1, |f*|) (float64 resolution)
_FLOOR = 1e-16
#: at most this many click-grid markers per side (see :func:`_click_grid_traces`)
MAX_CLICK_GRID = 256
#: role of the click-grid traces (``meta.role``)
CLICK_GRID_ROLE = "click-grid"

#: the metric's colour scale (perceptually uniform, colour-blind safe); the special kinds of
#: cell use colours outside it: a hatched mid grey for diverged, pale grey for "never"
COLORSCALE = "Viridis"
DIVERGED_BG = "#b3b3b3"
DIVERGED_HATCH = "#3a3a3a"
NEVER_COLOR = "#ececec"
CURRENT_MARKER = dict(symbol="circle", size=14, color="#ffffff", line=dict(color="#000000", width=2.5))
SELECTED_MARKER = dict(symbol="square-open", size=17, color="#ff2bd6", line=dict(color="#ff2bd6", width=3.5))
#: basins: diverged / not converged colours (minima take style.COLORS without black)
BASIN_DIVERGED = "#1a1a1a"
BASIN_NOT_CONVERGED = "#9a9a9a"
#: basins: reached f* between the listed minima (Okabe-Ito yellow: not a minimum's colour)
BASIN_ELSEWHERE = "#F0E442"
_BASIN_COLORS = tuple(c for c in style.COLORS if c != "#000000")
#: basins: lightness range (fraction of white mixed in) from fastest to never within tolerance
_SHADE_LO, _SHADE_HI = 0.0, 0.72


def short_g(v: float) -> str:
    """A number as ``:g`` writes it, with a short exponent: 1e-06 -> "1e-6"."""
    return re.sub(r"e([+-])0*(\d)", lambda m: "e" + ("-" if m.group(1) == "-" else "") + m.group(2), f"{v:g}")


# ---- the metric --------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class MetricGrid:
    """One metric of a map, ready to draw.

    ``z`` (float32, (ny, nx)) is the coloured value (log10 for log metrics), NaN where the cell
    is not coloured; ``raw`` the metric in its own units (hover); ``kind`` per cell:
    0 = coloured, 1 = diverged (hatched), 2 = "never" (never reached the tolerance, or never
    diverged: the pale background).
    """

    metric: str
    z: np.ndarray
    raw: np.ndarray
    kind: np.ndarray
    log: bool
    zmin: float
    zmax: float
    title: str  # colour bar title
    hover: str  # hover line for coloured cells (customdata = raw)
    never_label: str  # legend / hover text of kind 2 ("" when there are none by construction)
    note: str = ""  # a remark for the page (e.g. no minimum listed)


def metric_grid(result: SL.MapResult, metric: str) -> MetricGrid:
    """The grid of ``metric`` ("loss", "steps" or "diverged") for a map."""
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")
    dv = result.diverged_at >= 0
    fmin = result.f_min
    has_min = math.isfinite(fmin)
    tol = result.spec.tol
    note = ""
    with np.errstate(all="ignore"):
        if metric == "loss":
            if has_min:
                floor = _FLOOR * max(1.0, abs(fmin))
                raw = np.maximum(result.loss - fmin, 0.0)
                z = np.log10(np.maximum(raw, floor))
                log, title, hover = True, "final f − f*", "final f − f* = %{customdata:.3~g}"
            else:
                raw = result.loss.copy()
                z = raw.copy()
                log, title, hover = False, "final f", "final f = %{customdata:.4~g}"
                note = "This surface lists no minimum: the colour is the final value f itself."
            kind = np.where(dv, 1, 0)
            never = ""
        elif metric == "steps":
            stt = result.steps_to_tol
            raw = stt.astype(np.float64)
            reached = stt >= 0
            z = raw.copy()
            kind = np.where(dv, 1, np.where(reached, 0, 2))
            log, title = False, f"steps to f − f* ≤ {short_g(tol)}"
            hover = f"f − f* ≤ {short_g(tol)} first at step %{{customdata:d}}"
            never = f"never reached f − f* ≤ {short_g(tol)}"
            if not has_min:
                note = "This surface lists no minimum, so no run can reach one: every cell is 'never'."
        else:  # diverged
            raw = result.diverged_at.astype(np.float64)
            z = np.log10(np.maximum(raw, 1.0))
            kind = np.where(dv, 0, 2)
            log, title, hover = True, "diverged at step", "diverged at step %{customdata:d}"
            never = "did not diverge"
    z = np.where(kind == 0, z, np.nan)
    finite = z[np.isfinite(z)]
    if finite.size:
        zmin, zmax = float(finite.min()), float(finite.max())
    else:
        zmin, zmax = 0.0, 1.0
    if zmax - zmin < 1e-9:
        zmin, zmax = zmin - 0.5, zmax + 0.5
    f32max = float(np.finfo(np.float32).max)
    z = np.clip(z, -f32max, f32max).astype(np.float32)
    return MetricGrid(metric, z, raw, kind.astype(np.uint8), log, zmin, zmax, title, hover, never, note)


# ---- the map figure ------------------------------------------------------------------------------
def _colorbar(mg: MetricGrid) -> dict:
    # the title runs up the side: a long title on top would squeeze the map differently per metric
    cb = dict(title=dict(text=mg.title, side="right", font=dict(size=17)), thickness=12, len=1.0,
              outlinewidth=0, tickfont=dict(size=16), x=1.01, xanchor="left", y=0.0, yanchor="bottom",
              lenmode="fraction")
    if mg.log:
        ks = list(range(math.ceil(mg.zmin - 1e-9), math.floor(mg.zmax + 1e-9) + 1))
        if len(ks) > 9:
            ks = ks[:: math.ceil(len(ks) / 9)]
        if ks:
            cb.update(tickmode="array", tickvals=ks, ticktext=[style.decade_label(k) for k in ks])
    return cb


def _runs_polygon(mask: np.ndarray, xe: np.ndarray, ye: np.ndarray, max_rects: int = 40_000):
    """The cells where ``mask`` is true as closed rectangles (one per run of cells in a row),
    as x / y lists with None between rectangles; None when there are more than ``max_rects``."""
    m = np.asarray(mask, dtype=bool)
    if not m.any():
        return [], []
    pad = np.zeros((m.shape[0], 1), dtype=bool)
    d = np.diff(np.concatenate([pad, m, pad], axis=1).astype(np.int8), axis=1)
    rows, starts = np.nonzero(d == 1)
    _, ends = np.nonzero(d == -1)  # same row order (row-major nonzero)
    if len(rows) > max_rects:
        return None
    # merge identical runs of consecutive rows into one taller rectangle
    rects = []  # (x0, x1, row0, row1)
    open_ = {}
    for r, a, b in zip(rows.tolist(), starts.tolist(), ends.tolist()):
        key = (a, b)
        if key in open_ and open_[key][3] == r - 1:
            open_[key][3] = r
        else:
            if key in open_:
                rects.append(tuple(open_[key]))
            open_[key] = [a, b, r, r]
    rects.extend(tuple(v) for v in open_.values())
    xs, ys = [], []
    for a, b, r0, r1 in rects:
        x0, x1, y0, y1 = float(xe[a]), float(xe[b]), float(ye[r0]), float(ye[r1 + 1])
        xs += [x0, x1, x1, x0, x0, None]
        ys += [y0, y0, y1, y1, y0, None]
    return xs, ys


def _legend_square(name: str, color: str, line: str = "#666666", rank: int = 1000) -> dict:
    """A legend-only entry: a coloured square (no data)."""
    return dict(type="scatter", mode="markers", name=name, x=[None], y=[None], showlegend=True,
                marker=dict(symbol="square", size=13, color=color, line=dict(color=line, width=1)),
                hoverinfo="skip", legendrank=rank, meta=dict(role="legend"))


def _axis_layout(axis: SL.Axis, edges: np.ndarray, title: str) -> dict:
    out = dict(showgrid=False, zeroline=False, ticks="outside", showline=True, mirror=True,
               linecolor=style.AXIS_LINE, tickfont=dict(size=16),
               title=dict(text=title, font=dict(size=17)))
    lo, hi = float(edges[0]), float(edges[-1])
    if axis.log:
        out.update(type="log", range=[math.log10(lo), math.log10(hi)], exponentformat="power")
        if math.log10(hi / lo) < 2.5:
            out["dtick"] = "D2"
    else:
        out.update(type="linear", range=[lo, hi])
    return out


def _axis_title(axis: SL.Axis, spec: SL.MapSpec) -> str:
    if axis.name in SL.START_AXES:
        text = f"{axis.label} (start coordinate)"
    else:
        h = {h.name: h for h in SL.hyperparams_of(spec.optimizer, spec.inner)}[axis.name]
        what = h.help.split(":")[0].strip() if h.help else ""
        text = f"{axis.name} ({what})" if what and what != axis.name else axis.name
    return text + (" · log scale" if axis.log else "")


def map_figure(result: SL.MapResult, metric: str = "loss", *, selected: tuple | None = None,
               show_current: bool = True, click_grid: bool = True, height: int = 620,
               title: str | None = None, uirevision=None) -> FastFigure:
    """The heatmap of one metric of a map (see the module docstring).

    ``selected`` is an (x, y) pair of axis values to mark (the clicked cell).  Trace order:
    heatmap, diverged region (hatched), legend squares, click-grid traces (role
    :data:`CLICK_GRID_ROLE`, one per kind of cell present), current settings, selected cell.
    """
    spec = result.spec
    mg = metric_grid(result, metric)
    xe = SL.Axis.edges(result.xs, spec.x.log)
    ye = SL.Axis.edges(result.ys, spec.y.log)
    data: list[dict] = [dict(
        type="heatmap", name=METRICS[metric], x=_ta(xe, np.float64), y=_ta(ye, np.float64), z=_ta(mg.z),
        zmin=mg.zmin, zmax=mg.zmax, colorscale=COLORSCALE, colorbar=_colorbar(mg), zsmooth=False,
        hoverinfo="skip", showlegend=False, meta=dict(role="heatmap", metric=metric, spec=spec.key()))]

    kinds = set(np.unique(mg.kind).tolist())
    if 1 in kinds:
        poly = _runs_polygon(mg.kind == 1, xe, ye)
        name = "diverged"
        if poly is None:  # too fragmented for rectangles: a flat grey layer instead of the hatch
            layer = np.where(mg.kind == 1, 1.0, np.nan).astype(np.float32)
            data.append(dict(type="heatmap", name=name, x=_ta(xe, np.float64), y=_ta(ye, np.float64),
                             z=_ta(layer), zmin=0, zmax=1, colorscale=[[0, DIVERGED_BG], [1, DIVERGED_BG]],
                             showscale=False, zsmooth=False, hoverinfo="skip", showlegend=False,
                             meta=dict(role="diverged")))
            data.append(_legend_square(name, DIVERGED_BG, rank=1001))
        else:
            px, py = poly
            data.append(dict(type="scatter", mode="lines", name=name, x=px, y=py, fill="toself",
                             fillcolor=DIVERGED_BG, line=dict(width=0, color=DIVERGED_BG),
                             fillpattern=dict(shape="/", fgcolor=DIVERGED_HATCH, bgcolor=DIVERGED_BG,
                                              size=9, solidity=0.25),
                             hoverinfo="skip", showlegend=True, legendrank=1001, meta=dict(role="diverged")))
    if 2 in kinds:
        data.append(_legend_square(mg.never_label, NEVER_COLOR, rank=1002))

    if click_grid:
        data.extend(_click_grid_traces(result, mg))

    if show_current:
        cx, cy = spec.current(spec.x), spec.current(spec.y)
        if xe[0] <= cx <= xe[-1] and ye[0] <= cy <= ye[-1]:
            data.append(dict(type="scatter", mode="markers", name="current settings", x=[cx], y=[cy],
                             marker=CURRENT_MARKER, legendrank=1003, cliponaxis=False,
                             hovertemplate=(f"<b>current settings</b><br>{spec.x.label} = %{{x:.4~g}}<br>"
                                            f"{spec.y.label} = %{{y:.4~g}}<extra></extra>"),
                             meta=dict(role="current"), **_KEEP_OPAQUE))
    if selected is not None:
        sx, sy = float(selected[0]), float(selected[1])
        data.append(dict(type="scatter", mode="markers", name="selected run", x=[sx], y=[sy],
                         marker=SELECTED_MARKER, legendrank=1004, cliponaxis=False, hoverinfo="skip",
                         meta=dict(role="selected"), **_KEEP_OPAQUE))

    layout = dict(
        template=style.TEMPLATE, height=int(height), font=style.FONT,
        paper_bgcolor="#ffffff", plot_bgcolor=NEVER_COLOR,
        margin=dict(l=64, r=0, t=60 if title else 36, b=116),
        xaxis=_axis_layout(spec.x, xe, _axis_title(spec.x, spec)),
        yaxis=_axis_layout(spec.y, ye, _axis_title(spec.y, spec)),
        hovermode="closest", hoverdistance=-1, dragmode="zoom",
        legend=dict(orientation="h", x=0.0, xanchor="left", y=-0.13, yanchor="top",
                    font=dict(size=17), itemclick=False, itemdoubleclick=False,
                    bgcolor="rgba(255,255,255,0)"),
        uirevision=uirevision if uirevision is not None else spec.key(),
    )
    if title:
        layout["title"] = dict(text=title, x=0.0, xanchor="left", y=0.98, yanchor="top", font=dict(size=17))
    if mg.note:
        layout["annotations"] = [dict(text=mg.note, showarrow=False, xref="paper", yref="paper", x=0.5,
                                      y=0.5, bgcolor="rgba(255,255,255,0.85)", font=dict(size=17))]
    return _make_figure(data, layout)


def _click_grid_traces(result: SL.MapResult, mg: MetricGrid) -> list[dict]:
    """Invisible markers at the cell centres, one trace per kind of cell, carrying the hover.

    x / y are the cell's axis values (float32), customdata the hover value (float32).  The
    markers are nearly transparent and ``maxdisplayed=1`` draws only one SVG node, yet every
    point hovers and can be clicked (selected).  Up to :data:`MAX_CLICK_GRID` cells per side
    every cell has its marker; a 512-cell axis has one on every other cell (262,144 hover
    targets make the browser slow: ~4 s per redraw in headless Chromium): hover and click then
    snap to the nearest of those, and the hover names that cell's exact values.
    """
    spec = result.spec
    ny, nx = result.shape
    sx, sy = -(-nx // MAX_CLICK_GRID), -(-ny // MAX_CLICK_GRID)  # strides: every cell up to 256 per side
    cols, rows = np.arange(0, nx, sx), np.arange(0, ny, sy)
    X, Y = np.meshgrid(result.xs[cols], result.ys[rows])
    X, Y = X.ravel(), Y.ravel()
    sub = np.ix_(rows, cols)
    kind = mg.kind[sub].ravel()
    head = (f"<b>{spec.x.label}</b> = %{{x:.4~g}}<br><b>{spec.y.label}</b> = %{{y:.4~g}}<br>")
    loss_hover = ("final f − f* = %{customdata:.3~g}" if math.isfinite(result.f_min)
                  else "final f = %{customdata:.4~g}")
    final_gap = (np.maximum(result.loss - result.f_min, 0.0) if math.isfinite(result.f_min)
                 else result.loss)[sub].ravel()
    f32max = float(np.finfo(np.float32).max)
    out = []
    groups = [(0, mg.hover, mg.raw[sub].ravel()),
              (1, "<b>diverged</b> at step %{customdata:d}", result.diverged_at[sub].ravel().astype(np.float64)),
              (2, f"<b>{mg.never_label}</b><br>{loss_hover}", final_gap)]
    for k, line, cd in groups:
        sel = kind == k
        if not sel.any():
            continue
        out.append(dict(
            type="scatter", mode="markers", name=f"cells ({k})", showlegend=False,
            x=_ta(X[sel]), y=_ta(Y[sel]), customdata=_ta(np.clip(cd[sel], -f32max, f32max)),
            marker=dict(size=6, color="#000000", opacity=0.004, maxdisplayed=1),
            selected=dict(marker=dict(opacity=0.004)), unselected=dict(marker=dict(opacity=0.004)),
            hovertemplate=head + line + "<extra>click: show this run</extra>",
            hoverlabel=dict(bgcolor="rgba(255,255,255,0.94)", font=dict(size=12, color="#262730")),
            meta=dict(role=CLICK_GRID_ROLE, kind=k)))
    return out


def cell_from_selection(selection, result: SL.MapResult):
    """The (ix, iy) cell a click picked, or None.

    ``selection`` is what ``st.plotly_chart(..., on_select="rerun")`` returns (or its
    ``.selection``, or a plain dict).  The last selected point whose (x, y) lies within half a
    cell of a cell centre wins (x / y arrive as float32 values; a log axis is compared in
    log space).
    """
    if not selection:
        return None
    if "selection" in selection:
        selection = selection["selection"]
    points = (selection or {}).get("points") or []
    spec = result.spec
    for pt in reversed(list(points)):
        try:
            x, y = float(pt.get("x")), float(pt.get("y"))
        except (TypeError, ValueError):
            continue
        ix = _nearest(result.xs, x, spec.x.log)
        iy = _nearest(result.ys, y, spec.y.log)
        if ix is not None and iy is not None:
            return ix, iy
    return None


def _nearest(values: np.ndarray, v: float, log: bool):
    if not math.isfinite(v) or (log and v <= 0):
        return None
    t = np.log10(values) if log else np.asarray(values, dtype=np.float64)
    u = math.log10(v) if log else v
    i = int(np.abs(t - u).argmin())
    step = float(np.min(np.diff(t))) if len(t) > 1 else max(abs(float(t[0])), 1.0)
    return i if abs(t[i] - u) <= 0.5 * step + 1e-6 * max(1.0, abs(u)) else None


# ---- exports ---------------------------------------------------------------------------------------
def map_to_csv(result: SL.MapResult) -> str:
    """One row per cell: the two axis values, then every metric (final loss, f − f*, steps to
    tolerance, step of divergence; -1 = never) and the final point.  Empty fields = NaN."""
    spec = result.spec
    X, Y = np.meshgrid(result.xs, result.ys)
    gap = result.loss - result.f_min if math.isfinite(result.f_min) else np.full(result.shape, np.nan)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([spec.x.name, spec.y.name, "final_loss", "final_f_minus_fmin", f"steps_to_tol_{spec.tol:g}",
                "diverged_at", "final_x", "final_y"])

    def num(a):
        return ["" if not math.isfinite(v) else repr(v) for v in a.ravel().tolist()]

    cols = [num(X), num(Y), num(result.loss), num(gap),
            [str(v) for v in result.steps_to_tol.ravel().tolist()],
            [str(v) for v in result.diverged_at.ravel().tolist()],
            num(result.final[..., 0]), num(result.final[..., 1])]
    w.writerows(zip(*cols))
    return buf.getvalue()


def figure_html(fig, title: str) -> str:
    """A standalone HTML page with the figure (plotly.js embedded: works offline), without the
    click grid (nothing to click in a file)."""
    d = fig.to_dict()
    d["data"] = [t for t in d["data"] if (t.get("meta") or {}).get("role") != CLICK_GRID_ROLE]
    body = pio.to_html(d, include_plotlyjs=True, full_html=False, validate=False)
    title = html.escape(title)  # a custom surface's name is typed text
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><h2 style='font-family:sans-serif'>{title}</h2>{body}</body></html>")


def _mix_white(color: str, w: float) -> str:
    c = color.lstrip("#")
    r, g, b = (int(c[i:i + 2], 16) for i in (0, 2, 4))
    return "#{:02x}{:02x}{:02x}".format(*(round(v + (255 - v) * w) for v in (r, g, b)))


def _basin_colors(n_minima: int) -> list[str]:
    return [_BASIN_COLORS[k % len(_BASIN_COLORS)] for k in range(n_minima)]


def basin_z(result: SL.BasinResult) -> np.ndarray:
    """The encoded colour value per start: band k (k ≤ minima) = [k, k + 1); within a minimum's
    band the position is the shade (0 = fastest, → 1 = slowest / never within tolerance);
    band M = not converged, band M + 1 = diverged (flat, at k + 0.5); band M + 2 = at f* between
    the listed minima (shaded like a minimum's)."""
    m = len(result.minima)
    steps = max(1, result.spec.steps)
    stt = result.steps_to_tol
    shade = np.where(stt >= 0, np.log1p(np.maximum(stt, 0)) / math.log1p(steps), 1.0)
    z = np.where(result.basin >= 0, result.basin + 0.999 * shade, 0.0)
    z = np.where(result.basin == -1, m + 0.5, z)
    z = np.where(result.basin == -2, m + 1.5, z)
    z = np.where(result.basin == -3, m + 2 + 0.999 * shade, z)
    return z.astype(np.float32)


def _basin_colorscale(n_minima: int, elsewhere: bool = False) -> list:
    k_total = n_minima + 2 + elsewhere
    cs = []

    def shaded(k, c):
        for s in np.linspace(0.0, 1.0, 6):
            cs.append([(k + 0.999 * s) / k_total, _mix_white(c, _SHADE_LO + (_SHADE_HI - _SHADE_LO) * s)])

    for k, c in enumerate(_basin_colors(n_minima)):
        shaded(k, c)
    for k, c in ((n_minima, BASIN_NOT_CONVERGED), (n_minima + 1, BASIN_DIVERGED)):
        cs.append([k / k_total, c])
        cs.append([(k + 0.999) / k_total, c])
    if elsewhere:
        shaded(n_minima + 2, BASIN_ELSEWHERE)
    cs[-1][0] = 1.0
    cs[0][0] = 0.0
    return cs


def _fmt_point(p) -> str:
    return f"({p.x:.3g}, {p.y:.3g})"


def basins_figure(results, titles=None, *, height: int = 560) -> FastFigure:
    """The basins of several results (same surface) side by side, one panel each.

    Trace order per panel: the basin heatmap (z encoded by :func:`basin_z`, customdata = steps
    to tolerance, -1 = never), the minima (stars); then one legend square per outcome.
    """
    results = list(results)
    if not results:
        raise ValueError("basins_figure needs at least one result")
    titles = list(titles) if titles else [r.spec.label() for r in results]
    surf = results[0].spec.surface_obj()
    (x0, x1), (y0, y1) = surf.bounds
    m = len(results[0].minima)
    elsewhere = any((r.basin == -3).any() for r in results)
    cs = _basin_colorscale(m, elsewhere)
    k_total = m + 2 + elsewhere
    gap = 0.06
    width = (1.0 - gap * (len(results) - 1)) / len(results)
    data, layout_axes, annotations = [], {}, []
    for i, (res, title) in enumerate(zip(results, titles)):
        sfx = "" if i == 0 else str(i + 1)
        xa, ya = f"x{sfx}", f"y{sfx}"
        dx = (x1 - x0) / len(res.xs)
        dy = (y1 - y0) / len(res.ys)
        tol = res.spec.tol
        data.append(dict(
            type="heatmap", name=title, x0=float(res.xs[0]), dx=dx, y0=float(res.ys[0]), dy=dy,
            z=_ta(basin_z(res)), zmin=0.0, zmax=float(k_total), colorscale=cs, showscale=False,
            zsmooth=False, customdata=_ta(res.steps_to_tol.astype(np.float32)), xaxis=xa, yaxis=ya,
            hovertemplate=("start (%{x:.3~g}, %{y:.3~g})<br>first step with f − f* ≤ "
                           f"{short_g(tol)}: %{{customdata:d}} (−1: never)<extra>{title}</extra>"),
            showlegend=False, meta=dict(role="basins", panel=i)))
        if res.minima:
            data.append(dict(
                type="scatter", mode="markers", name="minima", xaxis=xa, yaxis=ya,
                x=[p.x for p in res.minima], y=[p.y for p in res.minima], marker=style.MINIMUM_MARKER,
                showlegend=False, cliponaxis=False,
                hovertemplate="<b>minimum</b> (%{x:.4~g}, %{y:.4~g})<extra></extra>",
                meta=dict(role="minima", panel=i)))
        domain = [i * (width + gap), i * (width + gap) + width]
        ax = dict(showgrid=False, zeroline=False, ticks="outside", showline=True, mirror=True,
                  linecolor=style.AXIS_LINE, tickfont=dict(size=16), constrain="domain")
        layout_axes[f"xaxis{sfx}"] = dict(ax, domain=domain, range=[x0, x1], anchor=ya,
                                          title=dict(text="start x", font=dict(size=17)))
        yax = dict(ax, range=[y0, y1], anchor=xa, title=dict(text="start y" if i == 0 else "", font=dict(size=17)))
        if _square_ok(surf):
            yax.update(scaleanchor=xa, scaleratio=1)
        layout_axes[f"yaxis{sfx}"] = yax
        annotations.append(dict(text=f"<b>{title}</b>", showarrow=False, xref=f"{xa} domain", yref="paper",
                                x=0.5, xanchor="center", y=1.0, yanchor="bottom", font=dict(size=17)))
    for k, p in enumerate(results[0].minima):
        data.append(_legend_square(f"→ minimum {_fmt_point(p)}", _basin_colors(m)[k], rank=1000 + k))
    data.append(_legend_square("not converged", BASIN_NOT_CONVERGED, rank=1100))
    data.append(_legend_square("diverged", BASIN_DIVERGED, rank=1101))
    if elsewhere:
        data.append(_legend_square(SL.ELSEWHERE, BASIN_ELSEWHERE, rank=1099))
    if m:
        data.append(dict(type="scatter", mode="markers", name="minimum", x=[None], y=[None],
                         marker=style.MINIMUM_MARKER, hoverinfo="skip", legendrank=1102,
                         meta=dict(role="legend")))
    layout = dict(
        template=style.TEMPLATE, height=int(height), font=style.FONT, paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff", margin=dict(l=60, r=20, t=90, b=90), hovermode="closest",
        legend=dict(orientation="h", x=0.0, xanchor="left", y=-0.12, yanchor="top", font=dict(size=17),
                    itemclick=False, itemdoubleclick=False),
        annotations=annotations + [dict(
            text=(f"colour: the minimum the run ends at (within {results[0].spec.dist_tol:g} × the "
                  f"domain's diagonal) · lighter: more steps until f − f* ≤ {short_g(results[0].spec.tol)} "
                  "(palest: never)"),
            showarrow=False, xref="paper", yref="paper", x=0.0, xanchor="left", y=1.0, yanchor="bottom",
            yshift=26, font=dict(size=12, color="#555555"))],
        uirevision="basins:" + surf.id,
        **layout_axes,
    )
    return _make_figure(data, layout)


def basins_to_csv(results) -> str:
    """One row per optimizer × start: start point, outcome, steps to tolerance, final point."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["optimizer", "start_x", "start_y", "outcome", "minimum_x", "minimum_y",
                "steps_to_tol", "final_x", "final_y"])
    for res in results:
        label = res.spec.label()
        X, Y = np.meshgrid(res.xs, res.ys)
        for x, y, b, s, f in zip(X.ravel().tolist(), Y.ravel().tolist(), res.basin.ravel().tolist(),
                                 res.steps_to_tol.ravel().tolist(), res.final.reshape(-1, 2).tolist()):
            if b >= 0:
                p = res.minima[b]
                outcome, mx, my = "minimum", repr(p.x), repr(p.y)
            else:
                outcome, mx, my = {-2: "diverged", -3: SL.ELSEWHERE}.get(b, "not converged"), "", ""
            fx, fy = ("" if not math.isfinite(v) else repr(v) for v in f)
            w.writerow([label, repr(x), repr(y), outcome, mx, my, s, fx, fy])
    return buf.getvalue()
