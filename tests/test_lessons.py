"""Lessons: every file loads, every claim a lesson makes is checked on the engine, and a bad
lesson file is rejected with a message naming the file, the step and the key."""
from __future__ import annotations

import math
import shutil

import numpy as np
import pytest

import lessons
import optimizers
import surfaces
from studies import metrics
from studies.runs import explore_runs

LESSONS, ERRORS = lessons.load_all()


def runs_of(lesson_id: str, step: int):
    """The runs a lesson step shows, as the app computes them."""
    return explore_runs(LESSONS[lesson_id].step(step).settings)


def by_label(runs):
    return {r.config_text.split("(")[0] + ("" if i == 0 else f"#{i}"): r for i, r in enumerate(runs)}


def flips(y: np.ndarray) -> float:
    """Fraction of steps on which the coordinate changes sign."""
    return float(np.mean(np.sign(y[1:]) != np.sign(y[:-1])))


def swing(y: np.ndarray, t0: int, t1: int) -> float:
    """Largest change of a coordinate from one step to the next over steps t0..t1."""
    return float(np.max(np.abs(np.diff(y[t0:t1 + 1]))))


def step_lengths(path: np.ndarray) -> np.ndarray:
    return np.linalg.norm(np.diff(path, axis=0), axis=1)


# ---- the claims, one function per lesson ----------------------------------------------------
def claim_sgd_learning_rate():
    (stable,) = runs_of("sgd-learning-rate", 1)
    assert stable.path[1, 1] == 0.0  # lr·κ = 1: the steep coordinate is gone after one step
    (osc,) = runs_of("sgd-learning-rate", 2)
    y = osc.path[:, 1]
    assert flips(y[:21]) == 1.0 and abs(y[-1]) < abs(y[0])  # zig-zag that converges
    (div,) = runs_of("sgd-learning-rate", 3)
    ys = np.abs(div.path[:, 1])
    ys = ys[np.isfinite(ys)]
    assert np.all(ys[1:30] > ys[0:29]) and (div.escaped_at >= 0 or div.diverged_at >= 0)  # grows every step
    assert [r.config_text for r in runs_of("sgd-learning-rate", 4)] == [
        "sgd(lr=0.05)", "sgd(lr=0.09)", "sgd(lr=0.105)"]


def claim_ravine_momentum():
    sgd, = runs_of("ravine-momentum", 1)
    assert flips(sgd.path[:21, 1]) >= 0.8 and abs(sgd.path[-1, 1]) > 0.1  # still zig-zagging at the end
    sgd, sgdm = runs_of("ravine-momentum", 2)
    assert swing(sgdm.path[:, 1], 10, 30) <= 0.25 * swing(sgd.path[:, 1], 10, 30)
    start_dist = abs(sgdm.path[0, 0])
    assert sgdm.path[:, 0].max() <= 0.15 * start_dist  # no overshoot along the valley
    assert sgdm.dist[-1] < sgd.dist[-1]
    # at the step it opens on, SGDM's arrows: the gradient points across the ravine, the momentum along it
    from studies.internals import inspect_run

    at = LESSONS["ravine-momentum"].step(2).settings
    _, ins = inspect_run(at, at.internals)
    angle = lambda v: abs(math.degrees(math.atan2(-v[1], -v[0])))  # noqa: E731 (0° = down the valley)
    assert at.internals == 1 and at.arrows
    assert angle(ins.grad[at.step]) > 60 and angle(ins.momentum[at.step]) < 15
    _, heavy = runs_of("ravine-momentum", 3)
    assert heavy.path[:, 0].max() > 0.3 * start_dist  # β = 0.9 flies past the minimum


def claim_nesterov():
    sgdm, nag = runs_of("nesterov", 1)
    assert swing(nag.path[:, 1], 10, 30) < 0.1 * swing(sgdm.path[:, 1], 10, 30)
    assert nag.path[:, 0].max() < sgdm.path[:, 0].max()  # overshoots less
    assert nag.dist[-1] < sgdm.dist[-1]
    sgdm, nag = runs_of("nesterov", 2)
    assert sgdm.diverged_at < 0 and sgdm.escaped_at < 0 and sgdm.dist[-1] < 0.1
    assert nag.diverged_at >= 0 or nag.escaped_at >= 0
    beta, lr_kappa = 0.9, 0.03 * 50
    assert lr_kappa > 2 * (1 + beta) / (1 + 2 * beta)  # the stability bound the text quotes
    assert math.isclose(2 * (1 + beta) / (1 + 2 * beta), 1.357, abs_tol=1e-3)


