#!/usr/bin/env python
r"""Regenerate ``tests/golden/trajectories.json``: reference trajectories from the libraries.

Needs torch, pytorch_optimizer, adabound and adamod (``pip install torch pytorch_optimizer
adabound adamod``); the project's CI does not run this script, it only reads the JSON.

    python scripts/make_golden.py                 # regenerate every case + self-check
    python scripts/make_golden.py --check         # self-check only, write nothing
    python scripts/make_golden.py --only lion lamb   # regenerate these ids' cases only, merged
                                                     # into the existing file
    python scripts/make_golden.py --ids lion ...  # also take these ids' cases from their
                                                  # optimizer files (before the registry lists them)
    python scripts/make_golden.py --only-schedules   # regenerate only the learning-rate schedule
                                                     # cases ("schedule_cases"), merged

Run it with the project importable (``PYTHONPATH=<repo>`` or an editable install): the cases of
the optimizers beyond the survey come from the optimizer files themselves (see "Cases from the
optimizer files" below).

Every case is a 2-parameter float64 torch tensor ``p`` driven by a library optimizer for
``steps`` steps with noise-free exact gradients: before each ``step()`` we set ``p.grad``
from the surface's analytic gradient (written below in plain Python floats, the same
expressions the numpy self-check uses).  ``path[0]`` is the start, ``path[t]`` is θ after
step t.  For Lookahead, ``slow`` holds φ_0 = start and the slow weights after each sync.

Which implementation each optimizer is checked against
----------------------------------------------------------------------------------------------
==========  =========  ============================================================================
id          variant    library call (project name -> library argument)
==========  =========  ============================================================================
sgd         paper      torch.optim.SGD(lr)
sgdm        paper      torch.optim.SGD(lr, momentum, dampening=0)
nag         reference  torch.optim.SGD(lr, momentum, dampening=0, nesterov=True)
adagrad     paper      torch.optim.Adagrad(lr, eps)   (lr_decay=0, initial_accumulator_value=0)
adadelta    paper      torch.optim.Adadelta(lr, rho, eps)
rmsprop     paper      torch.optim.RMSprop(lr, alpha=rho, eps)  (momentum=0, centered=False)
adam        paper      torch.optim.Adam(lr, betas=(beta1, beta2), eps)
adamw       paper      torch.optim.AdamW(lr, betas, eps, weight_decay)
amsgrad     reference  torch.optim.Adam(lr, betas, eps, amsgrad=True)
radam       reference  torch.optim.RAdam(lr, betas, eps)   (decoupled_weight_decay=False, wd=0)
yogi        reference  pytorch_optimizer.Yogi(lr, betas, eps, initial_accumulator=1e-6, wd=0)
adabelief   paper      pytorch_optimizer.AdaBelief(lr, betas, eps, weight_decay=0, rectify=False,
                       ams_bound=False)  (adanorm / adam_debias not set, so off)
diffgrad    reference  author code diffGrad v2 (shivram1987/diffGrad, diffGrad_v2.py), re-expressed
                       below as ``DiffGradV2`` with the same torch ops in the same order (see
                       "diffgrad" below for why not pytorch_optimizer.DiffGrad)
adabound    reference  adabound.AdaBound(lr, betas, final_lr, gamma, eps)  (package ``adabound``,
                       the author's Luolc/AdaBound code; weight_decay=0, amsbound=False)
adamod      reference  adamod.AdaMod(lr, betas, beta3, eps)  (package ``adamod``, the author's
                       lancopku/AdaMod code; weight_decay=0)
lookahead   paper      pytorch_optimizer.Lookahead(<inner>, k, alpha, pullback_momentum='none'),
                       inner = one of the torch optimizers above built from the flat hyperparams
==========  =========  ============================================================================
All torch / pytorch_optimizer optimizers are built with ``foreach=False`` so that the
per-parameter code path (the one read and described here) is the one that runs (the foreach
paths compute the same formulas; their op order may differ at the rounding level).

Compatibility with torch 2.x
----------------------------
``adabound`` 0.0.5 and ``adamod`` 0.0.3 call the deprecated overloads ``Tensor.add_(Number,
Tensor)``, ``Tensor.add(Number, Tensor)`` and ``Tensor.addcmul_(Number, Tensor, Tensor)``.
Torch 2.13 still accepts them (with a UserWarning, silenced here), so the packages are used
unmodified: no shim, no vendored code.

Library vs spec: every difference found by reading the step() sources
----------------------------------------------------------------------
Notation as in the spec (bc1 = 1 − β1^t, bc2 = 1 − β2^t).  "Op order" items change the result
only by rounding (≈1e-16 relative per step); the others are real formula differences.

* torch Adam / AdamW / AMSGrad / RAdam, pytorch_optimizer Yogi / AdaBelief / DiffGrad: the
  first moment is ``m.lerp_(g, 1 − β1)``, i.e. m + (1 − β1)·(g − m) (ATen lerp with weight
  < 0.5), not β1·m + (1 − β1)·g.  Op order only.
* torch Adam/AdamW: denominator is ``sqrt(v) / sqrt(bc2) + eps`` and the step ``(lr / bc1)·m``
  (addcdiv with value −lr/bc1), vs the spec's √(v/bc2).  Op order only.  AdamW multiplies
  θ by (1 − lr·wd) first, exactly as the spec.
* torch AMSGrad: vmax = max(vmax, v) on the raw v; denominator sqrt(vmax)/sqrt(bc2) + eps —
  exactly the spec's reference form.
* torch RAdam: ρ_t computed as ρ∞ − 2·t·β2^t / bc2; r_t = ((ρ_t−4)(ρ_t−2)ρ∞ /
  ((ρ∞−4)(ρ∞−2)ρ_t))**0.5; update θ −= (m/bc1)·lr·(√bc2 / (√v + eps))·r_t — the spec's reference
  form; SGD branch θ −= (m/bc1)·lr when ρ_t ≤ 5.
* torch Adagrad: std = sqrt(G) + eps, θ −= lr·g/std (clr = lr since lr_decay = 0) — spec.
* torch Adadelta: E ← ρE + (1−ρ)g²; Δ = sqrt(D + eps)/sqrt(E + eps)·g (computed as
  (sqrt(D+eps) / sqrt(E+eps)) * g); D ← ρD + (1−ρ)Δ²; θ −= lr·Δ — spec.
* torch RMSprop: G ← αG + (1−α)g²; θ −= lr·g/(sqrt(G) + eps) — spec.
* torch SGD: first step sets the buffer to a copy of g (= the spec's m_1 with m_0 = 0);
  nesterov: θ −= lr·(g + μ·m_t) — spec.
* pytorch_optimizer.Yogi: m_0 = v_0 = initial_accumulator (1e-6) for BOTH moments;
  v ← v − (1−β2)·sign(v − g²)·g² (torch.sign, sign(0) = 0); denominator sqrt(v)/sqrt(bc2) + eps;
  θ −= (lr/bc1)·m/denom.  No 1e-15 here.  = spec reference (op order aside).
* pytorch_optimizer.AdaBelief (rectify=False, ams_bound=False): s ← β2·s + (1−β2)(g − m_t)² + eps
  (m_t is the already-updated first moment, as in the spec); denominator built by
  apply_ams_bound(eps=0.0, exp_avg_sq_eps=0.0), i.e. sqrt(s) with NO 1e-15, then
  sqrt(s)/sqrt(bc2) + eps; θ −= (lr/bc1)·m/denom.  = spec (op order aside).  weight_decouple /
  fixed_decay only matter when weight_decay ≠ 0 (it is 0 here).
* diffgrad: pytorch_optimizer.DiffGrad (rectify=False) is NOT exactly the spec's reference
  formula: its denominator is apply_ams_bound(..., eps) with the default exp_avg_sq_eps=1e-15,
  i.e. sqrt(v + 1e-15) + eps instead of sqrt(v) + eps; ξ = sigmoid(|g_{t−1} − g_t|) (torch
  sigmoid, not 1/(1+exp(−x))); step size lr·sqrt(bc2)/bc1 with m from lerp.  So the golden
  path uses the author's diffGrad v2 formula: denom = sqrt(v) + eps; ξ = 1/(1 + exp(−|g_{t−1} −
  g_t|)) with g_0 = 0 (previous_grad stored as a clone, the v2 bug fix); m ← β1·m + (1−β1)·g
  (mul_ + add_, not lerp); v ← β2·v + (1−β2)·g²; θ −= (lr·sqrt(bc2)/bc1)·(m·ξ)/denom.  That is
  exactly the spec's reference form.  The self-check prints how far pytorch_optimizer.DiffGrad
  drifts from it.
* adabound.AdaBound: m, v with mul_/add_ (no lerp); step = lr·sqrt(bc2)/bc1 (Python float,
  evaluated (lr·sqrt(bc2))/bc1); η = clamp(step / (sqrt(v) + eps), lo, hi); θ −= η·m.  The
  bounds use ``final_lr_eff = final_lr·lr/base_lr`` (a hook for lr schedulers; base_lr is the
  constructor lr, so final_lr_eff equals final_lr up to one rounding of (final_lr·lr)/lr — the
  script checks that it is bit-identical for every recorded case); lo = final_lr_eff·(1 −
  1/(gamma·t + 1)), hi = final_lr_eff·(1 + 1/(gamma·t)).  = spec reference.
* adamod.AdaMod: m, v with mul_/add_; step = lr·sqrt(bc2)/bc1; η = step/(sqrt(v) + eps);
  s ← β3·s + (1−β3)·η; θ −= min(η, s)·m.  = spec reference.  (The package's docstring says
  beta3 defaults to 0.9999; its code default is 0.999, the spec's.)
* pytorch_optimizer.Lookahead(pullback 'none'): the inner optimizer's step() runs, a counter
  increments, and when it reaches k: θ ← lerp(θ, φ, 1 − alpha) (ATen: for weight ≥ 0.5 it
  evaluates φ − (φ − θ)·alpha, so with alpha = 0.5 this is bit-for-bit the spec's
  φ + alpha·(θ − φ)), then φ ← θ.  The inner optimizer's state is kept — spec.  The recorded
  θ after a sync step is the new φ.

Cases from the optimizer files
------------------------------
For the optimizers added after the survey's 17, each file ``optimizers/<id>.py`` carries its own
golden hook: ``reference(params, hp)`` builds the library optimizer (its docstring and
``SPEC.reference`` name the class; every option is set explicitly) and ``GOLDEN_CASES`` lists
``(surface, start, hyperparameters)``.  Every id of ``optimizers.OPTIMIZERS`` (plus ``--ids``)
whose module defines both gets cases with variant "paper".  Each step calls
``opt.step(closure)``; the closure sets ``p.grad`` from the analytic gradient at the current
``p`` and returns the loss (``make_loss``) as a float64 tensor, which torch.optim.LBFGS needs
(it calls the closure itself; with max_iter=1 once per step).  ``library`` records the
constructor call, rebuilt from the instance (``defaults`` and the options the library keeps as
attributes).

Their self-check replays the project's own compiled kernel (the module's ``init``,
``grad_point`` and ``step``, driven exactly like the engine drives one run) instead of a numpy
transcription, and "sens" perturbs that replay's gradients by 1e-13 relative.  Each optimizer
file's docstring lists the library quirks its kernel reproduces.

``--only ID ...`` regenerates just those ids' cases (survey ids from ``CASES``, others from their
files) and merges them into the existing JSON: each id's new cases take the place of its old
ones, every other case is written back unchanged (same bytes, same order), ids that had no
cases are appended, and "versions" is updated.

Learning-rate schedules ("schedule_cases")
------------------------------------------
For each schedule of ``optimizers.schedules.SCHEDULES`` (``SCHEDULE_CASES``: non-default
parameters), SGD on the quadratic and Adam on Rosenbrock, ``STEPS`` steps, each driven by the
torch optimizer with the torch scheduler that ``optimizers/schedules.py`` names, stepped after
every optimizer step (``opt.step(); sched.step()``); eta_min is min_factor·lr and OneCycle's
max_lr is lr.  Each record holds the path and ``lrs``: ``lrs[t - 1]`` is
``param_groups[0]["lr"]`` as update t used it.  They sit in their own list, so the plain
golden test (tests/test_golden.py) never runs them without their schedule; the self-check
replays the numpy spec stepper with lr·``lr_factors`` and compares the factors with torch's.

Self-check
----------
After recording, every case is replayed with a few lines of plain numpy transcribing the
spec's formulas literally (β1·m + (1−β1)·g, √(v/bc2), ...).  Its deviation from the library
path is printed as max |Δ|, max relative |Δ|/|θ|, and the ratio to the golden test's
tolerance (1e-12 + 1e-9·|θ|; > 1 would fail).  A "sens" column gives the same ratio for a
replay whose gradient components are multiplied by (1 + 1e-13·N(0, 1)) at every step: a case is
only a good golden case if rounding-level differences (≈1e-16) cannot reach the tolerance,
i.e. sens ≪ 1000 (the cases below were chosen with sens < 10).
"""
from __future__ import annotations

