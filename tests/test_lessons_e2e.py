"""The Lessons page in Chromium: every lesson opens and draws its first step; in presenter mode
← → and a clicker's PageDown move through the lesson, Shift+→ moves time."""
from __future__ import annotations

import pytest

import lessons
from test_e2e import (LOAD_MS, READY_JS, assert_no_exception, browser_context, open_app,  # noqa: F401
                      page, query_of, stage, wait_until)

LESSONS, _ = lessons.load_all()


@pytest.mark.parametrize("lesson_id", sorted(LESSONS))
def test_every_lesson_opens_in_the_browser(page, lesson_id):
    open_app(page, f"/lessons?lesson={lesson_id}")
    step = LESSONS[lesson_id].step(1)
    s = stage(page)
    assert [p["label"] for p in s["paths"]] == [c.label() for c in step.settings.optimizers]
    main = page.locator('[data-testid="stMain"]').inner_text().replace("\u200b", "")
    assert step.title in main and "Try this" in main
    assert query_of(page) == {"lesson": lesson_id, "s": "1"}


def test_presenter_keys_move_through_a_lesson(page):
    open_app(page, "/lessons?lesson=sgd-learning-rate&s=1&present=1")
    assert page.locator('[data-testid="stSidebar"]').is_hidden()
    labels = lambda: [p["label"] for p in stage(page)["paths"]]  # noqa: E731
    assert labels() == ["SGD lr=0.05"]
    page.keyboard.press("ArrowRight")
    wait_until(lambda: query_of(page).get("s") == "2" and stage(page) and labels() == ["SGD lr=0.09"],
               "step 2 after →", timeout=LOAD_MS / 1000)
    page.wait_for_function(READY_JS, timeout=LOAD_MS)
    assert query_of(page)["present"] == "1"
    page.keyboard.press("PageDown")  # a presentation clicker
    wait_until(lambda: query_of(page).get("s") == "3" and labels() == ["SGD lr=0.105"],
               "step 3 after PageDown", timeout=LOAD_MS / 1000)
    page.wait_for_function(READY_JS, timeout=LOAD_MS)
    page.keyboard.press("ArrowLeft")
    wait_until(lambda: query_of(page).get("s") == "2", "step 2 after ←", timeout=LOAD_MS / 1000)
    page.wait_for_function(READY_JS, timeout=LOAD_MS)
    # Shift+← moves time, not the lesson
    t = stage(page)["t"]
    page.keyboard.press("Shift+ArrowLeft")
    wait_until(lambda: stage(page)["t"] == t - 1, "one time step back")
    assert query_of(page).get("s") == "2"
    assert_no_exception(page)
