"""The case register: every case from arrest to its end, one row each, with dated next steps.

Charging, the courts and the justice pathway's daily round all work on the same cases. Keeping
them in one register (whose stage each case is at, when its next step falls due, which case each
person or seller has open) lets each part move its own cases on without knowing the others.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum

import numpy as np

from sim.model.context import Context
from sim.model.events import Event
from sim.model.rows import Field, Table


class Stage(IntEnum):
    """Where a case stands."""

    AWAITING_CHARGE = 0  # released under investigation or on bail for a charging decision
    DIVERSION = 1  # out-of-court disposal with a treatment condition
    BAIL = 2  # charged, on bail awaiting court
    REMAND = 3  # charged, in prison awaiting court
    ORDER = 4  # community order with a drug rehabilitation requirement
    CLOSED = 5


PERSON, SELLER = 0, 1
#: The columns a step may record about a case through `CaseFile.note` (the rest are the register's).
FACTS = (
    "forensic",
    "joint",
    "crown",
    "assessed",
    "complies",
    "breach",
    "remanded_on",
    "decided_on",
    "charged",
    "quality",
)
#: Waits and sentence lengths vary around their means as a gamma distribution of this shape
#: (coefficient of variation 0.71): a modelling choice, not a lever.
SPREAD_SHAPE = 2.0


class CaseFile(Table):
    """Every case opened in the run: one row per case.

    Also keeps each person's and each seller's open case (-1: none), so a new arrest finds the
    case it joins.
    """

    def __init__(
        self,
        people: Table,
        sellers: Table,
        seller_key: Callable[[np.ndarray], np.ndarray],
        context: Context,
        capacity: int = 1024,
    ) -> None:
        super().__init__(
            capacity,
            agent=Field(np.int8, PERSON),
            who=Field(np.int64, 0),
            stage=Field(np.int8, Stage.CLOSED),
            due=Field(np.int32, -1),
            opened=Field(np.int32, 0),
            forensic=Field(bool, False),
            joint=Field(bool, False),
            crown=Field(bool, False),
            assessed=Field(bool, False),
            complies=Field(bool, False),
            breach=Field(bool, False),
            remanded_on=Field(np.int32, -1),
            decided_on=Field(np.int32, -1),  # day of the charging decision
            charged=Field(bool, False),
            quality=Field(np.float64, 1.0),  # how well the arrest was evidenced (0-1]
        )
        self._seller_key = seller_key
        self.agenda: dict[int, list[int]] = {}
        self._log = context.log
        self._open_of = (people.side_table(case=Field(np.int64, -1)), sellers.side_table(case=Field(np.int64, -1)))

    def key_of(self, agent: int, who: np.ndarray) -> np.ndarray:
        """The key of each person's (agent PERSON) or seller's (SELLER) own luck in the justice pathway.

        Draws about a case are keyed to whom it is about (and the day, see `Luck`), not to the
        case's row, so a policy that changes how many cases are opened leaves others' luck as it
        was; a seller's key is their own luck key (`Dealers.key`), not their row.
        """
        who = np.asarray(who, dtype=np.int64)
        return (who if agent == PERSON else self._seller_key(who)) * 2 + agent

    def key(self, cases: np.ndarray) -> np.ndarray:
        """The luck key of each case's person or seller (see `key_of`)."""
        who, seller = self.who[cases], self.agent[cases] == SELLER
        keys = who * 2 + PERSON
        keys[seller] = self.key_of(SELLER, who[seller])
        return keys

    def open_case(self, agent: int, who: np.ndarray) -> np.ndarray:
        """The open case of each person (agent PERSON) or seller (SELLER) in `who`, -1 if none."""
        return self._open_of[agent].case[who]

    def open(self, agent: int, who: np.ndarray, day: int) -> np.ndarray:
        """Open a case for each of `who` (people or sellers) today; returns the case ids.

        The caller sets the stage it opens at; other columns start at their fields' fills.
        """
        ids = self.append(who.size)
        self.agent[ids] = agent
        self.who[ids] = who
        self.opened[ids] = day
        self._open_of[agent].case[who] = ids
        return ids

    def set_due(self, cases: np.ndarray, days: np.ndarray | int) -> None:
        """Date the next step of each case (kept in an agenda so a day finds its cases fast)."""
        if cases.size == 0:
            return
        self.due[cases] = days
        agenda = self.agenda
        if np.ndim(days) == 0:
            agenda.setdefault(int(days), []).extend(cases.tolist())
            return
        for case, day in zip(cases.tolist(), np.asarray(days).tolist(), strict=True):
            agenda.setdefault(day, []).append(case)

    def move(self, cases: np.ndarray, stage: Stage, **facts: np.ndarray | float) -> None:
        """Put cases at a new stage, noting what the step established (see `note`)."""
        self.stage[cases] = stage
        self.note(cases, **facts)

    def note(self, cases: np.ndarray, **facts: np.ndarray | float) -> None:
        """Record what a step established about each case (its evidence, a decision, a breach),
        by column name; the stage, dates and whom a case is about are kept by the register itself."""
        for column, value in facts.items():
            if column not in FACTS:
                raise KeyError(f"{column!r} is not a fact a step records about a case; known: {', '.join(FACTS)}")
            getattr(self, column)[cases] = value

    def due_today(self, day: int) -> np.ndarray:
        """Cases whose next step falls today (entries re-dated since are dropped)."""
        entries = self.agenda.pop(day, None)
        if not entries:
            return np.empty(0, dtype=np.int64)
        cases = np.array(sorted(set(entries)), dtype=np.int64)
        return cases[self.due[cases] == day]

    def close(self, cases: np.ndarray) -> None:
        """End these cases; their person or seller has no open case any more."""
        if cases.size == 0:
            return
        self.stage[cases] = Stage.CLOSED
        self.due[cases] = -1
        seller = self.agent[cases] == SELLER
        who = self.who[cases]
        for agent, mask in ((PERSON, ~seller), (SELLER, seller)):
            pointer = self._open_of[agent].case
            ids = who[mask]
            mine = pointer[ids] == cases[mask]  # only if it still points at this case
            pointer[ids[mine]] = -1

    def log(
        self,
        cases: np.ndarray,
        day: int,
        person_event: Event | None,
        seller_event: Event | None,
        value: np.ndarray | float = np.nan,
    ) -> None:
        """Record an event for each case's person (`person_event`) or seller (`seller_event`)."""
        if cases.size == 0:
            return
        seller = self.agent[cases] == SELLER
        values = value if isinstance(value, np.ndarray) else np.full(cases.size, value)
        who = self.who[cases]
        if person_event is not None:
            self._log.record(day, person_event, who[~seller], value=values[~seller])
        if seller_event is not None:
            self._log.record(day, seller_event, who[seller], value=values[seller])
