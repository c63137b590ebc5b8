"""The public API: :func:`run`, :func:`trajectory`, :func:`sweep` and :func:`warmup`.

Every argument is validated here, in Python, before it reaches compiled code; every bad input
raises ``ValueError`` with a message that names the parameter and what is allowed.  Inputs are
cast to exactly one type per kernel argument, so each kernel has exactly one signature.
"""
from __future__ import annotations

import dataclasses
import math
import os
import numbers
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import surfaces

from . import schedules as _schedules
from .base import VARIANT_IDS, state_sizes
from .registry import MODULES, OPTIMIZERS, index_of


def _kernels():
    """The compiled drivers, imported at first use: importing the API compiles nothing."""
    from . import kernels

    return kernels

MAX_STEPS = 1_000_000
MAX_NOISE = 1e3
#: a run has diverged once it is this many domain-diagonals away from the domain's centre
DIVERGENCE_FACTOR = 1e6
#: runs stepped together in a sweep (LLVM vectorises across them; 256 measured best)
CHUNK = 256


# ---- validation ----------------------------------------------------------------------------
def get_optimizer(optimizer):
    """The :class:`OptimizerSpec` for an id (or a spec); ValueError lists the valid ids."""
    if hasattr(optimizer, "hyperparams") and getattr(optimizer, "id", None) in OPTIMIZERS:
        return OPTIMIZERS[optimizer.id]
    if isinstance(optimizer, str) and optimizer in OPTIMIZERS:
        return OPTIMIZERS[optimizer]
    raise ValueError(
        f"unknown optimizer {optimizer!r}; valid optimizers: {', '.join(OPTIMIZERS)}"
    )


def _check_steps(steps) -> int:
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral):
        if isinstance(steps, float) and steps.is_integer():
            steps = int(steps)
        else:
            raise ValueError(f"steps must be an integer in [1, {MAX_STEPS:,}], got {steps!r}")
    steps = int(steps)
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be in [1, {MAX_STEPS:,}], got {steps}")
    return steps


def _check_noise(noise) -> float:
    if isinstance(noise, (str, bytes, bool)):
        raise ValueError(f"noise must be a number in [0, {MAX_NOISE:g}], got {noise!r}")
    try:
        noise = float(noise)
    except (TypeError, ValueError):
        raise ValueError(f"noise must be a number in [0, {MAX_NOISE:g}], got {noise!r}") from None
    if not 0.0 <= noise <= MAX_NOISE:
        raise ValueError(f"noise must be in [0, {MAX_NOISE:g}], got {noise!r}")
    return noise


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**63:
        raise ValueError(f"seed must be an integer in [0, 2**63 - 1], got {seed!r}")
    return int(seed)


def _check_start(start) -> np.ndarray:
    bad = ValueError(f"start must be two finite numbers (x, y), got {start!r}")
    try:
        items = list(np.asarray(start, dtype=object).ravel()) if np.ndim(start) else None
    except (TypeError, ValueError):
        raise bad from None
    if items is None or len(items) != 2 or np.ndim(start) != 1 or any(
            isinstance(v, (str, bytes, bool, np.bool_)) for v in items):
        raise bad
    try:
        # a fresh, contiguous, writeable copy: one kernel signature whatever the caller passes
        arr = np.array(items, dtype=np.float64)
    except (TypeError, ValueError):
        raise bad from None
    if not np.all(np.isfinite(arr)):
        raise bad
    return arr


@dataclasses.dataclass(frozen=True)
class _Plan:
    """A validated request, ready for the kernels."""

    spec: object  # the OptimizerSpec asked for (Lookahead itself, if wrapped)
    inner: object  # the OptimizerSpec whose update kernel runs
    variant: str
    surface: object
    hyperparams: dict  # every hyperparameter with its value(s), defaults filled in
    hp: np.ndarray  # (number of the inner optimizer's hyperparameters, n)
    lak: np.ndarray  # (n,) int64, 0 = no Lookahead
    laa: np.ndarray  # (n,)
    schedule: object = _schedules.CONSTANT  # a validated schedules.Schedule

    @property
    def lr_rows(self) -> np.ndarray:
        """The rows of ``hp`` a learning-rate schedule multiplies (int64; empty when the
        schedule is constant): the inner optimizer's "lr" (AdaBound: also "final_lr", see
        ``optimizers/adabound.py``)."""
        if self.schedule.id == "constant":
            return np.empty(0, dtype=np.int64)
        names = getattr(MODULES[self.inner.id], "SCHEDULED", ("lr",))
        return np.array([i for i, h in enumerate(self.inner.hyperparams) if h.name in names],
                        dtype=np.int64)

    def lr_factors(self, steps: int) -> np.ndarray:
        """The schedule's factors for ``steps`` updates (float64, steps + 1)."""
        return _schedules.lr_factors(self.schedule, steps)

    def kernel_args(self):
        (x0, x1), (y0, y1) = self.surface.bounds
        radius = DIVERGENCE_FACTOR * self.surface.size
        return (index_of(self.inner), int(VARIANT_IDS[self.variant]), surfaces.index_of(self.surface),
                self.surface.param_array(), self.hp, self.lak, self.laa,
                float(0.5 * (x0 + x1)), float(0.5 * (y0 + y1)), float(radius))


