"""Comparison tables, plots and the HTML report: what changes, by how much, and how sure we are.

A `Comparison` holds the replicates of a baseline and the scenarios compared with it, run with
common random numbers (replicate r of every scenario shares one random stream). It becomes a
table (`table()`, `headline()`, `settings()`), figures (`fan_chart()`, `change_chart()`) and one
self-contained HTML file (`write()`), so the command line, the report and a notebook share one
path.

Intervals, in words a board can use:
- an outcome's *90% interval* is the range of the middle 90% of runs (5th to 95th percentile):
  the spread of what the town could see by chance under that scenario;
- a *change* is paired: run r of a policy minus run r of the baseline, which share a random
  stream, so much of the chance variation cancels. Its 90% interval is the middle 90% of the
  paired changes; `runs lower` counts the pairs in which the policy's value was lower;
- the CSV and Parquet tables also give a 90% confidence interval of the average change
  (t-interval over pairs), which narrows as replicates are added.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import math
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from sim.model.outcomes import COLUMN_BY_NAME, DAILY_COLUMNS, FLOW
from sim.planner.files import ensure_folder, write_atomically, write_csv, write_parquet
from sim.planner.scenario import Scenario, TimedChange
from sim.planner.store import Store

LOW, HIGH = 5.0, 95.0
DAYS_PER_QUARTER = 365.25 / 4


@dataclass(frozen=True)
class Headline:
    """An outcome a planner asks about first, in their words; `better` is 'lower', 'higher' or ''."""

    key: str
    label: str
    better: str = ""
    group: str = ""


def _group(name: str, *items: tuple[str, str, str]) -> tuple[Headline, ...]:
    return tuple(Headline(key, label, better, name) for key, label, better in items)


#: The outcomes shown first, by group and in this order, where the runs report them (keys a
#: model section does not report are skipped). Every other summary outcome is in the full table;
#: the total cost joins automatically. Names follow sim/model/outcomes.py::DAILY_COLUMNS (the police
#: side as merged; the treatment and justice side as on its branch).
HEADLINE: tuple[Headline, ...] = (
    *_group(
        "Deaths",
        ("overdose_deaths_per_year", "Overdose deaths a year", "lower"),
        ("overdoses_per_year", "Overdoses a year", "lower"),
        ("naloxone_reversals_per_year", "Overdoses reversed with naloxone a year", ""),
    ),
    *_group("Offences", ("offences_per_year", "Drug-related acquisitive offences a year", "lower")),
    *_group(
        "Prevalence",  # no better direction on its own: fewer deaths leave more people using
        ("dependent_use_total_mean", "People with dependent use, in or out of treatment (average)", ""),
        ("dependent_users_mean", "People with dependent use out of treatment and custody (average)", ""),
        ("people_using_mean", "People using drugs (average)", ""),
        ("new_initiates_per_year", "People starting to use a year", "lower"),
    ),
    *_group(
        "Treatment",
        ("in_treatment_mean", "People in treatment (average)", "higher"),
        ("waiting_list_mean", "People waiting for treatment (average)", "lower"),
        ("treatment_entries_per_year", "Treatment entries a year", "higher"),
        ("custody_referrals_per_year", "Referrals from custody a year", "higher"),
        ("diversions_per_year", "Diversions a year", ""),
    ),
    *_group(
        "Justice",
        ("charges_per_year", "Charges a year", ""),
        ("mean_charge_delay_mean", "Days from arrest to charge (average)", "lower"),
        ("prison_population_mean", "People in prison from the market (average)", ""),
    ),
    *_group(
        "Market",
        ("active_dealers_mean", "Street sellers working (average)", "lower"),
        ("transactions_per_year", "Street purchases a year", "lower"),
        ("mean_search_time_mean", "Hours to find a seller (average)", "higher"),
    ),
    *_group(
        "Police",
        ("arrests_per_year", "Arrests a year", ""),
        ("dealer_arrests_per_year", "Seller arrests a year", ""),
        ("high_harm_disrupted_per_year", "High-harm group members arrested a year", "higher"),
        ("officer_hours_per_year", "Officer hours a year", ""),
        ("overtime_hours_per_year", "Overtime hours a year", ""),
        ("unfilled_hours_per_year", "Planned police hours nobody covered a year", "lower"),
        ("team_in_post_mean", "Officers in post in the drug team (average)", "higher"),
        ("team_leavers_per_year", "Drug-team officers leaving a year", "lower"),
        ("officers_sick_mean", "Officers on sick leave (average)", "lower"),
    ),
)

#: Daily columns drawn as fan charts over time, where the runs report them (plus the total cost).
FAN_CHARTS: tuple[str, ...] = (
    "overdose_deaths",
    "offences",
    "dependent_users",
    "in_treatment",
    "waiting_list",
    "active_dealers",
    "mean_search_time",
    "arrests",
    "overtime_hours",
    "team_in_post",
)

#: Summary keys holding the total cost of a run across agencies, first found wins. Without one,
#: the cost columns (GBP flows with "cost" in the name, except totals) are added up.
TOTAL_COST_KEYS: tuple[str, ...] = ("total_cost_total", "cost_total_total", "costs_total_total")
DEATHS_KEY = "overdose_deaths_total"
COST_PER_DEATH_AVERTED = "cost_per_death_averted"

#: The widest % change axis of the change chart; changes beyond the axis are written at its edge.
CHANGE_AXIS = (-100.0, 200.0)

#: Colour-blind-safe colours (Okabe & Ito); the baseline is drawn in dark grey.
BASELINE_COLOUR = "#4d4d4d"
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")


# -- outcome names, units and labels ---------------------------------------------------------------
_SUFFIXES = {"_per_year": "a year", "_total": "over the run", "_mean": "average", "_final": "at the end"}


def split_key(key: str) -> tuple[str, str]:
    """('overdose_deaths', '_per_year') from 'overdose_deaths_per_year'."""
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and key[: -len(suffix)] in COLUMN_BY_NAME:
            return key[: -len(suffix)], suffix
    return key, ""


def unit_of(key: str) -> str:
    """The unit of a summary outcome, from the daily column it summarises."""
    if key == COST_PER_DEATH_AVERTED:
        return "GBP per death averted"
    column, suffix = split_key(key)
    if column not in COLUMN_BY_NAME:
        return {"days": "days", "years": "years"}.get(key, "")
    unit = COLUMN_BY_NAME[column].unit
    return f"{unit}/year" if suffix == "_per_year" else unit


def label_of(key: str) -> str:
    """A planner's name for a summary outcome."""
    for item in HEADLINE:
        if item.key == key:
            return item.label
    if key == COST_PER_DEATH_AVERTED:
        return "Cost per overdose death averted"
    if key in TOTAL_COST_KEYS:
        return "Total cost over the run"
    column, suffix = split_key(key)
    if column in COLUMN_BY_NAME:
        doc = COLUMN_BY_NAME[column].doc.rstrip(".").replace(" today", "")
        return f"{doc} ({_SUFFIXES[suffix]})"
    return key.replace("_", " ").capitalize()


