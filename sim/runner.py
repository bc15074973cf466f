"""Running the model: one run, its seed, and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.model import DrugMarketModel
from sim.outcomes import summarise, yearly
from sim.scenario import Scenario


@dataclass
class RunResult:
    """Everything one run produced.

    `daily` has one row per day (columns documented in docs/outputs.md), `events` is the event
    log (day, event, agent, id, cell, value), `summary` maps outcome names to whole-run values.
    """

    scenario: str
    seed: int
    daily: pd.DataFrame
    events: pd.DataFrame
    summary: dict[str, float] = field(default_factory=dict)

    @property
    def yearly(self) -> pd.DataFrame:
        """Flows summed and stocks averaged over each year of the run."""
        return yearly(self.daily)


def run(scenario: Scenario | None = None, seed: int | None = None) -> RunResult:
    """Run one scenario once with the given seed (default: the scenario's master seed)."""
    scenario = scenario or Scenario()
    seed = scenario.seed if seed is None else int(seed)
    model = DrugMarketModel(scenario, rng=np.random.SeedSequence(seed))
    model.run()
    daily = model.record.frame(scenario.start_date)
    return RunResult(
        scenario=scenario.name,
        seed=seed,
        daily=daily,
        events=model.log.frame(),
        summary=summarise(daily),
    )
