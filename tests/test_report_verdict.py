"""The report's first screen: helps / harms / unclear by the outcome's direction, costs by agency,
cost per death averted in words when a ratio would mislead, and how many runs it rests on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.planner.report import Comparison
from sim.planner.report.outcomes import better_of, unknown_outcomes
from sim.planner.report.stats import pairing_gain, runs_for_half_width
from sim.planner.report.verdict import HARMS, HELPS, UNCLEAR, Effect, _list, judge, pairing_words, verdicts
from sim.planner.scenario import Scenario

RUNS = 12
YEARS = 2.0


def town(deaths_change: float, cost_change: float, offences_change: float = 0.0, seed: int = 3) -> Comparison:
    """A synthetic paired comparison: per-run outcomes that share chance between arms, as CRN runs do."""
    rng = np.random.default_rng(seed)
    deaths = rng.normal(20, 4, RUNS)
    offences = rng.normal(3000, 300, RUNS)
    police = rng.normal(2e6, 2e5, RUNS)
    treatment = rng.normal(1e6, 1e5, RUNS)
    years = np.full(RUNS, YEARS)

    def arm(d: float, c: float, o: float, noise: float) -> dict[str, np.ndarray]:
        jitter = rng.normal(0, noise, RUNS)
        per_year = deaths + d + jitter
        return {
            "years": years,
            "overdose_deaths_per_year": per_year,
            "overdose_deaths_total": per_year * YEARS,
            "offences_per_year": offences + o + rng.normal(0, 10, RUNS),
            "active_dealers_mean": rng.normal(60, 5, RUNS),
            "cost_police_total": police,
            "cost_treatment_total": treatment + c + rng.normal(0, 1e3, RUNS),
            "cost_total_total": police + treatment + c,
        }

    base, policy = arm(0, 0, 0, 0.0), arm(deaths_change, cost_change, offences_change, 0.5)
    index = pd.Index(range(RUNS), name="replicate")
    summaries = {"baseline": pd.DataFrame(base, index=index), "policy": pd.DataFrame(policy, index=index)}
    return Comparison([Scenario(name="baseline"), Scenario(name="policy")], summaries, pd.DataFrame(), list(index))


def test_colour_follows_the_outcomes_direction() -> None:
    assert better_of("overdose_deaths_per_year") == "lower" and better_of("in_treatment_mean") == "higher"
    assert better_of("cost_total_total") == "lower" and better_of("arrests_per_year") == ""
    assert judge(-5, -1, "lower") == HELPS and judge(-5, -1, "higher") == HARMS
    assert judge(1, 5, "higher") == HELPS and judge(1, 5, "lower") == HARMS
    assert judge(-1, 2, "lower") == UNCLEAR and judge(1, 2, "") == "changes"


def test_costly_mix_that_clearly_saves_lives_gets_a_positive_cost_per_death() -> None:
    verdict = verdicts(town(deaths_change=-4, cost_change=8e5))[0]
    deaths = verdict.deaths
    assert deaths is not None and deaths.status == HELPS and deaths.change[0] == pytest.approx(-4, abs=0.5)
    words = verdict.value_for_money()
    assert "per death averted" in words and "-£" not in words
    # £800,000 over 2 years for 8 deaths averted over the run: about £100,000 a death.
    assert verdict.cost_per_death is not None and 80_000 < verdict.cost_per_death[0] < 125_000
    assert verdict.answer().startswith("Fund it if the price is worth it")
    agencies = dict(verdict.costs)
    assert agencies["local authority public health (drug treatment)"].change[0] == pytest.approx(4e5, rel=0.01)
    assert agencies["police (officer time)"].change[0] == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("deaths", "cost", "words", "answer"),
    [
        (-4, -5e5, "saves money and lives", "Yes"),
        (0, 8e5, "costs more and does not clearly help", "Not on this evidence"),
        (4, 8e5, "costs more and costs lives", "No"),
        (4, -5e5, "saves money but costs lives", "No"),
    ],
)
def test_cost_per_death_is_words_never_a_negative_ratio(deaths: float, cost: float, words: str, answer: str) -> None:
    verdict = verdicts(town(deaths_change=deaths, cost_change=cost))[0]
    assert verdict.value_for_money() == words
    assert verdict.answer().startswith(answer)
    assert "£" in verdict.answer()  # the sentence carries the money


def test_a_clear_help_and_a_clear_harm_is_a_judgement_with_both_named() -> None:
    answer = verdicts(town(deaths_change=-4, cost_change=8e5, offences_change=200))[0].answer()
    assert answer.startswith("A judgement") and "overdose deaths a year" in answer and "offences" in answer


def test_pairing_gain_and_runs_needed_say_what_more_runs_would_buy() -> None:
    rng = np.random.default_rng(0)
    shared = rng.normal(100, 20, 40)
    paired, unpaired, reduction = pairing_gain(shared + 2 + rng.normal(0, 2, 40), shared)
    assert paired < unpaired / 5 and reduction > 0.95
    # ±1 at 90% with sd 5 needs about (1.645*5)^2 = 68 pairs; a quarter of the width, 16 times as many.
    assert 68 <= runs_for_half_width(5.0, 1.0) <= 72
    assert runs_for_half_width(5.0, 0.25) == pytest.approx(16 * 68, rel=0.03)
    unclear = verdicts(town(deaths_change=-0.05, cost_change=8e5))[0]
    assert unclear.deaths is not None and unclear.deaths.status == UNCLEAR
    assert "paired runs (now 12) would show whether overdose deaths a year change" in unclear.answer()
    assert "pairing cut the variance" in pairing_words(unclear)


def test_unknown_outcome_names_are_an_error_listing_the_valid_ones(tmp_path: Path, capsys) -> None:
    problems = unknown_outcomes(["overdose_deaths_per_yr", "offences_per_year"])
    assert "'overdose_deaths_per_yr' is not an outcome; did you mean 'overdose_deaths_per_year'?" in problems[0]
    assert "offences_per_year" in problems[-1] and len(problems) == 2
    (tmp_path / "town.yaml").write_text("# A town.\nyears: 0.1\n")
    out = tmp_path / "out"
    code = main(
        ["compare", str(tmp_path / "town.yaml"), str(tmp_path / "town.yaml"), "--outcomes", "deaths", "--out", str(out)]
    )
    assert code == 2 and not out.exists()
    assert "--outcomes: 'deaths' is not an outcome" in capsys.readouterr().err


def test_charts_write_money_and_counts_in_full_with_units() -> None:
    from sim.planner.report.charts import _plain, cost_chart

    assert _plain("GBP")(8_000_000, 0) == "£8,000,000" and _plain("people")(-1500, 0) == "-1,500"
    assert _plain("GBP", sign=True)(250_000, 0) == "+£250,000"
    figure = cost_chart(town(deaths_change=-4, cost_change=8e5))
    assert figure is not None
    axes = figure.axes[0]
    figure.canvas.draw()
    ticks = [t.get_text() for t in axes.get_xticklabels()]
    assert (
        any(t.startswith(("£", "+£", "-£")) and "," in t for t in ticks)
        and axes.xaxis.get_offset_text().get_text() == ""
    )
    assert [t.get_text() for t in axes.get_yticklabels()][-1] == "All agencies"


def test_settings_that_differ_are_named_in_words_with_units() -> None:
    base = Scenario(name="baseline")
    plan = Scenario.model_validate({"name": "plan", "police": {"patrol_hours_per_day": 36}})
    comparison = Comparison([base, plan], {}, pd.DataFrame(), [])
    row = comparison.settings().set_index("setting").loc["police.patrol_hours_per_day"]
    assert row["unit"] == "officer-hours/day" and "patrol" in row["label"].lower() and row["plan"] == 36


def test_a_change_under_one_per_cent_is_not_written_as_zero_per_cent() -> None:
    small = Effect("in_treatment_mean", 858.0, (3.25, 0.35, 6.15), 1.0, 5.0, 3)
    large = Effect("overdose_deaths_per_year", 9.0, (-1.2, -2.0, -0.4), 0.3, 1.0, 20)
    assert _list([small]).endswith("by 3.25 (0.4%)")
    assert _list([large]).endswith("by 1.20 (13%)")
