"""Gradscape's lessons: guided walks through the survey's argument, one TOML file each.

A lesson is data, not code, so that a teacher can write one (the format is documented in the
README, "Writing a lesson").  Each file ``lessons/<id>.toml`` holds::

    title = "The ravine and momentum"
    order = 2                                  # where it sits in the list
    summary = "One sentence for the list of lessons."
    reference = "Polyak (1964); survey Sec. 3.2"

    [[step]]
    title = "SGD zig-zags"
    text = "What the class sees, in a few sentences."
    quote = "The survey's own sentence, where it has one (optional)."
    try = "A slider to move, and what to watch for."
    [step.state]                              # a Gradscape state: the Explore link's keys
    surface = "quadratic(kappa=50,angle=0)"
    start = [-1.8, 0.6]
    steps = 60
    opts = ["sgd(lr=0.0396)"]
    view = "overlay"

    [[step]]                                  # a step inherits the previous step's state;
    title = "Add momentum"                   # it lists only what changes
    ...
    [step.state]
    opts = ["sgd(lr=0.0396)", "sgdm(lr=0.0396,momentum=0.64)"]

The state's keys and values are exactly those of an Explore link (:mod:`ui.settings`), and
are validated by the same parser, strictly: where a link would fall back to a default with a
warning, a lesson file is rejected.  :func:`load_all` loads every lesson; a bad file is
reported (naming the file, the step and the key) and the others still load.
"""
from __future__ import annotations

import dataclasses
import math
import re
import tomllib
from pathlib import Path

from ui import settings as S

LESSON_DIR = Path(__file__).resolve().parent
#: the keys of a lesson file, of a step, and of a step's state (an Explore link's keys; presenter
#: mode is the viewer's choice, so a lesson does not set it)
LESSON_KEYS = {"title": str, "order": int, "summary": str, "reference": str, "step": list}
REQUIRED_LESSON_KEYS = ("title", "order", "summary", "step")
STEP_KEYS = {"title": str, "text": str, "quote": str, "try": str, "state": dict}
REQUIRED_STEP_KEYS = ("title", "text", "try")
STATE_KEYS = tuple(k for k in S.URL_KEYS if k != "present")
MAX_STEPS_PER_LESSON = 20
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")


class LessonError(ValueError):
    """A lesson file that cannot be used: the message names the file, the step and the key."""


@dataclasses.dataclass(frozen=True)
class LessonStep:
    title: str
    text: str
    try_this: str
    quote: str
    query: dict  # the Explore link's query parameters of this step (str -> str)
    settings: S.ExploreSettings  # the same, parsed


@dataclasses.dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    order: int
    summary: str
    reference: str
    steps: tuple  # of LessonStep
    path: Path

    def step(self, n: int) -> LessonStep:
        """Step ``n``, counting from 1 (clamped into range)."""
        return self.steps[min(max(int(n), 1), len(self.steps)) - 1]


def _text(value) -> str:
    """A state value as the link writes it: lists joined (opts by ';', start by ',')."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return S._fmt(value)
    return str(value)


def _state_query(where: str, state: dict) -> dict:
    out = {}
    for key, value in state.items():
        if key not in STATE_KEYS:
            raise LessonError(f"{where}, key {key!r}: unknown state key; allowed: {', '.join(STATE_KEYS)}")
        if key == "opts":
            if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
                raise LessonError(f"{where}, key 'opts': must be a non-empty list of optimizers, "
                                  f"like [\"sgd(lr=0.01)\", \"adam(lr=0.1)\"]")
            if len(value) > S.MAX_OPTIMIZERS:
                raise LessonError(f"{where}, key 'opts': at most {S.MAX_OPTIMIZERS} optimizers, got {len(value)}")
            out[key] = ";".join(value)
        elif key == "start":
            if (not isinstance(value, list) or len(value) != 2
                    or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
                raise LessonError(f"{where}, key 'start': must be two numbers [x, y], got {value!r}")
            out[key] = f"{_text(float(value[0]))},{_text(float(value[1]))}"
        elif isinstance(value, (list, dict)):
            raise LessonError(f"{where}, key {key!r}: must be a single value, got {value!r}")
        else:
            if isinstance(value, float) and not math.isfinite(value):
                raise LessonError(f"{where}, key {key!r}: must be finite, got {value!r}")
            out[key] = _text(value)
    return out


def _parse_strict(where: str, query: dict, own: dict) -> S.ExploreSettings:
    """The settings of a step's merged ``query``; LessonError if any value would fall back."""
    settings, warnings = S.from_query(query)
    if not warnings:
        return settings
    # name the key: parse each of this step's own keys alone (with the surface, which sets
    # the ranges of start; with steps, which bounds step)
    context = ("surface", "steps")
    for key in sorted(own, key=lambda k: context.index(k) if k in context else len(context)):
        probe = {k: query[k] for k in context[:context.index(key) if key in context else None] if k in query}
        probe[key] = query[key]
        found = S.from_query(probe)[1]
        if found:
            raise LessonError(f"{where}, key {key!r}: {found[0]}")
    raise LessonError(f"{where}: {warnings[0]}")


