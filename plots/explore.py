"""Pure Plotly figure builders for the Explore page (no Streamlit in here).

Inputs are :class:`PathView` records (one per optimizer run) and a ``surfaces.Surface``.
Every builder returns a :class:`FastFigure` (a ``plotly.graph_objects.Figure``):

- :func:`contour_figure`: filled contour, minima / saddles, start, the paths (every step as a
  dot joined by lines), Play / Pause and a step slider, and a nearly invisible click grid (last
  trace) whose selected point gives a new start (:func:`start_from_selection`).
- :func:`surface3d_figure`: the same surface in 3D with the paths lifted onto it, animated alike.
- :func:`loss_figure`: f − f* against step (log y; raw f, linear, without a minimum).
- :func:`distance_figure`: distance to the nearest listed minimum (or saddle) against step.

How the animation stays small
-----------------------------
A frame replaces a trace's arrays, so frames that each carried a path up to step t would
repeat the path about ``frames / 2`` times (over 1 MB for the default view).  Instead each path
is drawn as ``S`` static *segments* of ``L`` steps plus a *trail* and a *head*:

- segment j holds steps ``[jL, min((j + 1)L, last)]`` (every step, with hover data) and never
  changes; a frame only switches it on (``visible``) once the animation has passed its end;
- the trail holds the steps from the end of the last segment shown up to t (at most L + 1
  points, no hover; just the last point once every segment is shown), the head the point at t;
- Lookahead's slow weights are cut the same way (chunks shown with their segments + a trail).

So a frame carries, per path, S booleans, at most L + 1 points and one point; ``L ≈ √(3.5 N)``
(at most 24 segments) minimises that.  The frames set every animated trace completely, so
jumping with the slider to any frame shows exactly the path up to that step.  Frames carry only
these path traces (the contour / surface is sent once), and Play / slider use
``redraw: True`` (a contour or a 3D scene animated without redraw disappears).  The figure's
initial state is the finished picture, identical to the last frame.

How the figures stay fast to build and send
-------------------------------------------
Traces, layout and frames are written as plain dicts, arrays already encoded as Plotly's
base64 typed arrays (float32 coordinates; exactly what ``plotly.io.to_json`` makes of numpy
arrays), and wrapped without Plotly's per-property validation; :class:`FastFigure` makes the
``to_dict`` that ``st.plotly_chart`` calls a shallow copy.  Default view (3 runs × 300 steps,
Rosenbrock): ~20 ms per animated figure to build, ~4 ms to serialise, ~0.76 MB of JSON for all
four charts.
"""
from __future__ import annotations

import base64
import dataclasses
import functools
import math

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from _plotly_utils.utils import to_typed_array_spec

from . import style
from .style import COLORS

__all__ = [
    "COLORS", "PathView", "legend_label", "thin_steps", "figure_payload_bytes",
    "contour_figure", "surface3d_figure", "loss_figure", "distance_figure",
    "CLICK_GRID_NAME", "click_grid_points", "decode_array", "click_grid_index", "snap_to_click_grid",
    "start_from_selection", "trace_roles", "value_map", "FastFigure", "ValueMap",
]

#: ``name`` of the invisible scatter grid that turns clicks into start points (last trace)
CLICK_GRID_NAME = "click-grid"
#: a log contour spans at most this many decades below the grid's largest value
LOG_DECADES = 8.0
#: ... and the 3D surface this many (its coarser grid turns deeper log valleys into spikes)
LOG_DECADES_3D = 4.0
#: values of f − f* (and distances) below this fraction of their scale are shown at the floor
_RESOLUTION = 1e-16
_F32 = np.float32
_F32_MAX = float(np.finfo(np.float32).max)


# ---- inputs ----------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class PathView:
    """One optimizer run as the figures draw it.

    ``path`` is (N + 1, 2) (row t = θ after t steps; rows from ``diverged_at`` on are NaN),
    ``loss`` is (N + 1,), ``diverged_at`` is −1 for a run that never diverged.  ``slow`` /
    ``slow_steps`` are Lookahead's slow weights and the steps at which they were set.
    """

    label: str
    color: str
    path: np.ndarray
    loss: np.ndarray
    diverged_at: int = -1
    slow: np.ndarray | None = None
    slow_steps: np.ndarray | None = None
    #: the first step at which the path is farther than the domain's size outside it, or −1
    escaped_at: int = -1
    #: "solid", "dash", "dot" or "dashdot" (a second copy of the same optimizer is dashed)
    dash: str = "solid"
    #: the learning rate of every step (row t: update t's), when a schedule varies it; else None
    lrs: np.ndarray | None = None

    def __post_init__(self):
        path = np.asarray(self.path, dtype=np.float64).reshape(-1, 2)
        loss = np.asarray(self.loss, dtype=np.float64).reshape(-1)
        if len(path) < 1 or len(loss) != len(path):
            raise ValueError(f"path ({len(path)} rows) and loss ({len(loss)}) must have the same "
                             "length >= 1")
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "loss", loss)
        object.__setattr__(self, "diverged_at", int(self.diverged_at))
        object.__setattr__(self, "escaped_at", int(self.escaped_at))
        if self.slow is not None:
            slow = np.asarray(self.slow, dtype=np.float64).reshape(-1, 2)
            steps = (np.arange(len(slow)) if self.slow_steps is None
                     else np.asarray(self.slow_steps, dtype=np.int64).reshape(-1))
            object.__setattr__(self, "slow", slow)
            object.__setattr__(self, "slow_steps", steps)

    @classmethod
    def from_run(cls, run, label: str, color: str) -> "PathView":
        """A view of an ``optimizers.Run`` (slow weights only for Lookahead)."""
        slow = getattr(run, "slow", None)
        is_lookahead = getattr(run, "optimizer", "") == "lookahead"
        return cls(label, color, run.path, run.loss, run.diverged_at,
                   slow if is_lookahead else None,
                   getattr(run, "slow_steps", None) if is_lookahead else None)

    @property
    def steps(self) -> int:
        """N, the number of steps asked for."""
        return len(self.path) - 1

    @property
    def n_valid(self) -> int:
        """Rows drawn: every row before the divergence (at least the start)."""
        finite = np.isfinite(self.path).all(axis=1)
        n = len(self.path) if finite.all() else int(np.argmin(finite))
        if self.diverged_at >= 0:
            n = min(n, self.diverged_at)
        if self.escaped_at >= 0:
            n = min(n, self.escaped_at)
        return max(1, n)


