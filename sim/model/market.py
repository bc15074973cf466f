"""The open market: how buyers find sellers, how long it takes, and the purity of supply.

Search time is the classic measure of market access (Moore; Kleiman). Here it falls as more
sellers work within reach of a buyer's home, weighted by how findable each location is (a known
hotspot or a side street), and rises with police presence nearby, which makes buyers and sellers
wary. A buyer gives up when the search would take too long, so a thin or heavily policed market
loses its marginal (mostly occasional) buyers first.
"""

from __future__ import annotations

import numpy as np

from sim.model.params import param
from sim.model.price import PriceParams


class MarketParams(PriceParams):
    """Market access, prices and purity (the price and demand's answer to it: `PriceParams`)."""

    base_search_time: float = param(
        0.4, unit="hours", doc="Search time when sellers are plentiful close by.", plausible=(0.1, 1.0), gt=0.0
    )
    access_half: float = param(
        4.0,
        unit="sellers within reach",
        doc="Nearby seller presence at which the search takes twice the base time.",
        plausible=(1.0, 10.0),
        gt=0.0,
    )
    police_wariness: float = param(
        0.08,
        unit="1/officer-hour",
        doc="Extra search time per officer-hour of patrol within reach, as a fraction of the search time.",
        plausible=(0.0, 0.3),
        ge=0.0,
    )
    seller_share: float = param(
        0.12,
        unit="fraction",
        doc="Share of sales revenue a street seller keeps; the rest goes up the line.",
        source="street sellers earn little, the money is at the top (Levitt and Venkatesh 2000)",
        plausible=(0.05, 0.25),
        ge=0.0,
        le=1.0,
    )
    purity_mean: float = param(
        0.35,
        unit="fraction",
        doc="Long-run average street purity of heroin.",
        source="street purity swings from about 18% to about 40%, up to 60% (Ahmad and Richardson 2016)",
        plausible=(0.2, 0.5),
        gt=0.0,
        le=1.0,
    )
    purity_volatility: float = param(
        0.04,
        unit="1/sqrt(day)",
        doc="Daily volatility of log purity (a mean-reverting random walk).",
        plausible=(0.0, 0.1),
        ge=0.0,
    )
    purity_reversion_days: float = param(
        90.0, unit="days", doc="Time scale on which purity returns to its average.", plausible=(30.0, 365.0), gt=0.0
    )
    purity_min: float = param(0.15, unit="fraction", doc="Lowest purity reached.", ge=0.0, le=1.0)
    purity_max: float = param(
        0.6,
        unit="fraction",
        doc="Highest purity reached.",
        source="up to 60% (Ahmad and Richardson 2016)",
        ge=0.0,
        le=1.0,
    )


class Market:
    """Matches buyers to sellers each day and carries the purity of supply."""

    def __init__(self, params: MarketParams, reach: np.ndarray, visibility: np.ndarray) -> None:
        self.p = params
        self.reach = reach
        self.visibility = visibility
        self.log_purity = np.log(params.purity_mean)

    @property
    def purity(self) -> float:
        return float(np.exp(self.log_purity))

    def drift_purity(self, rng: np.random.Generator) -> float:
        """Move purity one day along a mean-reverting random walk; returns purity / average."""
        p = self.p
        target = np.log(p.purity_mean)
        self.log_purity += (target - self.log_purity) / p.purity_reversion_days
        self.log_purity += p.purity_volatility * rng.standard_normal()
        self.log_purity = float(np.clip(self.log_purity, np.log(max(p.purity_min, 1e-3)), np.log(p.purity_max)))
        return self.purity / p.purity_mean

    def search_times(self, sellers_by_cell: np.ndarray, patrol_by_cell: np.ndarray) -> np.ndarray:
        """Expected search time (hours) for a buyer living in each cell."""
        occupied = np.flatnonzero(sellers_by_cell)
        patrolled = np.flatnonzero(patrol_by_cell)
        findable = (sellers_by_cell[occupied] * self.visibility[occupied]).astype(self.reach.dtype)
        access = self.reach[:, occupied] @ findable
        presence = self.reach[:, patrolled] @ patrol_by_cell[patrolled].astype(self.reach.dtype)
        with np.errstate(divide="ignore"):
            scarcity = np.where(access > 0, self.p.access_half / access, np.inf)
        return self.p.base_search_time * (1.0 + scarcity) * (1.0 + self.p.police_wariness * presence)

    def trade(
        self,
        buyer_homes: np.ndarray,
        patience: np.ndarray,
        seller_cells: np.ndarray,
        patrol_by_cell: np.ndarray,
        luck: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each buyer searches; those who find a seller in time buy from one.

        Returns (bought mask over buyers, index into `seller_cells` of the seller each
        successful buyer bought from, search time of each buyer). Buyers pick a location in
        proportion to how reachable and busy it is, then a seller there at random. `luck` holds
        each buyer's own three uniform numbers (rows: buys or not, location, seller there).
        """
        n_cells = self.reach.shape[0]
        sellers_in_cell = np.bincount(seller_cells, minlength=n_cells)
        search = self.search_times(sellers_in_cell.astype(np.float64), patrol_by_cell)[buyer_homes]
        with np.errstate(divide="ignore"):
            chance = -np.expm1(-patience / search)
        bought = luck[0] < chance
        if seller_cells.size == 0 or not bought.any():
            return np.zeros(buyer_homes.size, dtype=bool), np.empty(0, dtype=np.int64), search

        # Sellers sorted by cell: each active cell's sellers sit together, from `first` on.
        order = np.argsort(seller_cells, kind="stable")
        active_cells = np.flatnonzero(sellers_in_cell)
        per_cell = sellers_in_cell[active_cells]
        first = np.cumsum(per_cell) - per_cell
        # Choice probabilities depend only on the home cell: build one cumulative row per home
        # cell in use, then draw every buyer's location with a single sorted search.
        buyer_cells = buyer_homes[bought]
        in_use = np.bincount(buyer_cells, minlength=n_cells) > 0
        homes = np.flatnonzero(in_use)
        row = (np.cumsum(in_use) - 1)[buyer_cells]  # each buyer's home, as a row of `homes`
        # Columns first: gathering a few whole columns, then rows, is far cheaper than np.ix_.
        weight = self.reach[:, active_cells][homes] * (per_cell * self.visibility[active_cells])
        cumulative = np.cumsum(weight, axis=1, dtype=np.float64)
        cumulative /= cumulative[:, -1:]
        cumulative += np.arange(homes.size)[:, None]
        query = row + luck[1][bought]
        ascending = np.argsort(query)  # sorted queries make the search cache-friendly
        position = np.empty(row.size, dtype=np.int64)
        position[ascending] = np.searchsorted(cumulative.ravel(), query[ascending], side="right")
        chosen = np.minimum(position - row * active_cells.size, active_cells.size - 1)
        within = (luck[2][bought] * per_cell[chosen]).astype(np.int64)
        seller = order[first[chosen] + within]
        return bought, seller, search
