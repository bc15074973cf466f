"""Pictures of the town and its trends, drawn with matplotlib straight from the model's arrays.

The model keeps people, sellers and patrol as numpy arrays rather than Mesa agents on a Mesa
space, so the page draws them itself. These functions take a model and return a matplotlib
Figure (no pyplot state, so concurrent browser sessions cannot draw on each other's figures).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from sim.model.model import DrugMarketModel
from sim.model.outcomes import Event

#: How far back the map shows overdoses (days): recent enough to see where harm is now.
RECENT_DAYS = 28
#: Patrol hours in a cell that draw it fully blue; more still draws the same.
PATROL_FULL = 8.0

SELLER = "#d9480f"
PATROL = "#1c7ed6"
HOTSPOT = "#f59f00"
DEATH = "#000000"
REVERSED = "#2b8a3e"
SURVIVED = "#9c36b5"


def day_label(model: DrugMarketModel) -> str:
    """'Day 120 · Tue 5 Aug 2025 · year 1 of 5' for the last simulated day."""
    days = model.record.days_recorded
    if days == 0:
        return f"Day 0 · before the first day · {model.params.years:g} years to run"
    date = model.params.start_date + dt.timedelta(days=days - 1)
    year = (days - 1) // 365 + 1
    return f"Day {days} · {date:%a %-d %b %Y} · year {year} of {model.params.years:g}"


def draw_town(model: DrugMarketModel, fig: Figure | None = None) -> Figure:
    """The town map: deprivation, hotspots, sellers, patrol and recent overdoses by home cell."""
    fig = fig or Figure(figsize=(5.0, 5.8), dpi=100)
    ax = fig.add_subplot()
    town = model.town
    w, h = town.width, town.height
    shade = town.deprivation[town.neighbourhood].reshape(h, w)
    image = ax.imshow(shade, cmap="Greys", vmin=-0.35, vmax=1.35, origin="upper", extent=(-0.5, w - 0.5, h - 0.5, -0.5))
    image.set_zorder(0)

    patrol = getattr(model, "patrol", np.zeros(town.n_cells))
    for cell in np.flatnonzero(patrol > 0.05):
        alpha = 0.15 + 0.55 * min(patrol[cell] / PATROL_FULL, 1.0)
        ax.add_patch(
            Rectangle((town.x[cell] - 0.5, town.y[cell] - 0.5), 1, 1, color=PATROL, alpha=alpha, lw=0, zorder=1)
        )
    for cell in town.hotspot_cells:
        ax.add_patch(
            Rectangle((town.x[cell] - 0.46, town.y[cell] - 0.46), 0.92, 0.92, fill=False, ec=HOTSPOT, lw=2.5, zorder=2)
        )

    sellers = model.dealers.by_cell()
    occupied = np.flatnonzero(sellers)
    ax.scatter(
        town.x[occupied],
        town.y[occupied],
        s=40 + 28 * sellers[occupied],
        c=SELLER,
        alpha=0.85,
        edgecolors="white",
        linewidths=0.8,
        zorder=3,
    )
    for cell in occupied:
        if sellers[cell] >= 2:
            ax.text(
                town.x[cell], town.y[cell], f"{sellers[cell]:.0f}", ha="center", va="center",
                fontsize=6.5, color="white", weight="bold", zorder=4,
            )  # fmt: skip

    _draw_recent_overdoses(model, ax)

    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(h - 0.5, -0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_aspect("equal")
    ax.set_title("The town today", fontsize=10, loc="left")
    town_key = [
        Line2D([], [], marker="o", ls="", ms=9, mfc=SELLER, mec="white", label="Street sellers (how many)"),
        Patch(fc="none", ec=HOTSPOT, lw=2.5, label="Known market hotspot"),
        Patch(fc=PATROL, alpha=0.5, label="Police patrol today (darker = more)"),
        Patch(fc="0.55", label="Deprivation (darker = more)"),
    ]
    overdose_key = [
        Line2D([], [], marker="o", ls="", ms=5, mfc=SURVIVED, mec="none", label="Survived"),
        Line2D([], [], marker="o", ls="", ms=5, mfc=REVERSED, mec="none", label="Reversed with naloxone"),
        Line2D([], [], marker="X", ls="", ms=9, mfc=DEATH, mec="white", label="Died"),
    ]
    style = {"fontsize": 7.5, "title_fontsize": 7.5, "frameon": False, "handletextpad": 0.4, "alignment": "left"}
    first = ax.legend(handles=town_key, loc="upper left", bbox_to_anchor=(0.0, -0.01), title="The town", **style)
    ax.add_artist(first)
    ax.legend(
        handles=overdose_key,
        loc="upper right",
        bbox_to_anchor=(1.0, -0.01),
        title=f"Overdoses, last {RECENT_DAYS} days, at home",
        **style,
    )
    fig.subplots_adjust(left=0.02, right=0.98, top=0.955, bottom=0.17)
    return fig


def _draw_recent_overdoses(model: DrugMarketModel, ax) -> None:  # type: ignore[no-untyped-def]
    """One dot per overdose in the last few weeks, scattered inside the person's home cell."""
    since = model.record.days_recorded - RECENT_DAYS
    town, home = model.town, model.people.home
    died, _ = model.log.since(Event.OVERDOSE_DEATH, since)
    reversed_, _ = model.log.since(Event.NALOXONE_REVERSAL, since)
    overdosed, _ = model.log.since(Event.OVERDOSE, since)
    # Overdoses that were neither reversed nor fatal (a person may overdose more than once).
    left = Counter(overdosed.tolist())
    left.subtract(died.tolist())
    left.subtract(reversed_.tolist())
    survived = np.array([pid for pid, n in left.items() for _ in range(n)], dtype=np.int64)
    # A fixed scatter per person, so a dot stays put from one frame to the next.
    jitter = np.random.default_rng(0).uniform(-0.38, 0.38, size=(2, 4096))
    for ids, colour, marker, size in (
        (survived, SURVIVED, "o", 22),
        (reversed_, REVERSED, "o", 22),
        (died, DEATH, "X", 90),
    ):
        if ids.size == 0:
            continue
        cells = home[ids]
        ax.scatter(
            town.x[cells] + jitter[0, ids % 4096],
            town.y[cells] + jitter[1, ids % 4096],
            s=size,
            c=colour,
            marker=marker,
            edgecolors="white" if marker == "X" else "none",
            linewidths=0.6,
            zorder=5,
        )


