"""The event log: one row per thing that happened to someone, so a person's career can be followed.

Events are typed (`Event`), each with the kind of individual it concerns (`agent_of`) and what
its `value` column means (`EVENT_VALUE`); the documentation of the log is generated from these.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
import pandas as pd


class Event(IntEnum):
    """Things that happen to an individual, in the event log."""

    INITIATED = 1
    BECAME_DEPENDENT = 2
    CEASED = 3
    REMISSION = 4
    RELAPSED = 5
    OVERDOSE = 6
    OVERDOSE_DEATH = 7
    NALOXONE_REVERSAL = 8
    DIED_OTHER_CAUSE = 9
    PERSON_ARRESTED = 10
    WENT_WITHOUT = 11
    UNFAMILIAR_SUPPLY = 12
    OTHER_DRUGS = 13
    DEALER_ENTERED = 20
    DEALER_EXITED = 21
    DEALER_ARRESTED = 22
    DEALER_DISPLACED = 23
    # Focused deterrence
    DEALER_IDENTIFIED = 24
    DEALER_CALLED_IN = 25
    DEALER_SANCTIONED = 26
    # Police officers (ids are officer rows, not people or sellers)
    OFFICER_JOINED = 40
    OFFICER_LEFT = 41
    OFFICER_SICK = 42
    OVERTIME_WORKED = 43
    OFFICER_MADE_ARREST = 44
    OFFICER_REDEPLOYED = 45
    # Focused deterrence, people who use drugs
    PERSON_CALLED_IN = 60
    # The justice pathway for sellers
    DEALER_NO_FURTHER_ACTION = 30
    DEALER_CHARGED = 31
    DEALER_NOT_CHARGED = 32
    DEALER_BAILED = 33
    DEALER_REMANDED = 34
    DEALER_ACQUITTED = 35
    DEALER_SENTENCED = 36
    DEALER_RELEASED = 37
    # Custody, diversion, courts and prison for people who use drugs
    CUSTODY_ARRIVAL = 70
    DRUG_WORKER_ASSESSMENT = 71
    CUSTODY_REFERRAL = 72
    DIVERTED = 73
    DIVERSION_COMPLETED = 74
    DIVERSION_BREACHED = 75
    COMMUNITY_RESOLUTION = 76
    NO_FURTHER_ACTION = 77
    CHARGED = 78
    NOT_CHARGED = 79
    BAILED = 80
    REMANDED = 81
    ACQUITTED = 82
    COMMUNITY_ORDER = 83
    SENTENCED_TO_PRISON = 84
    ORDER_COMPLETED = 85
    ORDER_BREACHED = 86
    PRISON_TREATMENT_STARTED = 87
    RELEASED_FROM_PRISON = 88
    RELEASED_FROM_REMAND = 89
    # Treatment
    JOINED_WAITING_LIST = 90
    LEFT_WAITING_LIST = 91
    ENTERED_TREATMENT = 92
    LEFT_TREATMENT = 93
    ENTERED_RESIDENTIAL = 94
    LEFT_RESIDENTIAL = 95
    NALOXONE_KIT = 96
    OUTREACH_CONTACT = 97
    RELEASED_ON_PRISON_OST = 98  # dosed in prison up to release, so tolerance held


#: Which population an event's id refers to; events from 20 to 39 are about dealers.
def agent_of(event: Event) -> str:
    """Name the population whose id the event carries."""
    if 20 <= event < 40:
        return "dealer"
    if 40 <= event < 60:
        return "officer"
    return "person"


#: What the `value` column holds for each event, where it is used.
EVENT_VALUE = {
    Event.OVERDOSE: "tolerance at the time (0 to 1)",
    Event.OVERDOSE_DEATH: "tolerance at the time (0 to 1)",
    Event.NALOXONE_REVERSAL: "tolerance at the time (0 to 1)",
    Event.WENT_WITHOUT: "tolerance at the first failed purchase of a spell without opioids (0 to 1)",
    Event.UNFAMILIAR_SUPPLY: "tolerance at the time (0 to 1)",
    Event.DEALER_EXITED: "recent daily earnings (GBP)",
    Event.DEALER_ARRESTED: "group id",
    Event.DEALER_ENTERED: "group id",
    Event.DEALER_IDENTIFIED: "group id",
    Event.DEALER_CALLED_IN: "group id",
    Event.DEALER_SANCTIONED: "group id",
    Event.OFFICER_JOINED: "starting skill (0-1)",
    Event.OFFICER_LEFT: "burnout when leaving (0-1)",
    Event.OFFICER_SICK: "length of the sickness spell (days)",
    Event.OVERTIME_WORKED: "overtime hours worked",
    Event.OFFICER_MADE_ARREST: "case quality: the officer's skill-and-fatigue factor (0-1]",
    Event.OFFICER_REDEPLOYED: "skill (0-1) of an officer returned to other duties when posts were cut",
    Event.PERSON_CALLED_IN: "treatment readiness after the call-in",
    Event.DEALER_CHARGED: "days from arrest to the charging decision",
    Event.DEALER_NOT_CHARGED: "days from arrest to the charging decision",
    Event.DEALER_SENTENCED: "days to serve in prison (0 = non-custodial sentence)",
    Event.DEALER_RELEASED: "1 = went back to their group, 0 = left the trade",
    Event.CUSTODY_ARRIVAL: "hour of arrival (0-24, fractional)",
    Event.DRUG_WORKER_ASSESSMENT: "hours detained",
    Event.DIVERTED: "days allowed to meet the treatment condition",
    Event.CHARGED: "days from arrest to the charging decision (the charge delay)",
    Event.NOT_CHARGED: "days from arrest to the charging decision",
    Event.COMMUNITY_ORDER: "1 = with a drug rehabilitation requirement, 0 = without",
    Event.SENTENCED_TO_PRISON: "days to serve in prison",
    Event.RELEASED_FROM_PRISON: "days from release to the first treatment appointment (0 = OST continued; "
    "empty = none booked)",
    Event.RELEASED_FROM_REMAND: "days from release to the first treatment appointment (0 = OST continued; "
    "empty = none booked)",
    Event.JOINED_WAITING_LIST: "route (0 self, 1 custody, 2 diversion, 3 court, 4 prison, 5 outreach)",
    Event.LEFT_WAITING_LIST: "days waited",
    Event.ENTERED_TREATMENT: "route (0 self, 1 custody, 2 diversion, 3 court, 4 prison, 5 outreach)",
    Event.LEFT_TREATMENT: "reason (0 completed, 1 dropped out, 2 prison, 3 died, 4 to residential)",
    Event.LEFT_RESIDENTIAL: "1 = completed, 0 = left early",
    Event.NALOXONE_KIT: "0 = to the person, 1 = to their family",
    Event.RELEASED_ON_PRISON_OST: "1 = community prescription arranged before release, 0 = OST stopped at release",
}


class EventLog:
    """Append-only log of individual events, stored as column batches for speed."""

    def __init__(self) -> None:
        # (day, event, ids, cells, values); a cell or value shared by the whole batch is kept as
        # one number and spread over the batch only when the log is read.
        self._batches: list[tuple[int, int, np.ndarray, np.ndarray | int, np.ndarray | float]] = []

    def record(
        self,
        day: int,
        event: Event,
        ids: np.ndarray,
        cell: np.ndarray | int = -1,
        value: np.ndarray | float = np.nan,
    ) -> None:
        """Record `event` on `day` for every id in `ids` (with the cell and a value, if any)."""
        n = len(ids)
        if n == 0:
            return
        # Copies, so later changes to the caller's arrays do not rewrite history.
        cells = np.array(cell, dtype=np.int32) if isinstance(cell, np.ndarray) else int(cell)
        values = np.array(value, dtype=np.float64) if isinstance(value, np.ndarray) else float(value)
        self._batches.append((day, int(event), np.array(ids, dtype=np.int64), cells, values))

    @staticmethod
    def _column(batches: list, column: int, dtype: type) -> np.ndarray:
        """One column of `batches` as a single array (numbers shared by a batch spread over it)."""
        sizes = [len(b[2]) for b in batches]
        shared = [0 if isinstance(b[column], np.ndarray) else b[column] for b in batches]
        out = np.repeat(np.array(shared, dtype=dtype), sizes)
        end = np.cumsum(sizes)
        for batch, stop, size in zip(batches, end.tolist(), sizes, strict=True):
            if isinstance(batch[column], np.ndarray):
                out[stop - size : stop] = batch[column]
        return out

    def __len__(self) -> int:
        return sum(len(b[2]) for b in self._batches)

    def since(self, event: Event, day: int) -> tuple[np.ndarray, np.ndarray]:
        """Ids and cells of every `event` logged on or after `day` (for maps of recent happenings)."""
        found = [b for b in self._batches if b[1] == event and b[0] >= day]
        if not found:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32)
        return np.concatenate([b[2] for b in found]), self._column(found, 3, np.int32)

    def on_day(self, day: int, events: tuple[Event, ...]) -> dict[Event, tuple[np.ndarray, np.ndarray]]:
        """Ids and values of each of `events` logged on `day` (recent days are read from the end, so
        a daily look back costs only that day's entries, not the whole log)."""
        wanted = {int(e) for e in events}
        found: dict[int, list] = {int(e): [] for e in events}
        for batch in reversed(self._batches):
            if batch[0] < day:
                break
            if batch[0] == day and batch[1] in wanted:
                found[batch[1]].append(batch)
        out = {}
        for event in events:
            batches = found[int(event)][::-1]
            if batches:
                out[event] = (np.concatenate([b[2] for b in batches]), self._column(batches, 4, np.float64))
            else:
                out[event] = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))
        return out

    def frame(self) -> pd.DataFrame:
        """The event log as a table: day, event, agent, id, cell, value."""
        if not self._batches:
            return pd.DataFrame(
                {
                    "day": pd.Series(dtype=np.int64),
                    "event": pd.Series(dtype=str),
                    "agent": pd.Series(dtype=str),
                    "id": pd.Series(dtype=np.int64),
                    "cell": pd.Series(dtype=np.int32),
                    "value": pd.Series(dtype=np.float64),
                }
            )
        sizes = [len(b[2]) for b in self._batches]
        days = np.repeat([b[0] for b in self._batches], sizes)
        codes = np.repeat([b[1] for b in self._batches], sizes)
        names = {int(e): e.name.lower() for e in Event}
        agents = {int(e): agent_of(e) for e in Event}
        return pd.DataFrame(
            {
                "day": days.astype(np.int64),
                "event": [names[c] for c in codes],
                "agent": [agents[c] for c in codes],
                "id": np.concatenate([b[2] for b in self._batches]),
                "cell": self._column(self._batches, 3, np.int32),
                "value": self._column(self._batches, 4, np.float64),
            }
        )
