"""The Explore page's whole configuration, and its URL form.

One source of truth: :class:`ExploreSettings`.  :func:`from_query` parses and validates the
URL's query parameters once (never raising: every bad value falls back to its default, or is
clamped into range, with a warning); :func:`to_query` writes the settings back.  Everything here
is pure Python, so it is tested without Streamlit.

URL grammar (readable and hand-editable)::

    ?surface=rosenbrock(a=1,b=100)&start=-1.5,2&steps=300&noise=0&seed=0
    &opts=sgd(lr=0.001);sgdm(lr=0.001,momentum=0.9);adam(lr=0.05)
    &opts=...  nag@reference(lr=0.01)  lookahead(inner=adam,k=5,alpha=0.5,lr=0.05)
    &view=overlay|panels|3d|both  &present=1  &step=120
    &sched=cosine(T_max=300,min_factor=0)   (a learning-rate schedule for every optimizer;
                                             omitted when constant)
    &inspect=2  &arrows=1   (the internals of optimizer 2, as the legend numbers it, and arrows)

Parsing never measures anything: learning-rate presets are computed only when the user presses
Preset (``studies.presets``).
"""
from __future__ import annotations

import dataclasses
import math
import re

import optimizers
import surfaces
from optimizers import schedules

MAX_STEPS = 5000
DEFAULT_STEPS = 300
MAX_OPTIMIZERS = 8
MAX_NOISE = 100.0
MAX_SEED = 2**31 - 1
#: what the main area shows: one plot with every path, one panel per optimizer, the 3D
#: surface, or the overlay and the 3D surface
VIEWS = ("overlay", "panels", "3d", "both")
#: every query key of an Explore link (lessons' states use the same keys)
URL_KEYS = ("surface", "f", "bounds", "start", "steps", "noise", "seed", "opts", "view", "present", "step", "sched",
            "inspect", "arrows")
#: the default view's learning rates: what the Preset button measures for it
#: (``studies.presets.preset_optimizers("rosenbrock", ("sgd", "sgdm", "adam"), start=(-1.5, 2))``;
#: a test checks that they still agree)
DEFAULT_LRS = (("sgd", 0.001), ("sgdm", 0.002), ("adam", 0.15))


@dataclasses.dataclass(frozen=True)
class OptimizerConfig:
    """One optimizer as the user configured it (the same id may appear twice, for A/B)."""

    id: str
    variant: str = "paper"
    hyperparams: tuple = ()  # ((name, value), ...) in the spec's order; includes "inner" for lookahead

    @property
    def params(self) -> dict:
        return dict(self.hyperparams)

    @property
    def spec(self):
        return optimizers.OPTIMIZERS[self.id]

    @property
    def inner(self) -> str | None:
        return self.params.get("inner")

    def label(self) -> str:
        """Short legend label: name, variant and the hyperparameters that differ from defaults."""
        spec = self.spec
        p = self.params
        name = spec.name
        if spec.wraps_inner:
            name += f"({optimizers.OPTIMIZERS[p['inner']].name})"
        if self.variant != "paper":
            name += f" [{self.variant}]"
        parts = [f"{k}={_fmt(v)}" for k, v in self.hyperparams if k in ("lr", "momentum", "k", "alpha")]
        return f"{name} {', '.join(parts)}" if parts else name

    def to_text(self) -> str:
        head = self.id if self.variant == "paper" else f"{self.id}@{self.variant}"
        return head + "(" + ",".join(f"{k}={_fmt(v)}" for k, v in self.hyperparams) + ")"

    def kwargs(self) -> dict:
        """Keyword arguments for ``optimizers.run``."""
        return dict(self.hyperparams)


@dataclasses.dataclass(frozen=True)
class ExploreSettings:
    surface: str = "rosenbrock"
    surface_params: tuple = ()  # ((name, value), ...)
    start: tuple = (-1.5, 2.0)
    steps: int = DEFAULT_STEPS
    noise: float = 0.0
    seed: int = 0
    optimizers: tuple = ()  # of OptimizerConfig
    view: str = "overlay"
    present: bool = False
    step: int | None = None  # the step shown first; None: the last
    internals: int | None = None  # the optimizer whose internals are shown (0-based); None: off
    arrows: bool = False  # gradient, momentum and step arrows at its current point
    schedule: schedules.Schedule = schedules.CONSTANT  # validated; scales every optimizer's lr

    formula: str = ""  # the custom surface's f(x, y) (surface == CUSTOM), as typed
    bounds: tuple = ()  # its ((x0, x1), (y0, y1))

    def surface_obj(self):
        return surfaces.surface_of(self.surface, self.surface_params, self.formula, self.bounds)


