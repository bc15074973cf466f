"""A cost-effectiveness frontier across lever mixes: multi-objective search with NSGA-II (pymoo).

Planners ask "for what we spend, which mix of posts and hours saves the most lives?". The answer
is a frontier: the lever mixes that no other mix beats on every objective at once (fewer deaths
*and* lower cost). NSGA-II (Deb et al. 2002, as implemented by pymoo, Blank and Deb 2020)
searches the lever ranges for it. Each candidate's objectives are the mean over the same
replicate seeds (common random numbers), so candidates are compared on the same luck; every run
goes through the shared experiment machinery and the run store, so a rerun resumes and reuses
(the search is seeded, so it asks for the same candidates again). The frontier reported is the
non-dominated set among *every* candidate evaluated, not only the last generation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.planner.files import write_atomically, write_csv
from sim.planner.levers import resolve_lever
from sim.planner.scenario import Scenario, ScenarioError
from sim.planner.settings import read_settings
from sim.planner.store import Store
from sim.research.experiment import (
    Factor,
    Model,
    Range,
    ScenarioModel,
    base_scenario,
    check_outcomes,
    lever_factors,
    run_design,
    time_needed,
)

Sense = Literal["minimise", "maximise"]


class FrontierSpec(BaseModel):
    """A frontier search, as read from `experiments/*.yaml` with `objectives:`."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    scenario: str = Field(description="Base scenario file, relative to this file (the baseline mix).")
    levers: dict[str, Range | None] = Field(min_length=1, description="Levers searched over (default: plausible).")
    objectives: dict[str, Sense] = Field(min_length=2, max_length=3, description="Run-summary outcomes.")
    replicates: int = Field(2, ge=1, le=100, description="Runs per candidate (common seeds), averaged.")
    population: int = Field(12, ge=4, le=1000, description="NSGA-II population (candidates per generation).")
    generations: int = Field(5, ge=1, le=1000, description="NSGA-II generations (the first is random).")
    years: float | None = Field(None, gt=0, le=30)
    seed: int = Field(1, ge=0, description="Seed of the search (the runs' seeds come from the scenario).")

    @model_validator(mode="after")
    def _population_even(self) -> FrontierSpec:
        if self.population % 2:
            raise ValueError(f"population must be even (NSGA-II mates in pairs), found {self.population}")
        return self


def load_frontier(path: str | Path) -> tuple[FrontierSpec, Scenario, list[Factor]]:
    """Read a frontier file, its base scenario and its levers as factors (every problem at once)."""
    path = Path(path).resolve()
    spec, lines = read_settings(path, FrontierSpec)
    base = base_scenario(path, spec.scenario, spec.years)
    try:
        factors = lever_factors(path, {("parameters", k): v for (_, k), v in _keys(lines, "levers")}, spec.levers)
    except ScenarioError as err:  # the engine calls them parameters; this file calls them levers
        raise ScenarioError([p.replace(": parameters.", ": levers.", 1) for p in err.problems]) from None
    try:
        check_outcomes(path, {("outcomes",): lines.get(("objectives",), 1)}, list(spec.objectives), 1)
    except ScenarioError as err:
        raise ScenarioError([p.replace(": outcomes[", ": objectives[", 1) for p in err.problems]) from None
    return spec, base, factors


def _keys(lines: dict, section: str) -> list[tuple[tuple[str, str], int]]:
    return [((section, key[1]), line) for key, line in lines.items() if len(key) == 2 and key[0] == section]


def dominated(values: np.ndarray) -> np.ndarray:
    """For each row (objectives to minimise), whether some other row is at least as good on every
    objective and better on one. Pareto dominance, spelt out so the frontier can be checked."""
    values = np.asarray(values, dtype=float)
    not_worse = (values[None, :, :] <= values[:, None, :]).all(axis=2)  # [i, j]: j no worse than i
    better = (values[None, :, :] < values[:, None, :]).any(axis=2)
    return (not_worse & better).any(axis=1)


@dataclass
class Search:
    """NSGA-II over the levers; `model_for(generation)` gives the model that runs a generation."""

    model_for: Callable[[str], Model]
    factors: list[Factor]
    objectives: dict[str, Sense]
    replicates: int
    progress: bool | None = None
    candidates: list[dict[str, Any]] = field(default_factory=list)
    _seen: dict[tuple[float, ...], dict[str, Any]] = field(default_factory=dict)

    def evaluate(self, points: np.ndarray, label: str, generation: int) -> np.ndarray:
        """Objectives (signed to minimise) of each point; runs only mixes not yet evaluated."""
        keys = [tuple(float(v) for v in row) for row in points]
        new = list(dict.fromkeys(k for k in keys if k not in self._seen))
        if new:
            model = self.model_for(label)
            outputs = run_design(model, np.array(new), self.replicates, self.progress)
            grouped = outputs.groupby("point", sort=True)
            means, errors = grouped[list(self.objectives)].mean(), grouped[list(self.objectives)].sem()
            run = grouped[[f.name for f in self.factors]].first()
            for index, key in enumerate(new):
                row = {"generation": generation, **run.iloc[index].to_dict(), **means.iloc[index].to_dict()}
                row.update({f"{k}_se": errors.iloc[index][k] for k in self.objectives})
                row["candidate"] = len(self.candidates)
                self._seen[key] = row
                self.candidates.append(row)
        signs = np.array([1.0 if s == "minimise" else -1.0 for s in self.objectives.values()])
        return np.array([[self._seen[k][o] for o in self.objectives] for k in keys]) * signs

    def table(self) -> pd.DataFrame:
        """Every candidate evaluated, with `on_frontier` (non-dominated among all of them)."""
        table = pd.DataFrame(self.candidates)
        columns = ["candidate", "generation", *(f.name for f in self.factors), *self.objectives]
        table = table[columns + [f"{k}_se" for k in self.objectives]]
        signs = np.array([1.0 if s == "minimise" else -1.0 for s in self.objectives.values()])
        values = table[list(self.objectives)].to_numpy(dtype=float) * signs
        table["on_frontier"] = ~dominated(values) & np.isfinite(values).all(axis=1)
        return table


