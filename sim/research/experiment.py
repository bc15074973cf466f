"""Shared experiment machinery: named factors with bounds, a design of points, every replicate kept.

Sensitivity analysis and calibration both ask the same thing of a model: "run it at these
parameter values, with these seeds, and give me these outcomes". This module answers it once,
for two kinds of model:

- `ScenarioModel`: the town. Factors are dotted lever paths whose bounds default to the plausible
  range declared in the schema (`sim.planner.levers.parameter`); runs go through the planner's
  runner and store, so they are resumable, failures are data, and any executor works.
- `FunctionModel`: any Python function of named factors (a test function, an emulator), so the
  analysis can be checked against published results on functions whose indices are known.

`run_design` returns an outputs table with one row per (point, replicate): nothing is averaged
away, so the share of variance that comes from seeds can be measured (`seed_noise_share`).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import socket
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from sim.model.outcomes import DAILY_COLUMNS, FLOW, summarise
from sim.planner.levers import parameter, resolve_lever, set_lever
from sim.planner.scenario import Scenario, ScenarioError, load_scenario, shown
from sim.planner.store import RunOutcome, Store


class Range(BaseModel):
    """Bounds for one varied parameter; either may be omitted to use the schema's plausible range."""

    model_config = ConfigDict(extra="forbid")

    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Factor:
    """One uncertain input: its name, the interval it is varied over, and whether it is whole."""

    name: str
    low: float
    high: float
    integer: bool = False


def problem(factors: Sequence[Factor]) -> dict[str, Any]:
    """The SALib problem dictionary for a list of factors."""
    return {
        "num_vars": len(factors),
        "names": [f.name for f in factors],
        "bounds": [[f.low, f.high] for f in factors],
    }


#: The seed as a design factor (`noise: seed-factor`): a value u in [0, 1) picks replicate stream
#: floor(u * SEED_STREAMS) of the master seed, so chance is an input the estimators see like any other.
SEED = "seed"
SEED_STREAMS = 1000


def seed_factor() -> Factor:
    return Factor(SEED, 0.0, 1.0)


def seed_streams(values: np.ndarray) -> np.ndarray:
    """The replicate stream each design value of the seed factor picks."""
    return np.minimum((np.asarray(values, dtype=float) * SEED_STREAMS).astype(int), SEED_STREAMS - 1)


def _split_seed(factors: Sequence[Factor], points: np.ndarray) -> tuple[list[Factor], np.ndarray, np.ndarray | None]:
    """Lever factors, their columns, and each point's seed stream (None without a seed factor)."""
    names = [f.name for f in factors]
    if SEED not in names:
        return list(factors), points, None
    at = names.index(SEED)
    keep = [i for i in range(len(names)) if i != at]
    return [factors[i] for i in keep], points[:, keep], seed_streams(points[:, at])


def lever_factor(path: str, given: Range | None = None) -> Factor:
    """A lever as a factor: the given bounds, else its plausible range; ValueError if unusable."""
    facts = parameter(path)
    if facts.choices is not None:
        raise ValueError("is a choice, not a number; it cannot be varied continuously")
    plausible = facts.plausible
    low = given.low if given and given.low is not None else (plausible[0] if plausible else None)
    high = given.high if given and given.high is not None else (plausible[1] if plausible else None)
    if low is None or high is None:
        raise ValueError("has no plausible range in the schema; give low and high")
    if not low < high:
        raise ValueError(f"low ({low}) must be below high ({high})")
    for value in (low, high):
        if not facts.admits(value):
            raise ValueError(f"{value} is outside the allowed bounds {facts.lower:g} to {facts.upper:g}")
    return Factor(path, float(low), float(high), facts.integer)


def lever_factors(path: Path, lines: dict, given: dict[str, Range | None]) -> list[Factor]:
    """Factors for every lever a settings file names; every problem reported at once (file:line)."""
    found, problems = [], []
    for lever, bounds in given.items():
        try:
            found.append(lever_factor(lever, bounds))
        except ValueError as err:
            problems.append(f"{shown(path)}:{lines.get(('parameters', lever), 1)}: parameters.{lever}: {err}")
    if problems:
        raise ScenarioError(problems)
    return found


