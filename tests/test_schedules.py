"""Learning-rate schedules (optimizers/schedules.py) against torch.optim.lr_scheduler.

The golden data is ``schedule_cases`` in ``tests/golden/trajectories.json``, written by
``scripts/make_golden.py`` (torch optimizer + torch scheduler, ``opt.step(); sched.step()``):
for every schedule, SGD and Adam, the lr each update used and the path.  Ours must agree to
rtol 1e-9 / atol 1e-12, as the optimizer golden test does.
"""
from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import optimizers
import surfaces
from optimizers import schedules as S

GOLDEN = pathlib.Path(__file__).resolve().parent / "golden" / "trajectories.json"
RTOL, ATOL = 1e-9, 1e-12
CASES = json.loads(GOLDEN.read_text()).get("schedule_cases", [])
IDS = [f"{c['schedule']}-{c['optimizer']}-{c['surface']}" for c in CASES]


def test_golden_has_every_schedule_for_sgd_and_adam():
    """The comparisons below are parametrized over the golden list: this fails if it is empty
    or misses a schedule (they would otherwise pass by running nothing)."""
    seen = {(c["schedule"], c["optimizer"]) for c in CASES}
    assert seen >= {(sid, o) for sid in S.SCHEDULES for o in ("sgd", "adam")}, sorted(seen)
    for c in CASES:
        assert c["steps"] >= 200 and len(c["lrs"]) == c["steps"] and len(c["path"]) == c["steps"] + 1
        if c["schedule"] != "constant":
            assert c["schedule_params"] != S.SCHEDULES[c["schedule"]].defaults, "use non-default parameters"
            assert len(set(c["lrs"])) > 1


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_lr_factors_match_torch(case):
    lrs = case["hyperparams"]["lr"] * optimizers.lr_factors((case["schedule"], case["schedule_params"]),
                                                            case["steps"])
    np.testing.assert_allclose(lrs[1:], case["lrs"], rtol=RTOL, atol=ATOL, err_msg=case["scheduler"])
    assert lrs[0] == lrs[1]


def _surface(case):
    return surfaces.get_surface(case["surface"], **case["surface_params"])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_trajectory_matches_torch(case):
    sched = optimizers.Schedule(case["schedule"], case["schedule_params"])
    path = optimizers.trajectory(case["optimizer"], _surface(case), case["start"], case["steps"],
                                 variant=case["variant"], schedule=sched, **case["hyperparams"])
    golden = np.array(case["path"])
    np.testing.assert_allclose(path, golden, rtol=RTOL, atol=ATOL,
                               err_msg=f"{case['library']} with {case['scheduler']}: "
                                       f"max |Δ| = {np.max(np.abs(path - golden)):.3g}")


@pytest.mark.parametrize("case", CASES[:4], ids=IDS[:4])
def test_run_reports_the_lr_of_every_update(case):
    r = optimizers.run(case["optimizer"], _surface(case), case["start"], case["steps"],
                       variant=case["variant"], schedule=(case["schedule"], case["schedule_params"]),
                       **case["hyperparams"])
    assert r.lrs.shape == (case["steps"] + 1,)
    np.testing.assert_allclose(r.lrs[1:], case["lrs"], rtol=RTOL, atol=ATOL)
    assert r.lrs[0] == r.lrs[1]
    assert r.schedule == S.parse((case["schedule"], case["schedule_params"]))


# ---- the engine ------------------------------------------------------------------------------
#: schedules whose every factor is exactly 1.0, applied through the kernels' schedule path
ALL_ONES = [("step", {"step_size": 1, "gamma": 1.0}), ("warmup", {"start_factor": 1.0, "warmup": 7})]


@pytest.mark.parametrize("oid", list(optimizers.OPTIMIZERS))
def test_constant_schedule_is_exactly_no_schedule(oid):
    """No finite differences: a schedule of factors 1.0 leaves every step bit-identical (the
    kernels' rescaled lr is base·1.0), for every optimizer; so does "constant"."""
    kw = {"inner": "adam"} if optimizers.OPTIMIZERS[oid].wraps_inner else {}
    s = surfaces.SURFACES["rosenbrock"]
    plain = optimizers.trajectory(oid, s, s.start, 40, **kw)
    assert np.array_equal(plain, optimizers.trajectory(oid, s, s.start, 40, schedule="constant", **kw),
                          equal_nan=True)
    for sched in ALL_ONES:
        assert np.array_equal(plain, optimizers.trajectory(oid, s, s.start, 40, schedule=sched, **kw),
                              equal_nan=True), sched