#: the surface id of a formula typed by the user (``surface=custom(a=1)&f=...&bounds=x0,x1,y0,y1``)
CUSTOM = surfaces.custom.CUSTOM
DEFAULT_BOUNDS = surfaces.custom.DEFAULT_BOUNDS
#: the :func:`surfaces.from_expression` surface of a custom formula (ValueError if bad), cached
custom_surface = surfaces.custom.cached


def bounds_text(bounds) -> str:
    """((x0, x1), (y0, y1)) as the link writes it: ``"x0,x1,y0,y1"`` (inverse of :func:`parse_bounds`)."""
    (x0, x1), (y0, y1) = bounds
    return ",".join(_fmt(float(v)) for v in (x0, x1, y0, y1))


def parse_bounds(text: str) -> tuple:
    """``"x0,x1,y0,y1"`` -> ((x0, x1), (y0, y1)); ValueError names what is wrong."""
    parts = str(text).split(",")
    try:
        v = [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"bounds must be four numbers x0,x1,y0,y1, got {text!r}") from None
    if len(v) != 4 or not all(math.isfinite(a) for a in v) or not (v[0] < v[1] and v[2] < v[3]):
        raise ValueError(f"bounds must be four finite numbers x0,x1,y0,y1 with x0 < x1 and y0 < y1, got {text!r}")
    return ((v[0], v[1]), (v[2], v[3]))


# ---- formatting ----------------------------------------------------------------------------
def _fmt(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, int):
        return str(v)
    return f"{v:.6g}"


# ---- defaults ------------------------------------------------------------------------------
def optimizer_config(opt_id: str, variant: str = "paper", **overrides) -> OptimizerConfig:
    """A config with every hyperparameter set (defaults, then ``overrides``), validated."""
    spec = optimizers.OPTIMIZERS[opt_id]
    values = {}
    if spec.wraps_inner:
        values["inner"] = overrides.pop("inner", "adam")
        inner = optimizers.OPTIMIZERS[values["inner"]]
        hps = spec.hyperparams + inner.hyperparams
    else:
        hps = spec.hyperparams
    for h in hps:
        values[h.name] = h.check(overrides.pop(h.name, h.default))
    if overrides:
        raise ValueError(f"unknown hyperparameters for {opt_id!r}: {', '.join(overrides)}")
    return OptimizerConfig(opt_id, variant, tuple(values.items()))


def default_settings() -> ExploreSettings:
    """The default view: SGD, SGDM and Adam racing on Rosenbrock."""
    surf = surfaces.SURFACES["rosenbrock"]
    start = (-1.5, 2.0)  # high on the far wall: the paths show the valley, then the long crawl
    return ExploreSettings(
        surface=surf.id,
        surface_params=tuple(zip((p.name for p in surf.params), surf.values)),
        start=start,
        steps=DEFAULT_STEPS,
        optimizers=tuple(optimizer_config(oid, lr=lr) for oid, lr in DEFAULT_LRS),
    )


# ---- parsing -------------------------------------------------------------------------------
_CALL = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:@\s*([A-Za-z_]+))?\s*(?:\((.*)\))?\s*$", re.S)


def parse_call(text: str):
    """``name@variant(k=v,...)`` -> (name, variant or None, [(k, v), ...]); ValueError if malformed."""
    m = _CALL.match(text or "")
    if not m:
        raise ValueError(f"cannot read {text!r}: expected name(key=value,...)")
    name, variant, body = m.group(1), m.group(2), m.group(3)
    pairs = []
    if body and body.strip():
        for item in body.split(","):
            if "=" not in item:
                raise ValueError(f"cannot read {item.strip()!r} in {text!r}: expected key=value")
            k, v = item.split("=", 1)
            pairs.append((k.strip(), v.strip()))
    return name, variant, pairs


def _number(text: str, what: str, warnings: list):
    try:
        v = float(text)
    except (TypeError, ValueError):
        warnings.append(f"{what}: {text!r} is not a number; using the default.")
        return None
    if not math.isfinite(v):
        warnings.append(f"{what}: {text!r} is not a finite number; using the default.")
        return None
    return v