def claim_adagrad():
    (ada,) = runs_of("adagrad", 1)
    lens = step_lengths(ada.path)
    assert math.isclose(lens[0], 0.3 * math.sqrt(2), rel_tol=1e-6)  # lr in each coordinate
    assert lens[-1] < 0.01 * lens[0] and ada.dist[-1] > 1.5  # shrinking steps; stalls
    # the step size lr/√G per coordinate only ever shrinks
    r = optimizers.run("adagrad", ada.surface, (-1.5, 2.0), 500, lr=0.3, record_state=True)
    (name,) = r.state
    size = 0.3 / (np.sqrt(r.state[name][1:]) + 1e-10)
    assert np.all(np.diff(size, axis=0) <= 0)
    ada, sgd = runs_of("adagrad", 2)
    assert sgd.loss[-1] < 1e-3 * ada.loss[-1]


def claim_rmsprop_adadelta():
    ada, rms = runs_of("rmsprop-adadelta", 1)
    assert rms.dist[-1] < 0.6 * ada.dist[-1]
    lens_rms, lens_ada = step_lengths(rms.path), step_lengths(ada.path)
    assert lens_rms[-1] >= 0.5 * lens_rms[99] and lens_ada[-1] < lens_ada[99]
    _, delta = runs_of("rmsprop-adadelta", 2)
    first = np.abs(delta.path[1] - delta.path[0])
    expected = math.sqrt(1e-6) / math.sqrt(1 - 0.9)
    assert np.allclose(first, expected, rtol=0.01)  # ≈ √ε/√(1 − ρ) per coordinate


def claim_adam_bias_correction():
    (adam,) = runs_of("adam-bias-correction", 1)
    d = np.abs(np.diff(adam.path[:6], axis=0))
    assert np.allclose(d[0], 0.1, rtol=1e-6)  # the first step is lr in each coordinate
    assert np.all(d <= 0.1 * (1 + 1e-9))  # and no later step is longer than lr per coordinate
    assert LESSONS["adam-bias-correction"].step(1).settings.step == 1
    g = optimizers.run("adam", adam.surface, (-1.5, 2.0), 1, lr=0.1, record_state=True)
    assert np.linalg.norm(g.grads[1]) > 100  # on a surface whose gradient is in the hundreds
    m, v = g.state["m"][1], g.state["v"][1]
    uncorrected = 0.1 * np.abs(m) / (np.sqrt(v) + 1e-8)
    assert np.allclose(uncorrected / d[0], (1 - 0.9) / math.sqrt(1 - 0.999), rtol=1e-6)
    assert math.isclose((1 - 0.9) / math.sqrt(1 - 0.999), 3.16, rel_tol=0.01)
    assert len(runs_of("adam-bias-correction", 2)) == 3


def claim_adamw():
    adam, adamw = runs_of("adamw", 1)
    assert np.linalg.norm(adamw.path[-1]) < np.linalg.norm(adam.path[-1])  # pulled towards the origin
    assert adam.dist[-1] < adamw.dist[-1]
    _, strong = runs_of("adamw", 2)
    assert np.linalg.norm(strong.path[-1]) < np.linalg.norm(adamw.path[-1])
    # decoupled: θ is shrunk by exactly (1 − lr·λ) before Adam's step (one step, the same gradient)
    s = adam.surface
    a = optimizers.trajectory("adam", s, (-8.0, -6.0), 1, lr=0.05)
    w = optimizers.trajectory("adamw", s, (-8.0, -6.0), 1, lr=0.05, weight_decay=0.5)
    assert np.allclose(w[1], a[1] - 0.05 * 0.5 * a[0], rtol=0, atol=1e-12)


