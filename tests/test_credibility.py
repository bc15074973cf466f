"""Credibility of focused deterrence: promised sanctions seen to follow (or not) drive the call-in's effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.model.credibility import exits_while_warned
from sim.model.events import Event
from sim.model.model import DrugMarketModel
from sim.planner.scenario import Scenario

SEEDS = range(3)
#: Charging that keeps the promise quickly, and charging that keeps it late (delivery lowered).
SWIFT = {"cps_joint_working": 1.0, "decided_in_custody_share": 0.8}
SLOW = {
    "cps_joint_working": 0.0,
    "decision_days": 60.0,
    "forensic_decision_days": 270.0,
    "decided_in_custody_share": 0.2,
}


def _programme(years: float, group_sanctions: bool = True, charging: dict[str, float] | None = None) -> Scenario:
    """The baseline town with focused deterrence running at full resources from day 0."""
    scenario = Scenario(name="test-credibility", years=years)
    scenario.deterrence.active = True
    scenario.deterrence.resources_at_go_live = 1.0
    scenario.deterrence.group_sanctions = group_sanctions
    for name, value in (charging or {}).items():
        setattr(scenario.charging, name, value)
    return scenario


def _seller_of(model: DrugMarketModel, group: int) -> np.ndarray:
    """One active seller of `group`, as an id array."""
    sellers = model.dealers.active()
    return sellers[model.dealers.group[sellers] == group][:1]


@pytest.fixture
def model() -> DrugMarketModel:
    """A freshly built town (nothing run): its sellers, groups and event log to learn from."""
    return DrugMarketModel(_programme(0.1), rng=np.random.SeedSequence(0))


def test_swift_charges_build_credibility_and_dropped_cases_erode_it(model: DrugMarketModel) -> None:
    credibility, log = model.deterrence.credibility, model.log
    prior = model.params.deterrence.credibility_prior
    warned = np.zeros(model.params.dealers.groups, dtype=bool)
    warned[:4] = True
    log.record(9, Event.DEALER_CHARGED, _seller_of(model, 0), value=0.0)  # charged in custody
    log.record(9, Event.DEALER_CHARGED, _seller_of(model, 1), value=120.0)  # after forensic tests
    log.record(9, Event.DEALER_NOT_CHARGED, _seller_of(model, 2), value=120.0)
    log.record(9, Event.DEALER_CHARGED, _seller_of(model, 4), value=0.0)  # a group never warned
    credibility.learn(10, warned, np.empty(0, dtype=np.int64))
    level = credibility.level
    assert level[0] > level[1] > prior > level[2]
    assert level[3] == prior  # warned, saw nothing
    assert level[4] == prior  # saw a charge, but was never promised anything


def test_credibility_stays_between_its_floor_and_one_and_returns_to_the_prior(model: DrugMarketModel) -> None:
    credibility, log, p = model.deterrence.credibility, model.log, model.params.deterrence
    warned = np.ones(model.params.dealers.groups, dtype=bool)
    kept, broken = _seller_of(model, 0), _seller_of(model, 1)
    for day in range(1, 200):
        log.record(day - 1, Event.DEALER_REMANDED, kept)
        log.record(day - 1, Event.DEALER_NO_FURTHER_ACTION, broken)
        credibility.learn(day, warned, kept)  # an arrest every day too
        assert np.all((credibility.level >= p.credibility_floor) & (credibility.level <= 1.0))
    assert credibility.level[0] > 0.95
    assert credibility.level[1] == pytest.approx(p.credibility_floor, abs=0.02)
    # Two years with nothing seen: most of the way back to the prior.
    credibility.learn(200 + 730, warned, np.empty(0, dtype=np.int64))
    assert np.all(np.abs(credibility.level - p.credibility_prior) < 0.05)


def test_called_in_sellers_who_go_on_selling_unpunished_erode_credibility(model: DrugMarketModel) -> None:
    credibility, p = model.deterrence.credibility, model.params.deterrence
    warned = np.zeros(model.params.dealers.groups, dtype=bool)
    warned[:2] = True
    credibility.called_in(np.concatenate([_seller_of(model, 0), _seller_of(model, 1)]), day=0)
    credibility.learn(p.impunity_days - 1, warned, _seller_of(model, 1))  # group 1's member arrested
    credibility.learn(p.impunity_days, warned, np.empty(0, dtype=np.int64))
    assert credibility.level[0] < credibility.level[1]
    assert credibility.level[0] < p.credibility_prior < credibility.level[1]


def test_a_believed_call_in_adds_more_perceived_risk() -> None:
    model = DrugMarketModel(_programme(0.5, group_sanctions=False), rng=np.random.SeedSequence(3))
    model.run_for(120)
    fd, dealers, p = model.deterrence, model.dealers, model.params.deterrence
    sellers = dealers.active()
    called = sellers[fd.sellers.warning[sellers] > 0]
    group = dealers.group[called[0]]
    members = sellers[dealers.group[sellers] == group]
    fd.credibility.level[group] = p.credibility_prior
    at_prior = fd._signal(model.today)[members]
    fd.credibility.level[group] = 1.0
    believed = fd._signal(model.today)[members]
    fd.credibility.level[group] = p.credibility_floor
    doubted = fd._signal(model.today)[members]
    assert np.all(at_prior > 0)
    assert believed == pytest.approx(at_prior / p.credibility_prior)
    assert doubted == pytest.approx(at_prior * p.credibility_floor / p.credibility_prior)


def test_without_focused_deterrence_nothing_is_learnt() -> None:
    model = DrugMarketModel(Scenario(name="test-credibility-off", years=0.4), rng=np.random.SeedSequence(1))
    model.run()
    daily = model.record.frame(model.params.start_date)
    prior = model.params.deterrence.credibility_prior
    assert (daily["mean_credibility"] == prior).all()
    assert np.all(model.deterrence.credibility.level == prior)


def _delivery(**arm: object) -> pd.DataFrame:
    """Mean credibility and exits while warned in each seed's run of one arm."""
    rows = []
    for seed in SEEDS:
        scenario = _programme(1.0, **arm)  # type: ignore[arg-type]
        model = DrugMarketModel(scenario, rng=np.random.SeedSequence(seed))
        model.run()
        daily = model.record.frame(scenario.start_date)
        group_of = model.dealers.group[: model.dealers.n]
        exits = exits_while_warned(model.log.frame(), group_of, scenario.deterrence.repeat_call_in_days)
        rows.append({"credibility": daily["mean_credibility"].iloc[90:].mean(), "exits": exits})
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_a_programme_that_delivers_is_believed_and_moves_more_sellers_out() -> None:
    """Group sanctions (more arrests of warned groups) and swift charging against neither and slow charging."""
    delivers = _delivery(group_sanctions=True, charging=SWIFT)
    lowered = _delivery(group_sanctions=False, charging=SLOW)
    assert delivers["credibility"].mean() > lowered["credibility"].mean() + 0.02
    assert delivers["exits"].sum() > lowered["exits"].sum()


def test_the_event_log_gives_one_days_outcomes() -> None:
    log = DrugMarketModel(_programme(0.1), rng=np.random.SeedSequence(0)).log
    log.record(4, Event.DEALER_CHARGED, np.array([1, 2]), value=np.array([3.0, 40.0]))
    log.record(5, Event.DEALER_CHARGED, np.array([7]), value=0.0)
    log.record(5, Event.DEALER_NOT_CHARGED, np.array([8]), value=12.0)
    log.record(5, Event.DEALER_CHARGED, np.array([9]), value=5.0)
    log.record(6, Event.DEALER_CHARGED, np.array([11]), value=1.0)
    seen = log.on_day(5, (Event.DEALER_CHARGED, Event.DEALER_NOT_CHARGED, Event.DEALER_REMANDED))
    ids, values = seen[Event.DEALER_CHARGED]
    assert ids.tolist() == [7, 9] and values.tolist() == [0.0, 5.0]
    assert seen[Event.DEALER_NOT_CHARGED][0].tolist() == [8]
    assert seen[Event.DEALER_REMANDED][0].size == 0
