"""The Lessons page in AppTest: every step of every lesson opens without error, Next and Back
and the stage's ← → move through a lesson, and the link holds only what the viewer changed."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import lessons
from test_app import APP, TIMEOUT, goto_page, ok, send_stage_event, stages
from ui import settings as S

LESSONS, _ = lessons.load_all()


def open_lesson(query: dict) -> AppTest:
    """A fresh session on the Lessons page with ``query`` as the link's query."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    for k in list(at.query_params):  # "/" opened Explore: the link is the lesson's again
        del at.query_params[k]
    for k, v in query.items():
        at.query_params[k] = v
    return ok(goto_page(at, "lessons"))


def shown(at: AppTest) -> S.ExploreSettings:
    return S.from_query({k: v for k, v in at.query_params.items()})[0]


def plain(text: str) -> str:
    """Markdown-escaped text (``ui.widgets.md_escape``) as it reads on screen."""
    return text.replace("\u200b", "").replace("\\", "")


def texts(at: AppTest) -> str:
    return plain(" ".join(m.value for m in at.markdown) + " " + " ".join(s.value for s in at.subheader))


@pytest.mark.parametrize("lesson_id", sorted(LESSONS))
def test_every_step_of_every_lesson_opens(lesson_id):
    lesson = LESSONS[lesson_id]
    at = open_lesson({"lesson": lesson_id})
    for n, step in enumerate(lesson.steps, 1):
        if n > 1:
            ok(at.button(key="lesson_next").click().run())
        assert dict(at.query_params) == {"lesson": lesson_id, "s": str(n)}  # nothing changed yet
        assert step.title in texts(at) and plain(step.try_this) in plain(" ".join(i.value for i in at.info))
        # no warning but the page's own notes on runs that diverge or leave the view (a lesson may show one)
        notes = [plain(e.value) for e in list(at.warning) + list(at.error)]
        assert all("diverged" in t or "left the view" in t for t in notes), notes
        payload = stages(at)
        assert payload, "no stage"
        drawn = next(iter(payload.values()))
        assert [p["label"] for p in drawn["paths"]] == [c.label() for c in step.settings.optimizers]
        assert drawn["lesson"] == {"s": n, "n": len(lesson.steps)}
    assert at.button(key="lesson_next").disabled


def test_back_and_the_stage_keys_move_through_a_lesson():
    at = open_lesson({"lesson": "ravine-momentum", "s": "3"})
    assert [o.to_text() for o in LESSONS["ravine-momentum"].step(3).settings.optimizers][1].startswith("sgdm")
    ok(at.button(key="lesson_back").click().run())
    assert at.query_params["s"] == "2"
    ok(send_stage_event(at, "lesson", 1))  # ← in presenter mode
    assert at.query_params["s"] == "1" and at.button(key="lesson_back").disabled
    assert [p["label"] for p in stages(at)["stage"]["paths"]] == ["SGD lr=0.0396"]


def test_the_link_holds_only_what_the_viewer_changed():
    at = open_lesson({"lesson": "sgd-learning-rate", "s": "2"})
    at.sidebar.slider(key="steps").set_value(80)
    ok(at.run())
    assert dict(at.query_params) == {"lesson": "sgd-learning-rate", "s": "2", "steps": "80"}
    # the same link in a new session: the step, with the change
    again = open_lesson(dict(at.query_params))
    assert dict(again.query_params) == dict(at.query_params)
    assert len(stages(again)["stage"]["paths"][0]["x"]["bdata"]) > len(stages(open_lesson(
        {"lesson": "sgd-learning-rate", "s": "2"}))["stage"]["paths"][0]["x"]["bdata"])
    # Next: the next step's own state, without the change
    ok(again.button(key="lesson_next").click().run())
    assert dict(again.query_params) == {"lesson": "sgd-learning-rate", "s": "3"}


def test_presenter_mode_stays_on_when_the_lesson_moves():
    at = open_lesson({"lesson": "nesterov", "s": "1", "present": "1"})
    assert at.query_params["present"] == "1"
    ok(send_stage_event(at, "lesson", 2))
    assert dict(at.query_params) == {"lesson": "nesterov", "s": "2", "present": "1"}
    assert "price" in texts(at).lower()


@pytest.mark.parametrize("query,warning,s", [
    ({"lesson": "no-such-lesson"}, "There is no lesson", None),
    ({"lesson": "adagrad", "s": "9"}, "out of range", "2"),  # the last step
    ({"lesson": "adagrad", "s": "two"}, "not a step number", "1"),
])
def test_a_bad_lesson_link_warns_and_keeps_working(query, warning, s):
    at = open_lesson(query)
    assert any(warning in plain(w.value) for w in at.warning)
    if s is not None:
        assert at.query_params["s"] == s and stages(at)


def test_all_lessons_goes_back_to_the_index():
    at = open_lesson({"lesson": "saddles", "s": "2"})
    ok(at.button(key="lesson_index").click().run())
    assert dict(at.query_params) == {} and [t.value for t in at.title] == ["Lessons"] and not stages(at)


def test_the_index_lists_every_lesson():
    at = open_lesson({})
    links = [p.proto.label for p in at.get("page_link")]
    for lesson in LESSONS.values():
        assert any(lesson.title in plain(label) for label in links)
