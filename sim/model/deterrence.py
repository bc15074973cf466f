"""Focused deterrence ("pulling levers"): identify key offenders, call them in, and keep the promise.

Analysts identify sellers and groups (how fast depends on data sharing); call-ins tell identified
sellers directly, and repeatedly, why they are getting special attention, raising their perceived
risk, while people who use drugs are called in with an offer of services, raising their
readiness for treatment. Family, community and lived-experience voices at the call-ins
strengthen the message. When a member of a warned group is arrested, the whole group gets
attention (a group sanction: extra targeted operations and the same message to every member).
Word spreads within a group, so the benefit diffuses to members never called in rather than
displacing them; the programme adds no street presence of its own.

Evidence: Braga, Weisburd & Turchan (2018, 2019) find a moderate overall crime reduction, largest
for gang and group interventions and smaller for drug-market interventions, with benefits that
tend to diffuse rather than displace; drug-market interventions are the most likely to suffer
implementation problems (College of Policing briefing, 2022), hence `fidelity`. ADDER's lessons
(joint training, co-location, aligned goals and governance, data-sharing agreements, resources in
place before go-live) are the partnership levers. How strongly each lever acts is an assumption
with a range: no study reports these links as numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.context import Context
from sim.model.dealers import Dealers
from sim.model.outcomes import Event
from sim.model.params import Section, half_life_factor, param
from sim.model.people import People, UseState
from sim.model.police import Enforcement

DAYS_PER_MONTH = 365.25 / 12


class DeterrenceParams(Section):
    """A focused-deterrence programme and the partnership that runs it."""

    active: bool = param(
        False,
        unit="switch",
        doc="Whether the programme is running. Set it from a timed event to give a go-live day; "
        "every effect then grows as resources come into place.",
    )
    resources_at_go_live: float = param(
        0.5,
        unit="fraction",
        doc="Share of the programme's staff and resources in place on the go-live day (1 = all "
        "recruited before go-live).",
        source="assumption; resources must be in place before go-live (College of Policing 2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    ramp_up_days: float = param(
        180.0,
        unit="days",
        doc="Days after go-live until the missing resources are in place (linear ramp).",
        plausible=(0.0, 540.0),
        ge=0.0,
    )
    fidelity: float = param(
        0.6,
        unit="fraction",
        doc="Implementation fidelity: the share of the designed programme actually delivered "
        "(call-ins held, a consistent message, sanctions that follow through).",
        source="assumption; drug market interventions are the most likely to suffer implementation problems (Braga "
        "et al. 2019)",
        plausible=(0.2, 1.0),
        ge=0.0,
        le=1.0,
    )
    data_sharing: float = param(
        0.5,
        unit="fraction (0-1)",
        doc="Strength of data-sharing agreements between police, treatment and council (drives "
        "identification of sellers and of people to call in).",
        source="robust data-sharing agreements helped (College of Policing 2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    joint_training: float = param(
        0.5,
        unit="fraction (0-1)",
        doc="How far partners have trained together (a consistent message; better referrals).",
        source="joint training helped partners work together (College of Policing 2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    co_location: float = param(
        0.5,
        unit="fraction (0-1)",
        doc="How far services sit with the police team (an offer of help that can start at once).",
        source="co-location of functions helped (College of Policing 2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    aligned_governance: float = param(
        0.5,
        unit="fraction (0-1)",
        doc="Alignment of partners' goals and governance (delivery as designed; a consistent message).",
        source="alignment of goals and governance structures helped (College of Policing 2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    community_voices: float = param(
        0.3,
        unit="fraction",
        doc="Share of call-ins where family, community members or peers with lived experience "
        "speak about the harm done (community mobilisation).",
        source="family and community members communicate the wider impact; lived experience helps engagement "
        "(College of Policing 2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    community_boost: float = param(
        0.5,
        unit="fraction",
        doc="How much stronger the message (and the offer of services) is when community voices join every call-in.",
        plausible=(0.0, 1.5),
        ge=0.0,
    )
    identification_per_month: float = param(
        0.5,
        unit="fraction/month",
        doc="Share of not-yet-identified sellers in high-harm groups that analysts identify each "
        "month with full data sharing and resources.",
        plausible=(0.1, 0.9),
        ge=0.0,
        le=1.0,
    )
    other_group_identification: float = param(
        0.3,
        unit="ratio",
        doc="Identification rate of sellers in other groups relative to high-harm groups (analysis is focused).",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    identification_without_data_sharing: float = param(
        0.3,
        unit="ratio",
        doc="Identification (of sellers, and of arrested people to call in) with no data sharing, "
        "relative to full data sharing; it rises linearly with `data_sharing`.",
        plausible=(0.1, 0.7),
        ge=0.0,
        le=1.0,
    )
    call_in_places_per_month: float = param(
        20.0,
        unit="people/month",
        doc="People (sellers and people who use drugs) the call-ins can see each month at full resources and fidelity.",
        plausible=(5.0, 60.0),
        ge=0.0,
        le=10_000,
    )
    call_in_interval_days: int = param(
        14, unit="days", doc="Days between call-in sessions.", plausible=(7, 30), ge=1, le=365
    )
    dealer_share_of_places: float = param(
        0.6,
        unit="fraction",
        doc="Share of call-in places for sellers (the rest for people who use drugs).",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    repeat_call_in_days: int = param(
        90,
        unit="days",
        doc="Days after a call-in before a person is called in again (direct and repeated "
        "communication); also how long a group counts as warned.",
        plausible=(30, 365),
        ge=1,
        le=3_650,
    )
    call_in_risk: float = param(
        0.02,
        unit="probability/day",
        doc="Perceived daily arrest risk that a full-strength call-in message adds to a seller's "
        "sense of risk (for comparison, a seller's perceived risk at baseline is about 0.003).",
        plausible=(0.005, 0.05),
        ge=0.0,
        le=1.0,
    )
    message_half_life_days: float = param(
        60.0,
        unit="days",
        doc="Half-life of a call-in message's effect without repetition or sanctions.",
        plausible=(14.0, 180.0),
        gt=0.0,
    )
    message_without_joint_working: float = param(
        0.5,
        unit="ratio",
        doc="Strength of the message when partners neither train together nor share governance, "
        "relative to when they fully do (a mixed message is weaker).",
        plausible=(0.2, 0.9),
        ge=0.0,
        le=1.0,
    )
    diffusion_share: float = param(
        0.3,
        unit="fraction",
        doc="Share of called-in members' mean warning that reaches the rest of their group (word spreads).",
        source="assumption; benefits tend to diffuse rather than displace (Braga et al. 2018)",
        plausible=(0.0, 0.8),
        ge=0.0,
        le=1.0,
    )
    group_sanctions: bool = param(
        True,
        unit="switch",
        doc="Whether an arrest of a member of a warned group brings attention on the whole group.",
    )
    sanction_days: int = param(
        21, unit="days", doc="How long a group sanction lasts.", plausible=(7, 90), ge=1, le=3_650
    )
    sanction_hours_per_day: float = param(
        6.0,
        unit="officer-hours/day",
        doc="Extra targeted-operation hours aimed at a sanctioned group each day (tasked to the "
        "drug team, so they need officers or overtime).",
        plausible=(2.0, 24.0),
        ge=0.0,
    )
    delivery_without_governance: float = param(
        0.6,
        unit="ratio",
        doc="Share of planned call-ins and sanctions delivered without aligned governance, relative to with it.",
        plausible=(0.3, 0.9),
        ge=0.0,
        le=1.0,
    )
    call_in_readiness: float = param(
        2.0,
        unit="ratio",
        doc="Multiplier on a called-in person's readiness for treatment at full referral strength.",
        source="assumption; ADDER raised criminal-justice referrals to treatment (Home Office 2025)",
        plausible=(1.0, 4.0),
        ge=1.0,
    )
    referral_without_joint_working: float = param(
        0.4,
        unit="ratio",
        doc="Strength of the offer of services without co-location or joint training, relative to with both.",
        plausible=(0.1, 0.8),
        ge=0.0,
        le=1.0,
    )


@dataclass(frozen=True)
class Partnership:
    """How well the partnership turns each part of the programme into effect (each 0 to about 1.5)."""

    identification: float  # speed of identifying sellers and linking arrested people
    message: float  # strength of the call-in message
    referral: float  # strength of the offer of services
    delivery: float  # share of call-ins and sanctions actually delivered

    @classmethod
    def of(cls, p: DeterrenceParams) -> Partnership:
        """The partnership's effect factors from today's levers (each link linear; assumptions)."""
        community = 1.0 + p.community_boost * p.community_voices
        joint = (p.joint_training + p.aligned_governance) / 2.0
        services = (p.co_location + p.joint_training) / 2.0
        return cls(
            identification=_between(p.identification_without_data_sharing, p.data_sharing),
            message=_between(p.message_without_joint_working, joint) * p.fidelity * community,
            referral=_between(p.referral_without_joint_working, services) * p.fidelity * community,
            delivery=_between(p.delivery_without_governance, p.aligned_governance) * p.fidelity,
        )


def _between(floor: float, lever: float) -> float:
    """A factor that rises linearly from `floor` (lever 0) to 1 (lever 1)."""
    return floor + (1.0 - floor) * lever


def _per_day(per_month: float) -> float:
    """Daily probability from a monthly share."""
    return 1.0 - (1.0 - min(per_month, 1.0)) ** (1.0 / DAYS_PER_MONTH)


class FocusedDeterrence:
    """The programme's state: who is identified, warned and sanctioned, and who waits for a call-in."""

    def __init__(
        self,
        params: DeterrenceParams,
        dealers: Dealers,
        people: People,
        enforcement: Enforcement,
        context: Context,
    ) -> None:
        self.p = params
        self.dealers = dealers
        self.people = people
        self.enforcement = enforcement
        self.rng = context.rng("deterrence")
        self.log = context.log
        self.record = context.record
        self.go_live: int | None = None
        n_groups = dealers.p.groups
        self.group_warned_until = np.full(n_groups, -1, dtype=np.int64)
        self.group_sanctioned_until = np.full(n_groups, -1, dtype=np.int64)
        self.identified = np.zeros(0, dtype=bool)
        self.warning = np.zeros(0, dtype=np.float64)  # perceived daily risk from the seller's own call-in
        self.last_called = np.zeros(0, dtype=np.int64)
        self.person_last_called = np.zeros(0, dtype=np.int64)
        self.pending_people = np.zeros(0, dtype=np.int64)  # arrested people awaiting a call-in
        self.pending_since = np.zeros(0, dtype=np.int64)
        self._warned = False  # any warning still in force (skips work when idle)

    # -- state -------------------------------------------------------------------------------
    def _fit(self) -> None:
        """Grow the per-seller and per-person arrays to the populations' current size."""
        n = self.dealers.n
        if self.identified.size < n:
            extra = n - self.identified.size + 256
            self.identified = np.concatenate([self.identified, np.zeros(extra, dtype=bool)])
            self.warning = np.concatenate([self.warning, np.zeros(extra)])
            self.last_called = np.concatenate([self.last_called, np.full(extra, -(10**6), dtype=np.int64)])
        m = self.people.n
        if self.person_last_called.size < m:
            extra = m - self.person_last_called.size + 1024
            self.person_last_called = np.concatenate(
                [self.person_last_called, np.full(extra, -(10**6), dtype=np.int64)]
            )

    def resources(self, day: int) -> float:
        """Share of the programme's resources in place today (0 before go-live or when stopped)."""
        p = self.p
        if not p.active or self.go_live is None:
            return 0.0
        if p.ramp_up_days <= 0:
            return 1.0
        grown = min(1.0, (day - self.go_live) / p.ramp_up_days)
        return p.resources_at_go_live + (1.0 - p.resources_at_go_live) * grown

    def sanction_hours(self, day: int) -> np.ndarray:
        """Extra targeted-operation hours on each group under a sanction today."""
        return np.where(self.group_sanctioned_until >= day, self.p.sanction_hours_per_day, 0.0)

    # -- the day -------------------------------------------------------------------------------
    def communicate(self, day: int, arrested_sellers: np.ndarray, arrested_people: np.ndarray) -> np.ndarray | None:
        """Run today's programme; returns each seller's extra perceived-risk signal (or None).

        Identification, group sanctions triggered by today's arrests, queueing arrested people
        for a call-in, and (on session days) the call-ins themselves.
        """
        p = self.p
        self._fit()
        if self._warned:
            self.warning *= half_life_factor(p.message_half_life_days)
            self.warning[self.warning < 1e-6] = 0.0  # a message long forgotten
        if not p.active:
            self.go_live = None
            self.record.set("deterrence_resources", 0.0)
            return self._signal(day) if self._warned else None
        if self.go_live is None:
            self.go_live = day
        resources = self.resources(day)
        partnership = Partnership.of(p)
        self.identify(day, resources, partnership)
        self.sanction_groups(day, arrested_sellers, resources, partnership)
        self.queue_people(day, arrested_people, resources, partnership)
        if (day - self.go_live) % p.call_in_interval_days == 0:
            self.call_in(day, resources, partnership)
        self.record.set("deterrence_resources", resources)
        active = self.dealers.active()
        self.record.set("identified_dealers", int(np.count_nonzero(self.identified[active])))
        return self._signal(day)

    def identify(self, day: int, resources: float, partnership: Partnership) -> None:
        """Analysts identify sellers, high-harm groups first; data sharing sets the pace."""
        p = self.p
        sellers = self.dealers.active()
        unknown = sellers[~self.identified[sellers]]
        if unknown.size == 0:
            return
        monthly = p.identification_per_month * partnership.identification * resources
        high = self.enforcement.high_harm[self.dealers.group[unknown]]
        chance = np.where(high, _per_day(monthly), _per_day(monthly * p.other_group_identification))
        found = unknown[self.rng.random(unknown.size) < chance]
        self.identified[found] = True
        self.log.record(
            day, Event.DEALER_IDENTIFIED, found, cell=self.dealers.cell[found], value=self.dealers.group[found]
        )

    def sanction_groups(self, day: int, arrested: np.ndarray, resources: float, partnership: Partnership) -> None:
        """An arrest in a warned group brings attention on the whole group (if the promise is kept)."""
        p = self.p
        if not p.group_sanctions or arrested.size == 0:
            return
        groups = np.unique(self.dealers.group[arrested])
        due = groups[(self.group_warned_until[groups] >= day) & (self.group_sanctioned_until[groups] < day)]
        kept = due[self.rng.random(due.size) < partnership.delivery * resources]
        if kept.size == 0:
            return
        self.group_sanctioned_until[kept] = day + p.sanction_days
        sellers = self.dealers.active()
        members = sellers[np.isin(self.dealers.group[sellers], kept)]
        self.log.record(
            day, Event.DEALER_SANCTIONED, members, cell=self.dealers.cell[members], value=self.dealers.group[members]
        )
        self.record.add("group_sanctions", kept.size)
        self._warned = True

    def queue_people(self, day: int, arrested: np.ndarray, resources: float, partnership: Partnership) -> None:
        """Arrested people with dependent use whom the partnership can link to the programme wait for a call-in."""
        window = self.p.repeat_call_in_days
        keep = self.pending_since > day - window
        self.pending_people, self.pending_since = self.pending_people[keep], self.pending_since[keep]
        if arrested.size == 0:
            return
        dependent = arrested[self.people.state[arrested] == int(UseState.DEPENDENT)]
        fresh = dependent[self.person_last_called[dependent] <= day - window]
        linked = fresh[self.rng.random(fresh.size) < partnership.identification * resources]
        self.pending_people = np.concatenate([self.pending_people, linked])
        self.pending_since = np.concatenate([self.pending_since, np.full(linked.size, day)])

    def call_in(self, day: int, resources: float, partnership: Partnership) -> None:
        """A call-in session: identified sellers hear the message, people who use drugs get an offer."""
        p = self.p
        places = p.call_in_places_per_month * p.call_in_interval_days / DAYS_PER_MONTH
        places *= resources * partnership.delivery
        total = int(places) + int(self.rng.random() < places - int(places))
        dealer_places = int(self.rng.binomial(total, p.dealer_share_of_places))
        called = self._call_in_sellers(day, dealer_places, partnership)
        self._call_in_people(day, total - called.size, partnership)

    def _call_in_sellers(self, day: int, places: int, partnership: Partnership) -> np.ndarray:
        p = self.p
        sellers = self.dealers.active()
        due = sellers[self.identified[sellers] & (self.last_called[sellers] <= day - p.repeat_call_in_days)]
        if places == 0 or due.size == 0:
            return due[:0]
        # First-time call-ins before repeats, high-harm groups first, at random otherwise.
        repeat = self.last_called[due] >= 0
        low_harm = ~self.enforcement.high_harm[self.dealers.group[due]]
        order = np.lexsort((self.rng.random(due.size), low_harm, repeat))
        chosen = due[order[:places]]
        self.warning[chosen] = p.call_in_risk * partnership.message
        self.last_called[chosen] = day
        groups = self.dealers.group[chosen]
        self.group_warned_until[groups] = day + p.repeat_call_in_days
        self.log.record(day, Event.DEALER_CALLED_IN, chosen, cell=self.dealers.cell[chosen], value=groups)
        self.record.add("dealer_call_ins", chosen.size)
        self._warned = True
        return chosen

    def _call_in_people(self, day: int, places: int, partnership: Partnership) -> None:
        if places <= 0 or self.pending_people.size == 0:
            return
        still = self.people.state[self.pending_people] == int(UseState.DEPENDENT)
        self.pending_people, self.pending_since = self.pending_people[still], self.pending_since[still]
        # Most recent arrests first: the offer lands best close to the arrest.
        order = np.argsort(-self.pending_since, kind="stable")[:places]
        chosen = self.pending_people[order]
        left = np.ones(self.pending_people.size, dtype=bool)
        left[order] = False
        self.pending_people, self.pending_since = self.pending_people[left], self.pending_since[left]
        factor = 1.0 + (self.p.call_in_readiness - 1.0) * partnership.referral
        self.people.encourage_treatment(chosen, factor)
        self.person_last_called[chosen] = day
        self.log.record(
            day, Event.PERSON_CALLED_IN, chosen, cell=self.people.home[chosen], value=self.people.readiness[chosen]
        )
        self.record.add("person_call_ins", chosen.size)

    def _signal(self, day: int) -> np.ndarray:
        """Each seller's extra perceived risk: own warning, word from the group, group sanctions."""
        n = self.dealers.n
        sellers = self.dealers.active()
        groups = self.dealers.p.groups
        own = self.warning[:n]
        signal = own.copy()
        if sellers.size:
            group_of = self.dealers.group[sellers]
            members = np.bincount(group_of, minlength=groups)
            heard = np.bincount(group_of, weights=own[sellers], minlength=groups) / np.maximum(members, 1)
            signal[sellers] += self.p.diffusion_share * heard[group_of]
            sanctioned = self.group_sanctioned_until[group_of] >= day
            if sanctioned.any():
                message = self.p.call_in_risk * Partnership.of(self.p).message
                signal[sellers[sanctioned]] = np.maximum(signal[sellers[sanctioned]], message)
        if not own.any() and not (self.group_sanctioned_until >= day).any():
            self._warned = False
        return signal
