"""Street sellers and the groups (lines) they sell for.

Sellers earn a share of what they sell, perceive risk from arrests of their peers and from police
presence where they stand, leave when the risk outweighs the earnings, and move away from police
pressure (displacement). Groups keep a number of selling positions and fill the ones that arrests
and turnover open up whenever the street trade pays: replacement is why arrests alone rarely
shrink a market. No defensible published replacement rate exists, so `replacement_per_day` is an
explicit assumption meant to be swept.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from sim.model.context import Context
from sim.model.events import Event
from sim.model.market import MarketParams
from sim.model.params import Section, param, per_year_to_daily
from sim.model.rows import Field, Table
from sim.model.town import AT_HOTSPOT, ELSEWHERE, NEXT_TO_HOTSPOT, Town

#: Room in the luck keys for this many recruits per group over a run (see `Dealers.key`).
RECRUITS_PER_GROUP = 1 << 24


def rank_within(groups: np.ndarray) -> np.ndarray:
    """Each entry's place (0, 1, ...) among the entries of the same group, in the given order."""
    order = np.argsort(groups, kind="stable")
    ordered = groups[order]
    rank = np.empty(groups.size, dtype=np.int64)
    rank[order] = np.arange(groups.size) - np.searchsorted(ordered, ordered, side="left")
    return rank


class SellerState(IntEnum):
    ACTIVE = 0
    ARRESTED = 1
    EXITED = 2


class DealerParams(Section):
    """Street sellers and their groups."""

    initial_sellers: int = param(
        75,
        unit="sellers",
        doc="Street sellers working at the start (near the number the default town's street demand "
        "supports, with about 40% of people with dependent use in treatment).",
        source="assumption: about a hundred street sellers in a town the size of an ADDER area",
        plausible=(30, 300),
        ge=0,
        le=20_000,
    )
    groups: int = param(
        25,
        unit="groups",
        doc="Selling groups (lines) supplying the town.",
        source="county lines turn over about GBP 2,000-3,000 a day each (Black 2020), against a market of about "
        "GBP 55,000 a day in the default town",
        plausible=(5, 60),
        ge=1,
        le=2_000,
    )
    reservation_wage: float = param(
        40.0,
        unit="GBP/day",
        doc="Net daily earnings below which selling is not worth it.",
        source="assumption; street sellers earn below the minimum wage (Levitt and Venkatesh 2000)",
        plausible=(20.0, 80.0),
        ge=0.0,
    )
    arrest_cost: float = param(
        4_000.0,
        unit="GBP",
        doc="What a seller reckons an arrest costs them (sanction, lost earnings, seized stock).",
        plausible=(1_000.0, 20_000.0),
        ge=0.0,
    )
    risk_memory: float = param(
        30.0,
        unit="days",
        doc="Time over which a seller's sense of risk and earnings adapts.",
        plausible=(7.0, 120.0),
        ge=1.0,
    )
    attention_weight: float = param(
        0.5,
        unit="ratio",
        doc="Weight a seller gives to their share of the police attention where they stand (the "
        "daily arrest chance that the patrol in their cell, shared among the sellers there, "
        "carries) on top of arrests seen among their group. Shared attention is what lets "
        "concentrated enforcement tip a local market: as sellers leave, each one left draws more.",
        source="Kleiman 1993; Caulkins 1993; the weight is an assumption, set so that the default "
        "town's sellers perceive about the risk they did with a fixed presence risk",
        plausible=(0.0, 2.0),
        ge=0.0,
    )
    turnover_per_year: float = param(
        0.3, unit="1/year", doc="Hazard of leaving for reasons other than risk or pay.", plausible=(0.1, 0.6), ge=0.0
    )
    unprofitable_exit_per_day: float = param(
        0.02,
        unit="probability/day",
        doc="Chance a seller whose risk outweighs their earnings leaves on a given day.",
        plausible=(0.005, 0.1),
        ge=0.0,
        le=1.0,
    )
    replacement_per_day: float = param(
        0.05,
        unit="probability/day",
        doc="Chance an open selling position is filled on a given day while selling pays. No "
        "published rate exists: swept in docs/police.md, a crackdown's effect on sellers is about "
        "the same for any rate from 0.01 to 0.2 (scripts/seller_assumptions.py).",
        plausible=(0.0, 0.2),
        ge=0.0,
        le=1.0,
    )
    busy_sales: float = param(
        30.0,
        unit="sales/day",
        doc="Sales per seller above which a group opens another position.",
        plausible=(15.0, 60.0),
        gt=0.0,
    )
    growth_per_day: float = param(
        0.05,
        unit="probability/day",
        doc="Chance a busy group opens a new position on a given day.",
        plausible=(0.0, 0.2),
        ge=0.0,
        le=1.0,
    )
    displacement_pressure: float = param(
        1.25,
        unit="ratio",
        doc="Patrol in a seller's cell, relative to what sellers there are used to, above which they "
        "consider moving: sellers respond to a change in policing, not to its usual level.",
        source="assumption; hotspot policing displaces little and more often diffuses benefits "
        "(Weisburd et al. 2006), so only a clear rise in presence moves sellers",
        plausible=(1.0, 3.0),
        ge=1.0,
    )
    usual_patrol_hours_per_day: float = param(
        24.0,
        unit="officer-hours/day",
        doc="Street patrol sellers are used to when the run starts: the town's policing before the "
        "scenario's changes (the default town's police.patrol_hours_per_day). A scenario that patrols "
        "more from day 0 is a change sellers notice.",
        source="assumption: the default town's patrol",
        plausible=(0.0, 200.0),
        ge=0.0,
    )
    patrol_memory_days: float = param(
        60.0,
        unit="days",
        doc="Time over which sellers get used to a new level of patrol in a cell (then stop moving away from it).",
        source="assumption",
        plausible=(14.0, 365.0),
        ge=1.0,
    )
    displacement_per_day: float = param(
        0.1,
        unit="probability/day",
        doc="Chance a seller under pressure moves to a neighbouring cell (0 = no displacement).",
        plausible=(0.0, 0.3),
        ge=0.0,
        le=1.0,
    )
    return_per_day: float = param(
        0.03,
        unit="probability/day",
        doc="Chance a displaced seller goes back to their group's hotspot once pressure there eases.",
        plausible=(0.0, 0.1),
        ge=0.0,
        le=1.0,
    )


