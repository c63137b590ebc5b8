"""Gradscape's catalogue of 2D test surfaces (see shared/spec/surfaces.md).

``SURFACES`` maps id -> :class:`Surface`, in display order; a surface's ``index`` is its
position here and is what the compiled kernels in :mod:`surfaces.kernels` dispatch on.

Adding a surface: write its module (f, grad, their ``jit`` versions and a ``Surface``
record with the next ``index``), add one line to ``_REGISTRY`` below and one dispatch
branch per function in ``kernels.py``.
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
from .base import N_PARAMS, VLSE, Param, Point, Surface

_REGISTRY = (
    rosenbrock.SURFACE,  # 0
    beale.SURFACE,  # 1
    saddle.SADDLE,  # 2
    saddle.MONKEY_SADDLE,  # 3
    quadratic.SURFACE,  # 4
    himmelblau.SURFACE,  # 5
    rastrigin.SURFACE,  # 6
    ackley.SURFACE,  # 7
    booth.SURFACE,  # 8
    goldstein_price.SURFACE,  # 9
    camel.SIX_HUMP_CAMEL,  # 10
    camel.THREE_HUMP_CAMEL,  # 11
    styblinski_tang.SURFACE,  # 12
    matyas.SURFACE,  # 13
    levi13.SURFACE,  # 14
)

for _i, _s in enumerate(_REGISTRY):
    if _s.index != _i:
        raise RuntimeError(f"surface {_s.id!r} has index {_s.index}, expected {_i}")
    if len(_s.values) != len(_s.params) or len(_s.params) > N_PARAMS:
        raise RuntimeError(f"surface {_s.id!r}: params/values mismatch")

#: id -> Surface (default parameters), in display order.
SURFACES: dict[str, Surface] = {s.id: s for s in _REGISTRY}
if len(SURFACES) != len(_REGISTRY):
    raise RuntimeError("duplicate surface id")


def get_surface(id: str, **params) -> Surface:
    """The surface ``id`` with some parameters changed, e.g. ``get_surface("rosenbrock", b=10)``.

    ValueError for an unknown id (the message lists the valid ones) or an unknown or
    out-of-range parameter (the message names it and its range).
    """
    try:
        surface = SURFACES[id]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown surface {id!r}; valid ids are: {', '.join(SURFACES)}"
        ) from None
    return surface.with_params(**params) if params else surface


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


__all__ = ["SURFACES", "get_surface", "resolve", "Surface", "Param", "Point", "N_PARAMS", "VLSE"]