@dataclass(frozen=True)
class Line:
    """One line on a trend panel: a daily column (or the sum of several), smoothed so small daily
    counts read as a rate."""

    column: str | tuple[str, ...]
    label: str
    colour: str
    window: int = 1  # days; 1 = the daily level as is
    how: str = "level"  # "level", "rate" (a sum per window, from the mean of recent days) or "mean"
    width: float = 1.7

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,) if isinstance(self.column, str) else self.column


@dataclass(frozen=True)
class Panel:
    title: str
    lines: tuple[Line, ...]
    total: str | None = None  # a column whose running total goes in the title ("· 23 so far")
    headline: bool = False  # a bold title: the outcomes the room should not miss


WEEKS_4, QUARTER, WEEK = 28, 91, 7
TREATMENT = "#0c8599"
WAITING = "#e8590c"
PRISON = "#5f3dc4"
OVERTIME = "#c2255c"
UNCOVERED = "#868e96"
#: The story in ten small panels, two to a row: harm first (overdoses and deaths), then people
#: and treatment, the street market, enforcement and the market's response, and the police
#: workforce that delivers the enforcement.
PANELS: tuple[Panel, ...] = (
    Panel(
        "Overdoses",
        (
            Line("overdoses", "all overdoses, per 4 weeks", SURVIVED, WEEKS_4, "rate"),
            Line("naloxone_reversals", "reversed with naloxone", REVERSED, WEEKS_4, "rate"),
        ),
        total="overdoses",
        headline=True,
    ),
    Panel(
        "Overdose deaths",
        (Line("overdose_deaths", "deaths per quarter (13 weeks)", DEATH, QUARTER, "rate", width=2.2),),
        total="overdose_deaths",
        headline=True,
    ),
    Panel(
        "People with dependent use",
        (
            Line("dependent_use_total", "all, wherever they are", "#212529"),
            Line("dependent_users", "out of treatment and custody", "#868e96"),
            Line("in_treatment", "in treatment", TREATMENT),
        ),
    ),
    Panel(
        "Into treatment: people per 4 weeks",
        (
            Line("treatment_entries", "starting treatment", TREATMENT, WEEKS_4, "rate"),
            Line(("custody_referrals", "diversions"), "referred from custody or diverted", PRISON, WEEKS_4, "rate"),
            Line("waiting_list", "waiting for a place (now)", WAITING, WEEK, "mean"),
        ),
    ),
    Panel(
        "Street sellers",
        (
            Line("active_dealers", "working", SELLER),
            Line("dealer_slots", "positions groups want filled", "#868e96"),
        ),
    ),
    Panel("Time to find a seller (hours)", (Line("mean_search_time", "weekly mean", "#495057", WEEK, "mean"),)),
    Panel(
        "Arrests per 4 weeks, and prison",
        (
            Line("person_arrests", "people who use drugs arrested", "#495057", WEEKS_4, "rate"),
            Line("dealer_arrests", "street sellers arrested", SELLER, WEEKS_4, "rate"),
            Line("prison_population", "in prison or on remand (now)", PRISON),
        ),
    ),
    Panel(
        "Recruits and moves, per 4 weeks",
        (
            Line("dealers_entered", "recruited (replacement)", SELLER, WEEKS_4, "rate"),
            Line("dealers_displaced", "moved from patrol (displacement)", PATROL, WEEKS_4, "rate"),
        ),
    ),
    Panel(
        "Police hours a day (weekly mean)",
        (
            Line("patrol_hours", "patrol at the market", PATROL, WEEK, "mean"),
            Line("overtime_hours", "worked as overtime", OVERTIME, WEEK, "mean"),
            Line("unfilled_hours", "planned, nobody to cover", UNCOVERED, WEEK, "mean"),
        ),
    ),
    Panel(
        "Police officers",
        (
            Line("team_in_post", "drug team in post", PATROL, width=2.0),
            Line("officers_sick", "off sick", "#495057", WEEK, "mean"),
            Line("high_fatigue_officers", "highly fatigued", OVERTIME, WEEK, "mean"),
        ),
    ),
)
GRID = (5, 2)


