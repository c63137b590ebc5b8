"""Computations behind the pages, returning plain result records that ``plots`` only draws.

- :mod:`studies.metrics`: the tolerance, distances to the minima, the step a run reached the
  minimum, the step it left the view;
- :mod:`studies.runs`: the Explore page's runs;
- :mod:`studies.presets`: measured learning rates (only when the Preset button asks);
- :mod:`studies.scrub`: a family of runs over one hyperparameter, for the scrubber;
- :mod:`studies.landscapes`: hyperparameter maps and basins of attraction (compiled sweeps);
- :mod:`studies.figures`: the survey's Figures 1 and 2 (paths, Lookahead's cycles, summaries).
"""
