"""Where a person is in a course of treatment, how they came to it and why it ended.

Shared by every part of the treatment service and by the services that hand people to it
(custody, courts, prison), so these states live apart from the mechanisms that change them.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Route(IntEnum):
    """How a person came to treatment (the value of treatment events)."""

    SELF = 0
    CUSTODY = 1  # referral by a custody drug worker
    DIVERSION = 2  # condition of an out-of-court disposal
    COURT = 3  # community order with a drug rehabilitation requirement
    PRISON = 4  # appointment arranged on release
    OUTREACH = 5  # outreach workers or street triage with officers


class Exit(IntEnum):
    """Why a person left community treatment (the value of `left_treatment` events)."""

    COMPLETED = 0  # planned exit after a taper, into recovery
    DROPPED_OUT = 1
    PRISON = 2  # remanded or sentenced (OST may continue inside)
    DIED = 3
    RESIDENTIAL = 4  # stepped up to a residential place


class Phase(IntEnum):
    """Where a person is in a course of OST."""

    NONE = 0
    DOSING = 1  # titration, then maintenance
    TAPER = 2  # planned reduction before completion; tolerance falls
    LAPSING = 3  # missing doses before a discharge for non-attendance
    IN_PRISON = 4  # dosed in prison (continued from the community or started inside)
    RESIDENTIAL = 5  # in a residential place (no substitute dose: detox)


#: Phases of a course of community treatment (OST or residential).
COMMUNITY_PHASES = (Phase.DOSING, Phase.TAPER, Phase.LAPSING, Phase.RESIDENTIAL)
#: Lookups by phase: is it community treatment; is a substitute being prescribed.
IN_COMMUNITY = np.isin(np.arange(len(Phase)), COMMUNITY_PHASES)
ON_OST = np.isin(np.arange(len(Phase)), (Phase.DOSING, Phase.TAPER, Phase.LAPSING, Phase.IN_PRISON))
#: Phases in which a full substitute dose is taken each day (prison OST ends at release or death).
DOSED = np.isin(np.arange(len(Phase)), (Phase.DOSING, Phase.IN_PRISON))


ROUTE_COLUMN = {
    Route.SELF: "entries_self",
    Route.CUSTODY: "entries_custody",
    Route.DIVERSION: "entries_diversion",
    Route.COURT: "entries_court",
    Route.PRISON: "entries_prison",
    Route.OUTREACH: "entries_outreach",
}
EXIT_COLUMN = {
    Exit.COMPLETED: "exits_completed",
    Exit.DROPPED_OUT: "exits_dropped_out",
    Exit.PRISON: "exits_prison",
    Exit.DIED: "exits_died",
    Exit.RESIDENTIAL: "exits_residential",
}
