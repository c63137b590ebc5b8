"""Cached computations for the pages: warm-up and optimizer runs.

``st.cache_data`` is keyed by the settings' URL text (a plain string, cheap to hash); it returns
copies, so sessions never share mutable state.  ``st.cache_resource`` warms the kernels once
per process.
"""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import streamlit as st

import optimizers

from .settings import ExploreSettings, from_query

TOL = 1e-6  # "reached the minimum": f − f* ≤ TOL


@st.cache_resource(show_spinner=False)
def warm_kernels() -> float:
    """Compile or load every kernel once per server process; returns the seconds it took."""
    return optimizers.warmup()


@dataclasses.dataclass
class RunResult:
    """An engine :class:`optimizers.Run` plus what the page shows about it.

    ``path``, ``loss``, ``diverged_at``, ``hyperparams``, ``slow``... are the run's own.
    """

    label: str
    config_text: str
    run: optimizers.Run
    dist: np.ndarray  # distance to the nearest minimum (or saddle) at every step
    tol_step: int  # first step with f − f* ≤ TOL, −1 if never (or no minimum)

    def __getattr__(self, name):
        run = self.__dict__.get("run")
        if run is None:
            raise AttributeError(name)
        return getattr(run, name)


def _runs(settings: ExploreSettings) -> list[RunResult]:
    surf = settings.surface_obj()
    pts = np.array([(m.x, m.y) for m in (surf.minima or surf.saddles)] or [(np.nan, np.nan)])
    out = []
    for cfg in settings.optimizers:
        r = optimizers.run(cfg.id, surf, settings.start, settings.steps, variant=cfg.variant,
                           noise=settings.noise, seed=settings.seed, **cfg.kwargs())
        d = np.min(np.hypot(r.path[:, None, 0] - pts[None, :, 0], r.path[:, None, 1] - pts[None, :, 1]), axis=1)
        tol_step = -1
        if surf.minima:
            hit = np.nonzero(r.loss - surf.f_min <= TOL)[0]
            tol_step = int(hit[0]) if len(hit) else -1
        out.append(RunResult(cfg.label(), cfg.to_text(), r, d, tol_step))
    return out


@st.cache_data(max_entries=512, show_spinner=False)
def compute_runs(query_json: str) -> list[RunResult]:
    """Runs for the settings whose URL form is ``query_json`` (cached across sessions)."""
    settings, _ = from_query(json.loads(query_json))
    return _runs(settings)
