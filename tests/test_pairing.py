"""Common random numbers pair: a modest policy change, run with the same seeds, differs from the
baseline by much less than one arm's run-to-run noise (issue 9: paired-difference sd at most half
of one arm's sd for offences, people in treatment, sellers and overdoses)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

import sim
from sim.model.context import Context
from sim.planner.scenario import load_scenario
from sim.research.pairing import OUTCOMES, paired_noise, shortened, with_levers

PAIRS = 8
YEARS = 2.0


def test_an_individuals_luck_does_not_depend_on_who_else_is_drawn() -> None:
    luck = Context.start(5).luck("overdose")
    everyone = luck.uniform(np.arange(1_000), "overdose")
    assert np.array_equal(luck.uniform(np.array([3, 700]), "overdose"), everyone[[3, 700]])
    assert 0.45 < everyone.mean() < 0.55
    other_purpose = Context.start(5).luck("offending").uniform(np.arange(1_000), "overdose")
    assert abs(np.corrcoef(everyone, other_purpose)[0, 1]) < 0.1


#: (change, outcome) pairs where the target is not met (measured ratios in docs/ODD.md): under more
#: patrol the number of sellers hardly moves (positions refill) and varies little between seeds
#: (sd about 1.5 of about 72), so the paired difference's own noise (which marginal sellers are
#: caught and when their positions refill, about 1.4 sellers) is as large as one arm's. Since the
#: street price answers sellers' mean perceived risk (price.py), it steadies the number of sellers
#: (sd about 0.7 of about 64 between seeds) and couples every seller's takings to every arrest, so
#: under treatment expansion too the difference (sd about 0.5 sellers) is more than half of one arm's.
NOT_YET = {("more-patrol", "active_dealers_mean"), ("treatment-expansion", "active_dealers_mean")}
#: Strict: a pair that starts meeting the target fails here, so NOT_YET and docs/ODD.md get updated.
MISSED = pytest.mark.xfail(reason="not yet paired well enough", strict=True)


@functools.cache
def _noise(change: str) -> pd.DataFrame:
    base = shortened(load_scenario("scenarios/baseline.yaml"), YEARS)
    if change == "treatment-expansion":
        treated = shortened(load_scenario("scenarios/treatment-expansion.yaml"), YEARS)
    else:
        treated = with_levers(base, "more-patrol", **{"police.patrol_hours_per_day": 30.0})
    return paired_noise(base, treated, PAIRS, seed=11)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("change", "outcome"),
    [
        pytest.param(c, o, marks=[MISSED] if (c, o) in NOT_YET else [])
        for c in ("treatment-expansion", "more-patrol")
        for o in OUTCOMES
    ],
)
def test_paired_difference_is_much_less_noisy_than_one_arm(change: str, outcome: str) -> None:
    table = _noise(change)
    assert table.loc[outcome, "ratio"] <= 0.5, table.round(3).to_string()


@pytest.mark.slow
def test_new_initiates_differ_between_arms_only_through_the_street_price() -> None:
    """Initiation has a stream of its own: with its price response switched off, a change to
    treatment leaves the count of people starting to use identical in every pair; with it on
    (the default), the arms' different street prices move it a little. Explains why
    `compare --posterior` reported people starting to use differing in one pair of six."""

    def initiates(scenario: sim.Scenario, seed: int) -> int:
        return int(sim.run(scenario, seed).daily["new_initiates"].sum())

    base = shortened(load_scenario("scenarios/baseline.yaml"), 5.0)
    treated = shortened(load_scenario("scenarios/treatment-expansion.yaml"), 5.0)
    priced = [initiates(treated, seed) - initiates(base, seed) for seed in (3, 5)]
    for arm in (base, treated):
        arm.market.initiation_price_elasticity = 0.0
    unpriced = [initiates(treated, seed) - initiates(base, seed) for seed in (3, 5)]
    assert unpriced == [0, 0]
    assert priced != [0, 0]
