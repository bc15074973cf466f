"""The statistics of a paired comparison: spreads, confidence intervals, cost per death averted."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from sim.model.costs import cost_per_death_averted
from sim.planner.report.outcomes import DEATHS_KEY, TOTAL_COST_KEY, total_cost

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
    value = cost_per_death_averted(
        {DEATHS_KEY: policy[DEATHS_KEY].mean(), TOTAL_COST_KEY: policy_cost.mean()},
        {DEATHS_KEY: baseline[DEATHS_KEY].mean(), TOTAL_COST_KEY: base_cost.mean()},
    )
    if math.isnan(value):
        return math.nan, math.nan, math.nan, "no deaths averted on average"
    extra = (policy_cost - base_cost).to_numpy(dtype=float)
    averted = (baseline[DEATHS_KEY] - policy[DEATHS_KEY]).to_numpy(dtype=float)
    rng = np.random.default_rng(0)
    picks = rng.integers(0, extra.size, size=(draws, extra.size))
    top, bottom = extra[picks].mean(axis=1), averted[picks].mean(axis=1)
    if np.mean(bottom <= 0) > LOW / 100:
        return value, math.nan, math.nan, "deaths averted not clearly above zero: no interval"
    ratio = np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), np.inf)
    note = "saves money as well as lives" if value < 0 else ""
    return value, float(np.percentile(ratio, LOW)), float(np.percentile(ratio, HIGH)), note


def pairing_gain(own: np.ndarray, base: np.ndarray) -> tuple[float, float, float]:
    """(sd of the paired differences, sd of an unpaired difference, variance reduction 0-1).

    An unpaired difference of two independent runs has variance var(own) + var(base); pairing
    removes twice their covariance. The reduction is 1 - paired variance / unpaired variance
    (negative if pairing made it worse; nan with fewer than two pairs or no variation).
    """
    own, base = np.asarray(own, dtype=float), np.asarray(base, dtype=float)
    if own.size < 2:
        return math.nan, math.nan, math.nan
    paired = float(np.std(own - base, ddof=1))
    unpaired = math.sqrt(float(np.var(own, ddof=1) + np.var(base, ddof=1)))
    reduction = 1.0 - (paired / unpaired) ** 2 if unpaired > 0 else math.nan
    return paired, unpaired, reduction


def runs_for_half_width(sd: float, half_width: float, most: int = 100_000) -> int | None:
    """Pairs needed for a 90% confidence interval of the mean change no wider than ± half_width.

    Solves n = (t(n-1) * sd / half_width)^2 (t at 95%, so the two-sided interval is 90%) by a
    few fixed-point steps from the normal value; None if it would take more than `most` runs or
    the inputs say nothing (no spread: any number of runs is enough, so 2).
    """
    if not (math.isfinite(sd) and math.isfinite(half_width)) or half_width <= 0:
        return None
    if sd == 0:
        return 2
    n = max(2.0, (stats.norm.ppf(HIGH / 100) * sd / half_width) ** 2)
    for _ in range(20):
        n = max(2.0, (stats.t.ppf(HIGH / 100, max(1.0, n - 1)) * sd / half_width) ** 2)
    needed = math.ceil(n)
    return needed if needed <= most else None
