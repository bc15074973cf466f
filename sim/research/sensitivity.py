"""Global sensitivity analysis with SALib: which assumptions move the outcomes most.

An experiment file names a base scenario, the parameters to vary (by dotted path; their ranges
default to the plausible ranges declared in the schema, so a unit or source is never restated),
the method (Sobol or Morris), the number of samples and the outcomes to analyse. Every design
point is run with the same replicate seeds (common random numbers), so differences between points
come from the parameters and not from noise. Results keep the same verbs for every method:
`design`, `analyse`, then `to_frame()` and `plot()` on the result.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.model.outcomes import DAILY_COLUMNS, FLOW
from sim.planner.files import save_figure, write_csv, write_parquet
from sim.planner.levers import resolve_lever, set_lever
from sim.planner.runner import execute
from sim.planner.scenario import Scenario, ScenarioError, load_scenario, shown
from sim.planner.settings import read_settings
from sim.planner.store import Store


class Range(BaseModel):
    """Bounds for one varied parameter; either may be omitted to use the schema's plausible range."""

    model_config = ConfigDict(extra="forbid")

    low: float | None = None
    high: float | None = None


class Experiment(BaseModel):
    """A sensitivity experiment, as read from `experiments/*.yaml`."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Short name for output folders.")
    description: str = Field("", description="The question the experiment answers.")
    scenario: str = Field(description="Base scenario file, relative to the experiment file.")
    method: Literal["sobol", "morris"] = Field("sobol", description="Sobol indices or Morris elementary effects.")
    samples: int = Field(
        32, ge=2, le=65_536, description="Sobol: base samples N (a power of two). Morris: trajectories."
    )
    second_order: bool = Field(False, description="Sobol only: also estimate pairwise interactions.")
    replicates: int = Field(1, ge=1, le=100, description="Runs per design point, averaged.")
    years: float | None = Field(None, gt=0, le=30, description="Override the scenario's horizon.")
    seed: int = Field(1, ge=0, description="Seed for the design and the replicate seeds.")
    parameters: dict[str, Range | None] = Field(min_length=1, description="Dotted lever paths to vary.")
    outcomes: list[str] = Field(min_length=1, description="Summary outcomes to analyse.")

    @model_validator(mode="after")
    def _sobol_needs_a_power_of_two(self) -> Experiment:
        if self.method == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"samples must be a power of two for sobol, found {self.samples}")
        return self


@dataclass
class Design:
    """The sampled points of an experiment and the scenarios they make."""

    experiment: Experiment
    problem: dict[str, Any]
    points: np.ndarray
    scenarios: list[Scenario]
    seeds: list[int]


def load_experiment(path: str | Path) -> tuple[Experiment, Scenario]:
    """Read an experiment file and its base scenario; problems raise ScenarioError."""
    path = Path(path).resolve()
    experiment, lines = read_settings(path, Experiment)
    base = load_scenario(path.parent / experiment.scenario)
    if experiment.years is not None:
        base.years = experiment.years
    check_levers(path, lines, base, experiment.parameters)
    unknown = [o for o in experiment.outcomes if o not in summary_keys()]
    if unknown:
        raise ScenarioError(
            [f"{shown(path)}:{lines.get(('outcomes',), 1)}: outcomes: unknown {unknown}; see docs/outputs.md"]
        )
    return experiment, base


def check_levers(path: Path, lines: dict, base: Scenario, parameters: dict[str, Range | None]) -> None:
    """Every varied lever must exist and have a usable range; one problem line each."""
    problems = []
    for lever, given in parameters.items():
        try:
            bounds(base, lever, given)
        except ValueError as err:
            problems.append(f"{shown(path)}:{lines.get(('parameters', lever), 1)}: parameters.{lever}: {err}")
    if problems:
        raise ScenarioError(problems)


def summary_keys() -> set[str]:
    """Every outcome name a run's summary holds (totals and rates of flows, means and ends of stocks)."""
    keys = {"days", "years"}
    for column in DAILY_COLUMNS:
        suffixes = ("_total", "_per_year") if column.kind == FLOW else ("_mean", "_final")
        keys.update(column.name + suffix for suffix in suffixes)
    return keys