def draw_trends(model: DrugMarketModel, fig: Figure | None = None) -> Figure:
    """Small multiples of the story so far, on a fixed time axis covering the whole run."""
    fig = fig or Figure(figsize=(5.6, 6.6), dpi=100)
    axes = fig.subplots(*GRID, sharex=True)
    daily = model.record.frame(model.params.start_date)
    years = daily["day"].to_numpy() / 365.0
    # Changes on day 0 are part of the starting town, not a change the room sees happen.
    changes = sorted({change.day / 365.0 for change in model.params.events if change.day > 0})
    for ax, panel in zip(axes.flat, PANELS, strict=True):
        highest = 1.0
        for line in panel.lines:
            if all(column in daily for column in line.columns):
                values = smooth(daily[list(line.columns)].sum(axis=1), line)
                ax.plot(years, values, color=line.colour, lw=line.width, label=line.label)
                highest = max(highest, float(np.nanmax(values, initial=0.0)))
        for when in changes:
            ax.axvline(when, color=PATROL, ls="--", lw=0.9)
        title = panel.title
        if panel.total and panel.total in daily:
            title += f" · {daily[panel.total].sum():,.0f} so far"
        ax.set_title(title, fontsize=8.5, loc="left", weight="bold" if panel.headline else "normal")
        ax.set_xlim(0, model.params.years)
        legend_share = 0.1 + 0.115 * len(panel.lines)  # of the panel's height, kept clear above the lines
        ax.set_ylim(bottom=0, top=highest * 1.04 / (1 - legend_share))
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=6.8, loc="upper left", frameon=False, handlelength=1.2, labelspacing=0.15,
                  borderaxespad=0.3)  # fmt: skip
    for ax in axes[-1]:
        ax.set_xlabel("Years into the run", fontsize=7.5)
    if changes:
        fig.text(0.5, 0.004, "Dashed blue lines: a timed lever change in the scenario", ha="center", fontsize=7)
    fig.subplots_adjust(left=0.08, right=0.985, top=0.97, bottom=0.075, hspace=0.38, wspace=0.2)
    return fig


def smooth(values: pd.Series, line: Line) -> np.ndarray:
    """Daily counts are small and noisy: show a rate per window, a recent mean, or the level as is.

    A rate starts once half its window has passed: scaled up from the first few days, one death
    on day 3 would read as thirty a quarter.
    """
    if line.how == "rate":
        return values.rolling(line.window, min_periods=max(1, line.window // 2)).mean().to_numpy() * line.window
    if line.how == "mean":
        return values.rolling(line.window, min_periods=1).mean().to_numpy()
    return values.to_numpy()