def cost_keys() -> list[str]:
    """Summary keys of the cost columns (GBP flows whose names say cost)."""
    return [
        f"{c.name}_total" for c in DAILY_COLUMNS if c.kind == FLOW and c.unit.startswith("GBP") and "cost" in c.name
    ]


def charted_columns() -> list[str]:
    """Daily columns drawn over time: the curated ones, then the total cost (or its parts)."""
    totals = [k.removesuffix("_total") for k in TOTAL_COST_KEYS if k.removesuffix("_total") in COLUMN_BY_NAME]
    costs = totals[:1] or [k.removesuffix("_total") for k in cost_keys()]
    return [c for c in (*FAN_CHARTS, *costs) if c in COLUMN_BY_NAME]


def group_of(key: str) -> str:
    """The heading a headline outcome is shown under."""
    for item in HEADLINE:
        if item.key == key:
            return item.group
    return "Costs" if key == COST_PER_DEATH_AVERTED or key in TOTAL_COST_KEYS or key in cost_keys() else "Other"


def total_cost(summaries: pd.DataFrame) -> pd.Series | None:
    """Total cost of each run (GBP), or None if the model reports no costs."""
    for key in TOTAL_COST_KEYS:
        if key in summaries:
            return summaries[key]
    parts = [k for k in cost_keys() if k in summaries and "total" not in k.removesuffix("_total")]
    return summaries[parts].sum(axis=1) if parts else None


def headline_keys(available: Iterable[str], chosen: list[str] | None = None) -> list[str]:
    """The outcomes shown first: chosen ones, or the curated list plus costs, where present."""
    available = list(available)
    if chosen:
        return [k for k in chosen if k in available or k == COST_PER_DEATH_AVERTED]
    keys = [h.key for h in HEADLINE if h.key in available]
    total = next((k for k in TOTAL_COST_KEYS if k in available), None)
    keys += [total] if total else [k for k in cost_keys() if k in available]
    return keys