def bounds(base: Scenario, lever: str, given: Range | None) -> tuple[float, float]:
    """The range to sweep for a lever: as given, else the schema's plausible range."""
    section, field = resolve_lever(base, lever)
    info = type(section).model_fields[field]
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    plausible = extra.get("plausible")
    low = given.low if given and given.low is not None else (plausible[0] if plausible else None)
    high = given.high if given and given.high is not None else (plausible[1] if plausible else None)
    if low is None or high is None:
        raise ValueError("has no plausible range in the schema; give low and high")
    if not low < high:
        raise ValueError(f"low ({low}) must be below high ({high})")
    for value in (low, high):
        probe = section.model_copy()
        try:
            setattr(probe, field, round(value) if info.annotation is int else value)
        except ValidationError as err:
            raise ValueError(f"{value} is not allowed: {err.errors()[0]['msg']}") from None
    return float(low), float(high)


def design(experiment: Experiment, base: Scenario) -> Design:
    """Sample the parameter space with SALib and build one scenario per point."""
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    names = list(experiment.parameters)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(bounds(base, n, experiment.parameters[n])) for n in names],
    }
    if experiment.method == "sobol":
        points = sobol_sample.sample(
            problem, experiment.samples, calc_second_order=experiment.second_order, seed=experiment.seed
        )
    else:
        points = morris_sample.sample(problem, experiment.samples, seed=experiment.seed)
    scenarios = [
        with_values(base, f"{experiment.name}-{index:05d}", dict(zip(names, row, strict=True)))
        for index, row in enumerate(points)
    ]
    master = np.random.SeedSequence(experiment.seed)
    seeds = [int(s.generate_state(1)[0]) for s in master.spawn(experiment.replicates)]
    return Design(experiment, problem, points, scenarios, seeds)


