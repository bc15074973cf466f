"""Treatment services: keyworkers and caseloads, the waiting list, OST, residential places,
recovery support, outreach and naloxone.

Community capacity is keyworkers in post times the caseload limit, so vacancies and slow hiring
cut it directly (ADDER areas found specialist staff hard to recruit). People reach treatment by
several routes (self-referral, a custody drug worker's referral, a diversion condition, a court
order, release from prison, outreach); priority routes from the criminal justice system can be
admitted over the limit, stretching caseloads, which in turn raises drop-out.

OST protects by replacing street use (few top-ups once the dose is right) and by holding
tolerance up with a daily dose; its riskier first weeks and the risk after leaving come from
tolerance against opioid load in `People.use_and_overdose`, not from a multiplier: an unmatched
titration dose adds to early top-ups, a taper or detox lets tolerance fall before a relapse, and
people who drop out miss doses first.

The package is split by job: `phases` (where a person is in a course, and why it ended),
`params` (the scenario's `treatment` section), `referrals` (readiness, referral routes and the
waiting list), `courses` (OST and residential courses, retention and exits, prison handovers) and
`service` (keyworkers, capacity, naloxone and the order of the day).
"""

from sim.model.treatment.params import TreatmentParams
from sim.model.treatment.phases import (
    COMMUNITY_PHASES,
    DOSED,
    EXIT_COLUMN,
    IN_COMMUNITY,
    ON_OST,
    ROUTE_COLUMN,
    Exit,
    Phase,
    Route,
)
from sim.model.treatment.service import Treatment

__all__ = [
    "COMMUNITY_PHASES",
    "DOSED",
    "EXIT_COLUMN",
    "IN_COMMUNITY",
    "ON_OST",
    "ROUTE_COLUMN",
    "Exit",
    "Phase",
    "Route",
    "Treatment",
    "TreatmentParams",
]
