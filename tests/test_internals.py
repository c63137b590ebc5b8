"""Optimizer internals (``studies.internals``): the series reproduce the steps they drive.

Table-driven over (optimizer, variant, hyperparameters): each case runs the optimizer with
``record_state=True`` and checks that the group that claims to be the step (Δθ = −series)
reproduces the path to 1e-12, and for the special quantities their closed forms, written here
again from the papers (``tests/spec_reference.py`` for ρ_t and AdaBound's bounds), not from
the kernels:

* Adam: θ_t − θ_{t−1} == −lr·m̂/(√v̂+ε), with m̂, v̂ from the recorded m, v and β^t;
* AdaBound / AdaMod: the clipped rate lies between the bounds and its step is the path's;
* RAdam: ρ_t and r_t match the closed form; the switch is the first step with ρ_t > 4 (paper)
  or > 5 (reference);
* diffGrad: ξ_t = 1/(1 + exp(−|g_{t−1} − g_t|)) from the recorded gradients (g_0 = 0);
* Lookahead: slow[i + 1] = slow[i] + α(fast[i] − slow[i]); the inner step group reproduces
  the fast weights' steps.
"""
from __future__ import annotations

import numpy as np
import pytest

import optimizers
import spec_reference as ref
import surfaces
from studies import internals as I

ROSEN = surfaces.SURFACES["rosenbrock"]
START = (-1.5, 2.0)
STEPS = 120

#: (optimizer, variant, hyperparameters, group whose series is −Δθ, or None)
CASES = [
    ("adam", "paper", dict(lr=0.05), "step"),
    ("adamw", "paper", dict(lr=0.05, weight_decay=0.1), None),  # checked below, with its decay
    ("yogi", "paper", dict(lr=0.05), "step"),
    ("yogi", "reference", dict(lr=0.05), "step"),
    ("amsgrad", "paper", dict(lr=0.05), "step"),
    ("amsgrad", "reference", dict(lr=0.05), "step"),
    ("adabelief", "paper", dict(lr=0.05), "step"),
    ("diffgrad", "paper", dict(lr=0.05), "step"),
    ("diffgrad", "reference", dict(lr=0.05), "step"),
    ("radam", "paper", dict(lr=0.0005), "step"),
    ("radam", "reference", dict(lr=0.0005), "step"),
    ("rmsprop", "paper", dict(lr=0.01), "step"),
    ("adagrad", "paper", dict(lr=0.3), "step"),
    ("adabound", "paper", dict(lr=0.1, final_lr=0.01, gamma=0.01), None),
    ("adabound", "reference", dict(lr=0.1, final_lr=0.01, gamma=0.01), None),
    ("adamod", "paper", dict(lr=0.05), None),
    ("adamod", "reference", dict(lr=0.05), None),
    ("lookahead", "paper", dict(inner="adam", lr=0.05, k=5, alpha=0.5), "step"),
    ("sgd", "paper", dict(lr=0.001), None),
    ("sgdm", "paper", dict(lr=0.001), None),
    ("lbfgs", "paper", {}, None),
]


def _run(oid, variant, hp, steps=STEPS):
    r = optimizers.run(oid, ROSEN, START, steps, variant=variant, record_state=True, **hp)
    assert r.diverged_at < 0
    return r, I.internals(r)


def _only(group):
    (s,) = [s for s in group.series if s.role == "main"]
    return s.values


