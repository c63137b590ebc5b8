"""A classroom on one real server: N protocol-level sessions (``st_client.Session``), no browser.

    python benchmarks/bench_classroom.py [--mode classroom|capacity|churn|maps-memory|maps-load]
        [--quick] [--url http://127.0.0.1:PORT [--pids PID,...]] [--sessions N] [--reruns R]
        [--think LO,HI] [--distinct K] [--duration S] [--timeout S] [--seed S]
        [--maps M] [--rounds R] [--res N] [--steps S] [--map-timeout S]

Without ``--url`` it starts ``streamlit run app.py`` (headless, file watcher off) on a free port
of 127.0.0.1 and stops it at the end; the server's CPU time and memory are read from /proc for
its process tree (or for ``--pids`` and their descendants).  One warm-up session loads the page
first (kernels, imports), outside the figures.

Each session loads ``/explore?<its own link>`` as a browser does (GET with a cookie jar, then the
websocket and a ``rerun_script``), then moves its first optimizer's learning-rate slider and
reruns.  Every run is checked: no exception element, a finished run, and the stage's path
labels exactly the session's own optimizers (with the new learning rate after a change); a
stage showing other labels counts as cross-talk.

- ``classroom`` (default 30 sessions, all at once, 5 reruns each after a think time of 3-10 s):
  first-load and rerun latency (p50/p95/max), bytes per run, errors, cross-talk, server CPU
  seconds per run and peak RSS.  Targets: 0 errors, 0 cross-talk, first-load p95 <= 3 s,
  rerun p95 <= 1 s.
- ``capacity`` (default 8 sessions): after their first loads, every session reruns back to
  back for ``--duration`` seconds.  Target: >= 8 reruns/s sustained, rerun p95 <= 1 s.
- ``churn`` (default 200 sessions over 10 distinct links, so that the app's caches stop
  growing early): one session after another opens, loads and closes; the server's RSS every
  tenth of the way.  The server keeps up to 128 disconnected sessions (for
  ``server.disconnectedSessionTTL``), so memory grows until that store is full, then must stay
  flat.  Targets: 0 errors, RSS growth after the store is full <= 25 KB per session.

The Landscapes modes open ``/landscapes?tab=map&res=512&steps=1000&opt=adam(lr=...)&surface=
rosenbrock(a=1,b=100)&metric=loss`` (the page's own URL grammar, ``ui.landscapes.to_query``),
every map with its own learning rate (so its own computation: 262,144 runs in blocks, with a
progress bar).  A map's run must finish (``--map-timeout``, default 300 s) without an exception
and hold the map: a ``st.plotly_chart`` whose figure has a heatmap trace; when the heatmap names
its settings (``meta.spec``), a map of another learning rate, size or step count is cross-talk.
The server computes at most K maps above 128² at once (``ui/heavy.py``); the others queue.

- ``maps-memory`` (``--maps`` 5 per round, ``--rounds`` 5: the issue's "5 maps, then 4 more
  rounds"): in each round the sessions open their maps one after another, each waiting for its
  map, and stay open until the round ends; every map is new (no cache hit).  The server's RSS
  (children included) after each map, its peak (sampled every 0.25 s) and the seconds per map.
  Needs the server's processes (started here, or ``--pids``).  Targets: 0 errors, 0 cross-talk,
  peak RSS < 1 GiB (1024 MiB).
- ``maps-load`` (``--maps`` 5 map sessions, ``--sessions`` 8 Explore sessions): after the Explore
  sessions' first loads, the maps are opened all at once (they queue behind each other, as
  expected) while every Explore session changes its learning-rate slider and reruns after think
  times of 0.5-2 s, until the last map is done (at most ``--duration`` s, default 240).  Explore
  runs are checked as in ``classroom``.  Targets: 0 errors, 0 cross-talk, Explore rerun p95 <= 2 s.

``--quick`` makes the maps 256² (still above the 128² limit, so they still queue) and, for
``maps-memory``, 2 rounds; ``maps-load`` then has 4 Explore sessions.
"""
from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import dataclasses
import json
import math
import os
import random
import signal
import statistics
import time
import urllib.parse

from _bench import header, table, verdict
from st_client import Session, SessionError, check_local

import websockets

from plots import landscapes as PL
from ui import landscapes as LS
from ui import settings as S

