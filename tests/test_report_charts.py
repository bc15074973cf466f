"""The report as a planner sees it in a browser: chart labels that can be read, titles that do not
shrink their chart, and settings named in words (each defect was seen in report.html in Chromium)."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import numpy as np
import pandas as pd
import pytest

from sim.model.costs import AGENCY_COLUMNS
from sim.model.outcomes import COLUMN_BY_NAME
from sim.planner.levers import parameter
from sim.planner.report import Comparison
from sim.planner.report.charts import cost_chart, fan_chart
from sim.planner.report.verdict import percent
from sim.planner.scenario import Scenario

RUNS = 6
YEARS = 3.0


def quarterly_town(column: str, level: float, wobble: float) -> Comparison:
    """Two scenarios with quarterly values of one daily outcome around `level` (no model runs)."""
    rng = np.random.default_rng(5)
    rows = [
        {"scenario": name, "quarter": q, "replicate": r, column: level + rng.normal(0, wobble)}
        for name in ("baseline", "policy")
        for q in range(12)
        for r in range(RUNS)
    ]
    scenarios = [Scenario(name="baseline"), Scenario(name="policy")]
    return Comparison(scenarios, {}, pd.DataFrame(rows), list(range(RUNS)))


def drawn_labels(figure, axis: str) -> list:
    figure.draw_without_rendering()  # lays the chart out as the PNG is (a bare canvas's draw() does nothing)
    axes = figure.axes[0]
    return [t for t in (axes.get_yticklabels() if axis == "y" else axes.get_xticklabels()) if t.get_text()]


def test_ticks_close_together_get_enough_decimals_to_differ() -> None:
    # Hours to find a seller wander between about 0.88 and 1.03: ticks 1.00 and 1.02 both read "1".
    figure = fan_chart(quarterly_town("mean_search_time", 0.95, 0.03), "mean_search_time")
    labels = [t.get_text() for t in drawn_labels(figure, "y")]
    assert len(labels) >= 4 and len(set(labels)) == len(labels), labels


def test_long_chart_title_is_wrapped_not_shrinking_the_chart() -> None:
    # The longest title (people with dependent use ...) made the picture wider than the others, so
    # the browser scaled that chart and all its text down.
    short = fan_chart(quarterly_town("in_treatment", 860, 10), "in_treatment")
    long = fan_chart(quarterly_town("dependent_users", 1230, 20), "dependent_users")
    widths = []
    for figure in (short, long):
        figure.draw_without_rendering()
        widths.append(figure.get_tightbbox().width)
    assert long.axes[0].get_title(loc="left").count("\n") >= 1
    assert widths[1] <= widths[0] * 1.03, widths


def test_cost_chart_money_labels_do_not_overlap() -> None:
    # Every agency as in a real run: treatment pays about £106k a year more, prison is noisy.
    rng = np.random.default_rng(2)
    extra = {"cost_treatment": 105_944 * YEARS, "cost_prison": 0.0}
    noise = {"cost_treatment": 60_000 * YEARS, "cost_prison": 40_000 * YEARS}
    base, policy = {"years": np.full(RUNS, YEARS)}, {"years": np.full(RUNS, YEARS)}
    for column in AGENCY_COLUMNS:
        level = rng.uniform(2e5, 3e6, RUNS)
        base[f"{column}_total"] = level
        policy[f"{column}_total"] = level + extra.get(column, 0.0) + rng.normal(0, noise.get(column, 500.0), RUNS)
    base["cost_total_total"] = sum(base[f"{c}_total"] for c in AGENCY_COLUMNS)
    policy["cost_total_total"] = sum(policy[f"{c}_total"] for c in AGENCY_COLUMNS)
    summaries = {"baseline": pd.DataFrame(base), "policy": pd.DataFrame(policy)}
    scenarios = [Scenario(name="baseline"), Scenario(name="policy")]
    comparison = Comparison(scenarios, summaries, pd.DataFrame(), list(range(RUNS)))
    figure = cost_chart(comparison)
    assert figure is not None
    labels = drawn_labels(figure, "x")
    boxes = sorted((t.get_window_extent() for t in labels), key=lambda box: box.x0)
    assert len(boxes) >= 3 and all(left.x1 < right.x0 for left, right in itertools.pairwise(boxes)), [
        t.get_text() for t in labels
    ]


def test_timed_change_note_on_a_chart_is_shortened_at_a_word() -> None:
    comparison = quarterly_town("in_treatment", 860, 10)
    note = "expansion goes live; new posts advertised with a recruitment drive"
    comparison.scenarios[1] = Scenario.model_validate(
        {"name": "policy", "events": [{"day": 90, "set": {"treatment.keyworkers": 26}, "note": note}]}
    )
    marks = [t.get_text() for t in fan_chart(comparison, "in_treatment").axes[0].texts]
    assert marks == ["expansion goes live; new posts…"], marks


def test_cost_total_chart_has_a_title_in_words() -> None:
    title = fan_chart(quarterly_town("cost_total", 2.2e6, 5e4), "cost_total").axes[0].get_title(loc="left")
    assert "above" not in title and title.startswith("Costs to all agencies"), title


def test_timed_changes_are_named_by_lever_with_units_not_dotted_keys() -> None:
    plan = Scenario.model_validate(
        {
            "name": "plan",
            "events": [{"day": 90, "set": {"treatment.keyworkers": 26, "deterrence.active": True}, "note": "go-live"}],
        }
    )
    settings = Comparison([Scenario(name="baseline"), plan], {}, pd.DataFrame(), []).settings()
    text = settings.set_index("setting").loc["events", "plan"]
    assert "treatment.keyworkers" not in text and "26 posts" in text and "→ yes" in text, text
    assert text.startswith("day 90: ") and text.endswith("(go-live)")


def test_lever_names_never_stop_inside_a_bracket() -> None:
    facts = parameter("deterrence.aligned_governance")
    assert facts.label.count("(") == facts.label.count(")"), facts.label


def test_outcomes_in_the_report_speak_of_people_not_users() -> None:
    # The report's full table names every outcome by its doc: "People using occasionally who became dependent".
    wording = {name: column.doc for name, column in COLUMN_BY_NAME.items()}
    found = {name: doc for name, doc in wording.items() if re.search(r"\b(users?|addicts?|junkies?)\b", doc, re.I)}
    assert found == {}, found


def test_a_change_that_rounds_to_nothing_has_no_sign() -> None:
    assert percent(-0.011) == "0.0%" and percent(0.0) == "0.0%" and percent(0.04) == "0.0%"
    assert percent(-2.46) == "-2.5%" and percent(2.3) == "+2.3%"


def test_report_heading_says_years_not_year_s() -> None:
    from sim.planner.report.page import page

    one = Scenario.model_validate({"name": "baseline", "years": 3, "start_date": dt.date(2025, 4, 7).isoformat()})
    comparison = Comparison([one], {"baseline": pd.DataFrame({"years": [3.0]})}, pd.DataFrame(), [0])
    text = page(comparison, {}, pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    assert "over 3 years from" in text and "year(s)" not in text


@pytest.mark.browser
def test_timed_changes_stay_readable_on_a_phone() -> None:
    # At 390 px the long list of a policy mix's changes was squeezed to a few letters a line.
    from browser_support import CHROMIUM_FLAGS, chromium_executable
    from playwright.sync_api import sync_playwright

    from sim.planner.report.page import page

    plan = Scenario.model_validate(
        {
            "name": "plan",
            "police": {"patrol_hours_per_day": 36},
            "events": [{"day": 90, "set": {"treatment.keyworkers": 26, "deterrence.active": True}, "note": "go-live"}],
        }
    )
    runs = pd.DataFrame({"years": [3.0, 3.0], "overdose_deaths_per_year": [9.0, 10.0]})
    summaries = {name: runs for name in ("baseline", "plan")}
    comparison = Comparison([Scenario(name="baseline"), plan], summaries, pd.DataFrame(), [0, 1])
    text = page(comparison, {}, comparison.headline(), comparison.table(), comparison.settings())
    executable = chromium_executable()
    assert executable is not None, "Debian's chromium is needed (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.set_content(text)
        cell = phone.locator("table.settings td", has_text="go-live").bounding_box()
        wide = phone.evaluate("document.documentElement.scrollWidth")
        browser.close()
    assert cell is not None and cell["width"] >= 200, cell
    assert wide <= 390  # the table scrolls inside itself; the page does not
