"""Comparisons a board can read: paired changes, honest intervals, costs, and a one-file report."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.planner.levers import change_in_words
from sim.planner.report import COST_PER_DEATH_AVERTED, Comparison, paired_cost_per_death_averted
from sim.planner.report.compare import levers_in_words
from sim.planner.scenario import Scenario, TimedChange
from sim.viz.story import drawer_label

SMALL_TOWN = """
years: 0.5
seed: 11
people: {initial_dependent: 600, initial_occasional: 200, initial_in_recovery: 200, initiation_per_year: 80}
dealers: {initial_sellers: 40}
"""


def synthetic(base: dict[str, list[float]], policy: dict[str, list[float]]) -> Comparison:
    """A comparison built from given per-run outcomes (no model runs)."""
    scenarios = [Scenario(name="baseline"), Scenario(name="policy")]
    index = pd.Index(range(len(next(iter(base.values())))), name="replicate")
    summaries = {"baseline": pd.DataFrame(base, index=index), "policy": pd.DataFrame(policy, index=index)}
    return Comparison(scenarios, summaries, pd.DataFrame(), list(index))


def test_change_is_paired_run_by_run_so_shared_chance_cancels() -> None:
    # Deaths swing a lot from run to run, but the policy saves exactly two in every run.
    deaths = [10.0, 30.0, 15.0, 40.0, 22.0, 35.0, 12.0, 28.0]
    comparison = synthetic({"overdose_deaths_per_year": deaths}, {"overdose_deaths_per_year": [d - 2 for d in deaths]})
    row = comparison.table().set_index(["scenario", "outcome"]).loc[("policy", "overdose_deaths_per_year")]
    assert row["change"] == pytest.approx(-2.0)
    assert row["change_low"] == pytest.approx(-2.0) and row["change_high"] == pytest.approx(-2.0)
    assert row["runs_lower"] == 8
    assert row["low"] < 15 and row["high"] > 35  # while each scenario's own spread is wide
    assert row["change_pct"] == pytest.approx(-2.0 / np.mean(deaths) * 100)


def test_every_summary_outcome_is_compared_including_ones_added_later() -> None:
    comparison = synthetic(
        {"overdose_deaths_total": [5.0, 6.0], "people_in_treatment_mean": [800.0, 820.0]},
        {"overdose_deaths_total": [4.0, 6.0], "people_in_treatment_mean": [900.0, 910.0]},
    )
    table = comparison.table().set_index(["scenario", "outcome"])
    assert table.loc[("policy", "people_in_treatment_mean"), "change"] == pytest.approx(95.0)
    assert table.loc[("policy", "people_in_treatment_mean"), "label"] == "People in treatment mean"


def test_cost_per_death_averted_is_extra_cost_over_deaths_averted() -> None:
    rng = np.random.default_rng(1)
    base_deaths = rng.poisson(60, 20).astype(float)
    base = {"overdose_deaths_total": base_deaths, "cost_total_total": rng.normal(5e6, 1e5, 20)}
    policy = {
        "overdose_deaths_total": base_deaths - 6 + rng.normal(0, 1, 20),
        "cost_total_total": base["cost_total_total"] + 1.2e6 + rng.normal(0, 5e4, 20),
    }
    value, low, high, note = paired_cost_per_death_averted(pd.DataFrame(policy), pd.DataFrame(base))
    extra = np.mean(policy["cost_total_total"] - base["cost_total_total"])
    averted = np.mean(base["overdose_deaths_total"] - policy["overdose_deaths_total"])
    assert value == pytest.approx(extra / averted)
    assert low < value < high and 150_000 < value < 250_000 and note == ""
    row = synthetic(base, policy).table().set_index(["scenario", "outcome"]).loc[("policy", COST_PER_DEATH_AVERTED)]
    assert row["mean"] == pytest.approx(value) and row["unit"] == "GBP per death averted"


def test_cost_per_death_averted_has_no_interval_when_deaths_averted_may_be_zero() -> None:
    base = {"overdose_deaths_total": [10.0, 12.0, 9.0, 11.0], "cost_total_total": [1e6] * 4}
    policy = {"overdose_deaths_total": [9.0, 13.0, 8.0, 11.0], "cost_total_total": [1.1e6] * 4}
    value, low, high, note = paired_cost_per_death_averted(pd.DataFrame(policy), pd.DataFrame(base))
    assert value == pytest.approx(0.1e6 / 0.25) and math.isnan(low) and math.isnan(high)
    assert "not clearly above zero" in note


def test_compare_writes_a_self_contained_report_and_tables(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "town.yaml").write_text("# The small test town.\n" + SMALL_TOWN)
    (tmp_path / "surge.yaml").write_text(
        "# Does a patrol surge shrink the market?\nextends: town.yaml\n"
        "events:\n  - {day: 60, set: {police.patrol_hours_per_day: 80}, note: surge starts}\n"
    )
    out = tmp_path / "out"
    args = ["compare", str(tmp_path / "town.yaml"), str(tmp_path / "surge.yaml"), "--out", str(out)]
    assert main([*args, "--replicates", "3", "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "Seller arrests a year" in printed and "surge against town" in printed
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") >= 5
    assert not re.search(r"<script|<link|src=['\"]http", page)  # nothing fetched from elsewhere
    assert "alt='Change against the baseline'" in page
    assert "<h2>Verdict: surge against town</h2>" in page and "name='viewport'" in page
    assert page.index("Verdict:") < page.index("What changes")  # the answer comes first
    assert "Verdict: surge against town" in printed and "paired runs per scenario" in printed
    verdict = pd.read_csv(out / "verdict.csv")
    assert set(verdict["verdict"]) <= {"helps", "harms", "unclear", "changes"} and "cost_police_per_year" in set(
        verdict["outcome"]
    )
    # Timed changes: the day and its note, then each lever in words with its unit, not its dotted key.
    assert "<b>day 60</b> (surge starts)" in page and "police.patrol_hours_per_day = 80" not in page
    patrol = "Planned officer hours of patrol and disruption at market locations each day"
    assert f"<li>{patrol} → 80 officer-hours/day</li>" in page
    headline = pd.read_csv(out / "headline.csv")
    surge = headline[(headline["scenario"] == "surge") & (headline["outcome"] == "dealer_arrests_per_year")].iloc[0]
    assert surge["change"] > 0 and surge["runs"] == 3
    pd.testing.assert_frame_equal(pd.read_parquet(out / "headline.parquet"), headline, check_dtype=False)
    settings = pd.read_csv(out / "settings.csv")
    assert list(settings["setting"]) == ["events"]  # the only setting that differs
    assert (out / "plots" / "overdose_deaths.png").stat().st_size > 10_000
    # More replicates later: the three saved runs of each scenario are reused.
    assert main([*args, "--replicates", "4", "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "2 run(s) done" in printed and "6 already saved" in printed


def test_a_timed_change_reads_the_same_in_the_report_as_on_the_workshop_page() -> None:
    """One wording for a timed change: a rota as its shifts, numbers with thousands separators,
    a switch as yes/no, and the workshop page's own lever name where it has one."""
    rota = [{"start_hour": 16, "hours": 8, "workers": 1, "weekends": True}]
    change = TimedChange(
        day=30, set={"custody.drug_worker_rota": rota, "police.patrol_hours_per_day": 1200, "deterrence.active": True}
    )
    words = levers_in_words(change)
    assert words[0].endswith("→ 1 worker 16:00-00:00 every day"), words
    assert words[1].endswith("→ 1,200 officer-hours/day") and words[2].endswith("→ yes"), words
    assert "start_hour" not in " ".join(words)
    page = change_in_words("police.patrol_hours_per_day", 48, drawer_label("police.patrol_hours_per_day"))
    assert page == "Police patrol at the market → 48 officer-hours/day"
