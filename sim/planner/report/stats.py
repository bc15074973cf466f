"""The statistics of a paired comparison: spreads, confidence intervals, cost per death averted."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from sim.planner.report.outcomes import DEATHS_KEY, total_cost

LOW, HIGH = 5.0, 95.0


def spread(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and the 5th and 95th percentiles."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return math.nan, math.nan, math.nan
    return float(values.mean()), float(np.percentile(values, LOW)), float(np.percentile(values, HIGH))


def mean_interval(values: np.ndarray) -> tuple[float, float]:
    """90% confidence interval of the mean (t-interval)."""
    values = np.asarray(values, dtype=float)
    if values.size < 2:
        return math.nan, math.nan
    half = stats.t.ppf(HIGH / 100, values.size - 1) * values.std(ddof=1) / math.sqrt(values.size)
    return float(values.mean() - half), float(values.mean() + half)


def paired_cost_per_death_averted(
    policy: pd.DataFrame, baseline: pd.DataFrame, draws: int = 2000
) -> tuple[float, float, float, str]:
    """Extra cost over deaths averted (means over paired runs), with a bootstrap 90% interval.

    Returns (value, low, high, note). The ratio of means is used, as in cost-effectiveness
    analysis; the interval resamples pairs of runs and is left empty when deaths averted are
    not clearly above zero, since a ratio over a number near zero is meaningless.
    """
    policy_cost, base_cost = total_cost(policy), total_cost(baseline)
    if policy_cost is None or base_cost is None or DEATHS_KEY not in policy or DEATHS_KEY not in baseline:
        return math.nan, math.nan, math.nan, "the model reports no costs"
    extra = (policy_cost - base_cost).to_numpy(dtype=float)
    averted = (baseline[DEATHS_KEY] - policy[DEATHS_KEY]).to_numpy(dtype=float)
    if averted.mean() <= 0:
        return math.nan, math.nan, math.nan, "no deaths averted on average"
    value = float(extra.mean() / averted.mean())
    rng = np.random.default_rng(0)
    picks = rng.integers(0, extra.size, size=(draws, extra.size))
    top, bottom = extra[picks].mean(axis=1), averted[picks].mean(axis=1)
    if np.mean(bottom <= 0) > LOW / 100:
        return value, math.nan, math.nan, "deaths averted not clearly above zero: no interval"
    ratio = np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), np.inf)
    note = "saves money as well as lives" if value < 0 else ""
    return value, float(np.percentile(ratio, LOW)), float(np.percentile(ratio, HIGH)), note
