"""The town: a grid of cells grouped into neighbourhoods, with the open market's hotspots.

Cells are numbered row by row (`cell = y * width + x`). Deprivation varies by neighbourhood and
concentrates both where people who use drugs live and where street markets set up, as in English
towns where open markets cluster in a few deprived central streets.
"""

from __future__ import annotations

import numpy as np

from sim.model.params import Section, param


class TownParams(Section):
    """Size and layout of the town."""

    width: int = param(20, unit="cells", doc="Grid width; a cell is about 250 m across.", ge=4, le=64)
    height: int = param(20, unit="cells", doc="Grid height.", ge=4, le=64)
    population_15_64: int = param(
        90_000,
        unit="people",
        doc="Residents aged 15 to 64: the denominator for prevalence per 1,000.",
        source="Blackpool about 87,000 aged 15 to 64 (Hay et al. 2019)",
        plausible=(40_000, 300_000),
        ge=1_000,
        le=10_000_000,
    )
    neighbourhood_size: int = param(5, unit="cells", doc="Side of a square neighbourhood block.", ge=1, le=50)
    hotspots: int = param(
        6,
        unit="cells",
        doc="Number of known open-market locations (hotspots).",
        plausible=(2, 12),
        ge=1,
        le=100,
    )
    deprivation_concentration: float = param(
        1.5,
        unit="exponent",
        doc="How strongly residence of people who use drugs follows neighbourhood deprivation (0 = spread evenly).",
        plausible=(0.0, 3.0),
        ge=0.0,
        le=10.0,
    )
    travel_scale: float = param(
        3.0,
        unit="cells",
        doc="Distance over which a buyer's willingness to travel to a market falls by a factor e.",
        plausible=(1.0, 6.0),
        gt=0.0,
    )
    non_hotspot_visibility: float = param(
        0.35,
        unit="fraction",
        doc="How findable a seller is away from a known hotspot, relative to at one (1 = same).",
        plausible=(0.1, 0.8),
        ge=0.0,
        le=1.0,
    )


#: Market zones of a cell (`Town.market_zone`), so outputs can show displacement and diffusion.
AT_HOTSPOT, NEXT_TO_HOTSPOT, ELSEWHERE = 0, 1, 2


class Town:
    """Static geography, built once per run from the scenario and the run's random stream."""

    def __init__(self, params: TownParams, rng: np.random.Generator) -> None:
        self.width = params.width
        self.height = params.height
        self.n_cells = params.width * params.height
        self.population_15_64 = params.population_15_64
        ys, xs = np.divmod(np.arange(self.n_cells), params.width)
        self.x, self.y = xs, ys

        block = params.neighbourhood_size
        blocks_x = -(-params.width // block)
        self.neighbourhood = (ys // block) * blocks_x + (xs // block)
        n_neighbourhoods = int(self.neighbourhood.max()) + 1
        # Deprivation: a random score per neighbourhood, raised towards the centre, where
        # English towns' open markets usually sit.
        centre_x, centre_y = (params.width - 1) / 2, (params.height - 1) / 2
        block_cx = np.bincount(self.neighbourhood, weights=xs) / np.bincount(self.neighbourhood)
        block_cy = np.bincount(self.neighbourhood, weights=ys) / np.bincount(self.neighbourhood)
        radius = np.hypot(block_cx - centre_x, block_cy - centre_y)
        centrality = 1.0 - radius / max(radius.max(), 1e-9)
        self.deprivation = 0.5 * rng.random(n_neighbourhoods) + 0.5 * centrality
        cell_deprivation = self.deprivation[self.neighbourhood]

        weight = (0.05 + cell_deprivation) ** params.deprivation_concentration
        self.residence_weight = weight / weight.sum()

        n_hot = min(params.hotspots, self.n_cells)
        hot_weight = (0.05 + cell_deprivation) ** 3
        self.hotspot_cells = np.sort(
            rng.choice(self.n_cells, size=n_hot, replace=False, p=hot_weight / hot_weight.sum())
        )
        self.is_hotspot = np.zeros(self.n_cells, dtype=bool)
        self.is_hotspot[self.hotspot_cells] = True
        self.visibility = np.where(self.is_hotspot, 1.0, params.non_hotspot_visibility)

        dx = xs[:, None] - xs[None, :]
        dy = ys[:, None] - ys[None, :]
        self.distance = np.hypot(dx, dy).astype(np.float32)
        #: reach[a, b]: how readily someone at cell a goes to cell b (1 at home, decaying).
        self.reach = np.exp(-self.distance / params.travel_scale).astype(np.float32)
        #: Each cell's place in the market: at a hotspot, next to one (where displaced sellers go), or elsewhere.
        near_market = (self.distance[:, self.hotspot_cells] < 1.5).any(axis=1)
        self.market_zone = np.where(self.is_hotspot, AT_HOTSPOT, np.where(near_market, NEXT_TO_HOTSPOT, ELSEWHERE))

    def service_sites(self) -> tuple[int, int]:
        """Where the map draws the treatment service and the custody suite: (treatment cell, custody cell).

        The model gives neither a location (people reach them whatever the distance), so this is a
        drawing convention, an assumption: the community treatment service sits in the most deprived
        neighbourhood, where most of its clients live, and the custody suite (the police station) in
        the town centre; neither on nor next to a market hotspot, and a few streets apart (so their symbols
        do not overlap). Read-only and without random draws, so runs are unchanged.
        """
        centre = np.hypot(self.x - (self.width - 1) / 2, self.y - (self.height - 1) / 2)
        # Off the market: not on a hotspot nor next to one, where sellers stand (if the town has room).
        near_market = self.market_zone != ELSEWHERE
        free = ~near_market if (~near_market).any() else ~self.is_hotspot
        need = self.deprivation[self.neighbourhood]
        # Most deprived first, then nearest the centre; lexsort sorts by its last key first.
        treatment = int(np.lexsort((centre, -need, ~free))[0])
        apart = free & (self.distance[treatment] >= 3)
        free = apart if apart.any() else free & (np.arange(self.n_cells) != treatment)
        custody = int(np.lexsort((centre, ~free))[0])
        return treatment, custody

    def place_residents(self, uniforms: np.ndarray) -> np.ndarray:
        """Home cells for new residents who use drugs, weighted by deprivation, one per uniform
        number (each resident's own luck, so a resident's home does not depend on who else came)."""
        cumulative = np.cumsum(self.residence_weight)
        cells = np.searchsorted(cumulative, np.asarray(uniforms) * cumulative[-1], side="right")
        return np.minimum(cells, self.n_cells - 1).astype(np.int32)

    def neighbour_cell(self, cells: np.ndarray, step: np.ndarray) -> np.ndarray:
        """An adjacent cell (8-neighbourhood, clipped at the town edge) for each cell.

        `step` (2 x cells, each -1, 0 or 1) is the move in x and y, drawn by the caller; no move
        at all becomes a step east.
        """
        step = step.copy()
        still = (step[0] == 0) & (step[1] == 0)
        step[0, still] = 1
        nx = np.clip(self.x[cells] + step[0], 0, self.width - 1)
        ny = np.clip(self.y[cells] + step[1], 0, self.height - 1)
        return (ny * self.width + nx).astype(np.int32)