def _values(h, value, n, where):
    """Validate a scalar (or, when n is not None, a length-n array) hyperparameter value."""
    if n is not None and np.ndim(value) > 0:
        arr = np.asarray(value)
        if arr.shape != (n,):
            raise ValueError(f"{where}hyperparameter {h.name!r} must be a scalar or an array of "
                             f"length {n} (one per start), got shape {arr.shape}")
        if arr.dtype.kind not in "iuf" or arr.dtype == bool:
            raise ValueError(f"{where}hyperparameter {h.name!r} must be numeric")
        bad = ~((arr >= h.lo) & (arr <= h.hi))
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"{where}hyperparameter {h.name!r}[{i}] = {float(arr[i])!r} is out of range "
                             f"[{h.lo:g}, {h.hi:g}]")
        if h.integer and np.any(arr != np.round(arr)):
            i = int(np.argmax(arr != np.round(arr)))
            raise ValueError(f"{where}hyperparameter {h.name!r}[{i}] = {float(arr[i])!r} must be an "
                             f"integer in [{h.lo:g}, {h.hi:g}]")
        return arr.astype(np.int64 if h.integer else np.float64)
    return h.check(value, where)


def inner_choices(wrapper) -> list[str]:
    """The optimizers a wrapper (Lookahead) can wrap: every one that wraps nothing and has no
    hyperparameter of the wrapper's names (their hyperparameters share one namespace)."""
    own = {h.name for h in get_optimizer(wrapper).hyperparams}
    return [i for i, s in OPTIMIZERS.items()
            if not s.wraps_inner and own.isdisjoint(h.name for h in s.hyperparams)]


def plan(optimizer, surface, *, variant="paper", n=None, schedule=None, **hyperparams) -> _Plan:
    """Validate an optimizer/surface/variant/hyperparameter/schedule request (n runs, or one if
    None)."""
    spec = get_optimizer(optimizer)
    sched = _schedules.parse(schedule)
    surf = surfaces.resolve(surface)
    hyperparams = dict(hyperparams)
    if spec.wraps_inner:
        inner_id = hyperparams.pop("inner", "adam")
        valid = inner_choices(spec)
        if not isinstance(inner_id, str) or inner_id not in valid:
            raise ValueError(f"inner must be one of: {', '.join(valid)}; got {inner_id!r}")
        inner = OPTIMIZERS[inner_id]
        own = spec.hyperparams
    else:
        if "inner" in hyperparams:
            raise ValueError(f"optimizer {spec.id!r} takes no 'inner' optimizer; only lookahead does")
        inner = spec
        own = ()
    if not isinstance(variant, str) or variant not in inner.variants:
        raise ValueError(f"variant must be one of {', '.join(map(repr, inner.variants))} for "
                         f"{inner.id!r}, got {variant!r}")
    known = {h.name: h for h in own + inner.hyperparams}
    for name in hyperparams:
        if name not in known:
            raise ValueError(f"unknown hyperparameter {name!r} for {spec.id!r}; allowed: "
                             f"{', '.join(known)}" + (", inner" if spec.wraps_inner else ""))
    size = 1 if n is None else n
    values = {}
    for name, h in known.items():
        where = f"{spec.id} " if h in own else f"{inner.id} "
        values[name] = _values(h, hyperparams.get(name, h.default), n, where)
    hp = np.zeros((max(1, len(inner.hyperparams)), size))
    for i, h in enumerate(inner.hyperparams):
        hp[i, :] = values[h.name]
    lak = np.zeros(size, dtype=np.int64)
    laa = np.zeros(size)
    if spec.wraps_inner:
        lak[:] = values["k"]
        laa[:] = values["alpha"]
        values["inner"] = inner.id
    return _Plan(spec, inner, variant, surf, values, np.ascontiguousarray(hp), lak, laa, sched)