import argparse
import importlib
import importlib.metadata as md
import inspect
import json
import math
import pathlib
import platform
import sys
import warnings

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "golden" / "trajectories.json"
STEPS = 300
RTOL, ATOL = 1e-9, 1e-12

# ---------------------------------------------------------------------------------------------
# surfaces: analytic gradients in plain Python floats (shared by torch runs and the self-check)
# ---------------------------------------------------------------------------------------------
SURFACE_PARAMS = {
    "rosenbrock": {"a": 1.0, "b": 100.0},
    "quadratic": {"kappa": 20.0, "angle": 30.0},
    "beale": {},
    "booth": {},
}


def make_grad(surface: str, params: dict):
    if surface == "rosenbrock":
        a, b = params["a"], params["b"]

        def grad(x, y):
            r = y - x * x
            return (-2.0 * (a - x) - 4.0 * b * x * r, 2.0 * b * r)
    elif surface == "quadratic":
        kappa = params["kappa"]
        th = math.radians(params["angle"])
        c, s = math.cos(th), math.sin(th)

        def grad(x, y):
            u = c * x + s * y
            v = -s * x + c * y
            return (c * u - s * kappa * v, s * u + c * kappa * v)
    elif surface == "beale":
        def grad(x, y):
            y2 = y * y
            y3 = y2 * y
            t1 = 1.5 - x + x * y
            t2 = 2.25 - x + x * y2
            t3 = 2.625 - x + x * y3
            gx = 2.0 * t1 * (y - 1.0) + 2.0 * t2 * (y2 - 1.0) + 2.0 * t3 * (y3 - 1.0)
            gy = 2.0 * t1 * x + 4.0 * t2 * x * y + 6.0 * t3 * x * y2
            return (gx, gy)
    elif surface == "booth":
        def grad(x, y):
            r1 = x + 2.0 * y - 7.0
            r2 = 2.0 * x + y - 5.0
            return (2.0 * r1 + 4.0 * r2, 4.0 * r1 + 2.0 * r2)
    else:
        raise KeyError(surface)
    return grad


def make_loss(surface: str, params: dict):
    """f(x, y) in plain Python floats (the closures of ``opt.step(closure)`` return it)."""
    if surface == "rosenbrock":
        a, b = params["a"], params["b"]

        def loss(x, y):
            r = y - x * x
            return (a - x) * (a - x) + b * r * r
    elif surface == "quadratic":
        kappa = params["kappa"]
        th = math.radians(params["angle"])
        c, s = math.cos(th), math.sin(th)

        def loss(x, y):
            u = c * x + s * y
            v = -s * x + c * y
            return 0.5 * (u * u + kappa * (v * v))
    elif surface == "beale":
        def loss(x, y):
            t1 = 1.5 - x + x * y
            t2 = 2.25 - x + x * y * y
            t3 = 2.625 - x + x * y * y * y
            return t1 * t1 + t2 * t2 + t3 * t3
    elif surface == "booth":
        def loss(x, y):
            r1 = x + 2.0 * y - 7.0
            r2 = 2.0 * x + y - 5.0
            return r1 * r1 + r2 * r2
    else:
        raise KeyError(surface)
    return loss