def _clamp(v: float, lo: float, hi: float, what: str, warnings: list) -> float:
    if v < lo or v > hi:
        c = min(max(v, lo), hi)
        warnings.append(f"{what} = {_fmt(v)} is out of range [{_fmt(lo)}, {_fmt(hi)}]; clamped to {_fmt(c)}.")
        return c
    return v


def _parse_hyperparam(h, text, what, warnings):
    v = _number(text, what, warnings)
    if v is None:
        return h.default
    v = _clamp(v, h.lo, h.hi, what, warnings)
    if h.integer:
        r = int(round(v))
        if r != v:
            warnings.append(f"{what} = {_fmt(v)} must be a whole number; rounded to {r}.")
        return r
    return v


def parse_optimizer(text: str, warnings: list) -> OptimizerConfig | None:
    """One optimizer from its URL text; None (with a warning) if it cannot be used at all."""
    try:
        name, variant, pairs = parse_call(text)
    except ValueError as exc:
        warnings.append(f"optimizer: {exc}; ignored.")
        return None
    if name not in optimizers.OPTIMIZERS:
        warnings.append(f"optimizer {name!r} is unknown; ignored. Known: {', '.join(optimizers.OPTIMIZERS)}.")
        return None
    spec = optimizers.OPTIMIZERS[name]
    given = dict(pairs)
    inner_id = None
    if spec.wraps_inner:
        inner_id = given.pop("inner", "adam")
        if inner_id not in optimizers.inner_choices(spec):
            warnings.append(f"{name}: inner optimizer {inner_id!r} is not valid; using adam.")
            inner_id = "adam"
        hps = spec.hyperparams + optimizers.OPTIMIZERS[inner_id].hyperparams
        variants = optimizers.OPTIMIZERS[inner_id].variants
    else:
        given.pop("inner", None) is not None and warnings.append(f"{name}: takes no inner optimizer; ignored.")
        hps = spec.hyperparams
        variants = spec.variants
    if variant is None:
        variant = "paper"
    elif variant not in variants:
        warnings.append(f"{name}: variant {variant!r} is not one of {', '.join(variants)}; using paper.")
        variant = "paper"
    values = {}
    if inner_id is not None:
        values["inner"] = inner_id
    known = {h.name: h for h in hps}
    for k in given:
        if k not in known:
            warnings.append(f"{name}: unknown hyperparameter {k!r} ignored (allowed: {', '.join(known)}).")
    for h in hps:
        values[h.name] = _parse_hyperparam(h, given[h.name], f"{name} {h.name}", warnings) if h.name in given else h.default
    return OptimizerConfig(name, variant, tuple(values.items()))


def schedule_params(sid: str) -> tuple:
    """Schedule ``sid``'s parameters with the app's ranges: step counts up to ``MAX_STEPS``."""
    return tuple(dataclasses.replace(p, hi=min(p.hi, MAX_STEPS)) if p.integer else p
                 for p in schedules.SCHEDULES[sid].params)


def schedule_config(sid: str, values: dict, warnings: list) -> schedules.Schedule:
    """Schedule ``sid`` with ``values`` (each in range), validated; parameters that do not fit
    together (warm-up not shorter than T_max) give the schedule's defaults, with a warning."""
    try:
        return schedules.parse((sid, values))
    except ValueError as exc:
        warnings.append(f"sched: {exc}; using {sid}'s defaults.")
        return schedules.parse(sid)


def parse_schedule(text: str, warnings: list) -> schedules.Schedule:
    """A learning-rate schedule from its URL text (``cosine(T_max=300,min_factor=0)``); bad
    values fall back to the parameter's default or are clamped, with a warning naming the key;
    parameters that do not fit together give the schedule's defaults."""
    try:
        name, _, pairs = parse_call(text)
    except ValueError as exc:
        warnings.append(f"sched: {exc}; using constant.")
        return schedules.CONSTANT
    if name not in schedules.SCHEDULES:
        warnings.append(f"sched: schedule {name!r} is unknown; using constant. Known: "
                        f"{', '.join(schedules.SCHEDULES)}.")
        return schedules.CONSTANT
    known = {p.name: p for p in schedule_params(name)}
    values = {}
    for k, v in pairs:
        if k in known:
            values[k] = _parse_hyperparam(known[k], v, f"sched {name} {k}", warnings)
        else:
            warnings.append(f"sched {name}: unknown parameter {k!r} ignored (allowed: {', '.join(known) or 'none'}).")
    return schedule_config(name, values, warnings)


