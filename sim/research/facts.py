"""The published facts the model's figures are set beside, and how each figure is computed.

Each `Fact` names a published figure (with its band and source, listed in docs/references.md) and
computes the model's figure from counts pooled over replicates (`evidence.count_run`). Adding a
fact is a declaration here plus, if it needs a new count, a line in `evidence.count_run`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

DAYS_PER_YEAR = 365.25

#: Why the release row (Merrall et al. 2010) may land outside its band.
WHY_RELEASE = (
    "releasees not on prison OST have a few dozen overdoses in weeks 3-12 even over 12 replicates of 5 years, so "
    "the interval is wide and a few replicates can land on either side of the band (docs/death-risks-fit.md); "
    "every releasee uses daily from the day of release and nobody uses in prison, which can only overstate the spike"
)


@dataclass(frozen=True)
class Fact:
    """One published fact: how to compute the model's figure from pooled counts, and the band."""

    name: str
    unit: str
    figure: Callable[[dict[str, float]], float]
    published: str
    band: tuple[float, float] | None
    source: str
    why_not: str = ""


def _ratio(num: str, den: str, scale: float = 1.0) -> Callable[[dict[str, float]], float]:
    return lambda c: scale * c[num] / c[den] if c[den] > 0 else float("nan")


def _rate_ratio(a: tuple[str, str], b: tuple[str, str]) -> Callable[[dict[str, float]], float]:
    first, second = _ratio(*a), _ratio(*b)
    return lambda c: first(c) / second(c) if second(c) > 0 else float("nan")