@dataclass
class SensitivityResult:
    """Indices per outcome and parameter, with the outputs they came from."""

    experiment: Experiment
    indices: pd.DataFrame  # one row per (outcome, parameter)
    outputs: pd.DataFrame  # one row per design point: parameters then outcomes

    def to_frame(self) -> pd.DataFrame:
        return self.indices

    def plot(self, path: str | Path) -> Path:
        """Bar chart of the main index per outcome (first-order and total Sobol, or Morris mu*)."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        outcomes = list(dict.fromkeys(self.indices["outcome"]))
        columns = 2 if len(outcomes) > 1 else 1
        rows = math.ceil(len(outcomes) / columns)
        fig, axes = plt.subplots(
            rows,
            columns,
            figsize=(6.5 * columns, 0.5 + 0.45 * rows * len(self.experiment.parameters) + 1.2 * rows),
            squeeze=False,
        )
        for ax, outcome in zip(axes.flat, outcomes, strict=False):
            part = self.indices[self.indices["outcome"] == outcome].set_index("parameter")
            if self.experiment.method == "sobol":
                part = part.sort_values("ST")
                y = np.arange(len(part))
                ax.barh(
                    y - 0.2, part["S1"], height=0.4, xerr=part["S1_conf"], label="first order (S1)", color="#4c72b0"
                )
                ax.barh(y + 0.2, part["ST"], height=0.4, xerr=part["ST_conf"], label="total (ST)", color="#dd8452")
                ax.set_xlabel("share of output variance")
            else:
                part = part.sort_values("mu_star")
                y = np.arange(len(part))
                ax.barh(y, part["mu_star"], xerr=part["mu_star_conf"], color="#4c72b0", label="mu* (mean |effect|)")
                ax.set_xlabel(f"mean absolute elementary effect on {outcome}")
            ax.set_yticks(y, part.index)
            ax.set_title(outcome.replace("_", " "))
            ax.legend(loc="lower right", fontsize=8)
        for ax in list(axes.flat)[len(outcomes) :]:
            ax.set_visible(False)
        fig.suptitle(f"Sensitivity: {self.experiment.name} ({self.experiment.method}, {len(self.outputs)} runs)")
        fig.tight_layout()
        path = Path(path)
        save_figure(fig, path, dpi=150)
        plt.close(fig)
        return path


def analyse(design_: Design, outcomes: pd.DataFrame) -> SensitivityResult:
    """Compute indices from one row of outcomes per design point (replicates already averaged)."""
    from SALib.analyze import morris as morris_analyse
    from SALib.analyze import sobol as sobol_analyse

    experiment = design_.experiment
    rows = []
    for outcome in experiment.outcomes:
        y = outcomes[outcome].to_numpy(dtype=float)
        if experiment.method == "sobol":
            found = sobol_analyse.analyze(
                design_.problem, y, calc_second_order=experiment.second_order, seed=experiment.seed
            )
            for i, name in enumerate(design_.problem["names"]):
                rows.append(
                    {
                        "outcome": outcome,
                        "parameter": name,
                        "S1": found["S1"][i],
                        "S1_conf": found["S1_conf"][i],
                        "ST": found["ST"][i],
                        "ST_conf": found["ST_conf"][i],
                    }
                )
        else:
            found = morris_analyse.analyze(design_.problem, design_.points, y, seed=experiment.seed)
            for i, name in enumerate(design_.problem["names"]):
                rows.append(
                    {
                        "outcome": outcome,
                        "parameter": name,
                        "mu_star": found["mu_star"][i],
                        "mu_star_conf": found["mu_star_conf"][i],
                        "sigma": found["sigma"][i],
                    }
                )
    table = pd.DataFrame(design_.points, columns=design_.problem["names"])
    table = pd.concat([table, outcomes[experiment.outcomes].reset_index(drop=True)], axis=1)
    return SensitivityResult(experiment, pd.DataFrame(rows), table)


#: The task a sweep hands to workers: run a replicate, keep only its summary.
summary_only = partial(execute, keep_tables=False)


def run_summaries(
    scenarios: Sequence[Scenario],
    replicates: int,
    store: Store,
    executor_options: dict[str, Any],
    progress: bool | None,
    description: str,
    outcomes: list[str],
) -> pd.DataFrame:
    """Run (or resume) every point's replicates, keeping summaries; one row of averages per point.

    Raises `Interrupted` on Ctrl-C and RuntimeError when some runs failed (their tracebacks are in
    the store; rerunning retries them).
    """
    from sim.planner.runner import open_executor, replicate_work, run_replicates

    with open_executor(**executor_options) as (executor, slots):
        batch = run_replicates(
            replicate_work(list(scenarios), replicates),
            store,
            executor,
            slots,
            progress=progress,
            task=summary_only,
            description=description,
            tables=False,
        )
    if batch.failed:
        name, replicate, last = batch.failed[0]
        raise RuntimeError(f"{len(batch.failed)} run(s) failed, e.g. {name} replicate {replicate}: {last}")
    rows = []
    for scenario in scenarios:
        table = store.summaries(scenario, range(replicates))
        rows.append(table[outcomes].mean())
    return pd.DataFrame(rows).reset_index(drop=True)


def with_values(base: Scenario, name: str, values: dict[str, float]) -> Scenario:
    """A copy of `base` named `name` with each lever set (whole-number levers rounded)."""
    scenario = base.model_copy(deep=True)
    scenario.name = name
    for lever, value in values.items():
        section, field = resolve_lever(scenario, lever)
        is_int = type(section).model_fields[field].annotation is int
        set_lever(scenario, lever, round(value) if is_int else float(value))
    return scenario


def sweep(
    path: str | Path, out: Path, executor_options: dict[str, Any], progress: bool | None = None
) -> SensitivityResult:
    """Run (or resume) an experiment and analyse it, writing its tables and figure to `out`.

    Each design point's replicates are saved as they finish under `out/runs`, so an interrupted
    sweep picks up where it stopped. Raises `Interrupted` on Ctrl-C and RuntimeError when some
    runs failed (their tracebacks are in the store; rerunning retries them).
    """
    experiment, base = load_experiment(path)
    plan = design(experiment, base)
    averaged = run_summaries(
        plan.scenarios,
        experiment.replicates,
        Store(out / "runs"),
        executor_options,
        progress,
        f"{experiment.name} ({experiment.method})",
        experiment.outcomes,
    )
    result = analyse(plan, averaged)
    write_csv(result.indices, out / "indices.csv")
    write_parquet(result.indices, out / "indices.parquet")
    write_csv(result.outputs, out / "design-and-outcomes.csv")
    result.plot(out / "sensitivity.png")
    return result