def claim_amsgrad_yogi_adabelief():
    adam, ams, yogi, belief = runs_of("amsgrad-yogi-adabelief", 1)
    r = optimizers.run("amsgrad", adam.surface, (-1.5, 2.0), 300, lr=0.05, record_state=True)
    vmax = [v for k, v in r.state.items() if "max" in k][0][1:]
    assert np.all(np.diff(vmax, axis=0) >= 0)  # the second moment AMSGrad uses never decreases
    assert ams.dist[-1] > adam.dist[-1]  # more friction: slower here
    assert belief.dist[-1] < adam.dist[-1]
    assert all(x.diverged_at < 0 for x in (adam, ams, yogi, belief))


def claim_adabound_adamod():
    adam, bound = runs_of("adabound-adamod", 1)
    assert adam.diverged_at < 0 and bound.diverged_at < 0
    hp = bound.hyperparams
    lr, flr, gam = hp["lr"], hp["final_lr"], hp["gamma"]
    b1, b2 = hp["beta1"], hp["beta2"]
    # the first step: Adam without bias correction, (1 − β1)/√(1 − β2) ≈ 3.2 times lr per coordinate
    assert np.allclose(np.abs(bound.path[1] - bound.path[0]), lr * (1 - b1) / math.sqrt(1 - b2), rtol=1e-6)
    # every step size lies between the bounds, which close in on final_lr
    r = optimizers.run("adabound", bound.surface, (-1.5, 2.0), 500, record_state=True, **hp)
    t = np.arange(1, 501)[:, None]
    eta = np.abs(np.diff(r.path, axis=0)) / np.abs(r.state["m"][1:]) * np.sqrt(t)
    lower, upper = flr * (1 - 1 / (gam * t + 1)), flr * (1 + 1 / (gam * t))
    assert np.all(eta >= lower * (1 - 1e-9)) and np.all(eta <= upper * (1 + 1e-9))
    assert upper[-1, 0] / lower[-1, 0] < 10 and upper[0, 0] / lower[0, 0] > 1e5
    adam, mod = runs_of("adabound-adamod", 2)
    la, lm = step_lengths(adam.path[:6]), step_lengths(mod.path[:6])
    assert lm[0] < 0.002 * la[0] and np.all(lm < 0.05 * la)  # AdaMod's first steps are tiny


def claim_radam():
    adam, radam = runs_of("radam", 1)
    r = optimizers.run("radam", radam.surface, (-1.8, 0.8), 6, lr=0.05, record_state=True)
    b1, b2 = 0.9, 0.999
    rho_inf = 2 / (1 - b2) - 1
    for t in range(1, 7):
        rho = rho_inf - 2 * t * b2**t / (1 - b2**t)
        step = radam.path[t] - radam.path[t - 1]
        mhat = r.state["m"][t] / (1 - b1**t)
        if t <= 4:
            assert rho <= 4 and np.allclose(step, -0.05 * mhat, rtol=1e-9, atol=1e-15)  # SGDM's step
        else:
            assert rho > 4 and np.linalg.norm(step) < 0.1 * np.linalg.norm(adam.path[t] - adam.path[t - 1])
    adam, radam = runs_of("radam", 2)
    first = step_lengths(radam.path[:5])
    assert first.max() > 10 * step_lengths(adam.path[:5]).max()  # thrown across the valley


def claim_lookahead():
    (la,) = runs_of("lookahead", 1)
    d = np.linalg.norm(la.slow, axis=1)
    assert len(d) == 6 and np.all(np.diff(d) < 0)  # every cycle closer
    assert np.all(np.abs(la.fast[:, 1]) > 0.05)  # the fast weights swing across the ravine
    sgdm, la = runs_of("lookahead", 2)
    assert np.linalg.norm(la.path[-1]) < np.linalg.norm(sgdm.path[-1])


def claim_saddles():
    sgd, sgdm, rms, adam = runs_of("saddles", 1)

    def escape(r):
        y = np.abs(r.path[:, 1])
        return int(np.argmax(y > 1.0)) if np.any(y > 1.0) else -1

    assert escape(sgd) == -1 and abs(sgd.path[-1, 1]) < 0.1  # still near the ridge
    assert all(0 < escape(r) < 100 for r in (sgdm, rms, adam))
    noisy = runs_of("saddles", 2)
    quiet = optimizers.trajectory("sgd", sgd.surface, (1.5, 0.001), 400, lr=0.01)
    t_quiet = int(np.argmax(np.abs(quiet[:, 1]) > 1.0))
    assert t_quiet == 349 and 0 < escape(noisy[0]) < 0.8 * t_quiet  # noise pushes SGD off sooner


