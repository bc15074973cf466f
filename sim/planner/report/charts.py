"""The report's figures (matplotlib, no pyplot state): changes against the baseline and fans over time."""

from __future__ import annotations

import datetime as dt
import io
import json
import textwrap
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.model.outcomes import COLUMN_BY_NAME, FLOW
from sim.planner.report.compare import DAYS_PER_QUARTER, Comparison
from sim.planner.report.outcomes import COST_PER_DEATH_AVERTED, label_of
from sim.planner.report.stats import HIGH, LOW
from sim.planner.scenario import Scenario

#: The widest % change axis of the change chart; changes beyond the axis are written at its edge.
CHANGE_AXIS = (-100.0, 200.0)

#: Colour-blind-safe colours (Okabe & Ito); the baseline is drawn in dark grey.
BASELINE_COLOUR = "#4d4d4d"
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")


def fan_chart(comparison: Comparison, column: str) -> Figure:
    """Median and 90% band over time of one daily outcome, one colour per scenario."""
    info = COLUMN_BY_NAME[column]
    figure = Figure(figsize=(8.0, 4.2), layout="constrained")
    axes = figure.add_subplot()
    for index, scenario in enumerate(comparison.scenarios):
        colour = scenario_colour(index)
        rows = comparison.quarterly[comparison.quarterly["scenario"] == scenario.name]
        by_quarter = rows.pivot(index="quarter", columns="replicate", values=column)
        dates = [scenario.start_date + dt.timedelta(days=(q + 0.5) * DAYS_PER_QUARTER) for q in by_quarter.index]
        # The average, not the median: counts of a few deaths a quarter make a median jump.
        low, high = (by_quarter.quantile(q / 100, axis=1) for q in (LOW, HIGH))
        mid = by_quarter.mean(axis=1)
        axes.fill_between(dates, low, high, color=colour, alpha=0.18, linewidth=0)
        axes.plot(dates, mid, color=colour, linewidth=2.0, label=scenario.name)
        if index > 0:
            _mark_changes(comparison.baseline, axes, scenario, colour)
    what = "per quarter" if info.kind == FLOW else "(quarterly average)"
    axes.set_title(f"{_sentence(info.doc)} {what}", loc="left", fontsize=12, fontweight="bold")
    axes.set_ylabel(f"{info.unit} {'per quarter' if info.kind == FLOW else ''}".strip())
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(frameon=False, fontsize=9, loc="best")
    _caption(
        figure,
        f"Line: average of {len(comparison.replicates)} runs per scenario; band: middle 90% of runs. "
        "Dotted lines: timed lever changes. Source: drugmarket simulation.",
    )
    return figure


def change_chart(comparison: Comparison) -> Figure:
    """Each headline outcome's average change against the baseline in %, how sure, and its spread."""
    table = comparison.headline()
    table = table[(table["scenario"] != comparison.baseline.name) & (table["outcome"] != COST_PER_DEATH_AVERTED)]
    table = table[np.isfinite(table["change_pct"].astype(float))]  # no % of a baseline of zero
    outcomes = list(dict.fromkeys(table["outcome"]))
    others = [n for n in comparison.names[1:]]
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
        colour = scenario_colour(j + 1)
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
    axes.set_xlabel(f"% change against {comparison.baseline.name} (paired runs)")
    axes.set_title("What changes against the baseline", loc="left", fontsize=12, fontweight="bold")
    axes.grid(axis="x", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    if others:
        figure.legend(frameon=False, fontsize=9, loc="outside lower right", ncols=min(3, len(others)))
    _caption(
        figure,
        f"Dot: average change over {len(comparison.replicates)} paired runs (common random numbers); thick bar: its "
        "90% confidence interval; thin line: middle 90% of paired changes. Source: drugmarket simulation.",
    )
    return figure


def scenario_colour(index: int) -> str:
    return BASELINE_COLOUR if index == 0 else COLOURS[(index - 1) % len(COLOURS)]


def _mark_changes(baseline: Scenario, axes: Any, scenario: Scenario, colour: str) -> None:
    baseline_days = {(c.day, json.dumps(c.set, sort_keys=True)) for c in baseline.events}
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


def _caption(figure: Figure, text: str) -> None:
    """A source note under the chart, wrapped to the chart's width, as a board paper wants."""
    width = int(figure.get_figwidth() * 13)
    figure.text(0.0, 0.0, textwrap.fill(text, width), fontsize=8, color="#555555", va="top")


def png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    return buffer.getvalue()


def _sentence(doc: str) -> str:
    return doc.split(" (")[0].rstrip(".").replace(" today", "")