# -- outcomes ------------------------------------------------------------------------------------
Statistic = Literal["mean", "sum", "min", "max", "final"]


class Window(BaseModel):
    """A statistic of one daily column over a window of days, e.g. mean deaths a day in year 3."""

    model_config = ConfigDict(extra="forbid")

    column: str = Field(description="A daily column (docs/outputs.md).")
    statistic: Statistic = "mean"
    from_day: int = Field(0, ge=0, description="First day of the window (day 0 is the start).")
    to_day: int | None = Field(None, gt=0, description="Day after the window ends (default: the end of the run).")
    name: str | None = Field(None, description="Outcome name (default: built from the others).")

    @property
    def label(self) -> str:
        end = "end" if self.to_day is None else str(self.to_day)
        return self.name or f"{self.column}_{self.statistic}_days_{self.from_day}_{end}"

    def of(self, daily: pd.DataFrame) -> float:
        values = daily[self.column].to_numpy(dtype=float)[self.from_day : self.to_day]
        if not len(values):
            return float("nan")
        if self.statistic == "final":
            return float(values[-1])
        return float(getattr(np, self.statistic)(values))


Outcome = str | Window


def outcome_name(outcome: Outcome) -> str:
    return outcome.label if isinstance(outcome, Window) else outcome


def summary_keys() -> set[str]:
    """Every outcome name a run's summary holds (totals and rates of flows, means and ends of stocks)."""
    keys = {"days", "years"}
    for column in DAILY_COLUMNS:
        suffixes = ("_total", "_per_year") if column.kind == FLOW else ("_mean", "_final")
        keys.update(column.name + suffix for suffix in suffixes)
    return keys


def check_outcomes(path: Path, lines: dict, outcomes: Sequence[Outcome], horizon_days: int) -> None:
    """Every outcome must be a summary key or a window on a daily column that fits the run."""
    columns = {c.name for c in DAILY_COLUMNS}
    problems = []
    for index, outcome in enumerate(outcomes):
        where = f"{shown(path)}:{lines.get(('outcomes', str(index)), lines.get(('outcomes',), 1))}: outcomes[{index}]"
        if isinstance(outcome, Window):
            if outcome.column not in columns:
                problems.append(f"{where}: unknown daily column {outcome.column!r}; see docs/outputs.md")
            end = outcome.to_day if outcome.to_day is not None else horizon_days
            if not outcome.from_day < min(end, horizon_days):
                problems.append(f"{where}: window days {outcome.from_day}-{end} is empty in a {horizon_days}-day run")
        elif outcome not in summary_keys():
            problems.append(f"{where}: unknown outcome {outcome!r}; see docs/outputs.md")
    if problems:
        raise ScenarioError(problems)


# -- models --------------------------------------------------------------------------------------
class Model(Protocol):
    """What an experiment needs of a model: outcomes for every (point, replicate)."""

    factors: list[Factor]
    outcomes: list[str]

    def evaluate(self, points: np.ndarray, replicates: int, progress: bool | None = None) -> pd.DataFrame: ...


def _outputs(
    factors: Sequence[Factor], points: np.ndarray, rows: list[dict[str, float]], replicates: int
) -> pd.DataFrame:
    """The long outputs table: point, replicate, factor values, outcomes (points vary fastest)."""
    index = pd.MultiIndex.from_product([range(replicates), range(len(points))], names=["replicate", "point"])
    design = pd.DataFrame(np.tile(points, (replicates, 1)), columns=[f.name for f in factors])
    table = pd.concat([index.to_frame(index=False)[["point", "replicate"]], design, pd.DataFrame(rows)], axis=1)
    return table.sort_values(["point", "replicate"], kind="stable").reset_index(drop=True)


