"""Cached computations for the pages: warm-up, runs and scrub families.

``st.cache_data`` is keyed by the settings' URL text (a plain string, cheap to hash); the
settings themselves ride along unhashed (``_settings``), so nothing parses the URL again.  It
returns copies, so sessions never share mutable state.  ``st.cache_resource`` warms the kernels once
per process.  The computing itself lives in ``studies``.
"""
from __future__ import annotations

import streamlit as st

import optimizers
from studies import scrub
from studies.metrics import TOL  # noqa: F401  (the page's tolerance, re-exported)
from studies.runs import RunResult, explore_runs  # noqa: F401

from .settings import ExploreSettings


@st.cache_resource(show_spinner=False)
def warm_kernels() -> float:
    """Compile or load every kernel once per server process; returns the seconds it took."""
    return optimizers.warmup()


@st.cache_data(max_entries=512, show_spinner=False)
def compute_runs(key: str, _settings: ExploreSettings) -> list[RunResult]:
    """Runs for ``_settings``, whose URL text is ``key`` (cached across sessions)."""
    return explore_runs(_settings)


@st.cache_data(max_entries=128, show_spinner=False)
def scrub_family(key: str, index: int, name: str, _settings: ExploreSettings) -> scrub.Family:
    """The scrubber's family of runs for optimizer ``index`` and hyperparameter ``name``."""
    return scrub.family(_settings, index, name)
