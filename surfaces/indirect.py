"""The dispatch functions for custom surfaces: calls through a table of compiled addresses.

The same names and signatures as :mod:`surfaces.kernels` (``value(sid, p, x, y)``,
``grad_chunk(sid, p, th, out, j0, j1)``, ...), so :func:`optimizers.kernels.source` generates
the optimizer loops over them unchanged.  Here ``sid`` is the address of a custom surface's
table of C callbacks (an int64 array, :data:`SLOTS` order, held by
:class:`surfaces.custom.Compiled`), and each function calls the callback in its slot.

So the optimizer loops for custom surfaces are compiled once (and cached on disk) for every
expression: a new expression compiles only its own few callbacks (its f, grad, hess), which is
what keeps its first trajectory within seconds.  A chunk callback does a whole chunk of runs
(its loop vectorises as the built-in ones do); a point call costs one indirect call per step.
An empty slot (0) gives nan instead of a call.
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from ._jit import jit

#: the table's slots
SLOTS = ("value", "grad", "hess", "value_chunk", "grad_chunk", "hess_chunk")
_K = {k: i for i, k in enumerate(SLOTS)}
#: C signatures of the callbacks (numba.cfunc strings): one point, and a chunk of runs
POINT_SIG = "void(float64, float64, CPointer(float64), CPointer(float64))"
CHUNK_SIG = "void(CPointer(float64), CPointer(float64), CPointer(float64), int64, int64, int64)"

_I64 = ir.IntType(64)
_DBL = ir.DoubleType()


def _slot(builder, table, k):
    ptr = builder.inttoptr(builder.add(table, builder.mul(k, ir.Constant(_I64, 8))), _I64.as_pointer())
    return builder.load(ptr)


@intrinsic
def _point(typingctx, table, k, x, y, p):
    """(r0, r1, r2) from callback ``k`` of ``table`` at (x, y) with parameters at ``p``."""
    sig = types.UniTuple(types.float64, 3)(types.int64, types.int64, types.float64, types.float64,
                                           types.int64)

    def codegen(context, builder, signature, args):
        table, k, x, y, p = args
        buf = builder.alloca(_DBL, size=ir.Constant(_I64, 3))
        nan = ir.Constant(_DBL, float("nan"))
        for i in range(3):
            builder.store(nan, builder.gep(buf, [ir.Constant(_I64, i)]))
        addr = _slot(builder, table, k)
        with builder.if_then(builder.icmp_unsigned("!=", addr, ir.Constant(_I64, 0)), likely=True):
            fnty = ir.FunctionType(ir.VoidType(), [_DBL, _DBL, _DBL.as_pointer(), _DBL.as_pointer()])
            builder.call(builder.inttoptr(addr, fnty.as_pointer()),
                         [x, y, builder.inttoptr(p, _DBL.as_pointer()), buf])
        vals = [builder.load(builder.gep(buf, [ir.Constant(_I64, i)])) for i in range(3)]
        return context.make_tuple(builder, signature.return_type, vals)

    return sig, codegen


@intrinsic
def _chunk(typingctx, table, k, p, th, out, j0, j1, m):
    """Callback ``k`` of ``table`` over runs j0..j1-1 of ``th`` (2, m) into ``out``; all
    pointers as int64.  Returns whether the slot was filled."""
    sig = types.boolean(*[types.int64] * 8)

    def codegen(context, builder, signature, args):
        table, k, p, th, out, j0, j1, m = args
        addr = _slot(builder, table, k)
        filled = builder.icmp_unsigned("!=", addr, ir.Constant(_I64, 0))
        with builder.if_then(filled, likely=True):
            ptr = _DBL.as_pointer()
            fnty = ir.FunctionType(ir.VoidType(), [ptr, ptr, ptr, _I64, _I64, _I64])
            builder.call(builder.inttoptr(addr, fnty.as_pointer()),
                         [builder.inttoptr(a, ptr) for a in (p, th, out)] + [j0, j1, m])
        return filled

    return sig, codegen


@jit
def value(sid, p, x, y):
    return _point(sid, 0, x, y, p.ctypes.data)[0]


@jit
def grad(sid, p, x, y):
    r = _point(sid, 1, x, y, p.ctypes.data)
    return r[0], r[1]


@jit
def hess(sid, p, x, y):
    return _point(sid, 2, x, y, p.ctypes.data)


@jit
def value_chunk(sid, p, th, out, j0, j1):
    if not _chunk(sid, 3, p.ctypes.data, th.ctypes.data, out.ctypes.data, j0, j1, th.shape[1]):
        out[j0:j1] = np.nan


@jit
def grad_chunk(sid, p, th, out, j0, j1):
    if not _chunk(sid, 4, p.ctypes.data, th.ctypes.data, out.ctypes.data, j0, j1, th.shape[1]):
        out[:, j0:j1] = np.nan


@jit
def hess_chunk(sid, p, th, out, j0, j1):
    if not _chunk(sid, 5, p.ctypes.data, th.ctypes.data, out.ctypes.data, j0, j1, th.shape[1]):
        out[:, :, j0:j1] = np.nan