def _check_type(where: str, key: str, value, kind) -> None:
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise LessonError(f"{where}, key {key!r}: must be an integer, got {value!r}")
    if not isinstance(value, kind):
        raise LessonError(f"{where}, key {key!r}: must be a {kind.__name__}, got {value!r}")
    if kind is str and not value.strip():
        raise LessonError(f"{where}, key {key!r}: must not be empty")


def _check_table(where: str, what: str, table: dict, keys: dict, required) -> None:
    """Every key known, every required key present, every value of its type."""
    for key in table:
        if key not in keys:
            raise LessonError(f"{where}, key {key!r}: unknown {what} key; allowed: {', '.join(keys)}")
    for key in required:
        if key not in table:
            raise LessonError(f"{where}, key {key!r}: missing")
    for key, kind in keys.items():
        if key in table:
            _check_type(where, key, table[key], kind)


def load(path) -> Lesson:
    """One lesson from its TOML file; LessonError names the file, the step and the key."""
    path = Path(path)
    name = path.name
    lid = path.stem
    if not _ID.match(lid):
        raise LessonError(f"{name}: the file name must be the lesson id: lower-case letters, digits and '-'")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LessonError(f"{name}: not valid TOML: {exc}") from None
    _check_table(name, "lesson", data, LESSON_KEYS, REQUIRED_LESSON_KEYS)
    raw_steps = data["step"]
    if not 1 <= len(raw_steps) <= MAX_STEPS_PER_LESSON:
        raise LessonError(f"{name}, key 'step': a lesson has 1 to {MAX_STEPS_PER_LESSON} steps, got {len(raw_steps)}")
    query: dict = {}
    steps = []
    for i, raw in enumerate(raw_steps, 1):
        where = f"{name}, step {i}"
        if not isinstance(raw, dict):
            raise LessonError(f"{where}: must be a table ([[step]])")
        _check_table(where, "step", raw, STEP_KEYS, REQUIRED_STEP_KEYS)
        if i == 1 and "state" not in raw:
            raise LessonError(f"{where}, key 'state': the first step must set a state")
        own = _state_query(where, raw.get("state", {}))
        if any(k in own and own[k] != query.get(k) for k in ("surface", "f", "bounds")):
            query.pop("start", None)  # another surface: its own start, unless the step gives one
        if "surface" in own and not own["surface"].startswith("custom"):
            query.pop("f", None)  # a built-in surface: no formula or bounds of a typed one
            query.pop("bounds", None)
        if "steps" in own:
            query.pop("step", None)
        query = {**query, **own}
        settings = _parse_strict(where, query, own)
        steps.append(LessonStep(raw["title"], raw["text"], raw["try"], raw.get("quote", ""),
                                dict(query), settings))
    return Lesson(lid, data["title"], data["order"], data["summary"], data.get("reference", ""),
                  tuple(steps), path)


def load_all(directory=LESSON_DIR) -> tuple[dict, list[str]]:
    """Every lesson in ``directory``, in order, and the errors of the files that failed."""
    lessons, errors = [], []
    for path in sorted(Path(directory).glob("*.toml")):
        try:
            lessons.append(load(path))
        except LessonError as exc:
            errors.append(str(exc))
    lessons.sort(key=lambda l: (l.order, l.id))
    return {l.id: l for l in lessons}, errors
