r"""A user's own surface, typed as text: parse it safely, differentiate it, emit kernel source.

The language: numbers, ``x``, ``y``, ``pi``, ``e``, ``+ - * / **``, unary minus, parentheses,
the functions in :data:`FUNCTIONS` (``min`` and ``max`` take 2 to :data:`MAX_ARGS` arguments)
and the parameters ``a``, ``b``, ``c``, ``d``.

Safety: the text is parsed by :func:`ast.parse` (``mode="eval"``) and the tree is checked node
by node against a whitelist (:func:`validate`); nothing of the user's text is ever given to
``eval``, ``exec``, ``sympify`` or ``parse_expr``.  The sympy expression is built from the checked
tree by :func:`to_sympy`, and the compiled source is printed from sympy's tree by our own
printer (:func:`emit`), which only knows the node types listed here.  Every limit
(:data:`MAX_LENGTH`, :data:`MAX_DEPTH`, :data:`MAX_EXPONENT`, :data:`MAX_LITERAL`,
:data:`MAX_ARGS`) is checked before anything is computed, and is named in the ValueError.

Validation needs no sympy (:func:`validate` returns the canonical text that keys the kernel
cache); sympy is imported only to build a new surface's derivatives.
"""
from __future__ import annotations

import ast
import hashlib
import math

MAX_LENGTH = 500
MAX_DEPTH = 50
#: a constant exponent must lie in [-MAX_EXPONENT, MAX_EXPONENT]
MAX_EXPONENT = 100.0
#: a number literal (and every constant the expression folds to) must have |v| <= MAX_LITERAL...
MAX_LITERAL = 1e15
#: ... and every constant sub-expression must stay below this in magnitude
MAX_CONSTANT = 1e300
MAX_ARGS = 8
#: polynomial degree bound (constant exponents multiply through nested powers), so that exact
#: integer powers like ((10**15*x)**100)**100 are never expanded by sympy
MAX_DEGREE = 1000
PARAMS = ("a", "b", "c", "d")
VARIABLES = ("x", "y")
CONSTANTS = {"pi": math.pi, "e": math.e}

#: name -> (math function for constant folding, sympy attribute name)
FUNCTIONS = {
    "sin": (math.sin, "sin"), "cos": (math.cos, "cos"), "tan": (math.tan, "tan"),
    "exp": (math.exp, "exp"), "log": (math.log, "log"), "sqrt": (math.sqrt, "sqrt"),
    "abs": (abs, "Abs"), "tanh": (math.tanh, "tanh"), "sinh": (math.sinh, "sinh"),
    "cosh": (math.cosh, "cosh"), "arctan": (math.atan, "atan"), "arcsin": (math.asin, "asin"),
    "arccos": (math.acos, "acos"),
}
VARIADIC = {"min": (min, "Min"), "max": (max, "Max")}

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_UNARY = {ast.USub: "-", ast.UAdd: "+"}


def _reject(msg: str):
    raise ValueError(f"expression: {msg}")


def _fold(fn, *args) -> float:
    """fn(*args) on constants, or a ValueError naming why it has no finite real value."""
    try:
        v = float(fn(*args))
    except ZeroDivisionError:
        _reject("division by zero in a constant")
    except (OverflowError, ValueError, TypeError):
        _reject("a constant sub-expression has no finite real value")
    if not math.isfinite(v) or abs(v) > MAX_CONSTANT:
        _reject(f"a constant sub-expression exceeds the limit |v| <= {MAX_CONSTANT:g}")
    return v


def _pow(b, p):
    if b == 0 and p < 0:
        raise ZeroDivisionError
    return math.pow(b, p)


_FOLD_BIN = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
             "/": lambda a, b: a / b, "**": _pow}


