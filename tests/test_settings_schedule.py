"""The learning-rate schedule in the Explore settings: the ``sched`` URL key (parse, write,
round trip, bad values) and the sidebar (AppTest: set by the sidebar and by a link, and the
runs change)."""
from __future__ import annotations

import pathlib

import numpy as np
import pytest

import optimizers
from optimizers import schedules
from studies.runs import explore_runs
from ui import settings as S

APP = pathlib.Path(__file__).resolve().parent.parent / "app.py"


def test_default_has_no_schedule_and_no_sched_key():
    s = S.default_settings()
    assert s.schedule == schedules.CONSTANT
    assert "sched" not in S.to_query(s)
    assert S.from_query({})[0].schedule == schedules.CONSTANT


@pytest.mark.parametrize("text", [
    "cosine(T_max=300,min_factor=0)",
    "step(step_size=70,gamma=0.3)",
    "exponential(gamma=0.985)",
    "warmup(start_factor=0.05,warmup=40)",
    "warmup_cosine(start_factor=0.2,warmup=25,T_max=200,min_factor=0.1)",
    "onecycle(total_steps=300,pct_start=0.25,div_factor=10,final_div_factor=100)",
])
def test_sched_round_trips(text):
    s, warnings = S.from_query({"sched": text})
    assert not warnings
    assert S.to_query(s)["sched"] == text
    assert S.from_query(S.to_query(s))[0] == s


def test_sched_is_a_url_key():
    assert "sched" in S.URL_KEYS
    assert set(S.to_query(S.from_query({"sched": "cosine"})[0])) <= set(S.URL_KEYS) | {"inspect", "arrows"}


def test_sched_missing_parameters_take_defaults():
    s, warnings = S.from_query({"sched": "cosine"})
    assert not warnings
    assert s.schedule == schedules.parse("cosine")
    assert S.to_query(s)["sched"] == "cosine(T_max=300,min_factor=0)"
    assert S.from_query({"sched": "constant()"})[0].schedule == schedules.CONSTANT
    assert "sched" not in S.to_query(S.from_query({"sched": "constant"})[0])


def test_canonical_rounds_schedule_parameters():
    s = S.from_query({"sched": "cosine(T_max=100,min_factor=0.1)"})[0]
    import dataclasses

    raw = dataclasses.replace(s, schedule=schedules.parse(("cosine", {"T_max": 100, "min_factor": 0.123456789})))
    c = S.canonical(raw)
    assert dict(c.schedule.params)["min_factor"] == 0.123457
    assert S.from_query(S.to_query(c))[0] == c


@pytest.mark.parametrize("text, schedule, warning", [
    ("cosine(T_max=0,min_factor=0)", ("cosine", {"T_max": 1}), "sched cosine T_max = 0 is out of range [1, 5000]; clamped to 1."),
    ("cosine(T_max=9000)", ("cosine", {"T_max": 5000}), "sched cosine T_max = 9000 is out of range [1, 5000]; clamped to 5000."),
    ("cosine(min_factor=abc)", "cosine", "sched cosine min_factor: 'abc' is not a number; using the default."),
    ("step(step_size=2.5)", ("step", {"step_size": 2}), "sched step step_size = 2.5 must be a whole number; rounded to 2."),
    ("exponential(gamma=0.5)", ("exponential", {"gamma": 0.9}), "sched exponential gamma = 0.5 is out of range"),
    ("cosine(eta_min=0.1)", "cosine", "sched cosine: unknown parameter 'eta_min' ignored"),
    ("linear(x=1)", None, "sched: schedule 'linear' is unknown; using constant."),
    ("cosine(T_max", None, "sched: cannot read"),
    ("warmup_cosine(warmup=300,T_max=100)", "warmup_cosine",
     "sched: schedule warmup_cosine: T_max must be greater than warmup"),
])
def test_bad_sched_warns_and_falls_back(text, schedule, warning):
    s, warnings = S.from_query({"sched": text})
    assert s.schedule == schedules.parse(schedule)
    assert len(warnings) == 1 and warnings[0].startswith(warning), warnings


def test_explore_runs_use_the_schedule():
    s = S.from_query({"sched": "warmup(start_factor=0.1,warmup=50)"})[0]
    runs = explore_runs(s)
    base = S.default_settings()
    for r, cfg in zip(runs, base.optimizers):
        expect = optimizers.run(cfg.id, base.surface_obj(), base.start, base.steps, variant=cfg.variant,
                                schedule=s.schedule, **cfg.kwargs())
        np.testing.assert_array_equal(r.path, expect.path)
        np.testing.assert_array_equal(r.lrs, cfg.params["lr"] * optimizers.lr_factors(s.schedule, base.steps))


