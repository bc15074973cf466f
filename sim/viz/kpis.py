"""The headline numbers a room watches (KPI cards) and a plain-language line on the last frame.

Read straight from the model's daily record (no table is built), so they cost next to nothing a
frame.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

from sim.model.model import DrugMarketModel


def total(model: DrugMarketModel, name: str, days: int | None = None) -> float:
    """A flow column summed over the run so far (or over the last `days`)."""
    n = model.record.days_recorded if days is None else min(days, model.record.days_recorded)
    return float(model.record.last(name, n).sum()) if n else 0.0


def now(model: DrugMarketModel, name: str) -> float:
    """A stock column's value on the last recorded day (0 before the first day)."""
    values = model.record.last(name, 1)
    return float(values[0]) if values.size else 0.0


@dataclass(frozen=True)
class Card:
    key: str
    title: str
    value: str
    detail: str
    number: float  # for the side-by-side difference


def money(amount: float) -> str:
    """'£1.2m', '£340k', '£900'."""
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount >= 1e6:
        return f"{sign}£{amount / 1e6:.1f}m"
    if amount >= 1e4:
        return f"{sign}£{amount / 1e3:.0f}k"
    return f"{sign}£{amount:,.0f}"


def cards(model: DrugMarketModel) -> list[Card]:
    """The eight headline numbers, harm first, then treatment, the market, policing and cost."""
    deaths = total(model, "overdose_deaths")
    reversed_ = total(model, "naloxone_reversals")
    overdoses = total(model, "overdoses")
    treated, waiting = now(model, "in_treatment"), now(model, "waiting_list")
    sellers, arrests = now(model, "active_dealers"), total(model, "arrests")
    seller_arrests = total(model, "dealer_arrests")
    overtime, sick = total(model, "overtime_hours"), now(model, "officers_sick")
    cost = total(model, "cost_total")
    off_sick = f"{sick:,.0f} off sick now"
    return [
        Card("deaths", "Overdose deaths", f"{deaths:,.0f}", "so far", deaths),
        Card("reversed", "Overdoses reversed", f"{reversed_:,.0f}", f"of {overdoses:,.0f} overdoses", reversed_),
        Card("treatment", "In treatment", f"{treated:,.0f}", "people now", treated),
        Card("waiting", "Waiting for treatment", f"{waiting:,.0f}", "people now", waiting),
        Card("sellers", "Street sellers", f"{sellers:,.0f}", "working now", sellers),
        Card("arrests", "Arrests", f"{arrests:,.0f}", f"so far, {seller_arrests:,.0f} of sellers", arrests),
        Card("overtime", "Police overtime", f"{overtime:,.0f} h", off_sick, overtime),
        Card("cost", "Cost so far", money(cost), "2024/25 prices", cost),
    ]


def cards_html(model: DrugMarketModel) -> str:
    """The cards as HTML (styled by the page's CSS)."""
    parts = [
        f"<div class='kpi' data-kpi='{c.key}'><div class='kpi-title'>{html.escape(c.title)}</div>"
        f"<div class='kpi-value'>{html.escape(c.value)}</div><div class='kpi-detail'>{html.escape(c.detail)}</div>"
        "</div>"
        for c in cards(model)
    ]
    return "<div class='kpis'>" + "".join(parts) + "</div>"


#: What happened lately, in the order the ticker says it: column, singular, plural.
TICKER: tuple[tuple[str, str, str], ...] = (
    ("overdose_deaths", "person died of an overdose", "people died of an overdose"),
    ("naloxone_reversals", "overdose reversed with naloxone", "overdoses reversed with naloxone"),
    ("dealer_arrests", "street seller arrested", "street sellers arrested"),
    ("person_arrests", "person who uses drugs arrested", "people who use drugs arrested"),
    ("treatment_entries", "person started treatment", "people started treatment"),
    ("prison_releases", "person released from prison", "people released from prison"),
    ("dealers_entered", "new seller recruited", "new sellers recruited"),
)


def ticker(model: DrugMarketModel, days: int = 7) -> str:
    """'Last 7 days: 1 person died of an overdose · 4 overdoses reversed with naloxone · ...'."""
    if model.record.days_recorded == 0:
        return "Press Play or Step to start the town."
    days = min(days, model.record.days_recorded)
    said = []
    for name, one, many in TICKER:
        n = round(total(model, name, days))
        if n:
            said.append(f"{n} {one if n == 1 else many}")
    span = "Yesterday" if days == 1 else f"Last {days} days"
    return f"{span}: " + (" · ".join(said) if said else "a quiet spell")


def difference(a: DrugMarketModel, b: DrugMarketModel) -> list[tuple[str, float, str]]:
    """Mix B minus mix A so far, for the side-by-side strip: (what, difference, in words)."""
    rows = []
    for title, column_name, unit in (
        ("Overdose deaths", "overdose_deaths", ""),
        ("Offences", "offences", ""),
        ("Treatment starts", "treatment_entries", ""),
        ("Cost", "cost_total", "£"),
    ):
        diff = total(b, column_name) - total(a, column_name)
        words = money(diff) if unit == "£" else f"{diff:+,.0f}"
        if unit == "£" and diff > 0:
            words = "+" + words
        rows.append((title, float(np.round(diff, 6)), words))
    return rows
