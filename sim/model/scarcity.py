"""What happens to people with dependent use on a day they cannot buy.

A failed purchase is not a day without harm. Some find drugs from an unfamiliar source of
unknown strength (a higher overdose risk); some use other drugs instead (alcohol,
benzodiazepines, gabapentinoids), which do not hold opioid tolerance; the rest go into
withdrawal. Tolerance falls on every day without opioids, so resuming use after a gap carries
the overdose risk of lost tolerance (sim/model/overdose.py); offending rises to fund a longer
search (sim/model/offending.py); and a spell of withdrawal (two days or more) prompts some to seek treatment.
These are the harms of disruption the market evidence describes, so that the model can show
whether a crackdown raises harm in the short run rather than assume it cannot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.events import Event
from sim.model.params import Section, param

if TYPE_CHECKING:
    from sim.model.people import People


class ScarcityParams(Section):
    """How people with dependent use respond to a day they could not buy."""

    unfamiliar_supply_share: float = param(
        0.3,
        unit="fraction",
        doc="Share of people with dependent use who could not buy on a day that get opioids from an unfamiliar "
        "source of unknown strength instead (overdose.unfamiliar_supply_risk applies).",
        source="assumption",
        plausible=(0.1, 0.6),
        ge=0.0,
        le=1.0,
    )
    other_drugs_share: float = param(
        0.3,
        unit="fraction",
        doc="Share of people with dependent use who could not buy on a day that use other drugs instead "
        "(alcohol, benzodiazepines, gabapentinoids): no opioid, so tolerance still falls.",
        source="assumption",
        plausible=(0.1, 0.5),
        ge=0.0,
        le=1.0,
    )
    withdrawal_readiness_factor: float = param(
        1.3,
        unit="ratio",
        doc="Multiplier on treatment readiness on the second day of a spell without opioids (when "
        "withdrawal has set in), and again after each further week of it.",
        source="assumption",
        plausible=(1.0, 2.0),
        ge=1.0,
    )


def go_without(people: People, failed: np.ndarray, day: int) -> np.ndarray:
    """People with dependent use who could not buy today substitute or go into withdrawal.

    Returns the ids who used opioids from an unfamiliar source. Updates each person's run of days
    without opioids, prompts treatment seeking, and records the day's columns and events.
    """
    p = people.p
    n = people.n
    u = people.purchase_luck.uniform(failed, "substitute")
    unfamiliar = failed[u < p.unfamiliar_supply_share]
    other = failed[(u >= p.unfamiliar_supply_share) & (u < p.unfamiliar_supply_share + p.other_drugs_share)]
    without = failed[u >= p.unfamiliar_supply_share]

    runs = people.days_without[:n]
    # A day with opioids (bought, unfamiliar, a dose, or any state but dependent use) ends a run.
    ended = np.ones(n, dtype=bool)
    ended[without] = False
    runs[ended] = 0
    runs[without] += 1
    starting = without[runs[without] == 1]
    # Withdrawal sets in over the first day or two: a second day without prompts help-seeking.
    run = runs[without]
    prompted = without[(run >= 2) & ((run - 2) % 7 == 0)]
    people.encourage_treatment(prompted, p.withdrawal_readiness_factor)

    tolerance = people.tolerance
    people.log.record(day, Event.WENT_WITHOUT, starting, cell=people.home[starting], value=tolerance[starting])
    people.log.record(
        day, Event.UNFAMILIAR_SUPPLY, unfamiliar, cell=people.home[unfamiliar], value=tolerance[unfamiliar]
    )
    people.log.record(day, Event.OTHER_DRUGS, other, cell=people.home[other])
    people.record.add("dependent_failed_purchases", failed.size)
    people.record.add("withdrawal_days", without.size)
    people.record.add("withdrawal_spells", starting.size)
    people.record.add("unfamiliar_supply_use", unfamiliar.size)
    people.record.add("other_drug_use", other.size)
    people.record.add("withdrawal_treatment_prompts", prompted.size)
    return unfamiliar
