"""Enforcement at the market: the drug team's tasking, where its hours go, and how they become arrests.

The team is tasked with planned hours of hotspot patrol and of targeted operations against the
groups it assesses as high harm; every arrest then adds case work (custody, interview, file) that
comes before new tasking. The officers who supply these hours, and how well they work, are in
`sim.model.workforce`.

The risk each seller faces is police effort shared among the sellers present, not a fixed
probability per seller: a cell's expected arrests are its effective patrol hours times the arrests
an hour yields when sellers are easy to find, and each of the cell's sellers carries an equal
share. A fixed effort therefore overwhelms a small market and is swamped by a large one (Kleiman's
enforcement swamping; Caulkins' local-market thresholds). Targeted operations share their hours
among a group's members in the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from sim.model.context import Context, Luck
from sim.model.params import Section, param


class PoliceParams(Section):
    """The drug team's tasking and what an hour of its work yields."""

    patrol_hours_per_day: float = param(
        24.0,
        unit="officer-hours/day",
        doc="Planned officer hours of patrol and disruption at market locations each day. Hours "
        "that rostered officers cannot cover are offered as overtime (see `officers`).",
        plausible=(0.0, 120.0),
        ge=0.0,
        le=10_000,
    )
    operation_hours_per_week: float = param(
        21.0,
        unit="officer-hours/week",
        doc="Planned officer hours a week of targeted operations (intelligence-led arrests, "
        "warrants) against selling groups.",
        plausible=(0.0, 200.0),
        ge=0.0,
        le=50_000,
    )
    arrests_per_patrol_hour: float = param(
        0.02,
        unit="arrests/officer-hour",
        doc="Seller arrests an hour of patrol by a skilled, rested officer yields where sellers are plentiful.",
        source="assumption; ADDER areas made about 870 arrests a year each, 2021-24 (Home Office 2025)",
        plausible=(0.005, 0.05),
        ge=0.0,
    )
    arrests_per_operation_hour: float = param(
        0.012,
        unit="arrests/officer-hour",
        doc="Seller arrests an hour of targeted operations by a skilled, rested officer yields "
        "against a group with many members (operations are slower per arrest than patrol but "
        "reach the group they aim at).",
        plausible=(0.003, 0.04),
        ge=0.0,
    )
    sellers_to_find_half: float = param(
        3.0,
        unit="sellers",
        doc="Sellers in a cell (or members of a targeted group) at which the yield per hour is "
        "half its maximum: with fewer, officers spend more of their time finding someone to arrest.",
        plausible=(1.0, 10.0),
        gt=0.0,
    )
    targeting: Literal["visible_sellers", "hotspots"] = param(
        "visible_sellers",
        unit="choice",
        doc="Where patrol goes: in proportion to visible sellers (follows displacement it can "
        "see), or evenly across the known hotspots.",
    )
    high_harm_groups: int = param(
        5,
        unit="groups",
        doc="Selling groups the force assesses as high harm (violence, weapons, exploitation). "
        "Harm itself is not simulated beyond this flag; it steers operations and focused deterrence.",
        plausible=(0, 15),
        ge=0,
        le=2_000,
    )
    high_harm_priority: float = param(
        0.7,
        unit="fraction",
        doc="Share of planned operation hours aimed at high-harm groups (the rest spread over other groups).",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    case_hours_per_arrest: float = param(
        8.0,
        unit="officer-hours",
        doc="Case work after a patrol arrest (custody, interview, evidence, file) before the "
        "officer is back on tasking.",
        plausible=(4.0, 16.0),
        ge=0.0,
    )
    case_hours_per_operation_arrest: float = param(
        16.0,
        unit="officer-hours",
        doc="Case work after an arrest in a targeted operation (more evidence, often forensic).",
        plausible=(8.0, 40.0),
        ge=0.0,
    )


@dataclass
class Deployment:
    """Where today's police effort went, as the market and the arrests see it."""

    sellers: np.ndarray  # ids of active sellers
    sellers_by_cell: np.ndarray
    patrol_by_cell: np.ndarray  # officer-hours present in each cell
    operations_by_group: np.ndarray  # officer-hours of targeted operations on each group
    effectiveness: float  # hour-weighted yield of the officers at work (0-1]


class Enforcement:
    """The drug team's tasking: patrol deployment, targeted operations, arrests and case work."""

    def __init__(
        self,
        params: PoliceParams,
        hotspot_cells: np.ndarray,
        visibility: np.ndarray,
        n_groups: int = 1,
        context: Context | None = None,
    ) -> None:
        self.p = params
        self.hotspot_cells = hotspot_cells
        self.visibility = visibility
        #: The force's ranking of groups by harm; the top `high_harm_groups` are flagged. It is
        #: drawn once from the arrests stream (without a context, groups rank in id order).
        self.harm_rank = np.empty(n_groups, dtype=np.int64)
        order = context.rng("arrests").permutation(n_groups) if context is not None else np.arange(n_groups)
        self.harm_rank[order] = np.arange(n_groups)
        #: Officer-hours of case work owed for arrests already made.
        self.case_backlog = 0.0

    @property
    def high_harm(self) -> np.ndarray:
        """Whether each group is assessed as high harm (read each day, so the lever can change)."""
        return self.harm_rank < self.p.high_harm_groups

    # -- planning ------------------------------------------------------------------------------
    def plan_operations(self, members_by_group: np.ndarray, extra_hours: np.ndarray | None = None) -> np.ndarray:
        """Planned officer-hours of targeted operations on each group today.

        The weekly hours are spread evenly over the days; `high_harm_priority` of them go to the
        high-harm groups that still have sellers, the rest to the other groups with sellers.
        `extra_hours` adds hours aimed at particular groups (such as a group sanction).
        """
        daily = self.p.operation_hours_per_week / 7.0
        active = members_by_group > 0
        high = active & self.high_harm
        other = active & ~self.high_harm
        plan = np.zeros(members_by_group.size)
        if high.any() and other.any():
            plan[high] = daily * self.p.high_harm_priority / high.sum()
            plan[other] = daily * (1.0 - self.p.high_harm_priority) / other.sum()
        elif active.any():
            plan[active] = daily / active.sum()
        if extra_hours is not None:
            plan += extra_hours * active
        return plan

    def deploy(self, sellers_by_cell: np.ndarray, hours: float) -> np.ndarray:
        """Officer hours of patrol in each cell today."""
        patrol = np.zeros_like(sellers_by_cell)
        if self.p.targeting == "hotspots":
            patrol[self.hotspot_cells] = hours / self.hotspot_cells.size
            return patrol
        visible = sellers_by_cell * self.visibility
        total = visible.sum()
        if total > 0:
            patrol = hours * visible / total
        else:
            patrol[self.hotspot_cells] = hours / self.hotspot_cells.size
        return patrol

    # -- arrests -------------------------------------------------------------------------------
    def seller_risk(self, patrol_by_cell: np.ndarray, sellers_by_cell: np.ndarray, yield_per_hour: float) -> np.ndarray:
        """Daily arrest probability of one seller in each cell: the cell's effort shared out."""
        expected = patrol_by_cell * yield_per_hour * sellers_by_cell / (sellers_by_cell + self.p.sellers_to_find_half)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(sellers_by_cell > 0, expected / sellers_by_cell, 0.0)
        return np.minimum(share, 1.0)

    def arrest_sellers(
        self,
        seller_ids: np.ndarray,
        seller_cells: np.ndarray,
        patrol_by_cell: np.ndarray,
        sellers_by_cell: np.ndarray,
        luck: Luck,
        seller_keys: np.ndarray,
        yield_per_hour: float | None = None,
    ) -> np.ndarray:
        """Ids of the sellers arrested on patrol today (`seller_keys`: each seller's luck key)."""
        rate = self.p.arrests_per_patrol_hour if yield_per_hour is None else yield_per_hour
        risk = self.seller_risk(patrol_by_cell, sellers_by_cell, rate)[seller_cells]
        return seller_ids[luck.uniform(seller_keys, "patrol_arrest") < risk]

    def arrest_in_operations(
        self,
        seller_ids: np.ndarray,
        seller_groups: np.ndarray,
        hours_by_group: np.ndarray,
        luck: Luck,
        seller_keys: np.ndarray,
        effectiveness: float = 1.0,
    ) -> np.ndarray:
        """Ids of sellers arrested in targeted operations: each group's hours shared among its members."""
        if seller_ids.size == 0 or not hours_by_group.any():
            return seller_ids[:0]
        members = np.bincount(seller_groups, minlength=hours_by_group.size).astype(np.float64)
        rate = self.p.arrests_per_operation_hour * effectiveness
        risk = self.seller_risk(hours_by_group, members, rate)[seller_groups]
        return seller_ids[luck.uniform(seller_keys, "operation_arrest") < risk]

    @staticmethod
    def sweep(
        seller_ids: np.ndarray,
        seller_cells: np.ndarray,
        swept_cells: np.ndarray,
        share: float,
        luck: Luck,
        seller_keys: np.ndarray,
    ) -> np.ndarray:
        """Ids of sellers arrested in a one-off hotspot operation: a share of those standing at the
        swept hotspots that day (sellers displaced to side streets are not there to be caught)."""
        there = np.isin(seller_cells, swept_cells)
        return seller_ids[there & (luck.uniform(seller_keys, "hotspot_operation") < share)]

    # -- case work -----------------------------------------------------------------------------
    def open_cases(self, patrol_arrests: int, operation_arrests: int) -> None:
        """Each arrest adds case work that the team owes before new tasking."""
        p = self.p
        self.case_backlog += patrol_arrests * p.case_hours_per_arrest
        self.case_backlog += operation_arrests * p.case_hours_per_operation_arrest

    def work_cases(self, hours: float) -> None:
        """Hours of case work done today come off the backlog."""
        self.case_backlog = max(self.case_backlog - hours, 0.0)
