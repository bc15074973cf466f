"""Comparison reports: what changes, by how much, how sure we are, and what it costs.

A `Comparison` holds the replicates of a baseline and the scenarios compared with it, run with
common random numbers (replicate r of every scenario starts from the same seed; the model keeps
its random streams apart by purpose and by individual, so paired runs share their luck). The package is
split by job:

- `outcomes`: which outcomes are shown first, their labels, units and which way is better;
- `stats`: spreads, confidence intervals, cost per death averted, pairing gain, runs needed;
- `compare`: the `Comparison` itself and its tables (every outcome, headline, settings);
- `verdict`: the answer first, per compared scenario, in words and numbers;
- `charts`: the figures (matplotlib);
- `page`: the one-file HTML report and the tables written beside it.

Intervals, in words a board can use:
- an outcome's *90% interval* is the range of the middle 90% of runs (5th to 95th percentile):
  the spread of what the town could see by chance under that scenario;
- a *change* is paired: run r of a policy minus run r of the baseline, which share a random
  stream, so much of the chance variation cancels. Its 90% interval is the middle 90% of the
  paired changes; `runs lower` counts the pairs in which the policy's value was lower;
- the *average change* has a 90% confidence interval (t-interval over pairs), which narrows as
  replicates are added; the verdict reads it.
"""

from sim.planner.report.compare import Comparison
from sim.planner.report.outcomes import (
    COST_PER_DEATH_AVERTED,
    HEADLINE,
    TOTAL_COST_KEY,
    Headline,
    headline_keys,
    label_of,
    unit_of,
)
from sim.planner.report.stats import mean_interval, paired_cost_per_death_averted, spread

__all__ = [
    "COST_PER_DEATH_AVERTED",
    "HEADLINE",
    "TOTAL_COST_KEY",
    "Comparison",
    "Headline",
    "headline_keys",
    "label_of",
    "mean_interval",
    "paired_cost_per_death_averted",
    "spread",
    "unit_of",
]
