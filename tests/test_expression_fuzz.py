"""Hostile input for custom surfaces (issue 12): at least 1,000 hand-written and generated
inputs, each rejected with ValueError within 1 s, and none runs code: no file appears (the
payloads would write one in the working folder) and no module is imported."""
from __future__ import annotations

import os
import random
import sys
import time

import pytest

import surfaces

#: written by hand; where a payload would act, it would create ./PWNED
HAND = [
    "__import__('os').system('touch PWNED')",
    "__import__('os').system('touch PWNED') + x",
    "x + __import__('subprocess').call(['touch', 'PWNED'])",
    "open('PWNED', 'w').write('x')",
    "exec(\"open('PWNED','w')\")", "eval('1+1')", "compile('1', 'a', 'eval')",
    "().__class__", "().__class__.__bases__[0].__subclasses__()", "x.__class__",
    "sin.__globals__", "sin.__code__", "x.real.imag", "(x).conjugate()",
    "lambda: 0", "(lambda x: x)(1)", "[x for x in range(9)]", "{x: 1}", "{x}", "[x, y]",
    "(x, y)", "x[0]", "x[0:1]", "f'{x}'", "f\"{__import__('os').system('touch PWNED')}\"",
    "b'x'", "'x'", "\"x\"", "(z := 1)", "(x := 1) + x", "x if y else 1", "x and y", "x or y",
    "not x", "~x", "x @ y", "x % y", "x // y", "x << 2", "x ^ y", "x & y", "x | y", "x == y",
    "x < y < 1", "*x", "**x", "await x", "yield x", "x; y", "x\ny", "import os", "del x",
    "globals()", "locals()", "vars()", "dir()", "getattr(x, 'real')", "setattr(x, 'a', 1)",
    "breakpoint()", "input()", "print(x)", "help()", "exit()", "quit()", "__builtins__",
    "__debug__", "__name__", "__file__", "sin(x=1)", "sin(*[x])", "min(*[x, y])",
    "max(x, **{})", "sin", "sin()", "cos(x, y)", "log(x, 2)", "sympy.sin(x)", "np.sin(x)",
    "math.pi", "numpy", "os", "sys", "Symbol('x')", "Integer(2)", "S(1)", "E", "I", "oo",
    "zoo", "nan", "inf", "NaN", "Infinity", "float('nan')", "float('inf')", "1e999", "-1e999",
    "1e999 - 1e999", "9**9**9", "x**1e6", "x**9**9", "2**2**2**2**2", "10**10**10",
    "x**(10**3)", "(((1000000000000000*x)**100)**100)**100", "((x**90)**90)**90", "exp(exp(exp(10)))", "(1e15**20)**20", "x**-1e6", "1/0", "x/0", "0**-1",
    "log(0)", "sqrt(-1)", "(-8)**(1/3)", "arcsin(2)", "", " ", "\t", "\n", "#", "# x",
    "x +", "+", "()", "(", ")", "x y", "1x", "x**", "sin(", "min(x,)", "\x00", "x\x00",
    "\u0445 + y",  # Cyrillic х
    "ｘ + y",  # full-width x
    "х**2 + у**2",  # Cyrillic look-alikes
    "sіn(x)",  # Ukrainian і in sin
    "x\u200b+y",  # zero-width space
    "x＋y", "𝐱 + y", "x ⁺ y", "x − y",  # unicode minus
    "ℯ**x", "π*x", "x²", "½*x", "١ + x",  # Arabic-Indic digit
    "x" * 501, "x+" * 250 + "x", "(" * 300 + "x" + ")" * 300, "-" * 400 + "x",
    "sin(" * 100 + "x" + ")" * 100, "(" * 1000, "1" * 600, "[" * 100,
    "x.__class__.__mro__[-1].__subclasses__()", "sin.__self__.__import__('os')",
    "Min(x, y)", "Abs(x)", "Heaviside(x)", "Piecewise((1, x > 0))", "Lambda(x, x)",
    "a(x)", "x(1)", "pi(1)", "e.real", "1 .real", "(1).__add__(2)", "type(x)", "id(x)",
    "x if 1 else __import__('os')", "[__import__('os')]", "{**{}}", "...", "None", "True",
    "False", "1j", "x + 2j", "True + x", "None + x", "... + x",
]

FRAGMENTS = ["__import__('os')", "().__class__", "lambda: 1", "open('PWNED','w')", "[1]", "x.y",
             "f'{x}'", "b''", "'s'", "(q := 1)", "z", "nan", "inf", "1e999", "9**9**9", "x**1e6",
             "sin(1, 2)", "os.system('touch PWNED')", "\u0445", "x[0]", "{}", "x % 2", "getattr",
             "x if y else 0", "not x", "x == y", "*[x]", "exec('1')", "eval", "__builtins__"]
VALID = ["x", "y", "x**2 + y**2", "sin(x) * cos(y)", "exp(-(x**2 + y**2))", "a*x + b*y", "abs(x)"]


def _generated(n: int, seed: int = 0) -> list[str]:
    """Each is invalid by construction: a hostile fragment spliced into a valid formula, deep
    nesting, over-long text, or a huge exponent."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        kind = i % 6
        v = rng.choice(VALID)
        if kind == 0:
            out.append(f"{v} {rng.choice('+-*/')} {rng.choice(FRAGMENTS)}")
        elif kind == 1:
            out.append(f"{rng.choice(['sin', 'cos', 'exp'])}({rng.choice(FRAGMENTS)}) + {v}")
        elif kind == 2:
            d = rng.randint(51, 250)
            fn = rng.choice(["sin(", "cos(", "-(", "abs("])
            out.append(fn * d + "x" + ")" * d if fn != "-(" else "-(" * d + "x" + ")" * d)
        elif kind == 3:
            out.append(v + " + x" * rng.randint(126, 2000))
        elif kind == 4:
            e = rng.choice([f"{rng.randint(101, 10**9)}", f"{rng.uniform(101, 1e300):.6g}",
                            f"{rng.randint(5, 9)}**{rng.randint(3, 9)}", "9**9**9"])
            out.append(f"({v})**({e})" if rng.random() < 0.5 else f"{v} + x**-{e}")
        else:
            pos = rng.randint(0, len(v))
            out.append(v[:pos] + rng.choice(FRAGMENTS) + v[pos:])
    return out


INPUTS = HAND + _generated(1000)


def test_there_are_enough_inputs():
    assert len(INPUTS) >= 1000 and len(set(INPUTS)) > 900


def test_every_hostile_input_is_rejected_fast_and_runs_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    surfaces.from_expression("x**2 + y**2")  # warm: whatever a valid formula imports is in
    modules = set(sys.modules)
    slow = []
    for text in INPUTS:
        t0 = time.perf_counter()
        with pytest.raises(ValueError, match="expression"):
            surfaces.from_expression(text)
        dt = time.perf_counter() - t0
        if dt > 1.0:
            slow.append((text[:60], dt))
    assert not slow, slow
    assert os.listdir(tmp_path) == []  # no payload wrote its file
    assert set(sys.modules) - modules == set()  # no payload imported anything


@pytest.mark.parametrize("bad", [123, None, b"x", ["x"], 1.5])
def test_non_text_is_rejected(bad):
    with pytest.raises(ValueError, match="must be a string"):
        surfaces.from_expression(bad)
