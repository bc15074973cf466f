"""The criminal justice pathway after arrest: diversion, charging, bail or remand, court, sentence.

Every arrest opens a case that moves through stages on dated steps, for people who use drugs and
for street sellers alike, so the event log follows each person from arrest to release and the
prison population from the market is counted. Each step takes time and each can lose people
between agencies:

- Diversion: an eligible person may get an out-of-court disposal with a treatment condition;
  people a custody drug worker assessed comply more often; a breach sends the case to charge.
- Charging: a decision takes time and may fail. Joint working with the prosecutor (CPS) before
  arrest shortens the delay and raises the share charged, most of all where forensic evidence is
  needed (seller cases often are); the share charged also scales with the model's
  `case_quality`, which the police workforce sets from officers' skill and fatigue.
- Court: bail or remand, then a hearing after a delay (longer in the Crown Court); a conviction
  leads to prison, a community order with a drug rehabilitation requirement, or another
  community sentence. A treatment requirement breached by dropping out returns to court.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum

import numpy as np

from sim.model.context import Context
from sim.model.custody import Booked
from sim.model.dealers import Dealers, SellerState
from sim.model.outcomes import Event
from sim.model.params import Section, param
from sim.model.people import People, UseState
from sim.model.prison import Prison
from sim.model.rows import PersonColumns
from sim.model.treatment import Route, Treatment


class Stage(IntEnum):
    """Where a case stands."""

    AWAITING_CHARGE = 0  # released under investigation or on bail for a charging decision
    DIVERSION = 1  # out-of-court disposal with a treatment condition
    BAIL = 2  # charged, on bail awaiting court
    REMAND = 3  # charged, in prison awaiting court
    ORDER = 4  # community order with a drug rehabilitation requirement
    CLOSED = 5


PERSON, SELLER = 0, 1
#: Waits and sentence lengths vary around their means as a gamma distribution of this shape
#: (coefficient of variation 0.71): a modelling choice, not a lever.
SPREAD_SHAPE = 2.0


class DiversionParams(Section):
    """Out-of-court disposals for people who use drugs."""

    eligible_share: float = param(
        0.4,
        unit="fraction",
        doc="Share of arrests of people who use drugs eligible for an out-of-court disposal "
        "(offence and record allow it).",
        source="ADDER areas: 17,689 community resolutions against 39,696 arrests (Home Office 2025)",
        plausible=(0.2, 0.6),
        ge=0.0,
        le=1.0,
    )
    treatment_condition_share: float = param(
        0.3,
        unit="fraction",
        doc="Share of eligible people given a disposal with a treatment condition; the rest get a "
        "community resolution without one.",
        source="assumption; expanded diversion schemes in ADDER (College of Policing 2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    condition_days: int = param(
        56, unit="days", doc="Time allowed to meet the treatment condition.", plausible=(28, 112), ge=1, le=3_650
    )
    compliance_if_assessed: float = param(
        0.7,
        unit="probability",
        doc="Chance a person assessed by a custody drug worker meets the condition.",
        plausible=(0.4, 0.9),
        ge=0.0,
        le=1.0,
    )
    compliance_if_not_assessed: float = param(
        0.45,
        unit="probability",
        doc="Chance a person not assessed in custody meets the condition.",
        plausible=(0.2, 0.7),
        ge=0.0,
        le=1.0,
    )
    no_further_action_share: float = param(
        0.2,
        unit="fraction",
        doc="Share of other arrests of people who use drugs released with no further action.",
        plausible=(0.05, 0.4),
        ge=0.0,
        le=1.0,
    )
    seller_no_further_action_share: float = param(
        0.1,
        unit="fraction",
        doc="Share of seller arrests released with no further action before any charging decision.",
        plausible=(0.0, 0.3),
        ge=0.0,
        le=1.0,
    )


class ChargingParams(Section):
    """The charging decision and joint working with the prosecutor (CPS)."""

    person_forensic_share: float = param(
        0.1,
        unit="fraction",
        doc="Share of cases against people who use drugs (acquisitive crime) needing forensic evidence.",
        plausible=(0.0, 0.3),
        ge=0.0,
        le=1.0,
    )
    seller_forensic_share: float = param(
        0.7,
        unit="fraction",
        doc="Share of supply cases needing forensic evidence (drug analysis, phones).",
        plausible=(0.4, 0.9),
        ge=0.0,
        le=1.0,
    )
    decided_in_custody_share: float = param(
        0.5,
        unit="fraction",
        doc="Share of cases without forensic evidence decided before the person leaves custody.",
        plausible=(0.2, 0.8),
        ge=0.0,
        le=1.0,
    )
    decision_days: float = param(
        21.0,
        unit="days",
        doc="Mean wait for a charging decision not made in custody, without forensic evidence.",
        plausible=(7.0, 60.0),
        gt=0.0,
    )
    forensic_decision_days: float = param(
        120.0,
        unit="days",
        doc="Mean wait for a charging decision that needs forensic evidence.",
        plausible=(30.0, 270.0),
        gt=0.0,
    )
    charge_share: float = param(
        0.75,
        unit="probability",
        doc="Chance a case without forensic evidence is charged (with a well-evidenced arrest).",
        plausible=(0.5, 0.9),
        ge=0.0,
        le=1.0,
    )
    forensic_charge_share: float = param(
        0.55,
        unit="probability",
        doc="Chance a case needing forensic evidence is charged.",
        plausible=(0.3, 0.8),
        ge=0.0,
        le=1.0,
    )
    cps_joint_working: float = param(
        0.2,
        unit="fraction",
        doc="Share of cases worked up with the prosecutor before arrest.",
        source="joint working with the CPS before arrest speeds charging decisions (College of Policing 2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    joint_delay_ratio: float = param(
        0.6,
        unit="ratio",
        doc="Charging delay of a jointly worked case relative to others, without forensic evidence.",
        plausible=(0.3, 1.0),
        gt=0.0,
        le=1.0,
    )
    joint_forensic_delay_ratio: float = param(
        0.35,
        unit="ratio",
        doc="The same for cases needing forensic evidence (agreed early what evidence is needed).",
        source="assumption (size); especially when cases involved forensic evidence (College of Policing 2022)",
        plausible=(0.15, 1.0),
        gt=0.0,
        le=1.0,
    )
    joint_charge_uplift: float = param(
        0.05,
        unit="probability",
        doc="Extra chance of charge for a jointly worked case without forensic evidence.",
        plausible=(0.0, 0.15),
        ge=0.0,
        le=1.0,
    )
    joint_forensic_charge_uplift: float = param(
        0.2,
        unit="probability",
        doc="Extra chance of charge for a jointly worked case needing forensic evidence.",
        plausible=(0.0, 0.35),
        ge=0.0,
        le=1.0,
    )


class CourtParams(Section):
    """Bail or remand, court delays and sentences."""

    person_remand_share: float = param(
        0.1,
        unit="fraction",
        doc="Share of people who use drugs charged in custody who are remanded rather than bailed.",
        plausible=(0.03, 0.3),
        ge=0.0,
        le=1.0,
    )
    seller_remand_share: float = param(
        0.4,
        unit="fraction",
        doc="Share of sellers charged in custody who are remanded.",
        plausible=(0.1, 0.7),
        ge=0.0,
        le=1.0,
    )
    reoffending_remand_share: float = param(
        0.5,
        unit="fraction",
        doc="Share of people re-arrested while on bail whose bail is revoked (remanded).",
        plausible=(0.2, 0.8),
        ge=0.0,
        le=1.0,
    )
    person_crown_share: float = param(
        0.05,
        unit="fraction",
        doc="Share of charged cases against people who use drugs sent to the Crown Court.",
        plausible=(0.0, 0.2),
        ge=0.0,
        le=1.0,
    )
    seller_crown_share: float = param(
        0.9,
        unit="fraction",
        doc="Share of supply cases sent to the Crown Court (class A supply).",
        plausible=(0.6, 1.0),
        ge=0.0,
        le=1.0,
    )
    magistrates_days: float = param(
        42.0,
        unit="days",
        doc="Mean time from charge to outcome in a magistrates' court.",
        plausible=(14.0, 120.0),
        gt=0,
    )
    crown_days: float = param(
        240.0,
        unit="days",
        doc="Mean time from charge to outcome in the Crown Court.",
        source="assumption: Crown Court backlogs",
        plausible=(90.0, 500.0),
        gt=0.0,
    )
    conviction_share: float = param(
        0.85, unit="probability", doc="Chance a charged case ends in conviction.", plausible=(0.7, 0.95), ge=0, le=1
    )
    person_prison_share: float = param(
        0.25,
        unit="fraction",
        doc="Share of convicted people who use drugs sent to prison.",
        plausible=(0.1, 0.5),
        ge=0.0,
        le=1.0,
    )
    treatment_requirement_share: float = param(
        0.3,
        unit="fraction",
        doc="Share of community sentences for people who use drugs that include a drug rehabilitation requirement.",
        source="assumption; scope for greater use of treatment-based requirements (College of Policing 2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    order_days: int = param(
        180, unit="days", doc="Length of a drug rehabilitation requirement.", plausible=(180, 365), ge=1, le=3_650
    )
    breach_court_days: float = param(
        21.0, unit="days", doc="Mean time from a breach of an order to the court hearing it.", plausible=(7, 60), gt=0
    )
    breach_prison_share: float = param(
        0.4,
        unit="fraction",
        doc="Share of breached orders resentenced to prison.",
        plausible=(0.1, 0.7),
        ge=0.0,
        le=1.0,
    )
    person_sentence_days: float = param(
        150.0,
        unit="days",
        doc="Mean custodial sentence for people who use drugs convicted of acquisitive crime (half served).",
        plausible=(60.0, 365.0),
        gt=0.0,
    )
    seller_prison_share: float = param(
        0.7,
        unit="fraction",
        doc="Share of convicted street sellers sent to prison.",
        plausible=(0.4, 0.9),
        ge=0.0,
        le=1.0,
    )
    seller_sentence_days: float = param(
        1100.0,
        unit="days",
        doc="Mean custodial sentence for street supply of class A drugs.",
        source="assumption: street-level class A supply commonly draws about 3 years (Sentencing Council 2021)",
        plausible=(365.0, 2_200.0),
        gt=0.0,
    )


class CaseFile:
    """Every case opened in the run: one row per case, columns as arrays."""

    def __init__(self, capacity: int = 1024) -> None:
        self.n = 0
        self.agent = np.zeros(capacity, dtype=np.int8)
        self.who = np.zeros(capacity, dtype=np.int64)
        self.stage = np.full(capacity, Stage.CLOSED, dtype=np.int8)
        self.due = np.full(capacity, -1, dtype=np.int32)
        self.opened = np.zeros(capacity, dtype=np.int32)
        self.forensic = np.zeros(capacity, dtype=bool)
        self.joint = np.zeros(capacity, dtype=bool)
        self.crown = np.zeros(capacity, dtype=bool)
        self.assessed = np.zeros(capacity, dtype=bool)
        self.complies = np.zeros(capacity, dtype=bool)
        self.breach = np.zeros(capacity, dtype=bool)
        self.remanded_on = np.full(capacity, -1, dtype=np.int32)
        self.decided_on = np.full(capacity, -1, dtype=np.int32)  # day of the charging decision
        self.charged = np.zeros(capacity, dtype=bool)
        self.quality = np.ones(capacity, dtype=np.float64)  # how well the arrest was evidenced (0-1]
        self.agenda: dict[int, list[int]] = {}

    def open(self, agent: int, who: np.ndarray, day: int) -> np.ndarray:
        count = who.size
        if self.n + count > self.agent.size:
            size = max(self.n + count, 2 * self.agent.size)
            for name, value in vars(self).items():
                if isinstance(value, np.ndarray):
                    grown = np.zeros(size, dtype=value.dtype)
                    grown[: self.n] = value[: self.n]
                    setattr(self, name, grown)
        ids = np.arange(self.n, self.n + count)
        self.agent[ids] = agent
        self.who[ids] = who
        self.opened[ids] = day
        self.due[ids] = -1
        self.forensic[ids] = self.joint[ids] = self.crown[ids] = False
        self.assessed[ids] = self.complies[ids] = self.breach[ids] = False
        self.remanded_on[ids] = -1
        self.decided_on[ids] = -1
        self.charged[ids] = False
        self.quality[ids] = 1.0
        self.n += count
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

    def due_today(self, day: int) -> np.ndarray:
        """Cases whose next step falls today (entries re-dated since are dropped)."""
        entries = self.agenda.pop(day, None)
        if not entries:
            return np.empty(0, dtype=np.int64)
        cases = np.array(sorted(set(entries)), dtype=np.int64)
        return cases[self.due[cases] == day]


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
        case_quality: Callable[[], float],
        context: Context,
    ) -> None:
        self.diversion = diversion
        self.charging = charging
        self.courts = courts
        self.people = people
        self.dealers = dealers
        self.treatment = treatment
        self.prison = prison
        self.case_quality = case_quality
        self.calendar = context.calendar
        self.rng = context.rng("justice")
        self.log = context.log
        self.record = context.record
        self.cases = CaseFile()
        self.persons = PersonColumns(people.state.size, open_case=(np.int64, -1), back_to=(np.int8, 1))
        self.sellers = PersonColumns(dealers.state.size, seller_case=(np.int64, -1))
        self._leaving_custody: list[tuple[int, np.ndarray]] = []
        self._recent_delays: list[tuple[int, float, int]] = []

    # -- the day ---------------------------------------------------------------------------------------
    def process(self, day: int, booked: Booked, arrested_sellers: np.ndarray) -> None:
        """Yesterday's detainees leave custody; today's arrests get a disposal; due cases move on."""
        self.persons.fit(self.people.n)
        self.sellers.fit(self.dealers.n)
        self.leave_custody(day)
        self.receive_people(day, booked)
        self.receive_sellers(day, arrested_sellers)
        self.hear_breaches(day)
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
        """Disposal of today's arrests of people who use drugs."""
        ids, assessed = booked.people, booked.assessed
        if ids.size == 0:
            return
        people, persons, d = self.people, self.persons, self.diversion
        persons.back_to[ids] = people.state[ids]
        people.detour(ids, UseState.CUSTODY)
        self._leaving_custody.append((day + 1, ids))

        open_case = persons.open_case[ids]
        again = open_case >= 0
        if again.any():
            self.rearrested(open_case[again], day)
        fresh, fresh_assessed = ids[~again], assessed[~again]
        u = self.rng.random(fresh.size)
        eligible = u < d.eligible_share
        diverted = eligible & (self.rng.random(fresh.size) < d.treatment_condition_share)
        resolved = eligible & ~diverted
        nfa = ~eligible & (self.rng.random(fresh.size) < d.no_further_action_share)
        self.log.record(day, Event.COMMUNITY_RESOLUTION, fresh[resolved])
        self.log.record(day, Event.NO_FURTHER_ACTION, fresh[nfa])
        self.record.add("community_resolutions", int(resolved.sum()))
        self.record.add("no_further_action", int(nfa.sum()))

        divert = fresh[diverted]
        if divert.size:
            cases = self.cases.open(PERSON, divert, day)
            persons.open_case[divert] = cases
            self.cases.assessed[cases] = fresh_assessed[diverted]
            compliance = np.where(fresh_assessed[diverted], d.compliance_if_assessed, d.compliance_if_not_assessed)
            self.cases.complies[cases] = self.rng.random(cases.size) < compliance
            self.cases.stage[cases] = Stage.DIVERSION
            self.cases.set_due(cases, day + d.condition_days)
            compliers = divert[self.cases.complies[cases]]
            self.treatment.refer(compliers, day, Route.DIVERSION, priority=True)
            self.log.record(day, Event.DIVERTED, divert, value=float(d.condition_days))
            self.record.add("diversions", divert.size)

        to_charge = fresh[~eligible & ~nfa]
        if to_charge.size:
            cases = self.cases.open(PERSON, to_charge, day)
            persons.open_case[to_charge] = cases
            self._await_charge(cases, day, self.charging.person_forensic_share)

    def receive_sellers(self, day: int, ids: np.ndarray) -> None:
        """Disposal of today's seller arrests: most go to a charging decision."""
        if ids.size == 0:
            return
        open_case = self.sellers.seller_case[ids]
        again = open_case >= 0
        if again.any():
            self.rearrested(open_case[again], day)
        fresh = ids[~again]
        nfa = self.rng.random(fresh.size) < self.diversion.seller_no_further_action_share
        self.log.record(day, Event.DEALER_NO_FURTHER_ACTION, fresh[nfa])
        to_charge = fresh[~nfa]
        if to_charge.size:
            cases = self.cases.open(SELLER, to_charge, day)
            # Seller arrests are the drug team's: their evidence is as good as the arresting
            # officers' skill and fatigue on the day (acquisitive-crime arrests are not theirs).
            self.cases.quality[cases] = self.case_quality()
            self.sellers.seller_case[to_charge] = cases
            self._await_charge(cases, day, self.charging.seller_forensic_share)

    def rearrested(self, cases: np.ndarray, day: int) -> None:
        """A new offence while a case is open joins it: a pending decision is made now, bail may
        be revoked, an order is breached."""
        stage = self.cases.stage[cases]
        pending = cases[(stage == int(Stage.AWAITING_CHARGE)) | (stage == int(Stage.DIVERSION))]
        breached_diversion = cases[stage == int(Stage.DIVERSION)]
        self._log(breached_diversion, day, Event.DIVERSION_BREACHED, None)
        self.record.add("diversion_breaches", breached_diversion.size)
        self.cases.set_due(pending, day)
        self.cases.stage[pending] = Stage.AWAITING_CHARGE
        on_bail = cases[stage == int(Stage.BAIL)]
        revoked = on_bail[self.rng.random(on_bail.size) < self.courts.reoffending_remand_share]
        self._remand(revoked, day)
        on_order = cases[stage == int(Stage.ORDER)]
        self._breach_order(on_order, day)

    def _await_charge(self, cases: np.ndarray, day: int, forensic_share: float) -> None:
        """Set when each case's charging decision is made; decisions due today are made now."""
        c = self.charging
        forensic = self.rng.random(cases.size) < forensic_share
        joint = self.rng.random(cases.size) < c.cps_joint_working
        self.cases.forensic[cases] = forensic
        self.cases.joint[cases] = joint
        mean = np.where(forensic, c.forensic_decision_days, c.decision_days)
        mean = mean * np.where(joint, np.where(forensic, c.joint_forensic_delay_ratio, c.joint_delay_ratio), 1.0)
        delay = np.round(self._spread(mean, cases.size)).astype(np.int32)
        in_custody = ~forensic & (self.rng.random(cases.size) < c.decided_in_custody_share)
        delay[in_custody] = 0
        self.cases.stage[cases] = Stage.AWAITING_CHARGE
        # Decisions made in custody fall due today, with the rest of the day's steps.
        self.cases.set_due(cases, day + delay)

    # -- dated steps -------------------------------------------------------------------------------
    def advance(self, cases: np.ndarray, day: int) -> None:
        """Take each case due today one step, by the stage it is at."""
        cases = cases[self._alive(cases)]
        stage = self.cases.stage[cases]
        handlers = {
            Stage.AWAITING_CHARGE: self.decide_charge,
            Stage.DIVERSION: self.end_diversion,
            Stage.BAIL: self.hear,
            Stage.ORDER: self.end_order,
        }
        stage[stage == int(Stage.REMAND)] = Stage.BAIL  # both go to court
        for value in np.unique(stage).tolist():
            handlers[Stage(value)](cases[stage == value], day)

    def _alive(self, cases: np.ndarray) -> np.ndarray:
        """Cases whose person is still alive (a death closes the case)."""
        person = self.cases.agent[cases] == PERSON
        dead = person & (self.people.state[np.where(person, self.cases.who[cases], 0)] == int(UseState.DEAD))
        self._close(cases[dead])
        return ~dead

    def decide_charge(self, cases: np.ndarray, day: int) -> None:
        """The charging decision: probability by evidence type and joint working, scaled by case quality."""
        if cases.size == 0:
            return
        c = self.charging
        forensic, joint = self.cases.forensic[cases], self.cases.joint[cases]
        chance = np.where(forensic, c.forensic_charge_share, c.charge_share)
        chance = chance + joint * np.where(forensic, c.joint_forensic_charge_uplift, c.joint_charge_uplift)
        chance = chance * self.cases.quality[cases]
        charged = self.rng.random(cases.size) < chance
        self.cases.decided_on[cases] = day
        self.cases.charged[cases] = charged
        delay = (day - self.cases.opened[cases]).astype(np.float64)
        yes, no = cases[charged], cases[~charged]
        self._log(yes, day, Event.CHARGED, Event.DEALER_CHARGED, value=delay[charged])
        self._log(no, day, Event.NOT_CHARGED, Event.DEALER_NOT_CHARGED, value=delay[~charged])
        self.record.add("charge_decisions", cases.size)
        self.record.add("charges", yes.size)
        self.record.add("charge_delay_days", float(delay[charged].sum()))
        if yes.size:
            self._recent_delays.append((day, float(delay[charged].sum()), yes.size))
        self._close(no)
        if yes.size == 0:
            return

        co = self.courts
        seller = self.cases.agent[yes] == SELLER
        crown = self.rng.random(yes.size) < np.where(seller, co.seller_crown_share, co.person_crown_share)
        self.cases.crown[yes] = crown
        self.record.add("crown_court_charges", int(crown.sum()))
        court = np.round(self._spread(np.where(crown, co.crown_days, co.magistrates_days), yes.size))
        self.cases.set_due(yes, self._court_day(day + np.maximum(court, 1)))
        # Remand is decided when a charge comes while the person is still detained; a case
        # re-opened by a new arrest is more often remanded. Everyone else is bailed to court.
        who = self.cases.who[yes]
        detained = np.where(seller, self.dealers.state[np.where(seller, who, 0)] == int(SellerState.ARRESTED), False)
        detained |= ~seller & (self.people.state[np.where(seller, 0, who)] == int(UseState.CUSTODY))
        fresh = self.cases.opened[yes] == day
        share = np.where(seller, co.seller_remand_share, co.person_remand_share)
        share = np.where(fresh, share, co.reoffending_remand_share)
        remanded = detained & (self.rng.random(yes.size) < share)
        self.cases.stage[yes] = Stage.BAIL
        self._remand(yes[remanded], day)
        self._log(yes[~remanded], day, Event.BAILED, Event.DEALER_BAILED)

    def _remand(self, cases: np.ndarray, day: int) -> None:
        if cases.size == 0:
            return
        self.cases.stage[cases] = Stage.REMAND
        self.cases.remanded_on[cases] = day
        seller = self.cases.agent[cases] == SELLER
        who = self.cases.who[cases]
        self.prison.remand(who[~seller], day)
        self.prison.remand_sellers(who[seller], day)

    def end_diversion(self, cases: np.ndarray, day: int) -> None:
        """At the end of the condition: met, or breached and sent for a charging decision."""
        if cases.size == 0:
            return
        complied = self.cases.complies[cases]
        met, breached = cases[complied], cases[~complied]
        self._log(met, day, Event.DIVERSION_COMPLETED, None)
        self._log(breached, day, Event.DIVERSION_BREACHED, None)
        self.record.add("diversion_completions", met.size)
        self.record.add("diversion_breaches", breached.size)
        self._close(met)
        if breached.size:
            self._await_charge(breached, day, self.charging.person_forensic_share)
            self.decide_charge(self.cases.due_today(day), day)

    def hear(self, cases: np.ndarray, day: int) -> None:
        """Court: conviction and sentence, or acquittal."""
        if cases.size == 0:
            return
        co = self.courts
        self.record.add("court_cases", cases.size)
        self.record.add("crown_court_cases", int(self.cases.crown[cases].sum()))
        convicted = self.rng.random(cases.size) < co.conviction_share
        acquitted = cases[~convicted]
        self._log(acquitted, day, Event.ACQUITTED, Event.DEALER_ACQUITTED)
        self._free(acquitted, day)
        self._close(acquitted)
        guilty = cases[convicted]
        seller = self.cases.agent[guilty] == SELLER
        self.sentence_people(guilty[~seller], day)
        self.sentence_sellers(guilty[seller], day)

    def sentence_people(self, cases: np.ndarray, day: int) -> None:
        if cases.size == 0:
            return
        co, prison = self.courts, self.prison
        breach = self.cases.breach[cases]
        custody = self.rng.random(cases.size) < np.where(breach, co.breach_prison_share, co.person_prison_share)
        jailed = cases[custody]
        if jailed.size:
            served = self._spread(co.person_sentence_days, jailed.size) * prison.p.release_fraction
            served = np.maximum(served, 1.0)
            self._log(jailed, day, Event.SENTENCED_TO_PRISON, None, value=np.round(served))
            self.record.add("prison_sentences", jailed.size)
            prison.sentence(self.cases.who[jailed], day, served)
            self._close(jailed)
        community = cases[~custody]
        if community.size == 0:
            return
        requirement = self.rng.random(community.size) < co.treatment_requirement_share
        ordered, other = community[requirement], community[~requirement]
        self._log(ordered, day, Event.COMMUNITY_ORDER, None, value=1.0)
        self._log(other, day, Event.COMMUNITY_ORDER, None, value=0.0)
        self.record.add("community_orders", community.size)
        self.record.add("treatment_requirements", ordered.size)
        # The order's treatment place is booked first, so a remand prisoner freed by the
        # sentence goes to the place the court ordered.
        self.treatment.order_treatment(self.cases.who[ordered], day, np.full(ordered.size, day + co.order_days))
        self._free(community, day)
        self._close(other)
        self.cases.stage[ordered] = Stage.ORDER
        self.cases.set_due(ordered, day + co.order_days)

    def sentence_sellers(self, cases: np.ndarray, day: int) -> None:
        if cases.size == 0:
            return
        co = self.courts
        custody = self.rng.random(cases.size) < co.seller_prison_share
        jailed, other = cases[custody], cases[~custody]
        served = self._spread(co.seller_sentence_days, jailed.size) * self.prison.p.release_fraction
        served = np.maximum(served, 1.0)
        self._log(jailed, day, None, Event.DEALER_SENTENCED, value=np.round(served))
        self._log(other, day, None, Event.DEALER_SENTENCED, value=0.0)
        self.record.add("seller_prison_sentences", jailed.size)
        self.prison.sentence_sellers(self.cases.who[jailed], day, served, self.cases.remanded_on[jailed])
        self._free(other, day)
        self._close(cases)

    def _free(self, cases: np.ndarray, day: int) -> None:
        """People and sellers leaving court free: remand prisoners are released at short notice."""
        remanded = cases[self.cases.stage[cases] == int(Stage.REMAND)]
        if remanded.size == 0:
            return
        seller = self.cases.agent[remanded] == SELLER
        who = self.cases.who[remanded]
        on_remand = who[~seller][self.people.state[who[~seller]] == int(UseState.REMAND)]
        self.prison.release_from_remand(on_remand, day)
        self.prison.release_sellers(who[seller], day)

    def end_order(self, cases: np.ndarray, day: int) -> None:
        """A drug rehabilitation requirement served to its end."""
        self._log(cases, day, Event.ORDER_COMPLETED, None)
        self.record.add("orders_completed", cases.size)
        self._close(cases)

    def hear_breaches(self, day: int) -> None:
        """Treatment requirements breached by dropping out go back to court."""
        while self.treatment.order_breaches:
            who = self.treatment.order_breaches.pop()
            cases = self.persons.open_case[who]
            cases = cases[cases >= 0]
            self._breach_order(cases[self.cases.stage[cases] == int(Stage.ORDER)], day)

    def _breach_order(self, cases: np.ndarray, day: int) -> None:
        if cases.size == 0:
            return
        self._log(cases, day, Event.ORDER_BREACHED, None)
        self.record.add("order_breaches", cases.size)
        self.cases.breach[cases] = True
        self.cases.stage[cases] = Stage.BAIL
        delay = np.round(self._spread(self.courts.breach_court_days, cases.size))
        self.cases.set_due(cases, self._court_day(day + np.maximum(delay, 1)))

    # -- bookkeeping --------------------------------------------------------------------------------
    def _court_day(self, day: np.ndarray) -> np.ndarray:
        """Courts sit on weekdays: a hearing due at a weekend is listed on the Monday."""
        return self.calendar.next_open_day(day.astype(np.int32), open_weekends=False)

    def _spread(self, mean: np.ndarray | float, size: int) -> np.ndarray:
        """Random waits or sentence lengths around `mean` (gamma, shape SPREAD_SHAPE)."""
        return self.rng.standard_gamma(SPREAD_SHAPE, size) * (np.asarray(mean) / SPREAD_SHAPE)

    def _close(self, cases: np.ndarray) -> None:
        if cases.size == 0:
            return
        self.cases.stage[cases] = Stage.CLOSED
        self.cases.due[cases] = -1
        seller = self.cases.agent[cases] == SELLER
        who = self.cases.who[cases]
        person_ids, seller_ids = who[~seller], who[seller]
        # Only clear the pointer if it still points at this case.
        mine = self.persons.open_case[person_ids] == cases[~seller]
        self.persons.open_case[person_ids[mine]] = -1
        mine = self.sellers.seller_case[seller_ids] == cases[seller]
        self.sellers.seller_case[seller_ids[mine]] = -1

    def _log(
        self,
        cases: np.ndarray,
        day: int,
        person_event: Event | None,
        seller_event: Event | None,
        value: np.ndarray | float = np.nan,
    ) -> None:
        if cases.size == 0:
            return
        seller = self.cases.agent[cases] == SELLER
        values = value if isinstance(value, np.ndarray) else np.full(cases.size, value)
        who = self.cases.who[cases]
        if person_event is not None:
            self.log.record(day, person_event, who[~seller], value=values[~seller])
        if seller_event is not None:
            self.log.record(day, seller_event, who[seller], value=values[seller])

    def record_stocks(self, day: int) -> None:
        record = self.record
        record.set("in_custody", int(self.people.counts[UseState.CUSTODY]))
        n = self.cases.n
        by_stage = np.bincount(self.cases.stage[:n], minlength=len(Stage))
        record.set("on_bail", int(by_stage[Stage.BAIL]))
        record.set("awaiting_charge", int(by_stage[Stage.AWAITING_CHARGE]))
        record.set("on_treatment_orders", int(by_stage[Stage.ORDER]))
        while self._recent_delays and self._recent_delays[0][0] <= day - 28:
            self._recent_delays.pop(0)
        total = sum(d for _, d, _ in self._recent_delays)
        count = sum(c for _, _, c in self._recent_delays)
        record.set("mean_charge_delay", total / count if count else 0.0)
