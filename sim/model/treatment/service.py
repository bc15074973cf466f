"""The treatment service as a whole: keyworkers in post and the places they hold, naloxone, the
starting caseload, the order of a service's day and the day's counts.
"""

from __future__ import annotations

import numpy as np

from sim.model.context import Context
from sim.model.events import Event
from sim.model.params import per_year_to_daily
from sim.model.people import People, UseState
from sim.model.rows import Field
from sim.model.treatment.courses import Courses
from sim.model.treatment.params import TreatmentParams
from sim.model.treatment.phases import IN_COMMUNITY, Exit, Phase, Route
from sim.model.treatment.referrals import Referrals


class Treatment(Referrals, Courses):
    """The town's drug treatment system, acting each day on people's rows."""

    def __init__(
        self,
        params: TreatmentParams,
        people: People,
        context: Context,
    ) -> None:
        self.p = params
        self.people = people
        self.calendar = context.calendar
        self.rng = context.rng("treatment")
        self.luck = context.luck("treatment")
        self.staff_luck = context.luck("staff_turnover")
        self.log = context.log
        self.record = context.record
        self.rows = people.side_table(
            phase=Field(np.int8, Phase.NONE),
            ost_start=Field(np.int32, -1),
            phase_end=Field(np.int32, -1),  # end of a taper, of missed doses, or of a residential stay
            residential_completes=Field(bool, False),
            wait_since=Field(np.int32, -1),  # day joined the waiting list (-1: not waiting)
            wait_from=Field(np.int32, 0),  # first day they can be admitted (an appointment date)
            wait_route=Field(np.int8, Route.SELF),
            wait_priority=Field(bool, False),
            engaged=Field(bool, False),  # attended the first appointment (or referred by a service that checked)
            order_until=Field(np.int32, -1),  # last day of a court-ordered treatment requirement
            dropout_factor=Field(np.float64, 1.0),  # drop-out relative to the base, from support given
            recovery_support=Field(bool, False),
            health_care=Field(bool, False),
            family_support=Field(bool, False),
        )
        self.in_post = round(params.keyworkers * (1.0 - params.initial_vacancy_share))

        self._recent_waits: list[tuple[int, float]] = []
        #: People whose treatment requirement was breached by dropping out, for the courts.
        self.order_breaches: list[np.ndarray] = []
        self._start_population()

    # -- the starting caseload -------------------------------------------------------------------
    def _start_population(self) -> None:
        """People already in treatment on day 0, part-way through their courses."""
        people, p = self.people, self.p
        ost = people.add(p.initial_in_ost, UseState.OST, day=0, tolerance=1.0)
        self.rows.ost_start[ost] = -self.rng.integers(int(p.titration_days), 6 * 365, size=ost.size)
        # Their time on OST (which sets how far their offending has fallen) runs from the course's start.
        people.backdate(ost, self.rows.ost_start[ost])
        self.rows.phase[ost] = Phase.DOSING
        self._assign_support(ost)
        people.settled_on_substitute(ost)
        people.set_top_up(ost, p.stable_top_up)
        beds = people.add(p.residential_places, UseState.RESIDENTIAL, day=0, tolerance=0.3)
        self.rows.phase[beds] = Phase.RESIDENTIAL
        self.rows.phase_end[beds] = self.rng.integers(1, int(p.residential_stay_days) + 1, size=beds.size)
        self.rows.residential_completes[beds] = self.rng.random(beds.size) < p.residential_completion_share
        self._assign_support(beds)

    # -- what other services call ----------------------------------------------------------------
    @property
    def capacity(self) -> float:
        """Community places: keyworkers in post times the caseload limit."""
        return self.in_post * self.p.caseload_limit

    def give_kits(self, ids: np.ndarray, day: int, share: float, family: bool = False) -> np.ndarray:
        """Naloxone kits to those without one, with the given chance each; returns recipients."""
        people = self.people
        lacking = ids[~people.naloxone[ids]]
        given = lacking[self.luck.uniform(lacking, "naloxone_given") < share]
        people.give_naloxone(given)
        self.log.record(day, Event.NALOXONE_KIT, given, value=1.0 if family else 0.0)
        self.record.add("family_naloxone_kits" if family else "naloxone_kits", given.size)
        return given

    # -- the day -----------------------------------------------------------------------------------
    def serve(self, day: int) -> None:
        """One day of the treatment system, in the order a service works through it."""
        open_today = self.p.open_weekends or not self.calendar.is_weekend(day)
        self.staff(day)
        self.fade_readiness()
        self.respond_to_overdoses(day)
        self.lose_kits()
        dependent = self.people.ids_in(UseState.DEPENDENT)
        if open_today:
            self.reach_out(day, dependent)
        self.reach_families(day, dependent)
        self.seek_treatment(day, dependent)
        self.discharge(day)
        self.residential(day, open_today)
        if open_today:
            self.admit(day)
        self.dose(day)

    def staff(self, day: int) -> None:
        """Keyworkers leave; vacant posts fill after a hiring delay, but only while the local
        labour market has qualified staff to offer; posts cut below the people in them end."""
        p = self.p
        # Each post (and each vacancy) has its own luck, so a change in the number of posts
        # leaves the turnover of the others as it was.
        posts = np.arange(self.in_post)
        leavers = int(self.staff_luck.chance(posts, per_year_to_daily(p.keyworker_turnover_per_year), "leaves").size)
        self.in_post = min(self.in_post - leavers, p.keyworkers)
        self.record.add("keyworkers_left", leavers)
        fillable = min(p.keyworkers, p.qualified_staff_available) - self.in_post
        if fillable > 0:
            vacancies = np.arange(fillable)
            hired = int(self.staff_luck.chance(vacancies, min(1.0, 1.0 / p.hiring_delay_days), "filled").size)
            self.in_post += hired
            self.record.add("keyworkers_hired", hired)

    def close_deaths(self, day: int) -> None:
        """Deaths in treatment end the course (NDTMS counts them: about 1.4% a year)."""
        people, rows = self.people, self.rows
        n = people.n
        died = np.flatnonzero((rows.phase[:n] != int(Phase.NONE)) & (people.state[:n] == int(UseState.DEAD)))
        if died.size:
            in_treatment = IN_COMMUNITY[rows.phase[died]]
            self._log_exit(died[in_treatment], day, Exit.DIED)
            rows.phase[died] = Phase.NONE
            rows.order_until[died] = -1

    def lose_kits(self) -> None:
        """Kits go missing: lost, confiscated, expired, or used without anyone hearing."""
        people = self.people
        holders = np.flatnonzero(people.naloxone[: people.n])
        people.lose_naloxone(people.sample(holders, per_year_to_daily(self.p.kit_loss_per_year), "kit_loss", self.luck))

    # -- the day's stocks --------------------------------------------------------------------------
    def record_stocks(self, day: int) -> None:
        """End of day: close the courses of people who died today, then count."""
        people, rows, record = self.people, self.rows, self.record
        n = people.n
        self.close_deaths(day)
        counts = people.counts
        in_ost = int(counts[UseState.OST])
        in_residential = int(counts[UseState.RESIDENTIAL])
        waiting = int(np.count_nonzero(rows.wait_since[:n] >= 0))
        record.set("in_ost", in_ost)
        record.set("in_residential", in_residential)
        record.set("in_treatment", in_ost + in_residential)
        record.set("waiting_list", waiting)
        record.set("keyworkers_in_post", self.in_post)
        record.set("keyworker_vacancies", max(self.p.keyworkers - self.in_post, 0))
        record.set("treatment_capacity", self.capacity)
        record.set("caseload_per_keyworker", in_ost / self.in_post if self.in_post else 0.0)
        # Prison OST ends at release or death, so the phase alone counts those dosed inside.
        record.set("on_prison_ost", int(np.count_nonzero(rows.phase[:n] == int(Phase.IN_PRISON))))
        while self._recent_waits and self._recent_waits[0][0] <= day - 28:
            self._recent_waits.pop(0)
        recent = [w for _, w in self._recent_waits]
        record.set("mean_wait_days", float(np.mean(recent)) if recent else 0.0)
        dependent = people.state[:n] == int(UseState.DEPENDENT)
        holding = np.count_nonzero(people.naloxone[:n] & dependent)
        record.set("naloxone_coverage", holding / counts[UseState.DEPENDENT] if counts[UseState.DEPENDENT] else 0.0)