# -- numbers -------------------------------------------------------------------------------------
def spread(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and the 5th and 95th percentiles."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return math.nan, math.nan, math.nan
    return float(values.mean()), float(np.percentile(values, LOW)), float(np.percentile(values, HIGH))


def mean_interval(values: np.ndarray) -> tuple[float, float]:
    """90% confidence interval of the mean (t-interval)."""
    values = np.asarray(values, dtype=float)
    if values.size < 2:
        return math.nan, math.nan
    half = stats.t.ppf(HIGH / 100, values.size - 1) * values.std(ddof=1) / math.sqrt(values.size)
    return float(values.mean() - half), float(values.mean() + half)


def paired_cost_per_death_averted(
    policy: pd.DataFrame, baseline: pd.DataFrame, draws: int = 2000
) -> tuple[float, float, float, str]:
    """Extra cost over deaths averted (means over paired runs), with a bootstrap 90% interval.

    Returns (value, low, high, note). The ratio of means is used, as in cost-effectiveness
    analysis; the interval resamples pairs of runs and is left empty when deaths averted are
    not clearly above zero, since a ratio over a number near zero is meaningless.
    """
    policy_cost, base_cost = total_cost(policy), total_cost(baseline)
    if policy_cost is None or base_cost is None or DEATHS_KEY not in policy or DEATHS_KEY not in baseline:
        return math.nan, math.nan, math.nan, "the model reports no costs"
    extra = (policy_cost - base_cost).to_numpy(dtype=float)
    averted = (baseline[DEATHS_KEY] - policy[DEATHS_KEY]).to_numpy(dtype=float)
    if averted.mean() <= 0:
        return math.nan, math.nan, math.nan, "no deaths averted on average"
    value = float(extra.mean() / averted.mean())
    rng = np.random.default_rng(0)
    picks = rng.integers(0, extra.size, size=(draws, extra.size))
    top, bottom = extra[picks].mean(axis=1), averted[picks].mean(axis=1)
    if np.mean(bottom <= 0) > LOW / 100:
        return value, math.nan, math.nan, "deaths averted not clearly above zero: no interval"
    ratio = np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), np.inf)
    note = "saves money as well as lives" if value < 0 else ""
    return value, float(np.percentile(ratio, LOW)), float(np.percentile(ratio, HIGH)), note


