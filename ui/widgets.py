"""Building sliders from registry metadata (no special cases by name)."""
from __future__ import annotations

import math

import numpy as np

_NICE = (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)


def log_options(lo: float, hi: float, current: float | None = None) -> list[float]:
    """1, 1.5, 2, 3, 5, 7 per decade within [lo, hi], plus ``current`` (so URLs round-trip exactly)."""
    vals = {float(f"{m * 10.0 ** e:.6g}") for e in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1)
            for m in _NICE}
    vals = {v for v in vals if lo <= v <= hi} | {float(lo), float(hi)}
    if current is not None and lo <= current <= hi:
        vals.add(float(current))
    return sorted(vals)


def linear_options(lo: float, hi: float, current: float | None = None) -> list[float]:
    """At most about 100 even (1-2-5) steps in [lo, hi]; ranges that end just below 1 (decay rates) also get the
    values that matter there: 0.99, 0.995, 0.999, 0.9995, 0.9999, 0.99999."""
    step = 1.0
    if hi > lo:  # the smallest 1-2-5 step that gives at most ~100 stops
        raw = (hi - lo) / 100.0
        e = 10.0 ** math.floor(math.log10(raw))
        step = next(m * e for m in (1.0, 2.0, 5.0, 10.0) if m * e >= raw * (1 - 1e-12))
    first = math.ceil(lo / step - 1e-9) * step  # stops on multiples of the step
    vals = {float(f"{v:.10g}") for v in np.arange(first, hi + step / 2, step)}
    if hi < 1.0 and hi > 0.99:
        vals |= {v for v in (0.95, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9999, 0.99995, 0.99999) if lo <= v <= hi}
    vals |= {float(lo), float(hi)}
    if current is not None and lo <= current <= hi:
        vals.add(float(current))
    return sorted(v for v in vals if lo <= v <= hi)


def options_for(h, current=None) -> list[float]:
    """Slider positions for a Hyperparam or surface Param (anything with lo, hi and a scale)."""
    scale = getattr(h, "scale", "linear")
    if scale == "log":
        return log_options(h.lo, h.hi, current)
    return linear_options(h.lo, h.hi, current)


def fmt(v) -> str:
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if v == 0:
        return "0"
    a = abs(v)
    if a < 1e-3 or a >= 1e4:
        return f"{v:.3g}"
    return f"{v:.6g}"


def optimizer_label(oid: str) -> str:
    """An optimizer's name in pickers, marked when it is not one of the survey's."""
    import optimizers
    from optimizers.base import GROUPS

    spec = optimizers.OPTIMIZERS[oid]
    return spec.name if spec.group == "survey" else f"{spec.name} · {GROUPS[spec.group]}"


_MD_SPECIAL = set("\\`*_{}[]()<>#+-.!|~$:&\"'=")


_NO_AUTOLINK = set(":@.")  # after a zero-width space: no "http://", "www." or "a@b.c" links


def md_escape(text: str) -> str:
    """``text`` (from a URL or a user) made inert for Streamlit's Markdown: every ASCII
    punctuation character that Markdown, its LaTeX ($), its colour and icon directives (:) or
    HTML entities (&) could act on is backslash-escaped, a zero-width space precedes ':', '@' and
    '.' (so nothing is auto-linked), and newlines become spaces."""
    out = []
    for ch in str(text):
        if ch in _NO_AUTOLINK:
            out.append("\u200b")
        out.append("\\" + ch if ch in _MD_SPECIAL else (" " if ch in "\r\n" else ch))
    return "".join(out)


# ---- Streamlit widgets shared by every page -----------------------------------------------------
def slider(label: str, h, key: str, help: str | None = None, on_change=None):
    """The one slider builder: a widget for a registry ``Hyperparam`` or a surface ``Param``
    (anything with lo, hi, default and a scale): an integer slider, or a select slider over
    nice log / linear stops that always includes the current value exactly (so URLs
    round-trip).  The value lives in ``st.session_state[key]`` (the default when unset)."""
    import streamlit as st

    ss = st.session_state
    if key not in ss:
        ss[key] = h.default
    if getattr(h, "integer", False):
        return st.slider(label, int(h.lo), int(h.hi), key=key, step=1, help=help, on_change=on_change)
    cur = float(ss[key])  # read once: each session-state read costs ~30 µs
    opts = options_for(h, cur)
    ss[key] = min(opts, key=lambda o: abs(o - cur))
    return st.select_slider(label, options=opts, key=key, format_func=fmt, help=help, on_change=on_change)


def optimizer_picker(label: str, key: str, choices=None, *, on_change=None, args=None,
                     label_visibility: str = "visible", container=None, help: str | None = None):
    """The one optimizer picker: a select box over registry ids (all, or ``choices``), each
    shown by :func:`optimizer_label` (marked when it is not one of the survey's)."""
    import streamlit as st

    import optimizers

    where = container if container is not None else st
    return where.selectbox(label, list(choices if choices is not None else optimizers.OPTIMIZERS), key=key,
                           format_func=optimizer_label, on_change=on_change, args=args,
                           label_visibility=label_visibility, help=help)