def status_text(pv) -> str:
    """"diverged at step N" (non-finite, or beyond the engine's threshold: this wins, even when
    the run left the view first), "left the view at step N" (more than the domain's size
    outside it, but finite throughout), or "" for a run that did neither.  ``pv``: anything with
    ``diverged_at`` and ``escaped_at`` (a PathView, a ``studies.runs.RunResult``)."""
    if pv.diverged_at >= 0:
        return f"diverged at step {pv.diverged_at}"
    if pv.escaped_at >= 0:
        return f"left the view at step {pv.escaped_at}"
    return ""


def legend_label(pv: PathView) -> str:
    """The legend text: the label, plus " — diverged at step N" or " — left the view at step
    N" (once)."""
    status = status_text(pv)
    if status and status not in pv.label:
        return f"{pv.label} — {status}"
    return pv.label


def thin_steps(n_steps: int, max_frames: int) -> np.ndarray:
    """At most ``max_frames`` evenly spaced steps in [0, n_steps], always ending at n_steps.

    Starts at 0 (the start point) when there is room for two frames or more.
    """
    n_steps = max(0, int(n_steps))
    k = max(1, min(int(max_frames), n_steps + 1))
    if k == 1:
        return np.array([n_steps], dtype=np.int64)
    return np.unique(np.rint(np.linspace(0, n_steps, k)).astype(np.int64))


def figure_payload_bytes(fig) -> int:
    """Bytes of the JSON Streamlit sends for this figure (``plotly.io.to_json``, unvalidated)."""
    return len(pio.to_json(fig, validate=False).encode("utf-8"))


# ---- typed arrays ----------------------------------------------------------------------------
_DTYPES = {np.dtype(np.float32): "f4", np.dtype(np.float64): "f8", np.dtype(np.int32): "i4", np.dtype(np.uint16): "u2",
           np.dtype(np.int16): "i2", np.dtype(np.int8): "i1", np.dtype(np.uint8): "u1"}


def _ta(a, dtype=_F32):
    """A numpy array as Plotly's base64 typed-array spec ``{dtype, bdata[, shape]}``.

    This is exactly what ``plotly.io.to_json`` makes of a numpy array, done once here: Plotly's
    own conversion costs ~0.2 ms per array (plotly 7 routes every array through narwhals), which
    for the ~700 arrays of an animated figure would dominate the page's rerun time.
    """
    a = np.ascontiguousarray(a, dtype=dtype)
    if a.size == 0:
        return []
    spec = {"dtype": _DTYPES[a.dtype], "bdata": base64.b64encode(a.tobytes()).decode("ascii")}
    if a.ndim > 1:
        spec["shape"] = ", ".join(str(n) for n in a.shape)
    return spec


def _ta_clipped(a):
    """:func:`_ta` of ``a`` as float32, with values beyond float32's range clipped to ±3e38
    (NaN kept): a loss or a state that grew huge stays a finite, drawable number."""
    return _ta(np.clip(np.asarray(a, dtype=float), -3e38, 3e38))


def decode_array(v) -> np.ndarray:
    """The numpy array behind a trace property: a typed-array spec, a list or an array."""
    if isinstance(v, dict) and "bdata" in v:
        dt = {code: dtype for dtype, code in _DTYPES.items()}[v["dtype"]]
        out = np.frombuffer(base64.b64decode(v["bdata"]), dtype=dt)
        if "shape" in v:
            out = out.reshape([int(n) for n in str(v["shape"]).split(",")])
        return out
    return np.asarray(v if v is not None else [])


# ---- values on a grid --------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class ValueMap:
    """How surface values become plotted z: ``log10(max(f − ref, 10**lo))`` or plain f.

    ``lo`` / ``hi`` are the colour (and 3D z-axis) range in plotted units.
    """

    log: bool
    ref: float
    lo: float
    hi: float

    def __call__(self, f):
        f = np.asarray(f, dtype=np.float64)
        if not self.log:
            return f
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.log10(np.maximum(f - self.ref, 10.0 ** self.lo))

    @property
    def title(self) -> str:
        """The 3D z-axis title."""
        return "log10(f − f*)" if self.log else "f"

    @property
    def colorbar_title(self) -> str:
        if not self.log:
            return "f"
        return "f" if self.ref == 0 else "f − f*"


def _grid(surface, n: int):
    (x0, x1), (y0, y1) = surface.bounds
    xs = np.linspace(x0, x1, int(n))
    ys = np.linspace(y0, y1, int(n))
    with np.errstate(all="ignore"):
        f = np.asarray(surface.value(xs[None, :], ys[:, None]), dtype=np.float64)
    return xs, ys, np.broadcast_to(f, (len(ys), len(xs)))


def value_map(surface) -> ValueMap:
    """The z transform of ``surface`` (log when ``surface.contour == "log"``), from a 121² grid.

    Contour, 3D surface and lifted paths all use this one map, so they agree.  For a log map the
    reference is ``surface.f_min`` (or the grid's minimum when the surface lists no minimum) and
    the floor is the grid's smallest positive f − ref, but at most ``LOG_DECADES`` below the top.
    """
    try:
        return _value_map_cached(surface)
    except TypeError:  # an unhashable surface-like object
        return _value_map(surface)


@functools.lru_cache(maxsize=128)
def _value_map_cached(surface) -> ValueMap:
    return _value_map(surface)


def _value_map(surface) -> ValueMap:
    _, _, f = _grid(surface, 121)
    finite = f[np.isfinite(f)]
    if finite.size == 0:
        return ValueMap(False, 0.0, 0.0, 1.0)
    fmin, fmax = float(finite.min()), float(finite.max())
    if surface.contour == "log":
        ref = float(surface.f_min)
        if not math.isfinite(ref):
            ref = fmin
        g = finite - ref
        top = float(g.max())
        if top > 0:
            hi = math.log10(top)
            pos = g[g > 0]
            lo = max(math.log10(float(pos.min())), hi - LOG_DECADES)
            if hi - lo < 1e-9:
                lo = hi - 1.0
            return ValueMap(True, ref, lo, hi)
    if fmax - fmin < 1e-300:
        fmax = fmin + 1.0
    return ValueMap(False, 0.0, fmin, fmax)


