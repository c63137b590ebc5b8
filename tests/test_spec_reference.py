"""Compiled optimizers against the plain-Python oracle ``tests/spec_reference.py``.

Table-driven over (optimizer × variant × surface): every one of the 17 optimizers,
each of its variants, on rosenbrock, beale, quadratic(kappa=20, angle=30) and booth,
300 steps from hand-picked starts with hand-picked hyperparameters, plus each
optimizer at its spec defaults and cases with non-default hyperparameters that
exercise the rarely taken branches (adabound's bounds binding, adadb's friction
branch, radam's un-rectified steps, ...).

Two kinds of test use the same table:

* ``test_oracle_case_*`` check the table itself with the oracle only: the run is
  finite, f decreases, and the path is well conditioned (perturbing every gradient
  by ~1e-15 relative moves the path by < 1 % of the comparison tolerance), so that
  a mismatch against the implementation is a real difference and not rounding
  amplified by chaotic dynamics;
* ``test_matches_oracle`` / ``test_lookahead_matches_oracle`` compare
  ``optimizers.trajectory`` / ``optimizers.run`` with the oracle at
  rtol = 1e-9, atol = 1e-12 and report the first differing step.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass, field

import numpy as np
import pytest

import spec_reference as ref

STEPS = 300
RTOL, ATOL = 1e-9, 1e-12

# surface id -> (parameters, start)
SURFACES = {
    "rosenbrock": ({}, (-1.2, 1.0)),
    "beale": ({}, (1.0, 1.4)),
    "quadratic": ({"kappa": 20.0, "angle": 30.0}, (-1.8, 0.8)),
    "booth": ({}, (-5.0, 5.0)),
}

# Hand-picked hyperparameters per (optimizer, surface), used for every variant.
# Chosen so that the run moves a good way towards the minimum without entering
# a chaotic regime (see test_oracle_case_is_well_conditioned).
TABLE = {
    "sgd": {"rosenbrock": {"lr": 1e-3}, "beale": {"lr": 3e-3},
            "quadratic": {"lr": 1e-2}, "booth": {"lr": 1e-2}},
    "sgdm": {"rosenbrock": {"lr": 2e-4}, "beale": {"lr": 1e-4},
             "quadratic": {"lr": 1e-3}, "booth": {"lr": 1e-3}},
    "nag": {"rosenbrock": {"lr": 1e-4}, "beale": {"lr": 1e-4},
            "quadratic": {"lr": 1e-3}, "booth": {"lr": 1e-3}},
    "adagrad": {"rosenbrock": {"lr": 0.3}, "beale": {"lr": 0.1},
                "quadratic": {"lr": 0.3}, "booth": {"lr": 0.5}},
    "adadelta": {"rosenbrock": {"lr": 0.3}, "beale": {"lr": 1.0},
                 "quadratic": {"lr": 1.0}, "booth": {"lr": 3.0}},
    "rmsprop": {"rosenbrock": {"lr": 3e-4}, "beale": {"lr": 3e-3},
                "quadratic": {"lr": 3e-3}, "booth": {"lr": 1e-2}},
    "adam": {"rosenbrock": {"lr": 3e-2}, "beale": {"lr": 1e-2},
             "quadratic": {"lr": 1e-2}, "booth": {"lr": 5e-2}},
    "adamw": {"rosenbrock": {"lr": 3e-2}, "beale": {"lr": 1e-2},
              "quadratic": {"lr": 1e-2}, "booth": {"lr": 5e-2}},
    "yogi": {"rosenbrock": {"lr": 3e-2}, "beale": {"lr": 1e-2},
             "quadratic": {"lr": 1e-2}, "booth": {"lr": 5e-2}},
    "amsgrad": {"rosenbrock": {"lr": 3e-2}, "beale": {"lr": 1e-2},
                "quadratic": {"lr": 1e-2}, "booth": {"lr": 5e-2}},
    "adabelief": {"rosenbrock": {"lr": 3e-2}, "beale": {"lr": 1e-2},
                  "quadratic": {"lr": 1e-2}, "booth": {"lr": 3e-2}},
    "diffgrad": {"rosenbrock": {"lr": 3e-2}, "beale": {"lr": 1e-2},
                 "quadratic": {"lr": 1e-2}, "booth": {"lr": 5e-2}},
    "adadb": {"rosenbrock": {"lr": 3e-2}, "beale": {"lr": 1e-2},
              "quadratic": {"lr": 1e-2}, "booth": {"lr": 5e-2}},
    "adabound": {"rosenbrock": {"lr": 1e-3}, "beale": {"lr": 1e-2},
                 "quadratic": {"lr": 1e-2}, "booth": {"lr": 1e-2}},
    "adamod": {"rosenbrock": {"lr": 0.1}, "beale": {"lr": 0.1},
               "quadratic": {"lr": 3e-2}, "booth": {"lr": 0.1}},
    "radam": {"rosenbrock": {"lr": 3e-3}, "beale": {"lr": 3e-3},
              "quadratic": {"lr": 1e-2}, "booth": {"lr": 3e-2}},
}

# Non-default hyperparameters: (optimizer, variants, surface, hp, why)
EXTRA = [
    ("sgd", ("paper",), "beale", {"lr": 1e-3}, "smaller lr"),
    ("sgdm", ("paper",), "quadratic", {"lr": 5e-3, "momentum": 0.5}, "momentum 0.5"),
    ("sgdm", ("paper",), "booth", {"lr": 2e-4, "momentum": 0.97}, "heavy momentum"),
    ("nag", ("paper", "reference"), "quadratic", {"lr": 5e-3, "momentum": 0.5}, "momentum 0.5"),
    ("nag", ("paper", "reference"), "rosenbrock", {"lr": 5e-5, "momentum": 0.97}, "heavy momentum"),
    ("adagrad", ("paper",), "quadratic", {"lr": 0.3, "eps": 1e-2}, "large eps"),
    ("adadelta", ("paper",), "booth", {"lr": 2.0, "rho": 0.95, "eps": 1e-4}, "rho, eps"),
    ("rmsprop", ("paper",), "quadratic", {"lr": 2e-3, "rho": 0.99, "eps": 1e-4}, "rho, eps"),
    ("adam", ("paper",), "quadratic", {"lr": 2e-2, "beta1": 0.5, "beta2": 0.99, "eps": 1e-6},
     "betas, eps"),
    ("adamw", ("paper",), "booth", {"lr": 5e-2, "weight_decay": 0.1}, "strong decay"),
    ("adamw", ("paper",), "quadratic", {"lr": 1e-2, "beta2": 0.99, "weight_decay": 0.5},
     "decay, beta2"),
    ("yogi", ("paper", "reference"), "quadratic", {"lr": 1e-2, "beta2": 0.99}, "beta2 0.99"),
    ("yogi", ("paper", "reference"), "beale", {"lr": 5e-3, "beta2": 0.99, "eps": 1e-4},
     "beta2, eps"),
    ("amsgrad", ("paper", "reference"), "quadratic", {"lr": 2e-2, "beta2": 0.9},
     "beta2 0.9: vmax binds"),
    ("adabelief", ("paper",), "quadratic", {"lr": 1e-2, "beta1": 0.8, "eps": 1e-8}, "beta1, eps"),
    ("diffgrad", ("paper", "reference"), "quadratic", {"lr": 2e-2, "beta1": 0.8, "beta2": 0.99},
     "betas"),
    ("adadb", ("paper",), "quadratic", {"lr": 0.1}, "friction branch fires"),
    ("adadb", ("paper",), "booth", {"lr": 0.1, "beta3": 0.5, "lam": 1.0}, "beta3, lam"),
    ("adabound", ("paper", "reference"), "quadratic",
     {"lr": 1e-2, "final_lr": 0.01, "gamma": 0.1}, "bounds bind"),
    ("adabound", ("paper", "reference"), "booth",
     {"lr": 0.5, "final_lr": 0.02, "gamma": 0.05, "beta2": 0.99}, "bounds bind"),
    ("adamod", ("paper", "reference"), "quadratic", {"lr": 3e-2, "beta3": 0.9}, "beta3 0.9"),
    ("radam", ("paper", "reference"), "quadratic", {"lr": 1e-2, "beta2": 0.7},
     "steps 1-5 un-rectified"),
    ("radam", ("paper", "reference"), "booth", {"lr": 3e-2, "beta1": 0.8, "beta2": 0.99}, "betas"),
]

# Lookahead: (surface, hp incl. inner, why)
LOOKAHEAD = [
    ("booth", {}, "all defaults (inner adam)"),
    ("rosenbrock", {"inner": "sgd", "lr": 1e-3}, "inner sgd"),
    ("quadratic", {"inner": "sgd", "lr": 1e-2, "k": 3, "alpha": 0.8}, "inner sgd, k 3"),
    ("beale", {"inner": "sgdm", "lr": 1e-4, "momentum": 0.9, "k": 3, "alpha": 0.8},
     "inner sgdm"),
    ("booth", {"inner": "sgdm", "lr": 1e-3}, "inner sgdm"),
    ("quadratic", {"inner": "adam", "lr": 1e-2}, "inner adam"),
    ("booth", {"inner": "adam", "lr": 5e-2, "k": 10, "alpha": 0.3}, "inner adam, k 10"),
    ("rosenbrock", {"inner": "adam", "lr": 3e-2, "beta2": 0.99}, "inner adam"),
    ("quadratic", {"inner": "nag", "lr": 1e-3}, "inner nag"),
    ("rosenbrock", {"inner": "nag", "lr": 1e-4, "momentum": 0.9, "k": 7, "alpha": 0.6},
     "inner nag, k 7 (partial last window)"),
    ("beale", {"inner": "adabound", "lr": 1e-2, "k": 4}, "inner adabound"),
    ("quadratic", {"inner": "adabound", "lr": 1e-2, "final_lr": 0.01, "gamma": 0.1, "k": 6,
                   "alpha": 0.5}, "inner adabound, bounds bind"),
]
# ``variant`` selects the inner optimizer's form (lookahead itself has one form).
LOOKAHEAD_REFERENCE = [
    ("quadratic", {"inner": "nag", "lr": 1e-3}, "inner nag reference"),
    ("booth", {"inner": "adabound", "lr": 1e-2, "k": 4}, "inner adabound reference"),
]


@dataclass(frozen=True)
class Case:
    optimizer: str
    variant: str
    surface: str
    hp: dict = field(default_factory=dict, hash=False)
    tag: str = ""

    @property
    def params(self):
        return SURFACES[self.surface][0]

    @property
    def start(self):
        return SURFACES[self.surface][1]

    @property
    def id(self):
        hp = ",".join(f"{k}={v}" for k, v in self.hp.items())
        return f"{self.optimizer}-{self.variant}-{self.surface}-{self.tag}[{hp}]"


def _cases():
    out = []
    for opt, per_surface in TABLE.items():
        for variant in ref.VARIANTS[opt]:
            for surface, hp in per_surface.items():
                out.append(Case(opt, variant, surface, dict(hp), "table"))
            # the spec defaults, on the gentlest surface
            out.append(Case(opt, variant, "booth", {}, "defaults"))
    for opt, variants, surface, hp, _why in EXTRA:
        for variant in variants:
            out.append(Case(opt, variant, surface, dict(hp), "extra"))
    return out


CASES = _cases()
LOOKAHEAD_CASES = ([Case("lookahead", "paper", s, dict(hp), "lookahead") for s, hp, _ in LOOKAHEAD]
                   + [Case("lookahead", "reference", s, dict(hp), "lookahead")
                      for s, hp, _ in LOOKAHEAD_REFERENCE])
ALL_CASES = CASES + LOOKAHEAD_CASES


def _oracle(case, grad_fn=None, start=None):
    f, grad = ref.surface(case.surface, **case.params)
    if case.optimizer == "lookahead":
        path, slow, slow_steps = ref.run_lookahead(case.variant, grad_fn or grad,
                                                   start or case.start, STEPS, case.hp)
        return path, slow, slow_steps
    return ref.run(case.optimizer, case.variant, grad_fn or grad, start or case.start,
                   STEPS, case.hp), None, None


def _tolerance_ratio(actual, desired):
    """max |a − d| / (atol + rtol·|d|): < 1 means assert_allclose passes."""
    a, d = np.asarray(actual, float), np.asarray(desired, float)
    return float(np.max(np.abs(a - d) / (ATOL + RTOL * np.abs(d))))


# ---------------------------------------------------------------------------
# The case table, checked with the oracle alone.
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.id)
def test_oracle_case_is_finite_and_descends(case):
    f, _ = ref.surface(case.surface, **case.params)
    path, _, _ = _oracle(case)
    assert len(path) == STEPS + 1 and path[0] == tuple(map(float, case.start))
    assert all(math.isfinite(v) for row in path for v in row)
    assert f(*path[-1]) < f(*path[0])
    assert path[-1] != path[-2] or case.surface == "booth"  # still moving (or converged on booth)


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.id)
def test_oracle_case_is_well_conditioned(case):
    """Rounding-level perturbations must stay far below the comparison tolerance."""
    _, grad = ref.surface(case.surface, **case.params)
    calls = [0]

    def perturbed(x, y):
        calls[0] += 1
        d = 1e-15 if calls[0] % 2 else -1e-15
        gx, gy = grad(x, y)
        return gx * (1.0 + d), gy * (1.0 - 0.7 * d)

    x0, y0 = case.start
    path, _, _ = _oracle(case)
    path2, _, _ = _oracle(case, perturbed, (x0 * (1 + 1e-15), y0 * (1 - 1e-15)))
    assert _tolerance_ratio(path2, path) < 1e-2


# ---------------------------------------------------------------------------
# Self-checks of the oracle against facts the spec states.
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name,params", [
    ("rosenbrock", {}), ("rosenbrock", {"a": 2.0, "b": 10.0}), ("beale", {}), ("booth", {}),
    ("quadratic", {"kappa": 20.0, "angle": 30.0}), ("quadratic", {"kappa": 5.0, "angle": -70.0}),
])
def test_oracle_gradients_match_finite_differences(name, params):
    f, grad = ref.surface(name, **params)
    rng = np.random.default_rng(1)
    for x, y in rng.uniform(-2.0, 2.0, size=(50, 2)):
        h = 1e-6
        fd = ((f(x + h, y) - f(x - h, y)) / (2 * h), (f(x, y + h) - f(x, y - h)) / (2 * h))
        np.testing.assert_allclose(grad(x, y), fd, rtol=1e-6, atol=1e-6)


def test_oracle_surface_minima():
    for name, params, xmin in [("rosenbrock", {}, (1.0, 1.0)), ("beale", {}, (3.0, 0.5)),
                               ("booth", {}, (1.0, 3.0)),
                               ("quadratic", {"kappa": 20.0, "angle": 30.0}, (0.0, 0.0))]:
        f, grad = ref.surface(name, **params)
        assert f(*xmin) == pytest.approx(0.0, abs=1e-24)
        np.testing.assert_allclose(grad(*xmin), (0.0, 0.0), atol=1e-12)


def test_oracle_quadratic_is_rotated_ravine():
    # along the rotated stiff axis v (direction (−sin th, cos th)) the curvature is kappa
    f, _ = ref.surface("quadratic", kappa=20.0, angle=30.0)
    th = math.radians(30.0)
    assert f(-math.sin(th), math.cos(th)) == pytest.approx(10.0)
    assert f(math.cos(th), math.sin(th)) == pytest.approx(0.5)


@pytest.mark.parametrize("opt,variant", [(o, v) for o in ref.OPTIMIZERS for v in ref.VARIANTS[o]])
def test_oracle_every_optimizer_descends_booth(opt, variant):
    f, grad = ref.surface("booth")
    hp = {"inner": "adam", "lr": 0.1} if opt == "lookahead" else dict(TABLE[opt]["booth"])
    path = ref.run(opt, variant, grad, (-5.0, 5.0), STEPS, hp)
    assert f(*path[-1]) < 0.5 * f(*path[0])


def test_oracle_defaults_table():
    import optimizers

    # the oracle transcribes exactly the survey's optimizers of the registry
    survey = [i for i, s in optimizers.OPTIMIZERS.items() if s.group == "survey"]
    assert len(ref.OPTIMIZERS) == len(survey) == 17 and set(ref.OPTIMIZERS) == set(survey)
    assert ref.resolve_hyperparams("adabound") == {
        "lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "final_lr": 0.1, "gamma": 1e-3, "eps": 1e-8}
    la = ref.resolve_hyperparams("lookahead", {"inner": "sgdm", "lr": 0.5})
    assert la == {"inner": "sgdm", "k": 5, "alpha": 0.5, "lr": 0.5, "momentum": 0.9}
    with pytest.raises(KeyError):
        ref.resolve_hyperparams("adam", {"momentum": 0.9})
    with pytest.raises(KeyError):
        ref.resolve_hyperparams("lookahead", {"inner": "lookahead"})


@pytest.mark.parametrize("surface", ["rosenbrock", "quadratic", "booth"])
def test_oracle_nag_reference_is_shifted_paper(surface):
    """Spec: the reference form is the paper form in coordinates φ_t = θ_t − lr·momentum·m_t."""
    params, start = SURFACES[surface]
    _, grad = ref.surface(surface, **params)
    hp = {"lr": TABLE["nag"][surface]["lr"], "momentum": 0.9}
    theta = np.array(ref.run("nag", "paper", grad, start, STEPS, hp))
    phi = np.array(ref.run("nag", "reference", grad, start, STEPS, hp))
    m = (theta[:-1] - theta[1:]) / hp["lr"]  # θ_t = θ_{t-1} − lr·m_t
    shifted = theta[1:] - hp["lr"] * hp["momentum"] * m
    np.testing.assert_allclose(phi[1:], shifted, rtol=1e-9, atol=1e-12)
    assert np.max(np.abs(phi - theta)) > 1e-6  # the paths themselves differ


def test_oracle_radam_variants_first_differ_at_step_5():
    _, grad = ref.surface("booth")
    p = np.array(ref.run("radam", "paper", grad, (-5.0, 5.0), 10, {"lr": 1e-2}))
    r = np.array(ref.run("radam", "reference", grad, (-5.0, 5.0), 10, {"lr": 1e-2}))
    differs = np.any(p != r, axis=1)
    assert int(np.argmax(differs)) == 5


def test_oracle_radam_beta2_07_rectification_onset():
    # ρ_t with β2 = 0.7 passes 4 at t = 6 and 5 at t = 10
    rhos = [ref.radam_rho(t, 0.7)[1] for t in range(1, 12)]
    assert [t for t, r in enumerate(rhos, 1) if r > 4][0] == 6
    assert [t for t, r in enumerate(rhos, 1) if r > 5][0] == 10
    # un-rectified steps are θ − lr·m̂ in both variants, so they agree up to step 5
    _, grad = ref.surface("quadratic", kappa=20.0, angle=30.0)
    hp = {"lr": 1e-2, "beta2": 0.7}
    p = np.array(ref.run("radam", "paper", grad, (-1.8, 0.8), 12, hp))
    r = np.array(ref.run("radam", "reference", grad, (-1.8, 0.8), 12, hp))
    assert np.array_equal(p[:6], r[:6]) and not np.array_equal(p[6], r[6])


@pytest.mark.parametrize("opt", ["amsgrad", "yogi", "diffgrad", "adabound", "adamod", "radam"])
def test_oracle_variants_differ(opt):
    params, start = SURFACES["quadratic"]
    _, grad = ref.surface("quadratic", **params)
    hp = TABLE[opt]["quadratic"]
    p = np.array(ref.run(opt, "paper", grad, start, STEPS, hp))
    r = np.array(ref.run(opt, "reference", grad, start, STEPS, hp))
    assert np.max(np.abs(p - r)) > 1e-9


def test_oracle_diffgrad_variants_agree_up_to_eps_placement():
    # with eps = 0 the reference is the paper form with the bias corrections folded in
    _, grad = ref.surface("beale")
    hp = {"lr": 1e-2, "eps": 0.0}
    p = np.array(ref.run("diffgrad", "paper", grad, (1.0, 1.4), 100, hp))
    r = np.array(ref.run("diffgrad", "reference", grad, (1.0, 1.4), 100, hp))
    np.testing.assert_allclose(p, r, rtol=1e-9)


def _recording(grad):
    seen = []

    def g(x, y):
        out = grad(x, y)
        seen.append(out)
        return out

    return g, seen


def test_oracle_adadb_friction_branch_fires():
    _, grad = ref.surface("quadratic", kappa=20.0, angle=30.0)
    g, seen = _recording(grad)
    ref.run("adadb", "paper", g, (-1.8, 0.8), STEPS, {"lr": 0.1})
    flips = sum(1 for a, b in zip(seen[1:], seen[:-1]) for i in range(2) if a[i] * b[i] < 0)
    assert flips >= 20


def test_oracle_adabound_bounds_bind(monkeypatch):
    for surface, hp in [("quadratic", {"lr": 1e-2, "final_lr": 0.01, "gamma": 0.1}),
                        ("booth", {"lr": 0.5, "final_lr": 0.02, "gamma": 0.05, "beta2": 0.99})]:
        params, start = SURFACES[surface]
        _, grad = ref.surface(surface, **params)
        for variant in ("paper", "reference"):
            hits = {"low": 0, "high": 0, "inside": 0}

            def counting(x, lo, hi):
                hits["low" if x < lo else "high" if x > hi else "inside"] += 1
                return min(max(x, lo), hi)

            monkeypatch.setattr(ref, "clip", counting)
            ref.run("adabound", variant, grad, start, STEPS, hp)
            monkeypatch.undo()
            assert hits["low"] + hits["high"] >= 50, (surface, variant, hits)


def test_oracle_adabound_bounds_formula():
    lo, hi = ref.adabound_bounds(1, {"final_lr": 0.1, "gamma": 1e-3})
    assert lo == pytest.approx(0.1 * (1 - 1 / 1.001)) and hi == pytest.approx(0.1 * 1001)


def test_oracle_amsgrad_vmax_binds():
    # with beta2 = 0.9 the running max is taken from an older v at many steps
    params, start = SURFACES["quadratic"]
    _, grad = ref.surface("quadratic", **params)
    hp = {"lr": 2e-2, "beta2": 0.9}
    ams = np.array(ref.run("amsgrad", "paper", grad, start, STEPS, hp))
    adam = np.array(ref.run("adam", "paper", grad, start, STEPS, hp))
    assert np.max(np.abs(ams - adam)) > 1e-3


def test_oracle_yogi_sign_zero_and_reference_init():
    assert ref.sign(0.0) == 0.0 and ref.sign(-2.0) == -1.0 and ref.sign(3.0) == 1.0
    s = ref.init_state("yogi", "reference")
    assert s["m"] == 1e-6 and s["v"] == 1e-6
    assert ref.init_state("yogi", "paper")["v"] == 0.0


def test_oracle_lookahead_slow_weights():
    _, grad = ref.surface("booth")
    path, slow, steps = ref.run_lookahead("paper", grad, (-5.0, 5.0), 23,
                                          {"inner": "sgd", "lr": 1e-2, "k": 5, "alpha": 0.5})
    assert steps == [0, 5, 10, 15, 20] and slow[0] == (-5.0, 5.0)
    for t, phi in zip(steps[1:], slow[1:]):
        assert path[t] == phi
    # lookahead with alpha = 1 is the inner optimizer itself (θ ← θ at each sync)
    a = ref.run("lookahead", "paper", grad, (-5.0, 5.0), 40, {"inner": "adam", "lr": 0.1,
                                                              "alpha": 1.0})
    b = ref.run("adam", "paper", grad, (-5.0, 5.0), 40, {"lr": 0.1})
    np.testing.assert_allclose(a, b, rtol=1e-15)
    # the inner state is kept: with sgdm, momentum still carries after a sync
    p, _, _ = ref.run_lookahead("paper", grad, (-5.0, 5.0), 6,
                                {"inner": "sgdm", "lr": 1e-3, "k": 5, "alpha": 0.5})
    q = ref.run("sgdm", "paper", grad, p[5], 1, {"lr": 1e-3})
    assert p[6] != q[1]


# ---------------------------------------------------------------------------
# The implementation against the oracle.
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def api():
    import optimizers
    import surfaces

    return optimizers, surfaces


def _compare(actual, desired, what, case):
    """assert_allclose, with the first differing step in the message."""
    a = np.asarray(actual)
    d = np.asarray(desired, dtype=float)
    assert a.shape == d.shape, f"{what}: shape {a.shape} != {d.shape} ({case.id})"
    ok = np.abs(a - d) <= ATOL + RTOL * np.abs(d)
    ok &= np.isfinite(a) == np.isfinite(d)
    if not np.all(ok):
        bad = np.nonzero(~np.all(ok.reshape(len(ok), -1), axis=1))[0]
        t = int(bad[0])
        lo = max(t - 2, 0)
        rows = "\n".join(f"  t={i:3d} impl={a[i]!r} oracle={d[i]!r}" for i in range(lo, t + 2)
                         if i < len(a))
        pytest.fail(f"{what} differs from the oracle for {case.optimizer}/{case.variant} on "
                    f"{case.surface}{case.params} with {case.hp}: first at step {t} "
                    f"({len(bad)} rows differ)\n{rows}")
    np.testing.assert_allclose(a, d, rtol=RTOL, atol=ATOL)


def _surface(api, case):
    return api[1].get_surface(case.surface, **case.params)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_matches_oracle(api, case):
    optimizers, _ = api
    path = optimizers.trajectory(case.optimizer, _surface(api, case), case.start, STEPS,
                                 variant=case.variant, **case.hp)
    assert isinstance(path, np.ndarray) and path.dtype == np.float64
    desired, _, _ = _oracle(case)
    _compare(path, desired, "path", case)


@pytest.mark.parametrize("case", LOOKAHEAD_CASES, ids=lambda c: c.id)
def test_lookahead_matches_oracle(api, case):
    optimizers, _ = api
    surf = _surface(api, case)
    path = optimizers.trajectory("lookahead", surf, case.start, STEPS, variant=case.variant,
                                 **case.hp)
    desired, slow, slow_steps = _oracle(case)
    _compare(path, desired, "trajectory", case)

    res = optimizers.run("lookahead", surf, case.start, STEPS, variant=case.variant, **case.hp)
    _compare(res.path, desired, "run().path", case)
    f, _ = ref.surface(case.surface, **case.params)
    _compare(res.loss, [f(x, y) for x, y in desired], "run().loss", case)
    _compare(res.slow, slow, "run().slow", case)
    assert list(np.asarray(res.slow_steps)) == slow_steps
    assert np.issubdtype(np.asarray(res.slow_steps).dtype, np.integer)


def test_surface_id_and_object_agree(api):
    optimizers, surfaces = api
    a = optimizers.trajectory("adam", "booth", (-5.0, 5.0), 50, lr=5e-2)
    b = optimizers.trajectory("adam", surfaces.get_surface("booth"), (-5.0, 5.0), 50, lr=5e-2)
    assert a.shape == (51, 2) and a.dtype == np.float64
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a[0], (-5.0, 5.0))


@pytest.mark.parametrize("opt", ["adam", "nag", "radam"])
def test_run_path_equals_trajectory(api, opt):
    optimizers, surfaces = api
    surf = surfaces.get_surface("quadratic", kappa=20.0, angle=30.0)
    hp = TABLE[opt]["quadratic"]
    res = optimizers.run(opt, surf, (-1.8, 0.8), STEPS, **hp)
    traj = optimizers.trajectory(opt, surf, (-1.8, 0.8), STEPS, **hp)
    np.testing.assert_array_equal(res.path, traj)
    f, _ = ref.surface("quadratic", kappa=20.0, angle=30.0)
    np.testing.assert_allclose(res.loss, [f(x, y) for x, y in traj], rtol=1e-12, atol=1e-15)
