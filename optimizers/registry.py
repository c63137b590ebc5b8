"""The optimizer registry: id -> :class:`OptimizerSpec`, in display order.

Adding an optimizer is its file, ``optimizers/<id>.py`` (``SPEC`` and a compiled ``step``; see
:mod:`optimizers.base`), plus one line in ``IDS`` below.  Everything else is derived from here:
the integer ids the compiled kernels dispatch on (:func:`index_of`), the generated trajectory
loops and sweep dispatch (:mod:`optimizers.kernels`), the tests, the app's lists and the README
table.  The survey's 17 come first, in the survey's order.
"""
from __future__ import annotations

import importlib

IDS = (
    "sgd",
    "sgdm",
    "nag",
    "adagrad",
    "adadelta",
    "rmsprop",
    "adam",
    "adamw",
    "yogi",
    "amsgrad",
    "adabelief",
    "diffgrad",
    "adadb",
    "adabound",
    "adamod",
    "radam",
    "lookahead",
    "nadam",
    "adamax",
    "lion",
    "adan",
    "lamb",
    "ademamix",
    "sf_adamw",
    "newton",
    "lbfgs",
)

#: id -> the optimizer's module (its SPEC, step and optional init / grad_point)
MODULES = {i: importlib.import_module(f"{__package__}.{i}") for i in IDS}
#: id -> OptimizerSpec, in display order
OPTIMIZERS = {i: m.SPEC for i, m in MODULES.items()}
_INDEX = {i: n for n, i in enumerate(IDS)}

for _i, _spec in OPTIMIZERS.items():
    if _spec.id != _i:
        raise RuntimeError(f"optimizers/{_i}.py declares id {_spec.id!r}")


def index_of(optimizer) -> int:
    """The integer id the compiled kernels know an optimizer (id or spec) by."""
    return _INDEX[getattr(optimizer, "id", optimizer)]
