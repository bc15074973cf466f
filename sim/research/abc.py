"""Approximate Bayesian computation by sequential Monte Carlo (pyabc), for any simulator.

A simulator maps named parameter values to named figures; targets give each figure's observed
value and plausible band. The distance is the largest gap from a target measured in half-widths
of that target's band (each target scaled by its own band), so a distance of 1 or less means
every figure lands inside every band. ABC-SMC (Beaumont et al. 2009, as implemented by pyabc)
shrinks the tolerance over generations; the last generation's weighted particles are the
posterior. If its tolerance is still above 1, no parameter set reproduced every target, and
`Posterior.fits` says so.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.research.experiment import Factor

#: Level of the credible intervals, the same 90% used for every interval the tool reports.
CREDIBLE = 0.90


@dataclass
class Target:
    """A published figure the model should reproduce, with its plausible band and source."""

    name: str
    value: float
    low: float
    high: float
    unit: str = ""
    source: str = ""

    @property
    def half_width(self) -> float:
        return max((self.high - self.low) / 2, 1e-12)


@dataclass
class Posterior:
    """Weighted particles of the last generation, and how close the model came."""

    factors: list[Factor]
    particles: pd.DataFrame  # one column per factor, plus "weight"
    epsilons: list[float]  # tolerance of each generation, in target half-widths
    simulations: int

    @property
    def fits(self) -> bool:
        """Whether the final tolerance keeps every accepted simulation inside every target band."""
        return self.epsilons[-1] <= 1.0

    def summary(self) -> pd.DataFrame:
        """Posterior mean, median and 90% credible interval per parameter, beside its prior range."""
        weights = self.particles["weight"].to_numpy(dtype=float)
        tail = (1 - CREDIBLE) / 2
        rows = []
        for factor in self.factors:
            values = self.particles[factor.name].to_numpy(dtype=float)
            low, median, high = weighted_quantiles(values, weights, [tail, 0.5, 1 - tail])
            rows.append(
                {
                    "parameter": factor.name,
                    "mean": float(np.average(values, weights=weights)),
                    "median": median,
                    f"low_{CREDIBLE:.0%}": low,
                    f"high_{CREDIBLE:.0%}": high,
                    "prior_low": factor.low,
                    "prior_high": factor.high,
                }
            )
        return pd.DataFrame(rows)

    def draws(self, count: int, seed: int = 0) -> pd.DataFrame:
        """Parameter sets resampled by weight (for posterior-predictive checks and planners' runs)."""
        rng = np.random.default_rng(seed)
        weights = self.particles["weight"].to_numpy(dtype=float)
        picked = rng.choice(len(self.particles), size=count, p=weights / weights.sum())
        return self.particles.iloc[picked][[f.name for f in self.factors]].reset_index(drop=True)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, levels: list[float]) -> list[float]:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order]) / weights.sum()
    return [float(values[order][min(np.searchsorted(cumulative, q), len(values) - 1)]) for q in levels]


def abc_smc(
    simulate: Callable[[dict[str, float]], dict[str, float]],
    factors: list[Factor],
    targets: list[Target],
    population: int = 100,
    generations: int = 5,
    seed: int = 0,
    workers: int = 1,
    database: Path | None = None,
) -> Posterior:
    """Fit `factors` (uniform priors over their bounds) so `simulate` reproduces `targets`."""
    import pyabc

    safe = {f"p{i}": f.name for i, f in enumerate(factors)}  # pyabc wants plain names
    prior = pyabc.Distribution(
        **{key: pyabc.RV("uniform", f.low, f.high - f.low) for key, f in zip(safe, factors, strict=True)}
    )

    def model(parameters: dict) -> dict[str, float]:
        found = simulate({safe[key]: float(parameters[key]) for key in safe})
        return {t.name: float(found[t.name]) if np.isfinite(found[t.name]) else 1e12 for t in targets}

    distance = pyabc.PNormDistance(p=np.inf, fixed_weights={t.name: 1.0 / t.half_width for t in targets})
    if workers > 1:
        sampler = pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers)
    else:
        sampler = pyabc.sampler.SingleCoreSampler()
    np.random.seed(seed)  # pyabc draws from numpy's global generator
    # Each generation's tolerance is the 30% quantile of the last one's distances: faster than the median.
    epsilon = pyabc.QuantileEpsilon(alpha=0.3)
    abc = pyabc.ABCSMC(model, prior, distance, population_size=population, sampler=sampler, eps=epsilon)
    with tempfile.TemporaryDirectory() as scratch:
        path = database or Path(scratch) / "abc.db"
        abc.new(f"sqlite:///{path}", {t.name: t.value for t in targets})
        history = abc.run(max_nr_populations=generations, minimum_epsilon=0.0)
        frame, weights = history.get_distribution(m=0, t=history.max_t)
        populations = history.get_all_populations()
    particles = frame.rename(columns=safe)[[f.name for f in factors]].reset_index(drop=True)
    particles["weight"] = np.asarray(weights, dtype=float)
    epsilons = [float(e) for e in populations.loc[populations["t"] >= 0, "epsilon"]]
    return Posterior(factors, particles, epsilons, int(populations["samples"].sum()))
