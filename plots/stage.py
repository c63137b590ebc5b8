"""The Explore stage's payload: everything the browser needs to draw one view (pure; no Streamlit).

The stage (``ui/stage/stage.js``) draws the contour once with Plotly and the paths on a canvas
over it, so Play, the step scrubber and the hyperparameter scrubber never go back to the
server.  :func:`stage_payload` turns a surface and :class:`~plots.explore.PathView` records
into that payload: plain JSON, arrays as base64 float32 (the ``{dtype, bdata}`` form Plotly
uses).  Nothing is computed here but the drawing data; runs and scrub families come from
``studies``.

Payload size: each path sends x, y and the loss at every drawn step (12 bytes a step before
base64), and the contour a 120 × 120 grid of 16-bit levels (~38 KB).  Distances to the minima are
computed in the browser from the path.
"""
from __future__ import annotations

import base64
import hashlib
import json
import math

import numpy as np

from . import style
from .explore import _colorbar, _grid, _ta, _ta_clipped, status_text, thin_steps, value_map

VIEWS = ("overlay", "panels", "3d", "both")


def _markers(surface, start) -> list[dict]:
    out = []
    if surface.minima:
        out.append(dict(name="minimum", x=[m.x for m in surface.minima], y=[m.y for m in surface.minima],
                        marker=dict(style.MINIMUM_MARKER, size=22)))
    elif surface.saddles:
        out.append(dict(name="saddle point", x=[m.x for m in surface.saddles],
                        y=[m.y for m in surface.saddles], marker=dict(style.SADDLE_MARKER, size=16)))
    if start is not None:
        out.append(dict(name="start", x=[float(start[0])], y=[float(start[1])],
                        marker=dict(style.START_MARKER, size=15)))
    return out


def _contour(surface, grid: int) -> dict:
    vm = value_map(surface)
    xs, ys, f = _grid(surface, grid)
    cb = _colorbar(vm)
    z = np.nan_to_num(vm(f), nan=vm.hi, posinf=vm.hi, neginf=vm.lo)
    # z quantised to 16 bits over [zmin, zmax] (1/65535 of the colour range: far below what a
    # contour level can show; half the bytes of float32)
    span = (vm.hi - vm.lo) or 1.0
    q = np.rint(np.clip((z - vm.lo) / span, 0.0, 1.0) * 65535.0).astype("<u2")
    zq = {"dtype": "u2", "bdata": base64.b64encode(q.reshape(-1).tobytes()).decode("ascii")}
    return dict(x=_ta(xs), y=_ta(ys), z=zq, zmin=vm.lo, zmax=vm.hi,
                size=(vm.hi - vm.lo) / style.CONTOUR_LEVELS, colorscale=style.SURFACE_COLORSCALE,
                line=style.CONTOUR_LINE, colorbar_title=vm.colorbar_title,
                tickvals=cb.get("tickvals"), ticktext=[t.replace("<sup>", "^").replace("</sup>", "")
                                                       for t in cb.get("ticktext", [])] or None)


def _path(pv) -> dict:
    n = pv.n_valid
    out = dict(label=pv.label, color=pv.color, dash=pv.dash, n=n, status=status_text(pv),
               x=_ta(pv.path[:n, 0]), y=_ta(pv.path[:n, 1]),
               loss=_ta_clipped(pv.loss[:n]))
    if pv.lrs is not None:
        out["lr"] = _ta(pv.lrs[:n])
    if pv.slow is not None and len(pv.slow):
        keep = np.isfinite(pv.slow).all(axis=1) & (pv.slow_steps < n)
        out["slow"] = dict(x=_ta(pv.slow[keep, 0]), y=_ta(pv.slow[keep, 1]),
                           steps=_ta(pv.slow_steps[keep], np.int32))
    return out


def scrub_payload(family, path_index: int, current: float, max_points: int = 600) -> dict:
    """The hyperparameter scrubber's data: one path per value of ``family`` (a
    ``studies.scrub.Family``), thinned to at most ``max_points`` rows each (the last row
    kept), and the index of the value closest to ``current``."""
    values = [float(v) for v in family.values]
    cur = int(np.argmin([abs(math.log(v) - math.log(current)) if v > 0 and current > 0 else abs(v - current)
                         for v in values]))
    paths, ns = [], []
    for p, n in zip(family.paths, family.n_valid):
        n = max(1, int(n))
        rows = np.unique(np.r_[np.arange(0, n, max(1, math.ceil(n / max_points))), n - 1])
        paths.append(dict(x=_ta(p[rows, 0]), y=_ta(p[rows, 1])))
        ns.append(len(rows))
    return dict(path=int(path_index), name=family.name, values=values, current=cur, paths=paths, n=ns)