# ---- results -------------------------------------------------------------------------------
@dataclasses.dataclass
class Run:
    """One optimizer run.

    ``path[t]`` is θ after t updates (row 0 = start), ``loss[t] = f(path[t])``; rows from
    ``diverged_at`` on are NaN.  For Lookahead, ``slow`` holds φ_0 and the slow weights after
    each sync, at steps ``slow_steps``, and ``fast`` (one row fewer than ``slow``) the fast
    weights just before each sync: ``fast[i]`` is θ_{i+1,k}, the inner optimizer's k-th step of
    cycle i + 1 (from ``slow[i]``), and ``slow[i + 1] = slow[i] + α(fast[i] − slow[i])`` exactly.
    At a sync step the path already holds the new φ, so ``fast`` is the only record of θ_{t,k}.
    Other optimizers have empty ``slow`` / ``fast`` (0 rows).  With ``record_state=True``, the
    optimizer's state after every step comes by the names its spec declares: ``state["v"][t]``
    is Adam's v after step t (shape (steps + 1, 2), one column per coordinate),
    ``scalars["beta1^t"][t]`` a per-run scalar (shape (steps + 1,)), and ``grads[t]`` the
    gradient used at step t (row 0 is NaN).
    For Lookahead these are the inner optimizer's.
    ``schedule`` is the learning-rate schedule and ``lrs[t]`` the learning rate update t used
    (the base lr times :func:`optimizers.schedules.lr_factors`; row 0 repeats row 1; rows past
    a divergence too).  Lookahead's is its inner optimizer's.
    """

    optimizer: str
    variant: str
    surface: object
    hyperparams: dict
    path: np.ndarray
    loss: np.ndarray
    diverged_at: int
    slow: np.ndarray
    slow_steps: np.ndarray
    fast: np.ndarray
    state: dict | None = None
    scalars: dict | None = None
    grads: np.ndarray | None = None
    schedule: object = _schedules.CONSTANT  # the validated schedules.Schedule
    lrs: np.ndarray | None = None  # (steps + 1,) the lr update t used, at row t; row 0 = row 1

    @property
    def final(self) -> np.ndarray:
        return self.path[-1]

    @property
    def diverged(self) -> bool:
        return self.diverged_at >= 0


def _loss_of(surface, pts: np.ndarray) -> np.ndarray:
    out = np.empty(len(pts))
    if surface.compiled is not None:  # a custom surface: its table of callbacks
        from surfaces.indirect import value_chunk

        sid = surface.compiled.address("value_chunk")
    else:
        from surfaces.kernels import value_chunk

        sid = surfaces.index_of(surface)
    value_chunk(sid, surface.param_array(), np.ascontiguousarray(pts.T),
                out, 0, len(pts))
    return out


def _run_arrays(p: _Plan, start, steps, noise, seed, record_state):
    oid, vid, sid, sp, hp, lak, laa, cx, cy, radius = p.kernel_args()
    path = np.empty((steps + 1, 2))
    nslow_max = steps // int(lak[0]) + 1 if lak[0] > 0 else 1
    slow = np.empty((nslow_max, 2))
    slow_steps = np.empty(nslow_max, dtype=np.int64)
    fast = np.empty((nslow_max - 1, 2))
    rows = steps + 1 if record_state else 0
    kernels = _kernels()
    nslot, nsc = state_sizes(p.inner)
    state = np.empty((rows, nslot, 2))
    scalars = np.empty((rows, nsc))
    grads = np.empty((rows, 2))
    lr_rows = p.lr_rows
    if len(lr_rows):
        lrf = p.lr_factors(steps)
        hp = hp.copy()  # the kernel rescales its lr rows in place
    else:
        lrf = kernels.NO_LRF
    diverged, nslow = kernels.trajectory_kernel(
        oid, vid, sid, sp, hp, lak, laa, start, steps, noise, seed, 0,
        cx, cy, radius, path, slow, slow_steps, state, scalars, grads, fast, lr_rows, lrf,
        p.surface.compiled)
    if record_state:
        if diverged >= 0:  # the state is not recorded past divergence
            state[diverged:] = np.nan
            scalars[diverged:] = np.nan
            grads[diverged:] = np.nan
        named = {name: state[:, s] for s, name in enumerate(p.inner.state)}
        named_sc = {name: scalars[:, s] for s, name in enumerate(p.inner.scalars)}
    else:
        named = named_sc = grads = None
    return (path, int(diverged), slow[:nslow], slow_steps[:nslow], fast[:max(0, nslow - 1)], named,
            named_sc, grads)


