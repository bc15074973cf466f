"""`drugmarket discover`: which lever mixes meet a planner's criteria across what we do not know.

A discovery file names a base scenario, the policies (scenario files, each a lever mix; default
the base alone), levers to vary as part of the policy, uncertain parameters, and the criteria
("overdose deaths a year below 8 and cost a year below 6 million"). Every policy runs at the
same Latin hypercube of levers and uncertainties through the shared experiment machinery (saved
in the run store, so a second call with new criteria reruns nothing). The outputs: every
experiment, each policy's share of the space meeting the criteria, PRIM boxes (EMA Workbench) and
feature scores of which inputs drive each outcome, as tables and plots.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.planner.files import write_atomically, write_csv, write_parquet
from sim.planner.scenario import Scenario, ScenarioError
from sim.planner.settings import read_settings
from sim.planner.store import Store
from sim.research.discovery import feature_scores, policies_across_uncertainties, prim_boxes, success_share
from sim.research.experiment import (
    Factor,
    Range,
    ScenarioModel,
    base_scenario,
    check_outcomes,
    lever_factors,
    time_needed,
)


class Criterion(BaseModel):
    """One condition on an outcome (replicates averaged): below and/or above a value."""

    model_config = ConfigDict(extra="forbid")

    below: float | None = None
    above: float | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Criterion:
        if self.below is None and self.above is None:
            raise ValueError("give below, above or both")
        return self

    def text(self, outcome: str) -> str:
        def number(value: float) -> str:
            return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"

        parts = [f"{outcome} < {number(self.below)}" if self.below is not None else ""]
        parts.append(f"{outcome} > {number(self.above)}" if self.above is not None else "")
        return " and ".join(p for p in parts if p)


class Discovery(BaseModel):
    """A scenario-discovery experiment, as read from `experiments/*.yaml` with `criteria:`."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    scenario: str = Field(description="Base scenario file, relative to this file.")
    policies: list[str] = Field(default_factory=list, description="Scenario files (lever mixes); default the base.")
    levers: dict[str, Range | None] = Field(default_factory=dict, description="Policy levers varied over ranges.")
    uncertainties: dict[str, Range | None] = Field(default_factory=dict, description="Uncertain parameters.")
    samples: int = Field(32, ge=4, le=100_000, description="Latin hypercube points (each run by every policy).")
    replicates: int = Field(1, ge=1, le=100, description="Runs per point and policy, averaged.")
    years: float | None = Field(None, gt=0, le=30)
    seed: int = Field(1, ge=0)
    criteria: dict[str, Criterion] = Field(min_length=1, description="Every condition must hold.")
    outcomes: list[str] = Field(default_factory=list, description="More outcomes to score (criteria always are).")
    threshold: float = Field(0.8, gt=0, le=1, description="PRIM: share of a box that must meet the criteria.")
    boxes: int = Field(2, ge=1, le=10, description="PRIM: most boxes to find.")

    @model_validator(mode="after")
    def _something_varies(self) -> Discovery:
        if not self.levers and not self.uncertainties:
            raise ValueError("name some levers or uncertainties to vary")
        return self

    @property
    def outcome_names(self) -> list[str]:
        return list(dict.fromkeys([*self.criteria, *self.outcomes]))

    def question(self) -> str:
        return " and ".join(c.text(k) for k, c in self.criteria.items())


def load_discovery(path: str | Path) -> tuple[Discovery, dict[str, Scenario], list[Factor]]:
    """Read a discovery file, its policies (by name) and its factors (levers, then uncertainties)."""
    path = Path(path).resolve()
    spec, lines = read_settings(path, Discovery)
    files = spec.policies or [spec.scenario]
    policies: dict[str, Scenario] = {}
    for file in files:
        scenario = base_scenario(path, file, spec.years)
        policies[scenario.name if scenario.name not in policies else Path(file).stem] = scenario
    both = {**spec.levers, **spec.uncertainties}
    if len(both) < len(spec.levers) + len(spec.uncertainties):
        raise ScenarioError([f"{path.name}: a parameter is listed both as a lever and as an uncertainty"])
    factors = lever_factors(path, lines, both)
    problems = []
    for key, names in (("criteria", list(spec.criteria)), ("outcomes", spec.outcomes)):
        try:
            check_outcomes(path, {("outcomes",): lines.get((key,), 1)}, names, 1)
        except ScenarioError as err:
            problems += [problem.replace(": outcomes[", f": {key}[") for problem in err.problems]
    if problems:
        raise ScenarioError(problems)
    return spec, policies, factors


