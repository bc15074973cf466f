"""Approximate Bayesian computation by sequential Monte Carlo (pyabc), for any simulator.

A simulator maps named parameter values to named figures; targets give each figure's observed
value and plausible band. The distance is the largest gap from a target measured in half-widths
of that target's band (each target scaled by its own band), so a distance of 1 or less means
every figure lands inside every band. ABC-SMC (Beaumont et al. 2009, as implemented by pyabc)
shrinks the tolerance over generations; the last generation's weighted particles are the
posterior. If its tolerance is still above 1, no parameter set reproduced every target, and
`Posterior.fits` says so.

pyabc stores each finished generation in its database. A run stopped part way (Ctrl-C, a killed
process, a full disk) carries on from its last finished generation when started again with the
same database and the same problem (a fingerprint of the priors, targets, population, seed and the
caller's own key), so hours of simulations are not thrown away; only the unfinished generation's
proposals are lost. Raising `generations` and rerunning extends a finished run the same way.
"""

from __future__ import annotations

import hashlib
import json
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
    resumed_after: int = 0  # generations found finished in the database and carried on from

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
    key: str = "",
) -> Posterior:
    """Fit `factors` (uniform priors over their bounds) so `simulate` reproduces `targets`.

    With a `database` that already holds this problem's run (same fingerprint, see
    `fingerprint`), the run carries on from its last finished generation instead of starting again.
    `key` adds what the factors and targets do not say (for a town, its base scenario).
    """
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
    # Each generation's tolerance is the 30% quantile of the last one's distances: faster than the median.
    epsilon = pyabc.QuantileEpsilon(alpha=0.3)
    abc = pyabc.ABCSMC(model, prior, distance, population_size=population, sampler=sampler, eps=epsilon)
    mark = fingerprint(factors, targets, population, seed, key)
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{database or Path(scratch) / 'abc.db'}"
        stored = stored_run(database, mark)
        if stored is None:
            np.random.seed(seed)  # pyabc draws from numpy's global generator
            history = abc.new(url, {t.name: t.value for t in targets}, meta_info={"fingerprint": mark})
            done = 0
        else:
            abc_id, done = stored
            history = abc.load(url, abc_id)
            np.random.seed(seed + done)  # fresh luck for the generations still to run
        if done < generations:
            history = abc.run(max_nr_populations=generations - done, minimum_epsilon=0.0)
        last = min(history.max_t, generations - 1)
        frame, weights = history.get_distribution(m=0, t=last)
        populations = history.get_all_populations()
    particles = frame.rename(columns=safe)[[f.name for f in factors]].reset_index(drop=True)
    particles["weight"] = np.asarray(weights, dtype=float)
    kept = populations[populations["t"] <= last]
    epsilons = [float(e) for e in kept.loc[kept["t"] >= 0, "epsilon"]]
    return Posterior(factors, particles, epsilons, int(kept["samples"].sum()), resumed_after=done)


def fingerprint(factors: list[Factor], targets: list[Target], population: int, seed: int, key: str = "") -> str:
    """A short hash of everything that makes two ABC runs the same problem (so one may carry on the other)."""
    problem = {
        "factors": [(f.name, f.low, f.high) for f in factors],
        "targets": [(t.name, t.value, t.low, t.high) for t in targets],
        "population": population,
        "seed": seed,
        "key": key,
    }
    return hashlib.sha256(json.dumps(problem, sort_keys=True).encode()).hexdigest()[:16]


def stored_run(database: Path | None, mark: str) -> tuple[int, int] | None:
    """The newest run in `database` with this fingerprint and at least one finished generation:
    (its pyabc id, how many generations it finished); None when there is none to carry on."""
    if database is None or not Path(database).is_file():
        return None
    import pyabc
    from sqlalchemy.exc import SQLAlchemyError

    url = f"sqlite:///{database}"
    try:
        runs = [(run.id, str(run.json_parameters)) for run in pyabc.History(url, create=False).all_runs()]
        found = next((abc_id for abc_id, meta in reversed(runs) if mark in meta), None)
        if found is None:
            return None
        populations = pyabc.History(url, create=False, _id=found).get_all_populations()
    except (SQLAlchemyError, AssertionError) as err:  # truncated or foreign file: never trust, never delete
        raise RuntimeError(
            f"{database}: not a readable ABC-SMC database ({type(err).__name__}); move it aside to start the "
            "calibration afresh, or restore it to carry on"
        ) from None
    done = int((populations["t"] >= 0).sum())
    return (found, done) if done else None