def run(optimizer, surface, start, steps, *, variant="paper", noise=0.0, seed=0,
        record_state=False, schedule=None, **hyperparams) -> Run:
    """Run one optimizer from ``start`` for ``steps`` updates and return a :class:`Run`.

    Arguments as for :func:`trajectory`; ``record_state=True`` also keeps the optimizer's state
    and gradient at every step (for teaching views of moments and effective step sizes).
    """
    p = plan(optimizer, surface, variant=variant, schedule=schedule, **hyperparams)
    start = _check_start(start)
    steps = _check_steps(steps)
    noise = _check_noise(noise)
    seed = _check_seed(seed)
    path, diverged, slow, slow_steps, fast, state, scalars, grads = _run_arrays(
        p, start, steps, noise, seed, record_state)
    lrs = float(p.hyperparams["lr"]) * p.lr_factors(steps) if "lr" in p.hyperparams else None
    return Run(p.spec.id, variant, p.surface, p.hyperparams, path, _loss_of(p.surface, path),
               diverged, slow, slow_steps, fast, state, scalars, grads, p.schedule, lrs)


def trajectory(optimizer, surface, start, steps, *, variant="paper", noise=0.0, seed=0,
               schedule=None, **hyperparams) -> np.ndarray:
    """θ after every step: a float64 array of shape (steps + 1, 2); row 0 is ``start``.

    ``optimizer`` is an id from ``OPTIMIZERS``; ``surface`` an id or a ``surfaces.Surface``
    (carrying its parameters).  ``variant`` is ``"paper"`` or, where defined, ``"reference"``.
    Gradients are g + noise·N(0, I), from a counter-based generator seeded by ``seed``.
    Lookahead takes ``inner=<id>``, ``k``, ``alpha`` and the inner optimizer's hyperparameters
    (``variant`` then applies to the inner optimizer).  If θ becomes non-finite or leaves the
    box of half-width 1e6 × the domain's diagonal around its centre, that row and every later
    row are NaN.  Bad input raises ValueError.

    ``schedule`` multiplies the learning rate of every update: ``None`` / ``"constant"``, a
    schedule id (default parameters), ``(id, {params})`` or an ``optimizers.Schedule``; see
    :mod:`optimizers.schedules` (each equals a ``torch.optim.lr_scheduler`` stepped after every
    optimizer step).
    """
    p = plan(optimizer, surface, variant=variant, schedule=schedule, **hyperparams)
    path, *_ = _run_arrays(p, _check_start(start), _check_steps(steps), _check_noise(noise),
                           _check_seed(seed), False)
    return path


@dataclasses.dataclass
class SweepResult:
    """Per-run outcome of :func:`sweep`: arrays indexed like ``starts``."""

    final: np.ndarray  # (n, 2); NaN for diverged runs
    loss: np.ndarray  # (n,)
    steps_to_tol: np.ndarray  # (n,) int64, -1 = never (or no minimum, or no tol asked for)
    diverged_at: np.ndarray  # (n,) int64, -1 = never

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0


def _threads(n_chunks: int) -> int:
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1,
                      n_chunks))


