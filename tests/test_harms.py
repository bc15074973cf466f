"""Harms of use that the evidence describes: who offends and how much, how treatment changes it, and
what happens to people with dependent use who cannot buy."""

from __future__ import annotations

import numpy as np
from cohorts import MONDAY, Cohort

import sim
from sim.model.people import UseState
from sim.planner.scenario import Scenario


def _offences_per_person(cohort: Cohort, days: range) -> np.ndarray:
    """Each person's offences over `days` (everyone with dependent use offends from home; no market)."""
    people = cohort.people
    before = people.offences[: people.n].copy()
    for day in days:
        cohort.context.start_day(day)
        people.offend(np.empty(0, dtype=np.int64), day)
    return people.offences[: people.n] - before


def test_offending_is_concentrated_and_many_do_not_offend_in_a_month() -> None:
    """DTORS: about 40% offended in the month before treatment (Jones et al. 2009); NTORS: a tenth
    of people commit about three quarters of the offences (Gossop et al. 2003)."""
    cohort = Cohort(20_000, seed=3)
    month = _offences_per_person(cohort, range(28))
    assert 0.3 < (month > 0).mean() < 0.5
    quarter = month + _offences_per_person(cohort, range(28, 91))
    top_tenth = np.sort(quarter)[::-1][: quarter.size // 10].sum() / quarter.sum()
    assert 0.6 < top_tenth < 0.9
    # A trait of the person: those who offended in the first month are the ones offending later.
    later = quarter - month
    assert later[month > 0].mean() > 10 * later[month == 0].mean()


def test_treatment_halves_offending_at_entry_and_lowers_it_further_with_time_retained() -> None:
    """The same people (same seed, ids and propensities), half starting OST on day 0: convictions
    halve by the day OST starts (Bukten et al. 2013) and fall further with time retained (Oliver et
    al. 2010), to about 0.4 of the level before treatment (Bukten et al. 2012), not to nothing."""
    size = 20_000
    street, treated = Cohort(size, seed=5), Cohort(size, seed=5)
    treated.people.move(treated.ids, UseState.OST, 0)
    first = {name: _offences_per_person(c, range(14)).sum() for name, c in (("street", street), ("ost", treated))}
    for c in (street, treated):
        _offences_per_person(c, range(14, 270))
    late = {name: _offences_per_person(c, range(270, 300)).sum() for name, c in (("street", street), ("ost", treated))}
    at_entry, retained = first["ost"] / first["street"], late["ost"] / late["street"]
    assert 0.4 < at_entry < 0.6  # the first fortnight: about halved
    assert 0.3 < retained < 0.5  # retained 9 months: about 0.4
    assert retained < at_entry - 0.04  # and lower than at entry


def test_days_without_drugs_lose_tolerance_unless_unfamiliar_supply_is_found() -> None:
    """Nobody finds a seller for two weeks: those who go without lose tolerance (half-life 7 days),
    those who find an unfamiliar source keep it but overdose more than usual buyers do."""
    size = 20_000
    cohort = Cohort(size, seed=2)
    people = cohort.people
    for day in range(14):
        cohort.context.start_day(day)
        people.buyers_today()
        people.use_and_overdose(np.empty(0, dtype=np.int64), day, purity_ratio=1.0)
        cohort.record.close_day()
    daily = cohort.record.frame(MONDAY)
    failed = daily["dependent_failed_purchases"]
    assert failed.ge(0.999 * size).all()  # everyone still alive looked and failed
    assert daily["withdrawal_days"].sum() + daily["unfamiliar_supply_use"].sum() == failed.sum()
    without_all_fortnight = people.days_without[: people.n] == 14
    assert 0.2 < people.tolerance[: people.n][without_all_fortnight].mean() < 0.3  # 0.5 ** 2
    # Each spell of withdrawal prompts treatment seeking: readiness rose for everyone in one.
    assert (people.readiness[: people.n][without_all_fortnight] > 1.0).all()
    # Unfamiliar supply of unknown strength: more overdoses per use than the usual supply.
    unfamiliar_rate = daily["overdoses"].sum() / daily["unfamiliar_supply_use"].sum()
    usual = Cohort(size, seed=2)
    for day in range(14):
        usual.use(day)
        usual.close_day()
    usual_rate = usual.overdoses_by_day(14).sum() / (14 * size)
    assert unfamiliar_rate > 1.3 * usual_rate


def test_a_crackdown_leaves_people_without_drugs_not_without_harm() -> None:
    """Tripled patrol: more failed purchases, more days of withdrawal, more use of unfamiliar supply
    and of other drugs, more prompts to seek treatment, and no fall in offending."""
    baseline = Scenario(years=0.5)
    crackdown = baseline.model_copy(deep=True)
    crackdown.police.patrol_hours_per_day *= 3
    runs = {name: sim.run(s, seed=1).daily.iloc[60:] for name, s in (("base", baseline), ("crackdown", crackdown))}
    base, crack = runs["base"].sum(numeric_only=True), runs["crackdown"].sum(numeric_only=True)
    for column in ("dependent_failed_purchases", "withdrawal_days", "unfamiliar_supply_use", "other_drug_use"):
        assert crack[column] > 1.5 * base[column], column
    assert crack["withdrawal_treatment_prompts"] > 1.5 * base["withdrawal_treatment_prompts"]
    assert crack["offences"] >= 0.98 * base["offences"]
    events = sim.run(crackdown, seed=1).events["event"].value_counts()
    assert {"went_without", "unfamiliar_supply", "other_drugs"} <= set(events.index)
