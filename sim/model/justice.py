"""The criminal justice pathway after arrest: its daily round from custody to the end of each case.

Every arrest opens a case that moves through stages on dated steps, for people who use drugs and
for street sellers alike, so the event log follows each person from arrest to release and the
prison population from the market is counted. Each step takes time and each can lose people
between agencies. This module holds the day's order: people held overnight leave custody, today's
arrests get a disposal (`sim.model.charging`), a new arrest joins the case already open, and each
case due today takes its next step, charging decisions (`sim.model.charging`) or court hearings
and sentences (`sim.model.courts`). The cases themselves are kept in `sim.model.cases`.
"""

from __future__ import annotations

import numpy as np

from sim.model.cases import PERSON, SELLER, CaseFile, Stage
from sim.model.charging import Charging, ChargingParams, DiversionParams
from sim.model.context import Context
from sim.model.courts import CourtParams, Courts
from sim.model.custody import Booked
from sim.model.dealers import Dealers
from sim.model.events import Event
from sim.model.people import People, UseState
from sim.model.prison import Prison
from sim.model.rows import Field
from sim.model.treatment import Treatment


class Justice:
    """Moves every open case a step when it falls due."""

    def __init__(
        self,
        diversion: DiversionParams,
        charging: ChargingParams,
        courts: CourtParams,
        people: People,
        dealers: Dealers,
        treatment: Treatment,
        prison: Prison,
        context: Context,
    ) -> None:
        self.people = people
        self.dealers = dealers
        self.prison = prison
        self.record = context.record
        self.cases = CaseFile(people, dealers, dealers.key, context)
        self.courts = Courts(courts, self.cases, people, dealers, treatment, prison, context)
        self.charging = Charging(diversion, charging, self.cases, self.courts, treatment, context)
        #: The state each person held overnight in police custody goes back to.
        self.persons = people.side_table(back_to=Field(np.int8, UseState.DEPENDENT))
        self._leaving_custody: list[tuple[int, np.ndarray]] = []

    # -- the day ---------------------------------------------------------------------------------------
    def process(self, day: int, booked: Booked, arrested_sellers: np.ndarray, case_quality: float) -> None:
        """Yesterday's detainees leave custody; today's arrests get a disposal; due cases move on.

        `case_quality` is how well today's seller arrests were evidenced (0-1]: the arresting
        officers' skill and fatigue, which the charging decision uses.
        """
        self.leave_custody(day)
        self.receive_people(day, booked)
        self.receive_sellers(day, arrested_sellers, case_quality)
        self.courts.hear_breaches(day)
        due = self.cases.due_today(day)
        if due.size:
            self.advance(due, day)
        # Sellers arrested today and not remanded walk out of custody (no further action,
        # released under investigation, not charged or bailed).
        if arrested_sellers.size:
            held = self.prison.holds_sellers(arrested_sellers)
            self.dealers.released(arrested_sellers[~held], day, self.prison.p.seller_return_share)

    def leave_custody(self, day: int) -> None:
        """People held overnight and not remanded go back to what they were doing."""
        people = self.people
        while self._leaving_custody and self._leaving_custody[0][0] <= day:
            _, ids = self._leaving_custody.pop(0)
            ids = ids[people.state[ids] == int(UseState.CUSTODY)]
            people.detour(ids, self.persons.back_to[ids])

    # -- arrests ---------------------------------------------------------------------------------------
    def receive_people(self, day: int, booked: Booked) -> None:
        """Today's arrests of people who use drugs: a night in custody, then a disposal or the open case."""
        ids, assessed = booked.people, booked.assessed
        if ids.size == 0:
            return
        self.persons.back_to[ids] = self.people.state[ids]
        self.people.detour(ids, UseState.CUSTODY)
        self._leaving_custody.append((day + 1, ids))
        open_case = self.cases.open_case(PERSON, ids)
        again = open_case >= 0
        if again.any():
            self.rearrested(open_case[again], day)
        self.charging.dispose_people(day, ids[~again], assessed[~again])

    def receive_sellers(self, day: int, ids: np.ndarray, quality: float) -> None:
        """Today's seller arrests: a disposal, or the case already open."""
        if ids.size == 0:
            return
        open_case = self.cases.open_case(SELLER, ids)
        again = open_case >= 0
        if again.any():
            self.rearrested(open_case[again], day)
        self.charging.dispose_sellers(day, ids[~again], quality)

    def rearrested(self, cases: np.ndarray, day: int) -> None:
        """A new offence while a case is open joins it: a pending decision is made now, bail may
        be revoked, an order is breached."""
        stage = self.cases.stage[cases]
        pending = cases[(stage == int(Stage.AWAITING_CHARGE)) | (stage == int(Stage.DIVERSION))]
        breached_diversion = cases[stage == int(Stage.DIVERSION)]
        self.cases.log(breached_diversion, day, Event.DIVERSION_BREACHED, None)
        self.record.add("diversion_breaches", breached_diversion.size)
        self.cases.set_due(pending, day)
        self.cases.move(pending, Stage.AWAITING_CHARGE)
        self.courts.revoke_bail(cases[stage == int(Stage.BAIL)], day)
        self.courts.breach_order(cases[stage == int(Stage.ORDER)], day)

    # -- dated steps -------------------------------------------------------------------------------
    def advance(self, cases: np.ndarray, day: int) -> None:
        """Take each case due today one step, by the stage it is at."""
        cases = cases[self._alive(cases)]
        stage = self.cases.stage[cases]
        handlers = {
            Stage.AWAITING_CHARGE: self.charging.decide_charge,
            Stage.DIVERSION: self.charging.end_diversion,
            Stage.BAIL: self.courts.hear,
            Stage.ORDER: self.courts.end_order,
        }
        stage[stage == int(Stage.REMAND)] = Stage.BAIL  # both go to court
        for value in np.unique(stage).tolist():
            handlers[Stage(value)](cases[stage == value], day)

    def _alive(self, cases: np.ndarray) -> np.ndarray:
        """Cases whose person is still alive (a death closes the case)."""
        person = self.cases.agent[cases] == PERSON
        dead = person & (self.people.state[np.where(person, self.cases.who[cases], 0)] == int(UseState.DEAD))
        self.cases.close(cases[dead])
        return ~dead

    def record_stocks(self, day: int) -> None:
        record = self.record
        record.set("in_custody", int(self.people.counts[UseState.CUSTODY]))
        n = self.cases.n
        by_stage = np.bincount(self.cases.stage[:n], minlength=len(Stage))
        record.set("on_bail", int(by_stage[Stage.BAIL]))
        record.set("awaiting_charge", int(by_stage[Stage.AWAITING_CHARGE]))
        record.set("on_treatment_orders", int(by_stage[Stage.ORDER]))
        record.set("mean_charge_delay", self.charging.mean_delay(day))
