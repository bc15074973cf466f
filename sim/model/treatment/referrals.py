"""How people come to treatment: readiness, the referral routes and the waiting list.

Readiness rises after an overdose, an outreach or triage contact or family support, and fades
back; people ask for help at a rate scaled by it, other services refer or book appointments,
and places are offered to the waiting list on open days, priority routes first.
"""

from __future__ import annotations

import numpy as np

from sim.model.events import Event
from sim.model.params import half_life_factor, per_year_to_daily
from sim.model.people import UseState
from sim.model.treatment.parts import TreatmentPart
from sim.model.treatment.phases import IN_COMMUNITY, Route

#: Routes on which the person is seen at a first appointment they may miss; the referring
#: service settles attendance for the others (custody, diversion, court, prison).
SEEN_AT_FIRST_APPOINTMENT = (Route.SELF, Route.OUTREACH)


class Referrals(TreatmentPart):
    """Readiness, referral routes and the waiting list (part of `Treatment`)."""

    def refer(self, ids: np.ndarray, day: int, route: Route, priority: bool = False) -> None:
        """Put people not already in treatment or waiting on the waiting list from today. People
        who asked or were met by outreach get a first appointment (`first_appointment_days` on, on
        an open day) that they may not attend; other services' referrals come with attendance
        already settled (a custody worker's referral, a diversion condition, a court order)."""
        first_day = day
        if route in SEEN_AT_FIRST_APPOINTMENT:
            first_day = int(self.calendar.next_open_day(day + self.p.first_appointment_days, self.p.open_weekends))
        self.book(ids, np.full(ids.size, first_day), day, route, priority)

    def book(self, ids: np.ndarray, first_day: np.ndarray, day: int, route: Route, priority: bool) -> None:
        """Put people on the waiting list with the first day each can be admitted (an appointment)."""
        if ids.size == 0:
            return
        rows = self.rows
        keep = (rows.wait_since[ids] < 0) & ~IN_COMMUNITY[rows.phase[ids]]
        ids, first_day = ids[keep], first_day[keep]
        if ids.size == 0:
            return
        rows.wait_since[ids] = day
        rows.wait_from[ids] = first_day
        rows.wait_route[ids] = route
        rows.wait_priority[ids] = priority
        rows.engaged[ids] = route not in SEEN_AT_FIRST_APPOINTMENT
        self.log.record(day, Event.JOINED_WAITING_LIST, ids, value=float(route))
        self.record.add("treatment_referrals", ids.size)

    def order_treatment(self, ids: np.ndarray, day: int, until: np.ndarray) -> None:
        """A court orders treatment: people on OST stay on it under the order; others get a
        priority place."""
        self.rows.order_until[ids] = until
        self.refer(ids, day, Route.COURT, priority=True)

    def leave_waiting_list(self, ids: np.ndarray) -> None:
        self.rows.wait_since[ids] = -1

    def fade_readiness(self) -> None:
        """Readiness raised by a scare, an offer of help or a call-in fades back towards usual."""
        self.people.fade_readiness(self.p.readiness_cap, half_life_factor(self.p.readiness_half_life_days))

    def respond_to_overdoses(self, day: int) -> None:
        """A non-fatal overdose (ambulance, A&E) prompts help-seeking and, often, a kit."""
        people = self.people
        survived = np.flatnonzero(people.survived_overdose_on[: people.n] == day)
        if survived.size:
            people.encourage_treatment(survived, self.p.overdose_readiness_factor)
            self.give_kits(survived, day, self.p.kit_at_contact_share)

    def _not_waiting(self, dependent: np.ndarray) -> np.ndarray:
        """People with dependent use out of treatment who are not already waiting for it."""
        return dependent[self.rows.wait_since[dependent] < 0]

    def reach_out(self, day: int, dependent: np.ndarray) -> None:
        """Outreach workers and street triage meet people where they use and buy."""
        p = self.p
        self.record.add(
            "health_worker_hours", p.outreach_workers * p.outreach_hours_per_day + p.street_triage_hours_per_week / 5.0
        )
        pool = self._not_waiting(dependent)
        met = self.rng.poisson(p.outreach_workers * p.outreach_contacts_per_worker_day)
        triaged = self.rng.poisson(p.street_triage_hours_per_week / 5.0 * p.triage_contacts_per_hour)
        total = min(met + triaged, pool.size)
        if total == 0:
            return
        contacts = self.luck.first(pool, total, "contacted")
        self.people.encourage_treatment(contacts, p.outreach_readiness_factor)
        self.give_kits(contacts, day, p.kit_at_contact_share)
        share = np.where(np.arange(total) < min(met, total), p.outreach_referral_share, p.triage_referral_share)
        referred = contacts[self.luck.uniform(contacts, "referred") < share]
        self.refer(referred, day, Route.OUTREACH)
        self.log.record(day, Event.OUTREACH_CONTACT, contacts)
        self.record.add("outreach_contacts", total)

    def reach_families(self, day: int, dependent: np.ndarray) -> None:
        """Family support services reach families: readiness rises; some get a naloxone kit."""
        p = self.p
        if p.family_support_per_year <= 0:
            return
        reached = self.people.sample(
            dependent, per_year_to_daily(p.family_support_per_year), "family_support", self.luck
        )
        if reached.size:
            self.people.encourage_treatment(reached, p.family_readiness_factor)
            self.give_kits(reached, day, p.family_kit_share, family=True)

    def seek_treatment(self, day: int, dependent: np.ndarray) -> None:
        """People out of treatment ask for it at a rate scaled by their readiness."""
        pool = self._not_waiting(dependent)
        chance = -np.expm1(-self.p.self_referral_per_year * self.people.readiness[pool] / 365.25)
        asking = pool[self.luck.uniform(pool, "asks_for_help") < chance]
        self.refer(asking, day, Route.SELF)

    def _first_appointments(self, due: np.ndarray, day: int) -> np.ndarray:
        """Those due who have not yet been seen attend or not (readier people more often); those
        who miss it leave the list. Returns the people due who are now engaged."""
        p, rows = self.p, self.rows
        first = due[~rows.engaged[due]]
        if first.size == 0:
            return due
        outreach = rows.wait_route[first] == int(Route.OUTREACH)
        base = np.where(outreach, p.outreach_attendance, p.self_referral_attendance)
        chance = 1.0 - (1.0 - base) ** self.people.readiness[first]
        attends = self.luck.uniform(first, "attends_first_appointment") < chance
        rows.engaged[first[attends]] = True
        missed = first[~attends]
        if missed.size:
            self.log.record(day, Event.LEFT_WAITING_LIST, missed, value=day - rows.wait_since[missed])
            rows.wait_since[missed] = -1
            self.record.add("first_appointments_missed", missed.size)
        return due[rows.engaged[due]]

    def admit(self, day: int) -> None:
        """Offer places to the waiting list: priority routes first, then by time waited."""
        p, rows, people = self.p, self.rows, self.people
        waiting = np.flatnonzero(rows.wait_since[: people.n] >= 0)
        if waiting.size == 0:
            return
        state = people.state[waiting]
        rows.wait_since[waiting[(state != int(UseState.DEPENDENT)) & (state != int(UseState.CUSTODY))]] = -1
        waiting = waiting[state == int(UseState.DEPENDENT)]
        ordinary = waiting[~rows.wait_priority[waiting]]
        quitting = people.sample(ordinary, per_year_to_daily(p.waiting_dropout_per_year), "waiting_dropout", self.luck)
        if quitting.size:
            self.log.record(day, Event.LEFT_WAITING_LIST, quitting, value=day - rows.wait_since[quitting])
            rows.wait_since[quitting] = -1
            self.record.add("waiting_list_dropouts", quitting.size)
        ready = waiting[(rows.wait_since[waiting] >= 0) & (rows.wait_from[waiting] <= day)]
        ready = self._first_appointments(ready, day)
        if ready.size == 0:
            return
        order = np.lexsort((rows.wait_since[ready], ~rows.wait_priority[ready]))
        ready = ready[order]
        free = max(int(self.capacity) - people.count(UseState.OST), 0)
        priority = rows.wait_priority[ready]
        if p.priority_over_capacity:
            n_priority = int(priority.sum())
            admitted = np.concatenate([ready[:n_priority], ready[n_priority:][:free]])
        else:
            admitted = ready[:free]
        if admitted.size:
            self._start_ost(admitted, day)