def claim_warm_up():
    (const,) = runs_of("warm-up", 1)
    assert np.nanmax(const.loss) > 5 * const.loss[0]  # up the far wall: 12.5 to almost 80
    (warm,) = runs_of("warm-up", 2)
    assert np.isclose(warm.lrs[1], 0.03) and np.allclose(warm.lrs[31:], 0.3)  # a tenth of lr, then lr
    assert np.nanmax(warm.loss) <= warm.loss[0]  # never above its start
    assert warm.dist[-1] < const.dist[-1] / 7
    (cycle,) = runs_of("warm-up", 3)
    assert cycle.lrs[1] < warm.lrs[1] and cycle.lrs[-1] < 1e-3 * 0.3  # gentler start, tiny end
    assert np.nanmax(cycle.loss) <= cycle.loss[0] and cycle.dist[-1] < const.dist[-1]


def claim_kinks_and_cliffs():
    lesson = LESSONS["kinks-and-cliffs"]
    assert all(s.settings.surface == "custom" and s.settings.formula for s in lesson.steps)  # typed formulas

    def first(mask) -> int:
        return int(np.argmax(mask)) if np.any(mask) else -1

    def two_cycle_from(path) -> int:
        """The first step from which the path hops between the same two points to the end."""
        same = np.all(np.abs(path[2:] - path[:-2]) < 1e-12, axis=1)  # same[k]: path[k + 2] == path[k]
        return len(path) - 2 - int(np.argmin(same[::-1])) if not same.all() else 0

    # 1. |x| + |y|: every step is lr in each coordinate; lr = 0.1 ends hopping 0.076 away
    big, small = runs_of("kinks-and-cliffs", 1)
    assert lesson.step(1).settings.formula == "abs(x) + a*abs(y)"
    for r, lr in ((big, 0.1), (small, 0.02)):
        assert np.allclose(np.abs(np.diff(r.path, axis=0)), lr, rtol=0, atol=1e-12)
    assert first(big.dist < 0.2) == 14
    t = two_cycle_from(big.path)
    assert t == 15 and np.allclose(big.dist[t:], 0.076, atol=5e-4) and np.allclose(big.loss[t:], 0.1)
    assert big.dist.min() > 0.075  # never closer
    assert math.isclose(small.dist[-1], big.dist[-1] / 5, rel_tol=0.1)  # five times closer
    assert math.isclose(small.dist[-1], 0.014, abs_tol=5e-4)
    assert first(small.dist < 0.2) == 67 and two_cycle_from(small.path) == 76
    # 2. cosine annealing to 0: the same fast start, then it settles
    (cos,) = runs_of("kinks-and-cliffs", 2)
    assert np.isclose(cos.lrs[1], 0.1) and cos.lrs[-1] < 1e-4 * 0.1
    assert first(cos.dist < 0.2) == 14
    assert cos.dist[-1] < 3e-5 and big.dist[-1] / cos.dist[-1] > 3000
    # try: exponential decay, gamma 0.99 then 0.97 (each closer than the fixed lr; the faster decay closer still)
    s2 = lesson.step(2).settings
    ends = [optimizers.run("sgd", s2.surface_obj(), s2.start, s2.steps, lr=0.1,
                           schedule=("exponential", {"gamma": g})).path[-1] for g in (0.99, 0.97)]
    assert np.linalg.norm(ends[1]) < np.linalg.norm(ends[0]) < big.dist[-1]
    # 3. the shelf: SGD crawls, Adam sits in the bowl's bottom, SGDM swings over the edge
    sgd, adam, sgdm = runs_of("kinks-and-cliffs", 3)
    s3 = lesson.step(3).settings
    surf = s3.surface_obj()
    ((mx, my),) = [(m.x, m.y) for m in surf.minima]
    assert math.isclose(mx, 1.49, abs_tol=5e-3) and abs(my) < 1e-6 and math.isclose(surf.f_min, -1.75, abs_tol=5e-3)
    hollow = np.array([0.01, 0.0])
    gx, gy = surf.grad(0.010038, 0.0, *surf.values)
    assert abs(gx) < 1e-6 and gy == 0 and math.isclose(surf.f(0.010038, 0.0, *surf.values), 2.0, abs_tol=1e-3)
    assert surf.f(0.5, 0.0, *surf.values) > 1.9 and surf.f(1.5, 0.0, *surf.values) < -1.7  # the cliff: a drop of ~4
    d_sgd = np.linalg.norm(sgd.path - hollow, axis=1)
    shrink = -np.diff(d_sgd) / d_sgd[:-1]
    assert np.all((shrink > 0.018) & (shrink < 0.0201))  # about 2 % of its distance per step
    assert d_sgd[-1] > 0.05 and np.all(sgd.path[:, 0] < 0)  # still short of the bottom
    assert np.allclose(np.abs(adam.path[1] - adam.path[0]), 0.1)  # Adam: lr per coordinate, however gentle the slope
    d_adam = np.linalg.norm(adam.path - hollow, axis=1)
    assert first(d_adam < 0.05) == 73 and np.all(d_adam[73:] < 0.05) and d_adam[-1] < 1e-3
    assert np.all(adam.path[:, 0] < 1) and np.all(sgd.path[:, 0] < 1)
    assert first(sgdm.path[:, 0] > 1) == 28 and sgdm.dist[-1] < 1e-3 and sgdm.loss[-1] < -1.74
    assert sgdm.hyperparams["lr"] < 0.1 and sgdm.hyperparams["momentum"] == 0.9
    # what the teacher sees stays on the plot (the swing past the cliff included)
    (x0, x1), (y0, y1) = surf.bounds
    for r in (sgd, adam, sgdm):
        assert np.all((r.path[:, 0] >= x0) & (r.path[:, 0] <= x1) & (r.path[:, 1] >= y0) & (r.path[:, 1] <= y1))
    # try: momentum 0.85 stops in the bowl too
    low = optimizers.run("sgdm", surf, s3.start, s3.steps, lr=0.07, momentum=0.85)
    assert np.all(low.path[:, 0] < 1) and np.linalg.norm(low.path[-1] - hollow) < 1e-3
    # 4. the ravine along x: AdaGrad first, SGDM next (steps to f − f* ≤ 1e-6, as the table shows)
    sgdm0, ada0 = runs_of("kinks-and-cliffs", 4)
    assert lesson.step(4).settings.surface_params == (("a", 0.0), ("b", 30.0))
    assert ada0.tol_step == 35 and sgdm0.tol_step == 67
    # try: turning the ravine (the start kept), AdaGrad's count climbs, SGDM's stays between 67 and 73
    s4 = lesson.step(4).settings

    def tol_steps(a):
        turned_surf = surfaces.from_expression(s4.formula, {"a": float(a), "b": 30.0}, s4.bounds)
        return [metrics.tol_step(optimizers.run(c.id, turned_surf, s4.start, s4.steps, **c.kwargs()).loss, turned_surf)
                for c in s4.optimizers]

    turned = {round(float(a), 4): tol_steps(a) for a in np.linspace(0, 0.785398, 31)}
    ada_counts = [t[1] for t in turned.values()]
    reached = [c for c in ada_counts if c >= 0]
    assert reached == sorted(reached) and tol_steps(0.2)[1] == 125
    assert all(c == -1 for a, (_, c) in turned.items() if a >= 0.25)
    assert all(67 <= m <= 73 for m, _ in turned.values())
    # 5. turned 45°, the start with it: SGDM's path is the same path, turned; AdaGrad's is not
    sgdm45, ada45 = runs_of("kinks-and-cliffs", 5)
    s5 = lesson.step(5).settings
    a = dict(s5.surface_params)["a"]
    assert math.isclose(a, math.pi / 4, abs_tol=1e-6)
    assert np.allclose(s5.start, (-1.8 * math.cos(a) - 0.6 * math.sin(a), -1.8 * math.sin(a) + 0.6 * math.cos(a)),
                       atol=1e-5)
    assert sgdm45.tol_step == 67 and np.allclose(sgdm45.dist, sgdm0.dist, rtol=1e-4, atol=1e-9)
    assert ada45.tol_step == -1 and math.isclose(ada45.dist[-1], 0.007, abs_tol=5e-4)
    # try: no AdaGrad lr from 0.05 to 5 reaches 1e-6 within the 150 steps at 45°
    surf5 = s5.surface_obj()
    for lr in np.geomspace(0.05, 5, 200):
        r = optimizers.run("adagrad", surf5, s5.start, s5.steps, lr=float(lr))
        assert not np.any(r.loss <= surf5.f_min + metrics.TOL), lr


