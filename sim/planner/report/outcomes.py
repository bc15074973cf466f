"""Which outcomes a report shows first, in a planner's words, with units and which way is better."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from sim.model.outcomes import COLUMN_BY_NAME, DAILY_COLUMNS, FLOW


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
#: the total cost joins automatically. Names follow sim/model/outcomes.py::DAILY_COLUMNS.
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
        ("dealer_arrests_per_year", "Seller arrests a year (drug team)", ""),
        ("person_arrests_per_year", "Acquisitive-crime arrests of people who use drugs a year (rest of the force)", ""),
        ("arrests_per_year", "All arrests a year", ""),
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

#: Summary key of a run's total cost across agencies (the model's `cost_total` column).
TOTAL_COST_KEY = "cost_total_total"
DEATHS_KEY = "overdose_deaths_total"
COST_PER_DEATH_AVERTED = "cost_per_death_averted"


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
    if key == TOTAL_COST_KEY:
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
    return [c for c in (*FAN_CHARTS, TOTAL_COST_KEY.removesuffix("_total")) if c in COLUMN_BY_NAME]


def group_of(key: str) -> str:
    """The heading a headline outcome is shown under."""
    for item in HEADLINE:
        if item.key == key:
            return item.group
    return "Costs" if key in (COST_PER_DEATH_AVERTED, TOTAL_COST_KEY) or key in cost_keys() else "Other"


def total_cost(summaries: pd.DataFrame) -> pd.Series | None:
    """Total cost of each run (GBP), or None when the runs' table leaves it out."""
    return summaries.get(TOTAL_COST_KEY)


def headline_keys(available: Iterable[str], chosen: list[str] | None = None) -> list[str]:
    """The outcomes shown first: chosen ones, or the curated list plus costs, where present."""
    available = set(available)
    if chosen:
        return [k for k in chosen if k in available or k == COST_PER_DEATH_AVERTED]
    keys = [h.key for h in HEADLINE if h.key in available]
    keys += [TOTAL_COST_KEY] if TOTAL_COST_KEY in available else [k for k in cost_keys() if k in available]
    return keys


#: The outcomes the verdict reads first, in this order, where the runs report them (unless the
#: planner chose others with --outcomes): the harms a board asks about, then treatment and market.
VERDICT_OUTCOMES: tuple[str, ...] = (
    "overdose_deaths_per_year",
    "overdoses_per_year",
    "offences_per_year",
    "in_treatment_mean",
    "waiting_list_mean",
    "new_initiates_per_year",
    "active_dealers_mean",
    "prison_population_mean",
)


def better_of(key: str) -> str:
    """Which way an outcome is better: 'lower', 'higher', or '' where it is a matter of judgement.

    Declared with the headline outcomes; every cost is better lower. Outcomes such as arrests or
    people using drugs have no direction of their own (more arrests may mean more crime or more
    policing; fewer deaths leave more people using), so they are never coloured.
    """
    for item in HEADLINE:
        if item.key == key:
            return item.better
    if key == TOTAL_COST_KEY or key in cost_keys() or key.removesuffix("_per_year") + "_total" in cost_keys():
        return "lower"
    return ""


def summary_keys() -> list[str]:
    """Every summary outcome a run can report (see `sim.model.outcomes.summarise`)."""
    keys = []
    for column in DAILY_COLUMNS:
        suffixes = ("_total", "_per_year") if column.kind == FLOW else ("_mean", "_final")
        keys += [column.name + suffix for suffix in suffixes]
    return [*keys, COST_PER_DEATH_AVERTED]


def unknown_outcomes(names: Iterable[str] | None) -> list[str]:
    """One problem per outcome name that no run reports, with the closest valid name and the list."""
    from sim.planner.levers import suggest

    known = summary_keys()
    unknown = [name for name in names or () if name not in known]
    if not unknown:
        return []
    problems = [f"--outcomes: {name!r} is not an outcome{suggest(name, known)}" for name in unknown]
    return [*problems, "--outcomes: valid names are " + ", ".join(known)]
