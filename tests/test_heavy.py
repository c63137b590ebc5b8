"""``ui.heavy``: at most K heavy computations at once, a visible line with cancelling, one
computation for identical requests, and a cache bounded in bytes."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from ui import heavy as H

BIG = H.HEAVY_CELLS + 1  # a heavy computation's cell count


class Record:
    def __init__(self, nbytes: int):
        self.a = np.zeros(nbytes // 8)


def test_lru_is_bounded_in_bytes():
    c = H.ByteLRU(1000)
    c.put("a", 1, 400)
    c.put("b", 2, 400)
    assert c.get("a") == 1  # a is now the most recently used
    c.put("c", 3, 400)  # 1200 > 1000: the least recently used (b) goes
    assert c.get("b") is None and c.get("a") == 1 and c.get("c") == 3 and c.used == 800
    c.put("huge", 4, 1001)  # larger than the whole budget: not kept, nothing evicted
    assert c.get("huge") is None and len(c) == 2
    with pytest.raises(ValueError, match="budget"):
        H.ByteLRU(0)


def test_cached_results_are_shared_read_only_and_counted_in_bytes():
    h = H.Heavy(slots=1, budget=10_000)
    out = h.compute("k", 10, lambda: Record(4000))
    assert h.compute("k", 10, lambda: pytest.fail("computed twice")) is out
    assert not out.a.flags.writeable
    assert h.cache.used == H.nbytes(out) >= 4000
    h.compute("k2", 10, lambda: Record(4000))
    h.compute("k3", 10, lambda: Record(4000))  # 3 × ~4 KB > 10 KB: the oldest goes
    assert h.cache.get("k") is None and h.cache.used <= 10_000


def _concurrently(h, jobs, wait=None):
    """Run ``h.compute(key, cells, fn)`` for every job in its own thread, all at once."""
    errors = []
    start = threading.Barrier(len(jobs))

    def go(key, cells, fn):
        try:
            start.wait()
            h.compute(key, cells, fn, wait=wait)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=go, args=j) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


def test_at_most_k_heavy_computations_run_at_once_and_the_rest_queue():
    h = H.Heavy(slots=2, budget=10**8)
    lock = threading.Lock()
    now = {"running": 0, "peak": 0}
    seen_ahead = []

    def job():
        with lock:
            now["running"] += 1
            now["peak"] = max(now["peak"], now["running"])
        time.sleep(0.4)
        with lock:
            now["running"] -= 1
        return Record(80)

    errors = _concurrently(h, [(f"k{i}", BIG, job) for i in range(5)], wait=seen_ahead.append)
    assert not errors
    assert now["peak"] == 2 and h.gate.peak == 2
    assert seen_ahead and max(seen_ahead) >= 2  # the queued saw computations ahead of them
    assert h.gate.running == 0 and len(h.cache) == 5


def test_light_computations_never_wait_for_a_slot():
    h = H.Heavy(slots=1, budget=10**8)
    holder = object()
    assert h.gate.enter(holder)  # a heavy computation holds the only slot
    t0 = time.perf_counter()
    h.compute("light", H.HEAVY_CELLS, lambda: Record(80))  # 128² cells: not heavy
    assert time.perf_counter() - t0 < 0.2
    h.gate.release()


def test_cancelling_leaves_the_line_and_the_next_one_goes():
    h = H.Heavy(slots=1, budget=10**8)
    holder = object()
    assert h.gate.enter(holder)

    class Cancelled(Exception):
        pass

    def cancel(ahead):
        assert ahead == 1
        raise Cancelled

    with pytest.raises(Cancelled):
        h.compute("mine", BIG, lambda: pytest.fail("a cancelled computation ran"), wait=cancel)
    assert h.gate.ahead(object()) == 1  # only the holder: the cancelled one left the line
    h.gate.release()
    assert h.compute("next", BIG, lambda: Record(80)) is not None
    assert h.cache.get("mine") is None and h.gate.running == 0


def test_the_same_computation_asked_twice_runs_once():
    h = H.Heavy(slots=2, budget=10**8)
    calls = []

    def job():
        calls.append(1)
        time.sleep(0.3)
        return Record(80)

    errors = _concurrently(h, [("same", BIG, job)] * 4)
    assert not errors and len(calls) == 1


def test_a_failed_computation_is_not_cached_and_frees_its_slot():
    h = H.Heavy(slots=1, budget=10**8)

    def boom():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        h.compute("x", BIG, boom)
    assert h.gate.running == 0 and h.cache.get("x") is None
    assert h.compute("x", BIG, lambda: Record(80)) is not None