def _check(node, depth: int, used: set):
    """Check one node (recursively); returns its constant value, or None if it varies."""
    if depth > MAX_DEPTH:
        _reject(f"nesting deeper than the limit MAX_DEPTH = {MAX_DEPTH}")
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            _reject(f"only numbers are allowed as literals, got {type(v).__name__}")
        if isinstance(v, int) and abs(v) > MAX_LITERAL:
            _reject(f"number literal out of range |v| <= MAX_LITERAL = {MAX_LITERAL:g}")
        v = float(v)
        if not math.isfinite(v) or abs(v) > MAX_LITERAL:
            _reject(f"number literal out of range |v| <= MAX_LITERAL = {MAX_LITERAL:g}")
        return v
    if isinstance(node, ast.Name):
        if not isinstance(node.ctx, ast.Load):
            _reject(f"assignment to {node.id!r} is not allowed")
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in VARIABLES or node.id in PARAMS:
            used.add(node.id)
            return None
        _reject(f"unknown name {node.id!r}; allowed: x, y, pi, e, parameters {', '.join(PARAMS)}")
    if isinstance(node, ast.UnaryOp):
        if type(node.op) not in _UNARY:
            _reject(f"operator {type(node.op).__name__} is not allowed; allowed: + - * / ** and unary -")
        v = _check(node.operand, depth + 1, used)
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    if isinstance(node, ast.BinOp):
        op = _BINOPS.get(type(node.op))
        if op is None:
            _reject(f"operator {type(node.op).__name__} is not allowed; allowed: + - * / ** and unary -")
        left = _check(node.left, depth + 1, used)
        right = _check(node.right, depth + 1, used)
        if op == "**" and right is not None and abs(right) > MAX_EXPONENT:
            _reject(f"exponent {right:g} out of range [-{MAX_EXPONENT:g}, {MAX_EXPONENT:g}] (MAX_EXPONENT)")
        if op == "/" and right == 0.0:
            _reject("division by zero")
        if left is None or right is None:
            return None
        return _fold(_FOLD_BIN[op], left, right)
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS and name not in VARIADIC:
            _reject("calls are allowed only to: " + ", ".join([*FUNCTIONS, *VARIADIC]))
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            _reject(f"{name}() takes plain positional arguments only")
        n = len(node.args)
        if name in FUNCTIONS and n != 1:
            _reject(f"{name}() takes exactly 1 argument, got {n}")
        if name in VARIADIC and not 2 <= n <= MAX_ARGS:
            _reject(f"{name}() takes 2 to MAX_ARGS = {MAX_ARGS} arguments, got {n}")
        vals = [_check(a, depth + 1, used) for a in node.args]
        if any(v is None for v in vals):
            return None
        fn = (FUNCTIONS.get(name) or VARIADIC[name])[0]
        return _fold(fn, *vals)
    _reject(f"{type(node).__name__} is not allowed in an expression")


def _degree(node) -> float:
    """An upper bound of the polynomial degree of a validated tree (a function call counts 1)."""
    if isinstance(node, ast.Constant):
        return 0.0
    if isinstance(node, ast.Name):
        return 0.0 if node.id in CONSTANTS else 1.0
    if isinstance(node, ast.UnaryOp):
        return _degree(node.operand)
    if isinstance(node, ast.Call):
        return max(1.0, *(min(_degree(a), 1.0) for a in node.args))
    left, right = _degree(node.left), _degree(node.right)
    if isinstance(node.op, ast.Pow):
        e = _check(node.right, 1, set())
        return left * abs(e) if e is not None else left + right
    return left + right if isinstance(node.op, (ast.Mult, ast.Div)) else max(left, right)


def validate(text) -> tuple[ast.Expression, str, tuple]:
    """Check ``text``; returns (tree, canonical text, the parameters it uses, in order).

    ValueError (naming the limit) for anything outside the language.  Runs nothing.
    """
    if not isinstance(text, str):
        _reject(f"must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        _reject(f"{len(text)} characters, over the limit MAX_LENGTH = {MAX_LENGTH}")
    if not text.strip():
        _reject("empty; type a formula in x and y, e.g. x**2 + 3*y**2")
    if not text.isascii():
        _reject("only ASCII characters are allowed (look-alike letters and symbols are rejected)")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        msg = getattr(exc, "msg", None) or type(exc).__name__
        _reject(f"not a valid formula ({msg})")
    used: set = set()
    _check(tree.body, 1, used)
    if _degree(tree.body) > MAX_DEGREE:
        _reject(f"nested powers over the limit MAX_DEGREE = {MAX_DEGREE} (degree of the polynomial)")
    params = tuple(p for p in PARAMS if p in used)
    return tree, ast.unparse(tree), params


def key(canonical: str) -> str:
    """The cache key of a canonical expression (its hash)."""
    return hashlib.sha1(canonical.encode()).hexdigest()[:16]


# ---- sympy ------------------------------------------------------------------------------
def to_sympy(tree: ast.Expression):
    """The sympy expression of a tree :func:`validate` accepted (built node by node)."""
    import sympy as sp

    syms = {n: sp.Symbol(n, real=True) for n in (*VARIABLES, *PARAMS)}
    consts = {"pi": sp.pi, "e": sp.E}

    def num(v):
        if isinstance(v, int) or float(v).is_integer():
            return sp.Integer(int(v))
        return sp.Float(repr(float(v)), 17)

    def build(node):
        if isinstance(node, ast.Constant):
            return num(node.value)
        if isinstance(node, ast.Name):
            return consts[node.id] if node.id in consts else syms[node.id]
        if isinstance(node, ast.UnaryOp):
            v = build(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            a, b = build(node.left), build(node.right)
            op = _BINOPS[type(node.op)]
            return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                    "/": lambda: a / b, "**": lambda: a ** b}[op]()
        name = node.func.id
        fn = getattr(sp, (FUNCTIONS.get(name) or VARIADIC[name])[1])
        return fn(*[build(a) for a in node.args])

    expr = build(tree.body)
    _check_real(expr)
    return expr


def _check_real(expr):
    import sympy as sp

    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I):
        _reject("the formula has no finite real value (division by zero or a complex constant)")