# ---------------------------------------------------------------------------------------------
# the cases
# ---------------------------------------------------------------------------------------------
PAPER_IDS = ["sgd", "sgdm", "adagrad", "adadelta", "rmsprop", "adam", "adamw", "adabelief",
             "lookahead"]
REFERENCE_IDS = ["nag", "yogi", "amsgrad", "diffgrad", "adabound", "adamod", "radam"]


def C(opt, surface, start, **hp):
    return {"optimizer": opt, "variant": "paper" if opt in PAPER_IDS else "reference",
            "surface": surface, "start": [float(v) for v in start], "hyperparams": hp}


R0 = (-1.2, 1.0)      # the classic Rosenbrock start
Q0 = (-1.5, 0.8)      # quadratic: off both principal axes of the 30°-rotated ravine
B0 = (1.0, 1.5)       # beale
D0 = (-6.0, -4.0)     # booth

CASES = [
    # sgd
    C("sgd", "rosenbrock", R0, lr=1e-3),
    C("sgd", "quadratic", Q0, lr=0.09),
    C("sgd", "booth", D0, lr=0.05),
    # sgdm
    C("sgdm", "rosenbrock", R0, lr=2e-4, momentum=0.9),
    C("sgdm", "quadratic", Q0, lr=0.02, momentum=0.8),
    C("sgdm", "booth", D0, lr=0.01, momentum=0.9),
    # nag (torch form)
    C("nag", "rosenbrock", R0, lr=2e-4, momentum=0.9),
    C("nag", "quadratic", Q0, lr=0.03, momentum=0.7),
    C("nag", "booth", D0, lr=0.01, momentum=0.95),
    # adagrad
    C("adagrad", "rosenbrock", R0, lr=0.3, eps=1e-10),
    C("adagrad", "quadratic", Q0, lr=0.5, eps=1e-10),
    C("adagrad", "beale", B0, lr=0.2, eps=1e-8),
    # adadelta
    C("adadelta", "rosenbrock", (0.0, 2.0), lr=1.0, rho=0.99, eps=1e-6),
    C("adadelta", "quadratic", Q0, lr=1.0, rho=0.9, eps=1e-6),
    C("adadelta", "beale", B0, lr=1.0, rho=0.95, eps=1e-5),
    # rmsprop
    C("rmsprop", "rosenbrock", R0, lr=1e-2, rho=0.99, eps=1e-8),
    C("rmsprop", "quadratic", Q0, lr=1e-2, rho=0.99, eps=1e-8),
    C("rmsprop", "beale", B0, lr=3e-3, rho=0.9, eps=1e-6),
    # adam
    C("adam", "rosenbrock", R0, lr=0.05, beta1=0.9, beta2=0.999, eps=1e-8),
    C("adam", "quadratic", Q0, lr=0.05, beta1=0.8, beta2=0.99, eps=1e-8),
    C("adam", "beale", B0, lr=0.05, beta1=0.9, beta2=0.999, eps=1e-8),
    # adamw
    C("adamw", "rosenbrock", R0, lr=0.02, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.05),
    C("adamw", "quadratic", Q0, lr=0.05, beta1=0.85, beta2=0.995, eps=1e-8, weight_decay=0.1),
    C("adamw", "booth", D0, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01),
    # yogi (pytorch_optimizer: m0 = v0 = 1e-6)
    C("yogi", "rosenbrock", R0, lr=0.05, beta1=0.9, beta2=0.999, eps=1e-3),
    C("yogi", "quadratic", Q0, lr=0.05, beta1=0.8, beta2=0.99, eps=1e-3),
    C("yogi", "beale", B0, lr=0.05, beta1=0.9, beta2=0.99, eps=1e-3),
    # amsgrad (torch: max of raw v)
    C("amsgrad", "rosenbrock", R0, lr=0.05, beta1=0.9, beta2=0.99, eps=1e-8),
    C("amsgrad", "quadratic", Q0, lr=0.05, beta1=0.9, beta2=0.95, eps=1e-8),
    C("amsgrad", "beale", B0, lr=0.05, beta1=0.9, beta2=0.999, eps=1e-8),
    # adabelief
    C("adabelief", "rosenbrock", R0, lr=0.05, beta1=0.9, beta2=0.999, eps=1e-16),
    C("adabelief", "quadratic", Q0, lr=0.03, beta1=0.8, beta2=0.99, eps=1e-8),
    C("adabelief", "booth", D0, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-12),
    # diffgrad (author v2)
    C("diffgrad", "rosenbrock", R0, lr=0.05, beta1=0.9, beta2=0.999, eps=1e-3),
    C("diffgrad", "quadratic", Q0, lr=0.05, beta1=0.8, beta2=0.99, eps=1e-4),
    C("diffgrad", "beale", B0, lr=0.05, beta1=0.9, beta2=0.999, eps=1e-8),
    # adabound (author package)
    # (bounds: rosenbrock and quadratic have steps clipped at the lower and at the upper bound
    # and unclipped steps; booth is clipped at the upper bound only)
    C("adabound", "rosenbrock", R0, lr=0.03, beta1=0.9, beta2=0.999, final_lr=2e-3, gamma=0.02,
      eps=1e-8),
    C("adabound", "quadratic", Q0, lr=0.05, beta1=0.9, beta2=0.99, final_lr=0.02, gamma=0.01,
      eps=1e-8),
    C("adabound", "booth", D0, lr=0.5, beta1=0.9, beta2=0.999, final_lr=0.02, gamma=0.02,
      eps=1e-8),
    # adamod (author package)
    # (each case has steps where min(η, s) takes s and steps where it takes η)
    C("adamod", "rosenbrock", (0.0, 2.0), lr=0.02, beta1=0.9, beta2=0.999, beta3=0.99, eps=1e-8),
    C("adamod", "quadratic", Q0, lr=0.05, beta1=0.9, beta2=0.9, beta3=0.5, eps=1e-8),
    C("adamod", "beale", (-3.0, -3.0), lr=0.05, beta1=0.9, beta2=0.999, beta3=0.9, eps=1e-8),
    # radam (torch: rho_t > 5, eps on sqrt(v))
    # (steps 1-5 are the un-adapted SGD branch, ρ_t > 5 from step 6 on; at R0 the SGD branch
    # makes a large first jump)
    C("radam", "rosenbrock", R0, lr=0.005, beta1=0.9, beta2=0.999, eps=1e-8),
    C("radam", "quadratic", Q0, lr=0.05, beta1=0.8, beta2=0.99, eps=1e-8),
    C("radam", "booth", D0, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8),
    # lookahead (pytorch_optimizer, pullback 'none'): inner adam and inner sgdm
    C("lookahead", "rosenbrock", R0, inner="adam", k=5, alpha=0.5, lr=0.1, beta1=0.9,
      beta2=0.999, eps=1e-8),
    C("lookahead", "quadratic", Q0, inner="sgdm", k=5, alpha=0.5, lr=0.02, momentum=0.8),
    C("lookahead", "booth", D0, inner="adam", k=5, alpha=0.5, lr=0.2, beta1=0.9, beta2=0.999,
      eps=1e-8),
    C("lookahead", "rosenbrock", R0, inner="sgdm", k=5, alpha=0.5, lr=2e-4, momentum=0.9),
]


def case_id(case) -> str:
    """``adam-paper-rosenbrock``; lookahead adds the inner id (``lookahead-paper-adam-rosenbrock``)."""
    parts = [case["optimizer"], case["variant"]]
    if case["optimizer"] == "lookahead":
        parts.append(case["hyperparams"]["inner"])
    parts.append(case["surface"])
    return "-".join(parts)


