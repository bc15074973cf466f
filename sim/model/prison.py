"""Prison and release: remand, sentences served, treatment inside, and the day of release.

Tolerance falls in prison (People treats REMAND and PRISON as abstinent), so the first days back
on street drugs are the riskiest unless OST held tolerance up inside; the model has no
post-release multiplier. What a planner can change is around that: whether prison treatment
starts at entry or only near release (and how long security clearance keeps treatment staff
out), whether a community appointment and prescription are arranged before release (continuity
of care), and which day people walk out. Releases due at a weekend happen on the Friday before,
and with services closed at weekends a Friday release waits until Monday for a first
appointment. Remand prisoners are released at short notice from court without probation
support (College of Policing 2022, ADDER lessons on prisons and probation).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from sim.model.context import Context
from sim.model.dealers import Dealers
from sim.model.events import Event
from sim.model.params import Section, param
from sim.model.people import People, UseState
from sim.model.rows import Field
from sim.model.treatment import Route, Treatment

THURSDAY, FRIDAY = 3, 4
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def releases_by_weekday(daily: pd.DataFrame) -> pd.Series:
    """Releases of people who use drugs (sentenced and remand) by day of the week, from a daily table."""
    released = daily["prison_releases"] + daily["remand_releases"]
    return released.groupby(daily["weekday"]).sum().reindex(WEEKDAYS, fill_value=0)


class PrisonParams(Section):
    """Time in prison, treatment inside and support on release."""

    release_fraction: float = param(
        0.5,
        unit="fraction",
        doc="Share of a custodial sentence served in prison before release on licence.",
        source="automatic release at the halfway point, 40% for some since September 2024 (Criminal Justice Act 2003)",
        plausible=(0.4, 0.67),
        gt=0.0,
        le=1.0,
    )
    treatment_from_entry: bool = param(
        False,
        unit="yes/no",
        doc="Prison drug services reach people from entry (after security clearance); otherwise "
        "only in the last weeks before release.",
        source="access to ADDER services needs to start on entry into prison (College of Policing 2022)",
    )
    security_clearance_days: float = param(
        28.0,
        unit="days",
        doc="Delay before treatment staff can see a new prisoner while clearance is awaited.",
        source="assumption; lengthy delays awaiting security clearance (College of Policing 2022)",
        plausible=(0.0, 90.0),
        ge=0.0,
    )
    pre_release_days: float = param(
        28.0,
        unit="days",
        doc="When treatment does not start at entry, how long before release staff reach people.",
        plausible=(7.0, 56.0),
        ge=0.0,
    )
    ost_continued_share: float = param(
        0.9,
        unit="fraction",
        doc="Share of people on community OST whose prescription continues in prison.",
        plausible=(0.6, 1.0),
        ge=0.0,
        le=1.0,
    )
    prison_ost_uptake: float = param(
        0.4,
        unit="fraction",
        doc="Share of people with dependent use not on OST who start it when prison treatment reaches them.",
        plausible=(0.1, 0.8),
        ge=0.0,
        le=1.0,
    )
    continuity_of_care: float = param(
        0.3,
        unit="fraction",
        doc="Share of sentenced releases with a community appointment and prescription arranged "
        "before release (OST goes on without a gap; otherwise a first appointment on the next "
        "open day).",
        source="assumption; continuity of care on release named as a need (College of Policing 2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    remand_continuity: float = param(
        0.05,
        unit="fraction",
        doc="The same for people released from remand at short notice.",
        source="remand prisoners not supported like sentenced ones, released at short notice (College of Policing "
        "2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    appointment_days_without_continuity: float = param(
        10.0,
        unit="days",
        doc="Days from release to a first treatment appointment when nothing was arranged before release.",
        plausible=(3.0, 28.0),
        ge=0.0,
    )
    attendance_with_continuity: float = param(
        0.8,
        unit="probability",
        doc="Chance an arranged release appointment is kept.",
        plausible=(0.5, 0.95),
        ge=0,
        le=1,
    )
    attendance_with_probation: float = param(
        0.45,
        unit="probability",
        doc="Chance a sentenced person (under probation supervision) keeps a first appointment arranged after release.",
        plausible=(0.2, 0.7),
        ge=0.0,
        le=1.0,
    )
    attendance_from_remand: float = param(
        0.25,
        unit="probability",
        doc="The same for people released from remand, who have no probation support.",
        plausible=(0.05, 0.5),
        ge=0.0,
        le=1.0,
    )
    weekend_releases_on_friday: bool = param(
        True, unit="yes/no", doc="Releases due on a Saturday or Sunday happen on the Friday before."
    )
    friday_releases_moved: float = param(
        0.0,
        unit="fraction",
        doc="Share of Friday releases brought forward earlier in the week (Offenders (Day of "
        "Release from Detention) Act 2023 allows up to two working days).",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    friday_move_days: int = param(
        2, unit="days", doc="How many days earlier a moved Friday release happens.", ge=1, le=2
    )
    release_day_policy: Literal["as_now", "no_friday", "all_midweek"] = param(
        "as_now",
        unit="choice",
        doc="Which day people walk out: as_now (weekend releases on the Friday before; "
        "friday_releases_moved of Friday releases brought forward), no_friday (every Friday release "
        "brought forward friday_move_days), all_midweek (releases due Friday to Monday brought forward "
        "to the Thursday before, so people leave Tuesday to Thursday with open services ahead).",
        source="Offenders (Day of Release from Detention) Act 2023 allows release up to two working days early",
    )
    release_naloxone_share: float = param(
        0.5,
        unit="fraction",
        doc="Chance a person leaving prison without a naloxone kit is given one.",
        plausible=(0.1, 1.0),
        ge=0.0,
        le=1.0,
    )
    seller_return_share: float = param(
        0.5,
        unit="fraction",
        doc="Chance a released street seller goes back to their group, if it still has an open "
        "position; the rest leave the trade. No published figure: swept in docs/police.md, a "
        "crackdown's effect on sellers is about the same from 0 to 1 (scripts/seller_assumptions.py).",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    initial_in_prison: int = param(
        15,
        unit="people",
        doc="People with dependent use serving sentences at the start (near the default town's equilibrium).",
        plausible=(0, 300),
        ge=0,
        le=100_000,
    )
    initial_on_remand: int = param(
        14, unit="people", doc="People with dependent use on remand at the start.", plausible=(0, 100), ge=0, le=100_000
    )
    initial_sellers_in_prison: int = param(
        50,
        unit="sellers",
        doc="Former street sellers of the town's groups in prison at the start (near equilibrium).",
        plausible=(0, 300),
        ge=0,
        le=100_000,
    )


class Prison:
    """People and sellers from the town's market held on remand or serving sentences.

    `sentence_days` are the courts' mean custodial sentences for people who use drugs and for
    sellers; the prison needs them only to date the releases of those inside on day 0. They are
    passed as numbers so the prison does not depend on the justice pathway, which sends people
    to it.
    """

    def __init__(
        self,
        params: PrisonParams,
        sentence_days: tuple[float, float],
        people: People,
        dealers: Dealers,
        treatment: Treatment,
        context: Context,
    ) -> None:
        self.p = params
        #: Mean days served by people who use drugs and by sellers (sets the starting population's
        #: remaining time: for gamma-spread stays, uniform up to 1.5 x the mean has the right mean).
        person_sentence, seller_sentence = sentence_days
        self.typical_stay = (person_sentence * params.release_fraction, seller_sentence * params.release_fraction)
        self.people = people
        self.dealers = dealers
        self.treatment = treatment
        self.calendar = context.calendar
        self.luck = context.luck("prison")
        self.log = context.log
        self.record = context.record
        self.rows = people.side_table(
            entered=Field(np.int32, -1),
            release_day=Field(np.int32, -1),  # -1 while on remand (no date yet)
            reach_day=Field(np.int32, -1),  # when prison drug services reach the person
        )
        self.sellers = dealers.side_table(in_prison=Field(bool, False), seller_release_day=Field(np.int32, -1))
        self._start_population()

    def _start_population(self) -> None:
        """People and sellers already inside on day 0, part-way through their time."""
        p, people, rows = self.p, self.people, self.rows
        serving = people.add(p.initial_in_prison, UseState.PRISON, day=0, tolerance=0.2)
        remanded = people.add(p.initial_on_remand, UseState.REMAND, day=0, tolerance=0.5)
        person_stay, seller_stay = self.typical_stay
        rows.entered[serving] = -self._integers(serving, 0, int(1.5 * person_stay) + 1, "served_so_far")
        rows.release_day[serving] = self._release_day(
            self._integers(serving, 1, int(1.5 * person_stay) + 2, "time_left"), serving
        )
        rows.entered[remanded] = -self._integers(remanded, 0, 30, "served_so_far")
        # Their cases began before day 0 and are not modelled: they leave remand at short notice,
        # as most remand prisoners do, on a day within the next two months.
        hearing = self._integers(remanded, 3, 63, "hearing")
        weekday = self.calendar.weekday(hearing)  # courts sit on weekdays
        rows.release_day[remanded] = hearing - np.where(weekday == 5, 1, np.where(weekday == 6, 2, 0))
        inside = np.concatenate([serving, remanded])
        on_ost = inside[self.luck.uniform(inside, "on_ost") < p.prison_ost_uptake]
        self.treatment.already_on_prison_ost(on_ost)
        if p.initial_sellers_in_prison and self.dealers.p.groups:
            places = np.arange(p.initial_sellers_in_prison)
            groups = self._integers(places, 0, self.dealers.p.groups, "seller_group").astype(np.int32)
            sellers = self.dealers.add(groups, day=0)
            self.dealers.taken_off_street(sellers)
            self.sellers.in_prison[sellers] = True
            self.sellers.seller_release_day[sellers] = self._release_day(
                self._integers(sellers, 1, int(1.5 * seller_stay) + 2, "seller_time_left"), sellers, seller=True
            )

    # -- dates ---------------------------------------------------------------------------------------
    def _integers(self, ids: np.ndarray, low: int, high: int, label: str) -> np.ndarray:
        """A whole number in [low, high) per id, each id's own (see `Luck`)."""
        return low + np.floor(self.luck.uniform(ids, label) * (high - low)).astype(np.int64)

    def _release_day(self, due: np.ndarray, ids: np.ndarray, seller: bool = False) -> np.ndarray:
        """The day people (or sellers) `ids` actually walk out when their release falls due on `due`."""
        due = np.asarray(due, dtype=np.int64)
        weekday = self.calendar.weekday(due)
        if self.p.weekend_releases_on_friday:
            due = due - np.where(weekday == 5, 1, np.where(weekday == 6, 2, 0))
        weekday = self.calendar.weekday(due)
        if self.p.release_day_policy == "all_midweek":  # Friday to Monday -> the Thursday before
            back = np.where((weekday >= FRIDAY) | (weekday == 0), (weekday - THURSDAY) % 7, 0)
            return (due - back).astype(np.int32)
        friday = weekday == FRIDAY
        if self.p.release_day_policy == "no_friday":
            return np.where(friday, due - self.p.friday_move_days, due).astype(np.int32)
        label = "seller_friday_move" if seller else "friday_move"
        moved = friday & (self.luck.uniform(ids, label) < self.p.friday_releases_moved)
        return np.where(moved, due - self.p.friday_move_days, due).astype(np.int32)

    # -- coming in ------------------------------------------------------------------------------------
    def remand(self, ids: np.ndarray, day: int) -> None:
        """People held in prison until their court date."""
        self._admit(ids, day, UseState.REMAND)
        self.log.record(day, Event.REMANDED, ids)
        self.record.add("remands", ids.size)

    def sentence(self, ids: np.ndarray, day: int, days_to_serve: np.ndarray) -> np.ndarray:
        """People sentenced to custody; time on remand counts. Returns those released at once."""
        rows = self.rows
        inside = self.people.in_states(UseState.REMAND)[ids]
        start = np.where(inside, rows.entered[ids], day)
        release = self._release_day(start + np.round(days_to_serve).astype(np.int64), ids)
        done = release <= day
        self._admit(ids[~inside], day, UseState.PRISON)
        self.people.move(ids[inside & ~done], UseState.PRISON, day)
        rows.release_day[ids] = release
        self._schedule_treatment(ids[~done], day)
        self._release(ids[done], day, from_remand=True)
        return ids[done]

    def _admit(self, ids: np.ndarray, day: int, state: UseState) -> None:
        if ids.size == 0:
            return
        self.treatment.enter_prison(ids, day, self.p.ost_continued_share)
        self.people.move(ids, state, day)
        self.rows.entered[ids] = day
        self.rows.release_day[ids] = -1
        self._schedule_treatment(ids, day)

    def _schedule_treatment(self, ids: np.ndarray, day: int) -> None:
        """When prison drug services will reach each person (once per spell inside)."""
        p, rows = self.p, self.rows
        ids = ids[~((rows.reach_day[ids] >= 0) & (rows.reach_day[ids] < day))]
        if p.treatment_from_entry:
            reach = rows.entered[ids] + round(p.security_clearance_days)
        else:
            release = rows.release_day[ids]
            reach = np.where(release >= 0, release - round(p.pre_release_days), -1)
            reach = np.where((reach >= 0) & (reach < rows.entered[ids] + p.security_clearance_days), -1, reach)
        rows.reach_day[ids] = np.where(reach >= 0, np.maximum(reach, day), -1)

    def remand_sellers(self, ids: np.ndarray, day: int) -> None:
        self.dealers.taken_off_street(ids)
        self.sellers.in_prison[ids] = True
        self.sellers.seller_release_day[ids] = -1
        self.log.record(day, Event.DEALER_REMANDED, ids)
        self.record.add("seller_remands", ids.size)

    def sentence_sellers(self, ids: np.ndarray, day: int, days_to_serve: np.ndarray, remanded_on: np.ndarray) -> None:
        start = np.where(remanded_on >= 0, remanded_on, day)
        release = self._release_day(start + np.round(days_to_serve).astype(np.int64), ids, seller=True)
        self.dealers.taken_off_street(ids)
        self.sellers.in_prison[ids] = True
        self.sellers.seller_release_day[ids] = np.maximum(release, day)

    def holds_sellers(self, ids: np.ndarray) -> np.ndarray:
        """Boolean mask: is each seller in `ids` held in prison (on remand or sentenced)?"""
        return self.sellers.in_prison[ids]

    # -- the day -------------------------------------------------------------------------------------
    def hold_and_release(self, day: int) -> None:
        """Treatment reaches people inside; those due walk out (people and sellers)."""
        people, rows = self.people, self.rows
        n = people.n
        reached = np.flatnonzero(rows.reach_day[:n] == day)
        reached = reached[
            (people.state[reached] == int(UseState.REMAND)) | (people.state[reached] == int(UseState.PRISON))
        ]
        if reached.size:
            not_dosed = reached[~self.treatment.on_prison_ost(reached)]
            starting = not_dosed[self.luck.uniform(not_dosed, "starts_ost") < self.p.prison_ost_uptake]
            self.treatment.start_prison_ost(starting, day)
        due = np.flatnonzero(rows.release_day[:n] == day)
        self._release(due[people.state[due] == int(UseState.PRISON)], day, from_remand=False)
        self._release(due[people.state[due] == int(UseState.REMAND)], day, from_remand=True)
        m = self.dealers.n
        sellers_due = np.flatnonzero(self.sellers.in_prison[:m] & (self.sellers.seller_release_day[:m] == day))
        self.release_sellers(sellers_due, day)

    def release_from_remand(self, ids: np.ndarray, day: int) -> None:
        """Court outcomes that free a remand prisoner: at short notice, without probation."""
        self._release(ids, day, from_remand=True)

    def release_sellers(self, ids: np.ndarray, day: int) -> None:
        if ids.size == 0:
            return
        self.sellers.in_prison[ids] = False
        self.sellers.seller_release_day[ids] = -1
        returned = self.dealers.released(ids, day, self.p.seller_return_share)
        self.record.add("sellers_released", ids.size)
        self.record.add("sellers_returned", returned.size)

    def _release(self, ids: np.ndarray, day: int, from_remand: bool) -> None:
        """Out of the gate: OST continues, or a first appointment is booked, or nothing."""
        if ids.size == 0:
            return
        p, people, treatment = self.p, self.people, self.treatment
        self.rows.release_day[ids] = -1
        self.rows.reach_day[ids] = -1
        people.move(ids, UseState.DEPENDENT, day)
        share = p.remand_continuity if from_remand else p.continuity_of_care
        continuity = self.luck.uniform(ids, "continuity") < share
        dosed = treatment.on_prison_ost(ids)
        carried_on = ids[continuity & dosed]
        # A prescription is picked up on an open day: before a closed weekend, some wait (the gap).
        carried_gap = treatment.continue_ost_on_release(carried_on, day)
        treatment.stop_prison_ost(ids[~(continuity & dosed)])

        # An arranged first appointment is on the next day services are open (a Friday release
        # waits until Monday when they close at weekends); otherwise one is made after release.
        open_weekends = treatment.p.open_weekends
        arranged = continuity & ~dosed
        later = max(round(p.appointment_days_without_continuity), 1)
        appointment = self.calendar.next_open_day(np.where(arranged, day + 1, day + later), open_weekends)
        attendance = p.attendance_from_remand if from_remand else p.attendance_with_probation
        attends = self.luck.uniform(ids, "attends") < np.where(arranged, p.attendance_with_continuity, attendance)
        booked = ~(continuity & dosed) & attends
        treatment.book(ids[booked], appointment[booked], day, Route.PRISON, priority=True)
        gap = np.where(booked, appointment - day, np.nan)
        gap[continuity & dosed] = carried_gap
        treatment.give_kits(ids, day, p.release_naloxone_share)

        event = Event.RELEASED_FROM_REMAND if from_remand else Event.RELEASED_FROM_PRISON
        self.log.record(day, event, ids, value=gap)
        self.log.record(day, Event.RELEASED_ON_PRISON_OST, ids[dosed], value=continuity[dosed].astype(np.float64))
        self.record.add("remand_releases" if from_remand else "prison_releases", ids.size)
        if self.calendar.weekday(day) == FRIDAY:
            self.record.add("friday_releases", ids.size)
        with_appointment = np.isfinite(gap)
        self.record.add("releases_with_appointment", int(with_appointment.sum()))
        self.record.add("release_appointment_gap_days", float(gap[with_appointment].sum()))

    def record_stocks(self) -> None:
        counts = self.people.counts
        on_remand = int(counts[UseState.REMAND])
        in_prison = int(counts[UseState.PRISON])
        m = self.dealers.n
        sellers_inside = int(np.count_nonzero(self.sellers.in_prison[:m]))
        self.record.set("on_remand", on_remand)
        self.record.set("in_prison", in_prison)
        self.record.set("sellers_in_prison", sellers_inside)
        self.record.set("prison_population", on_remand + in_prison + sellers_inside)
