"""Focused deterrence at work: identifying sellers, call-ins, group sanctions and the word that spreads.

Each day of a running programme analysts identify sellers (high-harm groups first), an arrest in
a warned group may bring a group sanction, arrested people with dependent use are queued for a
call-in, and on session days the call-ins are held: sellers hear the message (a perceived-risk
signal that fades, believed as far as their group has seen promised sanctions follow:
`sim.model.credibility`), people who use drugs get an offer of services. The levers, the evidence and
the partnership's effect factors are in `sim.model.deterrence`.
"""

from __future__ import annotations

import numpy as np

from sim.model.context import Context
from sim.model.credibility import Credibility
from sim.model.dealers import Dealers
from sim.model.deterrence import DAYS_PER_MONTH, DeterrenceParams, Partnership, per_day
from sim.model.events import Event
from sim.model.params import half_life_factor
from sim.model.people import People, UseState
from sim.model.police import Enforcement
from sim.model.rows import Field

#: "Last called in" of anyone never called in: long enough ago for any repeat interval.
NEVER = -(10**6)


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
        self.luck = context.luck("deterrence")
        self.log = context.log
        self.record = context.record
        self.go_live: int | None = None
        n_groups = dealers.p.groups
        self.group_warned_until = np.full(n_groups, -1, dtype=np.int64)
        self.group_sanctioned_until = np.full(n_groups, -1, dtype=np.int64)
        #: What the programme knows of each seller: identified by its analysts, the perceived daily
        #: risk their own call-in promised (fading; credibility scales it), the day last called in.
        self.sellers = dealers.side_table(
            identified=Field(bool, False),
            warning=Field(np.float64, 0.0),
            last_called=Field(np.int64, NEVER),
        )
        #: The day each person who uses drugs was last called in.
        self.persons = people.side_table(last_called=Field(np.int64, NEVER))
        self.pending_people = np.zeros(0, dtype=np.int64)  # arrested people awaiting a call-in
        self.pending_since = np.zeros(0, dtype=np.int64)
        self._warned = False  # any warning still in force (skips work when idle)
        self.credibility = Credibility(params, dealers, context.log)

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
        if self._warned:
            self.sellers.warning *= half_life_factor(p.message_half_life_days)
            self.sellers.warning[self.sellers.warning < 1e-6] = 0.0  # a message long forgotten
        warned = self.group_warned_until >= day
        if p.active or self._warned:
            self.credibility.learn(day, warned, arrested_sellers)
        self.record.set("mean_credibility", self.credibility.mean(warned))
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
        self.record.set("identified_dealers", int(np.count_nonzero(self.sellers.identified[active])))
        return self._signal(day)

    def identify(self, day: int, resources: float, partnership: Partnership) -> None:
        """Analysts identify sellers, high-harm groups first; data sharing sets the pace."""
        p = self.p
        sellers = self.dealers.active()
        unknown = sellers[~self.sellers.identified[sellers]]
        if unknown.size == 0:
            return
        monthly = p.identification_per_month * partnership.identification * resources
        high = self.enforcement.high_harm[self.dealers.group[unknown]]
        chance = np.where(high, per_day(monthly), per_day(monthly * p.other_group_identification))
        found = unknown[self.luck.uniform(self.dealers.key(unknown), "identified") < chance]
        self.sellers.identified[found] = True
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
        kept = due[self.luck.uniform(due, "sanction_kept") < partnership.delivery * resources]
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
        fresh = dependent[self.persons.last_called[dependent] <= day - window]
        linked = fresh[self.luck.uniform(fresh, "linked") < partnership.identification * resources]
        self.pending_people = np.concatenate([self.pending_people, linked])
        self.pending_since = np.concatenate([self.pending_since, np.full(linked.size, day)])

    def call_in(self, day: int, resources: float, partnership: Partnership) -> None:
        """A call-in session: identified sellers hear the message, people who use drugs get an offer."""
        p = self.p
        places = p.call_in_places_per_month * p.call_in_interval_days / DAYS_PER_MONTH
        places *= resources * partnership.delivery
        session = np.zeros(1, dtype=np.int64)  # the session's own draws (keyed by the day)
        total = int(places) + int(self.luck.uniform(session, "places")[0] < places - int(places))
        dealer_places = int(self.luck.binomial(session, total, p.dealer_share_of_places, "seller_places")[0])
        called = self._call_in_sellers(day, dealer_places, partnership)
        self._call_in_people(day, total - called.size, partnership)

    def _call_in_sellers(self, day: int, places: int, partnership: Partnership) -> np.ndarray:
        p = self.p
        sellers = self.dealers.active()
        known = self.sellers
        due = sellers[known.identified[sellers] & (known.last_called[sellers] <= day - p.repeat_call_in_days)]
        if places == 0 or due.size == 0:
            return due[:0]
        # First-time call-ins before repeats, high-harm groups first, at random otherwise.
        repeat = self.sellers.last_called[due] >= 0
        low_harm = ~self.enforcement.high_harm[self.dealers.group[due]]
        order = np.lexsort((self.luck.uniform(self.dealers.key(due), "call_in_order"), low_harm, repeat))
        chosen = due[order[:places]]
        self.sellers.warning[chosen] = p.call_in_risk * partnership.message
        self.sellers.last_called[chosen] = day
        self.credibility.called_in(chosen, day)
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
        self.persons.last_called[chosen] = day
        self.log.record(
            day, Event.PERSON_CALLED_IN, chosen, cell=self.people.home[chosen], value=self.people.readiness[chosen]
        )
        self.record.add("person_call_ins", chosen.size)

    def _signal(self, day: int) -> np.ndarray:
        """Each seller's extra perceived risk: own warning, word from the group, group sanctions,
        each as far as the group believes the promise (its credibility relative to the prior)."""
        n = self.dealers.n
        sellers = self.dealers.active()
        groups = self.dealers.p.groups
        own = self.sellers.warning[:n]
        signal = own.copy()
        if sellers.size:
            group_of = self.dealers.group[sellers]
            believed = self.credibility.scale(group_of)
            signal[sellers] = own[sellers] * believed
            members = np.bincount(group_of, minlength=groups)
            heard = np.bincount(group_of, weights=signal[sellers], minlength=groups) / np.maximum(members, 1)
            signal[sellers] += self.p.diffusion_share * heard[group_of]
            sanctioned = self.group_sanctioned_until[group_of] >= day
            if sanctioned.any():
                message = self.p.call_in_risk * Partnership.of(self.p).message * believed[sanctioned]
                signal[sellers[sanctioned]] = np.maximum(signal[sellers[sanctioned]], message)
        if not own.any() and not (self.group_sanctioned_until >= day).any():
            self._warned = False
        return signal