# ---------------------------------------------------------------------------------------------
# torch side
# ---------------------------------------------------------------------------------------------
def build_torch(opt, hp, params):
    """(optimizer instance, library description) for one case."""
    import torch
    import pytorch_optimizer as po

    def betas():
        return (hp["beta1"], hp["beta2"])

    if opt == "sgd":
        return torch.optim.SGD(params, lr=hp["lr"], foreach=False), f"torch.optim.SGD(lr={hp['lr']!r})"
    if opt in ("sgdm", "nag"):
        nesterov = opt == "nag"
        o = torch.optim.SGD(params, lr=hp["lr"], momentum=hp["momentum"], dampening=0.0,
                            nesterov=nesterov, foreach=False)
        return o, (f"torch.optim.SGD(lr={hp['lr']!r}, momentum={hp['momentum']!r}, dampening=0"
                   + (", nesterov=True)" if nesterov else ")"))
    if opt == "adagrad":
        o = torch.optim.Adagrad(params, lr=hp["lr"], eps=hp["eps"], lr_decay=0.0,
                                initial_accumulator_value=0.0, foreach=False)
        return o, f"torch.optim.Adagrad(lr={hp['lr']!r}, eps={hp['eps']!r})"
    if opt == "adadelta":
        o = torch.optim.Adadelta(params, lr=hp["lr"], rho=hp["rho"], eps=hp["eps"], foreach=False)
        return o, f"torch.optim.Adadelta(lr={hp['lr']!r}, rho={hp['rho']!r}, eps={hp['eps']!r})"
    if opt == "rmsprop":
        o = torch.optim.RMSprop(params, lr=hp["lr"], alpha=hp["rho"], eps=hp["eps"], foreach=False)
        return o, f"torch.optim.RMSprop(lr={hp['lr']!r}, alpha={hp['rho']!r}, eps={hp['eps']!r})"
    if opt in ("adam", "amsgrad"):
        ams = opt == "amsgrad"
        o = torch.optim.Adam(params, lr=hp["lr"], betas=betas(), eps=hp["eps"], amsgrad=ams,
                             foreach=False)
        return o, (f"torch.optim.Adam(lr={hp['lr']!r}, betas={betas()!r}, eps={hp['eps']!r}"
                   + (", amsgrad=True)" if ams else ")"))
    if opt == "adamw":
        o = torch.optim.AdamW(params, lr=hp["lr"], betas=betas(), eps=hp["eps"],
                              weight_decay=hp["weight_decay"], foreach=False)
        return o, (f"torch.optim.AdamW(lr={hp['lr']!r}, betas={betas()!r}, eps={hp['eps']!r}, "
                   f"weight_decay={hp['weight_decay']!r})")
    if opt == "radam":
        o = torch.optim.RAdam(params, lr=hp["lr"], betas=betas(), eps=hp["eps"], foreach=False)
        return o, f"torch.optim.RAdam(lr={hp['lr']!r}, betas={betas()!r}, eps={hp['eps']!r})"
    if opt == "yogi":
        o = po.Yogi(params, lr=hp["lr"], betas=betas(), eps=hp["eps"], initial_accumulator=1e-6,
                    weight_decay=0.0, foreach=False)
        return o, (f"pytorch_optimizer.Yogi(lr={hp['lr']!r}, betas={betas()!r}, eps={hp['eps']!r}, "
                   "initial_accumulator=1e-06)")
    if opt == "adabelief":
        o = po.AdaBelief(params, lr=hp["lr"], betas=betas(), eps=hp["eps"], weight_decay=0.0,
                         weight_decouple=True, fixed_decay=False, rectify=False, ams_bound=False,
                         foreach=False)
        return o, (f"pytorch_optimizer.AdaBelief(lr={hp['lr']!r}, betas={betas()!r}, "
                   f"eps={hp['eps']!r}, rectify=False)")
    if opt == "diffgrad":
        o = DiffGradV2(params, lr=hp["lr"], betas=betas(), eps=hp["eps"])
        return o, (f"diffGrad v2 (shivram1987/diffGrad diffGrad_v2.py)(lr={hp['lr']!r}, "
                   f"betas={betas()!r}, eps={hp['eps']!r})")
    if opt == "adabound":
        import adabound
        o = adabound.AdaBound(params, lr=hp["lr"], betas=betas(), final_lr=hp["final_lr"],
                              gamma=hp["gamma"], eps=hp["eps"], weight_decay=0, amsbound=False)
        return o, (f"adabound.AdaBound(lr={hp['lr']!r}, betas={betas()!r}, "
                   f"final_lr={hp['final_lr']!r}, gamma={hp['gamma']!r}, eps={hp['eps']!r})")
    if opt == "adamod":
        import adamod
        o = adamod.AdaMod(params, lr=hp["lr"], betas=betas(), beta3=hp["beta3"], eps=hp["eps"],
                          weight_decay=0)
        return o, (f"adamod.AdaMod(lr={hp['lr']!r}, betas={betas()!r}, beta3={hp['beta3']!r}, "
                   f"eps={hp['eps']!r})")
    if opt == "lookahead":
        inner_hp = {k: v for k, v in hp.items() if k not in ("inner", "k", "alpha")}
        inner, inner_desc = build_torch(hp["inner"], inner_hp, params)
        o = po.Lookahead(inner, k=hp["k"], alpha=hp["alpha"], pullback_momentum="none")
        return o, (f"pytorch_optimizer.Lookahead({inner_desc}, k={hp['k']!r}, "
                   f"alpha={hp['alpha']!r}, pullback_momentum='none')")
    raise KeyError(opt)


def _diffgrad_v2_class():
    import torch

    class DiffGradV2(torch.optim.Optimizer):
        """diffGrad v2 (Dubey et al. 2019; shivram1987/diffGrad, file diffGrad_v2.py).

        The author's step() re-expressed with current torch call signatures and the same ops
        in the same order (weight decay, always 0 here, left out):
        m.mul_(β1).add_(g, alpha=1−β1); v.mul_(β2).addcmul_(g, g, value=1−β2);
        denom = v.sqrt().add_(eps); ξ = 1/(1 + exp(−|g_prev − g|)); g_prev = g.clone();
        p.addcdiv_(m·ξ, denom, value=−lr·sqrt(bc2)/bc1).
        """

        def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
            super().__init__(params, dict(lr=lr, betas=betas, eps=eps))

        @torch.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                beta1, beta2 = group["betas"]
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    grad = p.grad
                    state = self.state[p]
                    if len(state) == 0:
                        state["step"] = 0
                        state["exp_avg"] = torch.zeros_like(p)
                        state["exp_avg_sq"] = torch.zeros_like(p)
                        state["previous_grad"] = torch.zeros_like(p)
                    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                    previous_grad = state["previous_grad"]
                    state["step"] += 1
                    exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
                    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                    denom = exp_avg_sq.sqrt().add_(group["eps"])
                    bias_correction1 = 1 - beta1 ** state["step"]
                    bias_correction2 = 1 - beta2 ** state["step"]
                    diff = abs(previous_grad - grad)
                    dfc = 1.0 / (1.0 + torch.exp(-diff))
                    state["previous_grad"] = grad.clone()
                    exp_avg1 = exp_avg * dfc
                    step_size = group["lr"] * math.sqrt(bias_correction2) / bias_correction1
                    p.addcdiv_(exp_avg1, denom, value=-step_size)
            return None

    return DiffGradV2


class _Lazy:
    cls = None

    def __call__(self, *a, **k):
        if _Lazy.cls is None:
            _Lazy.cls = _diffgrad_v2_class()
        return _Lazy.cls(*a, **k)


DiffGradV2 = _Lazy()


def run_torch(case, steps=STEPS, builder=None):
    """Library path (steps+1, 2), slow weights (lookahead) and the library description."""
    import torch

    torch.set_default_dtype(torch.float64)
    grad = make_grad(case["surface"], SURFACE_PARAMS[case["surface"]])
    p = torch.tensor(case["start"], dtype=torch.float64, requires_grad=True)
    opt, desc = (builder or build_torch)(case["optimizer"], case["hyperparams"], [p])
    path = [p.detach().clone().numpy()]
    slow = [p.detach().clone().numpy()] if case["optimizer"] == "lookahead" else None
    k = case["hyperparams"].get("k")
    for t in range(1, steps + 1):
        x, y = (float(v) for v in p.detach())
        gx, gy = grad(x, y)
        p.grad = torch.tensor([gx, gy], dtype=torch.float64)
        opt.step()
        path.append(p.detach().clone().numpy())
        if slow is not None and t % k == 0:
            phi = opt.state[p]["slow_params"].detach().clone().numpy()
            assert np.array_equal(phi, path[-1]), "lookahead: θ after a sync must equal φ"
            slow.append(phi)
    return np.array(path), (np.array(slow) if slow is not None else None), desc


