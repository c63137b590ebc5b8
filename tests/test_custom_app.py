"""The custom surface in Explore (AppTest): typed formulas, examples, the link, bad input."""
from __future__ import annotations

import json

import numpy as np
import pytest

from test_app import APP, TIMEOUT, ok
from streamlit.testing.v1 import AppTest

from ui import settings as S

RB = {"surface": "custom(a=1,b=100)", "f": "(a-x)**2+b*(y-x**2)**2", "bounds": "-2,2,-1,3",
      "opts": "adam(lr=0.05)", "steps": "200"}


def open_app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return ok(at.run())


def stage(at: AppTest) -> dict:
    (found,) = [json.loads(e.proto.bytes or e.proto.json) for e in at.get("bidi_component")
                if e.proto.id.endswith("-stage")]
    return found


def test_a_custom_link_draws_its_surface_and_round_trips():
    at = open_app(RB)
    q = dict(at.query_params)
    assert q["surface"] == "custom(a=1,b=100)" and q["f"] == RB["f"] and q["bounds"] == "-2,2,-1,3"
    assert at.sidebar.text_input(key="custom_f").value == RB["f"]
    assert not at.warning
    s = stage(at)
    assert s["bounds"] == [[-2.0, 2.0], [-1.0, 3.0]] and s["targets"] == [[1.0, 1.0]]  # found minimum
    # the run equals the built-in Rosenbrock's
    import optimizers

    want = optimizers.trajectory("adam", "rosenbrock", S.from_query(q)[0].start, 200, lr=0.05)
    from plots.explore import decode_array

    got = np.column_stack([decode_array(s["paths"][0]["x"]), decode_array(s["paths"][0]["y"])])
    assert np.allclose(got, want, rtol=1e-5, atol=1e-6)  # float32 in the payload
    again = open_app(q)
    assert dict(again.query_params) == q


def test_typing_a_formula_and_a_bad_one_keeps_the_previous_surface():
    at = open_app()
    at.sidebar.selectbox(key="surface").set_value(S.CUSTOM)
    ok(at.run())
    assert at.query_params["surface"].startswith("custom(") and "f" in at.query_params
    at.sidebar.text_input(key="custom_f").set_value("x**2 + 3*y**2")
    ok(at.run())
    assert at.query_params["f"] == "x**2 + 3*y**2"
    before = stage(at)["rev"]
    at.sidebar.text_input(key="custom_f").set_value("__import__('os').system('touch /tmp/gs_pwned')")
    ok(at.run())
    assert any("calls are allowed only" in e.value for e in at.sidebar.error)
    assert at.query_params["f"] == "x**2 + 3*y**2" and stage(at)["rev"] == before  # kept
    # the kept formula, as (inline) LaTeX
    assert any(m.value == "$f(x, y) = x^{2} + 3 y^{2}$" for m in at.sidebar.markdown)
    import pathlib

    assert not pathlib.Path("/tmp/gs_pwned").exists()


@pytest.mark.parametrize("i", range(4))
def test_every_example_is_one_click_away(i):
    from ui.explore import CUSTOM_EXAMPLES

    at = open_app()
    at.sidebar.selectbox(key="surface").set_value(S.CUSTOM)
    ok(at.run())
    ok(at.sidebar.button(key=f"custom_ex{i}").click().run())
    label, formula, btext, _ = CUSTOM_EXAMPLES[i]
    assert at.query_params["f"] == formula and at.query_params["bounds"] == btext
    assert stage(at)["paths"] and not at.sidebar.error


def test_a_bad_custom_link_warns_and_falls_back():
    at = open_app({**RB, "f": "x.__class__"})
    assert any("custom surface" in w.value for w in at.warning)
    assert at.query_params["surface"].startswith("rosenbrock(")


def test_a_run_into_a_nan_region_is_flagged_diverged():
    at = open_app({"surface": "custom()", "f": "sqrt(x) + y**2", "bounds": "-1,3,-2,2", "start": "0.5,1",
                   "opts": "sgd(lr=0.5)", "steps": "50"})
    assert any("diverged" in e.value for e in at.error)
