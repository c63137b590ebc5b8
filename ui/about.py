"""The About page: what Gradscape is, the survey it follows, how the optimizers were verified.

Every list on this page is derived from the registries, so a new optimizer or surface appears
here with no edit.
"""
from __future__ import annotations

import streamlit as st

import optimizers
import surfaces
from optimizers.base import GROUPS, SURVEY


def catalogue_rows(group: str) -> list[dict]:
    """One row per optimizer of ``group``: name, what it is checked against, citation."""
    return [{"optimizer": s.name, "id": s.id,
             "checked against": "; ".join(s.reference[v] for v in s.variants),
             "paper": s.citation}
            for s in optimizers.OPTIMIZERS.values() if s.group == group]


def page() -> None:
    st.title("About Gradscape")
    specs = list(optimizers.OPTIMIZERS.values())
    n_survey = sum(s.group == "survey" for s in specs)
    st.markdown(f"""
Gradscape lets you watch optimizers move across classic 2D loss surfaces: pick a surface, add
optimizers, drag their hyperparameter sliders and see every path change at once. It has
{len(specs)} optimizers and {len(surfaces.SURFACES)} test surfaces.

**The survey.** Gradscape is built on the survey {SURVEY}, and implements all {n_survey} of its first-order optimizers, in its order, in the **paper** form
(the survey's algorithm, with its evident slips corrected and noted) and, where the well-known
library computes something different, also in that library's exact **reference** form. Beyond
the survey come first-order methods practitioners pick today, each exactly as its reference
library computes it, and two **second-order baselines** (Newton and L-BFGS), the methods the
survey's introduction contrasts first-order methods with.

**How the optimizers were verified.**
- The survey's optimizers, every form, are checked step by step over hundreds of steps against
  an independent line-by-line plain-Python transcription of their update rules (to 10⁻⁹
  relative).
- Every optimizer that a library implements is checked against 300-step trajectories recorded
  from that library itself (torch.optim, pytorch_optimizer and the authors' packages) on at
  least two surfaces, to 10⁻⁹ relative; most agree to about 10⁻¹⁴.
- Every surface's gradient and Hessian are checked against finite differences, every listed
  minimum against the catalogue (Surjanovic & Bingham's Virtual Library of Simulation
  Experiments), and Rosenbrock against `scipy.optimize.rosen`.
- The optimizers run as compiled Numba kernels at about the speed of plain C, so a slider
  change recomputes every path instantly.
""")
    for group, label in GROUPS.items():
        rows = catalogue_rows(group)
        if rows:
            st.subheader(label[0].upper() + label[1:])
            st.dataframe(rows, hide_index=True, use_container_width=True)
    st.markdown("""
**Caveats.** AdaDB's paper was not available: its update follows the survey's text as far as
its symbol order allows, and its β₃ and λ defaults are Gradscape's choice. Gradient noise
(σ) stands in for mini-batch noise. Newton's method needs the Hessian: a singular one ends the
run as diverged (see its notes).
""")
