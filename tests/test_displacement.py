"""Displacement responds to a change in policing, not to its usual level.

Hotspot policing moves some selling round the corner for a while and more often diffuses its
benefits (Weisburd et al. 2006). Sellers here move next door when patrol where they stand rises
clearly above what they are used to, and drift back once the new level is what they expect. The
daily table counts sellers at, next to and away from hotspots, so displacement can be measured.
"""

from __future__ import annotations

import functools

import pandas as pd

from sim.planner.runner import run
from sim.planner.scenario import Scenario, TimedChange, load_scenario
from sim.research.pairing import shortened

SURGE_DAY = 60
SEEDS = (3, 4, 5)
ZONES = ["sellers_at_hotspots", "sellers_next_to_hotspots", "sellers_elsewhere"]


def _scenario(surge: bool, **dealers: float) -> Scenario:
    scenario = shortened(load_scenario("scenarios/baseline.yaml"), 1.0)
    if surge:
        scenario.events = [TimedChange(day=SURGE_DAY, set={"police.patrol_hours_per_day": 48})]
    for name, value in dealers.items():
        setattr(scenario.dealers, name, value)
    return scenario


@functools.cache
def _daily(surge: bool, seed: int, **dealers: float) -> pd.DataFrame:
    return run(_scenario(surge, **dealers), seed=seed).daily


def _mean(surge: bool, days: slice, column: str, **dealers: float) -> float:
    return sum(_daily(surge, seed, **dealers)[column].iloc[days].mean() for seed in SEEDS) / len(SEEDS)


def test_the_zones_count_every_working_seller() -> None:
    daily = _daily(True, SEEDS[0])
    assert (daily[ZONES].sum(axis=1) == daily["active_dealers"]).all()


def test_steady_policing_displaces_almost_no_one() -> None:
    at_hotspots = _mean(False, slice(30, None), "sellers_at_hotspots")
    working = _mean(False, slice(30, None), "active_dealers")
    assert at_hotspots > 0.95 * working
    assert _mean(False, slice(30, None), "dealers_displaced") < 0.5


def test_a_patrol_surge_moves_sellers_off_the_hotspots_for_a_while() -> None:
    first_weeks = slice(SURGE_DAY + 7, SURGE_DAY + 60)
    base_off = _mean(False, first_weeks, "sellers_next_to_hotspots") + _mean(False, first_weeks, "sellers_elsewhere")
    surge_off = _mean(True, first_weeks, "sellers_next_to_hotspots") + _mean(True, first_weeks, "sellers_elsewhere")
    assert surge_off > base_off + 15  # of about 65 sellers
    # As the new level becomes what sellers expect, they drift back to their group's hotspot.
    later = slice(SURGE_DAY + 240, None)
    surge_off_later = _mean(True, later, "sellers_next_to_hotspots") + _mean(True, later, "sellers_elsewhere")
    assert surge_off_later < 0.75 * surge_off


def test_no_displacement_when_sellers_never_move() -> None:
    assert _mean(True, slice(SURGE_DAY, None), "sellers_next_to_hotspots", displacement_per_day=0.0) == 0.0
    assert _daily(True, SEEDS[0], displacement_per_day=0.0)["dealers_displaced"].sum() == 0
