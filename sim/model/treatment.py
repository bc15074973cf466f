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
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from sim.model.context import Context
from sim.model.outcomes import Event
from sim.model.params import Section, half_life_factor, param, per_year_to_daily
from sim.model.people import People, UseState
from sim.model.rows import PersonColumns


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


class TreatmentParams(Section):
    """Community treatment, residential places, recovery support, outreach and naloxone."""

    # -- staff and capacity ---------------------------------------------------------------------
    keyworkers: int = param(
        18,
        unit="posts",
        doc="Funded keyworker posts in community drug treatment.",
        source="sized so keyworkers x caseload limit holds about 40% of the town's OCUs (OHID 2023)",
        plausible=(8, 40),
        ge=0,
        le=5_000,
    )
    caseload_limit: float = param(
        50.0,
        unit="people per keyworker",
        doc="People a keyworker in post takes on before new (non-priority) admissions wait.",
        source="good practice about 40 per worker; real caseloads of 50 to 100 reported (Black 2021)",
        plausible=(40.0, 100.0),
        gt=0.0,
    )
    good_practice_caseload: float = param(
        40.0,
        unit="people per keyworker",
        doc="Caseload above which drop-out rises (see caseload_dropout_slope).",
        source="good practice about 40 per worker (Black 2021)",
        plausible=(30.0, 50.0),
        gt=0.0,
    )
    caseload_dropout_slope: float = param(
        0.5,
        unit="ratio",
        doc="Drop-out rises by this fraction for each 100% that caseloads exceed good practice.",
        plausible=(0.0, 1.5),
        ge=0.0,
    )
    keyworker_turnover_per_year: float = param(
        0.2, unit="1/year", doc="Hazard of a keyworker leaving their post.", plausible=(0.1, 0.35), ge=0.0
    )
    hiring_delay_days: float = param(
        120.0,
        unit="days",
        doc="Mean time to fill a vacant post that can be filled (advert, interview, vetting, notice).",
        plausible=(60.0, 240.0),
        gt=0.0,
    )
    qualified_staff_available: int = param(
        19,
        unit="keyworkers",
        doc="Qualified keyworkers the local labour market can supply to the service: the most that can "
        "be in post. Funding posts above it leaves them vacant (an expansion without the staff to fill "
        "it); a recruitment drive or training places raise it.",
        source="assumption; ADDER areas reported difficulty recruiting specialist staff (College of Policing 2022)",
        plausible=(10, 60),
        ge=0,
        le=5_000,
    )
    initial_vacancy_share: float = param(
        0.06, unit="fraction", doc="Share of posts vacant at the start.", plausible=(0.0, 0.3), ge=0.0, le=1.0
    )
    priority_over_capacity: bool = param(
        True,
        unit="yes/no",
        doc="Admit criminal-justice priority routes (court orders, release appointments, "
        "diversion conditions) even when caseloads are full, stretching them.",
    )
    open_weekends: bool = param(False, unit="yes/no", doc="Services admit and hold first appointments at weekends.")
    # -- demand ----------------------------------------------------------------------------------
    self_referral_per_year: float = param(
        0.1,
        unit="1/year",
        doc="Hazard of a person with dependent use out of treatment asking for it, at readiness 1.",
        source="calibrated so about 40% of OCUs are in treatment at a time (138,604 of ~341,000: OHID 2023, Hay et "
        "al. 2019)",
        plausible=(0.05, 0.4),
        ge=0.0,
    )
    waiting_dropout_per_year: float = param(
        2.0,
        unit="1/year",
        doc="Hazard of giving up while waiting for a non-priority place.",
        plausible=(0.5, 6.0),
        ge=0.0,
    )
    readiness_half_life_days: float = param(
        60.0,
        unit="days",
        doc="Half-life of a raised readiness for treatment as it fades back to 1.",
        plausible=(14.0, 180.0),
        gt=0.0,
    )
    readiness_cap: float = param(
        10.0, unit="ratio", doc="Highest readiness multiplier that repeated prompts can build.", ge=1.0
    )
    overdose_readiness_factor: float = param(
        2.0,
        unit="ratio",
        doc="Readiness multiplier after surviving an overdose.",
        source="assumption: treatment seeking rises after a non-fatal overdose; size assumed",
        plausible=(1.0, 4.0),
        ge=1.0,
    )
    outreach_workers: float = param(
        2.0,
        unit="FTE",
        doc="Outreach workers meeting people who use drugs on the street.",
        plausible=(0.0, 10.0),
        ge=0,
        le=1_000,
    )
    outreach_contacts_per_worker_day: float = param(
        4.0, unit="contacts/day", doc="Contacts an outreach worker makes on a working day.", plausible=(1.0, 10.0), ge=0
    )
    outreach_hours_per_day: float = param(
        7.5, unit="hours", doc="Paid hours of an outreach worker's working day (weekdays).", plausible=(6.0, 8.0), ge=0
    )
    outreach_readiness_factor: float = param(
        1.5, unit="ratio", doc="Readiness multiplier after an outreach contact.", plausible=(1.0, 3.0), ge=1.0
    )
    outreach_referral_share: float = param(
        0.05,
        unit="fraction",
        doc="Share of outreach contacts that lead to a referral onto the waiting list.",
        plausible=(0.01, 0.3),
        ge=0.0,
        le=1.0,
    )
    street_triage_hours_per_week: float = param(
        0.0,
        unit="hours/week",
        doc="Hours a week officers patrol with a drug or mental health worker (street triage).",
        source="street triage with officers named as useful in ADDER (College of Policing 2022)",
        plausible=(0.0, 40.0),
        ge=0.0,
    )
    triage_contacts_per_hour: float = param(
        0.5, unit="contacts/hour", doc="People met per street-triage hour.", plausible=(0.2, 2.0), ge=0.0
    )
    triage_referral_share: float = param(
        0.3,
        unit="fraction",
        doc="Share of street-triage contacts referred onto the waiting list.",
        plausible=(0.1, 0.6),
        ge=0.0,
        le=1.0,
    )
    family_support_per_year: float = param(
        0.05,
        unit="1/year",
        doc="Rate at which families of people with dependent use out of treatment are reached by "
        "family support services (raises readiness; may bring a family naloxone kit).",
        source="assumption; support for families named in the ADDER lessons (College of Policing 2022)",
        plausible=(0.0, 0.3),
        ge=0.0,
    )
    family_readiness_factor: float = param(
        1.5, unit="ratio", doc="Readiness multiplier when the family is involved.", plausible=(1.0, 3.0), ge=1.0
    )
    # -- OST ---------------------------------------------------------------------------------------
    initial_in_ost: int = param(
        800,
        unit="people",
        doc="People in community treatment (OST) at the start.",
        source="about 40% of OCUs in treatment at a time (OHID 2023): 800 of about 2,050",
        plausible=(0, 2_000),
        ge=0,
        le=200_000,
    )
    titration_days: float = param(
        28.0, unit="days", doc="Days to reach an adequate OST dose.", plausible=(14.0, 56.0), gt=0.0
    )
    induction_top_up: float = param(
        0.5,
        unit="probability/day",
        doc="Chance of buying street drugs on a day at the start of OST (falls to the stable "
        "chance as the dose is titrated).",
        plausible=(0.2, 0.8),
        ge=0.0,
        le=1.0,
    )
    stable_top_up: float = param(
        0.08,
        unit="probability/day",
        doc="Chance of buying street drugs on a day once the OST dose is adequate.",
        source="set so deaths on OST are about half those off it (Cornish et al. 2010: 0.7 vs 1.3 per 100 PY)",
        plausible=(0.02, 0.25),
        ge=0.0,
        le=1.0,
    )
    induction_unmatched_load: float = param(
        0.15,
        unit="street doses",
        doc="Opioid load of a new OST dose not yet matched by tolerance; it fades as tolerance "
        "adapts (tolerance regain half-life).",
        source="set so all-cause deaths in the first two weeks of OST are about 1.3 times those out of treatment "
        "(Cornish et al. 2010: 1.7 vs 1.3 per 100 PY); 0.15 with overdose.no_tolerance_multiplier 30 gives the "
        "induction risk that 1.2 gave with the earlier multiplier of 8",
        plausible=(0.0, 0.5),
        ge=0.0,
    )
    dropout_per_year: float = param(
        0.25,
        unit="1/year",
        doc="Hazard of leaving OST unplanned at good-practice caseloads without extra support.",
        source="assumption; with completions and deaths gives retention like OHID 2023",
        plausible=(0.1, 0.5),
        ge=0.0,
    )
    completion_per_year: float = param(
        0.07,
        unit="1/year",
        doc="Hazard of starting a planned taper to completion.",
        source="opiate clients completing and not returning within 6 months: 5-7% a year (OHID 2023)",
        plausible=(0.03, 0.12),
        ge=0.0,
    )
    taper_days: float = param(
        56.0, unit="days", doc="Length of the planned dose reduction before completion.", plausible=(14.0, 120.0), gt=0
    )
    missed_doses_days: float = param(
        7.0,
        unit="days",
        doc="Days of missed doses before a discharge for non-attendance (services review a "
        "prescription after a few missed doses).",
        plausible=(3.0, 14.0),
        ge=0.0,
    )
    missed_dose_street_use: float = param(
        0.3,
        unit="probability/day",
        doc="Chance of buying street drugs on a day of missed doses.",
        plausible=(0.2, 0.9),
        ge=0.0,
        le=1.0,
    )
    order_dropout_ratio: float = param(
        0.7,
        unit="ratio",
        doc="Drop-out of people on a court-ordered drug rehabilitation requirement, relative to others "
        "(court reviews keep people engaged).",
        plausible=(0.4, 1.0),
        gt=0.0,
    )
    # -- residential -------------------------------------------------------------------------------
    residential_places: int = param(
        8,
        unit="beds",
        doc="Residential detox and rehabilitation places the town funds.",
        plausible=(0, 40),
        ge=0,
        le=5_000,
    )
    residential_stay_days: float = param(
        84.0, unit="days", doc="Length of a completed residential stay.", plausible=(14.0, 180.0), gt=0.0
    )
    residential_completion_share: float = param(
        0.65,
        unit="fraction",
        doc="Share of residential stays completed (the rest leave early, with lowered tolerance).",
        plausible=(0.4, 0.85),
        ge=0.0,
        le=1.0,
    )
    residential_step_up_per_year: float = param(
        0.05,
        unit="1/year",
        doc="Hazard of a person on OST asking for a residential place.",
        plausible=(0.01, 0.2),
        ge=0.0,
    )
    # -- recovery, health and family support -------------------------------------------------------
    recovery_support_share: float = param(
        0.3,
        unit="fraction",
        doc="Share of people in treatment given housing and employment support.",
        source="recovery support such as housing and employment named in ADDER (College of Policing 2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    recovery_support_relapse_ratio: float = param(
        0.7, unit="ratio", doc="Relapse hazard with recovery support, relative to without.", plausible=(0.4, 1.0), gt=0
    )
    recovery_support_dropout_ratio: float = param(
        0.85, unit="ratio", doc="Drop-out with recovery support, relative to without.", plausible=(0.5, 1.0), gt=0
    )
    health_care_share: float = param(
        0.4,
        unit="fraction",
        doc="Share of people in treatment whose physical and mental health needs are addressed.",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    health_care_dropout_ratio: float = param(
        0.85, unit="ratio", doc="Drop-out with health needs addressed, relative to without.", plausible=(0.5, 1.0), gt=0
    )
    health_care_relapse_ratio: float = param(
        0.9, unit="ratio", doc="Relapse with health needs addressed, relative to without.", plausible=(0.5, 1.0), gt=0
    )
    family_support_share: float = param(
        0.15,
        unit="fraction",
        doc="Share of people in treatment whose families get support.",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    family_support_relapse_ratio: float = param(
        0.85, unit="ratio", doc="Relapse with family support, relative to without.", plausible=(0.5, 1.0), gt=0
    )
    # -- naloxone ---------------------------------------------------------------------------------
    kit_at_contact_share: float = param(
        0.5,
        unit="fraction",
        doc="Chance a person without a naloxone kit is given one at a service contact (treatment "
        "entry, outreach, after an overdose, leaving residential care).",
        plausible=(0.2, 1.0),
        ge=0.0,
        le=1.0,
    )
    kit_loss_per_year: float = param(
        0.5,
        unit="1/year",
        doc="Hazard of a naloxone kit being lost, confiscated, expired or used without a report.",
        plausible=(0.2, 1.0),
        ge=0.0,
    )
    family_kit_share: float = param(
        0.5,
        unit="fraction",
        doc="Chance a family reached by family support is given a naloxone kit (kept at home).",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )


class Treatment:
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
        self.rows = PersonColumns(
            people.state.size,
            phase=(np.int8, Phase.NONE),
            ost_start=(np.int32, -1),
            phase_end=(np.int32, -1),  # end of a taper, of missed doses, or of a residential stay
            residential_completes=(bool, False),
            wait_since=(np.int32, -1),  # day joined the waiting list (-1: not waiting)
            wait_from=(np.int32, 0),  # first day they can be admitted (an appointment date)
            wait_route=(np.int8, Route.SELF),
            wait_priority=(bool, False),
            order_until=(np.int32, -1),  # last day of a court-ordered treatment requirement
            dropout_factor=(np.float64, 1.0),  # drop-out relative to the base, from support given
            recovery_support=(bool, False),
            health_care=(bool, False),
            family_support=(bool, False),
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
        self.rows.fit(people.n)
        self.rows.ost_start[ost] = -self.rng.integers(int(p.titration_days), 6 * 365, size=ost.size)
        self.rows.phase[ost] = Phase.DOSING
        self._assign_support(ost)
        people.dosed[ost] = True
        people.top_up[ost] = p.stable_top_up
        beds = people.add(p.residential_places, UseState.RESIDENTIAL, day=0, tolerance=0.3)
        self.rows.fit(people.n)
        self.rows.phase[beds] = Phase.RESIDENTIAL
        self.rows.phase_end[beds] = self.rng.integers(1, int(p.residential_stay_days) + 1, size=beds.size)
        self.rows.residential_completes[beds] = self.rng.random(beds.size) < p.residential_completion_share
        self._assign_support(beds)

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

    # -- what other services call ----------------------------------------------------------------
    @property
    def capacity(self) -> float:
        """Community places: keyworkers in post times the caseload limit."""
        return self.in_post * self.p.caseload_limit

    def refer(self, ids: np.ndarray, day: int, route: Route, priority: bool = False) -> None:
        """Put people not already in treatment or waiting on the waiting list from today."""
        self.book(ids, np.full(ids.size, day), day, route, priority)

    def book(self, ids: np.ndarray, first_day: np.ndarray, day: int, route: Route, priority: bool) -> None:
        """Put people on the waiting list with the first day each can be admitted (an appointment)."""
        if ids.size == 0:
            return
        self.rows.fit(self.people.n)
        rows = self.rows
        keep = (rows.wait_since[ids] < 0) & ~IN_COMMUNITY[rows.phase[ids]]
        ids, first_day = ids[keep], first_day[keep]
        if ids.size == 0:
            return
        rows.wait_since[ids] = day
        rows.wait_from[ids] = first_day
        rows.wait_route[ids] = route
        rows.wait_priority[ids] = priority
        self.log.record(day, Event.JOINED_WAITING_LIST, ids, value=float(route))

    def order_treatment(self, ids: np.ndarray, day: int, until: np.ndarray) -> None:
        """A court orders treatment: people on OST stay on it under the order; others get a
        priority place."""
        self.rows.fit(self.people.n)
        self.rows.order_until[ids] = until
        self.refer(ids, day, Route.COURT, priority=True)

    def leave_waiting_list(self, ids: np.ndarray) -> None:
        self.rows.fit(self.people.n)
        self.rows.wait_since[ids] = -1

    def enter_prison(self, ids: np.ndarray, day: int, continue_share: float) -> None:
        """People taken into prison leave community treatment; OST goes on inside for a share of
        those on it (prison healthcare continues a verified prescription)."""
        self.rows.fit(self.people.n)
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
        self.rows.fit(self.people.n)
        self.rows.phase[ids] = Phase.IN_PRISON
        self.rows.ost_start[ids] = day
        self.people.unmatched_load[ids] = self.p.induction_unmatched_load
        self.log.record(day, Event.PRISON_TREATMENT_STARTED, ids)

    def on_prison_ost(self, ids: np.ndarray) -> np.ndarray:
        self.rows.fit(self.people.n)
        return self.rows.phase[ids] == int(Phase.IN_PRISON)

    def continue_ost_on_release(self, ids: np.ndarray, day: int) -> None:
        """Released with a community prescription arranged: OST goes on without a gap."""
        rows = self.rows
        rows.phase[ids] = Phase.DOSING
        self.people.move(ids, UseState.OST, day)
        self._log_entry(ids, day, Route.PRISON, waited=np.zeros(ids.size))

    def stop_prison_ost(self, ids: np.ndarray) -> None:
        self.rows.phase[ids[self.rows.phase[ids] == int(Phase.IN_PRISON)]] = Phase.NONE

    def give_kits(self, ids: np.ndarray, day: int, share: float, family: bool = False) -> np.ndarray:
        """Naloxone kits to those without one, with the given chance each; returns recipients."""
        people = self.people
        lacking = ids[~people.naloxone[ids]]
        given = lacking[self.luck.uniform(lacking, "naloxone_given") < share]
        people.naloxone[given] = True
        self.log.record(day, Event.NALOXONE_KIT, given, value=1.0 if family else 0.0)
        self.record.add("family_naloxone_kits" if family else "naloxone_kits", given.size)
        return given

    # -- the day -----------------------------------------------------------------------------------
    def serve(self, day: int) -> None:
        """One day of the treatment system, in the order a service works through it."""
        self.rows.fit(self.people.n)
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

    def fade_readiness(self) -> None:
        people = self.people
        r = people.readiness[: people.n]
        np.minimum(r, self.p.readiness_cap, out=r)
        r -= 1.0
        r *= half_life_factor(self.p.readiness_half_life_days)
        r += 1.0

    def respond_to_overdoses(self, day: int) -> None:
        """A non-fatal overdose (ambulance, A&E) prompts help-seeking and, often, a kit."""
        people = self.people
        survived = np.flatnonzero(people.survived_overdose_on[: people.n] == day)
        if survived.size:
            people.encourage_treatment(survived, self.p.overdose_readiness_factor)
            self.give_kits(survived, day, self.p.kit_at_contact_share)

    def lose_kits(self) -> None:
        """Kits go missing: lost, confiscated, expired, or used without anyone hearing."""
        people = self.people
        holders = np.flatnonzero(people.naloxone[: people.n])
        people.naloxone[people.sample(holders, per_year_to_daily(self.p.kit_loss_per_year), "kit_loss", self.luck)] = (
            False
        )

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
        self.people.relapse_risk[ids] = risk

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

    def _start_ost(self, ids: np.ndarray, day: int) -> None:
        p, rows, people = self.p, self.rows, self.people
        waited = (day - rows.wait_since[ids]).astype(np.float64)
        routes = rows.wait_route[ids]
        rows.wait_since[ids] = -1
        people.move(ids, UseState.OST, day)
        rows.phase[ids] = Phase.DOSING
        rows.ost_start[ids] = day
        people.unmatched_load[ids] = np.maximum(people.unmatched_load[ids], p.induction_unmatched_load)
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
        people.dosed[:n] = DOSED[rows.phase[:n]]
        on_ost = people.ids_in(UseState.OST)
        progress = np.minimum((day - rows.ost_start[on_ost]) / p.titration_days, 1.0)
        top_up = p.induction_top_up + (p.stable_top_up - p.induction_top_up) * progress
        top_up[rows.phase[on_ost] == int(Phase.LAPSING)] = p.missed_dose_street_use
        people.top_up[on_ost] = top_up

    # -- the day's stocks --------------------------------------------------------------------------
    def record_stocks(self, day: int) -> None:
        """End of day: close the courses of people who died today, then count."""
        people, rows, record = self.people, self.rows, self.record
        n = people.n
        rows.fit(n)
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