#: the classroom's links: each session's first optimizer, its learning rate, Adam's, the surface
FIRST_OPTIMIZERS = ("sgd", "sgdm", "nag", "rmsprop", "adagrad")
FIRST_LRS = (1e-4, 1.5e-4, 2e-4, 3e-4, 5e-4, 7e-4, 1e-3, 1.5e-3, 2e-3, 3e-3, 5e-3, 7e-3)
ADAM_LRS = (0.005, 0.007, 0.01, 0.015, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3)
SURFACES = ("rosenbrock", "beale", "himmelblau", "quadratic", "six_hump_camel")
#: how far (in slider stops) one change moves the learning rate
MAX_MOVE = 3
#: failures of a whole session (the connection, a run that never finished)
SESSION_FAILURES = (SessionError, OSError, websockets.InvalidHandshake)
TARGET_FIRST_P95 = 3.0
TARGET_RERUN_P95 = 1.0
TARGET_RATE = 8.0
#: capacity mode: reruns per session at most (the duration bounds it first)
MAX_RERUNS_PER_SESSION = 10_000
#: churn mode: Streamlit keeps this many disconnected sessions (``MemorySessionStorage``'s
#: maxsize); memory is judged once that store is full (and a few sessions later)
SESSION_STORE = 128
LEAK_KB_PER_SESSION = 25.0
CHURN_DISTINCT = 10
#: Landscapes modes: the maps' learning rates are MAP_LR0 + MAP_LR_STEP * k (k distinct per map,
#: per mode and per --seed, so that no map of a run is in the server's cache from another)
MAP_LR0 = 0.012
MAP_LR_STEP = 1e-6
MAPS_LOAD_OFFSET = 500  #: maps-load's maps are k = 500, 501, ...; maps-memory's k = 0, 1, ...
SEED_STRIDE = 1000
TARGET_RSS_MIB = 1024
TARGET_LOAD_RERUN_P95 = 2.0
#: maps-load: Explore reruns per session at most (the maps' end or --duration bounds it first)
MAX_LOAD_RERUNS = 1000


