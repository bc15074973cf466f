"""ABC-SMC recovers known parameters from synthetic data, and says when nothing fits."""

from __future__ import annotations

import numpy as np
import pytest

from sim.research.abc import Target, abc_smc
from sim.research.experiment import Factor

FACTORS = [Factor("growth", 0.0, 10.0), Factor("loss", 0.0, 5.0)]


def synthetic(values: dict[str, float]) -> dict[str, float]:
    """A cheap stand-in for the town: two noisy figures that pin down two parameters together."""
    rng = np.random.default_rng(np.random.randint(2**31 - 1))
    growth, loss = values["growth"], values["loss"]
    return {"net": growth - loss + rng.normal(0, 0.1), "turnover": growth + loss + rng.normal(0, 0.1)}


def targets_from(truth: dict[str, float]) -> list[Target]:
    observed = {"net": truth["growth"] - truth["loss"], "turnover": truth["growth"] + truth["loss"]}
    return [Target(name, value, value - 0.5, value + 0.5) for name, value in observed.items()]


def test_the_posterior_recovers_the_parameters_that_made_the_data() -> None:
    truth = {"growth": 6.0, "loss": 2.0}
    posterior = abc_smc(synthetic, FACTORS, targets_from(truth), population=80, generations=4, seed=2)
    assert posterior.fits
    summary = posterior.summary().set_index("parameter")
    for name, value in truth.items():
        low, high = summary.loc[name, ["low_90%", "high_90%"]]
        assert low <= value <= high, (name, low, high)
        prior = summary.loc[name, "prior_high"] - summary.loc[name, "prior_low"]
        assert high - low < prior / 4  # the data narrowed the prior
        assert summary.loc[name, "median"] == pytest.approx(value, abs=0.5)
    assert posterior.epsilons == sorted(posterior.epsilons, reverse=True)  # the tolerance shrank


def test_targets_out_of_reach_are_reported_as_not_fitting() -> None:
    out_of_reach = [Target("net", 40.0, 39.0, 41.0), Target("turnover", 40.0, 39.0, 41.0)]
    posterior = abc_smc(synthetic, FACTORS, out_of_reach, population=30, generations=2, seed=2)
    assert not posterior.fits
    assert posterior.epsilons[-1] > 1