def derivatives(expr):
    """(f, (fx, fy), (fxx, fxy, fyy)) as sympy expressions (distributions dropped: the
    Hessian of |x| is 0 away from the kink)."""
    import sympy as sp

    x, y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)

    def clean(e):
        e = e.replace(lambda n: isinstance(n, sp.DiracDelta), lambda n: sp.S.Zero)
        if e.has(sp.Derivative, sp.Subs):
            _reject("the formula could not be differentiated symbolically")
        return e

    gx, gy = clean(sp.diff(expr, x)), clean(sp.diff(expr, y))
    return expr, (gx, gy), (clean(sp.diff(gx, x)), clean(sp.diff(gx, y)), clean(sp.diff(gy, y)))


def latex(expr) -> str:
    import sympy as sp

    return "f(x, y) = " + sp.latex(expr)


# ---- printing ---------------------------------------------------------------------------
_FN_SRC = {
    "sin": "sin", "cos": "cos", "tan": "tan", "exp": "exp", "log": "log", "tanh": "tanh",
    "sinh": "sinh", "cosh": "cosh", "atan": "arctan", "asin": "arcsin", "acos": "arccos",
    "Abs": "abs", "sign": "sign",
}


def _num(v) -> str:
    try:
        f = float(v)
    except (OverflowError, TypeError):
        _reject("a constant is too large")
    if not math.isfinite(f):
        _reject("a constant is not finite")
    return f"({f!r})"


def _print(e, np_mode: bool) -> str:
    """Source for sympy expression ``e`` (numba kernels use ``np.<fn>`` on scalars)."""
    import sympy as sp

    p = lambda a: _print(a, np_mode)  # noqa: E731
    if isinstance(e, sp.Symbol):
        return e.name
    if e.is_Number or isinstance(e, sp.NumberSymbol):
        return _num(e)
    if isinstance(e, sp.Add):
        return "(" + " + ".join(p(a) for a in e.args) + ")"
    if isinstance(e, sp.Mul):
        num, den = [], []
        for a in e.args:
            if isinstance(a, sp.Pow) and a.exp.is_Number and a.exp < 0:
                den.append(p(a.base) if a.exp == -1 else p(sp.Pow(a.base, -a.exp)))
            else:
                num.append(p(a))
        top = " * ".join(num) if num else "1.0"
        return f"({top} / ({' * '.join(den)}))" if den else f"({top})"
    if isinstance(e, sp.Pow):
        b, x = e.base, e.exp
        if x == sp.Rational(1, 2):
            return f"np.sqrt({p(b)})"
        if x == sp.Rational(-1, 2):
            return f"(1.0 / np.sqrt({p(b)}))"
        if x.is_Integer:
            n = int(x)
            return f"({p(b)} ** {n})" if n >= 0 else f"(1.0 / ({p(b)} ** {-n}))"
        return f"({p(b)} ** {p(x)})"
    if isinstance(e, sp.exp):
        return f"np.exp({p(e.args[0])})"
    if isinstance(e, sp.Heaviside):
        return f"(0.5 + 0.5 * np.sign({p(e.args[0])}))"
    if isinstance(e, (sp.Min, sp.Max)):
        fn = "np.minimum" if isinstance(e, sp.Min) else "np.maximum"
        args = [p(a) for a in e.args]
        out = args[0]
        for a in args[1:]:
            out = f"{fn}({out}, {a})"
        return out
    name = type(e).__name__
    if name in _FN_SRC and len(e.args) == 1:
        return f"np.{_FN_SRC[name]}({p(e.args[0])})"
    _reject(f"the formula's derivative uses {name}, which cannot be compiled")


def _body(exprs, np_mode: bool, indent: str = "    ") -> tuple[str, list[str]]:
    """Common sub-expressions as assignments, and the final expressions' source."""
    import sympy as sp

    syms = sp.numbered_symbols("_t")
    reps, reduced = sp.cse(list(exprs), symbols=syms)
    lines = [f"{indent}{s.name} = {_print(v, np_mode)}\n" for s, v in reps]
    return "".join(lines), [_print(r, np_mode) for r in reduced]


ARGS = "x, y, " + ", ".join(PARAMS)


def emit(f, grad, hess) -> str:
    """The functions' source: ``f_nb``/``grad_nb``/``hess_nb`` (to be jitted, scalars) and
    ``f_np``/``grad_np``/``hess_np`` (numpy, broadcasting), each taking (x, y, a, b, c, d)."""
    out = []
    for mode, suffix in ((False, "nb"), (True, "np")):
        for name, exprs in (("f", (f,)), ("grad", grad), ("hess", hess)):
            body, results = _body(exprs, mode)
            if mode:  # numpy: every result takes the broadcast shape of (x, y)
                body += "    _z = 0.0 * (x + y)\n"
                results = [f"{r} + _z" for r in results]
            deco = "@jit\n" if not mode else ""
            out.append(f"\n\n{deco}def {name}_{suffix}({ARGS}):\n{body}    return {', '.join(results)}\n")
    return "".join(out)