@dataclass
class FunctionModel:
    """A plain function of named factors returning a number or a dict of named numbers.

    If the function takes an `rng` argument it is stochastic: replicate r of every point gets
    the same stream (common random numbers), child r of `SeedSequence(seed)`.
    """

    function: Callable[..., float | dict[str, float]]
    factors: list[Factor]
    outcomes: list[str]
    seed: int = 0

    def evaluate(self, points: np.ndarray, replicates: int, progress: bool | None = None) -> pd.DataFrame:
        stochastic = "rng" in inspect.signature(self.function).parameters
        factors, columns, streams = _split_seed(self.factors, points)
        if streams is not None and not stochastic:
            raise ValueError("a seed factor needs a stochastic function (one that takes `rng`)")
        rows = []
        for replicate in range(replicates):
            for index, row in enumerate(columns):
                values = {f.name: (round(v) if f.integer else float(v)) for f, v in zip(factors, row, strict=True)}
                if stochastic:
                    key = replicate if streams is None else int(streams[index])
                    values["rng"] = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(key,)))
                found = self.function(**values)
                rows.append(found if isinstance(found, dict) else {self.outcomes[0]: float(found)})
        return _outputs(self.factors, points, [{k: r[k] for k in self.outcomes} for r in rows], replicates)


def run_with_windows(scenario: Scenario, replicate: int, windows: tuple[Window, ...] = ()) -> RunOutcome:
    """The task a sweep hands to workers: one replicate's summary, plus its window statistics."""
    from sim.planner.runner import run

    start = time.perf_counter()
    host = f"{socket.gethostname()}:{time.time_ns() % 100000}"
    try:
        result = run(scenario, replicate=replicate)
        summary = summarise(result.daily)
        summary.update({w.label: w.of(result.daily) for w in windows})
        return RunOutcome(replicate, time.perf_counter() - start, host, summary=summary)
    except Exception:
        return RunOutcome(replicate, time.perf_counter() - start, host, error=traceback.format_exc())


def with_values(base: Scenario, name: str, values: dict[str, float]) -> Scenario:
    """A copy of `base` named `name` with each lever set (whole-number levers rounded)."""
    scenario = base.model_copy(deep=True)
    scenario.name = name
    for lever, value in values.items():
        section, field = resolve_lever(scenario, lever)
        is_int = type(section).model_fields[field].annotation is int
        set_lever(scenario, lever, round(value) if is_int else float(value))
    return scenario


@dataclass
class ScenarioModel:
    """The town: each point is a scenario that sets the factors' levers on a base scenario."""

    base: Scenario
    factors: list[Factor]
    outcome_specs: list[Outcome]
    store: Store
    name: str
    executor_options: dict[str, Any]

    @property
    def outcomes(self) -> list[str]:
        return [outcome_name(o) for o in self.outcome_specs]

    @property
    def windows(self) -> tuple[Window, ...]:
        return tuple(o for o in self.outcome_specs if isinstance(o, Window))

    def scenarios(self, points: np.ndarray) -> list[Scenario]:
        # Window outcomes live in the stored summaries, so a new set of windows gets new run folders.
        tag = ""
        if self.windows:
            spec = json.dumps([w.model_dump() for w in self.windows], sort_keys=True)
            tag = "-w" + hashlib.sha256(spec.encode()).hexdigest()[:6]
        factors, columns, _ = _split_seed(self.factors, points)
        names = [f.name for f in factors]
        return [
            with_values(self.base, f"{self.name}{tag}-{index:05d}", dict(zip(names, row, strict=True)))
            for index, row in enumerate(columns)
        ]

    def evaluate(self, points: np.ndarray, replicates: int, progress: bool | None = None) -> pd.DataFrame:
        """Run (or resume) every point's replicates; RuntimeError if some failed (retried next time)."""
        from sim.planner.runner import open_executor, replicate_work, run_replicates

        scenarios = self.scenarios(points)
        factors, _, streams = _split_seed(self.factors, points)
        if streams is None:
            work = replicate_work(scenarios, replicates)
        elif replicates == 1:  # the seed factor picks each point's one replicate stream
            work = list(zip(scenarios, (int(s) for s in streams), strict=True))
        else:
            raise ValueError("with the seed as a design factor each point has one run: set replicates to 1")
        with open_executor(**self.executor_options) as (executor, slots):
            batch = run_replicates(
                work,
                self.store,
                executor,
                slots,
                progress=progress,
                task=partial(run_with_windows, windows=self.windows),
                description=self.name,
                tables=False,  # run_with_windows keeps only the summary: a saved one is a finished run
            )
        if batch.failed:
            name, replicate, last = batch.failed[0]
            raise RuntimeError(f"{len(batch.failed)} run(s) failed, e.g. {name} replicate {replicate}: {last}")
        rows = []
        for replicate in range(replicates):
            for index, scenario in enumerate(scenarios):
                stream = replicate if streams is None else int(streams[index])
                summary = self.store.record(scenario, stream)["summary"]
                rows.append({k: summary.get(k, float("nan")) for k in self.outcomes})
        # The values actually run (whole-number levers rounded), not the raw design.
        actual = np.array([[getattr(*resolve_lever(s, f.name)) for f in factors] for s in scenarios], float)
        if streams is not None:
            actual = np.column_stack([actual, points[:, [f.name for f in self.factors].index(SEED)]])
            factors = [*factors, seed_factor()]
        return _outputs(factors, actual, rows, replicates)


