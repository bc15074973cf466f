"""Acquisitive crime by people who use drugs, to fund what they buy.

Split out of the People table because offending is its own mechanism, with its own evidence
(Godfrey et al. 2002 on how use is funded; NTORS and DTORS on who offends and how much).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.outcomes import Event
from sim.model.states import UseState

if TYPE_CHECKING:
    from sim.model.people import People


def offend(people: People, bought: np.ndarray, day: int) -> np.ndarray:
    """Dependent buyers fund most of their spending through acquisitive crime.

    Offences per buying day = spend x crime share / (value per offence x fence share). People
    on OST offend only to fund their (smaller, rarer) top-ups, which is how OST cuts offending.
    Returns the ids of people arrested for an offence today.
    """
    p = people.p
    state = people.state[bought]
    offenders = bought[(state == int(UseState.DEPENDENT)) | (state == int(UseState.OST))]
    rate = people.spend(offenders) * p.crime_funded_share / (p.value_per_offence * p.fence_share)
    offences = people.offending_luck.poisson(offenders, rate, "offences")
    people.record.add("offences", int(offences.sum()))
    caught = 1.0 - (1.0 - p.arrest_per_offence) ** offences
    arrested = offenders[people.offending_luck.uniform(offenders, "caught") < caught]
    people.log.record(day, Event.PERSON_ARRESTED, arrested, cell=people.home[arrested])
    return arrested