def test_lessons_open_the_internals_where_they_talk_about_them():
    inspected = {(l.id, n): s.settings.internals for l in LESSONS.values() for n, s in enumerate(l.steps, 1)
                 if s.settings.internals is not None}
    assert inspected[("adam-bias-correction", 1)] == 0 and inspected[("radam", 1)] == 1
    assert LESSONS["adam-bias-correction"].step(1).settings.arrows
    assert ("adam-bias-correction", 2) not in inspected  # a later step turns them off again
    for (lid, n), i in inspected.items():
        assert i < len(LESSONS[lid].step(n).settings.optimizers)


CLAIMS = {name[len("claim_"):].replace("_", "-"): fn for name, fn in globals().items() if name.startswith("claim_")}


def test_the_lessons_load_and_follow_the_survey():
    assert ERRORS == []
    assert len(LESSONS) >= 10
    assert [l.order for l in LESSONS.values()] == sorted(l.order for l in LESSONS.values())
    for lesson in LESSONS.values():
        for s in lesson.steps:
            assert s.title.strip() and s.text.strip() and s.try_this.strip()


def test_every_lesson_has_a_claim_test():
    assert set(CLAIMS) == set(LESSONS)


@pytest.mark.parametrize("lesson_id", sorted(CLAIMS))
def test_lesson_claim(lesson_id):
    CLAIMS[lesson_id]()


