"""The courts: bail or remand, the hearing, the sentence, and treatment requirements and their breach.

A charged case is listed after a delay (longer in the Crown Court, and always on a weekday);
people still detained when charged may be remanded to prison, the rest are bailed. A conviction
leads to prison, a community order with a drug rehabilitation requirement, or another community
sentence; people and sellers freed by the court from remand are released at short notice. A
treatment requirement breached by dropping out returns to court, as does a new arrest while on
an order.
"""

from __future__ import annotations

import numpy as np

from sim.model.cases import PERSON, SELLER, SPREAD_SHAPE, CaseFile, Stage
from sim.model.context import Context
from sim.model.dealers import Dealers, SellerState
from sim.model.events import Event
from sim.model.params import Section, param
from sim.model.people import People, UseState
from sim.model.prison import Prison
from sim.model.treatment import Treatment


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
    in_treatment_custody_ratio: float = param(
        0.3,
        unit="ratio",
        doc="Chance that a person in community treatment is remanded, has bail revoked or is sent to "
        "prison, relative to a person who is not: courts weigh engagement in treatment, and a community "
        "order with treatment is the usual alternative to a short sentence for someone dependent and engaged.",
        source="assumption; 0.3 fits the share of treatment discharges that leave for prison, 6% in England "
        "in 2007-08 (NTA 2008): about 0.065 in the default town, against 0.17 with no difference (1.0)",
        plausible=(0.2, 1.0),
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


class Courts:
    """Charged cases from listing to sentence, and breaches of treatment requirements."""

    def __init__(
        self,
        params: CourtParams,
        cases: CaseFile,
        people: People,
        dealers: Dealers,
        treatment: Treatment,
        prison: Prison,
        context: Context,
    ) -> None:
        self.p = params
        self.cases = cases
        self.people = people
        self.dealers = dealers
        self.treatment = treatment
        self.prison = prison
        self.calendar = context.calendar
        self.luck = context.luck("justice")
        self.record = context.record

    # -- before the hearing ----------------------------------------------------------------------------
    def list_charged(self, cases: np.ndarray, day: int) -> None:
        """Charged cases: to the Crown Court or magistrates, a hearing date, remand or bail."""
        co, luck, keys = self.p, self.luck, self.cases.key(cases)
        seller = self.cases.agent[cases] == SELLER
        crown = luck.uniform(keys, "crown_court") < np.where(seller, co.seller_crown_share, co.person_crown_share)
        self.cases.note(cases, crown=crown)
        self.record.add("crown_court_charges", int(crown.sum()))
        court = np.round(
            luck.gamma(keys, SPREAD_SHAPE, np.where(crown, co.crown_days, co.magistrates_days), "court_wait")
        )
        self.cases.set_due(cases, self._court_day(day + np.maximum(court, 1)))
        # Remand is decided when a charge comes while the person is still detained; a case
        # re-opened by a new arrest is more often remanded. Everyone else is bailed to court.
        who = self.cases.who[cases]
        detained = np.where(seller, self.dealers.state[np.where(seller, who, 0)] == int(SellerState.ARRESTED), False)
        detained |= ~seller & (self.people.state[np.where(seller, 0, who)] == int(UseState.CUSTODY))
        fresh = self.cases.opened[cases] == day
        share = np.where(seller, co.seller_remand_share, co.person_remand_share)
        share = np.where(fresh, share, co.reoffending_remand_share)
        share = share * self._custody_ratio(cases)
        remanded = detained & (luck.uniform(keys, "remanded") < share)
        self.cases.move(cases, Stage.BAIL)
        self.remand(cases[remanded], day)
        self.cases.log(cases[~remanded], day, Event.BAILED, Event.DEALER_BAILED)

    def revoke_bail(self, cases: np.ndarray, day: int) -> None:
        """A new arrest while on bail: bail is revoked for a share of them."""
        share = self.p.reoffending_remand_share * self._custody_ratio(cases)
        revoked = cases[self.luck.uniform(self.cases.key(cases), "bail_revoked") < share]
        self.remand(revoked, day)

    def _custody_ratio(self, cases: np.ndarray) -> np.ndarray:
        """Each case's chance of custody relative to the base: lower for people in treatment."""
        person = self.cases.agent[cases] == PERSON
        engaged = person & self.treatment.in_community_treatment(np.where(person, self.cases.who[cases], 0))
        return np.where(engaged, self.p.in_treatment_custody_ratio, 1.0)

    def remand(self, cases: np.ndarray, day: int) -> None:
        """Held in prison until the hearing."""
        if cases.size == 0:
            return
        self.cases.move(cases, Stage.REMAND, remanded_on=day)
        seller = self.cases.agent[cases] == SELLER
        who = self.cases.who[cases]
        self.prison.remand(who[~seller], day)
        self.prison.remand_sellers(who[seller], day)

    # -- the hearing -----------------------------------------------------------------------------------
    def hear(self, cases: np.ndarray, day: int) -> None:
        """Court: conviction and sentence, or acquittal."""
        if cases.size == 0:
            return
        co = self.p
        self.record.add("court_cases", cases.size)
        self.record.add("crown_court_cases", int(self.cases.crown[cases].sum()))
        convicted = self.luck.uniform(self.cases.key(cases), "convicted") < co.conviction_share
        acquitted = cases[~convicted]
        self.cases.log(acquitted, day, Event.ACQUITTED, Event.DEALER_ACQUITTED)
        self._free(acquitted, day)
        self.cases.close(acquitted)
        guilty = cases[convicted]
        seller = self.cases.agent[guilty] == SELLER
        self.sentence_people(guilty[~seller], day)
        self.sentence_sellers(guilty[seller], day)

    def sentence_people(self, cases: np.ndarray, day: int) -> None:
        if cases.size == 0:
            return
        co, prison, luck, keys = self.p, self.prison, self.luck, self.cases.key(cases)
        breach = self.cases.breach[cases]
        share = np.where(breach, co.breach_prison_share, co.person_prison_share) * self._custody_ratio(cases)
        custody = luck.uniform(keys, "to_prison") < share
        jailed = cases[custody]
        if jailed.size:
            served = (
                luck.gamma(keys[custody], SPREAD_SHAPE, co.person_sentence_days, "sentence") * prison.p.release_fraction
            )
            served = np.maximum(served, 1.0)
            self.cases.log(jailed, day, Event.SENTENCED_TO_PRISON, None, value=np.round(served))
            self.record.add("prison_sentences", jailed.size)
            prison.sentence(self.cases.who[jailed], day, served)
            self.cases.close(jailed)
        community = cases[~custody]
        if community.size == 0:
            return
        requirement = luck.uniform(keys[~custody], "treatment_requirement") < co.treatment_requirement_share
        ordered, other = community[requirement], community[~requirement]
        self.cases.log(ordered, day, Event.COMMUNITY_ORDER, None, value=1.0)
        self.cases.log(other, day, Event.COMMUNITY_ORDER, None, value=0.0)
        self.record.add("community_orders", community.size)
        self.record.add("treatment_requirements", ordered.size)
        # The order's treatment place is booked first, so a remand prisoner freed by the
        # sentence goes to the place the court ordered.
        self.treatment.order_treatment(self.cases.who[ordered], day, np.full(ordered.size, day + co.order_days))
        self._free(community, day)
        self.cases.close(other)
        self.cases.move(ordered, Stage.ORDER)
        self.cases.set_due(ordered, day + co.order_days)

    def sentence_sellers(self, cases: np.ndarray, day: int) -> None:
        if cases.size == 0:
            return
        co, keys = self.p, self.cases.key(cases)
        custody = self.luck.uniform(keys, "to_prison") < co.seller_prison_share
        jailed, other = cases[custody], cases[~custody]
        sentence = self.luck.gamma(keys[custody], SPREAD_SHAPE, co.seller_sentence_days, "sentence")
        served = sentence * self.prison.p.release_fraction
        served = np.maximum(served, 1.0)
        self.cases.log(jailed, day, None, Event.DEALER_SENTENCED, value=np.round(served))
        self.cases.log(other, day, None, Event.DEALER_SENTENCED, value=0.0)
        self.record.add("seller_prison_sentences", jailed.size)
        self.prison.sentence_sellers(self.cases.who[jailed], day, served, self.cases.remanded_on[jailed])
        self._free(other, day)
        self.cases.close(cases)

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

    # -- orders ----------------------------------------------------------------------------------------
    def end_order(self, cases: np.ndarray, day: int) -> None:
        """A drug rehabilitation requirement served to its end."""
        self.cases.log(cases, day, Event.ORDER_COMPLETED, None)
        self.record.add("orders_completed", cases.size)
        self.cases.close(cases)

    def hear_breaches(self, day: int) -> None:
        """Treatment requirements breached by dropping out go back to court."""
        while self.treatment.order_breaches:
            who = self.treatment.order_breaches.pop()
            cases = self.cases.open_case(PERSON, who)
            cases = cases[cases >= 0]
            self.breach_order(cases[self.cases.stage[cases] == int(Stage.ORDER)], day)

    def breach_order(self, cases: np.ndarray, day: int) -> None:
        """An order breached (by dropping out of treatment or a new arrest) goes back to court."""
        if cases.size == 0:
            return
        self.cases.log(cases, day, Event.ORDER_BREACHED, None)
        self.record.add("order_breaches", cases.size)
        self.cases.move(cases, Stage.BAIL, breach=True)
        delay = np.round(self.luck.gamma(self.cases.key(cases), SPREAD_SHAPE, self.p.breach_court_days, "breach_wait"))
        self.cases.set_due(cases, self._court_day(day + np.maximum(delay, 1)))

    def _court_day(self, day: np.ndarray) -> np.ndarray:
        """Courts sit on weekdays: a hearing due at a weekend is listed on the Monday."""
        return self.calendar.next_open_day(day.astype(np.int32), open_weekends=False)