def payload_bytes(payload: dict) -> bytes:
    """The payload as compact JSON bytes, without its ``step`` (which differs per session): the
    form one computation shares with every session showing the same picture."""
    body = {k: v for k, v in payload.items() if k != "step"}
    return json.dumps(body, separators=(",", ":")).encode()


def with_step(blob: bytes, step, lesson: dict | None = None) -> bytes:
    """``blob`` (from :func:`payload_bytes`) with this session's ``step`` added, and on a
    lesson's page its ``lesson`` (``{"s": step number, "n": steps}``: ← and → then move through
    the lesson in presenter mode)."""
    tail = b"null" if step is None else str(int(step)).encode()
    if lesson is not None:
        tail += b',"lesson":' + json.dumps({"s": int(lesson["s"]), "n": int(lesson["n"])}).encode()
    return blob[:-1] + b',"step":' + tail + b"}"


def stage_payload(surface, paths, *, view: str = "overlay", present: bool = False, step=None,
                  start=None, scrub: dict | None = None, internals: dict | None = None,
                  plotly_src: str = "app/static/plotly.min.js",
                  grid: int = 120, max_frames: int = style.MAX_FRAMES, fps: int = style.PLAY_FPS) -> dict:
    """The stage's JSON payload for ``paths`` (PathView records) on ``surface``.

    ``view`` is ``overlay`` (one plot, legend), ``panels`` (one plot per path), or ``charts``
    (only the loss and distance charts, under a 3D view); ``step`` the step shown first (None:
    the last); ``scrub`` a :func:`scrub_payload`; ``internals`` a
    :func:`plots.internals.internals_payload` (charts of one optimizer's internals, arrows).  ``rev`` identifies everything but ``step``,
    so the browser rebuilds only when the picture changes.
    """
    paths = list(paths)
    if view not in ("overlay", "panels", "charts"):
        raise ValueError(f"view must be overlay, panels or charts, not {view!r}")
    (x0, x1), (y0, y1) = surface.bounds
    steps = max((pv.steps for pv in paths), default=0)
    targets = [(m.x, m.y) for m in (surface.minima or surface.saddles)]
    has_min = bool(surface.minima)
    f_min = float(surface.f_min) if has_min and math.isfinite(surface.f_min) else 0.0
    scale = max((abs(float(pv.loss[0]) - f_min) for pv in paths if np.isfinite(pv.loss[0])), default=1.0)
    charts = [dict(kind="loss", log=has_min, height=380,
                   title="Loss f − f* (log scale)" if has_min else "Loss f",
                   ytitle="f − f*" if has_min else "f")]
    if targets:
        charts.append(dict(kind="dist", log=True, height=380,
                           title="Distance to the nearest minimum" if has_min else "Distance to the saddle point",
                           ytitle="distance"))
    lrs = [np.asarray(pv.lrs, dtype=float) for pv in paths if pv.lrs is not None]
    if lrs:  # a learning-rate schedule: the lr of every path against the same scrubber
        lo = min(float(np.nanmin(a)) for a in lrs)
        hi = max(float(np.nanmax(a)) for a in lrs)
        charts.append(dict(kind="lr", log=bool(lo > 0 and hi > 20 * lo), height=300,
                           title="Learning rate of each step (the schedule)", ytitle="lr"))
    payload = dict(
        view=view, present=bool(present), font=style.PRESENTER_FONT if present else style.STAGE_FONT,
        fps=int(fps), steps=int(steps), frames=thin_steps(steps, max_frames).tolist(),
        bounds=[[float(x0), float(x1)], [float(y0), float(y1)]],
        contour=_contour(surface, grid), markers=_markers(surface, start),
        paths=[_path(pv) for pv in paths], targets=[[float(a), float(b)] for a, b in targets],
        loss_log=has_min, loss_ref=f_min, loss_floor=1e-16 * max(scale, 1e-300),
        dist_floor=1e-16 * float(surface.size), charts=charts, scrub=scrub, plotly=plotly_src,
        internals=internals,
    )
    payload["rev"] = hashlib.blake2b(json.dumps(payload, sort_keys=True).encode(), digest_size=12).hexdigest()
    payload["step"] = None if step is None else int(min(max(int(step), 0), steps))
    return payload
