"""After an arrest: an out-of-court disposal or a charging decision.

- Diversion: an eligible person who uses drugs may get an out-of-court disposal with a treatment
  condition; people a custody drug worker assessed comply more often; a breach sends the case to
  charge. Other arrests end in a community resolution, no further action, or a charging decision.
- Charging: a decision takes time and may fail. Joint working with the prosecutor (CPS) before
  arrest shortens the delay and raises the share charged, most of all where forensic evidence is
  needed (seller cases often are); the share charged also scales with the case's quality, which
  the police workforce sets from the arresting officers' skill and fatigue. Charged cases go to
  the courts (`sim.model.courts`).
"""

from __future__ import annotations

import numpy as np

from sim.model.cases import PERSON, SELLER, SPREAD_SHAPE, CaseFile, Stage
from sim.model.context import Context
from sim.model.courts import Courts
from sim.model.events import Event
from sim.model.params import Section, param
from sim.model.treatment import Route, Treatment


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


class Charging:
    """Disposals of today's arrests, and charging decisions as they fall due."""

    def __init__(
        self,
        diversion: DiversionParams,
        charging: ChargingParams,
        cases: CaseFile,
        courts: Courts,
        treatment: Treatment,
        context: Context,
    ) -> None:
        self.diversion = diversion
        self.p = charging
        self.cases = cases
        self.courts = courts
        self.treatment = treatment
        self.luck = context.luck("justice")
        self.log = context.log
        self.record = context.record
        self._recent_delays: list[tuple[int, float, int]] = []

    # -- disposals at arrest -----------------------------------------------------------------------
    def dispose_people(self, day: int, fresh: np.ndarray, fresh_assessed: np.ndarray) -> None:
        """People arrested without an open case: diversion, community resolution, no further
        action, or a charging decision."""
        d, keys = self.diversion, self.cases.key_of(PERSON, fresh)
        u = self.luck.uniforms(keys, "eligible", "treatment_condition", "no_further_action", "complies")
        eligible = u[0] < d.eligible_share
        diverted = eligible & (u[1] < d.treatment_condition_share)
        resolved = eligible & ~diverted
        nfa = ~eligible & (u[2] < d.no_further_action_share)
        self.log.record(day, Event.COMMUNITY_RESOLUTION, fresh[resolved])
        self.log.record(day, Event.NO_FURTHER_ACTION, fresh[nfa])
        self.record.add("community_resolutions", int(resolved.sum()))
        self.record.add("no_further_action", int(nfa.sum()))

        divert = fresh[diverted]
        if divert.size:
            cases = self.cases.open(PERSON, divert, day)
            compliance = np.where(fresh_assessed[diverted], d.compliance_if_assessed, d.compliance_if_not_assessed)
            complies = u[3][diverted] < compliance
            self.cases.move(cases, Stage.DIVERSION, assessed=fresh_assessed[diverted], complies=complies)
            self.cases.set_due(cases, day + d.condition_days)
            compliers = divert[self.cases.complies[cases]]
            self.treatment.refer(compliers, day, Route.DIVERSION, priority=True)
            self.log.record(day, Event.DIVERTED, divert, value=float(d.condition_days))
            self.record.add("diversions", divert.size)

        to_charge = fresh[~eligible & ~nfa]
        if to_charge.size:
            cases = self.cases.open(PERSON, to_charge, day)
            self.await_charge(cases, day, self.p.person_forensic_share)

    def dispose_sellers(self, day: int, fresh: np.ndarray, quality: float) -> None:
        """Sellers arrested without an open case: most go to a charging decision. `quality` is
        how well today's seller arrests were evidenced (0-1]."""
        share = self.diversion.seller_no_further_action_share
        nfa = self.luck.uniform(self.cases.key_of(SELLER, fresh), "no_further_action") < share
        self.log.record(day, Event.DEALER_NO_FURTHER_ACTION, fresh[nfa])
        to_charge = fresh[~nfa]
        if to_charge.size:
            cases = self.cases.open(SELLER, to_charge, day)
            # Seller arrests are the drug team's: their evidence is as good as the arresting
            # officers' skill and fatigue on the day (acquisitive-crime arrests are not theirs).
            self.cases.note(cases, quality=quality)
            self.await_charge(cases, day, self.p.seller_forensic_share)

    def await_charge(self, cases: np.ndarray, day: int, forensic_share: float) -> None:
        """Set when each case's charging decision is made; decisions due today are made now."""
        c, luck, keys = self.p, self.luck, self.cases.key(cases)
        u = luck.uniforms(keys, "forensic", "joint_working", "decided_in_custody")
        forensic = u[0] < forensic_share
        joint = u[1] < c.cps_joint_working
        mean = np.where(forensic, c.forensic_decision_days, c.decision_days)
        mean = mean * np.where(joint, np.where(forensic, c.joint_forensic_delay_ratio, c.joint_delay_ratio), 1.0)
        delay = np.round(luck.gamma(keys, SPREAD_SHAPE, mean, "charge_wait")).astype(np.int32)
        in_custody = ~forensic & (u[2] < c.decided_in_custody_share)
        delay[in_custody] = 0
        self.cases.move(cases, Stage.AWAITING_CHARGE, forensic=forensic, joint=joint)
        # Decisions made in custody fall due today, with the rest of the day's steps.
        self.cases.set_due(cases, day + delay)

    # -- dated steps -------------------------------------------------------------------------------
    def decide_charge(self, cases: np.ndarray, day: int) -> None:
        """The charging decision: probability by evidence type and joint working, scaled by case quality."""
        if cases.size == 0:
            return
        c = self.p
        forensic, joint = self.cases.forensic[cases], self.cases.joint[cases]
        chance = np.where(forensic, c.forensic_charge_share, c.charge_share)
        chance = chance + joint * np.where(forensic, c.joint_forensic_charge_uplift, c.joint_charge_uplift)
        chance = chance * self.cases.quality[cases]
        charged = self.luck.uniform(self.cases.key(cases), "charged") < chance
        self.cases.note(cases, decided_on=day, charged=charged)
        delay = (day - self.cases.opened[cases]).astype(np.float64)
        yes, no = cases[charged], cases[~charged]
        self.cases.log(yes, day, Event.CHARGED, Event.DEALER_CHARGED, value=delay[charged])
        self.cases.log(no, day, Event.NOT_CHARGED, Event.DEALER_NOT_CHARGED, value=delay[~charged])
        self.record.add("charge_decisions", cases.size)
        self.record.add("charges", yes.size)
        self.record.add("charge_delay_days", float(delay[charged].sum()))
        if yes.size:
            self._recent_delays.append((day, float(delay[charged].sum()), yes.size))
        self.cases.close(no)
        if yes.size:
            self.courts.list_charged(yes, day)

    def end_diversion(self, cases: np.ndarray, day: int) -> None:
        """At the end of the condition: met, or breached and sent for a charging decision."""
        if cases.size == 0:
            return
        complied = self.cases.complies[cases]
        met, breached = cases[complied], cases[~complied]
        self.cases.log(met, day, Event.DIVERSION_COMPLETED, None)
        self.cases.log(breached, day, Event.DIVERSION_BREACHED, None)
        self.record.add("diversion_completions", met.size)
        self.record.add("diversion_breaches", breached.size)
        self.cases.close(met)
        if breached.size:
            self.await_charge(breached, day, self.p.person_forensic_share)
            self.decide_charge(self.cases.due_today(day), day)

    def mean_delay(self, day: int) -> float:
        """Mean days from arrest to charge of the cases charged in the last four weeks."""
        while self._recent_delays and self._recent_delays[0][0] <= day - 28:
            self._recent_delays.pop(0)
        total = sum(d for _, d, _ in self._recent_delays)
        count = sum(c for _, _, c in self._recent_delays)
        return total / count if count else 0.0
