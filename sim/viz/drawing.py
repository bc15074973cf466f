"""Pictures of the town and its trends, drawn with matplotlib straight from the model's arrays.

The model keeps people, sellers and patrol as numpy arrays rather than Mesa agents on a Mesa
space, so the page draws them itself. These functions take a model and return a matplotlib
Figure (no pyplot state, so concurrent browser sessions cannot draw on each other's figures).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from sim.model import DrugMarketModel
from sim.outcomes import Event

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
    fig = fig or Figure(figsize=(6.4, 6.9), dpi=100)
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
                fontsize=7, color="white", weight="bold", zorder=4,
            )  # fmt: skip

    _draw_recent_overdoses(model, ax)

    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(h - 0.5, -0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_aspect("equal")
    ax.set_title(f"The town · {day_label(model)}", fontsize=10, loc="left")
    legend = [
        Line2D([], [], marker="o", ls="", ms=9, mfc=SELLER, mec="white", label="Street sellers (number in circle)"),
        Patch(fc="none", ec=HOTSPOT, lw=2.5, label="Known market hotspot"),
        Patch(fc=PATROL, alpha=0.5, label="Police patrol today (darker = more hours)"),
        Line2D([], [], marker="o", ls="", ms=5, mfc=SURVIVED, mec="none", label="Overdose, survived"),
        Line2D([], [], marker="o", ls="", ms=5, mfc=REVERSED, mec="none", label="Overdose reversed with naloxone"),
        Line2D([], [], marker="X", ls="", ms=7, mfc=DEATH, mec="white", label="Overdose death"),
        Patch(fc="0.55", label="Darker ground = more deprived neighbourhood"),
    ]
    ax.legend(
        handles=legend,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.01),
        ncol=2,
        fontsize=7.5,
        frameon=False,
        title=f"Overdoses: last {RECENT_DAYS} days, at the person's home",
        title_fontsize=7.5,
    )
    fig.subplots_adjust(left=0.02, right=0.98, top=0.95, bottom=0.16)
    return fig


def _draw_recent_overdoses(model: DrugMarketModel, ax) -> None:  # type: ignore[no-untyped-def]
    """One dot per overdose in the last few weeks, scattered inside the person's home cell."""
    since = model.record.days_recorded - RECENT_DAYS
    town, home = model.town, model.people.home
    died, _ = model.log.since(Event.OVERDOSE_DEATH, since)
    reversed_, _ = model.log.since(Event.NALOXONE_REVERSAL, since)
    overdosed, _ = model.log.since(Event.OVERDOSE, since)
    survived = np.setdiff1d(overdosed, np.concatenate([died, reversed_]))
    # A fixed scatter per person, so a dot stays put from one frame to the next.
    jitter = np.random.default_rng(0).uniform(-0.38, 0.38, size=(2, 4096))
    for ids, colour, marker, size in (
        (survived, SURVIVED, "o", 14),
        (reversed_, REVERSED, "o", 14),
        (died, DEATH, "X", 46),
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


#: The trend panels: title, then (column, label, colour, how to smooth) lines.
TRENDS: tuple[tuple[str, tuple[tuple[str, str, str, str], ...]], ...] = (
    (
        "People with dependent use",
        (("dependent_users", "out of treatment and custody", "#495057", "level"),),
    ),
    (
        "Street sellers",
        (
            ("active_dealers", "working", SELLER, "level"),
            ("dealer_slots", "positions groups want filled", "#868e96", "level"),
        ),
    ),
    (
        "Overdoses per 4 weeks",
        (
            ("overdoses", "all overdoses", SURVIVED, "sum"),
            ("naloxone_reversals", "reversed with naloxone", REVERSED, "sum"),
            ("overdose_deaths", "deaths", DEATH, "sum"),
        ),
    ),
    (
        "Arrests per 4 weeks",
        (
            ("dealer_arrests", "street sellers", SELLER, "sum"),
            ("person_arrests", "people who use drugs", "#495057", "sum"),
        ),
    ),
    (
        "Sellers replaced and moved, per 4 weeks",
        (
            ("dealers_entered", "recruited (replacement)", SELLER, "sum"),
            ("dealers_displaced", "moved away from patrol", PATROL, "sum"),
        ),
    ),
    (
        "Time to find a seller (hours)",
        (("mean_search_time", "average search, weekly mean", "#495057", "mean"),),
    ),
)
WINDOW = 28


def draw_trends(model: DrugMarketModel, fig: Figure | None = None) -> Figure:
    """Small multiples of the story so far, on a fixed time axis covering the whole run."""
    fig = fig or Figure(figsize=(7.2, 6.9), dpi=100)
    axes = fig.subplots(3, 2, sharex=True)
    daily = model.record.frame(model.params.start_date)
    years = daily["day"].to_numpy() / 365.0
    changes = [(c.day / 365.0, c.note) for c in model.params.events]
    for ax, (title, lines) in zip(axes.flat, TRENDS, strict=True):
        for column, label, colour, how in lines:
            if column not in daily:
                continue
            ax.plot(years, _smooth(daily[column], how), color=colour, lw=1.6, label=label)
        for when, _note in changes:
            ax.axvline(when, color=PATROL, ls="--", lw=0.9)
        ax.set_title(title, fontsize=9.5, loc="left")
        ax.set_xlim(0, model.params.years)
        headroom = 1.3 if len(lines) < 3 else 1.55  # room for the legend above the lines
        ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], 1.0) * headroom)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper left", frameon=False, ncol=2)
    for ax in axes[-1]:
        ax.set_xlabel("Years into the run" + (" (dashed: a timed lever change)" if changes else ""), fontsize=8)
    fig.subplots_adjust(left=0.08, right=0.98, top=0.95, bottom=0.09, hspace=0.35, wspace=0.22)
    return fig


def _smooth(values: pd.Series, how: str) -> np.ndarray:
    """Daily counts are small and noisy: show 4-week sums, weekly means, or the level as is."""
    if how == "sum":
        return values.rolling(WINDOW, min_periods=1).mean().to_numpy() * WINDOW
    if how == "mean":
        return values.rolling(7, min_periods=1).mean().to_numpy()
    return values.to_numpy()
