"""What is compared: a baseline and its alternatives, replicate by replicate, as tables."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.model.outcomes import COLUMN_BY_NAME, FLOW
from sim.planner.levers import change_in_words, parameter
from sim.planner.report.outcomes import COST_PER_DEATH_AVERTED, charted_columns, headline_keys, label_of, unit_of
from sim.planner.report.stats import mean_interval, paired_cost_per_death_averted, spread
from sim.planner.scenario import Scenario, TimedChange
from sim.planner.store import Store

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DAYS_PER_QUARTER = 365.25 / 4


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
                label, unit = _setting_facts(key)
                rows.append(
                    {"setting": key, "label": label, "unit": unit, **dict(zip(self.names, values, strict=True))}
                )
        return pd.DataFrame(rows, columns=["setting", "label", "unit", *self.names])

    def fan_columns(self) -> list[str]:
        present = [c for c in self.quarterly.columns if c in COLUMN_BY_NAME]
        return [c for c in charted_columns() if c in present]

    def fan_chart(self, column: str) -> Figure:
        """Median and 90% band over time of one daily outcome (see `charts.fan_chart`)."""
        from sim.planner.report.charts import fan_chart

        return fan_chart(self, column)

    def change_chart(self) -> Figure:
        """Each headline outcome's change against the baseline (see `charts.change_chart`)."""
        from sim.planner.report.charts import change_chart

        return change_chart(self)

    def write(self, out: str | Path) -> dict[str, Path]:
        """Write the report, its tables (CSV and Parquet) and its figures (PNG) into `out`."""
        from sim.planner.report.page import write_report

        return write_report(self, out)


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
    """'day 90: Funded keyworker posts in community drug treatment → 26 posts (note)': a planner
    reads the lever's name and unit, not its dotted key."""
    note = f" ({change.note})" if change.note else ""
    return f"day {change.day}: {', '.join(levers_in_words(change))}{note}"


def levers_in_words(change: TimedChange) -> list[str]:
    """Each lever a timed change sets, by name, with its new value and unit."""
    return [change_in_words(path, value) for path, value in change.set.items()]


def _setting_facts(key: str) -> tuple[str, str]:
    """A setting's name in words and its unit, from the parameter facts (`levers.parameter`)."""
    if key == "events":
        return "Timed lever changes", ""
    try:
        facts = parameter(key)
    except (ValueError, KeyError, AttributeError):  # not a lever (seed, years, start date...)
        return key.replace("_", " ").capitalize(), {"years": "years"}.get(key, "")
    return facts.label, facts.unit