@dataclass
class DiscoveryResult:
    spec: Discovery
    factors: list[Factor]
    experiments: pd.DataFrame  # one row per (policy, point), replicates averaged
    met: pd.Series
    shares: pd.Series
    limits: pd.DataFrame
    stats: pd.DataFrame
    scores: pd.DataFrame

    def write(self, out: Path) -> None:
        from sim.research.discovery_plots import plot_boxes, plot_feature_scores

        write_parquet(self.experiments.assign(meets_criteria=self.met), out / "experiments.parquet", index=False)
        write_csv(self.experiments.assign(meets_criteria=self.met), out / "experiments.csv", index=False)
        write_csv(self.shares.rename_axis("policy").reset_index(), out / "policies.csv", index=False)
        write_csv(self.limits, out / "prim-boxes.csv", index=False)
        write_csv(self.stats, out / "prim-stats.csv", index=False)
        write_csv(self.scores.reset_index(), out / "feature-scores.csv", index=False)
        plot_boxes(self, out / "prim-boxes.png")
        plot_feature_scores(self, out / "feature-scores.png")
        write_atomically(out / "notes.txt", "\n".join(self.notes()) + "\n")

    def notes(self) -> list[str]:
        points = self.experiments.groupby("policy", observed=True).size().max()
        return [
            f"question: which inputs keep {self.spec.question()}",
            f"design: {len(self.shares)} policies x {points} Latin hypercube points x {self.spec.replicates} "
            f"replicate(s), {self.spec.years or 'scenario'} years; seed {self.spec.seed}",
            f"noise handling: each point's {self.spec.replicates} replicate(s) averaged before judging the criteria",
            f"{int(self.met.sum())} of {len(self.met)} experiments meet the criteria",
            "PRIM (EMA Workbench): on each peeling trajectory, the box with the most coverage among those at least "
            f"{self.spec.threshold:.0%} dense",
            "feature scores: extra-trees importance (EMA Workbench feature_scoring), each outcome's column sums to 1",
        ]


def _models(spec: Discovery, policies: dict[str, Scenario], factors: list[Factor], out: Path, options: dict) -> dict:
    store = Store(out / "runs")
    return {
        name: ScenarioModel(scenario, factors, spec.outcome_names, store, f"{spec.name}-{name}", options)
        for name, scenario in policies.items()
    }


def discover(
    path: str | Path, out: Path, executor_options: dict[str, Any], progress: bool | None = None
) -> DiscoveryResult:
    """Run (or resume) the experiments, judge the criteria, find PRIM boxes and score features."""
    spec, policies, factors = load_discovery(path)
    models = _models(spec, policies, factors, out, executor_options)
    experiments = policies_across_uncertainties(models, factors, spec.samples, spec.replicates, spec.seed, progress)
    met = pd.Series(True, index=experiments.index)
    for outcome, criterion in spec.criteria.items():
        if criterion.below is not None:
            met &= experiments[outcome] < criterion.below
        if criterion.above is not None:
            met &= experiments[outcome] > criterion.above
    shares = success_share(experiments, lambda _: met)
    if met.any():
        limits, stats = prim_boxes(experiments, factors, met, spec.threshold, spec.boxes)
    else:
        limits, stats = pd.DataFrame(), pd.DataFrame()
    scores = feature_scores(experiments, factors, spec.outcome_names, spec.seed)
    result = DiscoveryResult(spec, factors, experiments, met, shares, limits, stats, scores)
    out.mkdir(parents=True, exist_ok=True)
    result.write(out)
    write_atomically(out / "discovery.json", json.dumps(spec.model_dump(mode="json"), indent=2))
    return result


def dry_run(path: str | Path, out: Path) -> str:
    """How many runs a discovery needs and roughly how long, without running any."""
    spec, policies, factors = load_discovery(path)
    runs = len(policies) * spec.samples * spec.replicates
    return (
        f"{spec.name}: {len(policies)} policies x {spec.samples} points x {spec.replicates} replicate(s) "
        f"over {len(factors)} inputs = {runs} runs\n"
        + time_needed(runs, Store(out / "runs"), next(iter(policies.values())))
    )
