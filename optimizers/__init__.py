"""Gradscape's optimizers: the survey's 17 first-order methods as cached Numba kernels.

>>> import optimizers
>>> path = optimizers.trajectory("adam", "rosenbrock", (-1.5, 2.0), 1000, lr=0.05)
>>> path.shape
(1001, 2)
"""
from .api import (Run, SweepResult, get_optimizer, inner_choices, plan, run, sweep, trajectory,
                  warmup)
from .base import Hyperparam, OptimizerSpec
from .registry import OPTIMIZERS
from .schedules import SCHEDULES, Schedule, lr_factors

__all__ = ["OPTIMIZERS", "SCHEDULES", "Hyperparam", "OptimizerSpec", "Run", "Schedule", "SweepResult",
           "get_optimizer", "inner_choices", "lr_factors", "plan", "run", "sweep", "trajectory",
           "warmup"]