def nsga2(
    search: Search,
    population: int,
    generations: int,
    seed: int,
    baseline: np.ndarray | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Run NSGA-II for `generations` generations; returns every candidate (see `Search.table`)."""
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem
    from pymoo.core.repair import Repair
    from pymoo.optimize import minimize
    from tqdm import tqdm

    factors = search.factors
    whole = [i for i, f in enumerate(factors) if f.integer]

    class WholeLevers(Repair):
        """Posts and other whole-number levers are searched as whole numbers."""

        def _do(self, problem, X, **kwargs):  # type: ignore[no-untyped-def]  # noqa: N803 (pymoo's name)
            X[:, whole] = np.round(X[:, whole])
            return X

    bar = tqdm(
        total=generations,
        desc="generations",
        unit="gen",
        disable=None if progress is None else not progress,
        leave=False,
    )

    class LeverMix(Problem):
        def __init__(self) -> None:
            super().__init__(
                n_var=len(factors),
                n_obj=len(search.objectives),
                xl=np.array([f.low for f in factors]),
                xu=np.array([f.high for f in factors]),
            )
            self.generation = 0

        def _evaluate(self, x, out, *args, **kwargs):  # type: ignore[no-untyped-def]
            self.generation += 1
            out["F"] = search.evaluate(x, f"g{self.generation:02d}", self.generation)
            bar.update(1)

    if baseline is not None:
        search.evaluate(np.atleast_2d(baseline), "baseline", 0)
    algorithm = NSGA2(pop_size=population, repair=WholeLevers(), eliminate_duplicates=True)
    try:
        minimize(LeverMix(), algorithm, ("n_gen", generations), seed=seed, verbose=False)
    finally:
        bar.close()
    return search.table()


@dataclass
class FrontierResult:
    spec: FrontierSpec
    factors: list[Factor]
    candidates: pd.DataFrame
    runs: int

    @property
    def frontier(self) -> pd.DataFrame:
        first = next(iter(self.spec.objectives))
        return self.candidates[self.candidates["on_frontier"]].sort_values(first).drop(columns="on_frontier")

    def notes(self) -> list[str]:
        spec = self.spec
        goals = ", ".join(f"{s} {k}" for k, s in spec.objectives.items())
        return [
            f"question: which lever mixes {goals}",
            f"search: NSGA-II (pymoo), population {spec.population}, {spec.generations} generation(s), "
            f"seed {spec.seed}; levers {', '.join(f'{f.name} {f.low:g}-{f.high:g}' for f in self.factors)}",
            f"runs: {len(self.candidates)} distinct mixes (the baseline among them) x {spec.replicates} "
            f"replicate(s) = {self.runs} runs, {spec.years or 'scenario'} years each",
            f"noise handling: each mix's objectives are the mean of {spec.replicates} replicate(s) with the same "
            "seeds for every mix (common random numbers); *_se columns are their standard errors",
            f"frontier: {int(self.candidates['on_frontier'].sum())} mixes that no other evaluated mix beats on "
            "every objective (Pareto non-dominated among all candidates)",
        ]

    def write(self, out: Path) -> None:
        from sim.research.frontier_plot import plot_frontier

        write_csv(self.frontier, out / "frontier.csv", index=False)
        write_csv(self.candidates, out / "all-candidates.csv", index=False)
        plot_frontier(self, out / "frontier.png")
        write_atomically(out / "notes.txt", "\n".join(self.notes()) + "\n")
        write_atomically(out / "frontier.json", json.dumps(self.spec.model_dump(mode="json"), indent=2))


def baseline_point(base: Scenario, factors: list[Factor]) -> np.ndarray:
    """The base scenario's own lever values: the mix the frontier is read against."""
    return np.array([float(getattr(*resolve_lever(base, f.name))) for f in factors])


def frontier(
    path: str | Path, out: Path, executor_options: dict[str, Any], progress: bool | None = None
) -> FrontierResult:
    """Search (or resume) the frontier of a file and write its tables, plot and notes into `out`."""
    spec, base, factors = load_frontier(path)
    store = Store(out / "runs")

    def model_for(label: str) -> Model:
        return ScenarioModel(base, factors, list(spec.objectives), store, f"{spec.name}-{label}", executor_options)

    search = Search(model_for, factors, spec.objectives, spec.replicates, progress)
    table = nsga2(search, spec.population, spec.generations, spec.seed, baseline_point(base, factors), progress)
    result = FrontierResult(spec, factors, table, len(table) * spec.replicates)
    out.mkdir(parents=True, exist_ok=True)
    result.write(out)
    return result


def dry_run(path: str | Path, out: Path) -> str:
    """How many runs a frontier search needs at most and roughly how long, without running any."""

    spec, base, factors = load_frontier(path)
    runs = (spec.population * spec.generations + 1) * spec.replicates
    return (
        f"{spec.name}: NSGA-II, {spec.population} mixes x {spec.generations} generation(s) + the baseline, "
        f"x {spec.replicates} replicate(s) over {len(factors)} levers = at most {runs} runs "
        "(a mix met again is not rerun)\n" + time_needed(runs, Store(out / "runs"), base)
    )
