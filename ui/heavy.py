"""Heavy computations under load: a per-process limit, a queue students can see, and a cache
bounded in bytes.

A class that all press "512²" at once would otherwise run every map at the same time: each
sweep uses every core, so they all crawl, the memory holds them all, and every Explore rerun
waits for CPU behind them.  So, per server process:

- at most :data:`SLOTS` heavy computations (maps and basins above :data:`HEAVY_CELLS` cells) run
  at once (K = 1 on a machine with up to 3 cores, half the cores beyond; ``GRADSCAPE_HEAVY_SLOTS``
  overrides it).  The others wait in line, showing "Queued: n computations ahead of yours"
  with a Cancel button; Explore's reruns never wait for a slot (they are a few milliseconds
  of compiled code, and a sweep releases the GIL);
- the same computation asked for by two sessions runs once: the second waits for the first's
  result;
- results are kept in one shared, read-only cache bounded in bytes (:data:`CACHE_BYTES`,
  ``GRADSCAPE_CACHE_MB``), least recently used first out.  Nothing is copied per session
  (``st.cache_data`` pickles a copy for every reader: 10 MB per 512² map per session).
"""
from __future__ import annotations

import collections
import os
import threading
import time

import numpy as np
import streamlit as st

#: maps and basins with more cells than this are "heavy" (128²)
HEAVY_CELLS = 128 * 128


def _default_slots() -> int:
    env = os.environ.get("GRADSCAPE_HEAVY_SLOTS")
    if env:
        return max(1, int(env))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores // 2) if cores > 3 else 1


#: heavy computations allowed to run at once in one server process
SLOTS = _default_slots()
#: bytes of cached results per server process
CACHE_BYTES = int(float(os.environ.get("GRADSCAPE_CACHE_MB", "200")) * 2**20)
#: how often a queued session looks whether a slot is free (seconds)
POLL_S = 0.25


def nbytes(obj) -> int:
    """The bytes of the numpy arrays held by ``obj`` (a result record), plus a small overhead."""
    total = 256
    values = obj.__dict__.values() if hasattr(obj, "__dict__") else (obj if isinstance(obj, (list, tuple)) else ())
    for v in values:
        if isinstance(v, np.ndarray):
            total += v.nbytes
        elif isinstance(v, (list, tuple)) and v and isinstance(v[0], np.ndarray):
            total += sum(a.nbytes for a in v)
    return total


def freeze(obj):
    """Make the numpy arrays of a shared result read-only (readers share one copy); ``obj``."""
    for v in (obj.__dict__.values() if hasattr(obj, "__dict__") else ()):
        if isinstance(v, np.ndarray):
            v.flags.writeable = False
    return obj


class ByteLRU:
    """A thread-safe least-recently-used cache bounded by the bytes of its values."""

    def __init__(self, budget: int):
        if budget <= 0:
            raise ValueError(f"budget must be positive, got {budget}")
        self.budget = int(budget)
        self._items: collections.OrderedDict = collections.OrderedDict()  # key -> (value, bytes)
        self._lock = threading.Lock()
        self.used = 0

    def get(self, key):
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key][0]

    def put(self, key, value, size: int) -> None:
        """Keep ``value``; evict the least recently used until the total fits the budget.  A value
        larger than the whole budget is not kept."""
        with self._lock:
            if key in self._items:
                self.used -= self._items.pop(key)[1]
            if size > self.budget:
                return
            self._items[key] = (value, size)
            self.used += size
            while self.used > self.budget:
                _, (_, s) = self._items.popitem(last=False)
                self.used -= s

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.used = 0

    def __len__(self) -> int:
        return len(self._items)


class Gate:
    """At most ``slots`` holders at once, served in arrival order, with a visible queue."""

    def __init__(self, slots: int):
        self.slots = int(slots)
        self._lock = threading.Lock()
        self._running = 0
        self._line: collections.deque = collections.deque()  # tickets waiting, first in line first
        self.peak = 0

    def enter(self, ticket) -> bool:
        """Take a slot if ``ticket`` is first in line (joining the line if new); False to wait."""
        with self._lock:
            if ticket not in self._line:
                self._line.append(ticket)
            if self._running < self.slots and self._line[0] == ticket:
                self._line.popleft()
                self._running += 1
                self.peak = max(self.peak, self._running)
                return True
            return False

    def ahead(self, ticket) -> int:
        """Computations ahead of ``ticket``: those running plus those before it in line."""
        with self._lock:
            pos = list(self._line).index(ticket) if ticket in self._line else 0
            return self._running + pos

    def leave_line(self, ticket) -> None:
        with self._lock:
            if ticket in self._line:
                self._line.remove(ticket)

    def release(self) -> None:
        with self._lock:
            self._running -= 1

    @property
    def running(self) -> int:
        return self._running


class Heavy:
    """The process-wide gate, cache and in-flight table (one per server process)."""

    def __init__(self, slots: int = SLOTS, budget: int = CACHE_BYTES):
        self.gate = Gate(slots)
        self.cache = ByteLRU(budget)
        self._inflight: dict = {}
        self._lock = threading.Lock()

    def compute(self, key: str, cells: int, fn, *, wait=None):
        """The result for ``key``: from the cache, from a session already computing it, or
        ``fn()`` (through the gate when ``cells`` > HEAVY_CELLS).  ``wait(ahead)`` is called
        about every POLL_S seconds while queued; an exception it raises (Streamlit's rerun on
        Cancel) leaves the line."""
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        with self._lock:
            event = self._inflight.get(key)
            owner = event is None
            if owner:
                event = self._inflight[key] = threading.Event()
        if not owner:  # someone computes it: wait for their result (or their failure)
            while not event.wait(POLL_S):
                if wait is not None:
                    wait(-1)
            hit = self.cache.get(key)
            return hit if hit is not None else self.compute(key, cells, fn, wait=wait)
        try:
            if cells <= HEAVY_CELLS:
                out = fn()
            else:
                ticket = object()
                try:
                    while not self.gate.enter(ticket):
                        if wait is not None:
                            wait(self.gate.ahead(ticket))
                        time.sleep(POLL_S)
                finally:
                    self.gate.leave_line(ticket)
                try:
                    out = fn()
                finally:
                    self.gate.release()
            freeze(out)
            self.cache.put(key, out, nbytes(out))
            return out
        finally:
            with self._lock:
                self._inflight.pop(key, None)
            event.set()


@st.cache_resource(show_spinner=False)
def heavy() -> Heavy:
    """This server process's :class:`Heavy`."""
    return Heavy()
