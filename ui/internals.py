"""Explore's optimizer internals: the controls, the cached computation and the stage's payload.

"Show internals" picks one optimizer of the view; the stage then draws, under the plot, charts of
what drives its steps (``studies.internals``: effective step sizes, moments, bias corrections,
bounds, ρ_t, ξ, slow and fast weights) against the same step scrubber, and with "Arrows" the
gradient, momentum and step at its current point on the plot.  The state lives in
``st.session_state`` (``_inspect``: the optimizer's index or None, ``_arrows``) and in the URL
(``inspect=<n>``, 1-based, ``arrows=1``; ``ui.settings``).  The recorded run costs a second
engine run with ``record_state=True``, made only while the view is on and cached by the runs'
key, shared read-only by every session.
"""
from __future__ import annotations

import streamlit as st

from plots import internals as PI
from studies import internals as SI

from .heavy import freeze

ss = st.session_state


def state(n_opts: int) -> tuple[int | None, bool]:
    """(the inspected optimizer's index or None, arrows on), kept in range of ``n_opts``."""
    idx = ss.get("_inspect")
    if idx is not None and not 0 <= int(idx) < n_opts:
        idx = ss["_inspect"] = n_opts - 1 if n_opts else None
    return idx, bool(ss.get("_arrows", False)) and idx is not None


def remember(settings) -> None:
    """On a session's first visit: the URL's choice."""
    ss["_inspect"], ss["_arrows"] = settings.internals, settings.arrows


def _on_toggle() -> None:
    ss["_inspect"] = int(ss.get("ins_opt") or 0) if ss.get("ins_on") else None


def _on_pick() -> None:
    if ss.get("ins_on"):
        ss["_inspect"] = int(ss.get("ins_opt") or 0)


def _on_arrows() -> None:
    ss["_arrows"] = bool(ss.get("ins_arrows"))


def controls(settings) -> None:
    """The row of controls: Show internals, which optimizer, arrows on the plot."""
    n = len(settings.optimizers)
    on = settings.internals is not None
    ss["ins_on"] = on
    ss["ins_opt"] = settings.internals if on else min(int(ss.get("ins_opt") or 0), n - 1)
    ss["ins_arrows"] = bool(ss.get("_arrows", False))
    row = st.container(horizontal=True, vertical_alignment="center")
    row.toggle("Show internals", key="ins_on", on_change=_on_toggle,
               help="Charts of what drives one optimizer's steps (effective step size, moments, bias "
                    "corrections, bounds…) under the plot, against the same step scrubber.")
    if on:
        row.selectbox("Inspect", range(n), key="ins_opt", on_change=_on_pick, label_visibility="collapsed", width=440,
                      format_func=lambda i: f"Inspect {i + 1}. {settings.optimizers[i].label()}")
        row.toggle("Arrows on the plot", key="ins_arrows", on_change=_on_arrows,
                   help="At its current point: −∇f (steepest descent), −m (momentum) and the actual "
                        "step θ_{t+1} − θ_t. They follow Play, the scrubber and ← →.")


@st.cache_resource(max_entries=64, show_spinner=False)
def compute_internals(key: str, index: int, _settings) -> SI.Internals:
    """The internals of optimizer ``index`` of ``_settings`` (the runs' settings, whose cache key
    is ``key``): one recorded run, shared read-only across sessions."""
    _, ins = SI.inspect_run(_settings, index)
    freeze(ins)
    for g in ins.groups:
        for s in g.series:
            freeze(s)
    return ins


def payload(settings, core, key: str, views) -> dict | None:
    """The stage's ``internals`` entry for ``settings`` (None when the view is off); ``core``
    are the runs' settings (cache key ``key``), ``views`` the stage's PathViews."""
    i = settings.internals
    if i is None or not 0 <= i < len(views):
        return None
    with st.spinner("Recording the optimizer's state…"):
        ins = compute_internals(key, i, core)
    pv = views[i]
    return PI.internals_payload(ins, i, pv.label, pv.color, arrows=settings.arrows, n_valid=pv.n_valid)
