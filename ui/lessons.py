"""The Lessons page: guided walks through the survey's argument, on the live Explore stage.

``/lessons`` lists the lessons; ``/lessons?lesson=<id>&s=<n>`` opens step n of a lesson: its
text, the survey's sentence, a "try this" prompt, Back and Next, and under them the Explore page
itself, set to the step's state, with every slider live.  The link holds the lesson, the step,
and only what the viewer changed from the step's state, so it stays short and shareable
(``present=1`` opens it in presenter mode, where ← and → move through the steps).

Lesson files are data (``lessons/<id>.toml``, see :mod:`lessons`); their text is shown as text,
never as Markdown or HTML, since a teacher may write it.
"""
from __future__ import annotations

import dataclasses

import streamlit as st

import lessons as L

from . import explore
from . import settings as S
from . import widgets as W

ss = st.session_state
#: the survey, as the lessons' quotes cite it (they are translated from the Chinese original)
SURVEY = ("Chen, Zhang & Li (2022), a survey of first-order optimization algorithms for deep learning, "
          "Artificial Intelligence and Robotics Research 11(4)")
#: how a link says that a key a step sets is now off (a key the canonical link leaves out)
_UNSET = {"step": lambda s: str(s.steps), "present": lambda s: "0", "inspect": lambda s: "off",
          "arrows": lambda s: "0", "sched": lambda s: "constant"}

LESSON_CSS = """<style>
.st-key-gs_lesson_present p { font-size: 1.4rem !important; line-height: 1.35; margin-bottom: 0.1rem; }
</style>"""


@st.cache_resource(show_spinner=False)
def _load(stamp: tuple) -> tuple[dict, list[str]]:
    return L.load_all()


def all_lessons() -> tuple[dict, list[str]]:
    """Every lesson, and the errors of the files that failed; reloaded when a file changes."""
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(L.LESSON_DIR.glob("*.toml")))
    return _load(stamp)


@dataclasses.dataclass(frozen=True)
class LessonFrame:
    """What a lesson step adds to the Explore page (see ``explore.page(lesson=...)``)."""

    lesson: L.Lesson
    n: int  # the step, from 1

    @property
    def step(self) -> L.LessonStep:
        return self.lesson.step(self.n)

    def stage_keys(self) -> dict:
        return {"s": self.n, "n": len(self.lesson.steps)}

    def url_query(self, settings: S.ExploreSettings) -> dict:
        """The link: lesson, step, and only what differs from the step's own state."""
        base = S.to_query(S.canonical(self.step.settings))
        now = S.to_query(settings)
        changed = {k: v for k, v in now.items() if base.get(k) != v}
        for k in base:
            if k not in now:
                changed[k] = _UNSET[k](settings) if k in _UNSET else ""
        return {"lesson": self.lesson.id, "s": str(self.n), **changed}

    def header(self, present: bool) -> None:
        lesson, step, n = self.lesson, self.step, self.n
        total = len(lesson.steps)
        if present:
            st.html(LESSON_CSS)
            box = st.container(key="gs_lesson_present")
            box.markdown(f"**{W.md_escape(lesson.title)} · step {n} of {total}: {W.md_escape(step.title)}**")
            box.markdown(W.md_escape(step.text))
            box.markdown(f"**Try this:** {W.md_escape(step.try_this)}")
            return
        top = st.container(horizontal=True, vertical_alignment="center")
        top.button("All lessons", icon=":material/school:", key="lesson_index", on_click=_to_index)
        top.markdown(f"**{lesson.order}. {W.md_escape(lesson.title)}** · step {n} of {total}")
        top.button("Back", icon=":material/arrow_back:", key="lesson_back", disabled=n <= 1,
                   on_click=_goto, args=(n - 1,))
        top.button("Next", icon=":material/arrow_forward:", key="lesson_next", disabled=n >= total,
                   on_click=_goto, args=(n + 1,), type="primary")
        st.subheader(f"{n}. {W.md_escape(step.title)}", anchor=False)
        st.markdown(W.md_escape(step.text))
        if step.quote:
            st.markdown(f"> {W.md_escape(step.quote)}", help=f"The survey, translated from the Chinese: {SURVEY}.")
        st.info(f"**Try this:** {W.md_escape(step.try_this)}", icon=":material/touch_app:")
        st.caption(f"{W.md_escape(lesson.reference)}")


def _goto(n: int) -> None:
    ss["_lesson_goto"] = n


def _to_index() -> None:
    ss["_lesson_index"] = True


def _index(found: dict, errors: list[str]) -> None:
    st.title("Lessons", anchor=False)
    st.markdown("Each lesson walks through one idea, most of them steps of the survey's argument, on live, "
                "exact optimizers: "
                "every step opens the plot in the state it describes, with a prompt to try. Next and Back "
                "move through a lesson; in presenter mode, so do ← and → (and a presentation clicker).")
    for e in errors:
        st.warning(f"A lesson file could not be loaded: {W.md_escape(e)}", icon=":material/error:")
    cols = st.columns(3)
    for i, lesson in enumerate(found.values()):
        box = cols[i % 3].container(border=True)
        box.page_link(LESSONS_PAGE, label=f"{lesson.order}. {W.md_escape(lesson.title)}",
                      query_params={"lesson": lesson.id}, icon=":material/play_lesson:")
        box.markdown(W.md_escape(lesson.summary))
        count = f"{len(lesson.steps)} step" + ("s" if len(lesson.steps) > 1 else "")
        box.caption(f"{count} · {W.md_escape(lesson.reference)}")


def _step_number(text, total: int) -> tuple[int, list[str]]:
    try:
        n = int(str(text))
    except (TypeError, ValueError):
        return 1, [f"s: {text!r} is not a step number; showing step 1."]
    if not 1 <= n <= total:
        c = min(max(n, 1), total)
        return c, [f"s = {n} is out of range [1, {total}]; showing step {c}."]
    return n, []


def page() -> None:
    found, errors = all_lessons()
    if ss.pop("_lesson_index", False):  # "All lessons" (a link to this page would keep the query)
        st.query_params.clear()
    q = st.query_params.to_dict()
    lid = q.get("lesson")
    if not lid:
        _index(found, errors)
        return
    lesson = found.get(lid)
    if lesson is None:
        st.warning(f"There is no lesson {W.md_escape(repr(lid))}; here are the lessons.", icon=":material/link_off:")
        _index(found, errors)
        return
    total = len(lesson.steps)
    n, warnings = _step_number(q.get("s", "1"), total)
    overrides = {k: v for k, v in q.items() if k in S.URL_KEYS}
    goto = ss.pop("_lesson_goto", None)
    if goto is not None:  # Back, Next, or ← → in presenter mode: the new step's own state
        n, warnings = min(max(int(goto), 1), total), []
        overrides = {"present": "1"} if ss.get("_present") else {}
    if ss.get("_lesson_at") != (lesson.id, n) or "surface" not in ss:
        settings, more = S.from_query({**lesson.step(n).query, **overrides})
        explore.load_settings(settings, warnings + more)
        ss["_lesson_at"] = (lesson.id, n)
    explore.page(lesson=LessonFrame(lesson, n))


LESSONS_PAGE = st.Page(page, title="Lessons", icon=":material/school:", url_path="lessons")
