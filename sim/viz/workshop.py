"""The model as the workshop page runs it: a named scenario, the page's levers, and a day-by-day view.

The page rebuilds a model on Reset by calling this class with its inputs as keyword arguments.
`WorkshopModel` takes exactly those (a scenario name, a seed, one keyword per lever),
builds the `Scenario`, and runs the same `DrugMarketModel` as `drugmarket run`: with the same
scenario and seed the page shows, day for day, the run the command line would produce.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from sim.model.model import DrugMarketModel
from sim.model.police import Deployment
from sim.planner.scenario import Scenario, ScenarioError, load_scenario
from sim.viz.launch import SCENARIO_ENV
from sim.viz.levers import LEVERS, SCENARIO_DIR, put_in_force, seed_from_text

#: The name shown when no scenario file is available (an installed package without scenarios/).
DEFAULTS = "built-in defaults"


def scenario_library(directory: Path = SCENARIO_DIR, launched: str | None = None) -> dict[str, Path | None]:
    """The scenarios a trainer can pick, by file name without `.yaml`: the launched file, the baseline,
    then the rest in alphabetical order.

    Files that do not load are left out (`drugmarket validate` explains why); with no files at
    all, the schema defaults are offered.
    """
    launched = launched if launched is not None else os.environ.get(SCENARIO_ENV)
    found: dict[str, Path | None] = {}
    candidates = [Path(launched).resolve()] if launched else []
    # The baseline first (every other scenario is compared with it), then the rest by name.
    candidates += sorted(directory.glob("*.yaml"), key=lambda path: (path.stem != "baseline", path.stem))
    for path in candidates:
        if path.stem in found:
            continue
        try:
            load_scenario(path)
        except ScenarioError:
            if launched and path == candidates[0]:
                raise  # the file the trainer asked for must load, or they should hear why
            continue
        found[path.stem] = path
    if not found:
        found[DEFAULTS] = None
    return found


def starting_name(library: dict[str, Path | None]) -> str:
    """The scenario the page opens with: the launched file, else the baseline, else the first."""
    if os.environ.get(SCENARIO_ENV):
        return next(iter(library))
    return "baseline" if "baseline" in library else next(iter(library))


def load_named(name: str, library: dict[str, Path | None] | None = None) -> Scenario:
    """The scenario a name in the library stands for."""
    library = scenario_library() if library is None else library
    if name not in library:
        raise ValueError(f"no scenario named {name!r}; known: {', '.join(library)}")
    path = library[name]
    return Scenario() if path is None else load_scenario(path)


class WorkshopModel(DrugMarketModel):
    """The town for one browser session, built from a named scenario and the page's levers.

    Args:
        scenario_name: a scenario in the library (a file in scenarios/ without `.yaml`).
        rng: the random seed as typed on the page (a whole number, or any text); default: the
            scenario's master seed, so the first run matches `drugmarket run` with one replicate.
        patrol_hours ... years: the levers in `sim.viz.levers.LEVERS`; None keeps the scenario's value.
            Funded posts (`team_posts`, `keyworkers`) moved from the file's value are funded on
            day 0 and filled after the hiring delay (see `Lever.funded`).
    """

    def __init__(
        self,
        scenario_name: str = "baseline",
        rng: int | str | None = None,
        *,
        patrol_hours: float | None = None,
        targeting: str | None = None,
        team_posts: int | None = None,
        deterrence: bool | None = None,
        replacement: float | None = None,
        displacement: float | None = None,
        naloxone_coverage: float | None = None,
        keyworkers: int | None = None,
        qualified_staff: int | None = None,
        diversion: float | None = None,
        continuity_of_care: float | None = None,
        years: float | None = None,
    ) -> None:
        levers = {
            "patrol_hours": patrol_hours,
            "targeting": targeting,
            "team_posts": team_posts,
            "deterrence": deterrence,
            "replacement": replacement,
            "displacement": displacement,
            "naloxone_coverage": naloxone_coverage,
            "keyworkers": keyworkers,
            "qualified_staff": qualified_staff,
            "diversion": diversion,
            "continuity_of_care": continuity_of_care,
            "years": years,
        }
        scenario = with_levers(load_named(scenario_name), levers)
        self.scenario_name = scenario_name
        self.seed = seed_from_text(rng, scenario.seed)
        super().__init__(scenario, rng=np.random.SeedSequence(self.seed))
        #: Officer hours of patrol in each cell today (what the map draws in blue).
        self.patrol = np.zeros(self.town.n_cells)

    def police_deploy(self, day: int) -> Deployment:
        """As the model's, remembering where patrol went for the map (no extra random draws)."""
        deployment = super().police_deploy(day)
        self.patrol = deployment.patrol_by_cell
        return deployment

    def step(self) -> None:
        """One day; the run stops at the scenario's horizon (the Play button then greys out).

        Mesa's Step button runs a whole render interval (a week) without checking `running` in
        between, so days asked for past the horizon are ignored rather than recorded.
        """
        if self.record.days_recorded >= self.n_days:
            self.running = False
            return
        super().step()
        self.running = self.record.days_recorded < self.n_days


def with_levers(scenario: Scenario, levers: dict[str, Any]) -> Scenario:
    """The scenario with the page's lever values put in (None keeps the file's value)."""
    unknown = set(levers) - set(LEVERS)
    if unknown:
        raise ValueError(f"unknown levers: {', '.join(sorted(unknown))}")
    for key, value in levers.items():
        if value is not None:
            put_in_force(scenario, key, value)
    return scenario