def schedule_text(schedule) -> str:
    """The URL text of a schedule: ``cosine(T_max=300,min_factor=0)``."""
    return f"{schedule.id}(" + ",".join(f"{k}={_fmt(v)}" for k, v in schedule.params) + ")"


def from_query(query: dict) -> tuple[ExploreSettings, list[str]]:
    """Settings from URL query parameters (a str -> str mapping).  Never raises."""
    warnings: list[str] = []
    base = default_settings()
    q = {k: (v[-1] if isinstance(v, (list, tuple)) else v) for k, v in dict(query).items()}

    # surface
    surf = surfaces.SURFACES[base.surface]
    sparams = dict(base.surface_params)
    formula, bounds = "", ()
    if "surface" in q and str(q["surface"]).strip().startswith(CUSTOM):
        try:
            _, _, pairs = parse_call(q["surface"])
            formula = str(q.get("f", ""))
            bounds = parse_bounds(q["bounds"]) if "bounds" in q else DEFAULT_BOUNDS
            values = {k: float(v) for k, v in pairs}
            surf = custom_surface(formula, tuple(sorted(values.items())), bounds)
            sparams = dict(zip((p.name for p in surf.params), surf.values))
        except ValueError as exc:  # the formula, a parameter or the bounds: say which, keep the default
            warnings.append(f"custom surface: {exc}; using {surf.id}.")
            surf, formula, bounds = surfaces.SURFACES[base.surface], "", ()
    elif "surface" in q:
        try:
            name, _, pairs = parse_call(q["surface"])
        except ValueError as exc:
            warnings.append(f"surface: {exc}; using {surf.id}.")
            name, pairs = surf.id, []
        if name not in surfaces.SURFACES:
            warnings.append(f"surface {name!r} is unknown; using {surf.id}. Known: {', '.join(surfaces.SURFACES)}.")
            name, pairs = surf.id, []
        surf = surfaces.SURFACES[name]
        sparams = dict(zip((p.name for p in surf.params), surf.values))
        known = {p.name: p for p in surf.params}
        for k, v in pairs:
            if k not in known:
                warnings.append(f"surface {name}: unknown parameter {k!r} ignored.")
                continue
            p = known[k]
            val = _number(v, f"surface {name} {k}", warnings)
            if val is not None:
                sparams[k] = _clamp(val, p.lo, p.hi, f"surface {name} {k}", warnings)
    surface_changed = surf.id != base.surface

    # start
    start = tuple(surf.start) if surface_changed else base.start
    (x0, x1), (y0, y1) = surf.bounds
    if "start" in q:
        parts = str(q["start"]).split(",")
        vals = [_number(p, "start", warnings) for p in parts] if len(parts) == 2 else None
        if vals is None:
            warnings.append(f"start: {q['start']!r} is not two numbers x,y; using {start}.")
        elif None not in vals:
            start = (_clamp(vals[0], x0, x1, "start x", warnings), _clamp(vals[1], y0, y1, "start y", warnings))

    # steps, noise, seed
    def scalar(key, default, lo, hi, integer):
        v = _number(q[key], key, warnings) if key in q else None
        if v is None:
            return default
        v = _clamp(v, lo, hi, key, warnings)
        return int(round(v)) if integer else v

    steps = scalar("steps", base.steps, 1, MAX_STEPS, True)
    noise = scalar("noise", base.noise, 0.0, MAX_NOISE, False)
    seed = scalar("seed", base.seed, 0, MAX_SEED, True)

    # optimizers (on another surface, the default ones keep their defaults: Preset measures)
    opts = base.optimizers
    if surface_changed:
        opts = tuple(optimizer_config(o.id) for o in opts)
    if "opts" in q:
        parsed = [parse_optimizer(t, warnings) for t in str(q["opts"]).split(";") if t.strip()]
        parsed = [p for p in parsed if p is not None]
        if len(parsed) > MAX_OPTIMIZERS:
            warnings.append(f"at most {MAX_OPTIMIZERS} optimizers at once; the rest were dropped.")
            parsed = parsed[:MAX_OPTIMIZERS]
        if parsed:
            opts = tuple(parsed)
        else:
            warnings.append("no usable optimizer in the link; showing the default ones.")
    # view, presenter mode, step
    view = base.view
    if "view" in q:
        v = str(q["view"]).strip().lower()
        if v in VIEWS:
            view = v
        else:
            warnings.append(f"view: {q['view']!r} is not one of {', '.join(VIEWS)}; using {base.view}.")
    present = base.present
    if "present" in q:
        v = str(q["present"]).strip().lower()
        if v in ("1", "true", "yes", "on"):
            present = True
        elif v in ("0", "false", "no", "off", ""):
            present = False
        else:
            warnings.append(f"present: {q['present']!r} is not 1 or 0; presenter mode is off.")
    step = None
    if "step" in q:
        v = _number(q["step"], "step", warnings)
        if v is not None:
            step = int(round(_clamp(v, 0, steps, "step", warnings)))
    internals, arrows = _parse_internals(q, len(opts), warnings)
    settings = ExploreSettings(CUSTOM if formula else surf.id, tuple(sparams.items()),
                               (float(start[0]), float(start[1])),
                               steps, float(noise), seed, tuple(opts), view, present,
                               None if step is None or step >= steps else step, internals, arrows,
                               formula=formula, bounds=bounds)
    if "sched" in q:
        settings = dataclasses.replace(settings, schedule=parse_schedule(str(q["sched"]), warnings))
    return settings, warnings