# ---- bad lesson files ------------------------------------------------------------------------
GOOD = """title = "T"
order = 1
summary = "S"

[[step]]
title = "one"
text = "x"
try = "y"
[step.state]
surface = "rosenbrock(a=1,b=100)"
opts = ["sgd(lr=0.001)"]
steps = 50

[[step]]
title = "two"
text = "x"
try = "y"
[step.state]
opts = ["adam(lr=0.1)"]
"""

BAD = [  # (replace this, by this, the error names these)
    ('opts = ["adam(lr=0.1)"]', 'opts = ["adamx(lr=0.1)"]', ("step 2", "'opts'", "adamx")),
    ('surface = "rosenbrock(a=1,b=100)"', 'surface = "rosenbrok()"', ("step 1", "'surface'", "rosenbrok")),
    ('opts = ["adam(lr=0.1)"]', 'opts = ["adam(lr=0.1)"]\ncolour = "red"', ("step 2", "'colour'", "unknown state key")),
    ('steps = 50', 'steps = 50000', ("step 1", "'steps'", "out of range")),
    ('opts = ["adam(lr=0.1)"]', 'opts = ["adam(lr=700)"]', ("step 2", "'opts'", "lr")),
    ('opts = ["adam(lr=0.1)"]', 'opts = ["adam(lr=0.1,bogus=1)"]', ("step 2", "'opts'", "bogus")),
    ('opts = ["adam(lr=0.1)"]', 'opts = ["adam(lr=0.1)"]\nview = "4d"', ("step 2", "'view'", "4d")),
    ('opts = ["adam(lr=0.1)"]', 'opts = ["adam(lr=0.1)"]\nstart = [1]', ("step 2", "'start'", "two numbers")),
    ('opts = ["adam(lr=0.1)"]', 'opts = ["adam(lr=0.1)"]\nstart = [9, 9]', ("step 2", "'start'", "out of range")),
    ('opts = ["adam(lr=0.1)"]', 'opts = ["adam(lr=0.1)"]\nstep = 70', ("step 2", "'step'", "out of range")),
    ('opts = ["adam(lr=0.1)"]', 'opts = "adam"', ("step 2", "'opts'", "list")),
    ('steps = 50', 'steps = "many"', ("step 1", "'steps'", "not a number")),
    ('title = "two"\n', '', ("step 2", "'title'", "missing")),
    ('try = "y"\n[step.state]\nopts = ["adam', 'tries = "y"\n[step.state]\nopts = ["adam', ("step 2", "'tries'", "unknown step key")),
    ('order = 1', 'order = "first"', ("'order'", "integer")),
    ('summary = "S"', 'summary = "S"\nauthor = "me"', ("'author'", "unknown lesson key")),
    ('[[step]]\ntitle = "one"', '[[step]]\ntitle = "one', ("not valid TOML",)),
]


