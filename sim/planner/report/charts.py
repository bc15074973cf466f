"""The report's figures (matplotlib, no pyplot state): changes against the baseline and fans over time."""

from __future__ import annotations

import datetime as dt
import io
import json
import textwrap
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator

from sim.model.outcomes import COLUMN_BY_NAME, FLOW
from sim.planner.report.compare import DAYS_PER_QUARTER, Comparison
from sim.planner.report.outcomes import COST_PER_DEATH_AVERTED, label_of
from sim.planner.report.stats import HIGH, LOW
from sim.planner.report.verdict import Effect, verdicts
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
    # Wrapped to the chart's width: a longer title would widen the picture and shrink the chart.
    axes.set_title(textwrap.fill(f"{_sentence(info.doc)} {what}", 60), loc="left", fontsize=12, fontweight="bold")
    axes.set_ylabel(f"{info.unit} {'per quarter' if info.kind == FLOW else ''}".strip())
    _scale_to_data(axes)
    axes.yaxis.set_major_formatter(_plain(info.unit))
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
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
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:+,.0f}%" if value else "0%"))
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


def absolute_chart(comparison: Comparison) -> Figure:
    """Each verdict outcome's average change in its own units, one small panel per outcome."""
    found = verdicts(comparison)
    keys = [e.key for e in found[0].effects] if found else []
    figure = Figure(figsize=(8.0, 0.9 + 0.75 * max(1, len(keys)) * max(1, len(found)) ** 0.5), layout="constrained")
    panels = figure.subplots(max(1, len(keys)), 1, squeeze=False)[:, 0]
    for axes, key in zip(panels, keys, strict=False):
        effects = [next(e for e in v.effects if e.key == key) for v in found]
        _change_bars(axes, effects, [v.scenario for v in found])
        axes.set_title(f"{effects[0].label} ({effects[0].unit})", loc="left", fontsize=9)
    figure.suptitle("Change against the baseline, in each outcome's units", x=0.0, ha="left", fontweight="bold")
    _caption(
        figure,
        f"Dot: average change over {len(comparison.replicates)} paired runs; bar: its 90% confidence interval. "
        "Source: drugmarket simulation.",
    )
    return figure


def cost_chart(comparison: Comparison) -> Figure | None:
    """Extra cost a year by agency and in total, with 90% confidence intervals; None without costs."""
    found = [v for v in verdicts(comparison) if v.costs]
    if not found:
        return None
    agencies = [agency for agency, _ in found[0].costs] + ["all agencies"]
    figure = Figure(figsize=(8.0, 1.2 + 0.4 * len(agencies) * len(found) ** 0.5), layout="constrained")
    axes = figure.add_subplot()
    step = 0.7 / len(found)
    for j, verdict in enumerate(found):
        items = [e for _, e in verdict.costs] + ([verdict.extra_cost] if verdict.extra_cost else [])
        y = np.arange(len(items)) + (j - (len(found) - 1) / 2) * step
        mid = np.array([e.change[0] for e in items])
        errors = np.abs(np.array([[e.change[1], e.change[2]] for e in items]).T - mid)
        colour = scenario_colour(j + 1)
        axes.barh(y, mid, height=step * 0.9, color=colour, alpha=0.8, label=verdict.scenario)
        axes.errorbar(mid, y, xerr=np.nan_to_num(errors), fmt="none", ecolor="#222222", capsize=3, linewidth=1)
    axes.set_yticks(range(len(agencies)), [a[0].upper() + a[1:] for a in agencies], fontsize=9)
    axes.invert_yaxis()
    axes.axvline(0, color=BASELINE_COLOUR, linewidth=1)
    # Few ticks: the agencies' names take half the width, and '£125,000' labels must not collide.
    axes.xaxis.set_major_locator(MaxNLocator(nbins=5))
    axes.xaxis.set_major_formatter(_plain("GBP"))
    axes.set_xlabel(f"Extra cost a year against {comparison.baseline.name} (GBP a year, 2024/25 prices)")
    axes.set_title("Who pays: extra cost a year by agency", loc="left", fontsize=12, fontweight="bold")
    axes.grid(axis="x", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    if len(found) > 1:
        axes.legend(frameon=False, fontsize=9)
    _caption(figure, "Bar: average paired change; whisker: its 90% confidence interval. Source: drugmarket simulation.")
    return figure


def _change_bars(axes: Any, effects: list[Effect], names: list[str]) -> None:
    """One row per scenario: the average change and its confidence interval, coloured by verdict."""
    tone = {"helps": "#009E73", "harms": "#D55E00"}
    for row, item in enumerate(effects):
        mid, low, high = item.change
        colour = tone.get(item.status, "#777777")
        axes.hlines(row, low, high, color=colour, linewidth=5, alpha=0.6)
        axes.plot([mid], [row], "o", color="white", markeredgecolor=colour)
    axes.axvline(0, color=BASELINE_COLOUR, linewidth=1)
    axes.set_yticks(range(len(effects)), names, fontsize=8)
    axes.set_ylim(len(effects) - 0.5, -0.5)
    reach = max([abs(v) for e in effects for v in e.change if np.isfinite(v)] or [1.0]) * 1.15 or 1.0
    axes.set_xlim(-reach, reach)
    axes.xaxis.set_major_formatter(_plain(effects[0].unit if effects else "", sign=True))
    axes.tick_params(axis="x", labelsize=8)
    axes.grid(axis="x", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)


def _plain(unit: str, sign: bool = False) -> PlainFormatter:
    """Tick labels with thousands separators and £ for money: never '1e6' or an offset."""
    return PlainFormatter(unit.startswith("GBP"), sign)


class PlainFormatter(Formatter):
    """Plain tick labels; on an axis, every tick gets the decimals the finest tick needs, so ticks
    0.98, 1.00 and 1.02 never all read '1'."""

    def __init__(self, money: bool, sign: bool) -> None:
        self.money, self.sign = money, sign
        self.decimals: int | None = None

    def set_locs(self, locs: Any) -> None:
        super().set_locs(locs)
        values = np.asarray(locs, dtype=float)
        values = values[np.isfinite(values)]
        scale = float(np.abs(values).max()) if values.size else 0.0
        self.decimals = next(
            (d for d in range(7) if np.allclose(np.round(values, d), values, rtol=0, atol=1e-9 * max(scale, 1.0))), 6
        )

    def __call__(self, value: float, pos: int | None = None) -> str:
        size = abs(value)
        if self.decimals is not None:
            text = f"{size:,.{self.decimals}f}"
        else:
            text = f"{size:,.0f}" if size >= 100 or size == 0 else f"{size:,.2g}" if size < 1 else f"{size:,.1f}"
            text = text.removesuffix(".0")
        shown_zero = float(text.replace(",", "")) == 0
        prefix = "" if shown_zero else "-" if value < 0 else "+" if self.sign and value > 0 else ""
        return f"{prefix}£{text}" if self.money else f"{prefix}{text}"


def _scale_to_data(axes: Any) -> None:
    """From zero when the data come near it, else around the data, so a flat line is not squashed."""
    low, high = axes.dataLim.y0, axes.dataLim.y1
    if not (np.isfinite(low) and np.isfinite(high)):
        return
    if low >= 0 and low < 0.4 * high:
        axes.set_ylim(0, high * 1.05 or 1.0)
    else:
        pad = 0.08 * max(high - low, abs(high) * 0.02, 1e-9)
        axes.set_ylim(low - pad, high + pad)


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
            textwrap.shorten(text, 40, placeholder="…"),  # whole words: 'advertise' was 'advertised' cut
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