FACTS: tuple[Fact, ...] = (
    Fact(
        "People using opiates and/or crack per 1,000 aged 15-64",
        "per 1,000",
        _ratio("ocu_days", "days"),
        "Blackpool about 20-24 (2,050 of about 87,000 aged 15-64); England 9.2-9.5",
        (18.0, 25.0),
        "Hay et al. 2019",
        "prevalence follows initiation and progression to dependence, both of which respond to the street "
        "price (market.initiation_price_elasticity, market.progression_price_elasticity)",
    ),
    Fact(
        "Share of OCUs in treatment",
        "fraction",
        _ratio("treated_days", "ocu_people_days"),
        "about 0.40 (138,604 opiate clients of about 341,000)",
        (0.35, 0.45),
        "OHID 2023; Hay et al. 2019",
    ),
    Fact(
        "Share of treatment starts waiting under 3 weeks",
        "fraction",
        _ratio("starts_within_21", "starts"),
        "0.98-0.99",
        (0.90, 1.0),
        "OHID 2023",
        "baseline demand sits close to capacity: when keyworker posts fall vacant, places fill and "
        "entrants queue for weeks until the posts are filled",
    ),
    Fact(
        "Mean wait of treatment starts",
        "days",
        _ratio("wait_days", "starts"),
        "opiate clients 1-2 days on average",
        (0.0, 7.0),
        "OHID 2023",
    ),
    Fact(
        "Share of discharges from community treatment that leave for prison",
        "fraction",
        _ratio("discharges_to_prison", "discharges"),
        "6% (4,240 of 69,612 people discharged from structured drug treatment in England, 2007-08, all drugs; "
        "opiate clients, more often imprisoned, somewhat more: the band's top is an assumption)",
        (0.03, 0.10),
        "NTA 2008",
        "the justice routes bring the town's most active offenders into treatment and they are re-arrested while in "
        "it; how often courts then remand or jail them is set by courts.in_treatment_custody_ratio, fitted to this "
        "row (without it, 15-17% of discharges); scripts/treatment_entries.py traces exits to prison by route",
    ),
    Fact(
        "Overdose deaths on OST per 1,000 person-years",
        "per 1,000 PY",
        _ratio("ost_od_deaths", "ost_years", 1000.0),
        "3.4 across time in and out of treatment (poisoning)",
        None,
        "Pierce et al. 2016",
    ),
    Fact(
        "Overdose deaths off OST per 1,000 person-years (dependent use, in the community)",
        "per 1,000 PY",
        _ratio("off_od_deaths", "off_years", 1000.0),
        "3.4 across time in and out of treatment (poisoning)",
        None,
        "Pierce et al. 2016",
    ),
    Fact(
        "Overdose death rate off OST / on OST",
        "ratio",
        _rate_ratio(("off_od_deaths", "off_years"), ("ost_od_deaths", "ost_years")),
        "1.73 (95% CI 1.55-1.92) poisoning; all-cause 2-3",
        (1.55, 1.92),
        "Pierce et al. 2016; Sordo et al. 2017",
        "a stable OST dose carries overdose.ost_dose_relative_risk of a street day's hazard, calibrated to Pierce "
        "et al.'s 1.73 over 12 replicates of 5 years (docs/death-risks-fit.md); with few deaths on OST a run of a "
        "few replicates scatters widely around it (4 replicates gave 1.45, interval 1.16-1.98, before the street "
        "price was added; at 12 replicates 1.93 before the third recalibration); Sordo et al. 2017 put all-cause "
        "ratios at 2-3",
    ),
    Fact(
        "Overdoses per week, weeks 1-2 / weeks 3-12 after release from a prison sentence, not on OST at release",
        "ratio",
        _rate_ratio(("release_od_w1_2", "release_weeks_w1_2"), ("release_od_w3_12", "release_weeks_w3_12")),
        "UK 7.5 (95% CI 5.7-9.9); 3-8 across countries (deaths; UK releases in the late 1990s, before OST was kept up "
        "in prison)",
        (5.7, 9.9),
        "Merrall et al. 2010",
        WHY_RELEASE,
    ),
    Fact(
        "Overdoses per week, weeks 1-2 / weeks 3-12 after release from a prison sentence, all releases",
        "ratio",
        _rate_ratio(
            ("all_release_od_w1_2", "all_release_weeks_w1_2"), ("all_release_od_w3_12", "all_release_weeks_w3_12")
        ),
        "no published figure for today's mix, in which more than half leave prison on OST (context, no band)",
        None,
        "Merrall et al. 2010",
    ),
    Fact(
        "Overdoses in weeks 1-2 after leaving OST / rate on OST after its first 4 weeks",
        "ratio",
        _rate_ratio(("exit_od_w1_2", "exit_years_w1_2"), ("stable_ost_od", "stable_ost_years")),
        "9 (95% CI 5.4-14.9) times the rest of time on treatment (all-cause; counted from the end of the prescription)",
        (5.4, 14.9),
        "Cornish et al. 2010",
        "counted from the discharge after a week of missed doses (the end of the prescription, as Cornish et al. "
        "count); tolerance then fell during the missed doses and comes back with overdose.tolerance_regain_half_life",
    ),
    Fact(
        "Overdoses in weeks 1-2 after leaving OST / off-OST rate",
        "ratio",
        _rate_ratio(("exit_od_w1_2", "exit_years_w1_2"), ("off_od", "off_years")),
        "crude 4.8 vs 1.3 per 100 person-years off treatment (all-cause; context, no band)",
        None,
        "Cornish et al. 2010",
    ),
    Fact(
        "Non-fatal overdoses per fatal one",
        "ratio",
        lambda c: (c["od"] - c["od_deaths"]) / c["od_deaths"] if c["od_deaths"] > 0 else float("nan"),
        "about 20-30 to 1 (15-30 in UK summaries)",
        (15.0, 30.0),
        "Darke et al. 2003",
    ),
    Fact(
        "Share of people with dependent use offending in a 4-week period",
        "fraction",
        _ratio("month_offended", "month_people"),
        "about 0.40 in the month before treatment",
        (0.30, 0.50),
        "Jones et al. 2009",
        "the share who never offend and the spread of rates are fixed per person; see offending parameters",
    ),
    Fact(
        "Share of offences committed by the most active tenth (3 months)",
        "fraction",
        _ratio("quarter_top_tenth", "quarter_offences"),
        "a small minority commits most acquisitive crime (about three quarters by a tenth)",
        (0.5, 0.9),
        "Gossop et al. 2003",
        "the spread of offending rates is fixed per person; see people.propensity_spread",
    ),
    Fact(
        "Arrests a year (all)",
        "arrests/year",
        _ratio("arrests", "days", DAYS_PER_YEAR),
        "about 870 a year per ADDER area, 2021-24 (larger areas; context, no band)",
        None,
        "Home Office 2025",
    ),
    Fact(
        "Active street sellers",
        "sellers",
        _ratio("seller_days", "days"),
        "no published count for a town; about a hundred assumed",
        None,
        "assumption",
    ),
    Fact(
        "Turnover per selling group (line) a day",
        "GBP/day",
        _ratio("revenue", "group_days"),
        "about GBP 2,000-3,000 a day per county line",
        (2000.0, 3000.0),
        "Black 2020",
    ),
)
