"""Costs by agency: unit costs price the day's activity; cost per death averted against a baseline."""

from __future__ import annotations

import math

import pytest

import sim
from sim.model.costs import AGENCY_COLUMNS, CostParams, Costs, cost_per_death_averted
from sim.model.outcomes import Recorder
from sim.planner.scenario import Scenario


def test_unit_costs_price_the_days_activity() -> None:
    record = Recorder(1)
    for name, value in {
        "officer_hours": 100.0,
        "overtime_hours": 30.0,  # part of the 100 hours, paid at time and a third
        "custody_hours": 20.0,
        "charges": 5.0,
        "crown_court_charges": 1.0,
        "court_cases": 4.0,
        "crown_court_cases": 2.0,
        "prison_population": 365.25,
        "in_ost": 365.25,
        "on_prison_ost": 0.0,
        "in_residential": 7.0,
        "custody_drug_worker_hours": 8.0,
        "health_worker_hours": 2.0,
        "naloxone_kits": 3.0,
        "family_naloxone_kits": 1.0,
        "overdoses": 10.0,
    }.items():
        record.add(name, value)
    p = CostParams()
    Costs(p, record).count()
    assert record.value("cost_police") == pytest.approx(100 * p.officer_hour + 30 * p.officer_hour / 3)
    assert record.value("cost_custody") == pytest.approx(20 * p.custody_hour)
    assert record.value("cost_prosecution") == pytest.approx(4 * p.prosecution_magistrates + p.prosecution_crown)
    assert record.value("cost_courts") == pytest.approx(2 * p.court_magistrates + 2 * p.court_crown)
    assert record.value("cost_prison") == pytest.approx(p.prison_place_year)
    expected_treatment = (
        p.community_treatment_year + p.ost_medication_year + p.residential_week + 10 * p.drug_worker_hour
    )
    assert record.value("cost_treatment") == pytest.approx(expected_treatment)
    assert record.value("cost_naloxone") == pytest.approx(4 * p.naloxone_kit)
    assert record.value("cost_emergency") == pytest.approx(10 * p.overdose_attended_share * p.overdose_response)
    assert record.value("cost_total") == pytest.approx(sum(record.value(c) for c in AGENCY_COLUMNS))


def test_costs_by_agency_add_up_and_prison_and_treatment_dominate() -> None:
    daily = sim.run(Scenario(years=1.0), seed=2).daily
    total = daily["cost_total"].sum()
    assert total == pytest.approx(sum(daily[c].sum() for c in AGENCY_COLUMNS))
    for column in AGENCY_COLUMNS:
        assert daily[column].sum() > 0, column
    # A year of the default town: millions, mostly prison places and treatment.
    assert 4e6 < total < 2e7
    assert daily["cost_prison"].sum() + daily["cost_treatment"].sum() > 0.6 * total


def test_cost_per_death_averted() -> None:
    baseline = {"overdose_deaths_total": 50.0, "cost_total_total": 10_000_000.0}
    policy = {"overdose_deaths_total": 45.0, "cost_total_total": 11_000_000.0}
    assert cost_per_death_averted(policy, baseline) == pytest.approx(200_000.0)
    cheaper = {"overdose_deaths_total": 40.0, "cost_total_total": 9_000_000.0}
    assert cost_per_death_averted(cheaper, baseline) == pytest.approx(-100_000.0)  # saves money and lives
    worse = {"overdose_deaths_total": 52.0, "cost_total_total": 12_000_000.0}
    assert math.isnan(cost_per_death_averted(worse, baseline))
    assert math.isnan(cost_per_death_averted(baseline, baseline))


def test_a_staffed_treatment_expansion_costs_treatment_services_more(repo_root) -> None:
    spend = {}
    for name in ("baseline", "treatment-expansion"):
        scenario = sim.load_scenario(repo_root / "scenarios" / f"{name}.yaml")
        scenario.years = 2.0
        spend[name] = sim.run(scenario, seed=1).summary
    extra = spend["treatment-expansion"]["cost_treatment_total"] - spend["baseline"]["cost_treatment_total"]
    assert extra > 100_000  # tens of extra person-years of treatment over two years
    # Each extra person-year of OST costs community treatment plus medication; the rest of the extra
    # (residential places, drug-worker hours) comes on top. With shorter baseline waits the
    # expansion adds fewer OST person-years than it did, so those other parts weigh more.
    p = CostParams()
    person_years = (spend["treatment-expansion"]["in_ost_mean"] - spend["baseline"]["in_ost_mean"]) * 2.0
    ost_part = person_years * (p.community_treatment_year + p.ost_medication_year)
    assert 0.9 * ost_part < extra < 2.5 * ost_part