class Dealers(Table):
    """All street sellers ever active in the run (rows) and their groups."""

    def __init__(
        self,
        params: DealerParams,
        market: MarketParams,
        town: Town,
        context: Context,
    ) -> None:
        self.p = params
        self.market = market
        self.town = town
        self.luck = context.luck("dealers")
        self.log = context.log
        self.record = context.record
        super().__init__(
            4 * params.initial_sellers + 256,
            state=Field(np.int8, SellerState.ACTIVE),
            cell=Field(np.int32, 0),
            group=Field(np.int32, 0),
            earnings=Field(np.float64, 0.0),  # recent GBP/day
            risk=Field(np.float64, 0.0),  # perceived arrest probability/day
            sales=Field(np.float64, 0.0),  # purchases today
            entered=Field(np.int32, 0),
            #: Each seller's luck key: their group and their place in its line of recruits (see `key`).
            luck_key=Field(np.int64, 0),
        )
        self.recruited = np.zeros(params.groups, dtype=np.int64)  # members each group has ever taken on

        hotspots = town.hotspot_cells
        self.group_home = hotspots[np.arange(params.groups) % hotspots.size].astype(np.int32)
        per_group = np.bincount(np.arange(params.initial_sellers) % params.groups, minlength=params.groups)
        self.slots = per_group.astype(np.int64)
        self.market_revenue = 0.0  # recent GBP/day across the market
        #: Patrol sellers are used to in each cell (officer-hours/day), set on the first day (see `displace`).
        self.usual_patrol: np.ndarray | None = None
        for group, count in enumerate(per_group):
            self.add(np.full(count, group, dtype=np.int32), day=0)
        initial = np.arange(self.n)
        self.earnings[initial] = params.reservation_wage * 2
        # Sellers start at the risk the settled market runs at, which is what the price reflects.
        self.risk[initial] = market.reference_risk

    # -- bookkeeping ---------------------------------------------------------------------------
    def add(self, groups: np.ndarray, day: int) -> np.ndarray:
        """New sellers for the given groups, standing at their group's hotspot."""
        # Recruits expect what the sellers already working earn and fear.
        earnings = self.active_mean(self.earnings, default=self.p.reservation_wage)
        risk = self.active_mean(self.risk, default=0.0)
        ids = self.append(groups.size)
        self.state[ids] = SellerState.ACTIVE
        self.group[ids] = groups
        self.cell[ids] = self.group_home[groups]
        self.earnings[ids] = earnings
        self.risk[ids] = risk
        self.entered[ids] = day
        self.luck_key[ids] = groups * RECRUITS_PER_GROUP + self.recruited[groups] + rank_within(groups)
        np.add.at(self.recruited, groups, 1)
        return ids

    def key(self, ids: np.ndarray) -> np.ndarray:
        """The luck key of each seller: their group's n-th recruit, not their row.

        Rows are numbered in order of recruitment across all groups, so one extra recruit in one
        group would shift every later seller's row and with it their luck. Keyed by group and
        place in the group's line, a policy that changes recruitment in one group leaves the
        luck of every other group's sellers as it was (common random numbers that pair).
        """
        return self.luck_key[ids]

    def active(self) -> np.ndarray:
        """Ids of sellers working today."""
        return np.flatnonzero(self.state[: self.n] == int(SellerState.ACTIVE))  # plain int: faster

    def active_mean(self, values: np.ndarray, default: float) -> float:
        ids = self.active()
        return float(values[ids].mean()) if ids.size else default

    def by_cell(self, ids: np.ndarray | None = None) -> np.ndarray:
        """Number of active sellers in each cell."""
        ids = self.active() if ids is None else ids
        return np.bincount(self.cell[ids], minlength=self.town.n_cells).astype(np.float64)

    # -- daily mechanisms ----------------------------------------------------------------------
    def sell(self, ids: np.ndarray, seller_index: np.ndarray, spend: np.ndarray) -> None:
        """Book the day's sales: each seller keeps a share of what they took."""
        share = self.market.seller_share
        takings = np.bincount(seller_index, weights=spend, minlength=ids.size)
        self.sales[: self.n] = 0.0
        self.sales[ids] = np.bincount(seller_index, minlength=ids.size)
        memory = 1.0 / self.p.risk_memory
        self.earnings[ids] += (share * takings - self.earnings[ids]) * memory
        self.market_revenue += (float(spend.sum()) - self.market_revenue) * memory
        self.record.add("market_revenue", float(spend.sum()))

    def arrested(self, ids: np.ndarray, day: int) -> None:
        """Sellers taken off the street by arrest; their positions stay open for recruits."""
        self.state[ids] = SellerState.ARRESTED
        self.log.record(day, Event.DEALER_ARRESTED, ids, cell=self.cell[ids], value=self.group[ids])

    def taken_off_street(self, ids: np.ndarray) -> None:
        """Sellers held on remand or in prison (including any who had gone back to selling on bail)."""
        self.state[ids] = SellerState.ARRESTED

    def released(self, ids: np.ndarray, day: int, return_share: float) -> np.ndarray:
        """Sellers freed by custody, the courts or prison: a share go back to their group's pitch
        if it still has an open position (recruits may have filled it); the rest leave the trade.
        Returns the ids of those who went back."""
        ids = ids[self.state[ids] == int(SellerState.ARRESTED)]
        if ids.size == 0:
            return ids
        members = np.bincount(self.group[self.active()], minlength=self.p.groups)
        open_positions = np.maximum(self.slots - members, 0)
        willing = ids[self.luck.uniform(self.key(ids), "returns_to_market") < return_share]
        groups = self.group[willing]
        back = willing[rank_within(groups) < open_positions[groups]]
        gone = np.setdiff1d(ids, back)
        self.state[back] = SellerState.ACTIVE
        self.cell[back] = self.group_home[self.group[back]]
        self.state[gone] = SellerState.EXITED
        self.log.record(day, Event.DEALER_RELEASED, back, cell=self.cell[back], value=1.0)
        self.log.record(day, Event.DEALER_RELEASED, gone, cell=self.cell[gone], value=0.0)
        return back

    def perceive_risk(
        self, arrested: np.ndarray, attention_by_cell: np.ndarray, extra: np.ndarray | None = None
    ) -> None:
        """Update each seller's sense of risk from peers' arrests and police where they stand.

        The signal is the share of the seller's group arrested today plus their share of the
        police attention in their cell (`attention_by_cell`: the daily arrest chance of one seller
        there); `extra` adds other warnings (such as a focused-deterrence call-in).
        """
        ids = self.active()
        groups = self.p.groups
        group_size = np.bincount(self.group[np.concatenate([ids, arrested])], minlength=groups)
        group_arrests = np.bincount(self.group[arrested], minlength=groups)
        signal = group_arrests[self.group[ids]] / np.maximum(group_size[self.group[ids]], 1)
        signal = signal + self.p.attention_weight * attention_by_cell[self.cell[ids]]
        if extra is not None:
            signal = signal + extra[ids]
        self.risk[ids] += (signal - self.risk[ids]) / self.p.risk_memory

    def net_earnings(self, ids: np.ndarray) -> np.ndarray:
        """Recent earnings less the reckoned cost of the risk being run (GBP/day)."""
        return self.earnings[ids] - self.risk[ids] * self.p.arrest_cost

    def leave_or_stay(self, day: int) -> None:
        """Sellers for whom selling no longer pays leave (closing their position); others drift off."""
        p = self.p
        ids = self.active()
        unprofitable = self.net_earnings(ids) < p.reservation_wage
        chance = per_year_to_daily(p.turnover_per_year) + unprofitable * p.unprofitable_exit_per_day
        leaving = self.luck.uniform(self.key(ids), "leaves") < chance
        leavers = ids[leaving]
        closed = leaving & unprofitable
        np.subtract.at(self.slots, self.group[ids[closed]], 1)
        np.maximum(self.slots, 0, out=self.slots)
        self.state[leavers] = SellerState.EXITED
        self.log.record(day, Event.DEALER_EXITED, leavers, cell=self.cell[leavers], value=self.earnings[leavers])
        self.record.add("dealers_exited", leavers.size)

    def recruit(self, day: int) -> None:
        """Groups fill open positions while street selling pays, and open new ones when busy.

        A recruit judges the trade by what the street market takes and how risky it is now:
        expected net earnings = seller share x market takings / (sellers + 1) - risk x cost.
        """
        p = self.p
        ids = self.active()
        members = np.bincount(self.group[ids], minlength=p.groups)
        busy = np.bincount(self.group[ids], weights=self.sales[ids], minlength=p.groups) / np.maximum(members, 1)
        groups = np.arange(p.groups)  # each group's own luck
        opening = (busy > p.busy_sales) & (self.luck.uniform(groups, "opens_position") < p.growth_per_day)
        self.slots += opening

        prospect = self.market.seller_share * self.market_revenue / (ids.size + 1)
        prospect -= self.active_mean(self.risk, default=0.0) * p.arrest_cost
        if prospect <= p.reservation_wage:
            self.record.add("dealers_entered", 0)
            return
        open_positions = np.maximum(self.slots - members, 0)
        filled = self.luck.binomial(groups, open_positions, p.replacement_per_day, "fills_position")
        if filled.any():
            new = self.add(np.repeat(np.arange(p.groups, dtype=np.int32), filled), day)
            self.log.record(day, Event.DEALER_ENTERED, new, cell=self.cell[new], value=self.group[new])
        self.record.add("dealers_entered", int(filled.sum()))

    def displace(self, patrol_by_cell: np.ndarray, day: int, planned_hours: float) -> None:
        """Sellers move next door when patrol where they stand rises above what they are used to,
        and drift back home once it is down to the usual level there.

        The usual level is each cell's patrol remembered over `patrol_memory_days`, starting from
        the first day's deployment scaled to `usual_patrol_hours_per_day` (of the `planned_hours`);
        so steady policing displaces nobody, a crackdown displaces sellers for a while, and they
        settle once the new level is what they expect.
        """
        p = self.p
        if self.usual_patrol is None:
            scale = p.usual_patrol_hours_per_day / planned_hours if planned_hours > 0 else 1.0
            self.usual_patrol = patrol_by_cell * scale
        threshold = self.usual_patrol * p.displacement_pressure
        ids = self.active()
        pressured = patrol_by_cell[self.cell[ids]] > threshold[self.cell[ids]]
        moving = ids[pressured & (self.luck.uniform(self.key(ids), "displaced") < p.displacement_per_day)]
        if moving.size:
            step = np.floor(3.0 * self.luck.uniforms(self.key(moving), "step_x", "step_y"))
            self.cell[moving] = self.town.neighbour_cell(self.cell[moving], step.astype(np.int64) - 1)
            self.log.record(day, Event.DEALER_DISPLACED, moving, cell=self.cell[moving])
        home = self.group_home[self.group[ids]]
        away = (self.cell[ids] != home) & (patrol_by_cell[home] <= threshold[home])
        returning = ids[away & (self.luck.uniform(self.key(ids), "returns_home") < p.return_per_day)]
        self.cell[returning] = self.group_home[self.group[returning]]
        self.usual_patrol += (patrol_by_cell - self.usual_patrol) / p.patrol_memory_days
        self.record.add("dealers_displaced", moving.size)

    def record_stocks(self) -> None:
        ids = self.active()
        self.record.set("active_dealers", ids.size)
        zones = np.bincount(self.town.market_zone[self.cell[ids]], minlength=3)
        self.record.set("sellers_at_hotspots", int(zones[AT_HOTSPOT]))
        self.record.set("sellers_next_to_hotspots", int(zones[NEXT_TO_HOTSPOT]))
        self.record.set("sellers_elsewhere", int(zones[ELSEWHERE]))
        self.record.set("dealer_slots", int(self.slots.sum()))
        self.record.set("mean_dealer_earnings", float(self.earnings[ids].mean()) if ids.size else 0.0)
        self.record.set("mean_dealer_risk", float(self.risk[ids].mean()) if ids.size else 0.0)