# ---------------------------------------------------------------------------------------------
# cases from the optimizer files (reference() + GOLDEN_CASES)
# ---------------------------------------------------------------------------------------------
def golden_module(oid: str):
    """``optimizers.<oid>`` if it defines the golden hook (``reference`` and ``GOLDEN_CASES``)."""
    mod = importlib.import_module(f"optimizers.{oid}")
    return mod if hasattr(mod, "reference") and hasattr(mod, "GOLDEN_CASES") else None


def module_ids(extra=()) -> list:
    """Registry ids whose module has the golden hook, in registry order, then ``extra``."""
    import optimizers

    ids = [i for i in optimizers.OPTIMIZERS if golden_module(i) is not None]
    for oid in extra:
        if golden_module(oid) is None:
            raise SystemExit(f"optimizers/{oid}.py defines no reference() / GOLDEN_CASES")
        if oid not in ids:
            ids.append(oid)
    return ids


def module_cases(oid: str) -> list:
    """The cases of one optimizer file, hyperparameters checked against its SPEC."""
    mod = golden_module(oid)
    spec = mod.SPEC
    out = []
    for surface, start, hp in mod.GOLDEN_CASES:
        if surface not in SURFACE_PARAMS:
            raise SystemExit(f"{oid}: no gradient here for surface {surface!r}")
        for name, value in hp.items():
            spec.hyperparam(name).check(value, where=f"{oid} golden case: ")
        out.append({"optimizer": oid, "variant": "paper", "surface": surface,
                    "start": [float(v) for v in start], "hyperparams": dict(hp)})
    return out


def describe_reference(opt) -> str:
    """The constructor call, rebuilt from the instance (its ``defaults`` and attributes)."""
    cls = type(opt)
    parts = cls.__module__.split(".")
    where = cls.__module__
    for n in range(1, len(parts) + 1):  # the shortest public module that exports the class
        prefix = ".".join(parts[:n])
        try:
            if getattr(importlib.import_module(prefix), cls.__name__, None) is cls:
                where = prefix
                break
        except ImportError:
            continue
    args = []
    for name, par in inspect.signature(cls.__init__).parameters.items():
        if name in ("self", "params") or par.kind in (par.VAR_POSITIONAL, par.VAR_KEYWORD):
            continue
        if name in opt.defaults:  # torch keeps every option in defaults ...
            args.append(f"{name}={opt.defaults[name]!r}")
        elif hasattr(opt, name):  # ... pytorch_optimizer keeps some as attributes (pre_norm, ...)
            args.append(f"{name}={getattr(opt, name)!r}")
    return f"{where}.{cls.__name__}({', '.join(args)})"


def run_reference(case, steps=STEPS):
    """Library path (steps+1, 2) of a module case, driven by ``opt.step(closure)``; description."""
    import torch

    torch.set_default_dtype(torch.float64)
    mod = golden_module(case["optimizer"])
    grad = make_grad(case["surface"], SURFACE_PARAMS[case["surface"]])
    loss = make_loss(case["surface"], SURFACE_PARAMS[case["surface"]])
    p = torch.tensor(case["start"], dtype=torch.float64, requires_grad=True)
    opt = mod.reference([p], dict(case["hyperparams"]))

    def closure():
        x, y = (float(v) for v in p.detach())
        gx, gy = grad(x, y)
        p.grad = torch.tensor([gx, gy], dtype=torch.float64)
        return torch.tensor(loss(x, y), dtype=torch.float64)

    path = [p.detach().clone().numpy()]
    for _ in range(steps):
        opt.step(closure)
        path.append(p.detach().clone().numpy())
    return np.array(path), describe_reference(opt)


def run_kernel(case, steps=STEPS, perturb=0.0):
    """Our compiled kernel on a module case, driven as the engine drives one run.

    Returns the path (steps+1, 2) and the state after every step (slots (steps+1, S, 2),
    scalars (steps+1, K)); ``perturb`` > 0 multiplies each gradient component by
    (1 + perturb·N(0, 1)).
    """
    from optimizers.base import VARIANT_IDS

    mod = golden_module(case["optimizer"])
    spec = mod.SPEC
    variant = VARIANT_IDS[case["variant"]]
    grad = make_grad(case["surface"], SURFACE_PARAMS[case["surface"]])
    rng = np.random.default_rng(12345)
    hp = np.array([[float(case["hyperparams"].get(h.name, h.default))] for h in spec.hyperparams])
    th = np.array(case["start"], dtype=np.float64).reshape(2, 1)
    g = np.zeros((2, 1))
    pt = np.zeros((2, 1))
    st = np.zeros((max(1, len(spec.state)), 2, 1))
    sc = np.ones((max(1, len(spec.scalars)), 1))
    if hasattr(mod, "init"):
        mod.init(variant, hp, st, sc, 0, 1)
    path, sts, scs = [th[:, 0].copy()], [st[:, :, 0].copy()], [sc[:, 0].copy()]
    for t in range(1, steps + 1):
        at = pt if hasattr(mod, "grad_point") and mod.grad_point(variant, hp, th, st, pt, 0, 1) else th
        gv = np.array(grad(float(at[0, 0]), float(at[1, 0])))
        if perturb:
            gv = gv * (1.0 + perturb * rng.standard_normal(2))
        g[:, 0] = gv
        mod.step(variant, t, hp, th, g, st, sc, 0, 1)
        path.append(th[:, 0].copy())
        sts.append(st[:, :, 0].copy())
        scs.append(sc[:, 0].copy())
    return np.array(path), np.array(sts), np.array(scs)


def module_diagnostics(case, path, sts, scs) -> dict:
    """What a case exercises (shown in the summary)."""
    oid, hp = case["optimizer"], case["hyperparams"]
    moves = np.abs(np.diff(path, axis=0)).max(axis=1)
    diag = {}
    if (moves == 0).any():
        diag["steps_without_move"] = int((moves == 0).sum())
    if oid == "lamb":
        norms = np.linalg.norm(path[:-1] * (1.0 - hp["lr"] * hp["weight_decay"]), axis=1)
        diag["clamped_weight_norm_steps"] = int((norms > 10.0).sum())
    if oid == "lion":
        diag["coordinate_moves_not_lr"] = int((~np.isclose(np.abs(np.diff(path, axis=0)),
                                                           hp["lr"], rtol=0.5)).sum())
    if oid == "lbfgs":
        spec = golden_module(oid).SPEC
        count = scs[:, spec.scalars.index("count")]
        n_iter = scs[:, spec.scalars.index("n_iter")]
        rho = scs[:, [i for i, name in enumerate(spec.scalars) if name.startswith("rho")]]
        stored = int(np.count_nonzero((np.diff(rho, axis=0) != 0).any(axis=1)))
        diag["pairs_max"] = int(count.max())
        diag["pairs_stored"] = stored
        diag["ring_overwrites"] = stored - int(count[-1])
        diag["pairs_skipped"] = max(0, int(n_iter[-1]) - 1) - stored
        d = sts[:, spec.state.index("d")]
        started = (d != 0).any(axis=1)  # d is (0, 0) until the first iteration
        iterated = (np.diff(n_iter) != 0) | (started[1:] & ~started[:-1])
        diag["tolerance_grad_exits"] = int(np.count_nonzero(~iterated))
        diag["tolerance_change_breaks"] = int(np.count_nonzero(iterated & (moves == 0)))
    if oid == "ademamix" and hp.get("t_alpha_beta3"):
        diag["warmup_steps"] = int(min(hp["t_alpha_beta3"], len(path) - 1))
    if oid == "sf_adamw" and hp.get("warmup_steps"):
        diag["warmup_steps"] = int(min(hp["warmup_steps"], len(path) - 1))
    return diag


