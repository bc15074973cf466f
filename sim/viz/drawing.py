"""The trend charts as light SVG, drawn straight from the model's daily record (the map is in
`sim.viz.townmap`), and the palette both use.

Matplotlib took about 0.7 s a frame for the page's two figures, most of a week's frame; SVG text
costs milliseconds, scales sharply on a projector and keeps its text at a size we choose.
Colours are the Okabe-Ito palette (Okabe & Ito 2008), distinguishable with the common forms of
colour blindness.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

import numpy as np

from sim.model.model import DrugMarketModel

# Okabe-Ito colours.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#7f7f7f"

FONT = "font-family='system-ui, sans-serif'"


def day_label(model: DrugMarketModel) -> str:
    """'Day 120 · Tue 5 Aug 2025 · year 1 of 5' for the last simulated day."""
    days = model.record.days_recorded
    if days == 0:
        return f"Day 0 · before the first day · {model.params.years:g} years to run"
    date = model.params.start_date + dt.timedelta(days=days - 1)
    year = (days - 1) // 365 + 1
    return f"Day {days} · {date:%a %-d %b %Y} · year {year} of {model.params.years:g}"


@dataclass(frozen=True)
class Line:
    """One line on a chart: a daily column (or the sum of several), smoothed so small daily counts
    read as a rate."""

    column: str | tuple[str, ...]
    label: str
    colour: str
    window: int = 1  # days; 1 = the daily level as is
    how: str = "level"  # "level", "rate" (a sum per window, from the mean of recent days) or "mean"
    dashed: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,) if isinstance(self.column, str) else self.column


@dataclass(frozen=True)
class Chart:
    title: str
    lines: tuple[Line, ...]


WEEKS_4, WEEK = 28, 7
#: Four charts, large enough to read from the back of a room: harm, treatment, the street market
#: and the police hours that enforcement costs.
CHARTS: tuple[Chart, ...] = (
    Chart(
        "Overdoses per 4 weeks",
        (
            Line("overdoses", "all overdoses", PURPLE, WEEKS_4, "rate"),
            Line("naloxone_reversals", "reversed", GREEN, WEEKS_4, "rate"),
            Line("overdose_deaths", "deaths", BLACK, WEEKS_4, "rate"),
        ),
    ),
    Chart(
        "Treatment: people",
        (
            Line("in_treatment", "in treatment", BLUE),
            Line("waiting_list", "waiting", ORANGE, WEEK, "mean"),
        ),
    ),
    Chart(
        "Street market",
        (
            Line("active_dealers", "sellers working", VERMILLION),
            Line("dealer_arrests", "sellers arrested / 4 wk", SKY, WEEKS_4, "rate"),
        ),
    ),
    Chart(
        "Police hours a day (weekly mean)",
        (
            Line("patrol_hours", "patrol", BLUE, WEEK, "mean"),
            Line("overtime_hours", "overtime", VERMILLION, WEEK, "mean"),
            Line("unfilled_hours", "not covered", GREY, WEEK, "mean", dashed=True),
        ),
    ),
)


def column(model: DrugMarketModel, names: tuple[str, ...]) -> np.ndarray:
    """The recorded days of a column (or the sum of several), without building a table."""
    days = model.record.days_recorded
    return sum((model.record.last(name, days) for name in names), start=np.zeros(days))


def smooth(values: np.ndarray, line: Line) -> np.ndarray:
    """Daily counts are small and noisy: show a rate per window, a recent mean, or the level as is.

    A rate starts once half its window has passed (NaN before): scaled up from the first few days,
    one death on day 3 would read as nine a month.
    """
    values = np.asarray(values, dtype=float)
    if line.how == "level" or values.size == 0:
        return values
    sums = np.concatenate([[0.0], np.cumsum(values)])
    idx = np.arange(1, values.size + 1)
    start = np.maximum(0, idx - line.window)
    mean = (sums[idx] - sums[start]) / (idx - start)
    if line.how == "rate":
        mean = mean * line.window
        mean[(idx - start) < max(1, line.window // 2)] = np.nan
    return mean


def axis_end(days: int) -> int:
    """The x axis follows the run: the elapsed days rounded up to a tidy span (at least 8 weeks)."""
    for span in (56, 91, 182, 273, 365):
        if days <= span:
            return span
    return int(np.ceil(days / 182.5) * 182.5)


def nice_top(value: float) -> float:
    """A round top for the y axis (1, 2, 2.5 or 5 times a power of ten) at or above `value`."""
    if value <= 0 or not np.isfinite(value):
        return 1.0
    power = 10 ** np.floor(np.log10(value))
    return float(next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value))


#: The chart's size in its own units: drawn at about this size at 1280x720, so 14-unit text
#: shows at about 14 px.
WIDTH, HEIGHT = 400, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 56, 24


def chart_svg(model: DrugMarketModel, chart: Chart) -> str:
    """One chart: its lines over the elapsed run, a legend above the plot (never over the data),
    timed lever changes as dashed marks."""
    days = model.record.days_recorded
    end = axis_end(days)
    series = [smooth(column(model, line.columns), line) for line in chart.lines]
    top = nice_top(max((float(np.nanmax(s)) for s in series if s.size and np.isfinite(s).any()), default=1.0))
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    out = [f"<svg viewBox='0 0 {WIDTH} {HEIGHT}' class='chart' {FONT} font-size='15'>"]
    out.append(f"<text x='4' y='18' font-weight='700' font-size='17'>{html.escape(chart.title)}</text>")
    x = 4
    for line in chart.lines:  # the legend, one row above the plot
        dash = " stroke-dasharray='6 4'" if line.dashed else ""
        out.append(f"<line x1='{x}' y1='33' x2='{x + 20}' y2='33' stroke='{line.colour}' stroke-width='4'{dash}/>")
        out.append(f"<text x='{x + 25}' y='38'>{html.escape(line.label)}</text>")
        x += 25 + 8.2 * len(line.label) + 14
    for frac in (0.0, 0.5, 1.0):  # y gridlines and labels
        y = TOP + ph * (1 - frac)
        out.append(f"<line x1='{LEFT}' y1='{y}' x2='{WIDTH - RIGHT}' y2='{y}' stroke='#ccc'/>")
        out.append(f"<text x='{LEFT - 5}' y='{y + 5}' text-anchor='end'>{number(top * frac)}</text>")
    months = end / 30.44
    step = 1 if months <= 3 else 3 if months <= 12 else 6 if months <= 30 else 12
    for month in range(0, int(months) + 1, step):  # x ticks in months
        xpos = LEFT + pw * month * 30.44 / end
        out.append(f"<text x='{xpos:.0f}' y='{HEIGHT - 6}' text-anchor='middle'>{month}</text>")
    out.append(f"<text x='{WIDTH - RIGHT}' y='{HEIGHT - 6}' text-anchor='end'>months</text>")
    for change in model.params.events:
        if 0 < change.day <= end:
            xpos = LEFT + pw * change.day / end
            out.append(
                f"<line x1='{xpos:.1f}' y1='{TOP}' x2='{xpos:.1f}' y2='{TOP + ph}' stroke='{BLUE}' "
                "stroke-dasharray='3 3'/>"
            )
    for line, values in zip(chart.lines, series, strict=True):
        points = _points(values, end, top, pw, ph)
        dash = " stroke-dasharray='6 4'" if line.dashed else ""
        for run in points:
            out.append(
                f"<polyline points='{run}' fill='none' stroke='{line.colour}' stroke-width='3'{dash} "
                "stroke-linejoin='round'/>"
            )
    out.append("</svg>")
    return "".join(out)


def _points(values: np.ndarray, end: int, top: float, pw: float, ph: float) -> list[str]:
    """Polyline point lists for a series (one per unbroken stretch), thinned to about 300 points."""
    if values.size == 0:
        return []
    stride = max(1, values.size // 300)
    idx = np.arange(0, values.size, stride)
    if idx[-1] != values.size - 1:
        idx = np.append(idx, values.size - 1)
    xs = LEFT + pw * (idx + 1) / end
    ys = TOP + ph * (1 - np.clip(values[idx], 0, top) / top)
    runs, current = [], []
    for xv, yv in zip(xs, ys, strict=True):
        if np.isnan(yv):
            if current:
                runs.append(" ".join(current))
            current = []
            continue
        current.append(f"{xv:.1f},{yv:.1f}")
    if current:
        runs.append(" ".join(current))
    return runs


def number(value: float) -> str:
    """An axis label: '0', '2.5', '40', '1.2k'."""
    if value >= 1000:
        return f"{value / 1000:g}k"
    return f"{value:g}"
