"""Where a person is in their drug-using career, and the groups of states mechanisms ask about.

Kept apart from the People table so that the mechanisms acting on it (overdose, offending,
treatment, justice) can name states without importing the table.
"""

from __future__ import annotations

import functools
from enum import IntEnum

import numpy as np


class UseState(IntEnum):
    """Where a person is in their drug-using career (indexes the `state` array).

    Arrays are compared with `int(UseState.X)` (likewise `Stage`, `Phase`, `SellerState`): numpy
    compares a plain int about three times faster than an IntEnum member.
    """

    OCCASIONAL = 0
    DEPENDENT = 1
    RECOVERY = 2  # abstinent after dependent use; tolerance falls
    OST = 3  # community treatment with opioid substitution therapy
    RESIDENTIAL = 4  # residential treatment or detox
    CUSTODY = 5  # in a police cell after arrest
    REMAND = 6  # held in prison awaiting trial
    PRISON = 7  # serving a sentence
    CEASED = 8  # stopped occasional use; no longer followed
    DEAD = 9


#: States in which a person buys on the street market.
BUYING_STATES = (UseState.OCCASIONAL, UseState.DEPENDENT)
#: States in which tolerance falls because the person is not using street drugs.
ABSTINENT_STATES = (UseState.RECOVERY, UseState.RESIDENTIAL, UseState.REMAND, UseState.PRISON)
#: States of a person with current dependent use, wherever they are (the OCU prevalence measure).
DEPENDENT_USE = (
    UseState.DEPENDENT,
    UseState.OST,
    UseState.RESIDENTIAL,
    UseState.CUSTODY,
    UseState.REMAND,
    UseState.PRISON,
)
#: States that carry the long-term mortality of dependent use.
DEPENDENCE_HISTORY = (
    UseState.DEPENDENT,
    UseState.RECOVERY,
    UseState.OST,
    UseState.RESIDENTIAL,
    UseState.REMAND,
    UseState.PRISON,
)


@functools.cache
def state_lookup(states: tuple[UseState, ...]) -> np.ndarray:
    """A read-only table, indexed by state, that is True for `states` (built once per set of states)."""
    lookup = np.zeros(len(UseState), dtype=bool)
    lookup[list(states)] = True
    lookup.flags.writeable = False
    return lookup
