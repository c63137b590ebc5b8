"""The Explore page's runs: one engine run per configured optimizer, with what the page shows."""
from __future__ import annotations

import dataclasses

import numpy as np

import optimizers

from . import metrics


@dataclasses.dataclass
class RunResult:
    """An engine :class:`optimizers.Run` plus what the page shows about it.

    ``path``, ``loss``, ``diverged_at``, ``hyperparams``, ``slow``... are the run's own.
    """

    label: str
    config_text: str
    run: optimizers.Run
    dist: np.ndarray  # distance to the nearest minimum (or saddle) at every step
    tol_step: int  # first step with f − f* ≤ TOL, −1 if never (or no minimum)
    escaped_at: int = -1  # first step more than the domain's size outside it, −1 if never

    def __getattr__(self, name):
        run = self.__dict__.get("run")
        if run is None:
            raise AttributeError(name)
        return getattr(run, name)

    @property
    def last_row(self) -> int:
        """The last row the page draws: before a divergence or the escape from the view."""
        return metrics.rows_in_sight(len(self.run.path), self.run.diverged_at, self.escaped_at) - 1


def explore_runs(settings) -> list[RunResult]:
    """One run per optimizer of an ``ui.settings.ExploreSettings``."""
    surf = settings.surface_obj()
    out = []
    for cfg in settings.optimizers:
        r = optimizers.run(cfg.id, surf, settings.start, settings.steps, variant=cfg.variant,
                           noise=settings.noise, seed=settings.seed, schedule=settings.schedule,
                           **cfg.kwargs())
        out.append(RunResult(cfg.label(), cfg.to_text(), r, metrics.distance_to_targets(r.path, surf),
                             metrics.tol_step(r.loss, surf), metrics.escaped_at(r.path, surf)))
    return out