@pytest.mark.parametrize("oid, sched", [
    ("adam", ("warmup_cosine", {"warmup": 10, "T_max": 60})),
    ("sgdm", ("onecycle", {"total_steps": 40})),
    ("adabound", ("step", {"step_size": 7, "gamma": 0.5})),
    ("lookahead", ("cosine", {"T_max": 30, "min_factor": 0.1})),
])
def test_sweep_equals_trajectory_with_a_schedule(oid, sched):
    rng = np.random.default_rng(3)
    n = 5
    starts = rng.uniform([-2, -1], [2, 3], size=(n, 2))
    lrs = np.geomspace(1e-4, 3e-3, n)
    kw = {"inner": "adam"} if oid == "lookahead" else {}
    res = optimizers.sweep(oid, "rosenbrock", starts, 60, lr=lrs, schedule=sched, **kw)
    for j in range(n):
        path = optimizers.trajectory(oid, "rosenbrock", starts[j], 60, lr=lrs[j], schedule=sched, **kw)
        np.testing.assert_array_equal(res.final[j], path[-1])
    plain = optimizers.sweep(oid, "rosenbrock", starts, 60, lr=lrs, **kw)
    assert not np.array_equal(plain.final, res.final)


def test_adabound_schedule_scales_final_lr_too():
    """The author code bounds with final_lr·lr/base_lr: one update at factor 1/4 equals one
    update with lr and final_lr both divided by 4 (and differs from scaling lr alone)."""
    hp = dict(lr=0.5, final_lr=0.2, gamma=1.0)
    sched = ("warmup", {"start_factor": 0.25, "warmup": 100})
    for variant in ("paper", "reference"):
        ours = optimizers.trajectory("adabound", "booth", (-6, -4), 1, variant=variant, schedule=sched, **hp)
        both = optimizers.trajectory("adabound", "booth", (-6, -4), 1, variant=variant,
                                     **dict(hp, lr=0.125, final_lr=0.05))
        lr_only = optimizers.trajectory("adabound", "booth", (-6, -4), 1, variant=variant, **dict(hp, lr=0.125))
        np.testing.assert_allclose(ours, both, rtol=1e-15, atol=0)
        assert not np.allclose(ours, lr_only, rtol=1e-6)


def test_lookahead_with_a_schedule_runs():
    sched = ("warmup_cosine", {"warmup": 20, "T_max": 100})
    r = optimizers.run("lookahead", "rosenbrock", (-1.2, 1.0), 100, inner="adam", lr=0.05, schedule=sched)
    plain = optimizers.run("lookahead", "rosenbrock", (-1.2, 1.0), 100, inner="adam", lr=0.05)
    assert np.all(np.isfinite(r.path)) and not np.array_equal(r.path, plain.path)
    np.testing.assert_array_equal(r.lrs, 0.05 * optimizers.lr_factors(sched, 100))
    assert len(r.slow) == 21
    np.testing.assert_array_equal(plain.lrs, np.full(101, 0.05))


def test_schedule_leaves_the_plan_untouched():
    p = optimizers.plan("sgd", "booth", schedule="exponential", lr=0.01)
    before = p.hp.copy()
    optimizers.trajectory("sgd", "booth", (0, 0), 50, schedule="exponential", lr=0.01)
    assert np.array_equal(p.hp, before)


# ---- the factors -----------------------------------------------------------------------------
def test_factors_shape_and_row_zero():
    for sid in S.SCHEDULES:
        f = optimizers.lr_factors(sid, 17)
        assert f.shape == (18,) and f.dtype == np.float64 and f[0] == f[1]
        assert np.all(np.isfinite(f)) and np.all(f >= 0)