def _colorbar(vm: ValueMap) -> dict:
    cb = dict(title=dict(text=vm.colorbar_title, side="top"), thickness=14, len=0.85, outlinewidth=0,
              tickfont=dict(size=16))
    if vm.log:
        ks = list(range(math.ceil(vm.lo - 1e-9), math.floor(vm.hi + 1e-9) + 1))
        if len(ks) > 9:
            ks = ks[:: math.ceil(len(ks) / 9)]
        cb.update(tickmode="array", tickvals=ks, ticktext=[style.decade_label(k) for k in ks])
    return cb


# ---- the figure class --------------------------------------------------------------------------
class FastFigure(go.Figure):
    """A ``go.Figure`` built from plain dicts, with a cheap :meth:`to_dict`.

    ``st.plotly_chart`` serialises a figure as ``plotly.io.to_json(fig.to_dict())``; Plotly's
    ``to_dict`` deep-copies every trace and frame and walks them for numpy arrays, ~50–65 ms for
    an animated figure with 100 frames.  Our builders store arrays already encoded (see
    :func:`_ta`), so ``to_dict`` here returns shallow copies (new top-level dicts per trace,
    layout and frame; nested values shared): ~0.03 ms, and the JSON is byte-for-byte the same.
    Do not mutate nested values of the returned dict.  (Numpy arrays added later at a trace's
    top level, e.g. by ``update_traces(x=...)``, are still encoded compactly.)  Everything else is a normal ``go.Figure``
    (``fig.data``, ``fig.layout``, ``fig.frames``, ``update_layout``, ``to_json``...).
    """

    def to_dict(self):
        res = {"data": [_encode_top(t) for t in self._data], "layout": dict(self._layout)}
        if self._frame_objs:
            res["frames"] = [dict(f._props) for f in self._frame_objs]
        return res


def _encode_top(trace: dict) -> dict:
    """A shallow copy of a trace dict, with numpy arrays a caller may have added afterwards
    (``fig.update_traces(x=np.array(...))``) encoded as Plotly would."""
    out = dict(trace)
    for k, v in trace.items():
        if isinstance(v, np.ndarray):
            out[k] = to_typed_array_spec(v)
    return out


class _Frame(go.Frame):
    """A ``go.Frame`` holding its properties unvalidated (see :func:`_make_figure`).

    Plotly cannot lazily build ``frame.data`` for such a frame, so ``data`` here returns
    freshly built, unvalidated trace objects: a read-only view (changing them does not
    change the frame; assign ``frame.data = [...]`` to replace it).
    """

    @property
    def data(self):
        from plotly.validator_cache import ValidatorCache

        validator = ValidatorCache.get_validator("frame", "data")
        out = []
        for d in self._props.get("data") or []:
            d = dict(d)
            cls = validator.get_trace_class(d.pop("type", "scatter"))
            out.append(cls(_validate=False, **d))
        return tuple(out)

    @data.setter
    def data(self, val):
        go.Frame.data.fset(self, val)


def _make_figure(data: list, layout: dict, frames: list | None = None) -> FastFigure:
    """Wrap plain dicts in a figure without Plotly's per-property validation, which would cost
    more than building the whole page (the frames alone take ~0.3 s to validate).  The dicts
    are written to be valid; the tests re-validate every builder's output with ``go.Figure``."""
    fig = FastFigure(data=data, layout=layout, _validate=False)
    if frames:
        # what the ``frames`` setter does, minus validation (``go.Frame(_validate=False)``
        # stores its properties as given)
        fig._frame_objs = tuple(_Frame(_validate=False, **fr) for fr in frames)
    return fig


# ---- paths: segments, trail, head --------------------------------------------------------------
def _segment_length(n_points: int) -> int:
    """L for a path of ``n_points`` drawn rows (see the module docstring); at most 24 segments."""
    n = max(1, n_points - 1)
    length = max(2, int(round(math.sqrt(3.5 * n))))
    return max(length, math.ceil(n / 24))


def _r7(v) -> float:
    """A float rounded to float32's 7 significant digits (short JSON for single points);
    clipped into float32's range."""
    v = float(v)
    if v != v:
        return v
    return float(f"{min(max(v, -_F32_MAX), _F32_MAX):.7g}")


class _PathGeom:
    """One path cut into segments, with its float32 columns (``z`` when lifted onto 3D)."""

    def __init__(self, pv: PathView, index: int, z=None):
        self.pv, self.index = pv, index
        self.n = n = pv.n_valid
        self.seg_len = L = _segment_length(n)
        self.seg_starts = np.arange(0, max(n - 1, 0), L, dtype=np.int64)
        self.seg_ends = np.minimum(self.seg_starts + L, n - 1)  # inclusive
        self.label = legend_label(pv)
        self.x = pv.path[:n, 0].astype(_F32)
        self.y = pv.path[:n, 1].astype(_F32)
        self.z = None if z is None else np.asarray(z, dtype=_F32)[:n]
        loss = np.clip(pv.loss[:n], -_F32_MAX, _F32_MAX)
        self.customdata = np.stack([np.arange(n), loss], axis=1).astype(_F32)  # (step, loss)
        self.group = f"path{index}"

    def clamp(self, t: int) -> int:
        return min(int(t), self.n - 1)

    def covered(self, t: int) -> int:
        """The last row of the segments shown at step t (−1 when none is): segment j is shown
        once the animation has passed its end."""
        k = int(np.searchsorted(self.seg_ends, self.clamp(t), side="right"))
        return int(self.seg_ends[k - 1]) if k else -1

    def trail_rows(self, t: int) -> slice:
        """Rows from the end of the last segment shown at step t up to t."""
        return slice(max(self.covered(t), 0), self.clamp(t) + 1)

    def xyz(self, rows) -> dict:
        out = {"x": _ta(self.x[rows]), "y": _ta(self.y[rows])}
        if self.z is not None:
            out["z"] = _ta(self.z[rows])
        return out

    def head(self, t: int) -> dict:
        out = {"x": [_r7(self.x[t])], "y": [_r7(self.y[t])]}
        if self.z is not None:
            out["z"] = [_r7(self.z[t])]
        out["customdata"] = [[t, _r7(self.customdata[t, 1])]]
        return out

    # Lookahead's slow weights are cut like the path: chunk j holds those set at steps in
    # (end of segment j − 1, end of segment j] and shows with segment j; the slow trail holds
    # those after the shown segments, up to t.
    def slow_chunks(self) -> list[dict]:
        lo = np.concatenate([[-1], self.seg_ends[:-1]])
        return [self._slow_points(a, b) for a, b in zip(lo.tolist(), self.seg_ends.tolist())]

    def slow_trail(self, t: int) -> dict:
        return self._slow_points(self.covered(t), self.clamp(t))

    def _slow_points(self, after: int, upto: int) -> dict:
        pv = self.pv
        keep = (pv.slow_steps > after) & (pv.slow_steps <= upto) & np.isfinite(pv.slow).all(axis=1)
        return {"x": _ta(pv.slow[keep, 0]), "y": _ta(pv.slow[keep, 1]),
                "customdata": _ta(pv.slow_steps[keep])}


