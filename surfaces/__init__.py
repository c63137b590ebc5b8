"""Gradscape's catalogue of 2D test surfaces.

``SURFACES`` maps id -> :class:`Surface`, in display order.  A surface's position here is the
integer id the compiled kernels dispatch on (:func:`index_of`); the dispatch itself is generated
from this registry (:mod:`surfaces.kernels`).

Adding a surface: write its module (f, grad, hess, their ``jit`` versions and a ``Surface``
record), and add one line to ``_REGISTRY`` below.  Everything else (the compiled dispatch, the
tests, the README table, the app's lists) is derived from the registry.
"""
from __future__ import annotations

from . import (
    ackley,
    beale,
    booth,
    camel,
    goldstein_price,
    himmelblau,
    levi13,
    matyas,
    quadratic,
    rastrigin,
    rosenbrock,
    saddle,
    styblinski_tang,
)
from . import custom
from .base import N_PARAMS, VLSE, Param, Point, Surface
from .custom import from_expression

_REGISTRY = (
    rosenbrock.SURFACE,
    beale.SURFACE,
    saddle.SADDLE,
    saddle.MONKEY_SADDLE,
    quadratic.SURFACE,
    himmelblau.SURFACE,
    rastrigin.SURFACE,
    ackley.SURFACE,
    booth.SURFACE,
    goldstein_price.SURFACE,
    camel.SIX_HUMP_CAMEL,
    camel.THREE_HUMP_CAMEL,
    styblinski_tang.SURFACE,
    matyas.SURFACE,
    levi13.SURFACE,
)

for _s in _REGISTRY:
    if len(_s.values) != len(_s.params) or len(_s.kernel_values()) > N_PARAMS:
        raise RuntimeError(f"surface {_s.id!r}: params/values mismatch")

#: id -> Surface (default parameters), in display order.
SURFACES: dict[str, Surface] = {s.id: s for s in _REGISTRY}
if len(SURFACES) != len(_REGISTRY):
    raise RuntimeError("duplicate surface id")

_INDEX = {s.id: i for i, s in enumerate(_REGISTRY)}


def index_of(surface) -> int:
    """The integer id the compiled kernels know ``surface`` (a Surface or an id) by; -1 for a
    custom surface (its own kernels ignore the id, see :mod:`surfaces.custom`)."""
    if isinstance(surface, Surface) and surface.compiled is not None:
        return -1
    return _INDEX[surface.id if isinstance(surface, Surface) else surface]


def get_surface(id: str, **params) -> Surface:
    """The surface ``id`` with some parameters changed, e.g. ``get_surface("rosenbrock", b=10)``.

    ValueError for an unknown id (the message lists the valid ones) or an unknown or
    out-of-range parameter (the message names it and its range).
    """
    try:
        surface = SURFACES[id]
    except (KeyError, TypeError):
        surface = custom.lookup(id) if isinstance(id, str) else None
        if surface is not None:
            return surface.with_params(**params) if params else surface
        raise ValueError(
            f"unknown surface {id!r}; valid ids are: {', '.join(SURFACES)}"
        ) from None
    return surface.with_params(**params) if params else surface


def surface_of(id: str, params=(), formula: str = "", bounds=()) -> Surface:
    """The surface a link or a spec names: a registered ``id`` with ``params`` ((name, value),
    ...), or, for ``id == "custom"``, the typed ``formula`` over ``bounds`` (default
    ±3 × ±3) with those parameters (:func:`surfaces.custom.cached`).  ValueError if bad."""
    if id == custom.CUSTOM:
        return custom.cached(formula, tuple(params), tuple(tuple(map(float, b)) for b in bounds) or custom.DEFAULT_BOUNDS)
    return get_surface(id, **dict(params))


def resolve(surface_or_id) -> Surface:
    """A :class:`Surface` from either an id string or a Surface (returned as is)."""
    if isinstance(surface_or_id, Surface):
        return surface_or_id
    if isinstance(surface_or_id, str):
        return get_surface(surface_or_id)
    raise ValueError(
        f"expected a surface id (one of: {', '.join(SURFACES)}) or a Surface, "
        f"got {type(surface_or_id).__name__}"
    )


__all__ = ["SURFACES", "from_expression", "get_surface", "index_of", "resolve", "surface_of", "Surface", "Param", "Point", "N_PARAMS", "VLSE"]