def test_onecycle_holds_its_last_value_past_total_steps():
    f = optimizers.lr_factors(("onecycle", {"total_steps": 50, "div_factor": 4.0, "final_div_factor": 10.0}), 80)
    assert f[1] == pytest.approx(0.25)
    assert np.all(f[50:] == f[50]) and f[50] == pytest.approx(0.025, rel=1e-12)


def test_onecycle_zero_length_rise_takes_its_end_value():
    # pct_start·total_steps = 1: torch divides by zero; here step 0 is the peak
    f = optimizers.lr_factors(("onecycle", {"total_steps": 10, "pct_start": 0.1}), 10)
    assert f[1] == 1.0 and np.all(np.diff(f[1:]) < 0)


def test_cosine_follows_torch_past_t_max():
    f = optimizers.lr_factors(("cosine", {"T_max": 10, "min_factor": 0.0}), 31)
    assert f[11] == pytest.approx(0.0, abs=1e-15) and f[21] == pytest.approx(1.0)


def test_spec_metadata():
    for sid, spec in S.SCHEDULES.items():
        assert spec.id == sid and spec.latex and spec.torch and spec.name
        for p in spec.params:
            assert p.lo <= p.default <= p.hi
        assert S.parse(sid).kwargs == spec.defaults


def test_parse_forms():
    assert S.parse(None) == S.parse("constant") == S.CONSTANT
    a = S.parse(("cosine", {"T_max": 50}))
    assert a == S.parse(optimizers.Schedule("cosine", {"T_max": 50})) == S.parse(optimizers.Schedule("cosine", (("T_max", 50),)))
    assert a.kwargs == {"T_max": 50, "min_factor": 0.0}
    assert a.to_text() == "cosine(T_max=50,min_factor=0)"
    hash(a)


@pytest.mark.parametrize("schedule, message", [
    (("cosine", {"T_max": 0}), "schedule cosine: T_max must be an integer in [1, 1000000], got 0"),
    (("cosine", {"T_max": 2.5}), "schedule cosine: T_max must be an integer in [1, 1000000], got 2.5"),
    (("cosine", {"min_factor": 1.5}), "schedule cosine: min_factor must be a number in [0, 1], got 1.5"),
    (("cosine", {"min_factor": float("nan")}), "schedule cosine: min_factor must be a number in [0, 1], got nan"),
    (("step", {"gamma": "0.5"}), "schedule step: gamma must be a number in [0, 1], got '0.5'"),
    (("step", {"step_size": True}), "schedule step: step_size must be an integer in [1, 1000000], got True"),
    (("exponential", {"gamma": 0.5}), "schedule exponential: gamma must be a number in [0.9, 1], got 0.5"),
    (("warmup", {"start_factor": 0.0}), "schedule warmup: start_factor must be a number in [0.001, 1], got 0.0"),
    (("onecycle", {"pct_start": 1.0}), "schedule onecycle: pct_start must be a number in [0.01, 0.99], got 1.0"),
    (("onecycle", {"div_factor": 0.5}), "schedule onecycle: div_factor must be a number in [1, 10000], got 0.5"),
    (("warmup_cosine", {"warmup": 300, "T_max": 300}),
     "schedule warmup_cosine: T_max must be greater than warmup"),
    (("cosine", {"eta_min": 0.1}), "schedule cosine: unknown parameter 'eta_min'; allowed: T_max, min_factor"),
    ("linear", "unknown schedule 'linear'; valid schedules: constant, step, exponential"),
    (42, "schedule must be None, an id, (id, {params}) or a Schedule; got 42"),
])
def test_bad_schedules_raise_naming_the_parameter(schedule, message):
    with pytest.raises(ValueError) as exc:
        S.parse(schedule)
    assert str(exc.value).startswith(message), str(exc.value)
    for call in (lambda: optimizers.trajectory("sgd", "booth", (0, 0), 5, schedule=schedule),
                 lambda: optimizers.sweep("sgd", "booth", np.zeros((2, 2)), 5, schedule=schedule),
                 lambda: optimizers.run("sgd", "booth", (0, 0), 5, schedule=schedule)):
        with pytest.raises(ValueError, match="schedule"):
            call()
