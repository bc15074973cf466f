"""Courses of treatment: starting OST, daily dosing, retention and exits, residential stays and
the handovers to and from prison.

Drop-out rises with stretched caseloads and falls with support given and court reviews; a taper
or missed doses come before an exit, so tolerance can fall before street use resumes.
"""

from __future__ import annotations

import numpy as np

from sim.model.events import Event
from sim.model.params import per_year_to_daily
from sim.model.people import UseState
from sim.model.treatment.parts import TreatmentPart
from sim.model.treatment.phases import DOSED, EXIT_COLUMN, IN_COMMUNITY, ON_OST, ROUTE_COLUMN, Exit, Phase, Route


class Courses(TreatmentPart):
    """OST and residential courses, from entry to exit (part of `Treatment`)."""

    def _assign_support(self, ids: np.ndarray) -> None:
        """Recovery, health and family support given with a course of treatment."""
        p, rows = self.p, self.rows
        recovery = self.luck.uniform(ids, "recovery_support") < p.recovery_support_share
        health = self.luck.uniform(ids, "health_care") < p.health_care_share
        rows.recovery_support[ids] = recovery
        rows.health_care[ids] = health
        rows.family_support[ids] = self.luck.uniform(ids, "family_at_entry") < p.family_support_share
        rows.dropout_factor[ids] = np.where(recovery, p.recovery_support_dropout_ratio, 1.0) * np.where(
            health, p.health_care_dropout_ratio, 1.0
        )

    def enter_prison(self, ids: np.ndarray, day: int, continue_share: float) -> None:
        """People taken into prison leave community treatment; OST goes on inside for a share of
        those on it (prison healthcare continues a verified prescription)."""
        rows = self.rows
        self.leave_waiting_list(ids)
        phase = rows.phase[ids]
        in_treatment = IN_COMMUNITY[phase]
        self._log_exit(ids[in_treatment], day, Exit.PRISON)
        on_ost = ON_OST[phase]
        carried = on_ost & (self.luck.uniform(ids, "ost_continues") < continue_share)
        rows.phase[ids[in_treatment & ~carried]] = Phase.NONE
        rows.phase[ids[carried]] = Phase.IN_PRISON
        rows.order_until[ids] = -1

    def start_prison_ost(self, ids: np.ndarray, day: int) -> None:
        """Prison healthcare starts OST; tolerance is rebuilt inside, before release."""
        self.rows.phase[ids] = Phase.IN_PRISON
        self.rows.ost_start[ids] = day
        self.people.start_substitute(ids, self.p.induction_unmatched_load)
        self.log.record(day, Event.PRISON_TREATMENT_STARTED, ids)

    def already_on_prison_ost(self, ids: np.ndarray) -> None:
        """People inside on day 0 who are already on OST there: dosed, tolerance held up."""
        self.rows.phase[ids] = Phase.IN_PRISON
        self.people.settled_on_substitute(ids)

    def in_community_treatment(self, ids: np.ndarray) -> np.ndarray:
        """Who is in a course of community treatment (OST or residential) today."""
        return IN_COMMUNITY[self.rows.phase[ids]]

    def on_prison_ost(self, ids: np.ndarray) -> np.ndarray:
        return self.rows.phase[ids] == int(Phase.IN_PRISON)

    def continue_ost_on_release(self, ids: np.ndarray, day: int) -> np.ndarray:
        """Released with a community prescription arranged: OST goes on without a gap when the
        pharmacy and service are open the next day. Before a closed day (a Friday release with
        services shut at weekends) only those given take-home doses to bridge the gap carry on;
        the others are seen, and dosed, on the next open day. Returns each person's days without OST."""
        p, rows = self.p, self.rows
        gap = np.zeros(ids.size)
        next_open = int(self.calendar.next_open_day(day + 1, p.open_weekends))
        if next_open > day + 1:
            bridged = self.luck.uniform(ids, "bridging_doses") < p.weekend_bridging_share
            waiting = ids[~bridged]
            rows.phase[waiting] = Phase.NONE
            self.book(waiting, np.full(waiting.size, next_open), day, Route.PRISON, priority=True)
            gap[~bridged] = next_open - day
            ids = ids[bridged]
        rows.phase[ids] = Phase.DOSING
        self.people.move(ids, UseState.OST, day)
        self._log_entry(ids, day, Route.PRISON, waited=np.zeros(ids.size))
        return gap

    def stop_prison_ost(self, ids: np.ndarray) -> None:
        self.rows.phase[ids[self.rows.phase[ids] == int(Phase.IN_PRISON)]] = Phase.NONE

    def _dropout_multiplier(self, ids: np.ndarray, day: int, caseload: int) -> np.ndarray:
        """Drop-out relative to the base: support given, a court order, and stretched caseloads."""
        p, rows = self.p, self.rows
        ordered = np.where(rows.order_until[ids] >= day, p.order_dropout_ratio, 1.0)
        pressure = max(0.0, caseload / max(self.in_post, 1) / p.good_practice_caseload - 1.0)
        return rows.dropout_factor[ids] * ordered * (1.0 + p.caseload_dropout_slope * pressure)

    def discharge(self, day: int) -> None:
        """Courses end: tapers finish into recovery, lapses into street use; others start a taper,
        start missing doses, or ask for a residential place."""
        p, rows, people = self.p, self.rows, self.people
        on_ost = people.ids_in(UseState.OST)
        phase = rows.phase[on_ost]
        ending = on_ost[(phase != int(Phase.DOSING)) & (rows.phase_end[on_ost] <= day)]
        tapered = ending[rows.phase[ending] == int(Phase.TAPER)]
        lapsed = ending[rows.phase[ending] == int(Phase.LAPSING)]
        self._finish(tapered, day, Exit.COMPLETED, UseState.RECOVERY)
        self._finish(lapsed, day, Exit.DROPPED_OUT, UseState.DEPENDENT)
        breached = lapsed[rows.order_until[lapsed] >= day]
        if breached.size:
            self.order_breaches.append(breached)
        rows.order_until[lapsed] = -1

        dosing = on_ost[phase == int(Phase.DOSING)]
        u = self.luck.uniform(dosing, "in_treatment")
        drop = per_year_to_daily(p.dropout_per_year) * self._dropout_multiplier(dosing, day, on_ost.size)
        complete = per_year_to_daily(p.completion_per_year)
        established = (day - rows.ost_start[dosing]) >= p.titration_days
        lapsing = dosing[u < drop]
        tapering = dosing[(u >= drop) & (u < drop + complete) & established]
        rows.phase[lapsing] = Phase.LAPSING
        rows.phase_end[lapsing] = day + round(p.missed_doses_days)
        rows.phase[tapering] = Phase.TAPER
        rows.phase_end[tapering] = day + round(p.taper_days)

    def _finish(self, ids: np.ndarray, day: int, reason: Exit, state: UseState) -> None:
        if ids.size == 0:
            return
        self.rows.phase[ids] = Phase.NONE
        self.people.move(ids, state, day)
        if state == UseState.RECOVERY:
            self._set_relapse_risk(ids)
        self._log_exit(ids, day, reason)

    def _set_relapse_risk(self, ids: np.ndarray) -> None:
        p, rows = self.p, self.rows
        risk = np.ones(ids.size)
        risk[rows.recovery_support[ids]] *= p.recovery_support_relapse_ratio
        risk[rows.health_care[ids]] *= p.health_care_relapse_ratio
        risk[rows.family_support[ids]] *= p.family_support_relapse_ratio
        self.people.set_relapse_risk(ids, risk)

    def _log_exit(self, ids: np.ndarray, day: int, reason: Exit) -> None:
        if ids.size == 0:
            return
        self.log.record(day, Event.LEFT_TREATMENT, ids, value=float(reason))
        self.record.add(EXIT_COLUMN[reason], ids.size)

    def _log_entry(self, ids: np.ndarray, day: int, route: Route, waited: np.ndarray) -> None:
        if ids.size == 0:
            return
        self.log.record(day, Event.ENTERED_TREATMENT, ids, value=float(route))
        self.record.add(ROUTE_COLUMN[route], ids.size)
        self.record.add("treatment_entries", ids.size)
        self.record.add("waiting_days_of_entrants", float(waited.sum()))

    def residential(self, day: int, open_today: bool) -> None:
        """Residential stays end (completed into recovery, or early with lowered tolerance); free
        beds go to people on OST who ask for them."""
        p, rows, people = self.p, self.rows, self.people
        residents = people.ids_in(UseState.RESIDENTIAL)
        # Early leavers go part-way through the stay; completers at its end.
        leaving = residents[rows.phase_end[residents] <= day]
        completes = rows.residential_completes[leaving]
        done, left_early = leaving[completes], leaving[~completes]
        for ids, state, completed in ((done, UseState.RECOVERY, 1.0), (left_early, UseState.DEPENDENT, 0.0)):
            if ids.size == 0:
                continue
            rows.phase[ids] = Phase.NONE
            people.move(ids, state, day)
            if state == UseState.RECOVERY:
                self._set_relapse_risk(ids)
            self.give_kits(ids, day, p.kit_at_contact_share)
            self.log.record(day, Event.LEFT_RESIDENTIAL, ids, value=completed)
            self.record.add("residential_exits", ids.size)
        if not open_today:
            return
        free = p.residential_places - (residents.size - leaving.size)
        if free <= 0:
            return
        on_ost = people.ids_in(UseState.OST)
        dosing = on_ost[rows.phase[on_ost] == int(Phase.DOSING)]
        asking = people.sample(dosing, per_year_to_daily(p.residential_step_up_per_year), "step_up", self.luck)
        if asking.size > free:
            asking = self.luck.first(asking, free, "residential_place")
        if asking.size == 0:
            return
        self._log_exit(asking, day, Exit.RESIDENTIAL)
        rows.phase[asking] = Phase.RESIDENTIAL
        people.move(asking, UseState.RESIDENTIAL, day)
        completes = self.luck.uniform(asking, "completes") < p.residential_completion_share
        length = np.where(
            completes, p.residential_stay_days, p.residential_stay_days * self.luck.uniform(asking, "stay")
        )
        rows.phase_end[asking] = day + np.maximum(np.round(length), 1).astype(np.int32)
        rows.residential_completes[asking] = completes
        self.log.record(day, Event.ENTERED_RESIDENTIAL, asking)
        self.record.add("residential_entries", asking.size)

    def _start_ost(self, ids: np.ndarray, day: int) -> None:
        p, rows, people = self.p, self.rows, self.people
        waited = (day - rows.wait_since[ids]).astype(np.float64)
        routes = rows.wait_route[ids]
        rows.wait_since[ids] = -1
        people.move(ids, UseState.OST, day)
        rows.phase[ids] = Phase.DOSING
        rows.ost_start[ids] = day
        # A load still unmatched from an earlier start is kept if it is the higher.
        people.start_substitute(ids, np.maximum(people.unmatched_load[ids], p.induction_unmatched_load))
        self._assign_support(ids)
        self.give_kits(ids, day, p.kit_at_contact_share)
        for route in np.unique(routes):
            chosen = routes == route
            self._log_entry(ids[chosen], day, Route(int(route)), waited[chosen])
        ordinary = ~rows.wait_priority[ids]
        if ordinary.any():
            self._recent_waits.append((day, float(waited[ordinary].mean())))

    def dose(self, day: int) -> None:
        """Who takes a substitute dose today, and how likely each person on OST is to top up."""
        p, rows, people = self.p, self.rows, self.people
        n = people.n
        people.dose_today(DOSED[rows.phase[:n]])
        on_ost = people.ids_in(UseState.OST)
        progress = np.minimum((day - rows.ost_start[on_ost]) / p.titration_days, 1.0)
        top_up = p.induction_top_up + (p.stable_top_up - p.induction_top_up) * progress
        top_up[rows.phase[on_ost] == int(Phase.LAPSING)] = p.missed_dose_street_use
        people.set_top_up(on_ost, top_up)