def seconds_per_run(store: Store, base: Scenario) -> tuple[float, str]:
    """Wall time of one run of `base` on one core, and where that figure comes from.

    From the runs already saved in `store` (a resumed sweep or calibration) if there are any,
    otherwise from the runner's estimate for a fresh run (`sim.planner.runner.plan`, a short trial
    run), the same one `compare --dry-run` prints.
    """
    import tempfile

    from sim.planner.runner import plan

    times = []
    if store.root.is_dir():
        for path in list(store.root.rglob("summary.json"))[:50]:
            try:
                times.append(float(json.loads(path.read_text())["seconds"]))
            except (OSError, ValueError, KeyError, TypeError):
                continue
    if times:
        return float(np.median(times)), f"timed from {len(times)} saved run(s)"
    with tempfile.TemporaryDirectory() as scratch:
        estimate = plan([(base.model_copy(update={"name": f"{base.name}-timing"}), 0)], Store(scratch), 1)
    return float(estimate.seconds or 0.0), estimate.basis


def base_scenario(path: Path, file: str, years: float | None) -> Scenario:
    """A research file's scenario (`file` is relative to the research file), over its `years` if set."""
    scenario = load_scenario(path.parent / file)
    if years is not None:
        scenario.years = years
    return scenario


def time_needed(runs: int, store: Store, base: Scenario) -> str:
    """A dry run's last line: how long `runs` runs of `base` take on one core, and from what."""
    per_run, basis = seconds_per_run(store, base)
    return (
        f"about {runs * per_run / 60:.0f} CPU-minutes at {per_run:.1f} s a run ({basis}); divide by the workers. "
        "Nothing was run."
    )


def run_design(model: Model, points: np.ndarray, replicates: int, progress: bool | None = None) -> pd.DataFrame:
    """Outcomes of every replicate at every design point (see `_outputs` for the columns)."""
    return model.evaluate(np.asarray(points, dtype=float), replicates, progress)


# -- noise ---------------------------------------------------------------------------------------
def averaged(outputs: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """One row per point: the mean of its replicates (the noise handling "average R replicates")."""
    return outputs.groupby("point", sort=True)[list(outcomes)].mean()


def seed_noise_share(outputs: pd.DataFrame, outcomes: Sequence[str]) -> pd.Series:
    """Share of a single run's variance that comes from the seed (within-point variance / total).

    NaN when there is one replicate per point (the seed's share cannot be told apart then).
    """
    shares = {}
    for outcome in outcomes:
        groups = outputs.groupby("point")[outcome]
        if groups.size().min() < 2:
            shares[outcome] = float("nan")
            continue
        total = outputs[outcome].var(ddof=1)
        within = groups.var(ddof=1).mean()
        shares[outcome] = float(min(within / total, 1.0)) if total > 0 else 0.0
    return pd.Series(shares, name="seed_share")