_HOVER_PATH = ("<b>%{fullData.name}</b><br>step %{customdata[0]:d}<br>x = %{x:.4~g}<br>"
               "y = %{y:.4~g}<br>loss = %{customdata[1]:.4~g}<extra></extra>")
_HOVER_SLOW = ("<b>%{fullData.name}</b><br>slow weights after step %{customdata:d}<br>"
               "x = %{x:.4~g}<br>y = %{y:.4~g}<extra></extra>")
#: keep markers opaque when a click selects a point (Plotly dims unselected points otherwise)
_KEEP_OPAQUE = dict(selected=dict(marker=dict(opacity=1.0)), unselected=dict(marker=dict(opacity=1.0)))


def _add_path_traces(data: list, geoms: list, three_d: bool) -> list[int]:
    """Append every path's traces to ``data`` in their final state: segments, then (2D
    Lookahead only) slow-weight chunks, trail, slow trail (2D Lookahead only), head.  Returns
    the indices of these (animated) traces, in frame order."""
    animated = []
    kind = "scatter3d" if three_d else "scatter"

    def add(trace):
        data.append(trace)
        animated.append(len(data) - 1)

    for g in geoms:
        pv = g.pv
        msize = style.path_marker_size(g.n)
        if three_d:
            style_ = dict(line=dict(color=pv.color, width=5, dash=pv.dash), marker=dict(color=pv.color, size=max(1.5, msize - 2.5)))
            head_marker = dict(color=pv.color, size=6, line=dict(color="#ffffff", width=1))
        else:
            style_ = dict(line=dict(color=pv.color, width=2, dash=pv.dash), marker=dict(color=pv.color, size=msize),
                          **_KEEP_OPAQUE)
            head_marker = dict(color=pv.color, size=msize + 6, line=dict(color="#ffffff", width=1.5))
        common = dict(type=kind, mode="lines+markers", name=g.label, legendgroup=g.group, **style_)
        for j, (a, b) in enumerate(zip(g.seg_starts.tolist(), g.seg_ends.tolist())):
            rows = slice(a, b + 1)
            add(dict(common, **g.xyz(rows), customdata=_ta(g.customdata[rows]), hovertemplate=_HOVER_PATH,
                     showlegend=False, visible=True, meta=dict(role="segment", path=g.index)))
        slow = pv.slow is not None and not three_d
        if slow:
            slow_style = dict(type="scatter", mode="markers", name=f"{pv.label} · slow weights",
                              legendgroup=g.group, showlegend=False, hovertemplate=_HOVER_SLOW,
                              marker=dict(symbol="diamond", size=9, color=pv.color,
                                          line=dict(color="#1a1a1a", width=1)), **_KEEP_OPAQUE)
            for chunk in g.slow_chunks():
                add(dict(slow_style, **chunk, visible=True, meta=dict(role="slow", path=g.index)))
        add(dict(common, **g.xyz(g.trail_rows(g.n - 1)), hoverinfo="skip", showlegend=True,
                 meta=dict(role="trail", path=g.index)))
        if slow:
            add(dict(slow_style, **g.slow_trail(g.n - 1), meta=dict(role="slow-trail", path=g.index)))
        add(dict(type=kind, mode="markers", name=g.label, legendgroup=g.group, showlegend=False,
                 **g.head(g.n - 1), hovertemplate=_HOVER_PATH, marker=head_marker,
                 **({} if three_d else _KEEP_OPAQUE), meta=dict(role="head", path=g.index)))
    return animated


def _path_frames(geoms: list, animated: list[int], max_frames: int, three_d: bool):
    """Frames (dicts) at ``thin_steps`` of the longest run, and those steps.

    Each frame sets every animated trace completely (so any frame can be jumped to): segment
    visibility, trail, slow weights and head of every path.  A run that stopped (diverged or
    shorter) stays at its last point.  3D entries carry ``type`` so that re-validating the
    figure (``go.Figure(fig.to_dict())``) cannot turn them into 2D scatters.
    """
    if not geoms:
        return [], np.zeros(0, dtype=np.int64)
    steps = thin_steps(max(g.pv.steps for g in geoms), max_frames)
    typ = {"type": "scatter3d"} if three_d else {}
    on, off = dict(typ, visible=True), dict(typ, visible=False)  # shared: never mutated
    frames = []
    for t in steps.tolist():
        fdata = []
        for g in geoms:
            tp = g.clamp(t)
            flags = [on if e <= tp else off for e in g.seg_ends.tolist()]
            slow = g.pv.slow is not None and not three_d
            fdata.extend(flags)
            if slow:
                fdata.extend(flags)  # the slow-weight chunks show with their segments
            fdata.append(dict(typ, **g.xyz(g.trail_rows(tp))))
            if slow:
                fdata.append(g.slow_trail(tp))
            fdata.append(dict(typ, **g.head(tp)))
        frames.append(dict(name=str(t), data=fdata, traces=animated))
    return frames, steps


def _animation_controls(steps: np.ndarray) -> tuple[list, list]:
    """(updatemenus, sliders) for frames named str(step); the slider starts at the last one."""
    play = dict(label="▶ Play", method="animate",
                args=[None, dict(frame=dict(duration=style.FRAME_MS, redraw=True), fromcurrent=True,
                                 transition=dict(duration=0), mode="immediate")])
    pause = dict(label="❚❚ Pause", method="animate",
                 args=[[None], dict(frame=dict(duration=0, redraw=True), transition=dict(duration=0),
                                    mode="immediate")])
    menus = [dict(type="buttons", direction="left", showactive=False, buttons=[play, pause],
                  x=0.0, xanchor="left", y=0.0, yanchor="top", pad=dict(t=62, r=10),
                  font=dict(size=17))]
    jump = dict(mode="immediate", frame=dict(duration=0, redraw=True), transition=dict(duration=0))
    slider_steps = [dict(method="animate", label=str(s), args=[[str(s)], jump]) for s in steps.tolist()]
    sliders = [dict(active=len(slider_steps) - 1, steps=slider_steps, x=0.2, len=0.8, xanchor="left",
                    y=0.0, yanchor="top", pad=dict(t=52, b=4), ticklen=0, minorticklen=0,
                    # one tick label per step would overlap; the current value names the step
                    font=dict(size=1, color="rgba(0,0,0,0)"),
                    currentvalue=dict(prefix="step ", visible=True, xanchor="right",
                                      font=dict(size=17, color="#262730")),
                    transition=dict(duration=0))]
    return menus, sliders