def quarterly(daily: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Flows per quarter, stocks as the quarter's average, over quarters of the run.

    Quarters rather than months: deaths in a town are a handful a month, too few to draw.
    A part quarter at the end of a run is scaled to a whole one.
    """
    quarter = (daily["day"] // DAYS_PER_QUARTER).astype(int)
    grouped = daily.groupby(quarter)
    days = grouped.size()
    table = pd.DataFrame(index=days.index)
    for name in columns:
        if COLUMN_BY_NAME[name].kind == FLOW:
            table[name] = grouped[name].sum() / days * DAYS_PER_QUARTER
        else:
            table[name] = grouped[name].mean()
    table.index.name = "quarter"
    return table


# -- the comparison ------------------------------------------------------------------------------
@dataclass
class Comparison:
    """A baseline (first) and the scenarios compared with it, replicate by replicate."""

    scenarios: list[Scenario]
    summaries: dict[str, pd.DataFrame]
    quarterly: pd.DataFrame
    replicates: list[int]
    failures: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    outcomes: list[str] | None = None
    seconds: float = 0.0

    @classmethod
    def from_store(
        cls, store: Store, scenarios: list[Scenario], replicates: int, outcomes: list[str] | None = None
    ) -> Comparison:
        """Gather finished runs; only replicates finished for every scenario are compared."""
        asked = range(replicates)
        summaries = {s.name: store.summaries(s, asked) for s in scenarios}
        common = sorted(set.intersection(*(set(t.index) for t in summaries.values()))) if summaries else []
        summaries = {name: table.loc[common] for name, table in summaries.items()}
        failures = {s.name: store.failures(s, asked) for s in scenarios}
        charted = charted_columns()
        frames = []
        for scenario in scenarios:
            for replicate in common:
                daily = store.daily(scenario, replicate, columns=["day", *charted])
                table = quarterly(daily, charted).reset_index()
                table.insert(0, "replicate", replicate)
                table.insert(0, "scenario", scenario.name)
                frames.append(table)
        quarters = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        seconds = sum(store.record(s, r).get("seconds", 0.0) for s in scenarios for r in common)
        return cls(list(scenarios), summaries, quarters, common, failures, outcomes, seconds)

    @property
    def baseline(self) -> Scenario:
        return self.scenarios[0]

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.scenarios]

    def _keys(self) -> list[str]:
        table = self.summaries[self.baseline.name]
        return [k for k in table.columns if k not in ("days", "years")]

    def headline_keys(self) -> list[str]:
        return headline_keys(self._keys(), self.outcomes)

    # -- tables ----------------------------------------------------------------------------------
    def table(self) -> pd.DataFrame:
        """Every outcome for every scenario: mean and 90% interval, and the paired change."""
        rows = []
        base = self.summaries[self.baseline.name]
        keys = self._keys()
        for scenario in self.scenarios:
            own = self.summaries[scenario.name]
            for key in keys:
                rows.append(self._row(scenario, key, own[key].to_numpy(float), base[key].to_numpy(float)))
            if scenario is not self.baseline:
                value, low, high, note = paired_cost_per_death_averted(own, base)
                if note != "the model reports no costs":
                    rows.append(
                        {
                            "scenario": scenario.name,
                            "outcome": COST_PER_DEATH_AVERTED,
                            "label": label_of(COST_PER_DEATH_AVERTED),
                            "unit": unit_of(COST_PER_DEATH_AVERTED),
                            "runs": len(own),
                            "mean": value,
                            "low": low,
                            "high": high,
                            "note": note,
                        }
                    )
        return pd.DataFrame(rows)

    def _row(self, scenario: Scenario, key: str, own: np.ndarray, base: np.ndarray) -> dict[str, Any]:
        mean, low, high = spread(own)
        row: dict[str, Any] = {
            "scenario": scenario.name,
            "outcome": key,
            "label": label_of(key),
            "unit": unit_of(key),
            "runs": own.size,
            "mean": mean,
            "low": low,
            "high": high,
        }
        if scenario is not self.baseline:
            change = own - base
            c_mean, c_low, c_high = spread(change)
            ci_low, ci_high = mean_interval(change)
            base_mean = base.mean() if base.size else math.nan
            scale = 100.0 / base_mean if base_mean else math.nan
            row.update(
                change=c_mean,
                change_low=c_low,
                change_high=c_high,
                change_pct=c_mean * scale,
                change_pct_low=c_low * scale,
                change_pct_high=c_high * scale,
                change_mean_ci_low=ci_low,
                change_mean_ci_high=ci_high,
                change_pct_ci_low=ci_low * scale,
                change_pct_ci_high=ci_high * scale,
                runs_lower=int((change < 0).sum()),
                runs_higher=int((change > 0).sum()),
            )
        return row

    def headline(self) -> pd.DataFrame:
        """The headline outcomes only, in the curated order."""
        table = self.table()
        order = self.headline_keys()
        order += [COST_PER_DEATH_AVERTED] if COST_PER_DEATH_AVERTED in set(table["outcome"]) else []
        table = table[table["outcome"].isin(order)].copy()
        table["order"] = table["outcome"].map({k: i for i, k in enumerate(order)})
        table["scenario_order"] = table["scenario"].map({n: i for i, n in enumerate(self.names)})
        return table.sort_values(["order", "scenario_order"]).drop(columns=["order", "scenario_order"])

    def settings(self) -> pd.DataFrame:
        """The settings that differ between the scenarios, one row each, with units."""
        flat = {s.name: _flatten_settings(s) for s in self.scenarios}
        keys = list(dict.fromkeys(k for values in flat.values() for k in values))
        rows = []
        for key in keys:
            values = [flat[name].get(key, "(not set)") for name in self.names]
            if len({json.dumps(v, sort_keys=True, default=str) for v in values}) > 1:
                rows.append({"setting": key, "unit": _setting_unit(key), **dict(zip(self.names, values, strict=True))})
        return pd.DataFrame(rows, columns=["setting", "unit", *self.names])

    # -- figures ---------------------------------------------------------------------------------
    def fan_columns(self) -> list[str]:
        present = [c for c in self.quarterly.columns if c in COLUMN_BY_NAME]
        return [c for c in charted_columns() if c in present]

    def fan_chart(self, column: str) -> Figure:
        """Median and 90% band over time of one daily outcome, one colour per scenario."""
        info = COLUMN_BY_NAME[column]
        figure = Figure(figsize=(8.0, 4.2), layout="constrained")
        axes = figure.add_subplot()
        for index, scenario in enumerate(self.scenarios):
            colour = self._colour(index)
            rows = self.quarterly[self.quarterly["scenario"] == scenario.name]
            by_quarter = rows.pivot(index="quarter", columns="replicate", values=column)
            dates = [scenario.start_date + dt.timedelta(days=(q + 0.5) * DAYS_PER_QUARTER) for q in by_quarter.index]
            # The average, not the median: counts of a few deaths a quarter make a median jump.
            low, high = (by_quarter.quantile(q / 100, axis=1) for q in (LOW, HIGH))
            mid = by_quarter.mean(axis=1)
            axes.fill_between(dates, low, high, color=colour, alpha=0.18, linewidth=0)
            axes.plot(dates, mid, color=colour, linewidth=2.0, label=scenario.name)
            if index > 0:
                self._mark_changes(axes, scenario, colour)
        what = "per quarter" if info.kind == FLOW else "(quarterly average)"
        axes.set_title(f"{_sentence(info.doc)} {what}", loc="left", fontsize=12, fontweight="bold")
        axes.set_ylabel(f"{info.unit} {'per quarter' if info.kind == FLOW else ''}".strip())
        axes.set_ylim(bottom=0)
        axes.grid(alpha=0.3)
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(frameon=False, fontsize=9, loc="best")
        _caption(
            figure,
            f"Line: average of {len(self.replicates)} runs per scenario; band: middle 90% of runs. "
            "Dotted lines: timed lever changes. Source: drugmarket simulation.",
        )
        return figure

    def change_chart(self) -> Figure:
        """Each headline outcome's average change against the baseline in %, how sure, and its spread."""
        table = self.headline()
        table = table[(table["scenario"] != self.baseline.name) & (table["outcome"] != COST_PER_DEATH_AVERTED)]
        table = table[np.isfinite(table["change_pct"].astype(float))]  # no % of a baseline of zero
        outcomes = list(dict.fromkeys(table["outcome"]))
        others = [n for n in self.names[1:]]
        figure = Figure(figsize=(8.0, 0.9 + 0.42 * max(1, len(outcomes)) * max(1, len(others)) ** 0.5))
        figure.set_layout_engine("constrained")
        axes = figure.add_subplot()
        # The scale follows the averages and their confidence intervals, not the widest spread of
        # paired runs: one noisy outcome with a tiny baseline must not squash every other change.
        sure = np.abs(table[["change_pct", "change_pct_ci_low", "change_pct_ci_high"]].to_numpy(float))
        reach = float(np.nanquantile(sure, 0.9)) * 1.3 if np.isfinite(sure).any() else 10.0
        low, high = max(-max(reach, 5.0), CHANGE_AXIS[0]), min(max(reach, 5.0), CHANGE_AXIS[1])
        step = 0.7 / max(1, len(others))
        for j, name in enumerate(others):
            rows = table[table["scenario"] == name].set_index("outcome")
            y = [i + (j - (len(others) - 1) / 2) * step for i in range(len(outcomes))]
            values = rows.reindex(outcomes)
            colour = self._colour(j + 1)
            mid = values["change_pct"].to_numpy(float)
            inside = (mid >= low) & (mid <= high)
            drawn = values.where(pd.Series(inside, index=values.index), other=np.nan)  # off-scale: words only
            axes.hlines(y, drawn["change_pct_low"], drawn["change_pct_high"], color=colour, linewidth=1.0)
            axes.hlines(y, drawn["change_pct_ci_low"], drawn["change_pct_ci_high"], color=colour, linewidth=5.0)
            axes.plot(mid[inside], np.asarray(y)[inside], "o", color="white", markeredgecolor=colour, label=name)
            for value, height in zip(mid[~inside], np.asarray(y)[~inside], strict=True):
                # A change off the scale (often a baseline near zero) is written, not drawn.
                edge = high if value > 0 else low
                axes.annotate(
                    f"{value:+,.0f}% {'▶' if value > 0 else '◀'}",
                    (edge, height),
                    ha="right" if value > 0 else "left",
                    va="center",
                    fontsize=8,
                    color=colour,
                )
        pad = 0.05 * max(high - low, 1.0)
        axes.set_xlim(low - pad, high + pad)
        axes.axvline(0, color=BASELINE_COLOUR, linewidth=1)
        axes.set_yticks(range(len(outcomes)), [label_of(k) for k in outcomes], fontsize=9)
        axes.invert_yaxis()
        axes.set_xlabel(f"% change against {self.baseline.name} (paired runs)")
        axes.set_title("What changes against the baseline", loc="left", fontsize=12, fontweight="bold")
        axes.grid(axis="x", alpha=0.3)
        axes.spines[["top", "right"]].set_visible(False)
        if others:
            figure.legend(frameon=False, fontsize=9, loc="outside lower right", ncols=min(3, len(others)))
        _caption(
            figure,
            f"Dot: average change over {len(self.replicates)} paired runs (common random numbers); thick bar: its "
            "90% confidence interval; thin line: middle 90% of paired changes. Source: drugmarket simulation.",
        )
        return figure

    def _colour(self, index: int) -> str:
        return BASELINE_COLOUR if index == 0 else COLOURS[(index - 1) % len(COLOURS)]

    def _mark_changes(self, axes: Any, scenario: Scenario, colour: str) -> None:
        baseline_days = {(c.day, json.dumps(c.set, sort_keys=True)) for c in self.baseline.events}
        for change in scenario.events:
            if (change.day, json.dumps(change.set, sort_keys=True)) in baseline_days or change.day >= scenario.days:
                continue
            when = scenario.start_date + dt.timedelta(days=change.day)
            axes.axvline(when, color=colour, linestyle=":", linewidth=1.2)
            text = change.note or ", ".join(change.set)
            axes.annotate(
                text[:40],
                (when, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, -3),
                textcoords="offset points",
                fontsize=7,
                color=colour,
                va="top",
                rotation=90,
            )

    # -- output ----------------------------------------------------------------------------------
    def write(self, out: str | Path) -> dict[str, Path]:
        """Write the report, its tables (CSV and Parquet) and its figures (PNG) into `out`."""
        out = Path(out)
        ensure_folder(out / "plots")
        written: dict[str, Path] = {}
        tables = {"comparison": self.table(), "headline": self.headline(), "settings": self.settings()}
        tables["quarterly"] = self.quarterly
        for name, table in tables.items():
            for suffix, save in (("csv", _to_csv), ("parquet", _to_parquet)):
                path = out / f"{name}.{suffix}"
                save(table, path)
                written[f"{name}.{suffix}"] = path
        figures: dict[str, bytes] = {}
        if len(self.scenarios) > 1:
            figures["change"] = _png(self.change_chart())
        for column in self.fan_columns():
            figures[column] = _png(self.fan_chart(column))
        for name, data in figures.items():
            path = out / "plots" / f"{name}.png"
            write_atomically(path, data)
            written[f"plots/{name}.png"] = path
        report = out / "report.html"
        write_atomically(report, self.html(figures, tables["headline"], tables["comparison"], tables["settings"]))
        written["report.html"] = report
        return written

    def html(
        self, figures: dict[str, bytes], headline: pd.DataFrame, full: pd.DataFrame, settings: pd.DataFrame
    ) -> str:
        """One self-contained HTML page: findings, table, charts over time, settings, runs."""
        others = self.names[1:]
        title = (
            f"{html.escape(', '.join(others))} compared with {html.escape(self.baseline.name)}"
            if others
            else f"{html.escape(self.baseline.name)}"
        )
        parts = [
            f"<h1>{title}</h1>",
            f"<p class='meta'>{len(self.replicates)} runs per scenario over {self.baseline.years:g} years from "
            f"{self.baseline.start_date:%d %B %Y}, common random numbers (master seed {self.baseline.seed}). "
            f"Made {dt.datetime.now():%d %B %Y %H:%M} by drugmarket.</p>",
        ]
        for scenario in self.scenarios:
            if scenario.description and (
                scenario is self.baseline or scenario.description != self.baseline.description
            ):
                parts.append(f"<p><b>{html.escape(scenario.name)}</b>: {html.escape(scenario.description)}</p>")
        parts.append(_HOW_TO_READ if others else _HOW_TO_READ_SINGLE)
        if "change" in figures:
            parts += ["<h2>What changes</h2>", _img(figures["change"], "Change against the baseline")]
        parts += ["<h2>Outcomes</h2>", self._headline_html(headline)]
        parts.append("<h2>Over time</h2>")
        parts += [_img(figures[c], c) for c in self.fan_columns() if c in figures]
        if others:
            parts += ["<h2>Settings that differ</h2>", _settings_html(settings, self.names)]
        parts += ["<h2>Runs</h2>", self._runs_html()]
        parts += [
            "<details><summary>Every outcome (also in comparison.csv and comparison.parquet)</summary>",
            _full_html(full),
            "</details>",
        ]
        body = "\n".join(parts)
        return f"<!doctype html>\n<html lang='en'><head><meta charset='utf-8'><title>{title}</title>" + (
            f"<style>{_CSS}</style></head><body>\n{body}\n</body></html>\n"
        )

    def _headline_html(self, table: pd.DataFrame) -> str:
        """One table per compared scenario: both means, the average change and how sure it is."""
        if len(self.names) == 1:
            rows = ["<tr><th>Outcome</th><th>Mean<br><small>(90% of runs)</small></th></tr>"]
            group = None
            for _, row in table.iterrows():
                if group_of(row["outcome"]) != group:
                    group = group_of(row["outcome"])
                    rows.append(f"<tr class='group'><td colspan='2'>{html.escape(group)}</td></tr>")
                rows.append(f"<tr>{_label_cell(row['outcome'])}<td>{_with_interval(row, '', row['unit'])}</td></tr>")
            return "<table class='headline'>" + "\n".join(rows) + "</table>"
        parts = []
        base = table[table["scenario"] == self.baseline.name].set_index("outcome")
        for name in self.names[1:]:
            own = table[table["scenario"] == name].set_index("outcome")
            head = [
                "Outcome",
                f"{html.escape(self.baseline.name)}<br><small>mean (90% of runs)</small>",
                f"{html.escape(name)}<br><small>mean (90% of runs)</small>",
                "Average change<br><small>(90% confidence)</small>",
                "Change %<br><small>(90% confidence)</small>",
                "Change in 90%<br><small>of paired runs</small>",
                "Runs lower<br><small>than baseline</small>",
            ]
            rows = ["<tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"]
            group = None
            for key, row in own.iterrows():
                if group_of(key) != group:
                    group = group_of(key)
                    rows.append(f"<tr class='group'><td colspan='7'>{html.escape(group)}</td></tr>")
                unit = row["unit"]
                if key == COST_PER_DEATH_AVERTED:
                    note = f" <small>{html.escape(str(row.get('note') or ''))}</small>"
                    cells = ["<td>–</td>", f"<td colspan='5' class='left'>{_with_interval(row, '', unit)}{note}</td>"]
                    rows.append(f"<tr>{_label_cell(key)}{''.join(cells)}</tr>")
                    continue
                better = next((h.better for h in HEADLINE if h.key == key), "")
                ci = f"{_signed(row['change'], unit)} <small>({_number(row['change_mean_ci_low'], unit)} to "
                ci += f"{_number(row['change_mean_ci_high'], unit)})</small>"
                pct = f"{_percent(row['change_pct'])} <small>({_percent(row['change_pct_ci_low'])} to "
                pct += f"{_percent(row['change_pct_ci_high'])})</small>"
                cells = [
                    f"<td>{_with_interval(base.loc[key], '', unit)}</td>" if key in base.index else "<td></td>",
                    f"<td>{_with_interval(row, '', unit)}</td>",
                    f"<td class='{_verdict(row, better)}'>{ci}</td>",
                    f"<td>{pct}</td>",
                    f"<td>{_number(row['change_low'], unit)} to {_number(row['change_high'], unit)}</td>",
                    f"<td>{int(row['runs_lower'])} of {int(row['runs'])}</td>",
                ]
                rows.append(f"<tr>{_label_cell(key)}{''.join(cells)}</tr>")
            parts.append(f"<h3>{html.escape(name)} against {html.escape(self.baseline.name)}</h3>")
            parts.append("<table class='headline'>" + "\n".join(rows) + "</table>")
        return "\n".join(parts)

    def _runs_html(self) -> str:
        items = [
            f"<li>Replicates compared: {len(self.replicates)} (numbers {_ranges(self.replicates)}); each scenario's "
            f"replicate <i>r</i> uses child <i>r</i> of numpy SeedSequence({self.baseline.seed}).</li>",
            f"<li>Computing time: {self.seconds / 60:.1f} minutes of model runs in total.</li>",
        ]
        for scenario in self.scenarios:
            items.append(f"<li>{html.escape(scenario.name)}: content hash <code>{scenario.content_hash()}</code></li>")
        for name, failed in self.failures.items():
            for replicate, record in sorted(failed.items()):
                last = (record.get("error") or "").strip().splitlines()[-1:] or [""]
                items.append(
                    f"<li class='bad'>{html.escape(name)} replicate {replicate} failed: {html.escape(last[0])} "
                    f"(traceback in <code>{html.escape(record.get('path', ''))}</code>); left out of every "
                    "comparison.</li>"
                )
        return "<ul>" + "\n".join(items) + "</ul>"


# -- helpers -------------------------------------------------------------------------------------
def _flatten_settings(scenario: Scenario) -> dict[str, Any]:
    data = scenario.model_dump(mode="json", exclude={"name", "description", "replicates", "events"})
    flat: dict[str, Any] = {}

    def walk(value: Any, prefix: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, f"{prefix}.{key}" if prefix else key)
        else:
            flat[prefix] = value

    walk(data, "")
    flat["events"] = "; ".join(_describe_change(c) for c in scenario.events) or "(none)"
    return flat


def _describe_change(change: TimedChange) -> str:
    levers = ", ".join(f"{path} = {value}" for path, value in change.set.items())
    note = f" ({change.note})" if change.note else ""
    return f"day {change.day}: {levers}{note}"


def _setting_unit(key: str) -> str:
    model: Any = Scenario
    parts = key.split(".")
    for part in parts:
        info = getattr(model, "model_fields", {}).get(part)
        if info is None:
            return ""
        model = info.annotation
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return str(extra.get("unit", ""))


def _number(value: float, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if abs(value) < 1e-9:  # rounding noise of sums and percentiles
        value = 0.0
    if unit.startswith("GBP"):
        return f"£{value:,.0f}" if abs(value) >= 1 else f"£{value:.2f}"
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def _with_interval(row: pd.Series, prefix: str, unit: str, sign: bool = False) -> str:
    key = prefix or "mean"
    low, high = (f"{prefix}_low", f"{prefix}_high") if prefix else ("low", "high")
    mid = _number(row[key], unit)
    if sign and row[key] > 0:
        mid = "+" + mid
    lo, hi = row.get(low), row.get(high)
    if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
        return mid
    return f"{mid} <small>({_number(lo, unit)} to {_number(hi, unit)})</small>"


def _label_cell(key: str) -> str:
    return f"<td class='label'>{html.escape(label_of(key))}<br><small>{html.escape(unit_of(key))}</small></td>"


def _signed(value: float, unit: str) -> str:
    text = _number(value, unit)
    return "+" + text if isinstance(value, float) and value > 0 else text


def _percent(value: float) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:+.1f}%"


def _verdict(row: pd.Series, better: str) -> str:
    """Colour an average change that is clear (its 90% confidence interval excludes zero) by whether it helps."""
    low, high = row["change_mean_ci_low"], row["change_mean_ci_high"]
    if not better or not (math.isfinite(low) and math.isfinite(high)) or low <= 0 <= high:
        return "neutral"
    lower = high < 0
    return "good" if lower == (better == "lower") else "bad"


def _ranges(numbers: list[int]) -> str:
    """'0–4, 6, 8–9' for [0, 1, 2, 3, 4, 6, 8, 9]."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in spans) or "none"


def _settings_html(settings: pd.DataFrame, names: list[str]) -> str:
    if settings.empty:
        return "<p>The scenarios have the same settings.</p>"
    head = "<tr><th>Setting</th><th>Unit</th>" + "".join(f"<th>{html.escape(n)}</th>" for n in names) + "</tr>"
    rows = [head]
    for _, row in settings.iterrows():
        cells = [
            f"<td class='label'><code>{html.escape(row['setting'])}</code></td>",
            f"<td>{html.escape(row['unit'])}</td>",
        ]
        cells += [f"<td>{html.escape(str(row[n]))}</td>" for n in names]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<table class='settings'>" + "\n".join(rows) + "</table>"


def _full_html(table: pd.DataFrame) -> str:
    shown = table.copy()
    for column in shown.columns:
        if shown[column].dtype.kind == "f":
            shown[column] = [_number(v) for v in shown[column]]
    return shown.to_html(index=False, classes="full", border=0, na_rep="–")


def _caption(figure: Figure, text: str) -> None:
    """A source note under the chart, wrapped to the chart's width, as a board paper wants."""
    width = int(figure.get_figwidth() * 13)
    figure.text(0.0, 0.0, textwrap.fill(text, width), fontsize=8, color="#555555", va="top")


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    return buffer.getvalue()


def _img(data: bytes, alt: str) -> str:
    encoded = base64.b64encode(data).decode()
    return f"<figure><img alt='{html.escape(alt)}' src='data:image/png;base64,{encoded}'></figure>"


def _sentence(doc: str) -> str:
    return doc.split(" (")[0].rstrip(".").replace(" today", "")


def _to_csv(table: pd.DataFrame, path: Path) -> None:
    write_csv(table, path)


def _to_parquet(table: pd.DataFrame, path: Path) -> None:
    write_parquet(table.astype({c: str for c in table.columns if table[c].dtype == object}), path)


_HOW_TO_READ = """
<div class='note'><b>How to read this report.</b> Each scenario was run many times with different
chance events; run <i>r</i> of every scenario used the same random stream (common random numbers), so
each policy run starts from the same chance events as its baseline run. That pairing cancels much of the
noise in common outcomes (offences, purchases), but rare events such as deaths soon diverge between the
two runs, so they need more runs. <b>Mean (90% of runs)</b>: the
average over runs, and the range that the middle 90% of runs fell in: the spread of what the town could
see by chance. <b>Average change (90% confidence)</b>: the policy minus the baseline, run by run,
averaged; the interval says how sure we are of that average with this many runs (more runs narrow it).
It is shaded green where the change clearly helps and red where it clearly harms; unshaded changes
could be chance. <b>Change in 90% of paired runs</b>: how much the change itself varies from one
possible future to another. <b>Runs lower</b>: in how many pairs the policy's value was below the
baseline's. The model compares options under stated assumptions; it is not a forecast.</div>
"""

_HOW_TO_READ_SINGLE = """
<div class='note'><b>How to read this report.</b> The scenario was run many times with different chance
events. <b>Mean (90% interval)</b>: the average over runs and the range of the middle 90% of runs. The
model is a tool to compare options under stated assumptions, not a forecast.</div>
"""

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Arial,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em} h2{margin-top:1.8em;border-bottom:1px solid #ddd}
.meta{color:#555} .note{background:#f4f6f8;border-left:4px solid #0072B2;padding:.6em 1em;margin:1em 0}
table{border-collapse:collapse;font-size:.9em;margin:.5em 0} th,td{border:1px solid #ddd;padding:.35em .6em;
text-align:right;vertical-align:top} th{background:#f4f6f8} td.label{text-align:left}
td.good{background:#dff3e4} td.bad{background:#fbe3dc} small{color:#555}
tr.group td{background:#e8edf2;font-weight:bold;text-align:left} td.left{text-align:left}
figure{margin:1em 0} img{max-width:100%} li.bad{color:#a33} table.full td{text-align:right}
"""