@pytest.mark.parametrize("old,new,named", BAD, ids=[b[2][-1] for b in BAD])
def test_a_bad_lesson_file_is_rejected_naming_file_step_and_key(tmp_path, old, new, named):
    assert old in GOOD
    for lesson in LESSONS.values():
        shutil.copy(lesson.path, tmp_path / lesson.path.name)
    (tmp_path / "my-lesson.toml").write_text(GOOD.replace(old, new, 1))
    loaded, errors = lessons.load_all(tmp_path)
    assert len(errors) == 1 and errors[0].startswith("my-lesson.toml")
    for part in named:
        assert part in errors[0], errors[0]
    assert set(loaded) == set(LESSONS)  # the other lessons still work


def test_a_good_lesson_file_loads_and_steps_inherit_state(tmp_path):
    (tmp_path / "my-lesson.toml").write_text(GOOD)
    loaded, errors = lessons.load_all(tmp_path)
    assert errors == []
    one, two = loaded["my-lesson"].steps
    assert two.settings.steps == 50 and two.settings.surface == "rosenbrock"  # inherited
    assert [o.id for o in one.settings.optimizers] == ["sgd"]
    assert [o.id for o in two.settings.optimizers] == ["adam"]


def test_a_file_name_that_is_not_an_id_is_rejected(tmp_path):
    (tmp_path / "My Lesson.toml").write_text(GOOD)
    _, errors = lessons.load_all(tmp_path)
    assert len(errors) == 1 and "My Lesson.toml" in errors[0] and "id" in errors[0]


def test_the_readme_example_is_a_valid_lesson(tmp_path):
    import pathlib
    import re

    readme = (pathlib.Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = re.search(r"### Writing a lesson.*?```toml\n(.*?)```", readme, re.S).group(1)
    (tmp_path / "readme-example.toml").write_text(block)
    loaded, errors = lessons.load_all(tmp_path)
    assert errors == [] and len(loaded["readme-example"].steps) == 2
    two = loaded["readme-example"].step(2).settings
    assert two.internals == 1 and two.arrows and two.schedule.id == "warmup" and two.step == 7


def test_a_new_formula_or_bounds_gives_its_own_start_and_a_built_in_drops_them(tmp_path):
    (tmp_path / "typed.toml").write_text('''title = "T"
order = 1
summary = "S"

[[step]]
title = "one"
text = "x"
try = "y"
[step.state]
surface = "custom(a=1)"
f = "x**2 + a*y**2"
bounds = "-2,2,-2,2"
start = [1.5, 1.5]
opts = ["sgd(lr=0.1)"]

[[step]]
title = "two: same surface string, another formula and bounds"
text = "x"
try = "y"
[step.state]
f = "(x - 3)**2 + a*y**2"
bounds = "0,6,-2,2"

[[step]]
title = "three: a built-in"
text = "x"
try = "y"
[step.state]
surface = "himmelblau()"
''')
    loaded, errors = lessons.load_all(tmp_path)
    assert errors == []
    one, two, three = loaded["typed"].steps
    assert one.settings.start == (1.5, 1.5)
    surf = two.settings.surface_obj()
    assert two.settings.formula == "(x - 3)**2 + a*y**2" and two.settings.start == tuple(surf.start)
    assert 0.0 <= two.settings.start[0] <= 6.0  # inside the new bounds, not the old start
    assert three.settings.surface == "himmelblau" and "f" not in three.query and "bounds" not in three.query
