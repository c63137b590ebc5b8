"""Custom surfaces in Chromium, on a real server: typing a formula in Explore's box (and a hostile
one), and a custom map in Landscapes whose examples are one click away."""
from __future__ import annotations

import urllib.parse

from test_e2e import (IDLE_JS, LOAD_MS, READY_JS, alerts, assert_no_exception, browser_context,  # noqa: F401
                      open_app, page, query_of, stage, wait_until)

RAVINE = {"surface": "custom(a=1)", "f": "x**2 + a*10*y**2", "bounds": "-2,2,-2,2",
          "opts": "sgd(lr=0.05)", "steps": "100"}


def _type(page, label: str, text: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")


def test_typing_a_formula_in_explore_redraws_and_a_hostile_one_is_only_text(page):
    open_app(page, "/explore?" + urllib.parse.urlencode(RAVINE))
    assert page.locator('[data-testid="stSidebar"] .katex').count() >= 1  # the formula as LaTeX
    before = stage(page)
    _type(page, "f(x, y) =", "(x - 1)**2 + 3*(y + 0.5)**2")
    wait_until(lambda: query_of(page).get("f") == "(x - 1)**2 + 3*(y + 0.5)**2", "the new formula in the link")
    page.wait_for_function(READY_JS, timeout=LOAD_MS)
    after = stage(page)
    assert after["paths"][0]["x"] != before["paths"][0]["x"]  # another surface, another path
    hostile = "<img src=x onerror=\"window.__pwned=1\"> + __import__('os')"
    _type(page, "f(x, y) =", hostile)
    wait_until(lambda: any("previous surface is kept" in a for a in alerts(page, "Error")), "the error under the box")
    page.wait_for_function(IDLE_JS, timeout=LOAD_MS)
    assert_no_exception(page)
    assert query_of(page)["f"] == "(x - 1)**2 + 3*(y + 0.5)**2"  # kept
    assert page.locator('[data-testid="stSidebar"] img[src="x"]').count() == 0
    assert not page.evaluate("() => window.__pwned === 1")
    assert stage(page)["paths"][0]["x"] == after["paths"][0]["x"]


def test_a_custom_map_in_landscapes_and_an_example_click(page):
    q = {"tab": "map", "surface": "custom(a=2)", "f": "abs(x) + a*abs(y)", "bounds": "-2,2,-2,2",
         "opt": "sgd(lr=0.01)", "res": "64", "steps": "150"}
    page.goto(page.base_url + "/landscapes?" + urllib.parse.urlencode(q))
    page.wait_for_selector('[data-testid="stPlotlyChart"] .heatmaplayer, [data-testid="stPlotlyChart"] .hm',
                           timeout=LOAD_MS)
    page.wait_for_function(IDLE_JS, timeout=LOAD_MS)
    assert_no_exception(page)
    got = query_of(page)
    assert {k: got[k] for k in q} == q
    assert page.get_by_label("f(x, y) =", exact=True).input_value() == "abs(x) + a*abs(y)"
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "abs(x)" in main  # the map's title names the typed surface
    page.get_by_role("button", name="Mexican hat").first.click()
    wait_until(lambda: query_of(page).get("f") == "(x**2 + y**2 - a)**2", "the example's formula in the link",
               timeout=LOAD_MS / 1000)
    page.wait_for_function(IDLE_JS, timeout=LOAD_MS)
    assert_no_exception(page)
    assert page.get_by_label("f(x, y) =", exact=True).input_value() == "(x**2 + y**2 - a)**2"