def module_records(cases):
    """(records, worst ratio) for module cases, printing one summary row each."""
    records, worst = [], 0.0
    for case in cases:
        cid = case_id(case)
        path, desc = run_reference(case)
        if not np.all(np.isfinite(path)):
            raise SystemExit(f"{cid}: library path is not finite")
        ours, sts, scs = run_kernel(case)
        pert, _, _ = run_kernel(case, perturb=1e-13)
        dmax, rmax, ratio, bad = compare(ours, path)
        sens = compare(pert, ours)[2]
        worst = max(worst, ratio)
        info = describe_path(path)
        diag = module_diagnostics(case, path, sts, scs)
        print(f"{cid:40s} {info['travel']:8.3f} {info['moved']:8.3f} {dmax:9.2e} {rmax:9.2e} "
              f"{ratio:9.2e} {str(bad):>7s} {sens:8.1e}  {diag if diag else ''}")
        records.append({"optimizer": case["optimizer"], "variant": case["variant"], "library": desc,
                        "surface": case["surface"],
                        "surface_params": dict(SURFACE_PARAMS[case["surface"]]),
                        "start": list(case["start"]), "steps": STEPS,
                        "hyperparams": dict(case["hyperparams"]),
                        "path": [[float(a), float(b)] for a, b in path]})
    return records, worst