@pytest.mark.parametrize("oid,variant,hp,key", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_groups_are_well_formed(oid, variant, hp, key):
    r, ins = _run(oid, variant, hp)
    n = len(r.path)
    keys = [g.key for g in ins.groups]
    assert len(set(keys)) == len(keys)
    assert keys[-3:] == ["grad", "delta", "ratio"] or (oid == "lookahead" and keys[-1] == "slowfast")
    for g in ins.groups:
        assert g.title and g.ytitle
        for s in g.series:
            assert s.values.shape in ((n,), (n, 2)), (g.key, s.name, s.values.shape)
        if g.log:
            vals = np.concatenate([s.values[1:].ravel() for s in g.series])
            assert np.all(vals[np.isfinite(vals)] > 0), g.key
    assert ins.grad.shape == ins.step.shape == (n, 2)
    np.testing.assert_array_equal(ins.step[:-1], np.diff(r.path, axis=0))
    np.testing.assert_array_equal(ins.grad[:-1], r.grads[1:])
    # generic: Δθ is the (inner) update, |Δθ|/|g| its ratio to the gradient
    d = ins.group("delta").series[0].values
    if oid != "lookahead":
        np.testing.assert_array_equal(d[1:], np.diff(r.path, axis=0))
    ratio = ins.group("ratio").series[0].values
    ok = np.isfinite(ratio[1:])
    np.testing.assert_allclose(ratio[1:][ok], (np.abs(d[1:]) / np.abs(r.grads[1:]))[ok], rtol=1e-15)


@pytest.mark.parametrize("oid,variant,hp,key", [c for c in CASES if c[3]], ids=[f"{c[0]}-{c[1]}" for c in CASES if c[3]])
def test_step_series_reproduces_the_path(oid, variant, hp, key):
    r, ins = _run(oid, variant, hp)
    step = _only(ins.group(key))
    delta = I.inner_delta(r)
    np.testing.assert_allclose(delta[1:], -step[1:], rtol=0, atol=1e-12)


def test_adam_by_hand():
    """θ_t − θ_{t−1} = −lr·m̂/(√v̂+ε), written out from the recorded state alone."""
    lr, b1, b2, e = 0.05, 0.9, 0.999, 1e-8
    r, ins = _run("adam", "paper", dict(lr=lr))
    t = np.arange(len(r.path))[1:, None]
    m, v = r.state["m"][1:], r.state["v"][1:]
    np.testing.assert_allclose(r.scalars["beta1^t"][1:], b1 ** t[:, 0], rtol=1e-13)
    mhat, vhat = m / (1 - b1 ** t), v / (1 - b2 ** t)
    np.testing.assert_allclose(np.diff(r.path, axis=0), -lr * mhat / (np.sqrt(vhat) + e), rtol=0, atol=1e-12)
    np.testing.assert_allclose(_only(ins.group("lr"))[1:], lr / (np.sqrt(vhat) + e), rtol=1e-12)
    bc = ins.group("bc")
    np.testing.assert_allclose(bc.series[0].values[1:], 1 - b1 ** t[:, 0], rtol=1e-12)
    np.testing.assert_allclose(bc.series[1].values[1:], 1 - b2 ** t[:, 0], rtol=1e-12)
    assert ins.momentum is not None
    np.testing.assert_array_equal(ins.momentum, r.state["m"])
    # m and v by their recursions from the recorded gradients
    mm, vv = np.zeros(2), np.zeros(2)
    for k in range(1, len(r.path)):
        mm = b1 * mm + (1 - b1) * r.grads[k]
        vv = b2 * vv + (1 - b2) * r.grads[k] ** 2
    np.testing.assert_allclose(mm, _only(ins.group("m"))[-1], rtol=1e-12)
    np.testing.assert_allclose(vv, ins.group("v").series[0].values[-1], rtol=1e-12)


def test_adamw_step_plus_decay():
    lr, wd = 0.05, 0.1
    r, ins = _run("adamw", "paper", dict(lr=lr, weight_decay=wd))
    step = _only(ins.group("step"))
    np.testing.assert_allclose(np.diff(r.path, axis=0), -lr * wd * r.path[:-1] - step[1:], rtol=0, atol=1e-12)


@pytest.mark.parametrize("variant,hp", [("paper", dict(lr=0.1, final_lr=0.01, gamma=0.01)),
                                        ("reference", dict(lr=0.1, final_lr=0.01, gamma=0.01))])
def test_adabound_clipped_between_bounds(variant, hp):
    r, ins = _run("adabound", variant, hp)
    g = ins.group("bounds")
    upper, lower, eta = (s.values for s in g.series)
    full = dict(optimizers.OPTIMIZERS["adabound"].defaults, **hp)
    for t in (1, 2, 50, STEPS):
        lo, hi = ref.adabound_bounds(t, full)
        assert lower[t] == pytest.approx(lo, rel=1e-14) and upper[t] == pytest.approx(hi, rel=1e-14)
    assert np.all(eta[1:] >= lower[1:, None]) and np.all(eta[1:] <= upper[1:, None])
    # the bounds bind at some steps and not at others (the case exercises the clip)
    _, _, _, raw, post = I.adabound_bounds(I._Ctx(r, "adabound", variant))
    assert np.any(raw[1:] != eta[1:]) and np.any(raw[1:] == eta[1:])
    np.testing.assert_allclose(np.diff(r.path, axis=0), -(eta * post[:, None])[1:] * r.state["m"][1:],
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("variant", ["paper", "reference"])
def test_adamod_step_under_its_bound(variant):
    r, ins = _run("adamod", variant, dict(lr=0.05))
    s, used = (x.values for x in ins.group("bounds").series)
    assert np.all(used[1:] <= s[1:])
    eta, s2, used2 = I.adamod_bounds(I._Ctx(r, "adamod", variant))
    np.testing.assert_array_equal(used, used2)
    assert np.any(eta[1:] > s[1:])  # the cap binds somewhere
    m = r.state["m"][1:]
    if variant == "paper":
        m = m / (1 - r.scalars["beta1^t"][1:, None])
    np.testing.assert_allclose(np.diff(r.path, axis=0), -used[1:] * m, rtol=0, atol=1e-12)


@pytest.mark.parametrize("variant,threshold", [("paper", 4.0), ("reference", 5.0)])
def test_radam_rho_and_switch(variant, threshold):
    r, ins = _run("radam", variant, dict(lr=0.0005))
    rho = _only(ins.group("rho"))
    rvals = _only(ins.group("r"))
    for t in range(1, STEPS + 1):
        rho_inf, rho_t = ref.radam_rho(t, 0.999)
        assert rho[t] == pytest.approx(rho_t, rel=1e-9, abs=1e-9)
        if rho_t > threshold:
            rt = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            assert rvals[t] == pytest.approx(rt, rel=1e-9)
        else:
            assert rvals[t] == 0.0
    first = next(t for t in range(1, STEPS + 1) if ref.radam_rho(t, 0.999)[1] > threshold)
    assert ins.switch_step == first
    assert ins.group("rho").marks == ((first, "switch"),)
    assert f"step {first}" in ins.group("rho").title and f"ρ_t > {threshold:g}" in ins.group("rho").title
    # before the switch the step is the plain momentum step lr·m̂
    mhat = r.state["m"][1:first] / (1 - r.scalars["beta1^t"][1:first, None])
    np.testing.assert_allclose(np.diff(r.path[:first], axis=0), -0.0005 * mhat, rtol=0, atol=1e-12)


@pytest.mark.parametrize("variant", ["paper", "reference"])
def test_diffgrad_friction(variant):
    r, ins = _run("diffgrad", variant, dict(lr=0.05))
    xi = _only(ins.group("xi"))
    g = r.grads.copy()
    g[0] = 0.0  # g_0 = 0
    expect = 1.0 / (1.0 + np.exp(-np.abs(g[:-1] - g[1:])))
    np.testing.assert_allclose(xi[1:], expect, rtol=1e-15)
    assert np.all((xi[1:] >= 0.5) & (xi[1:] <= 1.0))


def test_lookahead_slow_and_fast():
    alpha, k = 0.5, 5
    r, ins = _run("lookahead", "paper", dict(inner="adam", lr=0.05, k=k, alpha=alpha))
    assert len(r.slow) == STEPS // k + 1 and len(r.fast) == len(r.slow) - 1
    np.testing.assert_allclose(r.slow[1:], r.slow[:-1] + alpha * (r.fast - r.slow[:-1]), rtol=0, atol=1e-15)
    fast, slow = (s.values for s in ins.group("slowfast").series)
    np.testing.assert_array_equal(fast, r.path)
    for i, t in enumerate(r.slow_steps):
        np.testing.assert_array_equal(slow[t:t + k], np.broadcast_to(r.slow[i], (len(slow[t:t + k]), 2)))
    # at a sync step the inner update ended at the fast weights, then the path jumped to φ
    delta = I.inner_delta(r)
    t = int(r.slow_steps[1])
    np.testing.assert_array_equal(delta[t], r.fast[0] - r.path[t - 1])


def test_quantities_table():
    """Each optimizer's groups come from one table; every optimizer has the generic three."""
    for oid in optimizers.OPTIMIZERS:
        names = [b.__name__ for b in I.quantities(oid, "adam" if oid == "lookahead" else None)]
        assert {"gradient", "actual_step", "effective_ratio"} <= set(names)
    assert [b.__name__ for b in I.quantities("adam")][:2] == ["step_adaptive", "lr_adaptive"]
    assert "bounds_adabound" in [b.__name__ for b in I.quantities("adabound")]
    assert "xi_diffgrad" in [b.__name__ for b in I.quantities("diffgrad")]


@pytest.mark.parametrize("oid", list(optimizers.OPTIMIZERS))
def test_every_optimizer_has_internals(oid):
    hp = {"inner": "adam"} if oid == "lookahead" else {}
    r = optimizers.run(oid, ROSEN, START, 20, record_state=True, **hp)
    ins = I.internals(r)
    assert ins.groups and ins.grad.shape == (21, 2)


def test_needs_recorded_state():
    r = optimizers.run("adam", ROSEN, START, 5)
    with pytest.raises(ValueError, match="record_state"):
        I.internals(r)


def test_schedule_chart_from_lrs():
    """A run whose ``lrs`` (the lr of each step) is not constant shows the learning rate first,
    and the step series use that lr; a constant one shows no such chart."""
    r = optimizers.run("adam", ROSEN, START, 30, record_state=True, lr=0.05)
    assert I.internals(r).groups[0].key != "schedule"
    if not hasattr(r, "lrs"):  # before the engine had schedules: a stand-in
        r.lrs = np.linspace(0.05, 0.01, 31)
    else:
        r = optimizers.run("adam", ROSEN, START, 30, record_state=True, lr=0.05,
                           schedule=("cosine", {"T_max": 30}))
    ins = I.internals(r)
    assert ins.groups[0].key == "schedule"
    np.testing.assert_array_equal(ins.groups[0].series[0].values, r.lrs)
    if hasattr(optimizers.Run, "__dataclass_fields__") and "lrs" in optimizers.Run.__dataclass_fields__:
        np.testing.assert_allclose(I.inner_delta(r)[1:], -_only(ins.group("step"))[1:], rtol=0, atol=1e-12)


@pytest.mark.parametrize("variant", ["paper", "reference"])
def test_adabound_with_a_schedule(variant):
    """A schedule scales AdaBound's lr and final_lr alike: the bounds follow it, the step too."""
    pytest.importorskip("optimizers.schedules")
    r = optimizers.run("adabound", ROSEN, START, 60, variant=variant, record_state=True, lr=0.1,
                       final_lr=0.01, gamma=0.01, schedule=("step", {"step_size": 20, "gamma": 0.5}))
    ins = I.internals(r)
    assert ins.groups[0].key == "schedule"
    _, _, _, _, post = I.adabound_bounds(I._Ctx(r, "adabound", variant))
    eta = ins.group("bounds").series[2].values
    np.testing.assert_allclose(np.diff(r.path, axis=0), -(eta * post[:, None])[1:] * r.state["m"][1:],
                               rtol=0, atol=1e-12)


# ---- the URL form: inspect=<n> (1-based) and arrows=1 -----------------------------------------
def test_settings_round_trip():
    import dataclasses

    from ui import settings as S

    base = S.default_settings()
    for internals, arrows in [(None, False), (0, False), (2, True), (1, True)]:
        s = S.canonical(dataclasses.replace(base, internals=internals, arrows=arrows))
        q = S.to_query(s)
        assert ("inspect" in q) == (internals is not None)
        assert ("arrows" in q) == arrows
        if internals is not None:
            assert q["inspect"] == str(internals + 1)
        back, warnings = S.from_query(q)
        assert warnings == [] and back == s


@pytest.mark.parametrize("query,internals,arrows,warns", [
    ({"inspect": "3", "arrows": "1"}, 2, True, None),
    ({"inspect": "1"}, 0, False, None),
    ({"inspect": "0"}, None, False, None),  # off, said explicitly (a lesson link turning it off)
    ({"inspect": "off"}, None, False, None),
    ({"inspect": "-1"}, None, False, "inspect"),
    ({"inspect": "4"}, None, False, "from 1 to 3"),
    ({"inspect": "two"}, None, False, "inspect"),
    ({"inspect": "1.5"}, None, False, "inspect"),
    ({"arrows": "1"}, None, False, "arrows"),
    ({"inspect": "2", "arrows": "maybe"}, 1, False, "arrows"),
    ({"inspect": "2", "arrows": "0"}, 1, False, None),
])
def test_settings_from_query(query, internals, arrows, warns):
    from ui import settings as S

    s, warnings = S.from_query(query)
    assert (s.internals, s.arrows) == (internals, arrows)
    if warns is None:
        assert warnings == []
    else:
        assert len(warnings) == 1 and warns in warnings[0]


# ---- the stage's payload -------------------------------------------------------------------------
def test_payload_is_small_and_complete():
    import json

    import dataclasses

    from plots import explore as PE
    from plots import stage as PS
    from plots.internals import internals_payload
    from ui import settings as S

    s = dataclasses.replace(S.default_settings(), internals=2, arrows=True)
    r, ins = I.inspect_run(s, 2)
    pv = PE.PathView(label="Adam lr=0.15", color="#123456", dash="solid", path=r.path, loss=r.loss,
                     diverged_at=r.diverged_at)
    p = internals_payload(ins, 2, pv.label, pv.color, arrows=True, n_valid=pv.n_valid)
    assert [c["key"] for c in p["charts"]][:5] == ["step", "lr", "m", "v", "bc"]
    assert p["charts"][0]["title"].startswith("Effective step size lr·m̂/(√v̂+ε)")
    assert {"gx", "gy", "mx", "my"} <= set(p["arrows"])
    step = p["charts"][0]["series"]
    assert [x["dash"] for x in step] == ["solid", "dash"] and {x["color"] for x in step} == {"#123456"}
    full = PS.stage_payload(s.surface_obj(), [pv], internals=p)
    size = len(PS.payload_bytes(full)) - len(PS.payload_bytes(PS.stage_payload(s.surface_obj(), [pv])))
    assert size < 60_000, size  # 300 steps: ~30 kB
    # thinned to at most ~600 rows on long runs
    long = dataclasses.replace(s, steps=5000)
    r2, ins2 = I.inspect_run(long, 2)
    p2 = internals_payload(ins2, 2, "Adam", "#123456", arrows=False)
    assert len(json.dumps(p2)) < 150_000


def test_lessons_may_show_internals():
    """inspect and arrows are Explore link keys, so a lesson's step may open an optimizer's
    internals with its arrows (parsed by the same strict parser)."""
    from ui import settings as S

    assert {"inspect", "arrows"} <= set(S.URL_KEYS)
    lessons = pytest.importorskip("lessons")
    if not hasattr(lessons, "_state_query"):
        pytest.skip("lessons has no state parser")
    q = lessons._state_query("test", {"opts": ["sgd(lr=0.001)", "adam(lr=0.1)"], "inspect": 2, "arrows": True})
    s, warnings = S.from_query(q)
    assert warnings == [] and (s.internals, s.arrows) == (1, True)
