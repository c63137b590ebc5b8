"""Cached computations for the pages: warm-up, runs and scrub families.

Every cache is keyed by the settings' URL text (a plain string, cheap to hash); the settings
themselves ride along unhashed (``_settings``), so nothing parses the URL again.  The results
are shared read-only by every session of the process (``st.cache_resource``: no copy per
reader; their arrays are made read-only), so a class opening the same link costs one
computation and one serialised stage.  The computing itself lives in ``studies``.
"""
from __future__ import annotations

import streamlit as st

import optimizers
from plots.stage import payload_bytes
from studies import scrub
from studies.metrics import TOL  # noqa: F401  (the page's tolerance, re-exported)
from studies.runs import RunResult, explore_runs  # noqa: F401

from .heavy import freeze
from .settings import ExploreSettings


@st.cache_resource(show_spinner=False)
def warm_kernels() -> float:
    """Compile or load every built-in kernel once per server process; returns the seconds it took.

    The loops custom surfaces share are loaded at a typed formula's first use (about 0.15 s
    per optimizer from the disk cache, which ``scripts/serve.sh`` fills with
    ``optimizers.warmup(jobs=...)``): most sessions never type one."""
    return optimizers.warmup(custom=False)


@st.cache_resource(max_entries=512, show_spinner=False)
def compute_runs(key: str, _settings: ExploreSettings) -> tuple[RunResult, ...]:
    """Runs for ``_settings``, whose URL text is ``key`` (shared read-only across sessions)."""
    runs = explore_runs(_settings)
    for r in runs:
        freeze(r)
        freeze(r.run)
    return tuple(runs)


@st.cache_resource(max_entries=128, show_spinner=False)
def scrub_family(key: str, index: int, name: str, _settings: ExploreSettings) -> scrub.Family:
    """The scrubber's family of runs for optimizer ``index`` and hyperparameter ``name``."""
    return scrub.family(_settings, index, name)


@st.cache_resource(max_entries=256, show_spinner=False)
def stage_blob(key: str, _build) -> bytes:
    """The stage's payload for ``key`` (everything it depends on but the step) as JSON bytes,
    serialised once and shared by every session showing it; ``_build()`` makes the payload."""
    return payload_bytes(_build())