def _parse_internals(q: dict, n_opts: int, warnings: list) -> tuple[int | None, bool]:
    """``inspect=<n>`` (1-based, as the legend numbers the optimizers) and ``arrows=1``."""
    internals = None
    if "inspect" in q:
        text = str(q["inspect"]).strip()
        if text.isdigit() and 1 <= int(text) <= n_opts:
            internals = int(text) - 1
        elif text.lower() in ("0", "off", ""):  # off, said explicitly (a lesson link that turns it off)
            internals = None
        else:
            warnings.append(f"inspect: {q['inspect']!r} is not an optimizer number from 1 to {n_opts}; "
                            "internals are off.")
    arrows = False
    if "arrows" in q:
        v = str(q["arrows"]).strip().lower()
        if v in ("1", "true", "yes", "on"):
            arrows = internals is not None
            if not arrows:
                warnings.append("arrows: they show the inspected optimizer's vectors; add inspect=<n>. Off.")
        elif v not in ("0", "false", "no", "off", ""):
            warnings.append(f"arrows: {q['arrows']!r} is not 1 or 0; arrows are off.")
    return internals, arrows


def _r6(v):
    """A number as its URL text reads it back: floats to 6 significant digits (ints kept)."""
    if isinstance(v, (bool, int, str)):
        return v
    return float(_fmt(v))


def canonical(s: ExploreSettings) -> ExploreSettings:
    """``s`` with every float rounded as the URL writes it, so that what is drawn is exactly
    what a link to it draws (``from_query(to_query(canonical(s)))[0] == canonical(s)``), with
    no text round trip."""
    return dataclasses.replace(
        s,
        surface_params=tuple((k, _r6(v)) for k, v in s.surface_params),
        start=(_r6(s.start[0]), _r6(s.start[1])),
        noise=_r6(s.noise),
        optimizers=tuple(dataclasses.replace(o, hyperparams=tuple((k, _r6(v)) for k, v in o.hyperparams))
                         for o in s.optimizers),
        schedule=dataclasses.replace(s.schedule, params=tuple((k, _r6(v)) for k, v in s.schedule.params)),
    )


def to_query(s: ExploreSettings) -> dict:
    """URL query parameters for the settings (inverse of :func:`from_query`)."""
    surf = f"{s.surface}(" + ",".join(f"{k}={_fmt(v)}" for k, v in s.surface_params) + ")"
    custom = {}
    if s.surface == CUSTOM:
        custom = {"f": s.formula, "bounds": bounds_text(s.bounds or DEFAULT_BOUNDS)}
    return {
        "surface": surf,
        **custom,
        "start": f"{_fmt(s.start[0])},{_fmt(s.start[1])}",
        "steps": str(s.steps),
        "noise": _fmt(s.noise),
        "seed": str(s.seed),
        "opts": ";".join(o.to_text() for o in s.optimizers),
        "view": s.view,
        **({"sched": schedule_text(s.schedule)} if s.schedule.id != "constant" else {}),
        **({"present": "1"} if s.present else {}),
        **({"step": str(s.step)} if s.step is not None else {}),
        **({"inspect": str(s.internals + 1)} if s.internals is not None else {}),
        **({"arrows": "1"} if s.arrows and s.internals is not None else {}),
    }
