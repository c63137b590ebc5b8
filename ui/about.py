"""The About page: what Gradscape is, the survey it follows, how the optimizers were verified."""
from __future__ import annotations

import streamlit as st

import optimizers
import surfaces


def page() -> None:
    st.title("About Gradscape")
    st.markdown(f"""
Gradscape lets you watch first-order optimizers move across classic 2D loss surfaces: pick a
surface, add optimizers, drag their hyperparameter sliders and see every path change at once.

**The survey.** It implements all {len(optimizers.OPTIMIZERS)} optimizers of the survey of first-order
optimization methods for deep learning that it is built on — SGD, SGD with momentum, Nesterov,
AdaGrad, Adadelta, RMSProp, Adam, AdamW, Yogi, AMSGrad, AdaBelief, diffGrad, AdaDB, AdaBound,
AdaMod, RAdam and Lookahead — and {len(surfaces.SURFACES)} test surfaces. The survey's formulas
were garbled by PDF extraction; Gradscape follows a clean specification of its algorithms
(the **paper** form, with the survey's evident slips corrected and noted) and, where the
well-known library computes something different, also offers that library's exact **reference**
form.

**How the optimizers were verified.**
- Every optimizer and form is checked, step by step over hundreds of steps, against an
  independent line-by-line plain-Python transcription of the specification (to 10⁻⁹ relative).
- Every form that a library implements is checked against trajectories recorded from that
  library itself — torch.optim, pytorch_optimizer and the authors' AdaBound and AdaMod
  packages — to 10⁻⁹ relative (most agree to about 10⁻¹⁴).
- Every surface's analytic gradient is checked against finite differences, every listed minimum
  against the catalogue (Surjanovic & Bingham's Virtual Library of Simulation Experiments), and
  Rosenbrock against `scipy.optimize.rosen`.
- The optimizers run as compiled Numba kernels at the speed of plain C, so a slider change
  recomputes every path instantly.

**Caveats.** AdaDB's paper was not available: its update follows the survey's text as far as
its symbol order allows, and its β₃ and λ defaults are Gradscape's choice. Gradient noise
(σ) stands in for mini-batch noise.
""")
