"""The police drug team: staffing, overtime, fatigue, burnout, turnover, skill and targeted operations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.model.context import Context
from sim.model.model import DrugMarketModel
from sim.model.officers import OfficerParams
from sim.model.police import Enforcement, PoliceParams
from sim.model.workforce import DrugTeam
from sim.planner.scenario import Scenario, load_scenario

SEEDS = range(3)


_CONTEXTS: dict[int, Context] = {}


def _team(rng_seed: int = 0, **levers: float) -> DrugTeam:
    context = Context.start(rng_seed, 2_000)
    team = DrugTeam(OfficerParams(**levers), context)
    _CONTEXTS[id(team)] = context  # `_work` keys each day's individual luck to the day, as the model's step does
    return team


def _work(team: DrugTeam, days: int, patrol_hours: float, start: int = 0) -> None:
    """Run the team through `days` days of the same tasking (no case work or operations)."""
    for day in range(start, start + days):
        _CONTEXTS[id(team)].start_day(day)
        team.staff(day, day % 7, case_hours=0.0, patrol_hours=patrol_hours, operation_hours=0.0)
        team.rest_and_turnover(day)
        team.record.close_day()


def _daily(scenario: Scenario, seeds: range = SEEDS) -> list[pd.DataFrame]:
    return [sim.run(scenario, seed=seed).daily for seed in seeds]


# -- the workforce on its own -----------------------------------------------------------------
def test_overtime_raises_fatigue_and_burnout() -> None:
    light, heavy = _team(), _team()
    _work(light, 120, patrol_hours=20.0)  # within rostered capacity
    _work(heavy, 120, patrol_hours=80.0)  # far beyond it: overtime every day
    assert heavy.record.last("overtime_hours", 120).sum() > 10 * max(light.record.last("overtime_hours", 120).sum(), 1)
    ids_l, ids_h = light.serving, heavy.serving
    assert heavy.fatigue[ids_h].mean() > light.fatigue[ids_l].mean() + 0.02
    assert heavy.burnout[ids_h].mean() > 2 * light.burnout[ids_l].mean()


def test_fatigue_recovers_with_rest() -> None:
    """Mean fatigue over the last four weeks of heavy overtime, then over the third and fourth
    weeks of rest (daily means, three teams: one day's snapshot depends on who worked that week)."""
    tired, rested = [], []
    for seed in SEEDS:
        team = _team(seed)
        for day in range(118):
            _work(team, 1, patrol_hours=80.0 if day < 90 else 0.0, start=day)
            if 62 <= day < 90:
                tired.append(team.fatigue[team.serving].mean())
            elif day >= 104:
                rested.append(team.fatigue[team.serving].mean())
    assert np.mean(rested) < 0.2 * np.mean(tired)


def test_fatigue_and_burnout_lower_yield() -> None:
    team = _team()
    ids = team.team
    rested = team.productivity(ids).copy()
    team.fatigue[ids] = 1.0
    tired = team.productivity(ids).copy()
    team.burnout[ids] = 1.0
    burnt_out = team.productivity(ids)
    p = team.p
    np.testing.assert_allclose(tired, rested * (1 - p.fatigue_yield_loss))
    assert np.all(burnt_out < tired)


def test_burnout_brings_sickness_leaving_and_fewer_volunteers() -> None:
    days = 365
    outcomes = {}
    for burnout in (0.0, 0.6):
        team = _team(1, establishment=300, overtime_pool=0, hiring_delay_days=3650)
        team.burnout[team.serving] = burnout
        team.p.burnout_build_days = team.p.burnout_recovery_days = 1e6  # hold burnout fixed: isolate its effects
        _work(team, days, patrol_hours=3_000.0)  # far more than rostered time: overtime every day
        record = team.record
        outcomes[burnout] = (
            record.last("officers_sick", days).mean() / record.last("team_in_post", days).mean(),
            record.last("team_leavers", days).sum(),
            record.last("overtime_volunteers", days).sum() / record.last("team_in_post", days).sum(),
        )
    calm, burnt = outcomes[0.0], outcomes[0.6]
    assert burnt[0] > 2 * calm[0]  # more officers off sick
    assert burnt[1] > 2 * calm[1]  # more leavers
    assert burnt[2] < 0.5 * calm[2]  # fewer volunteers for overtime


def test_about_six_percent_of_officers_leave_a_year_without_burnout() -> None:
    left = 0.0
    for seed in SEEDS:
        team = _team(seed, establishment=400, overtime_pool=0, hiring_delay_days=3650)
        _work(team, 365, patrol_hours=0.0)
        left += team.record.last("team_leavers", 365).sum()
    assert 0.045 < left / (400 * len(SEEDS)) < 0.075


def test_vacancies_are_filled_after_the_hiring_delay_by_less_skilled_officers() -> None:
    team = _team(3, establishment=10, hiring_delay_days=100)
    _work(team, 5, patrol_hours=20.0)
    team.p.establishment = 14  # four posts funded on day 5
    _work(team, 120, patrol_hours=20.0, start=5)
    in_post = team.record.last("team_in_post", 125)
    assert in_post[5 + 90] <= 10 + 0  # nobody new before the delay has run (bar no leavers here)
    assert in_post[5 + 101] >= 13  # the recruits have arrived
    assert np.count_nonzero(team.joined[: team.n] > 0) >= 4  # four recruits joined (one may have left since)
    recruits = team.team[team.joined[team.team] > 0]
    veterans = team.team[team.joined[team.team] == 0]
    assert team.skill(recruits).mean() < team.skill(veterans).mean() - 0.2


def test_new_officers_gain_skill_with_experience() -> None:
    team = _team(4, initial_experience_years=0.0, overtime_pool=0)
    start = team.skill(team.team).mean()
    _work(team, 365, patrol_hours=30.0)
    assert start == pytest.approx(team.p.new_officer_skill, abs=1e-9)
    assert team.skill(team.team).mean() > start + 0.25


def test_weekday_rota_leaves_weekend_patrol_to_overtime() -> None:
    team = _team(5, rota="weekdays", overtime_pool=0)
    days = 70
    _work(team, days, patrol_hours=20.0)  # day 0 is treated as a Monday
    overtime = team.record.last("overtime_hours", days)
    weekday = np.arange(days) % 7
    assert overtime[weekday >= 5].mean() > 5 * max(overtime[weekday < 5].mean(), 0.1)


# -- enforcement ------------------------------------------------------------------------------
def test_targeted_operations_are_swamped_by_larger_groups() -> None:
    police = Enforcement(PoliceParams(), np.array([0]), np.ones(1), n_groups=4, context=Context.start(0))
    hours = np.full(4, 10.0)
    members = np.array([2.0, 5.0, 20.0, 80.0])
    risk = police.seller_risk(hours, members, 0.012)
    assert np.all(np.diff(risk) < 0)


def test_operations_aim_at_high_harm_groups() -> None:
    police = Enforcement(PoliceParams(), np.array([0]), np.ones(1), n_groups=25, context=Context.start(0))
    plan = police.plan_operations(np.full(25, 4))
    high = police.high_harm
    assert high.sum() == PoliceParams().high_harm_groups
    assert plan[high].mean() > 5 * plan[~high].mean()
    assert plan.sum() == pytest.approx(PoliceParams().operation_hours_per_week / 7)


def test_case_work_after_arrests_takes_officer_hours(baseline: Scenario) -> None:
    heavy_cases = baseline.model_copy(deep=True)
    heavy_cases.police.case_hours_per_arrest = 40.0
    light = pd.concat(_daily(baseline, range(2)))
    heavy = pd.concat(_daily(heavy_cases, range(2)))
    assert heavy["case_work_hours"].sum() > 3 * light["case_work_hours"].sum()
    assert heavy["overtime_hours"].sum() > 1.5 * light["overtime_hours"].sum()


def test_tired_officers_make_fewer_arrests_per_patrol_hour(baseline: Scenario) -> None:
    stretched = baseline.model_copy(deep=True)
    stretched.officers.unrostered_hours_per_week = 25.0  # everyone already works about 60 hours
    rested = pd.concat(_daily(baseline))
    tired = pd.concat(_daily(stretched))
    per_hour = {
        name: (d["dealer_arrests"] - d["operation_arrests"]).sum() / d["patrol_hours"].sum()
        for name, d in (("rested", rested), ("tired", tired))
    }
    assert tired["mean_fatigue"].mean() > 0.4
    assert per_hour["tired"] < 0.85 * per_hour["rested"]
    assert tired["case_quality"].mean() < rested["case_quality"].mean() - 0.1


def test_new_team_makes_lower_quality_cases_that_improve_with_experience(baseline: Scenario) -> None:
    model = DrugMarketModel(baseline, rng=np.random.SeedSequence(1))
    qualities = []
    for _ in range(30):
        model.step()
        qualities.append(model.case_quality)
    assert all(0.0 < q <= 1.0 for q in qualities)

    new_team = baseline.model_copy(deep=True)
    new_team.officers.initial_experience_years = 0.0
    new_team.officers.overtime_pool = 0
    veteran = pd.concat(_daily(baseline, range(2)))
    novice = pd.concat(_daily(new_team, range(2)))
    first_year = novice["day"] < 365
    assert novice.loc[first_year, "case_quality"].mean() < veteran["case_quality"].mean() - 0.15
    assert novice.loc[~first_year, "case_quality"].mean() > novice.loc[first_year, "case_quality"].mean() + 0.1


# -- the planner's question: overtime or funded posts ----------------------------------------
@pytest.fixture(scope="module")
def surges(repo_root) -> dict[str, list[pd.DataFrame]]:  # type: ignore[no-untyped-def]
    """The two surge variants over the first two years of the surge (go-live day 182)."""
    runs = {}
    for name in ("surge-overtime", "surge-funded-posts"):
        scenario = load_scenario(repo_root / "scenarios" / f"{name}.yaml")
        scenario.years = 2.5
        runs[name] = _daily(scenario)
    return runs


def _surge_year(daily: pd.DataFrame, year: int) -> pd.DataFrame:
    start = 182 + 365 * (year - 1)
    return daily[(daily["day"] >= start) & (daily["day"] < start + 365)]


def test_overtime_surge_delivers_fewer_hours_than_planned_in_its_second_year(surges) -> None:  # type: ignore[no-untyped-def]
    planned = (48.0 + 56.0 / 7) * 365
    delivered = [
        (year["patrol_hours"] + year["operation_hours"]).sum()
        for year in (_surge_year(daily, 2) for daily in surges["surge-overtime"])
    ]
    assert max(delivered) < 0.97 * planned
    assert np.mean(delivered) < 0.96 * planned
    # ... and a smaller share of the hours offered as overtime gets worked than in the surge's
    # first months, as volunteers tire and burn out.
    first_quarter = pd.concat([d[(d["day"] >= 182) & (d["day"] < 273)] for d in surges["surge-overtime"]])
    second = pd.concat([_surge_year(d, 2) for d in surges["surge-overtime"]])
    assert _filled(second) < _filled(first_quarter) - 0.05
    assert second["mean_burnout"].mean() > 2 * first_quarter["mean_burnout"].iloc[:7].mean()


def _filled(daily: pd.DataFrame) -> float:
    """Share of the hours offered as overtime that volunteers worked."""
    return daily["overtime_hours"].sum() / (daily["overtime_hours"] + daily["unfilled_hours"]).sum()


def test_funded_posts_do_not_burn_out_like_overtime(surges) -> None:  # type: ignore[no-untyped-def]
    overtime = pd.concat([_surge_year(d, 2) for d in surges["surge-overtime"]])
    funded = pd.concat([_surge_year(d, 2) for d in surges["surge-funded-posts"]])
    assert funded["unfilled_hours"].sum() < 0.2 * overtime["unfilled_hours"].sum()
    assert funded["overtime_hours"].sum() < 0.4 * overtime["overtime_hours"].sum()
    assert funded["mean_burnout"].mean() < 0.7 * overtime["mean_burnout"].mean()
    assert funded["high_fatigue_officers"].mean() < overtime["high_fatigue_officers"].mean()
    assert (funded["patrol_hours"] + funded["operation_hours"]).sum() > (
        overtime["patrol_hours"] + overtime["operation_hours"]
    ).sum()