def sweep(optimizer, surface, starts, steps, *, variant="paper", noise=0.0, seed=0, tol=None,
          progress=None, block=None, schedule=None, **hyperparams) -> SweepResult:
    """Many independent runs in compiled code.

    ``starts`` is an (n, 2) array; every hyperparameter is a scalar or an array of length n.
    Run j gets its own noise stream keyed by (seed, j), and equals
    ``trajectory(..., start=starts[j])`` with run j's hyperparameters (exactly, when noise is 0;
    run 0 also with noise).  Runs step together in chunks of ``CHUNK`` (256) so LLVM vectorises across
    them; the chunks are spread over all cores with threads (the kernels release the GIL, and
    no numba threading layer is involved, so concurrent sessions are safe).

    ``steps_to_tol`` (the first step with f − f* ≤ ``tol``) is tracked only when ``tol`` is
    given: it costs one more evaluation of f per run and step.  A surface without a known
    minimum never tracks it.

    ``progress``, if given, is called with the fraction done after each block of runs
    (``block`` runs; default: all at once), which also lets a caller interrupt between blocks.

    ``schedule``: one learning-rate schedule for every run (as for :func:`trajectory`); it
    multiplies each run's own lr.
    """
    try:
        st = np.array(starts, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("starts must be an (n, 2) array of finite numbers") from None
    if st.ndim != 2 or st.shape[1] != 2 or st.shape[0] < 1:
        raise ValueError(f"starts must be an (n, 2) array with n >= 1, got shape {st.shape}")
    if not np.all(np.isfinite(st)):
        i = int(np.argmax(~np.all(np.isfinite(st), axis=1)))
        raise ValueError(f"starts must be finite; starts[{i}] = {st[i].tolist()}")
    n = st.shape[0]
    p = plan(optimizer, surface, variant=variant, n=n, schedule=schedule, **hyperparams)
    steps = _check_steps(steps)
    noise = _check_noise(noise)
    seed = _check_seed(seed)
    if tol is None:
        tol = math.nan  # steps_to_tol not asked for: not tracked
    elif isinstance(tol, (str, bytes, bool)):
        raise ValueError(f"tol must be None or a non-negative number, got {tol!r}")
    else:
        try:
            tol = float(tol)
        except (TypeError, ValueError):
            raise ValueError(f"tol must be None or a non-negative number, got {tol!r}") from None
        if not tol >= 0:
            raise ValueError(f"tol must be None or a non-negative number, got {tol!r}")
    oid, vid, sid, sp, hp, lak, laa, cx, cy, radius = p.kernel_args()
    fmin = float(p.surface.f_min)
    starts_t = np.ascontiguousarray(st.T)
    final = np.empty((n, 2))
    loss = np.empty(n)
    stt = np.empty(n, dtype=np.int64)
    dv = np.empty(n, dtype=np.int64)

    kernels = _kernels()
    lr_rows = p.lr_rows
    lrf = p.lr_factors(steps) if len(lr_rows) else kernels.NO_LRF

    def work(j0, j1):
        kernels.sweep_kernel(oid, vid, sid, sp, hp, lak, laa, starts_t, steps, noise, seed,
                             cx, cy, radius, fmin, tol, CHUNK, j0, j1, final, loss, stt, dv,
                             lr_rows, lrf, p.surface.compiled)

    if block is None:
        block = n
    elif isinstance(block, bool) or not isinstance(block, numbers.Integral) or block < 1:
        raise ValueError(f"block must be a positive integer (runs per progress step), got {block!r}")
    else:
        block = max(CHUNK, (int(block) // CHUNK) * CHUNK)
    for b0 in range(0, n, block):
        b1 = min(n, b0 + block)
        n_chunks = -(-(b1 - b0) // CHUNK)
        nt = _threads(n_chunks)
        if nt == 1:
            work(b0, b1)
        else:
            per = -(-n_chunks // nt) * CHUNK
            bounds = [(a, min(b1, a + per)) for a in range(b0, b1, per)]
            with ThreadPoolExecutor(len(bounds)) as ex:
                list(ex.map(lambda ab: work(*ab), bounds))
        if progress is not None:
            progress(b1 / n)
    return SweepResult(final, loss, stt, dv)


#: the custom surface :func:`warmup` runs every optimizer on, to load the loops all custom
#: surfaces share (its own callbacks are cached on disk like any expression's)
WARMUP_EXPRESSION = "x**2 + y**2"


def warmup(ids=None, jobs: int = 1, custom: bool = True) -> float:
    """Compile (or load from the on-disk cache) the kernels of ``ids`` (default: every
    optimizer): its trajectory loop, its recording loop and its sweep, over the built-in
    surfaces and over custom ones (the loops every typed expression shares, see
    :mod:`surfaces.custom`: run on :data:`WARMUP_EXPRESSION`, so that a new expression then
    compiles only its own callbacks; ``custom=False`` skips those); returns the seconds.

    With ``jobs`` > 1 the compiling is shared among that many fresh processes first (numba
    compiles in one thread per process, and every kernel is cached on disk, where the
    processes leave it); this process then only loads the kernels from the cache.
    """
    import subprocess
    import sys
    import time

    t0 = time.perf_counter()
    ids = list(OPTIMIZERS) if ids is None else [get_optimizer(i).id for i in ids]
    if jobs > 1 and len(ids) > 1:
        procs = [subprocess.Popen([sys.executable, "-c",
                                   f"import optimizers; optimizers.warmup({ids[k::jobs]!r}, custom={custom!r})"])
                 for k in range(min(jobs, len(ids)))]
        failed = [p.args for p in procs if p.wait() != 0]
        if failed:
            raise RuntimeError(f"kernel warm-up failed in a subprocess: {failed}")
    kinds = [surfaces.SURFACES["rosenbrock"]] + ([surfaces.from_expression(WARMUP_EXPRESSION)] if custom else [])
    for s in kinds:
        for oid in ids:
            kw = {"inner": "sgd"} if get_optimizer(oid).wraps_inner else {}
            run(oid, s, s.start, 3, **kw)
            run(oid, s, s.start, 3, record_state=True, **kw)
            sweep(oid, s, np.array([s.start, s.start]), 3, **kw)
    return time.perf_counter() - t0
