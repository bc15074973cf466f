"""`compare --posterior FILE`: planners' comparisons that carry parameter uncertainty too.

A calibration's `posterior.csv` holds weighted parameter sets. Pair r of a comparison runs every
scenario with draw r of the posterior (resampled by weight, fixed seed) and replicate stream r:
within a pair only the policy differs (common random numbers and common parameters), across
pairs both chance and the parameters vary, so the interval on "deaths averted" includes what we
do not know about the parameters as well as luck.

The runner and the report stay as they are: `PosteriorStore` files run r of a scenario under the
scenario with draw r applied (its own content hash, so never confused with a plain run), and
`run_drawn` runs that drawn scenario on the worker.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from sim.planner.files import write_csv
from sim.planner.levers import parameter
from sim.planner.runner import execute
from sim.planner.scenario import Scenario, ScenarioError
from sim.planner.settings import read_text
from sim.planner.store import RunOutcome, Store
from sim.research.abc import Posterior
from sim.research.experiment import Factor, with_values


@dataclass(frozen=True)
class PosteriorDraws:
    """One parameter set per replicate, drawn from a posterior by weight."""

    source: Path
    table: pd.DataFrame  # one row per replicate, one column per lever

    def scenario(self, scenario: Scenario, replicate: int) -> Scenario:
        """The scenario with draw `replicate` applied (applying it twice changes nothing)."""
        values = self.table.iloc[replicate % len(self.table)].to_dict()
        return with_values(scenario, scenario.name, {k: float(v) for k, v in values.items()})

    def write(self, out: Path) -> None:
        """The draws each pair ran (replicate r: draw r), beside the comparison's tables."""
        write_csv(self.table.rename_axis("replicate").reset_index(), out / "posterior-draws.csv", index=False)


def read_draws(path: str | Path, replicates: int, seed: int) -> PosteriorDraws:
    """Read a posterior (columns: lever paths and `weight`) and draw one parameter set per replicate."""
    path = Path(path)
    try:
        particles = pd.read_csv(io.StringIO(read_text(path)))
    except (OSError, pd.errors.ParserError) as err:
        raise ScenarioError([f"{path}: cannot read the posterior: {err}"]) from None
    levers = [c for c in particles.columns if c != "weight"]
    problems = [] if "weight" in particles.columns else [f"{path}: no `weight` column (a posterior.csv has one)"]
    factors = []
    for lever in levers:
        try:
            facts = parameter(lever)
        except ValueError as err:
            problems.append(f"{path}: column {lever!r}: {err}")
            continue
        values = pd.to_numeric(particles[lever], errors="coerce")
        if facts.choices is not None or values.isna().any() or not all(facts.admits(v) for v in values):
            problems.append(f"{path}: column {lever!r}: values must be numbers from {facts.lower:g} to {facts.upper:g}")
            continue
        factors.append(Factor(lever, float(values.min()), float(values.max()), facts.integer))
    if "weight" in particles.columns and not (pd.to_numeric(particles["weight"], errors="coerce") >= 0).all():
        problems.append(f"{path}: weights must be numbers of 0 or more")
    if not levers or particles.empty:
        problems.append(f"{path}: no parameters or no particles")
    if problems:
        raise ScenarioError(problems)
    posterior = Posterior(factors, particles, [0.0], len(particles))
    return PosteriorDraws(path, posterior.draws(replicates, seed))


class PosteriorStore(Store):
    """The run store, with run r of every scenario filed under that scenario with draw r applied."""

    def __init__(self, root: str | Path, draws: PosteriorDraws) -> None:
        super().__init__(root)
        self.draws = draws

    def run_folder(self, scenario: Scenario, replicate: int) -> Path:
        return super().run_folder(self.draws.scenario(scenario, replicate), replicate)

    def failure_file(self, scenario: Scenario, replicate: int) -> Path:
        return super().failure_file(self.draws.scenario(scenario, replicate), replicate)

    def save(self, scenario: Scenario, outcome: RunOutcome) -> Path:
        drawn = self.draws.scenario(scenario, outcome.replicate)
        self.prepare(drawn)
        return super().save(drawn, outcome)


def run_drawn(draws: PosteriorDraws, scenario: Scenario, replicate: int) -> RunOutcome:
    """The worker's task: run replicate r of the scenario with posterior draw r."""
    return execute(draws.scenario(scenario, replicate), replicate)


def posterior_runs(root: str | Path, path: str | Path, replicates: int, seed: int) -> tuple[PosteriorStore, partial]:
    """The store and the task a comparison over posterior draws uses."""
    draws = read_draws(path, replicates, seed)
    return PosteriorStore(root, draws), partial(run_drawn, draws)


def describe(draws: PosteriorDraws) -> str:
    spread = ", ".join(
        f"{c} {np.quantile(draws.table[c], 0.05):.3g} to {np.quantile(draws.table[c], 0.95):.3g}" for c in draws.table
    )
    return (
        f"Parameter uncertainty: pair r runs posterior draw r of {draws.source} ({len(draws.table)} draws; "
        f"5-95% of the draws: {spread}), so the intervals include parameter uncertainty as well as chance."
    )
