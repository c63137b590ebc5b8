"""The custom surface's controls, shared by Explore and Landscapes: a formula box and its bounds
(validated as typed), the parsed formula in LaTeX or the error under the box, and examples one
click away.

A page owns one box per ``prefix`` (Explore: ``""``, Landscapes: ``"ls_"`` and ``"lb_"``); its
session-state keys are :class:`Keys`.  The last valid (formula, bounds) is kept under
``Keys.ok``: a bad edit shows its error and leaves the surface as it was.  Parameter values
live in the page's own slider keys (``param_key(name)``).
"""
from __future__ import annotations

import dataclasses

import streamlit as st
from streamlit import session_state as ss

from . import settings as S
from . import widgets as W

#: one click away: (label, formula, bounds "x0,x1,y0,y1", parameter values)
EXAMPLES = (
    ("Rotated ravine", "0.5*((x*cos(a) + y*sin(a))**2 + b*(y*cos(a) - x*sin(a))**2)", "-2,2,-2,2",
     (("a", 0.5), ("b", 30.0))),
    ("Plateau with a cliff", "0.1*(x**2 + y**2) + 2*tanh(a*(1 - x))", "-3,3,-3,3", (("a", 5.0),)),
    ("Mexican hat", "(x**2 + y**2 - a)**2", "-2,2,-2,2", (("a", 1.0),)),
    ("|x| + |y| valley", "abs(x) + a*abs(y)", "-2,2,-2,2", (("a", 1.0),)),
)

HELP = ("Numbers, x, y, pi, e, + - * / ** and parentheses; sin cos tan exp log sqrt abs tanh sinh "
        "cosh arctan arcsin arccos min max; parameters a, b, c, d. The gradient and Hessian are "
        "exact (symbolic), and nothing you type is run as code.")


@dataclasses.dataclass(frozen=True)
class Keys:
    """The session-state keys of one formula box."""

    prefix: str = ""

    @property
    def f(self) -> str:
        return f"{self.prefix}custom_f"

    @property
    def bounds(self) -> str:
        return f"{self.prefix}custom_bounds"

    @property
    def ok(self) -> str:
        return f"_{self.prefix}custom_ok"

    @property
    def error(self) -> str:
        return f"_{self.prefix}custom_error"


def name(surf) -> str:
    """A surface's name for Markdown: a custom surface's name is its formula, typed text."""
    return W.md_escape(surf.name) if surf.compiled is not None else surf.name


def formula_and_bounds(keys: Keys) -> tuple[str, tuple]:
    """The last valid (formula, bounds) of the box (the first example before any)."""
    return ss.get(keys.ok) or (EXAMPLES[0][1], S.parse_bounds(EXAMPLES[0][2]))


def current(keys: Keys, param_key):
    """The box's surface with its parameters at their sliders' values (``param_key(name)``)."""
    formula, bounds = formula_and_bounds(keys)
    base = S.custom_surface(formula, (), bounds)
    values = tuple((p.name, float(ss.get(param_key(p.name), v))) for p, v in zip(base.params, base.values))
    return S.custom_surface(formula, values, bounds)


def validate(keys: Keys, param_key):
    """The box was edited: keep the formula and bounds if they are valid (and give new parameters
    their default values), else keep the error to show.  The new surface, or None."""
    text, btext = str(ss.get(keys.f, "")), str(ss.get(keys.bounds, ""))
    try:
        bounds = S.parse_bounds(btext)
        surf = S.custom_surface(text, (), bounds)
    except ValueError as exc:
        ss[keys.error] = str(exc)
        return None
    ss.pop(keys.error, None)
    ss[keys.ok] = (text, bounds)
    for p, v in zip(surf.params, surf.values):
        ss.setdefault(param_key(p.name), v)
    return surf


def use_example(keys: Keys, param_key, example: tuple):
    """Fill the box with ``example`` (label, formula, bounds text, parameter values); its surface."""
    _, formula, btext, params = example
    ss[keys.f], ss[keys.bounds] = formula, btext
    for k, v in params:
        ss[param_key(k)] = v
    validate(keys, param_key)
    return current(keys, param_key)


def write(keys: Keys, formula: str, bounds: tuple) -> None:
    """Put a (valid) formula and bounds, e.g. from a link, into the box."""
    bounds = bounds or S.DEFAULT_BOUNDS
    ss[keys.f], ss[keys.bounds] = formula, S.bounds_text(bounds)
    ss[keys.ok] = (formula, bounds)
    ss.pop(keys.error, None)


def controls(keys: Keys, surf, on_change, on_example) -> None:
    """The box, its bounds, the error or the LaTeX of ``surf``, and the example buttons.
    ``on_change()`` runs when the text changes, ``on_example(example)`` on an example's click."""
    st.text_input("f(x, y) =", key=keys.f, on_change=on_change, max_chars=500, help=HELP)
    st.text_input("Bounds x0,x1,y0,y1", key=keys.bounds, on_change=on_change)
    if ss.get(keys.error):
        st.error(f"{W.md_escape(ss[keys.error])} The previous surface is kept.", icon=":material/error:")
    # inline math, so that a long formula wraps at its top-level + and − in the narrow sidebar
    # (display math would be cut off); the LaTeX is sympy's, of the whitelisted tree: no typed text
    st.markdown(f"${surf.latex}$")
    st.caption("Examples:")
    row = st.container(horizontal=True, gap="small")
    for i, example in enumerate(EXAMPLES):
        row.button(example[0], key=f"{keys.prefix}custom_ex{i}", on_click=on_example, args=(example,))