# ---- 1. contour --------------------------------------------------------------------------------
def contour_figure(surface, paths, *, start=None, grid: int = 120, max_frames: int = 100,
                   height: int = 620, click_grid: int = 40, uirevision=None) -> FastFigure:
    """Filled contour of ``surface`` with every path, animated; see the module docstring.

    Trace order: contour, minima (or saddles, when there are no minima), start, then per path
    its segments, slow-weight chunks (Lookahead only), trail, slow trail (Lookahead only) and
    head, and last the click grid (:data:`CLICK_GRID_NAME`; ``click_grid=0`` leaves it out, e.g.
    for an HTML export).  :func:`trace_roles` lists them.  ``start`` defaults to the
    first path's first point (or the surface's suggested start when there are no paths).
    """
    paths = list(paths)
    vm = value_map(surface)
    xs, ys, f = _grid(surface, grid)
    data: list[dict] = [dict(
        type="contour", name="f", x=_ta(xs), y=_ta(ys), z=_ta(vm(f)),
        zmin=vm.lo, zmax=vm.hi, autocontour=False, colorscale=style.SURFACE_COLORSCALE,
        contours=dict(start=vm.lo, end=vm.hi, size=(vm.hi - vm.lo) / style.CONTOUR_LEVELS,
                      coloring="fill", showlines=True),
        line=dict(color=style.CONTOUR_LINE, width=0.7, smoothing=0.85),
        colorbar=_colorbar(vm), hoverinfo="skip", showlegend=False, meta=dict(role="contour"))]

    if surface.minima or surface.saddles:
        is_min = bool(surface.minima)
        pts = surface.minima or surface.saddles
        what = "minimum" if is_min else "saddle point"
        data.append(dict(
            type="scatter", mode="markers",
            name=(what if len(pts) == 1 else ("minima" if is_min else "saddle points")),
            x=[p.x for p in pts], y=[p.y for p in pts], text=[f"f = {p.f:.6g}" for p in pts],
            marker=style.MINIMUM_MARKER if is_min else style.SADDLE_MARKER, cliponaxis=False,
            legendrank=2000, hovertemplate=f"<b>{what}</b><br>(%{{x:.4~g}}, %{{y:.4~g}})<br>%{{text}}<extra></extra>",
            meta=dict(role="minima" if is_min else "saddles"), **_KEEP_OPAQUE))

    if start is None:
        start = paths[0].path[0] if paths else surface.start
    data.append(dict(
        type="scatter", mode="markers", name="start", x=[float(start[0])], y=[float(start[1])],
        marker=style.START_MARKER, cliponaxis=False, legendrank=2001, meta=dict(role="start"),
        hovertemplate="<b>start</b><br>(%{x:.4~g}, %{y:.4~g})<extra></extra>", **_KEEP_OPAQUE))

    geoms = [_PathGeom(pv, i) for i, pv in enumerate(paths)]
    animated = _add_path_traces(data, geoms, three_d=False)
    if click_grid:
        data.append(_click_grid_trace(surface, int(click_grid)))

    frames, steps = _path_frames(geoms, animated, max_frames, three_d=False)
    layout = _contour_layout(surface, height, uirevision)
    layout["images"] = [_raster_background(surface)]
    if frames:
        layout["updatemenus"], layout["sliders"] = _animation_controls(steps)
    return _make_figure(data, layout, frames)


_RASTERS: dict = {}


def _raster_background(surface, n: int = 240) -> dict:
    """The filled contour again, as a PNG layout image under the traces.

    Plotly removes a contour trace while ``Plotly.animate`` draws a frame and repaints it only
    on the redraw that follows (plotly.js #4491); in a browser without a GPU that repaint takes
    longer than a frame, so while Play ran the paths moved on white.  Layout images are never
    removed, so this picture (the same colour bands and level lines) keeps the background on
    screen; the contour trace on top of it still gives the exact levels when the plot is idle.
    """
    import base64
    import io

    from PIL import Image

    key = (surface.id, surface.values, surface.bounds, surface.contour, n)
    if key in _RASTERS:  # one picture per surface and parameters (a read-only dict: shared)
        return _RASTERS[key]
    vm = value_map(surface)
    (x0, x1), (y0, y1) = surface.bounds
    xs, ys = np.linspace(x0, x1, n), np.linspace(y1, y0, n)  # image rows run top to bottom
    X, Y = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        z = np.asarray(vm(np.asarray(surface.value(X, Y), dtype=np.float64)), dtype=np.float64)
    size = (vm.hi - vm.lo) / style.CONTOUR_LEVELS
    band = np.clip(np.floor((np.nan_to_num(z, nan=vm.hi) - vm.lo) / size), 0, style.CONTOUR_LEVELS - 1)
    t = (band + 0.5) / style.CONTOUR_LEVELS
    stops = np.array([c[0] for c in style.SURFACE_COLORSCALE])
    rgb = np.array([[int(c[1][i:i + 2], 16) for i in (1, 3, 5)] for c in style.SURFACE_COLORSCALE], float)
    img = np.stack([np.interp(t, stops, rgb[:, k]) for k in range(3)], axis=-1)
    edge = np.zeros(band.shape, bool)  # level lines where the band changes
    edge[:, 1:] |= band[:, 1:] != band[:, :-1]
    edge[1:, :] |= band[1:, :] != band[:-1, :]
    img[edge] = img[edge] * 0.72 + np.array([60, 70, 85]) * 0.28
    buf = io.BytesIO()
    Image.fromarray(img.round().astype(np.uint8), "RGB").save(buf, format="PNG", optimize=True)
    uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    if len(_RASTERS) > 64:
        _RASTERS.clear()
    _RASTERS[key] = dict(source=uri, xref="x", yref="y", x=x0, y=y1, sizex=x1 - x0, sizey=y1 - y0,
                         sizing="stretch", layer="below", name="contour-background")
    return _RASTERS[key]


