"""Treatment services: capacity and staffing, waits, OST's protection and its risky edges,
residential detox, recovery support, readiness and naloxone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cohorts import Cohort, imprison, stabilise_on_ost, start_everyone_on_ost

import sim
from sim.model.events import Event
from sim.model.people import UseState
from sim.model.prison import PrisonParams
from sim.model.treatment import Exit, Phase, Route, TreatmentParams
from sim.planner.scenario import Scenario
from sim.research.evidence import waits_of_starts


def _mean_summary(scenario: Scenario, seeds: range) -> pd.Series:
    return pd.DataFrame([sim.run(scenario, seed=s).summary for s in seeds]).mean()


def _flows(scenario: Scenario, replicates: int) -> dict[str, float]:
    """Referrals, entries and waits of treatment starts, pooled over replicates."""
    referrals = entries = within = 0.0
    for r in range(replicates):
        result = sim.run(scenario, replicate=r)
        referrals += result.daily["treatment_referrals"].sum()
        entries += result.daily["treatment_entries"].sum()
        within += (waits_of_starts(result.events) < 21).sum()
    return {"referrals": referrals, "entries": entries, "within_21": within / entries}


def _street_overdose_rate(size: int = 40_000, days: int = 60) -> float:
    """Overdoses per person-day of daily street use at full tolerance."""
    cohort = Cohort(size, seed=11)
    for day in range(days):
        cohort.use(day)
    return cohort.overdoses_by_day(days).sum() / (size * days)


# -- staff and capacity ----------------------------------------------------------------------------
def test_capacity_is_keyworkers_in_post_times_caseload_limit() -> None:
    cohort = Cohort(100, treatment=TreatmentParams(keyworkers=20, caseload_limit=50.0, initial_vacancy_share=0.25))
    treatment = cohort.treatment
    assert treatment.in_post == 15
    assert treatment.capacity == 15 * 50.0  # vacant posts add no places


def test_vacant_posts_fill_after_the_hiring_delay_only_up_to_the_staff_available() -> None:
    params = TreatmentParams(
        keyworkers=10, initial_vacancy_share=0.5, qualified_staff_available=8, keyworker_turnover_per_year=0.0
    )
    at_delay, at_end = [], []
    for seed in range(10):  # three fillable vacancies per town: average over towns, not one draw
        cohort = Cohort(100, seed=seed, treatment=params)
        treatment = cohort.treatment
        assert treatment.in_post == 5
        in_post = []
        for day in range(720):
            cohort.context.start_day(day)
            treatment.staff(day)
            in_post.append(treatment.in_post)
        at_delay.append(in_post[119])
        at_end.append(in_post[-1])
    # Most fillable vacancies fill within the hiring delay (mean 120 days: 1 - 1/e of them)...
    assert 5.8 < np.mean(at_delay) < 7.6
    # ...and posts above what the labour market can supply stay vacant.
    assert at_end == [8] * 10


@pytest.mark.slow  # six two-year runs: about 20 s (test_expansion_without_staff_... covers the default run)
def test_more_capacity_means_shorter_waits_only_when_demand_exceeds_it(baseline: Scenario) -> None:
    """At baseline capacity does not bind (waits are short already); when demand rises above it,
    a queue forms and more places shorten it."""
    runs = {}
    # Four times the self-referral: since people in treatment can be imprisoned (about 75 exits to
    # prison a year at baseline), three times only just exceeded the about 935 places (a queue of
    # about 25 and some 1,000 in treatment where places were unlimited), too little for more places
    # to show; the test is about demand clearly above capacity, checked below.
    for demand in (1.0, 4.0):
        for limit in (55.0, 75.0):
            scenario = baseline.model_copy(deep=True)
            scenario.treatment.self_referral_per_year *= demand
            scenario.treatment.caseload_limit = limit
            # Common random numbers pair the runs; a queue's length needs two towns, short waits one.
            runs[demand, limit] = _mean_summary(scenario, range(2 if demand > 1.0 else 1))
    base, base_roomy = runs[1.0, 55.0], runs[1.0, 75.0]
    busy, busy_roomy = runs[4.0, 55.0], runs[4.0, 75.0]
    assert busy["waiting_list_mean"] > 40  # the premise: demand well above the places, a standing queue
    assert base["mean_wait_days_mean"] < 7.0  # no standing queue at baseline...
    assert base_roomy["mean_wait_days_mean"] > base["mean_wait_days_mean"] - 4.0  # ...so little to gain
    assert base_roomy["in_treatment_mean"] < 1.05 * base["in_treatment_mean"]
    assert busy["mean_wait_days_mean"] > 3 * base["mean_wait_days_mean"]  # demand above capacity queues
    assert busy_roomy["mean_wait_days_mean"] < 0.5 * busy["mean_wait_days_mean"]
    assert busy_roomy["waiting_list_mean"] < 0.5 * busy["waiting_list_mean"]
    assert busy_roomy["in_treatment_mean"] > busy["in_treatment_mean"] + 50


def test_at_baseline_nine_in_ten_treatment_starts_wait_under_three_weeks(baseline: Scenario) -> None:
    """NDTMS 2022/23 (OHID 2023): about 98% of adults start treatment within 3 weeks."""
    flows = _flows(baseline, replicates=2)
    assert flows["within_21"] >= 0.9


def test_waits_read_from_the_event_log_are_the_waits_the_service_recorded(baseline: Scenario) -> None:
    """A start waits from the join that led to it: an old join (a missed appointment, a later start
    by continuity from prison) must not count as years of waiting in the evidence table."""
    scenario = baseline.model_copy(update={"years": 3.0})
    result = sim.run(scenario, replicate=0)
    waits = waits_of_starts(result.events)
    assert len(waits) == result.daily["treatment_entries"].sum()
    assert waits.sum() == pytest.approx(result.daily["waiting_days_of_entrants"].sum())
    assert waits.max() < 120


def test_a_share_of_referrals_never_attend_and_readier_people_attend_more() -> None:
    cohort = Cohort(20_000, seed=14, treatment=TreatmentParams(waiting_dropout_per_year=0.0))
    people, treatment = cohort.people, cohort.treatment
    people.encourage_treatment(cohort.ids[:10_000], 3.0)
    treatment.refer(cohort.ids, day=0, route=Route.SELF)
    cohort.context.start_day(1)
    treatment.admit(day=1)  # the first appointment (day 1 is a Tuesday)
    missed = cohort.events(Event.LEFT_WAITING_LIST)[:, 1]
    assert int(cohort.record.value("first_appointments_missed")) == missed.size
    ready, usual = np.isin(cohort.ids[:10_000], missed).mean(), np.isin(cohort.ids[10_000:], missed).mean()
    base = treatment.p.self_referral_attendance
    assert abs(usual - (1 - base)) < 0.02  # a quarter never come at readiness 1
    assert abs(ready - (1 - base) ** 3) < 0.01  # readier people miss far fewer first appointments


def test_adder_mix_with_treatment_capacity_held_raises_referrals_but_not_entries(repo_root) -> None:
    """ADDER's impact evaluation (Home Office 2025): criminal-justice referrals rose, opiate
    treatment entries did not. With keyworkers and residential places held at baseline the extra
    referrals meet engagement barriers and a capacity that binds; with them funded, entries rise.
    Courses started are the strictest count: a course restarted after a stay in prison counts
    again, so this holds only while people in treatment go to prison as rarely as in England
    (`courts.in_treatment_custody_ratio`, fitted to NTA 2008); with 1.0 courses started rose 19%."""
    base, funded, held = (
        sim.load_scenario(repo_root / "scenarios" / f"{name}.yaml")
        for name in ("baseline", "adder-mix", "adder-mix-capacity-held")
    )
    assert held.treatment.keyworkers == funded.treatment.keyworkers == 18  # funded posts come by timed change
    flows = {name: _flows(s, replicates=3) for name, s in (("base", base), ("held", held), ("funded", funded))}
    assert flows["held"]["referrals"] > 1.4 * flows["base"]["referrals"]
    assert flows["held"]["entries"] < 1.12 * flows["base"]["entries"]
    assert flows["funded"]["entries"] > 1.25 * flows["base"]["entries"]


def test_expansion_without_staff_to_fill_it_changes_little(repo_root) -> None:
    runs = {}
    for name in ("baseline", "treatment-expansion", "treatment-expansion-unstaffed"):
        scenario = sim.load_scenario(repo_root / "scenarios" / f"{name}.yaml")
        scenario.years = 3.0
        # Demand above the baseline capacity, so that capacity binds and places matter.
        scenario.treatment.self_referral_per_year *= 3.0
        runs[name] = _mean_summary(scenario, range(2))
    base, staffed, unstaffed = runs["baseline"], runs["treatment-expansion"], runs["treatment-expansion-unstaffed"]
    assert staffed["keyworkers_in_post_mean"] > base["keyworkers_in_post_mean"] + 5
    assert unstaffed["keyworkers_in_post_mean"] < base["keyworkers_in_post_mean"] + 2
    assert unstaffed["keyworker_vacancies_mean"] > staffed["keyworker_vacancies_mean"] + 4  # funded, never filled
    staffed_gain = staffed["in_treatment_mean"] - base["in_treatment_mean"]
    unstaffed_gain = unstaffed["in_treatment_mean"] - base["in_treatment_mean"]
    # Waits at baseline are shorter than they were (about 3 weeks, docs/evidence.md), so fewer people
    # queue to fill the funded places.
    assert staffed_gain > 20
    assert unstaffed_gain < 0.6 * staffed_gain


def test_priority_routes_are_admitted_ahead_of_the_queue() -> None:
    for over_capacity, ordinary_places in ((False, 10 - 5), (True, 10)):
        params = TreatmentParams(
            keyworkers=1,
            caseload_limit=10.0,
            initial_vacancy_share=0.0,
            priority_over_capacity=over_capacity,
            self_referral_attendance=1.0,
        )
        cohort = Cohort(400, treatment=params)
        treatment = cohort.treatment
        treatment.refer(cohort.ids[:200], day=0, route=Route.SELF)
        treatment.refer(cohort.ids[200:205], day=1, route=Route.COURT, priority=True)
        treatment.admit(day=1)
        entered = cohort.people.state[:400] == UseState.OST
        assert entered[200:205].all()  # court orders first, over the limit if allowed
        assert entered[:200].sum() == ordinary_places  # the rest of the places, in waiting order
        assert entered[:ordinary_places].all()


# -- OST -----------------------------------------------------------------------------------------
def test_ost_cuts_overdoses_and_offending() -> None:
    size, days = 40_000, 60
    street = Cohort(size, seed=1)
    treated = Cohort(size, seed=1)
    stabilise_on_ost(treated)
    offences = {}
    for name, cohort in (("street", street), ("ost", treated)):
        total = 0
        for day in range(days):
            cohort.context.start_day(day)
            buyers, _ = cohort.people.buyers_today()
            cohort.people.use_and_overdose(buyers, day, 1.0)
            cohort.people.offend(buyers, day)
            total += cohort.record.value("offences")
            cohort.record.close_day()
        offences[name] = total
    ods = {name: c.overdoses_by_day(days).sum() for name, c in (("street", street), ("ost", treated))}
    # A stable dose still carries risk (overdose.ost_dose_relative_risk): with no missed purchases in
    # this cohort, street use at full tolerance is only somewhat riskier; in the town, where street
    # use has gaps, deaths off OST are about 1.7 times those on it (docs/evidence.md; Pierce et al. 2016).
    assert ods["ost"] < 0.85 * ods["street"]
    # Partial, not total: people long retained on OST offend about half as much (Gossop et al. 2003).
    assert 0.3 * offences["street"] < offences["ost"] < 0.6 * offences["street"]


def test_first_weeks_of_ost_carry_more_overdoses_than_later() -> None:
    """Top-ups on a dose still being titrated, before tolerance adapts (Cornish 2010: deaths in
    the first two weeks of OST about 1.3 times those out of treatment, 3 times later treatment)."""
    size = 40_000
    street = _street_overdose_rate()
    cohort = Cohort(size, seed=2)
    start_everyone_on_ost(cohort)
    for day in range(84):
        cohort.use(day)
        cohort.treatment.dose(day)
    per_day = cohort.overdoses_by_day(84) / size / street
    first_two_weeks, later = per_day[:14].mean(), per_day[28:84].mean()
    assert first_two_weeks > 2 * later  # Cornish 2010: 1.7 vs 0.7 per 100 PY
    assert first_two_weeks > 1.0
    assert first_two_weeks < 3.0


def test_leaving_ost_raises_overdose_risk_for_weeks() -> None:
    """Missed doses before a discharge let tolerance fall; risk then exceeds plain street use
    (Cornish 2010: raised in weeks 1-4 after stopping)."""
    size = 40_000
    street = _street_overdose_rate()
    cohort = Cohort(size, seed=3)
    stabilise_on_ost(cohort)
    rows = cohort.treatment.rows
    rows.phase[cohort.ids] = Phase.LAPSING
    rows.phase_end[cohort.ids] = 7
    cohort.treatment.dose(0)
    for day in range(98):
        cohort.use(day)
        cohort.treatment.discharge(day)
        cohort.treatment.dose(day)
    assert not (cohort.people.state[cohort.ids] == UseState.OST).any()
    per_day = cohort.overdoses_by_day(98) / size / street
    assert per_day[7:21].mean() > 1.8  # the two weeks after discharge
    # Tolerance is regained with a half-life of 8 days (overdose.tolerance_regain_half_life), so
    # the excess fades over weeks (Cornish 2010: still 8 times the on-treatment rate in weeks 3-4)
    # and is gone by two to three months after discharge.
    assert per_day[21:35].mean() > per_day[70:98].mean()
    assert 0.8 < per_day[70:98].mean() < 1.3  # back to ordinary street risk


# -- residential and recovery ------------------------------------------------------------------------
def test_detox_lowers_tolerance_so_a_relapse_after_it_is_risky() -> None:
    cohort = Cohort(2_000, seed=4, treatment=TreatmentParams(residential_stay_days=28.0))
    treatment, people = cohort.treatment, cohort.people
    stabilise_on_ost(cohort)
    treatment.p.residential_places = 2_000
    treatment.p.residential_step_up_per_year = 1e9  # everyone asks for a bed today
    treatment.residential(day=0, open_today=True)
    assert (people.state[: people.n] == UseState.RESIDENTIAL).sum() > 1_900
    for day in range(1, 40):
        treatment.dose(day)
        cohort.use(day)
        treatment.residential(day, open_today=False)
    completed = people.state[: people.n] == UseState.RECOVERY
    early = people.state[: people.n] == UseState.DEPENDENT
    assert completed.sum() > 0.5 * 2_000
    assert people.tolerance[: people.n][completed].max() < 0.1  # detox: four weeks without opioids
    left = cohort.events(Event.LEFT_RESIDENTIAL)
    # Everyone no longer in residential left through a recorded exit (some who left early and
    # went back to street use have since died of an overdose: tolerance was low).
    assert len(left) == (people.state[: people.n] != UseState.RESIDENTIAL).sum()
    assert len(left) >= completed.sum() + early.sum()


def test_recovery_support_lowers_relapse() -> None:
    relapses = {}
    for share in (0.0, 1.0):
        params = TreatmentParams(recovery_support_share=share, health_care_share=share, family_support_share=share)
        cohort = Cohort(20_000, seed=5, treatment=params)
        stabilise_on_ost(cohort)
        cohort.treatment._assign_support(cohort.ids)
        cohort.treatment._finish(cohort.ids, 0, Exit.COMPLETED, UseState.RECOVERY)
        for day in range(1, 181):
            cohort.people.change_use(day)
        relapses[share] = int(cohort.record.value("relapses"))
    # Support multiplies relapse by 0.7 x 0.9 x 0.85 = 0.54 by default.
    assert relapses[1.0] < 0.7 * relapses[0.0]


# -- readiness and help-seeking -------------------------------------------------------------------
def test_readiness_raised_by_an_overdose_fades_back() -> None:
    cohort = Cohort(1_000, seed=6)
    people, treatment = cohort.people, cohort.treatment
    people.survived_overdose_on[:10] = 0
    treatment.respond_to_overdoses(day=0)
    assert np.allclose(people.readiness[:10], treatment.p.overdose_readiness_factor)
    assert np.allclose(people.readiness[10:1000], 1.0)
    for _ in range(int(treatment.p.readiness_half_life_days)):
        treatment.fade_readiness()
    assert np.allclose(people.readiness[:10], 1.0 + (treatment.p.overdose_readiness_factor - 1.0) / 2, rtol=1e-6)


def test_readier_people_seek_treatment_more() -> None:
    cohort = Cohort(20_000, seed=7)
    people, treatment = cohort.people, cohort.treatment
    people.encourage_treatment(cohort.ids[:10_000], 3.0)
    for day in range(30):
        treatment.seek_treatment(day, people.ids_in(UseState.DEPENDENT))
    waiting = treatment.rows.wait_since[: people.n] >= 0
    assert waiting[:10_000].sum() > 2.3 * waiting[10_000:].sum()


# -- naloxone --------------------------------------------------------------------------------------
def test_naloxone_distribution_raises_coverage_and_reversals(baseline: Scenario) -> None:
    sparse = baseline.model_copy(deep=True)
    sparse.treatment.kit_at_contact_share = 0.05
    sparse.treatment.family_kit_share = 0.0
    generous = baseline.model_copy(deep=True)
    generous.treatment.kit_at_contact_share = 1.0
    generous.treatment.family_support_per_year = 0.3
    generous.treatment.family_kit_share = 1.0
    low, high = _mean_summary(sparse, range(2)), _mean_summary(generous, range(2))
    assert high["naloxone_coverage_mean"] > low["naloxone_coverage_mean"] + 0.2
    reversals = high["naloxone_reversals_total"] / high["overdoses_total"]
    assert reversals > 1.3 * low["naloxone_reversals_total"] / low["overdoses_total"]
    assert high["family_naloxone_kits_total"] > 50 > low["family_naloxone_kits_total"]


# -- service days and the day of release -----------------------------------------------------------
FRIDAY = 4  # day 4 of a cohort's calendar (it starts on a Monday)


def _days_without_ost_after_release(due: int, policy: str = "as_now", open_weekends: bool = False) -> float:
    """Mean days off OST in the week after release, for a cohort with care arranged before
    release (half dosed in prison, half with a first appointment booked)."""
    prison = PrisonParams(continuity_of_care=1.0, attendance_with_continuity=1.0, release_day_policy=policy)
    cohort = Cohort(4_000, seed=15, prison=prison, treatment=TreatmentParams(open_weekends=open_weekends), days=40)
    release = int(cohort.prison._release_day(np.array([due]), cohort.ids[:1])[0])
    imprison(cohort, 60, release)
    cohort.treatment.rows.phase[cohort.ids[:2_000]] = Phase.IN_PRISON
    off_ost = 0
    for day in range(release, release + 7):
        cohort.context.start_day(day)
        cohort.prison.hold_and_release(day)
        cohort.treatment.serve(day)
        off_ost += int((cohort.people.state[cohort.ids] != UseState.OST).sum())
        cohort.close_day()
    return off_ost / cohort.ids.size


def test_friday_releases_before_a_closed_weekend_mean_more_days_without_ost() -> None:
    friday, wednesday = _days_without_ost_after_release(FRIDAY + 14), _days_without_ost_after_release(FRIDAY + 12)
    assert wednesday < 0.8  # a first appointment the next day; prescriptions go on
    assert friday > wednesday + 1.0  # appointments on Monday; half the prescriptions wait for it
    assert _days_without_ost_after_release(FRIDAY + 14, open_weekends=True) < 0.8


def test_release_day_policy_moves_friday_releases_to_midweek() -> None:
    cohort = Cohort(10)
    due = np.arange(FRIDAY, FRIDAY + 7)  # Friday to Thursday
    for policy, expected in (
        ("as_now", [FRIDAY, FRIDAY, FRIDAY, 0, 1, 2, 3]),
        ("no_friday", [FRIDAY - 2, FRIDAY - 2, FRIDAY - 2, 0, 1, 2, 3]),
        ("all_midweek", [3, 3, 3, 3, 1, 2, 3]),
    ):
        cohort.prison.p.release_day_policy = policy
        assert list(cohort.calendar.weekday(cohort.prison._release_day(due, cohort.ids[: due.size]))) == expected
    assert _days_without_ost_after_release(FRIDAY + 14, policy="no_friday") < 0.8
