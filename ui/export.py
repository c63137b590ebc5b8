"""Exports of the Explore page: trajectories as CSV and JSON (pure functions)."""
from __future__ import annotations

import csv
import io
import json
import math

from .settings import ExploreSettings, to_query


def _num(v):
    return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v


def runs_to_csv(runs, settings: ExploreSettings) -> str:
    """One row per optimizer × step: coordinates, loss and the settings used."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["run", "label", "optimizer", "variant", "hyperparams", "surface", "noise", "seed",
                "step", "x", "y", "loss", "diverged_at"])
    surface = to_query(settings)["surface"]
    for i, r in enumerate(runs):
        hp = ";".join(f"{k}={v}" for k, v in r.hyperparams.items())
        for t in range(len(r.path)):
            x, y = r.path[t]
            w.writerow([i, r.label, r.optimizer, r.variant, hp, surface, repr(settings.noise), settings.seed,
                        t, repr(float(x)), repr(float(y)), repr(float(r.loss[t])), r.diverged_at])
    return buf.getvalue()


def runs_to_json(runs, settings: ExploreSettings) -> str:
    """The settings (as in the URL) and every run's path, loss and outcome."""
    doc = {
        "settings": to_query(settings),
        "runs": [
            {
                "label": r.label,
                "optimizer": r.optimizer,
                "variant": r.variant,
                "hyperparams": r.hyperparams,
                "diverged_at": r.diverged_at,
                "steps": [{"step": t, "x": _num(float(p[0])), "y": _num(float(p[1])), "loss": _num(float(l))}
                          for t, (p, l) in enumerate(zip(r.path, r.loss))],
            }
            for r in runs
        ],
    }
    return json.dumps(doc, indent=1)
