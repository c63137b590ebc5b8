"""The optimizer registry: id -> :class:`OptimizerSpec`, in display order.

Adding an optimizer: write ``optimizers/<id>.py`` (SPEC + ``step``), add one line here and
one dispatch line in ``kernels.step_chunk``.
"""
from . import (adabelief, adabound, adadb, adadelta, adagrad, adam, adamod, adamw, amsgrad,
               diffgrad, lookahead, nag, radam, rmsprop, sgd, sgdm, yogi)

_MODULES = (sgd, sgdm, nag, adagrad, adadelta, rmsprop, adam, adamw, yogi, amsgrad, adabelief,
            diffgrad, adadb, adabound, adamod, radam, lookahead)

OPTIMIZERS = {m.SPEC.id: m.SPEC for m in _MODULES}

assert [s.index for s in OPTIMIZERS.values()] == list(range(len(OPTIMIZERS))), "index = position"
