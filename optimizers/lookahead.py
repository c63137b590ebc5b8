r"""Lookahead (survey Alg. 15; Zhang, Lucas, Hinton & Ba 2019).

Fast weights θ, slow weights φ_0 = θ_0.  Every step the inner optimizer updates θ; after every
k-th step

.. math:: \phi \leftarrow \phi + \alpha(\theta - \phi),\qquad \theta \leftarrow \phi

The inner optimizer's state (moments, step count) is kept across synchronisations.  The path
records θ after each step (at a sync step, the new φ); ``optimizers.run`` also returns the slow
weights (``Run.slow``) and the fast weights θ_{t,k} just before each sync (``Run.fast``).
Equals ``pytorch_optimizer.Lookahead(pullback_momentum='none')``.

The synchronisation itself lives in the shared driver (``_common.lookahead_sync``; the
trajectory loops record θ_{t,k} and φ_t around it with ``record_fast`` and ``record_slow``),
because it wraps any inner optimizer.
"""
from .base import Hyperparam, OptimizerSpec

SPEC = OptimizerSpec(
    id="lookahead",
    name="Lookahead",
    hyperparams=(
        Hyperparam("k", 5, 1, 100, "linear", "synchronisation period: fast steps per cycle",
                   integer=True, symbol="k"),
        Hyperparam("alpha", 0.5, 0.0, 1.0, "linear",
                   "how far the slow weights move towards the fast weights at each sync",
                   symbol=r"\alpha"),
    ),
    latex={"paper": r"\theta_{t,i} = \text{inner step}(\theta_{t,i-1}),\ i = 1..k \quad "
                    r"\phi_t = \phi_{t-1} + \alpha(\theta_{t,k} - \phi_{t-1}) \quad \theta_{t+1,0} = \phi_t"},
    citation="Zhang, Lucas, Hinton & Ba (2019), Lookahead Optimizer: k steps forward, 1 step "
             "back, NeurIPS; survey Alg. 15",
    reference={"paper": "survey Alg. 15 = pytorch_optimizer.Lookahead(pullback_momentum='none')"},
    wraps_inner=True,
)
