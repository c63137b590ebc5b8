"""The stage's internals payload: charts of what drives one optimizer's steps, and the arrows.

:func:`internals_payload` turns a :class:`studies.internals.Internals` into the ``internals``
entry of the stage's payload (``plots.stage.stage_payload(..., internals=...)``); the stage
(``ui/stage/stage.js``) draws one chart per group under the plot, with the same cursor as the
loss chart, and the arrows at the inspected path's current point, all in the browser (Play, the
scrubber and ← → never go back to the server).  Nothing is computed here but drawing data.

Size: the charts' series are thinned to at most ``max_points`` rows (the steps in ``steps``,
shared by every series) and sent as float32; the arrows' vectors (the gradient and the momentum
at every step, the step itself comes from the path) at full resolution, because ← → visits
every step.  Adam on 300 steps: ~30 kB of JSON.
"""
from __future__ import annotations

import math

import numpy as np

from .explore import _ta, _ta_clipped

#: the colour of bounds, thresholds and the slow weights (the optimizer's own colour is the rest)
BOUND = "#5c6270"
#: the arrows: −∇f, −m and the step (also their legend's swatches)
ARROW_COLORS = {"grad": "#e0001b", "momentum": "#1d4ed8", "step": "#d100d1"}  # none is a path colour


def _rows(n: int, max_points: int) -> np.ndarray:
    """At most ~``max_points`` rows of n, evenly spaced, the first and last kept."""
    stride = max(1, math.ceil(n / max(2, max_points)))
    return np.unique(np.r_[np.arange(0, n, stride), n - 1])


def _chart(group, rows: np.ndarray, color: str) -> dict:
    series = []
    for s in group.series:
        c = color if s.role == "main" else BOUND
        v = s.values[rows]
        if s.per_coordinate:
            dash = ("solid", "dash") if s.role == "main" else ("dot", "dashdot")
            for k, axis in enumerate("xy"):
                series.append(dict(name=f"{s.name} ({axis})", color=c, dash=dash[k], y=_ta_clipped(v[:, k])))
        else:
            series.append(dict(name=s.name, color=c, dash="solid" if s.role == "main" else "dot", y=_ta_clipped(v)))
    return dict(key=group.key, title=group.title, ytitle=group.ytitle, log=bool(group.log),
                marks=[[int(t), str(label)] for t, label in group.marks], series=series)


def internals_payload(ins, path_index: int, label: str, color: str, *, arrows: bool = False,
                      n_valid: int | None = None, max_points: int = 600) -> dict:
    """The stage's ``internals`` entry for ``ins`` (path ``path_index`` of the stage, drawn in
    ``color``); with ``arrows``, the vectors of the arrows at every step (rows before
    ``n_valid``)."""
    n = len(ins.grad) if n_valid is None else max(1, int(n_valid))
    rows = _rows(n, max_points)
    out = dict(path=int(path_index), color=color,
               title=f"Inside {path_index + 1}. {label}: what drives its steps",
               legend="Against the step, like the loss · x coordinate: solid line, y: dashed · grey: bounds, thresholds",
               steps=_ta(rows, np.int32), charts=[_chart(g, rows, color) for g in ins.groups])
    if arrows:
        arr = dict(gx=_ta_clipped(ins.grad[:n, 0]), gy=_ta_clipped(ins.grad[:n, 1]), colors=ARROW_COLORS)
        if ins.momentum is not None:
            arr.update(mx=_ta_clipped(ins.momentum[:n, 0]), my=_ta_clipped(ins.momentum[:n, 1]))
        out["arrows"] = arr
    return out