def test_scrub_family_uses_the_schedule():
    from studies import scrub

    s = S.from_query({"sched": "cosine(T_max=100)"})[0]
    fam = scrub.family(s, 2, "lr", count=4)
    cfg = s.optimizers[2]
    for v, path in zip(fam.values, fam.paths):
        r = optimizers.run(cfg.id, s.surface_obj(), s.start, s.steps, schedule=s.schedule,
                           **dict(cfg.kwargs(), lr=float(v)))
        np.testing.assert_array_equal(path, r.path)


# ---- the sidebar (AppTest) -------------------------------------------------------------------
def _open(query=None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _stage_paths(at):
    import json

    from plots.explore import decode_array

    found = [json.loads(e.proto.bytes or e.proto.json) for e in at.get("bidi_component")
             if e.proto.id.endswith("-stage")]
    assert len(found) == 1
    return [np.column_stack([decode_array(p["x"]), decode_array(p["y"])]) for p in found[0]["paths"]]


def test_sidebar_sets_a_schedule_and_the_runs_change():
    at = _open()
    before = _stage_paths(at)
    assert at.selectbox(key="sched_id").value == "constant"
    assert "sched" not in at.query_params
    at.selectbox(key="sched_id").set_value("cosine").run()
    assert not at.exception
    assert at.query_params["sched"] == "cosine(T_max=300,min_factor=0)"
    at.slider(key="sched_cosine_T_max").set_value(100).run()
    assert not at.exception
    assert at.query_params["sched"] == "cosine(T_max=100,min_factor=0)"
    after = _stage_paths(at)
    assert len(after) == len(before) and any(not np.array_equal(a, b) for a, b in zip(after, before))
    s = S.from_query(at.query_params)[0]
    for got, r in zip(after, explore_runs(s)):
        np.testing.assert_array_equal(got, r.path[: len(got)].astype(np.float32))


def test_link_sets_the_schedule_widgets_and_a_bad_one_warns():
    at = _open({"sched": "warmup_cosine(start_factor=0.2,warmup=25,T_max=200,min_factor=0.1)"})
    assert at.selectbox(key="sched_id").value == "warmup_cosine"
    assert at.slider(key="sched_warmup_cosine_warmup").value == 25
    assert at.slider(key="sched_warmup_cosine_T_max").value == 200
    assert at.query_params["sched"] == "warmup_cosine(start_factor=0.2,warmup=25,T_max=200,min_factor=0.1)"
    plain = _stage_paths(_open())
    assert any(not np.array_equal(a, b) for a, b in zip(_stage_paths(at), plain))
    bad = _open({"sched": "cosine(T_max=0)"})
    text = [w.value.replace("\\", "").replace("\u200b", "") for w in bad.warning]  # md-escaped
    assert "Link: sched cosine T_max = 0 is out of range [1, 5000]; clamped to 1." in text, text
    assert bad.query_params["sched"] == "cosine(T_max=1,min_factor=0)"


def test_every_schedule_renders_from_the_sidebar():
    at = _open()
    for sid in optimizers.SCHEDULES:
        at.selectbox(key="sched_id").set_value(sid).run()
        assert not at.exception, (sid, [e.message for e in at.exception])
        expect = S.to_query(S.from_query({"sched": sid})[0]).get("sched")
        assert at.query_params.get("sched") == expect, sid
        for p in S.schedule_params(sid):
            assert f"sched_{sid}_{p.name}" in at.session_state, (sid, p.name)


def test_a_schedule_adds_an_lr_chart_on_the_stage():
    import json

    from plots.explore import decode_array

    def stage_of(at):
        (found,) = [json.loads(e.proto.bytes or e.proto.json) for e in at.get("bidi_component")
                    if e.proto.id.endswith("-stage")]
        return found

    plain = stage_of(_open())
    assert "lr" not in [c["kind"] for c in plain["charts"]] and all("lr" not in p for p in plain["paths"])
    sched = "onecycle(total_steps=300,pct_start=0.3,div_factor=25,final_div_factor=10000)"
    at = _open({"sched": sched})
    drawn = stage_of(at)
    (chart,) = [c for c in drawn["charts"] if c["kind"] == "lr"]
    assert chart["log"]  # one-cycle spans decades
    settings = S.from_query({"sched": sched})[0]
    for p, cfg in zip(drawn["paths"], settings.optimizers):
        lr = decode_array(p["lr"])
        want = cfg.params["lr"] * schedules.lr_factors(settings.schedule, settings.steps)
        assert len(lr) == p["n"] and np.allclose(lr, want[:p["n"]], rtol=1e-6)  # float32
