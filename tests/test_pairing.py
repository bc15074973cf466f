"""Common random numbers pair: a modest policy change, run with the same seeds, differs from the
baseline by much less than one arm's run-to-run noise (issue 9: paired-difference sd at most half
of one arm's sd for offences, people in treatment, sellers and overdoses)."""

from __future__ import annotations

import numpy as np
import pytest

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


@pytest.mark.slow
@pytest.mark.parametrize("change", ["treatment-expansion", "more-patrol"])
def test_paired_difference_is_much_less_noisy_than_one_arm(change: str) -> None:
    base = shortened(load_scenario("scenarios/baseline.yaml"), YEARS)
    if change == "treatment-expansion":
        treated = shortened(load_scenario("scenarios/treatment-expansion.yaml"), YEARS)
    else:
        treated = with_levers(base, "more-patrol", **{"police.patrol_hours_per_day": 30.0})
    table = paired_noise(base, treated, PAIRS, seed=11)
    for outcome in OUTCOMES:
        assert table.loc[outcome, "ratio"] <= 0.5, table.round(3).to_string()
        assert table.loc[outcome, "correlation"] > 0.8, table.round(3).to_string()
