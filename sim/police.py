"""Enforcement at the market: where patrol goes and how police effort turns into arrests.

The risk each seller faces is police effort shared among the sellers present, not a fixed
probability per seller: a cell's expected arrests are its patrol hours times the arrests an hour
yields when sellers are easy to find, and each of the cell's sellers carries an equal share.
A fixed effort therefore overwhelms a small market and is swamped by a large one (Kleiman's
enforcement swamping; Caulkins' local-market thresholds).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.params import Section, param


class PoliceParams(Section):
    """Police effort at the open market."""

    patrol_hours_per_day: float = param(
        24.0,
        unit="officer-hours/day",
        doc="Officer hours spent each day on patrol and disruption at market locations.",
        plausible=(0.0, 120.0),
        ge=0.0,
    )
    arrests_per_patrol_hour: float = param(
        0.02,
        unit="arrests/officer-hour",
        doc="Seller arrests an hour of patrol yields where sellers are plentiful (includes the "
        "time each arrest takes off the street).",
        source="ADDER areas: about 870 arrests a year each, 2021-24 (MODEL.md); assumption",
        plausible=(0.005, 0.05),
        ge=0.0,
    )
    sellers_to_find_half: float = param(
        3.0,
        unit="sellers",
        doc="Sellers in a cell at which the yield per hour is half its maximum: with fewer, "
        "officers spend more of their time finding someone to arrest.",
        plausible=(1.0, 10.0),
        gt=0.0,
    )
    targeting: Literal["visible_sellers", "hotspots"] = param(
        "visible_sellers",
        unit="choice",
        doc="Where patrol goes: in proportion to visible sellers (follows displacement it can "
        "see), or evenly across the known hotspots.",
    )


class Enforcement:
    """Deploys patrol across the town and arrests sellers it meets."""

    def __init__(self, params: PoliceParams, hotspot_cells: np.ndarray, visibility: np.ndarray) -> None:
        self.p = params
        self.hotspot_cells = hotspot_cells
        self.visibility = visibility

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
        rng: np.random.Generator,
        yield_per_hour: float | None = None,
    ) -> np.ndarray:
        """Ids of the sellers arrested today."""
        rate = self.p.arrests_per_patrol_hour if yield_per_hour is None else yield_per_hour
        risk = self.seller_risk(patrol_by_cell, sellers_by_cell, rate)[seller_cells]
        return seller_ids[rng.random(seller_ids.size) < risk]
