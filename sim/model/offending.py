"""Acquisitive crime by people who use drugs, to fund what they buy.

Split out of the People table because offending is its own mechanism with its own evidence.
Offending is concentrated: in UK treatment cohorts many people report no acquisitive crime in a
given month (Jones et al. 2009, DTORS) while a small minority commits most of it (Gossop et al.
2003, NTORS). So each person has a fixed propensity: zero for a share, lognormal (heavy-tailed)
for the rest, scaled so the average over everyone keeps the mean the funding arithmetic gives
(Godfrey et al. 2002). Treatment lowers it partly and the more the longer a person is retained
(Oliver et al. 2010): it halves when OST starts (Bukten et al. 2013), then falls further.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtri

from sim.model.context import Luck
from sim.model.events import Event
from sim.model.params import Section, param
from sim.model.states import UseState

if TYPE_CHECKING:
    from sim.model.people import People


class OffendingParams(Section):
    """How dependent use is funded by acquisitive crime, who offends, and how treatment changes it."""

    crime_funded_share: float = param(
        0.7,
        unit="fraction",
        doc="Share of the spending of a person with dependent use funded by acquisitive crime.",
        source="on average about 70% funded by crime (Godfrey et al. 2002)",
        plausible=(0.4, 0.85),
        ge=0.0,
        le=1.0,
    )
    fence_share: float = param(
        0.33,
        unit="fraction",
        doc="What stolen goods fetch, as a share of their value.",
        source="stolen goods fetch about a third of their value (Godfrey et al. 2002)",
        plausible=(0.2, 0.5),
        gt=0.0,
        le=1.0,
    )
    value_per_offence: float = param(
        150.0, unit="GBP", doc="Value of goods taken in one acquisitive offence.", plausible=(50.0, 400.0), gt=0.0
    )
    arrest_per_offence: float = param(
        0.003,
        unit="probability",
        doc="Chance that one acquisitive offence leads to the person's arrest.",
        plausible=(0.001, 0.01),
        ge=0.0,
        le=1.0,
    )

    non_offender_share: float = param(
        0.55,
        unit="fraction",
        doc="Share of people with dependent use who do not fund it by acquisitive crime at all "
        "(a fixed trait of each person).",
        source="set so about 40% offend in a 4-week period, as in the month before treatment (Jones et al. 2009)",
        plausible=(0.4, 0.7),
        ge=0.0,
        lt=1.0,
    )
    propensity_spread: float = param(
        1.5,
        unit="sd of log rate",
        doc="Spread (standard deviation of the log) of the offending rate among people who offend: "
        "larger means a smaller minority commits more of the offences.",
        source="set so the most active tenth commit about three quarters of offences (Gossop et al. 2003)",
        plausible=(0.8, 1.8),
        ge=0.0,
        le=3.0,
    )
    max_offences_per_day: float = param(
        10.0,
        unit="offences/day",
        doc="Ceiling on one person's daily offending rate (the lognormal tail is cut here).",
        source="assumption",
        plausible=(5.0, 20.0),
        gt=0.0,
    )
    entry_offending_ratio: float = param(
        0.5,
        unit="ratio",
        doc="Offending of a person starting OST relative to their offending before it: the fall at "
        "entry, before any effect of time retained.",
        source="convictions fell from about 0.4% to 0.2% a day by the day OST started (Bukten et al. 2013)",
        plausible=(0.3, 1.0),
        ge=0.0,
        le=1.0,
    )
    treated_offending_ratio: float = param(
        0.3,
        unit="ratio",
        doc="Offending of a person long retained on OST relative to their offending before it.",
        source="convictions of people in continuous OST about 0.3 of the pre-treatment rate (IR 0.47 vs "
        "1.57), 0.4 over all time in OST (Bukten et al. 2012)",
        plausible=(0.2, 0.6),
        ge=0.0,
        le=1.0,
    )
    treated_offending_days: float = param(
        600.0,
        unit="days",
        doc="Time scale (e-folding) on which offending falls from the entry level towards the "
        "long-retained level while on OST.",
        source="convictions and cautions about 10% lower for each 6 months retained (Oliver et al. 2010): "
        "0.3 + 0.2 exp(-182/600) is 0.45, about 10% under the entry level of 0.5",
        plausible=(180.0, 1_200.0),
        gt=0.0,
    )
    scarcity_offending_ratio: float = param(
        1.5,
        unit="ratio",
        doc="Offending on a day a person with dependent use could not buy, relative to a usual day: a longer "
        "search, and a dearer or unfamiliar source, to fund.",
        source="assumption",
        plausible=(1.0, 2.5),
        ge=0.0,
    )


def offending_propensity(ids: np.ndarray, params: OffendingParams, luck: Luck) -> np.ndarray:
    """Each person's fixed offending propensity (mean 1 over everyone; 0 for non-offenders).

    Drawn from the person's own trait numbers (keyed by id), so a scenario that changes who
    offends when leaves everyone's propensity as it was.
    """
    offends = luck.trait(ids, "offends_at_all") >= params.non_offender_share
    spread = params.propensity_spread
    u = np.clip(luck.trait(ids, "propensity"), 1e-12, 1.0 - 1e-12)
    rate = np.exp(spread * ndtri(u) - 0.5 * spread**2) / (1.0 - params.non_offender_share)
    return np.where(offends, rate, 0.0)


def offend(people: People, day: int, failed: np.ndarray | None = None) -> np.ndarray:
    """People with dependent use in the community fund it through acquisitive crime.

    A person's daily rate = their propensity x the mean rate the funding gives (today's spend x crime
    share / (value per offence x fence share)) x a factor: on OST it starts at `entry_offending_ratio`
    and falls towards `treated_offending_ratio` with time on OST; on a day a person with dependent use
    could not buy (`failed` ids) it rises by `scarcity_offending_ratio`. Returns the ids of people arrested for an
    offence today.
    """
    p = people.p
    n = people.n
    state = people.state[:n]
    offenders = np.flatnonzero((state == int(UseState.DEPENDENT)) | (state == int(UseState.OST)))
    offenders = offenders[people.propensity[offenders] > 0.0]
    mean_rate = people.dependent_spend() * p.crime_funded_share / (p.value_per_offence * p.fence_share)
    factor = np.ones(offenders.size)
    on_ost = people.state[offenders] == int(UseState.OST)
    days_on = np.maximum(day - people.since[offenders[on_ost]], 0)
    settle = np.exp(-days_on / p.treated_offending_days)
    factor[on_ost] = p.treated_offending_ratio + (p.entry_offending_ratio - p.treated_offending_ratio) * settle
    if failed is not None and failed.size:
        factor[people.marked(failed)[offenders]] *= p.scarcity_offending_ratio
    rate = np.minimum(people.propensity[offenders] * mean_rate * factor, p.max_offences_per_day)
    offences = people.offending_luck.poisson(offenders, rate, "offences")
    people.offences[offenders] += offences
    people.record.add("offences", int(offences.sum()))
    caught = 1.0 - (1.0 - p.arrest_per_offence) ** offences
    arrested = offenders[people.offending_luck.uniform(offenders, "caught") < caught]
    people.log.record(day, Event.PERSON_ARRESTED, arrested, cell=people.home[arrested])
    return arrested
