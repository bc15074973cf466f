"""The model core: what a run returns, reproducibility, and the market's basic mechanisms."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

import sim
from sim.model.context import Context
from sim.model.market import Market, MarketParams
from sim.model.outcomes import DAILY_COLUMNS
from sim.model.people import OverdoseParams, People, PeopleParams, UseState
from sim.model.police import Enforcement, PoliceParams
from sim.model.town import Town, TownParams
from sim.planner.scenario import Scenario


def test_run_returns_daily_table_event_log_and_summary(baseline: Scenario) -> None:
    result = sim.run(baseline, seed=3)
    assert len(result.daily) == baseline.days
    expected = {"day", "date", "weekday", *(c.name for c in DAILY_COLUMNS)}
    assert expected <= set(result.daily.columns)
    assert list(result.daily["day"]) == list(range(baseline.days))
    assert result.daily["weekday"].iloc[0] == "Monday"
    assert set(result.events.columns) == {"day", "event", "agent", "id", "cell", "value"}
    for event in ("initiated", "overdose", "dealer_arrested", "dealer_entered", "person_arrested"):
        assert (result.events["event"] == event).any(), event
    assert result.summary["overdose_deaths_total"] == result.daily["overdose_deaths"].sum()
    assert len(result.yearly) == 2


def test_same_seed_gives_identical_tables_and_different_seed_does_not(baseline: Scenario) -> None:
    first, again, other = sim.run(baseline, seed=11), sim.run(baseline, seed=11), sim.run(baseline, seed=12)
    pd.testing.assert_frame_equal(first.daily, again.daily)
    pd.testing.assert_frame_equal(first.events, again.events)
    assert not first.daily["transactions"].equals(other.daily["transactions"])


def test_ids_follow_one_person_through_their_career(baseline: Scenario) -> None:
    events = sim.run(baseline, seed=5).events
    people = events[events["agent"] == "person"]
    died = set(people.loc[people["event"].isin(["overdose_death", "died_other_cause"]), "id"])
    # Nobody dies twice, and nobody does anything after dying.
    deaths = people[people["event"].isin(["overdose_death", "died_other_cause"])]
    assert deaths["id"].is_unique
    death_day = deaths.set_index("id")["day"]
    later = people[people["id"].isin(died)]
    assert (later["day"] <= later["id"].map(death_day)).all()
    # Initiates get fresh ids beyond everyone present at the start.
    initiated = people.loc[people["event"] == "initiated", "id"]
    start = baseline.people.initial_dependent + baseline.people.initial_occasional + baseline.people.initial_in_recovery
    assert initiated.min() >= start and initiated.is_unique


def test_more_sellers_nearby_means_shorter_search() -> None:
    town = Town(TownParams(), np.random.default_rng(0))
    market = Market(MarketParams(), town.reach, town.visibility)
    no_patrol = np.zeros(town.n_cells)
    few, many = np.zeros(town.n_cells), np.zeros(town.n_cells)
    few[town.hotspot_cells] = 2
    many[town.hotspot_cells] = 20
    near = town.hotspot_cells
    assert np.all(market.search_times(many, no_patrol)[near] < market.search_times(few, no_patrol)[near])
    patrol = np.zeros(town.n_cells)
    patrol[town.hotspot_cells] = 10.0
    assert np.all(market.search_times(many, patrol)[near] > market.search_times(many, no_patrol)[near])


def test_fixed_police_effort_is_swamped_by_a_larger_market() -> None:
    enforcement = Enforcement(PoliceParams(), np.array([0]), np.ones(1))
    patrol = np.array([24.0])
    risks = [enforcement.seller_risk(patrol, np.array([float(n)]), 0.02)[0] for n in (5, 20, 80, 320)]
    assert all(a > b for a, b in itertools.pairwise(risks))
    # Expected arrests level off at the effort's capacity instead of growing with the market.
    arrests = [r * n for r, n in zip(risks, (5, 20, 80, 320), strict=True)]
    assert arrests[-1] < 24 * 0.02 * 1.0001 and arrests[-1] / arrests[-2] < 1.05


def _annual(baseline: Scenario, seeds: range, **levers: float) -> pd.DataFrame:
    rows = []
    for seed in seeds:
        scenario = baseline.model_copy(deep=True)
        for path, value in levers.items():
            section, field = path.split("__")
            setattr(getattr(scenario, section), field, value)
        rows.append(sim.run(scenario, seed=seed).summary)
    return pd.DataFrame(rows)


def test_heavier_enforcement_drives_more_sellers_out(baseline: Scenario) -> None:
    light = _annual(baseline, range(4))
    # Four times the patrol, with the posts to staff it (overtime alone could not).
    heavy = _annual(baseline, range(4), police__patrol_hours_per_day=96.0, officers__establishment=30)
    assert heavy["dealer_arrests_total"].mean() > 2 * light["dealer_arrests_total"].mean()
    assert (heavy["dealers_exited_total"] + heavy["dealer_arrests_total"]).mean() > (
        light["dealers_exited_total"] + light["dealer_arrests_total"]
    ).mean()
    assert heavy["mean_dealer_risk_mean"].mean() > light["mean_dealer_risk_mean"].mean()


def test_profitable_market_refills_after_a_crackdown_unless_nobody_replaces(baseline: Scenario) -> None:
    crackdown = {"day": 0, "set": {"police.patrol_hours_per_day": 150.0}}
    ends = {"day": 180, "set": {"police.patrol_hours_per_day": 24.0}}
    # A team big enough to staff the crackdown on rostered hours, so the test is about the market.
    staffed = baseline.model_copy(deep=True)
    staffed.officers.establishment = 45
    refill = Scenario.model_validate({**staffed.model_dump(), "events": [crackdown, ends]})
    no_recruits = refill.model_copy(deep=True)
    no_recruits.dealers.replacement_per_day = 0.0
    sellers, frozen, usual = [], [], []
    for seed in range(3):
        sellers.append(sim.run(refill, seed=seed).daily["active_dealers"].to_numpy())
        frozen.append(sim.run(no_recruits, seed=seed).daily["active_dealers"].to_numpy())
        usual.append(sim.run(staffed, seed=seed).daily["active_dealers"].to_numpy())
    sellers, frozen, usual = np.mean(sellers, axis=0), np.mean(frozen, axis=0), np.mean(usual, axis=0)
    start = baseline.dealers.initial_sellers
    assert sellers[170:180].mean() < 0.8 * start  # the crackdown bites
    assert sellers[-30:].mean() > 0.9 * usual[-30:].mean()  # recruits refill a market that pays
    assert frozen[-30:].mean() < 0.5 * start  # without recruits it stays down


def test_lost_tolerance_raises_overdose_risk() -> None:
    town = Town(TownParams(), np.random.default_rng(0))
    params = PeopleParams(initial_dependent=40_000, initial_occasional=0, initial_in_recovery=0)
    overdoses = {}
    for tolerance in (1.0, 0.0):
        context = Context.start(1)
        log = context.log
        people = People(params, OverdoseParams(), town, context)
        for day in range(20):
            context.start_day(day)  # each day's draws are the day's own
            people.tolerance[: people.n] = tolerance
            people.use_and_overdose(people.ids_in(UseState.DEPENDENT), day=day, purity_ratio=1.0)
        overdoses[tolerance] = (log.frame()["event"] == "overdose").sum()
    # Default: risk at no tolerance is 30 times that at full tolerance (fitted to Merrall et al. 2010).
    assert 22 * overdoses[1.0] < overdoses[0.0] < 40 * overdoses[1.0]


def test_prevalence_holds_steady_when_nothing_changes() -> None:
    """Prevalence counts everyone with dependent use, in or out of treatment and prison (the OCU
    measure): the default town starts near its equilibrium and stays there."""
    scenario = Scenario(years=5.0)
    runs = [sim.run(scenario, seed=s).daily["dependent_use_total"] for s in range(3)]
    start = np.mean([daily.iloc[0] for daily in runs])
    final = np.mean([daily.iloc[-365:].mean() for daily in runs])
    assert abs(final - start) / start < 0.10