# ---- the sessions' links and what they must show ------------------------------------------------
def classroom_query(i: int) -> str:
    """The ``i``-th distinct Explore link: a first optimizer and Adam, each with its own learning
    rate (the labels of two links differ for ``i`` < 720)."""
    first = FIRST_OPTIMIZERS[i % len(FIRST_OPTIMIZERS)]
    lr1 = FIRST_LRS[(i // len(FIRST_OPTIMIZERS)) % len(FIRST_LRS)]
    lr2 = ADAM_LRS[(i // (len(FIRST_OPTIMIZERS) * len(FIRST_LRS))) % len(ADAM_LRS)]
    surface = SURFACES[(i // 3) % len(SURFACES)]
    return f"surface={surface}&steps=300&opts={first}(lr={lr1:g});adam(lr={lr2:g})"


def optimizers_of(query: str) -> tuple:
    """The optimizers (``OptimizerConfig``) the page shows for ``query``."""
    return S.from_query(dict(urllib.parse.parse_qsl(query)))[0].optimizers


def with_lr(configs: tuple, lr: float) -> tuple:
    """``configs`` with the first optimizer's learning rate set to ``lr``."""
    first = configs[0]
    params = tuple((k, lr if k == "lr" else v) for k, v in first.hyperparams)
    return (dataclasses.replace(first, hyperparams=params), *configs[1:])


def lr_key(config) -> str:
    """The user key of the first optimizer's lr slider (``ui.explore._hp_key(0, ...)``)."""
    return f"o0_{config.id}_{config.inner or ''}_lr"


def map_lr(k: int) -> float:
    """The learning rate of the ``k``-th map (distinct for every k < 10,000)."""
    return float(f"{MAP_LR0 + MAP_LR_STEP * k:.6g}")


def map_query(lr: float, res: int, steps: int) -> str:
    """The Landscapes link of Adam's lr × beta1 map on Rosenbrock at ``lr``, ``res``² cells."""
    q = {"tab": "map", "res": str(res), "steps": str(steps), "opt": f"adam(lr={lr:.6g})",
         "surface": "rosenbrock(a=1,b=100)", "metric": "loss"}
    settings, warnings = LS.from_query(q)
    if warnings:
        raise ValueError(f"the map's link does not read as meant: {warnings}")
    return urllib.parse.urlencode(LS.to_query(settings), safe="(),;=@")


# ---- the server ---------------------------------------------------------------------------------
class ServerProcesses:
    """The server's processes: ``roots`` and all their descendants, read from Linux's /proc."""

    def __init__(self, roots: list[int]) -> None:
        self.roots = roots

    @staticmethod
    def _stat(pid) -> list[str] | None:
        """The fields of /proc/PID/stat after the command name (state, ppid, ...)."""
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None

    def pids(self) -> list[int]:
        """The roots and their live descendants (from every process's parent id)."""
        children: dict[int, list[int]] = {}
        for name in os.listdir("/proc"):
            fields = self._stat(name) if name.isdigit() else None
            if fields:
                children.setdefault(int(fields[1]), []).append(int(name))
        out, todo = [], list(self.roots)
        while todo and len(out) < 10_000:
            pid = todo.pop()
            out.append(pid)
            todo.extend(children.get(pid, []))
        return out

    def cpu_seconds(self) -> float:
        """User + system CPU seconds of the live processes."""
        ticks = sum(int(f[11]) + int(f[12]) for f in map(self._stat, self.pids()) if f)
        return ticks / os.sysconf("SC_CLK_TCK")

    def rss(self) -> int:
        """Resident bytes of the live processes, summed."""
        total = 0
        for pid in self.pids():
            try:
                with open(f"/proc/{pid}/statm") as f:
                    total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, IndexError):
                continue
        return total


async def sample_rss(procs: ServerProcesses, peak: list[int], stop: asyncio.Event) -> None:
    """Keep the highest RSS seen in ``peak[0]``, sampling every 0.25 s until ``stop`` (and once then)."""
    while True:
        peak[0] = max(peak[0], procs.rss())
        if stop.is_set():
            return
        try:
            await asyncio.wait_for(stop.wait(), 0.25)
        except asyncio.TimeoutError:
            pass


# ---- the tally ----------------------------------------------------------------------------------
@dataclasses.dataclass
class Tally:
    """What every session measured: runs by kind, errors, cross-talk."""

    first: list = dataclasses.field(default_factory=list)  #: (seconds, bytes) of first loads
    reruns: list = dataclasses.field(default_factory=list)  #: (seconds, bytes) of reruns
    errors: list = dataclasses.field(default_factory=list)  #: "session i: what"
    crosstalk: list = dataclasses.field(default_factory=list)  #: "session i: got [...], expected [...]"
    maps: list = dataclasses.field(default_factory=list)  #: MapRun of every map session

    def check(self, who: str, kind: str, run, expected: list[str]) -> None:
        """Record ``run`` and judge it against the labels the session should see."""
        (self.first if kind == "first" else self.reruns).append((run.seconds, run.bytes))
        self.errors.extend(f"{who} ({kind}): {e}" for e in run.errors)
        if run.stage is None:
            self.errors.append(f"{who} ({kind}): no stage in the run")
        elif run.labels != expected:
            self.crosstalk.append(f"{who} ({kind}): got {run.labels}, expected {expected}")


async def slider_rerun(session: Session, who: str, configs: tuple, rng: random.Random, tally: Tally) -> tuple:
    """Move the first optimizer's lr slider a few stops, rerun and check the run; the optimizers
    the page now shows."""
    key = lr_key(configs[0])
    options, current = session.select_slider_value(key)
    choices = [i for i in range(max(0, current - MAX_MOVE), min(len(options), current + MAX_MOVE + 1))
               if i != current]
    configs = with_lr(configs, float(session.set_select_slider(key, rng.choice(choices))))
    tally.check(who, "rerun", await session.rerun(), [c.label() for c in configs])
    return configs


async def first_load(session: Session, who: str, query: str, tally: Tally) -> tuple:
    """Open ``session`` on ``query`` and check its first run; the optimizers it shows."""
    configs = optimizers_of(query)
    tally.check(who, "first", await session.open(query), [c.label() for c in configs])
    return configs


async def student(url: str, i: int, query: str, args, tally: Tally) -> None:
    """One classroom session: first load, then ``args.reruns`` slider changes after think times."""
    rng = random.Random(args.seed * 100_003 + i)
    session = Session(url, timeout=args.timeout)
    try:
        configs = await first_load(session, f"session {i}", query, tally)
        for _ in range(args.reruns):
            await asyncio.sleep(rng.uniform(*args.think))
            configs = await slider_rerun(session, f"session {i}", configs, rng, tally)
    except SESSION_FAILURES as exc:
        tally.errors.append(f"session {i}: {type(exc).__name__}: {exc}")
    finally:
        await session.close()


async def rerunner(session: Session, configs: tuple, i: int, args, tally: Tally, end: float,
                   done: asyncio.Event | None = None, think: tuple | None = None,
                   limit: int = MAX_RERUNS_PER_SESSION) -> None:
    """Change the lr slider and rerun, until ``end`` (monotonic time) or ``done`` is set: back to
    back (capacity), or each after a think time drawn from ``think`` (maps-load: the thinking
    stops as soon as ``done`` is set)."""
    rng = random.Random(args.seed * 100_003 + i)
    done = done or asyncio.Event()
    try:
        for _ in range(limit):
            if think:
                try:
                    await asyncio.wait_for(done.wait(), rng.uniform(*think))
                except asyncio.TimeoutError:
                    pass
            if done.is_set() or time.monotonic() >= end:
                break
            configs = await slider_rerun(session, f"session {i}", configs, rng, tally)
    except SESSION_FAILURES as exc:
        tally.errors.append(f"session {i}: {type(exc).__name__}: {exc}")
    finally:
        await session.close()


# ---- the Landscapes maps ------------------------------------------------------------------------
@dataclasses.dataclass
class MapRun:
    """One map session as measured."""

    who: str
    lr: float
    seconds: float | None = None  #: from the GET to the finished run (None: it failed)
    end: float | None = None  #: when it finished, seconds after the maps were asked for
    queued: bool = False  #: the run showed the "Queued: ..." note
    progress: int = 0  #: progress-bar updates received
    ok: bool = False  #: finished, no exception, the heatmap of its own settings
    rss: int | None = None  #: the server's RSS just after it finished (maps-memory)


def check_map(run, m: MapRun, res: int, steps: int, tally: Tally) -> None:
    """Judge a map session's run: errors, the heatmap, and whose settings the heatmap shows."""
    m.seconds, m.progress = run.seconds, run.progress
    m.queued = any(a.startswith("Queued") for a in run.alerts)
    tally.errors.extend(f"{m.who}: {e}" for e in run.errors)
    heat = [t for t in run.traces("heatmap") if (t.get("meta") or {}).get("role", "heatmap") == "heatmap"]
    if not heat:
        tally.errors.append(f"{m.who}: no heatmap in the run ({len(run.charts)} plotly charts; alerts: "
                            f"{'; '.join(a[:80] for a in run.alerts[:3]) or 'none'})")
        return
    ok = not run.errors
    spec_text = (heat[0].get("meta") or {}).get("spec")
    if spec_text:  # the map's own settings, as the page computed it
        spec = json.loads(spec_text)
        got = (dict(spec.get("hyperparams", [])).get("lr"), spec.get("x", {}).get("n"),
               spec.get("y", {}).get("n"), spec.get("steps"))
        if got[0] is None or not math.isclose(got[0], m.lr, rel_tol=1e-9) or got[1:] != (res, res, steps):
            tally.crosstalk.append(f"{m.who}: heatmap of lr={got[0]}, {got[1]}x{got[2]}, {got[3]} steps; "
                                   f"expected lr={m.lr:g}, {res}x{res}, {steps} steps")
            ok = False
    shape = heat[0].get("z", {}).get("shape") if isinstance(heat[0].get("z"), dict) else None
    if shape and [int(n) for n in shape.split(",")] != [res, res]:
        tally.errors.append(f"{m.who}: heatmap of shape {shape}, expected {res}, {res}")
        ok = False
    m.ok = ok


async def open_map(url: str, m: MapRun, args, tally: Tally, t0: float | None = None) -> Session | None:
    """Open ``m``'s map in a new session and judge the run; the open session (None if it failed:
    then it is closed)."""
    session = Session(url, timeout=args.map_timeout)
    try:
        check_map(await session.open(map_query(m.lr, args.res, args.steps), page="landscapes"),
                  m, args.res, args.steps, tally)
        if t0 is not None:
            m.end = time.monotonic() - t0
        return session
    except SESSION_FAILURES as exc:
        tally.errors.append(f"{m.who}: {type(exc).__name__}: {exc}")
        await session.close()
        return None
    finally:
        tally.maps.append(m)


# ---- the modes ----------------------------------------------------------------------------------
async def classroom(url: str, args, tally: Tally) -> dict:
    queries = [classroom_query(i % args.distinct) for i in range(args.sessions)]
    await asyncio.gather(*(student(url, i, q, args, tally) for i, q in enumerate(queries)))
    return {}


async def opened(session: Session, i: int, args, tally: Tally) -> tuple | None:
    """Capacity mode: first-load session ``i``; (its index, session, optimizers), or None (closed)."""
    try:
        return i, session, await first_load(session, f"session {i}", classroom_query(i % args.distinct), tally)
    except SESSION_FAILURES as exc:
        tally.errors.append(f"session {i}: {type(exc).__name__}: {exc}")
        await session.close()
        return None


async def capacity(url: str, args, tally: Tally) -> dict:
    ready = await asyncio.gather(*(opened(Session(url, timeout=args.timeout), i, args, tally)
                                   for i in range(args.sessions)))
    t0 = time.monotonic()
    before = len(tally.reruns)
    await asyncio.gather(*(rerunner(s, c, i, args, tally, t0 + args.duration) for i, s, c in filter(None, ready)))
    wall = time.monotonic() - t0
    return {"rate": (len(tally.reruns) - before) / wall, "wall": wall}


async def churn(url: str, args, tally: Tally, procs: ServerProcesses | None) -> dict:
    every = max(1, args.sessions // 10)
    samples = [(0, procs.rss() if procs else None, None)]
    for i in range(args.sessions):
        session = Session(url, timeout=args.timeout)
        try:
            await first_load(session, f"session {i}", classroom_query(i % args.distinct), tally)
        except SESSION_FAILURES as exc:
            tally.errors.append(f"session {i}: {type(exc).__name__}: {exc}")
        finally:
            await session.close()
        if (i + 1) % every == 0 or i + 1 == args.sessions:
            window = [s for s, _ in tally.first[-every:]]
            samples.append((i + 1, procs.rss() if procs else None, statistics.median(window) if window else None))
    return {"samples": samples}


async def maps_memory(url: str, args, tally: Tally, procs: ServerProcesses) -> dict:
    """``args.rounds`` rounds of ``args.maps`` new maps, opened in turn; the RSS after each."""
    base = args.seed * SEED_STRIDE
    before = procs.rss()
    after_rounds = []
    for r in range(args.rounds):
        sessions = []
        try:
            for j in range(args.maps):
                k = base + r * args.maps + j
                m = MapRun(f"round {r + 1} map {j + 1}", map_lr(k))
                session = await open_map(url, m, args, tally)
                m.rss = procs.rss()
                if session is not None:
                    sessions.append(session)
                print(f"   {m.who}: lr={m.lr:g} {m.seconds or float('nan'):.2f} s, server RSS "
                      f"{m.rss / 2**20:.0f} MiB{'' if m.ok else ' (NOT OK)'}", flush=True)
        finally:
            for session in sessions:
                await session.close()
        after_rounds.append(procs.rss())
    return {"before": before, "after_rounds": after_rounds}


async def cpu_costs(url: str, args, tally: Tally, procs: ServerProcesses) -> dict:
    """CPU mode: one session at a time, so the server's CPU time between two readings is that
    run's own: ``args.sessions`` first loads of distinct links, each followed by
    ``args.reruns`` slider changes (no think time)."""
    rng = random.Random(args.seed)
    first_cpu, rerun_cpu = [], []
    for i in range(args.sessions):
        session = Session(url, timeout=args.timeout)
        try:
            c0 = procs.cpu_seconds()
            configs = await first_load(session, f"session {i}", classroom_query(i), tally)
            first_cpu.append(procs.cpu_seconds() - c0)
            for _ in range(args.reruns):
                c0 = procs.cpu_seconds()
                configs = await slider_rerun(session, f"session {i}", configs, rng, tally)
                rerun_cpu.append(procs.cpu_seconds() - c0)
        except SESSION_FAILURES as exc:
            tally.errors.append(f"session {i}: {type(exc).__name__}: {exc}")
        finally:
            await session.close()
        await asyncio.sleep(0.2)  # let the closed session's clean-up land outside the next reading
    return {"first_cpu": first_cpu, "rerun_cpu": rerun_cpu}


async def maps_load(url: str, args, tally: Tally) -> dict:
    """Explore sessions rerun while ``args.maps`` maps are asked for at once (and queue)."""
    ready = await asyncio.gather(*(opened(Session(url, timeout=args.timeout), i, args, tally)
                                   for i in range(args.sessions)))
    base = args.seed * SEED_STRIDE + MAPS_LOAD_OFFSET
    maps = [MapRun(f"map {j + 1}", map_lr(base + j)) for j in range(args.maps)]
    done = asyncio.Event()
    t0 = time.monotonic()
    end = t0 + args.duration
    before = len(tally.reruns)

    async def all_maps():
        try:
            opened_maps = await asyncio.gather(*(open_map(url, m, args, tally, t0) for m in maps))
        finally:
            done.set()
        for session in opened_maps:
            if session is not None:
                await session.close()

    await asyncio.gather(all_maps(), *(rerunner(s, c, i, args, tally, end, done, args.think, MAX_LOAD_RERUNS)
                                       for i, s, c in filter(None, ready)))
    wall = time.monotonic() - t0
    return {"maps": maps, "wall": wall, "load_reruns": tally.reruns[before:]}


# ---- reporting ----------------------------------------------------------------------------------
def pct(xs: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) of ``xs`` by nearest rank (NaN for none)."""
    if not xs:
        return math.nan
    s = sorted(xs)
    return s[max(0, math.ceil(q * len(s)) - 1)]


def latency_rows(tally: Tally) -> list[list[str]]:
    """The table's rows: count, latency quantiles and KB received, for first loads and reruns."""
    rows = []
    for name, runs in (("first load", tally.first), ("rerun", tally.reruns)):
        secs = [s for s, _ in runs]
        size = [b for _, b in runs]
        rows.append([name, str(len(runs)), *(f"{1e3 * pct(secs, q):.0f}" if runs else "-" for q in (0.5, 0.95, 1.0)),
                     f"{statistics.median(size) / 1e3:.1f}" if runs else "-", f"{max(size) / 1e3:.1f}" if runs else "-"])
    return rows


def memory_flat(samples: list[tuple], workers: int = 1) -> bool:
    """Churn's memory target, on the RSS samples taken once every worker's session store is
    full (the sessions spread over ``workers`` processes behind a proxy)."""
    full = SESSION_STORE * workers + 10
    late = [(n, rss) for n, rss, _ in samples if n >= full and rss]
    if len(late) < 2:
        print(f"   memory not judged: it needs RSS samples after {full} sessions")
        return True
    (n0, r0), (n1, r1) = late[0], late[-1]
    return verdict(f"RSS growth per session after {n0} sessions", (r1 - r0) / (n1 - n0) / 1024,
                   LEAK_KB_PER_SESSION, False, " KB")


def _mib(b: int | None) -> str:
    return f"{b / 2**20:.0f}" if b else "-"


def map_rows(maps: list) -> list[list[str]]:
    return [[m.who, f"{m.lr:g}", f"{m.seconds:.2f}" if m.seconds is not None else "failed",
             f"{m.end:.1f}" if m.end is not None else "-", "yes" if m.queued else "no", str(m.progress),
             "yes" if m.ok else "NO", _mib(m.rss)] for m in maps]


def print_problems(tally: Tally) -> None:
    print(f"\n   errors {len(tally.errors)}, cross-talk {len(tally.crosstalk)}")
    for line in (tally.errors[:5] + tally.crosstalk[:5]):
        print(f"     {line}")


def report_maps_memory(tally: Tally, extra: dict, cpu: float | None, peak: int, args) -> bool:
    peak = max([peak, *extra["after_rounds"], *(m.rss or 0 for m in tally.maps)])  # every sample counts
    print()
    cols = ["map", "lr", "seconds", "-", "queued", "progress", "heatmap ok", "server RSS MiB"]
    rows = map_rows(tally.maps)
    table([c for i, c in enumerate(cols) if i != 3], [[c for i, c in enumerate(r) if i != 3] for r in rows])
    secs = [m.seconds for m in tally.maps if m.seconds is not None]
    print(f"\n   server RSS before the maps {_mib(extra['before'])} MiB; after each round (its sessions "
          f"closed): {', '.join(_mib(r) for r in extra['after_rounds'])} MiB; peak {_mib(peak)} MiB")
    if secs:
        print(f"   seconds per {args.res}² map × {args.steps} steps (GET to finished run): median "
              f"{statistics.median(secs):.2f}, max {max(secs):.2f}, mean {statistics.mean(secs):.2f}"
              + (f"; server CPU s per map {cpu / len(secs):.2f}" if cpu is not None else ""))
    print_problems(tally)
    print()
    ok = verdict("errors", len(tally.errors), 0, higher_is_better=False)
    ok &= verdict("cross-talk", len(tally.crosstalk), 0, higher_is_better=False)
    return verdict("peak server RSS", peak / 2**20, TARGET_RSS_MIB, False, " MiB", strict=True) and ok


def report_maps_load(tally: Tally, extra: dict, cpu: float | None, peak: int | None, args) -> bool:
    print()
    table(["runs", "n", "p50 ms", "p95 ms", "max ms", "KB p50", "KB max"], latency_rows(tally))
    print()
    table(["map", "lr", "seconds", "done at s", "queued", "progress", "heatmap ok"],
          [r[:-1] for r in map_rows(sorted(extra["maps"], key=lambda m: m.end or math.inf))])
    ends = [m.end for m in extra["maps"] if m.end is not None]
    load = [sec for sec, _ in extra["load_reruns"]]
    print(f"\n   {len(extra['maps'])} {args.res}² maps × {args.steps} steps asked for at once: the last done after "
          f"{max(ends) if ends else math.nan:.1f} s; {len(load)} Explore reruns meanwhile "
          f"({len(load) / extra['wall']:.1f}/s over {extra['wall']:.1f} s)"
          + (f"; peak server RSS {_mib(peak)} MiB" if peak else ""))
    print_problems(tally)
    print()
    ok = verdict("errors", len(tally.errors), 0, higher_is_better=False)
    ok &= verdict("cross-talk", len(tally.crosstalk), 0, higher_is_better=False)
    ok &= verdict("maps finished", len(ends), len(extra["maps"]), True)
    if not load:
        print("   no Explore rerun during the maps: the rerun target cannot be judged -> FAIL")
        return False
    return verdict("Explore rerun p95 during the maps", pct(load, 0.95), TARGET_LOAD_RERUN_P95, False, " s") and ok


def report_cpu(tally: Tally, extra: dict) -> bool:
    first, rerun = extra["first_cpu"], extra["rerun_cpu"]
    print()
    table(["server CPU per run", "n", "median ms", "p95 ms", "max ms"],
          [[name, str(len(xs)), f"{1e3 * statistics.median(xs):.0f}", f"{1e3 * pct(xs, 0.95):.0f}",
            f"{1e3 * max(xs):.0f}"] for name, xs in (("first load", first), ("rerun after a slider change", rerun))
           if xs])
    print()
    ok = verdict("errors", len(tally.errors), 0, higher_is_better=False)
    ok &= verdict("cross-talk", len(tally.crosstalk), 0, higher_is_better=False)
    ok &= verdict("median server CPU per first load", 1e3 * statistics.median(first), 150, False, " ms")
    ok &= verdict("median server CPU per rerun", 1e3 * statistics.median(rerun), 60, False, " ms")
    return ok


def report(mode: str, tally: Tally, extra: dict, cpu: float | None, peak: int | None, args=None) -> bool:
    """Print the tables and the targets; True if every target is met."""
    if mode == "maps-memory":
        return report_maps_memory(tally, extra, cpu, peak, args)
    if mode == "maps-load":
        return report_maps_load(tally, extra, cpu, peak, args)
    if mode == "cpu":
        return report_cpu(tally, extra)
    print()
    table(["runs", "n", "p50 ms", "p95 ms", "max ms", "KB p50", "KB max"], latency_rows(tally))
    runs = len(tally.first) + len(tally.reruns)
    cpu_text = f"{cpu / runs:.3f}" if cpu is not None and runs else "-"
    peak_text = f"{peak / 2**20:.0f} MiB" if peak else "-"
    print(f"\n   errors {len(tally.errors)}, cross-talk {len(tally.crosstalk)}; server CPU s per run "
          f"{cpu_text}, peak RSS {peak_text}")
    for line in (tally.errors[:5] + tally.crosstalk[:5]):
        print(f"     {line}")
    if mode == "churn":
        print()
        table(["sessions", "server RSS MiB", "first load p50 ms (last window)"],
              [[str(n), f"{r / 2**20:.0f}" if r else "-", f"{1e3 * m:.0f}" if m is not None else "-"]
               for n, r, m in extra["samples"]])
    if mode == "capacity":
        print(f"\n   {len(tally.reruns)} reruns in {extra['wall']:.1f} s: {extra['rate']:.1f} reruns/s sustained")
    print()
    ok = verdict("errors", len(tally.errors), 0, higher_is_better=False)
    if mode == "churn":
        return ok and memory_flat(extra["samples"], args.workers if args else 1)
    ok &= verdict("cross-talk", len(tally.crosstalk), 0, higher_is_better=False)
    reruns_p95 = pct([s for s, _ in tally.reruns], 0.95)
    if mode == "classroom":
        ok &= verdict("first-load p95", pct([s for s, _ in tally.first], 0.95), TARGET_FIRST_P95, False, " s")
        ok &= verdict("rerun p95", reruns_p95, TARGET_RERUN_P95, False, " s")
    else:
        ok &= verdict("sustained reruns/s", extra["rate"], TARGET_RATE, True)
        ok &= verdict("rerun p95", reruns_p95, TARGET_RERUN_P95, False, " s")
    return ok


# ---- main ---------------------------------------------------------------------------------------
def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=("classroom", "capacity", "churn", "maps-memory", "maps-load", "cpu"),
                    default="classroom")
    ap.add_argument("--url", help="a running server (127.0.0.1 or localhost); default: start one")
    ap.add_argument("--pids", help="with --url: the server's process ids (comma-separated), for CPU and RSS")
    ap.add_argument("--sessions", type=int,
                    help="default: 30 (classroom), 8 (capacity), 200 (churn), 8 Explore sessions (maps-load)")
    ap.add_argument("--reruns", type=int, default=5, help="classroom: slider changes per session")
    ap.add_argument("--think", help="classroom, maps-load: think time before each rerun, LO,HI seconds "
                                    "(default 3,10; maps-load and --quick: 0.5,2)")
    ap.add_argument("--distinct", type=int,
                    help=f"distinct links among the sessions (default: all distinct; churn: {CHURN_DISTINCT})")
    ap.add_argument("--duration", type=float,
                    help="capacity: seconds of back-to-back reruns (default 30); maps-load: at most this "
                         "many seconds of Explore reruns while the maps compute (default 240)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds a run may take before it counts as unfinished")
    ap.add_argument("--seed", type=int, default=0,
                    help="also picks the maps' learning rates: another seed, other maps (none cached)")
    ap.add_argument("--maps", type=int, default=5, help="maps-memory: maps per round; maps-load: maps at once")
    ap.add_argument("--rounds", type=int, help="maps-memory: rounds of --maps maps (default 5; --quick: 2)")
    ap.add_argument("--res", type=int, help="map cells per side, one of 64, 128, 256, 512 (default 512; --quick: 256)")
    ap.add_argument("--steps", type=int, default=1000, help="steps of every map's runs (the page's default 1000)")
    ap.add_argument("--map-timeout", type=float, default=300.0, help="seconds a map's run may take")
    ap.add_argument("--quick", action="store_true", help="fewer sessions and reruns, shorter think times")
    ap.add_argument("--workers", type=int, default=1,
                    help="churn: the server's worker processes behind the proxy (each keeps its own "
                         f"{SESSION_STORE} disconnected sessions); memory is judged after they are full")
    ap.add_argument("--cold", action="store_true",
                    help="no warm-up session first: measure a freshly started server's first sessions")
    args = ap.parse_args()
    if args.sessions is None:
        args.sessions = {"classroom": 30, "capacity": 8, "churn": 200, "maps-memory": 1, "maps-load": 8, "cpu": 10}[args.mode]
        if args.quick:
            args.sessions = {"classroom": 10, "capacity": 4, "churn": 40, "maps-memory": 1, "maps-load": 4, "cpu": 4}[args.mode]
    if args.think is None:
        args.think = "0.5,2" if args.quick or args.mode == "maps-load" else "3,10"
    if args.duration is None:
        args.duration = 240.0 if args.mode == "maps-load" else 30.0
    if args.rounds is None:
        args.rounds = 2 if args.quick else 5
    if args.res is None:
        args.res = 256 if args.quick else 512
    if args.quick:
        args.reruns = min(args.reruns, 2)
        if args.mode == "capacity":
            args.duration = min(args.duration, 10.0)
    if args.res not in PL.RESOLUTIONS:
        ap.error(f"--res must be one of {', '.join(map(str, PL.RESOLUTIONS))}")
    if not (args.maps >= 1 and args.rounds >= 1 and 1 <= args.steps <= S.MAX_STEPS):
        ap.error(f"--maps and --rounds must be at least 1, --steps within 1-{S.MAX_STEPS}")
    if args.mode in ("maps-memory", "cpu") and args.url and not args.pids:
        ap.error(f"{args.mode} measures the server's processes: with --url, give its --pids")
    args.think = tuple(float(x) for x in args.think.split(","))
    if len(args.think) != 2 or not 0 <= args.think[0] <= args.think[1]:
        ap.error("--think takes LO,HI with 0 <= LO <= HI")
    args.distinct = min(args.distinct or (CHURN_DISTINCT if args.mode == "churn" else args.sessions), args.sessions)
    if args.sessions < 1 or args.distinct < 1:
        ap.error("--sessions and --distinct must be at least 1")
    if args.url:
        try:
            args.url = check_local(args.url)
        except ValueError as exc:
            ap.error(str(exc))
    return args


async def measure(url: str, args, procs: ServerProcesses | None) -> bool:
    """Warm the server up, run the mode, report; True if its targets are met."""
    asyncio.get_running_loop().set_default_executor(
        concurrent.futures.ThreadPoolExecutor(max_workers=args.sessions + args.maps + 4))  # the sessions' GETs
    if args.cold:
        print("   no warm-up session: the server's first sessions are measured (cold start included)")
    else:
        warm = Session(url, timeout=max(args.timeout, 300.0))  # the first load compiles or loads the kernels
        try:
            run = await warm.open("")  # the default view: none of the sessions' links
        finally:
            await warm.close()
        print(f"   warm-up session: {run.seconds:.2f} s{', errors: ' + '; '.join(run.errors) if run.errors else ''}")
    if args.mode.startswith("maps"):  # the Landscapes page and its sweep kernel, on a small map
        warm = Session(url, timeout=max(args.timeout, 300.0))
        try:
            run = await warm.open(map_query(map_lr(SEED_STRIDE - 1), 64, 100), page="landscapes")
        finally:
            await warm.close()
        print(f"   warm-up map (64², 100 steps): {run.seconds:.2f} s"
              f"{', errors: ' + '; '.join(run.errors) if run.errors else ''}")
    tally = Tally()
    stop, peak = asyncio.Event(), [procs.rss() if procs else 0]
    sampler = asyncio.create_task(sample_rss(procs, peak, stop)) if procs else None
    cpu0 = procs.cpu_seconds() if procs else None
    if args.mode == "classroom":
        extra = await classroom(url, args, tally)
    elif args.mode == "capacity":
        extra = await capacity(url, args, tally)
    elif args.mode == "churn":
        extra = await churn(url, args, tally, procs)
    elif args.mode == "maps-memory":
        extra = await maps_memory(url, args, tally, procs)
    elif args.mode == "cpu":
        extra = await cpu_costs(url, args, tally, procs)
    else:
        extra = await maps_load(url, args, tally)
    cpu = procs.cpu_seconds() - cpu0 if procs else None
    stop.set()
    if sampler:
        await sampler
    return report(args.mode, tally, extra, cpu, peak[0] if procs else None, args)


def main() -> int:
    args = parse_args()
    if args.mode == "maps-memory":
        header(f"bench_classroom --mode maps-memory: {args.rounds} rounds of {args.maps} {args.res}² maps "
               f"× {args.steps} steps, opened in turn", args.quick)
    elif args.mode == "maps-load":
        header(f"bench_classroom --mode maps-load: {args.maps} {args.res}² maps × {args.steps} steps at once, "
               f"{args.sessions} Explore sessions rerunning meanwhile", args.quick)
    else:
        header(f"bench_classroom --mode {args.mode}: {args.sessions} protocol-level sessions, "
               f"{args.distinct} distinct links", args.quick)
    if args.mode == "classroom":
        print(f"   {args.reruns} reruns per session, think time {args.think[0]:g}-{args.think[1]:g} s")
    elif args.mode == "maps-load":
        print(f"   Explore reruns after think times of {args.think[0]:g}-{args.think[1]:g} s until the maps are "
              f"done (at most {args.duration:g} s)")
    proc = None
    if args.url:
        url = args.url
        procs = ServerProcesses([int(p) for p in args.pids.split(",")]) if args.pids else None
    else:
        from bench_browser import _server  # streamlit run app.py, headless, file watcher off

        proc, url = _server()
        procs = ServerProcesses([proc.pid])
    watched = f"CPU and RSS of pids {','.join(map(str, procs.roots))} and their children" if procs else \
        "no --pids: no CPU or RSS"
    print(f"   server {url} ({f'started here, pid {proc.pid}' if proc else 'given'}); {watched}")
    try:
        ok = asyncio.run(measure(url, args, procs))
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    print(f"RESULT {args.mode} {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
