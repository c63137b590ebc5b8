"""Metadata records shared by every optimizer: :class:`Hyperparam` and :class:`OptimizerSpec`.

The registry (``optimizers.OPTIMIZERS``) holds one :class:`OptimizerSpec` per optimizer.  The
app builds every slider, the URL schema and the equations panel from these records, and the
API validates every input against them, so nothing downstream special-cases a name.

Kernel conventions (see ``optimizers/kernels.py``): every optimizer module defines

``step(variant, t, hp, th, g, st, sc, j0, j1)``
    advances runs ``j0 <= j < j1`` by one update, in place.  ``t`` is the step number (from 1),
    ``hp[h, j]`` the h-th hyperparameter of run j (order of ``SPEC.hyperparams``), ``th[c, j]``
    and ``g[c, j]`` coordinate c of θ and of the gradient, ``st[s, c, j]`` the element-wise
    state slot named ``SPEC.state[s]`` (zero at the start unless ``init`` says otherwise) and
    ``sc[s, j]`` the per-run scalar named ``SPEC.scalars[s]`` (1.0 at the start; used for
    running powers β^t).  With ``SPEC.hessian``, the driver writes the Hessian at θ into the
    first two slots before each step: ``st[0] = (h_xx, h_yy)``, ``st[1] = (h_xy, h_xy)``.

``init(variant, hp, st, sc, j0, j1)``
    optional: non-zero initial state (Yogi's reference form).

``grad_point(variant, hp, th, st, pt, j0, j1) -> bool``
    optional: where the gradient is taken, when it is not at θ (NAG's look-ahead).
"""
from __future__ import annotations

import dataclasses

#: variant ids used inside the compiled kernels
PAPER, REFERENCE = 0, 1
VARIANT_IDS = {"paper": PAPER, "reference": REFERENCE}

#: the survey Gradscape follows (its 17 optimizers are the registry's first 17)
SURVEY = ("Chen, S., Zhang, C. & Li, M. (2022). Research on Optimization Algorithms in Deep "
          "Learning. Artificial Intelligence and Robotics Research 11(4), 447–462. "
          "https://doi.org/10.12677/airr.2022.114046")

#: groups, in display order: the survey's 17, newer first-order methods, second-order baselines
GROUPS = {"survey": "the survey's optimizers", "beyond": "beyond the survey",
          "second-order": "second-order baseline"}


@dataclasses.dataclass(frozen=True)
class Hyperparam:
    """One hyperparameter: its default, valid range, slider scale and a one-line help."""

    name: str
    default: float
    lo: float
    hi: float
    scale: str = "linear"  # "log" or "linear"
    help: str = ""
    integer: bool = False
    symbol: str = ""  # LaTeX symbol, e.g. r"\beta_1"

    def check(self, value, where: str = "") -> float:
        """Return ``value`` as float (or int) or raise ValueError naming the valid range."""
        label = f"{where}hyperparameter {self.name!r}"
        if isinstance(value, (bool, str, bytes)):
            raise ValueError(f"{label} must be a number, got {value!r}")
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{label} must be a number, got {value!r}") from None
        if not (self.lo <= v <= self.hi):  # also rejects nan
            raise ValueError(f"{label} = {value!r} is out of range [{self.lo:g}, {self.hi:g}]")
        if self.integer:
            if v != int(v):
                raise ValueError(f"{label} must be an integer in [{self.lo:g}, {self.hi:g}], got {value!r}")
            return int(v)
        return v


def state_sizes(spec) -> tuple[int, int]:
    """(state slots, scalars) the kernels allocate for ``spec`` (at least one of each)."""
    return max(1, len(spec.state)), max(1, len(spec.scalars))


@dataclasses.dataclass(frozen=True)
class OptimizerSpec:
    """Everything known about one optimizer except its compiled code."""

    id: str
    name: str
    hyperparams: tuple  # of Hyperparam, in kernel order (hp[0], hp[1], ...)
    latex: dict  # variant -> LaTeX update rule
    citation: str
    reference: dict  # variant -> what it reproduces ("Alg. 6 of the survey", "torch.optim.Adam", ...)
    variants: tuple = ("paper",)
    notes: str = ""
    wraps_inner: bool = False  # Lookahead: takes `inner` and the inner optimizer's hyperparameters
    state: tuple = ()  # names of the element-wise state slots st[s, c, j], e.g. ("m", "v")
    scalars: tuple = ()  # names of the per-run scalars sc[s, j] (start at 1.0), e.g. ("beta1^t",)
    group: str = "survey"  # a key of GROUPS
    hessian: bool = False  # the driver fills st[0], st[1] with the Hessian before each step

    @property
    def defaults(self) -> dict:
        return {h.name: h.default for h in self.hyperparams}

    def hyperparam(self, name: str) -> Hyperparam:
        for h in self.hyperparams:
            if h.name == name:
                return h
        allowed = ", ".join(h.name for h in self.hyperparams)
        raise ValueError(f"optimizer {self.id!r} has no hyperparameter {name!r}; allowed: {allowed}")


# ---- shared hyperparameter definitions (one place for ranges and help texts) ----------------
def lr(default: float) -> Hyperparam:
    return Hyperparam("lr", default, 1e-7, 100.0, "log", "learning rate: size of each step", symbol=r"\eta")


MOMENTUM = Hyperparam("momentum", 0.9, 0.0, 0.9999, "linear",
                      "momentum: fraction of the previous velocity kept each step", symbol=r"\beta")
RHO = Hyperparam("rho", 0.9, 0.0, 0.9999, "linear",
                 "decay of the running average of squared gradients", symbol=r"\rho")
BETA1 = Hyperparam("beta1", 0.9, 0.0, 0.9999, "linear",
                   "decay of the first moment (mean of gradients)", symbol=r"\beta_1")
BETA2 = Hyperparam("beta2", 0.999, 0.0, 0.99999, "linear",
                   "decay of the second moment (mean of squared gradients)", symbol=r"\beta_2")


def eps(default: float) -> Hyperparam:
    return Hyperparam("eps", default, 1e-20, 1.0, "log",
                      "small constant that keeps the denominator away from zero", symbol=r"\epsilon")
