"""Credibility of focused deterrence: does what was promised at the call-in follow?

A call-in deters only as far as sellers believe its promise: "if your group keeps dealing, the
sanctions will come, quickly and for all of you" (Kennedy 2009). Each selling group holds a
credibility, in [`credibility_floor`, 1], starting at `credibility_prior`, that it learns from the
justice outcomes it sees while it is warned (Nagin 2013: perceived certainty, learnt from one's
own and peers' experience, deters more than severity):

- promises kept: an arrest of a member (1 outcome); a charge (`swift_charge_weight` for a charge
  on the day of arrest, halving every `swift_charge_days` of delay, so prosecutor joint working,
  which speeds charging, counts for more); remand or a prison sentence (1);
- promises not kept: a member's case dropped (no further action), not charged, or acquitted (1
  each); a called-in member who goes on selling `impunity_days` without arrest (1, and again
  after each further such spell).

Each day a group's credibility moves toward the share of today's outcomes that were kept, by
1 - (1 - `credibility_learning`) ** outcomes (exponential updating: each outcome closes that share
of the gap), and returns toward the prior with half-life `credibility_half_life_days`. A call-in's
perceived-risk dose is scaled by credibility / prior, so a programme that delivers as expected
gives the calibrated dose, one that delivers more up to 1 / prior times it, and one whose
promises are empty as little as floor / prior times it (Braga, Weisburd and Turchan 2018 find
the strongest effects where sanctions were delivered as promised). The outcomes are read from the
event log; no random draws are made here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model.dealers import Dealers
from sim.model.deterrence import DeterrenceParams
from sim.model.events import Event, EventLog
from sim.model.params import half_life_factor
from sim.model.rows import Field

#: Justice outcomes a warned group sees, each with its kind and whether it is a promise kept;
#: charges (weighed by their speed) and prison sentences are counted separately.
KEPT = {
    Event.DEALER_REMANDED: ("custody", True),
    Event.DEALER_NO_FURTHER_ACTION: ("dropped", False),
    Event.DEALER_NOT_CHARGED: ("dropped", False),
    Event.DEALER_ACQUITTED: ("dropped", False),
}
SEEN = (*KEPT, Event.DEALER_CHARGED, Event.DEALER_SENTENCED)


class Credibility:
    """Each selling group's belief that promised sanctions follow, learnt from what it sees."""

    def __init__(self, params: DeterrenceParams, dealers: Dealers, log: EventLog) -> None:
        self.p = params
        self.dealers = dealers
        self.log = log
        self.level = np.full(dealers.p.groups, params.credibility_prior)
        #: The day each called-in seller's watch began (-1: not watched).
        self.sellers = dealers.side_table(watched_since=Field(np.int64, -1))
        self._last_day: int | None = None
        #: Weight of every outcome warned groups have seen, by kind (for evaluations).
        self.tally = dict.fromkeys(("arrests", "charges", "custody", "dropped", "impunity"), 0.0)

    def scale(self, groups: np.ndarray) -> np.ndarray:
        """Each group's multiplier on the call-in dose: credibility relative to the prior."""
        return self.level[groups] / self.p.credibility_prior

    def mean(self, warned: np.ndarray) -> float:
        """Mean credibility of the warned groups (`warned` a mask over groups); the prior if none."""
        return float(self.level[warned].mean()) if warned.any() else self.p.credibility_prior

    def called_in(self, sellers: np.ndarray, day: int) -> None:
        """Called-in sellers are watched: going on selling unpunished is a promise not kept."""
        self.sellers.watched_since[sellers] = day

    def learn(self, day: int, warned: np.ndarray, arrested: np.ndarray) -> None:
        """Today's update: yesterday's justice outcomes and today's arrests in warned groups.

        The day's order puts the justice pathway after the programme, so its outcomes of
        yesterday are the latest the groups can have seen.
        """
        p = self.p
        if self._last_day is not None and day > self._last_day:
            relax = half_life_factor(p.credibility_half_life_days) ** (day - self._last_day)
            self.level = p.credibility_prior + (self.level - p.credibility_prior) * relax
        self._last_day = day
        self.sellers.watched_since[arrested] = -1  # the promise was kept for them
        if not warned.any():
            return
        kept, missed = self._outcomes(day, warned, arrested)
        seen = kept + missed
        moved = seen > 0
        step = 1.0 - (1.0 - p.credibility_learning) ** seen[moved]
        self.level[moved] += step * (kept[moved] / seen[moved] - self.level[moved])
        np.clip(self.level, p.credibility_floor, 1.0, out=self.level)

    def _outcomes(self, day: int, warned: np.ndarray, arrested: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weight of promises kept and not kept that each group saw today."""
        p, group, groups = self.p, self.dealers.group, self.dealers.p.groups
        kept = np.zeros(groups)
        missed = np.zeros(groups)

        def count(into: np.ndarray, kind: str, sellers: np.ndarray, weights: np.ndarray | float = 1.0) -> None:
            of = group[sellers]
            mine = warned[of]
            w = np.broadcast_to(weights, sellers.shape)[mine]
            into += np.bincount(of[mine], weights=w, minlength=groups)
            self.tally[kind] += float(w.sum())

        count(kept, "arrests", arrested)
        seen = self.log.on_day(day - 1, SEEN)
        for event, (kind, promise_kept) in KEPT.items():
            count(kept if promise_kept else missed, kind, seen[event][0])
        sellers, delay = seen[Event.DEALER_CHARGED]
        count(kept, "charges", sellers, p.swift_charge_weight * half_life_factor(p.swift_charge_days) ** delay)
        sellers, days_to_serve = seen[Event.DEALER_SENTENCED]
        count(kept, "custody", sellers[days_to_serve > 0])

        active = self.dealers.active()
        since = self.sellers.watched_since[active]
        unpunished = active[(since >= 0) & (day - since >= p.impunity_days)]
        count(missed, "impunity", unpunished)
        self.sellers.watched_since[unpunished] = day  # the next spell starts
        return kept, missed


def exits_while_warned(events: pd.DataFrame, group_of: np.ndarray, warned_days: int) -> int:
    """Sellers who left the trade by choice while their group was warned (for evaluations).

    A group counts as warned for `warned_days` after any call-in of one of its members (the
    programme's `repeat_call_in_days`); `group_of` is each seller row's group.
    """
    calls = events[events["event"] == "dealer_called_in"]
    exits = events[events["event"] == "dealer_exited"]
    exit_group = group_of[exits["id"].to_numpy()]
    exit_day = exits["day"].to_numpy()
    call_group = calls["value"].to_numpy().astype(np.int64)
    call_day = calls["day"].to_numpy()
    count = 0
    for group in np.unique(call_group):
        days = np.sort(call_day[call_group == group])
        left = exit_day[exit_group == group]
        last_call = np.searchsorted(days, left, side="right") - 1
        count += int(np.count_nonzero((last_call >= 0) & (left - days[np.maximum(last_call, 0)] <= warned_days)))
    return count
