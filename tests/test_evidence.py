"""The evidence table: every published fact gets a row, and the fit is computed from the numbers."""

from __future__ import annotations

import numpy as np
import pytest

from sim.planner.scenario import Scenario
from sim.research import evidence


@pytest.fixture(scope="module")
def counts() -> list[dict[str, float]]:
    """One short baseline run (about three months): enough events for most counts."""
    scenario = Scenario()
    scenario.years = 0.25
    return [evidence.count_run(scenario, 0)]


def test_every_fact_has_a_row_with_figure_interval_and_source(counts: list[dict[str, float]]) -> None:
    rows = evidence.table(counts, resamples=200)
    assert list(rows["fact"]) == [fact.name for fact in evidence.FACTS]
    assert rows["source"].str.len().gt(0).all()
    measured = rows[np.isfinite(rows["model"])]
    # prevalence, share in treatment, waits, deaths, overdose ratio, offending, arrests, sellers at least
    assert len(measured) >= 11
    assert (measured["low"] <= measured["high"]).all()
    md = evidence.to_markdown(rows, replicates=2, years=0.25, seed=1)
    assert md.count("\n| ") == len(evidence.FACTS) + 1
    assert "Baseline town" in md
    # A table measured on a scenario file says so, and how to make it again.
    named = evidence.to_markdown(rows, replicates=2, years=0.25, seed=1, scenario_file="my-town.yaml")
    assert "drugmarket evidence my-town.yaml --replicates 2" in named and "Baseline town" not in named


def test_fit_follows_the_numbers_not_a_label(counts: list[dict[str, float]]) -> None:
    rows = evidence.table(counts, resamples=50)
    for row in rows.itertuples():
        if np.isfinite(row.band_low) and np.isfinite(row.model):
            inside = row.band_low <= row.model <= row.band_high
            assert row.fit == ("within band" if inside else "outside band")
            assert bool(row.why) == (not inside)
    # Tripling the people counted as in treatment moves that row out of its band.
    shifted = [dict(c, treated_days=3 * c["treated_days"]) for c in counts]
    share = evidence.table(shifted, resamples=50).set_index("fact").loc["Share of OCUs in treatment"]
    assert share["fit"] == "outside band"
    assert share["model"] == pytest.approx(3 * rows.set_index("fact").loc["Share of OCUs in treatment", "model"])


def test_deaths_on_ost_are_counted_from_spells() -> None:
    """A death inside an OST spell counts as on OST; one after the spell ended does not."""
    import pandas as pd

    entered = pd.DataFrame({"day": [10], "id": [1], "value": [0.0]})
    left = pd.DataFrame({"day": [50], "id": [1], "value": [1.0]})
    spells = evidence._intervals(entered, left, np.array([2]), last_day=99)
    deaths = pd.DataFrame({"day": [20, 60, 5], "id": [1, 1, 2]})
    assert list(evidence._within(spells, deaths)) == [True, False, True]


def test_the_baseline_after_leaving_ost_is_time_on_ost_past_its_first_four_weeks() -> None:
    """Cornish et al. 2010 compare the weeks after leaving OST with the rest of time on treatment:
    an overdose in a course's first four weeks is not in that baseline, one later is, and people
    already on OST on day 0 are past induction."""
    import pandas as pd

    entered = pd.DataFrame({"day": [10, 200], "id": [1, 3], "value": [0.0, 0.0]})
    left = pd.DataFrame({"day": [100, 220], "id": [1, 3], "value": [1.0, 1.0]})
    spells = evidence._intervals(entered, left, np.array([2]), last_day=299)
    stable = evidence._past_induction(spells)
    assert sorted(stable["id"]) == [1, 2]  # the 20-day course has no time past induction
    overdoses = pd.DataFrame({"day": [20, 60, 5, 210], "id": [1, 1, 2, 3]})
    assert list(evidence._within(stable, overdoses)) == [False, True, True, False]