# ---------------------------------------------------------------------------------------------
# learning-rate schedules
# ---------------------------------------------------------------------------------------------
#: (schedule id, parameters): every schedule, with parameters other than its defaults
SCHEDULE_CASES = [
    ("constant", {}),
    ("step", {"step_size": 70, "gamma": 0.3}),
    ("exponential", {"gamma": 0.985}),
    ("cosine", {"T_max": 120, "min_factor": 0.05}),  # past T_max too (torch rises again)
    ("warmup", {"start_factor": 0.05, "warmup": 40}),
    ("warmup_cosine", {"start_factor": 0.2, "warmup": 25, "T_max": 200, "min_factor": 0.1}),
    ("onecycle", {"total_steps": STEPS, "pct_start": 0.25, "div_factor": 10.0, "final_div_factor": 100.0}),
]
#: the runs each schedule drives: (optimizer, surface, start, hyperparameters)
SCHEDULE_RUNS = [
    ("sgd", "quadratic", Q0, {"lr": 0.09}),
    ("adam", "rosenbrock", R0, {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
]


def build_scheduler(opt, sid, p, lr):
    """(torch scheduler for ``opt`` equal to schedule ``sid`` with parameters ``p``, description)."""
    from torch.optim import lr_scheduler as L

    if sid == "constant":
        return L.LambdaLR(opt, lambda s: 1.0), "LambdaLR(lambda s: 1.0)"
    if sid == "step":
        return (L.StepLR(opt, step_size=p["step_size"], gamma=p["gamma"]),
                f"StepLR(step_size={p['step_size']!r}, gamma={p['gamma']!r})")
    if sid == "exponential":
        return L.ExponentialLR(opt, gamma=p["gamma"]), f"ExponentialLR(gamma={p['gamma']!r})"
    if sid == "cosine":
        return (L.CosineAnnealingLR(opt, T_max=p["T_max"], eta_min=p["min_factor"] * lr),
                f"CosineAnnealingLR(T_max={p['T_max']!r}, eta_min={p['min_factor'] * lr!r})")
    if sid == "warmup":
        return (L.LinearLR(opt, start_factor=p["start_factor"], end_factor=1.0, total_iters=p["warmup"]),
                f"LinearLR(start_factor={p['start_factor']!r}, end_factor=1.0, total_iters={p['warmup']!r})")
    if sid == "warmup_cosine":
        w = p["warmup"]
        return (L.SequentialLR(opt, [L.LinearLR(opt, start_factor=p["start_factor"], end_factor=1.0, total_iters=w),
                                     L.CosineAnnealingLR(opt, T_max=p["T_max"] - w, eta_min=p["min_factor"] * lr)],
                               milestones=[w]),
                f"SequentialLR([LinearLR(start_factor={p['start_factor']!r}, total_iters={w!r}), "
                f"CosineAnnealingLR(T_max={p['T_max'] - w!r}, eta_min={p['min_factor'] * lr!r})], "
                f"milestones=[{w!r}])")
    if sid == "onecycle":
        return (L.OneCycleLR(opt, max_lr=lr, total_steps=p["total_steps"], pct_start=p["pct_start"],
                             anneal_strategy="cos", div_factor=p["div_factor"],
                             final_div_factor=p["final_div_factor"], three_phase=False, cycle_momentum=False),
                f"OneCycleLR(max_lr={lr!r}, total_steps={p['total_steps']!r}, pct_start={p['pct_start']!r}, "
                f"anneal_strategy='cos', div_factor={p['div_factor']!r}, "
                f"final_div_factor={p['final_div_factor']!r}, three_phase=False, cycle_momentum=False)")
    raise KeyError(sid)


def run_torch_scheduled(case, steps=STEPS):
    """(path, lrs, optimizer description, scheduler description) with the torch scheduler
    stepped after every optimizer step; ``lrs[t - 1]`` is the lr update t used."""
    import torch

    torch.set_default_dtype(torch.float64)
    grad = make_grad(case["surface"], SURFACE_PARAMS[case["surface"]])
    p = torch.tensor(case["start"], dtype=torch.float64, requires_grad=True)
    opt, desc = build_torch(case["optimizer"], case["hyperparams"], [p])
    sched, sdesc = build_scheduler(opt, case["schedule"], case["schedule_params"], case["hyperparams"]["lr"])
    path, lrs = [p.detach().clone().numpy()], []
    for _ in range(steps):
        x, y = (float(v) for v in p.detach())
        gx, gy = grad(x, y)
        p.grad = torch.tensor([gx, gy], dtype=torch.float64)
        lrs.append(float(opt.param_groups[0]["lr"]))
        opt.step()
        sched.step()
        path.append(p.detach().clone().numpy())
    return np.array(path), np.array(lrs), desc, sdesc


def run_spec_scheduled(case, steps=STEPS, perturb=0.0):
    """The numpy spec replay with the lr of update t = lr·``optimizers.schedules.lr_factors``[t]."""
    from optimizers.schedules import lr_factors

    grad = make_grad(case["surface"], SURFACE_PARAMS[case["surface"]])
    rng = np.random.default_rng(12345)
    hp = dict(case["hyperparams"])
    f = lr_factors((case["schedule"], case["schedule_params"]), steps)
    stepper = SpecStepper(case["optimizer"], case["variant"], hp)
    th = np.array(case["start"], dtype=np.float64)
    path = [th.copy()]
    for t in range(1, steps + 1):
        g = np.array(grad(th[0], th[1]))
        if perturb:
            g = g * (1.0 + perturb * rng.standard_normal(2))
        stepper.hp = dict(hp, lr=case["hyperparams"]["lr"] * f[t])
        th = stepper.step(th, g)
        path.append(th.copy())
    return np.array(path), case["hyperparams"]["lr"] * f[1:]


def schedule_records():
    """(records, worst ratio) for every schedule x every run of ``SCHEDULE_RUNS``."""
    records, worst = [], 0.0
    for sid, sp in SCHEDULE_CASES:
        for opt, surface, start, hp in SCHEDULE_RUNS:
            case = C(opt, surface, start, **hp)
            case.update(schedule=sid, schedule_params=dict(sp))
            cid = f"{sid}-{opt}-{surface}"
            path, lrs, desc, sdesc = run_torch_scheduled(case)
            if not np.all(np.isfinite(path)):
                raise SystemExit(f"{cid}: library path is not finite")
            spec, spec_lrs = run_spec_scheduled(case)
            pert, _ = run_spec_scheduled(case, perturb=1e-13)
            dmax, rmax, ratio, bad = compare(spec, path)
            sens = compare(pert, spec)[2]
            lr_dev = float(np.max(np.abs(spec_lrs - lrs)))
            ratio = max(ratio, lr_dev / 1e-12)
            worst = max(worst, ratio)
            info = describe_path(path)
            print(f"{cid:40s} {info['travel']:8.3f} {info['moved']:8.3f} {dmax:9.2e} {rmax:9.2e} "
                  f"{ratio:9.2e} {str(bad):>7s} {sens:8.1e}  {{'max |Δlr|': {lr_dev:.2e}}}")
            records.append({"schedule": sid, "schedule_params": dict(sp), "scheduler": sdesc,
                            "optimizer": opt, "variant": case["variant"], "library": desc,
                            "surface": surface, "surface_params": dict(SURFACE_PARAMS[surface]),
                            "start": list(case["start"]), "steps": STEPS, "hyperparams": dict(hp),
                            "lrs": [float(v) for v in lrs],
                            "path": [[float(a), float(b)] for a, b in path]})
    return records, worst


def merge_cases(old, new, ids):
    """``old`` with the cases of ``ids`` replaced by ``new`` (in place of the first old case of
    that id; ids without old cases appended in the order of ``ids``); other cases untouched."""
    out, placed = [], set()
    for case in old:
        oid = case["optimizer"]
        if oid in ids:
            if oid not in placed:
                out.extend(r for r in new if r["optimizer"] == oid)
                placed.add(oid)
            continue
        out.append(case)
    for oid in ids:
        if oid not in placed:
            out.extend(r for r in new if r["optimizer"] == oid)
    return out


# ---------------------------------------------------------------------------------------------
# numpy self-check: the spec's formulas, transcribed literally
# ---------------------------------------------------------------------------------------------
class SpecStepper:
    """One optimizer's state and update, straight from the update rules (the survey's, as tests/spec_reference.py transcribes them)."""

    def __init__(self, opt, variant, hp):
        self.opt, self.variant, self.hp = opt, variant, hp
        z = np.zeros(2)
        self.m, self.v, self.s, self.G, self.E, self.D = (z.copy() for _ in range(6))
        self.vmax, self.gprev = z.copy(), z.copy()
        if opt == "yogi" and variant == "reference":
            self.m[:] = 1e-6
            self.v[:] = 1e-6
        self.t = 0
        self.diag = {}

    def count(self, key, n=1):
        self.diag[key] = self.diag.get(key, 0) + int(n)

    def step(self, th, g):
        hp, o = self.hp, self.opt
        self.t += 1
        t = self.t
        lr = hp["lr"]
        if o == "sgd":
            return th - lr * g
        if o == "sgdm":
            self.m = hp["momentum"] * self.m + g
            return th - lr * self.m
        if o == "nag":  # reference (torch) form
            mu = hp["momentum"]
            self.m = mu * self.m + g
            return th - lr * (g + mu * self.m)
        if o == "adagrad":
            self.G = self.G + g * g
            return th - lr * g / (np.sqrt(self.G) + hp["eps"])
        if o == "adadelta":
            rho, eps = hp["rho"], hp["eps"]
            self.E = rho * self.E + (1 - rho) * g * g
            delta = np.sqrt(self.D + eps) / np.sqrt(self.E + eps) * g
            self.D = rho * self.D + (1 - rho) * delta * delta
            return th - lr * delta
        if o == "rmsprop":
            rho = hp["rho"]
            self.G = rho * self.G + (1 - rho) * g * g
            return th - lr * g / (np.sqrt(self.G) + hp["eps"])
        b1, b2, eps = hp["beta1"], hp["beta2"], hp["eps"]
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        self.m = b1 * self.m + (1 - b1) * g
        if o == "yogi":
            g2 = g * g
            sgn = np.sign(self.v - g2)
            self.count("v_decreases", np.sum(sgn > 0))
            self.count("v_increases", np.sum(sgn < 0))
            self.v = self.v - (1 - b2) * sgn * g2
        elif o == "adabelief":
            self.s = b2 * self.s + (1 - b2) * (g - self.m) ** 2 + eps
        else:
            self.v = b2 * self.v + (1 - b2) * g * g
        mhat, vhat = self.m / bc1, self.v / bc2
        if o in ("adam", "yogi"):
            return th - lr * mhat / (np.sqrt(vhat) + eps)
        if o == "adamw":
            th = th * (1 - lr * hp["weight_decay"])
            return th - lr * mhat / (np.sqrt(vhat) + eps)
        if o == "amsgrad":  # reference: max of raw v
            self.count("max_active", np.sum(self.vmax > self.v))
            self.vmax = np.maximum(self.vmax, self.v)
            return th - lr * mhat / (np.sqrt(self.vmax) / math.sqrt(bc2) + eps)
        if o == "adabelief":
            shat = self.s / bc2
            return th - lr * mhat / (np.sqrt(shat) + eps)
        if o == "diffgrad":  # reference
            xi = 1.0 / (1.0 + np.exp(-np.abs(self.gprev - g)))
            self.gprev = g.copy()
            return th - lr * (math.sqrt(bc2) / bc1) * xi * self.m / (np.sqrt(self.v) + eps)
        if o == "adabound":  # reference
            fl, gam = hp["final_lr"], hp["gamma"]
            lo = fl * (1 - 1 / (gam * t + 1))
            hi = fl * (1 + 1 / (gam * t))
            raw = lr * (math.sqrt(bc2) / bc1) / (np.sqrt(self.v) + eps)
            self.count("lower_binds", np.sum(raw < lo))
            self.count("upper_binds", np.sum(raw > hi))
            self.count("unclipped", np.sum((raw >= lo) & (raw <= hi)))
            return th - np.clip(raw, lo, hi) * self.m
        if o == "adamod":  # reference
            eta = lr * (math.sqrt(bc2) / bc1) / (np.sqrt(self.v) + eps)
            self.s = hp["beta3"] * self.s + (1 - hp["beta3"]) * eta
            self.count("s_binds", np.sum(self.s < eta))
            self.count("eta_binds", np.sum(self.s >= eta))
            return th - np.minimum(eta, self.s) * self.m
        if o == "radam":  # reference
            rinf = 2 / (1 - b2) - 1
            rt = rinf - 2 * t * b2 ** t / bc2
            if rt > 5:
                self.count("rectified_steps")
                self.diag.setdefault("first_rectified_step", t)
                r = math.sqrt((rt - 4) * (rt - 2) * rinf / ((rinf - 4) * (rinf - 2) * rt))
                return th - lr * r * mhat * math.sqrt(bc2) / (np.sqrt(self.v) + eps)
            self.count("sgd_steps")
            return th - lr * mhat
        raise KeyError(o)


def run_spec(case, steps=STEPS, perturb=0.0):
    """Spec replay; ``perturb`` > 0 multiplies each gradient component by (1 + perturb·N(0,1))."""
    grad = make_grad(case["surface"], SURFACE_PARAMS[case["surface"]])
    rng = np.random.default_rng(12345)
    hp = case["hyperparams"]
    th = np.array(case["start"], dtype=np.float64)
    path, slow = [th.copy()], None
    if case["optimizer"] == "lookahead":
        inner_hp = {k: v for k, v in hp.items() if k not in ("inner", "k", "alpha")}
        inner = SpecStepper(hp["inner"], "paper", inner_hp)
        phi = th.copy()
        slow = [phi.copy()]
        stepper = inner
    else:
        stepper = SpecStepper(case["optimizer"], case["variant"], hp)
    for t in range(1, steps + 1):
        g = np.array(grad(th[0], th[1]))
        if perturb:
            g = g * (1.0 + perturb * rng.standard_normal(2))
        th = stepper.step(th, g)
        if slow is not None and t % hp["k"] == 0:
            phi = phi + hp["alpha"] * (th - phi)
            th = phi.copy()
            slow.append(phi.copy())
        path.append(th.copy())
    return np.array(path), (np.array(slow) if slow is not None else None), stepper.diag


def compare(a, golden):
    """max |Δ|, max |Δ|/|golden|, tolerance ratio, first step over tolerance (or None)."""
    d = np.abs(a - golden)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(np.abs(golden) > 0, d / np.abs(golden), np.where(d > 0, np.inf, 0.0))
    ratio = d / (ATOL + RTOL * np.abs(golden))
    bad = np.nonzero((ratio > 1).any(axis=1))[0]
    return float(d.max()), float(rel.max()), float(ratio.max()), (int(bad[0]) if len(bad) else None)


def _case_text(case) -> str:
    meta = {k: v for k, v in case.items() if k not in ("path", "slow")}
    text = "  " + json.dumps(meta)[:-1]
    for key in ("path", "slow"):
        if key in case:
            rows = ",\n   ".join(json.dumps(row) for row in case[key])
            text += f', "{key}": [\n   {rows}]'
    return text + "}"


def dump_json(doc) -> str:
    """JSON with one path row per line (diffable, compact); floats as Python's repr (exact).
    The lists "cases" and (if present, after it) "schedule_cases" are written case by case."""
    lists = ("cases", "schedule_cases")
    head = {k: v for k, v in doc.items() if k not in lists}
    parts = [json.dumps(head, indent=1)[:-2] + ',\n "cases": [\n']
    parts.append(",\n".join(_case_text(case) for case in doc["cases"]))
    if "schedule_cases" in doc:
        parts.append('\n ],\n "schedule_cases": [\n')
        parts.append(",\n".join(_case_text(case) for case in doc["schedule_cases"]))
    parts.append("\n ]\n}\n")
    text = "".join(parts)
    assert json.loads(text) == doc
    return text


def versions():
    out = {}
    for name in ("torch", "pytorch_optimizer", "adabound", "adamod", "numpy"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = None
    out["python"] = platform.python_version()
    return out


def describe_path(path):
    """A few numbers that show whether a path is a useful test."""
    steps = np.linalg.norm(np.diff(path, axis=0), axis=1)
    return {"travel": float(steps.sum()), "moved": float(np.linalg.norm(path[-1] - path[0])),
            "max_abs": float(np.abs(path).max()), "end": path[-1].tolist()}


def _po_diffgrad_builder(opt, hp, params):
    import pytorch_optimizer as po
    return po.DiffGrad(params, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                       rectify=False, ams_bound=False, weight_decay=0.0, foreach=False), ""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="self-check only; do not write the file")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--only", nargs="+", metavar="ID",
                    help="regenerate only these optimizers' cases and merge them into the existing "
                         "file (other cases kept as they are)")
    ap.add_argument("--ids", nargs="+", metavar="ID", default=[],
                    help="optimizer files to take cases from even if the registry does not list them")
    ap.add_argument("--only-schedules", action="store_true",
                    help="regenerate only the learning-rate schedule cases and merge them into the "
                         "existing file (every optimizer case kept as it is)")
    args = ap.parse_args(argv)
    if args.only_schedules:
        return main_schedules(args)

    warnings.filterwarnings("ignore", message="This overload of", category=UserWarning)
    legacy_ids = {c["optimizer"] for c in CASES}
    if args.only:
        unknown = [oid for oid in args.only if oid not in legacy_ids and golden_module(oid) is None]
        if unknown:
            raise SystemExit(f"no golden cases for {unknown}")
        selected = list(dict.fromkeys(args.only))
        legacy = [c for c in CASES if c["optimizer"] in selected]
        from_modules = [oid for oid in selected if oid not in legacy_ids]
    else:
        legacy = list(CASES)
        from_modules = [oid for oid in module_ids(args.ids) if oid not in legacy_ids]
    mod_cases = [c for oid in from_modules for c in module_cases(oid)]
    ids = [case_id(c) for c in CASES] + [case_id(c) for c in mod_cases]
    assert len(set(ids)) == len(ids), "duplicate case ids"

    print(f"{'case':40s} {'travel':>8s} {'moved':>8s} {'max|Δ|':>9s} {'max rel':>9s} "
          f"{'tol ratio':>9s} {'1st bad':>7s} {'sens':>8s}  diagnostics")
    records, worst = legacy_records(legacy)
    new_records, worst_mod = module_records(mod_cases)
    records += new_records
    worst = max(worst, worst_mod)
    sched_records, worst_sched = schedule_records() if not args.only else ([], 0.0)
    worst = max(worst, worst_sched)
    print(f"worst kernel/spec-vs-library tolerance ratio: {worst:.3g} (must be < 1)")

    if args.check:
        return 0
    out = pathlib.Path(args.out)
    if args.only:
        doc = json.loads(out.read_text())
        doc["versions"] = versions()
        doc["cases"] = merge_cases(doc["cases"], records, selected)
    else:
        doc = {
            "generated_by": "scripts/make_golden.py",
            "description": "Reference trajectories from torch.optim / pytorch_optimizer / the author "
                           "packages; float64, exact analytic gradients, path[0] = start, path[t] = "
                           "θ after step t. See the script's docstring for every library-vs-spec "
                           "difference.",
            "gradient": "analytic (p.grad set before each step)",
            "versions": versions(),
            "cases": records,
            "schedule_cases": sched_records,
        }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(dump_json(doc))
    print(f"wrote {out} ({len(doc['cases'])} cases, {len(records)} regenerated, "
          f"{out.stat().st_size / 1e3:.0f} kB)")
    return 0


def main_schedules(args):
    """``--only-schedules``: record the schedule cases, self-check, merge into ``args.out``."""
    print(f"{'case':40s} {'travel':>8s} {'moved':>8s} {'max|Δ|':>9s} {'max rel':>9s} "
          f"{'tol ratio':>9s} {'1st bad':>7s} {'sens':>8s}  diagnostics")
    records, worst = schedule_records()
    print(f"worst spec-vs-library tolerance ratio: {worst:.3g} (must be < 1)")
    if args.check:
        return 0
    out = pathlib.Path(args.out)
    doc = json.loads(out.read_text())
    doc["versions"] = versions()
    doc["schedule_cases"] = records
    out.write_text(dump_json(doc))
    print(f"wrote {out} ({len(doc['cases'])} cases, {len(records)} schedule cases regenerated, "
          f"{out.stat().st_size / 1e3:.0f} kB)")
    return 0


def legacy_records(cases):
    """(records, worst ratio) for the survey's cases (``CASES``), printing one summary row each."""
    records, worst = [], 0.0
    for case in cases:
        cid = case_id(case)
        path, slow, desc = run_torch(case)
        if not np.all(np.isfinite(path)):
            raise SystemExit(f"{cid}: library path is not finite")
        spec, spec_slow, diag = run_spec(case)
        pert, _, _ = run_spec(case, perturb=1e-13)
        dmax, rmax, ratio, bad = compare(spec, path)
        sens = compare(pert, spec)[2]
        if slow is not None:
            ratio = max(ratio, compare(spec_slow, slow)[2])
        worst = max(worst, ratio)
        info = describe_path(path)
        if case["optimizer"] == "adabound":
            hp = case["hyperparams"]
            diag["final_lr_bit_exact"] = (hp["final_lr"] * hp["lr"] / hp["lr"]) == hp["final_lr"]
        if case["optimizer"] == "diffgrad":
            po_path, _, _ = run_torch(case, builder=_po_diffgrad_builder)
            diag["pytorch_optimizer.DiffGrad_tol_ratio"] = float(f"{compare(po_path, path)[2]:.3g}")
            diag["pytorch_optimizer.DiffGrad_max_abs"] = float(f"{compare(po_path, path)[0]:.3g}")
        print(f"{cid:40s} {info['travel']:8.3f} {info['moved']:8.3f} {dmax:9.2e} {rmax:9.2e} "
              f"{ratio:9.2e} {str(bad):>7s} {sens:8.1e}  {diag if diag else ''}")
        rec = {"optimizer": case["optimizer"], "variant": case["variant"], "library": desc,
               "surface": case["surface"], "surface_params": dict(SURFACE_PARAMS[case["surface"]]),
               "start": list(case["start"]), "steps": STEPS, "hyperparams": dict(case["hyperparams"]),
               "path": [[float(a), float(b)] for a, b in path]}
        if slow is not None:
            rec["slow"] = [[float(a), float(b)] for a, b in slow]
        records.append(rec)
    return records, worst


if __name__ == "__main__":
    sys.exit(main())
