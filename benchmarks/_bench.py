"""Small helpers shared by the benchmark scripts (not a benchmark itself).

Every benchmark compares figures measured in the same run (the machine is shared and
noisy), so the helpers here are about interleaving, taking minima/medians and printing.
"""
from __future__ import annotations

import math
import os
import pathlib
import platform
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def header(title: str, quick: bool) -> None:
    ncpu = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"== {title}{'  (--quick)' if quick else ''}")
    print(f"   python {platform.python_version()}, {ncpu} cores available, "
          f"{time.strftime('%Y-%m-%d %H:%M:%S')}")


def timeit(fn, number: int = 1) -> float:
    """Seconds per call of ``fn()`` (``number`` calls timed together)."""
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def median(xs):
    return statistics.median(xs)


def fmt(x, spec=".1f") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return format(x, spec)


def table(headers, rows, indent: str = "   ") -> None:
    """Print a plain text table; cells are already strings (or str()-able)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for k, r in enumerate(cells):
        line = "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
        print(indent + line.rstrip())
        if k == 0:
            print(indent + "  ".join("-" * w for w in widths))


def verdict(what: str, value: float, target: float, higher_is_better: bool, unit: str = "",
            strict: bool = False) -> bool:
    if strict:
        ok = value > target if higher_is_better else value < target
        rel = ">" if higher_is_better else "<"
    else:
        ok = value >= target if higher_is_better else value <= target
        rel = ">=" if higher_is_better else "<="
    print(f"   TARGET {what} {rel} {target:g}{unit}: measured {value:.3g}{unit} -> "
          f"{'PASS' if ok else 'FAIL'}")
    return ok


def rel_err(a, b) -> float:
    """max |a - b| / max(|b|, 1e-6) over elements (NaN == NaN counts as equal; a NaN
    facing a number gives inf)."""
    import numpy as np

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    both_nan = np.isnan(a) & np.isnan(b)
    if np.any(np.isnan(a) != np.isnan(b)):
        return math.inf
    d = np.abs(a - b)[~both_nan]
    s = np.maximum(np.abs(b), 1e-6)[~both_nan]
    return float(np.max(d / s)) if d.size else 0.0