def click_grid_points(surface, n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """The click grid's x and y centres (1D, float64): the centres of an n × n grid of cells
    over the bounds, rounded to two digits past the spacing so that a clicked start reads well
    (e.g. -1.95, 2.05 on Rosenbrock)."""
    (x0, x1), (y0, y1) = surface.bounds

    def centres(a, b):
        d = (b - a) / n
        digits = max(0, math.ceil(-math.log10(d)) + 2)
        return np.round(a + (np.arange(n) + 0.5) * d, digits)

    return centres(x0, x1), centres(y0, y1)


def _click_grid_trace(surface, n: int) -> dict:
    gx, gy = click_grid_points(surface, n)
    X, Y = np.meshgrid(gx, gy)
    with np.errstate(all="ignore"):
        f = np.asarray(surface.value(X, Y), dtype=np.float64).ravel()
    return dict(
        type="scatter", mode="markers", name=CLICK_GRID_NAME, showlegend=False,
        x=_ta(X.ravel()), y=_ta(Y.ravel()), customdata=_ta(np.clip(f, -_F32_MAX, _F32_MAX)),
        # nearly invisible, yet hoverable and selectable (hoverinfo "skip" would disable clicks);
        # maxdisplayed=1 draws a single marker node instead of 1600 (hover, click and selection
        # still use every point), which halves the cost of each animation frame's redraw
        marker=dict(size=6, color="#000000", opacity=0.004, maxdisplayed=1),
        selected=dict(marker=dict(opacity=0.004)), unselected=dict(marker=dict(opacity=0.004)),
        hovertemplate="(%{x:.4~g}, %{y:.4~g})<br>f = %{customdata:.4~g}<extra>click: start here</extra>",
        hoverlabel=dict(bgcolor="rgba(255,255,255,0.92)", font=dict(size=12, color="#262730")),
        meta=dict(role="click-grid"))


def _square_ok(surface) -> bool:
    """Equal x/y scales unless the domain is more than 3:1 (then it would be a sliver)."""
    (x0, x1), (y0, y1) = surface.bounds
    r = (x1 - x0) / (y1 - y0)
    return 1 / 3 <= r <= 3


def _contour_layout(surface, height, uirevision) -> dict:
    (x0, x1), (y0, y1) = surface.bounds
    axis = dict(showgrid=False, zeroline=False, ticks="outside", showline=True, mirror=True,
                linecolor=style.AXIS_LINE, tickfont=dict(size=16), constrain="domain")
    xaxis = dict(axis, range=[x0, x1], title=dict(text="x", font=dict(size=17)))
    yaxis = dict(axis, range=[y0, y1], title=dict(text="y", font=dict(size=17)))
    if _square_ok(surface):
        yaxis.update(scaleanchor="x", scaleratio=1)
    return dict(
        template=style.TEMPLATE, height=int(height), font=style.FONT,
        paper_bgcolor="#ffffff", plot_bgcolor="#ffffff",
        margin=dict(l=60, r=20, t=30, b=120),
        xaxis=xaxis, yaxis=yaxis, hovermode="closest", hoverdistance=20, dragmode="zoom", modebar=dict(orientation="v"),
        legend=dict(orientation="h", x=0.0, xanchor="left", y=1.02, yanchor="bottom",
                    font=dict(size=style.LEGEND_FONT_SIZE), itemsizing="constant",
                    # hiding a path would fight the animation (frames switch its segments on)
                    itemclick=False, itemdoubleclick=False, bgcolor="rgba(255,255,255,0)"),
        uirevision=uirevision if uirevision is not None else f"contour:{surface.id}:{surface.bounds}",
    )


# ---- 2. 3D surface -----------------------------------------------------------------------------
def surface3d_figure(surface, paths, *, grid: int = 60, max_frames: int = 100, height: int = 560,
                     uirevision=None) -> FastFigure:
    """The surface in 3D (log-transformed like the contour) with the paths lifted onto it.

    Trace order: surface, minima (or saddles), start, then per path its segments, trail and
    head (all Scatter3d); frames update only those Scatter3d traces.  Lookahead's slow weights
    are not drawn in 3D.
    """
    paths = list(paths)
    (x0, x1), (y0, y1) = surface.bounds
    vm = value_map(surface)
    if vm.log:  # fewer decades than the contour: a coarse grid makes deep log valleys spiky
        vm = dataclasses.replace(vm, lo=max(vm.lo, vm.hi - LOG_DECADES_3D))
    xs, ys, f = _grid(surface, grid)
    span = vm.hi - vm.lo
    lift = 0.012 * span  # paths float just above the surface, not inside it

    def zof(values):
        return np.clip(vm(values), vm.lo, vm.hi) + lift

    zgrid = np.clip(vm(f), vm.lo, vm.hi)
    data: list[dict] = [dict(
        type="surface", name="f", x=_ta(xs), y=_ta(ys), z=_ta(zgrid),
        cmin=vm.lo, cmax=vm.hi, colorscale=style.SURFACE3D_COLORSCALE, showscale=False,
        hoverinfo="skip", showlegend=False,
        contours=dict(z=dict(show=True, start=vm.lo, end=vm.hi, size=span / 12,
                             color=style.CONTOUR_LINE, width=1, usecolormap=False)),
        lighting=dict(ambient=0.6, diffuse=0.6, specular=0.05, roughness=0.9, fresnel=0.1),
        meta=dict(role="surface"))]

    pts = surface.minima or surface.saddles
    if pts:
        is_min = bool(surface.minima)
        what = "minimum" if is_min else "saddle point"
        data.append(dict(
            type="scatter3d", mode="markers",
            name=(what if len(pts) == 1 else ("minima" if is_min else "saddle points")),
            x=[p.x for p in pts], y=[p.y for p in pts], z=[_r7(v) for v in zof([p.f for p in pts])],
            marker=style.MINIMUM_MARKER_3D if is_min else style.SADDLE_MARKER_3D, legendrank=2000,
            hovertemplate=f"<b>{what}</b><br>(%{{x:.4~g}}, %{{y:.4~g}})<extra></extra>",
            meta=dict(role="minima" if is_min else "saddles")))
    start = paths[0].path[0] if paths else surface.start
    with np.errstate(all="ignore"):
        f_start = float(surface.value(float(start[0]), float(start[1])))
    data.append(dict(
        type="scatter3d", mode="markers", name="start", x=[float(start[0])], y=[float(start[1])],
        z=[_r7(zof([f_start])[0])], marker=style.START_MARKER_3D, legendrank=2001, meta=dict(role="start"),
        hovertemplate="<b>start</b><br>(%{x:.4~g}, %{y:.4~g})<extra></extra>"))

    geoms = [_PathGeom(pv, i, z=zof(pv.loss[: pv.n_valid])) for i, pv in enumerate(paths)]
    animated = _add_path_traces(data, geoms, three_d=True)
    frames, steps = _path_frames(geoms, animated, max_frames, three_d=True)

    ratio = (y1 - y0) / (x1 - x0) if _square_ok(surface) else 1.0
    scale = 1.0 / max(1.0, ratio)
    # five ticks per axis: at 16 px, more overlap in the corners of a 700 px scene
    ax = dict(backgroundcolor="#ffffff", gridcolor=style.GRID_LINE, showspikes=False, nticks=5,
              tickfont=dict(size=style.STAGE_FONT))
    zaxis = dict(ax, title=dict(text=vm.title), range=[vm.lo, vm.hi + lift], nticks=5)
    if vm.log:  # integer decades
        ks = list(range(math.ceil(vm.lo - 1e-9), math.floor(vm.hi + 1e-9) + 1))
        ks = ks[:: math.ceil(len(ks) / 5)] if len(ks) > 5 else ks
        zaxis.update(tickmode="array", tickvals=ks, ticktext=[str(k) for k in ks])
    layout = dict(
        template=style.TEMPLATE, height=int(height), font=style.FONT, paper_bgcolor="#ffffff",
        margin=dict(l=0, r=0, t=30, b=100),
        modebar=dict(orientation="v"),
        scene=dict(
            xaxis=dict(ax, title=dict(text="x"), range=[x0, x1]),
            yaxis=dict(ax, title=dict(text="y"), range=[y0, y1]),
            zaxis=zaxis,
            aspectmode="manual", aspectratio=dict(x=scale, y=ratio * scale, z=0.6),
            camera=_camera(surface, xs, ys, zgrid),
            dragmode="turntable"),
        legend=dict(orientation="h", x=0.0, xanchor="left", y=1.0, yanchor="bottom",
                    font=dict(size=style.LEGEND_FONT_SIZE), itemsizing="constant",
                    itemclick="toggle", itemdoubleclick=False),
        # one uirevision per surface: the camera the user chose survives reruns
        uirevision=uirevision if uirevision is not None else f"surface3d:{surface.id}:{surface.bounds}",
    )
    if frames:
        layout["updatemenus"], layout["sliders"] = _animation_controls(steps)
    return _make_figure(data, layout, frames)


def _camera(surface, xs, ys, z) -> dict:
    """A camera looking down along the surface's valley, when it has a clear one.

    The valley direction is the eigenvector of the smallest eigenvalue of the structure tensor
    mean(∇z ∇zᵀ) of the plotted (normalised) heights; when the larger eigenvalue is over 3 times
    the smaller, the eye looks along it from the front (negative y) side, otherwise from the
    front-left.  Rosenbrock: along its curved valley, from below the start.
    """
    hx, hy = -0.4, -0.92
    (x0, x1), (y0, y1) = surface.bounds
    span = float(z.max() - z.min())
    if span > 0 and len(xs) > 2 and len(ys) > 2:
        zn = (z - z.min()) / span
        gy, gx = np.gradient(zn, (ys - y0) / (x1 - x0), (xs - x0) / (x1 - x0))
        t = np.array([[np.mean(gx * gx), np.mean(gx * gy)], [np.mean(gx * gy), np.mean(gy * gy)]])
        w, v = np.linalg.eigh(t)
        if np.all(np.isfinite(w)) and w[1] > 3 * max(w[0], 1e-300):
            hx, hy = float(v[0, 0]), float(v[1, 0])
            if hx * -0.4 + hy * -0.92 < 0:  # prefer the front-left side
                hx, hy = -hx, -hy
    r = 1.0  # close enough that the surface fills a projector-sized scene
    return dict(eye=dict(x=round(r * hx, 3), y=round(r * hy, 3), z=1.2), center=dict(x=0, y=0, z=-0.2))


# ---- 3. loss / 4. distance ---------------------------------------------------------------------
def _line_layout(height, ytitle, log, showlegend, uirevision, ymax=None, values=()) -> dict:
    axis = dict(showgrid=True, gridcolor=style.GRID_LINE, zeroline=False, ticks="outside", showline=True,
                linecolor=style.AXIS_LINE, tickfont=dict(size=16), exponentformat="power")
    yaxis = dict(axis, title=dict(text=ytitle, font=dict(size=17)))
    if log:
        yaxis.update(type="log")
        ys = [v[0] for v in values if len(v[0])]
        if ys:  # under ~2.5 decades Plotly labels every minor tick (2, 3, ... 9): use 1-2-5
            lo = float(min(y.min() for y in ys))
            hi = float(min(max(y.max() for y in ys), ymax if ymax is not None else np.inf))
            if lo > 0 and math.log10(hi / lo) < 2.5:
                yaxis["dtick"] = "D2"
    if ymax is not None:
        # the autorange stops here: a run blowing up must not flatten every other curve
        # (Plotly takes it in axis units: log10 of the value on a log axis)
        yaxis["autorangeoptions"] = dict(maxallowed=math.log10(ymax) if log else float(ymax))
    return dict(
        template=style.TEMPLATE, height=int(height), font=style.FONT,
        paper_bgcolor="#ffffff", plot_bgcolor="#ffffff",
        margin=dict(l=70, r=20, t=30, b=50),
        xaxis=dict(axis, title=dict(text="step", font=dict(size=17)), rangemode="tozero"),
        yaxis=yaxis, hovermode="closest", showlegend=showlegend,
        legend=dict(orientation="h", x=0.0, xanchor="left", y=1.02, yanchor="bottom",
                    font=dict(size=style.LEGEND_FONT_SIZE)),
        uirevision=uirevision,
    )


def _series_traces(paths, values, hover_value) -> list[dict]:
    """One line per path (plus an × where a diverged run stopped).  ``values`` holds, per
    path, the plotted y and the hover customdata (or None).  x is the step, implicit
    (``x0 = 0, dx = 1``); y and customdata go as float32 (clipped into its range; log axes
    are floored at 1e-16 of their scale, well inside it)."""
    data = []
    for i, (pv, (y, extra)) in enumerate(zip(paths, values)):
        n = len(y)
        cd = {} if extra is None else {"customdata": _ta(np.clip(extra, -_F32_MAX, _F32_MAX))}
        data.append(dict(
            type="scatter", mode="lines", name=legend_label(pv), legendgroup=f"path{i}",
            x0=0, dx=1, y=_ta(np.clip(y, -_F32_MAX, _F32_MAX)), **cd,
            line=dict(color=pv.color, width=2.2, dash=pv.dash),
            hovertemplate="<b>%{fullData.name}</b><br>step %{x}<br>" + hover_value + "<extra></extra>",
            meta=dict(role="series", path=i)))
        if pv.diverged_at >= 0:
            data.append(dict(
                type="scatter", mode="markers", name=legend_label(pv), legendgroup=f"path{i}",
                showlegend=False, x=[n - 1], y=[_r7(y[-1])],
                marker=dict(symbol="x", size=11, color=pv.color),
                hovertemplate=f"<b>%{{fullData.name}}</b><br>last finite step {n - 1}<extra></extra>",
                meta=dict(role="diverged", path=i)))
    return data


def loss_figure(paths, f_min, *, height: int = 340, showlegend: bool = False,
                uirevision="loss", clip_diverged: bool = True) -> FastFigure:
    """f − f* against step on a log axis (raw f on a linear axis when ``f_min`` is nan).

    Diverged runs stop at their last finite step (marked ×).  Values of f − f* at or below
    1e-16 · max(1, |f*|) (float64 resolution) are drawn at that floor; hover shows the loss
    (customdata) and f − f*.  With ``clip_diverged`` the log axis's autorange stops at 1000 × the
    largest start / non-diverged value, so a blow-up does not flatten the other curves (the
    diverging line runs off the top; zooming out still shows it).  Trace order: per path its
    line (and its × when it diverged).
    """
    paths = list(paths)
    f_min = math.nan if f_min is None else float(f_min)
    log = math.isfinite(f_min)
    floor = _RESOLUTION * max(1.0, abs(f_min)) if log else 0.0
    values = []
    for pv in paths:
        loss = pv.loss[: pv.n_valid]
        values.append((np.maximum(loss - f_min, floor), loss) if log else (loss, None))
    hover = ("loss = %{customdata:.6~g}<br>f − f* = %{y:.3~g}" if log else "loss = %{y:.6~g}")
    ymax = None
    if log and clip_diverged and values:
        # a thousand times the worst of: every start, every run that did not diverge
        ref = [v[0][0] for v in values] + [v[0].max() for pv, v in zip(paths, values) if pv.diverged_at < 0]
        cap = 1e3 * max(ref)
        if max(v[0].max() for v in values) > cap:
            ymax = cap
    return _make_figure(_series_traces(paths, values, hover),
                        _line_layout(height, "f − f*" if log else "f", log, showlegend, uirevision, ymax,
                                     values))


def distance_figure(paths, surface, *, height: int = 340, showlegend: bool = False,
                    uirevision="distance", clip_diverged: bool = True) -> FastFigure:
    """Euclidean distance from each step's point to the nearest listed minimum (or saddle, when
    the surface lists no minimum) against step, log y; floored at 1e-16 × the domain's diagonal.
    With ``clip_diverged`` the autorange stops at ten domain diagonals.  With nothing listed
    the figure is empty, with a note."""
    paths = list(paths)
    pts = surface.minima or surface.saddles
    what = "minimum" if surface.minima else "saddle point"
    if not pts:
        layout = _line_layout(height, "distance", False, showlegend, uirevision)
        layout["annotations"] = [dict(text="this surface lists no minimum", showarrow=False,
                                      xref="paper", yref="paper", x=0.5, y=0.5)]
        return _make_figure([], layout)
    from studies.metrics import distance_to_targets

    floor = _RESOLUTION * surface.size
    values = [(np.maximum(distance_to_targets(pv.path[: pv.n_valid], surface), floor), None) for pv in paths]
    hover = f"distance to the nearest {what} = %{{y:.3~g}}"
    title = f"distance to nearest {what}" if len(pts) > 1 else f"distance to {what}"
    cap = 10.0 * surface.size  # ten diagonals: far off the picture
    ymax = cap if clip_diverged and any(v[0].max() > cap for v in values) else None
    return _make_figure(_series_traces(paths, values, hover),
                        _line_layout(height, title, True, showlegend, uirevision, ymax, values))


# ---- selection helpers (pure: they read the dict Streamlit returns) --------------------------
def trace_roles(fig) -> list[str]:
    """The role of every trace, in order: contour / surface, minima, saddles, start, segment,
    slow, trail, slow-trail, head, click-grid, series, diverged."""
    return [(tr.meta or {}).get("role", "") if isinstance(tr.meta, dict) else "" for tr in fig.data]


def click_grid_index(fig) -> int | None:
    """The trace index (Plotly's ``curve_number``) of the click grid, or None."""
    for i in range(len(fig.data) - 1, -1, -1):
        if fig.data[i].name == CLICK_GRID_NAME:
            return i
    return None


def snap_to_click_grid(x, y, surface, n: int = 40):
    """The click-grid point at (x, y) as exact, rounded floats, or None when (x, y) is not one
    (within a thousandth of the grid spacing: the JSON carries float32 coordinates)."""
    try:
        x, y = float(x), float(y)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(x) and math.isfinite(y)):
        return None
    gx, gy = click_grid_points(surface, n)
    i, j = int(np.abs(gx - x).argmin()), int(np.abs(gy - y).argmin())
    (x0, x1), (y0, y1) = surface.bounds
    if abs(gx[i] - x) > 1e-3 * (x1 - x0) / n or abs(gy[j] - y) > 1e-3 * (y1 - y0) / n:
        return None
    return float(gx[i]), float(gy[j])


def start_from_selection(selection, surface, *, click_grid: int = 40, curve_number: int | None = None):
    """The new start (x, y) picked by a click in the contour chart, or None.

    ``selection`` is what ``st.plotly_chart(..., on_select="rerun")`` returns (or its
    ``.selection``; a plain dict works too).  Only click-grid points count: those of trace
    ``curve_number`` when given (see :func:`click_grid_index`), otherwise any selected point that
    sits exactly on the click grid.  The last such point wins.
    """
    if not selection:
        return None
    if "selection" in selection:
        selection = selection["selection"]
    points = (selection or {}).get("points") or []
    for pt in reversed(list(points)):
        if curve_number is not None and pt.get("curve_number", pt.get("curveNumber")) != curve_number:
            continue
        snapped = snap_to_click_grid(pt.get("x"), pt.get("y"), surface, click_grid)
        if snapped is not None:
            return snapped
    return None
