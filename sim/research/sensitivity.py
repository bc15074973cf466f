"""Global sensitivity analysis with SALib: which assumptions move the outcomes most, and how sure.

An experiment file names a base scenario, the parameters to vary (dotted lever paths whose ranges
default to the plausible ranges in the schema), the method, the number of samples and the
outcomes (summary keys, or a statistic over a window of a daily column). The shared machinery in
`sim.research.experiment` runs every design point's replicates with common random numbers and
keeps every replicate, so the result reports how much of a single run's variance is seed noise
beside the indices. Noise is handled by averaging the R replicates of each point before the
SALib estimators see them; the outputs say so. Intervals are SALib's bootstrap intervals at the
90% level used across the tool. The same `design` / `analyse` accept a plain function
(`analyse_function`), so the estimators can be checked on functions with known indices.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.planner.files import write_atomically, write_csv, write_parquet
from sim.planner.scenario import Scenario, ScenarioError
from sim.planner.settings import read_settings
from sim.planner.store import Store
from sim.research.experiment import (
    SEED,
    SEED_STREAMS,
    Factor,
    FunctionModel,
    Range,
    ScenarioModel,
    Window,
    averaged,
    base_scenario,
    check_outcomes,
    lever_factors,
    outcome_name,
    problem,
    run_design,
    seed_factor,
    seed_noise_share,
    time_needed,
)

#: Level of every interval the tool reports (planners' comparisons use 90% too).
CONF_LEVEL = 0.90
#: eFAST's interference factor M (SALib's default); samples per parameter must exceed 4 M^2.
FAST_M = 4
#: An interval half-width above this (in share of variance) earns a warning.
WIDE = 0.1
Method = Literal["sobol", "morris", "fast", "rbd_fast", "pawn"]
Noise = Literal["average", "seed-factor"]
NOISE_NOTES = {
    "average": "noise handling: average - each point's {r} replicate(s) averaged before analysis (common random "
    "numbers)",
    "seed-factor": "noise handling: seed-factor - the seed is a design factor (`seed`, u in [0, 1) picks one of "
    f"{SEED_STREAMS} seed streams), one run per point; its indices are the share of variance from chance "
    "(seed-noise.csv holds its total index, Sobol and eFAST)",
}


class Experiment(BaseModel):
    """A sensitivity experiment, as read from `experiments/*.yaml`."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Short name for output folders.")
    description: str = Field("", description="The question the experiment answers.")
    scenario: str = Field(description="Base scenario file, relative to the experiment file.")
    method: Method = Field("sobol", description="SALib method: sobol, morris, fast (eFAST), rbd_fast or pawn.")
    samples: int = Field(
        32,
        ge=2,
        le=65_536,
        description="Sobol: base samples N (a power of two). Morris: trajectories. eFAST: points per parameter "
        "(more than 64). Others: points.",
    )
    second_order: bool = Field(False, description="Sobol only: also estimate pairwise interactions (S2).")
    replicates: int = Field(1, ge=1, le=100, description="Runs per design point (different seeds), averaged.")
    noise: Noise = Field(
        "average",
        description="How seed noise is handled: `average` the replicates of each point, or `seed-factor` "
        "(the seed is one more design factor, with its own indices; replicates must be 1).",
    )
    years: float | None = Field(None, gt=0, le=30, description="Override the scenario's horizon.")
    seed: int = Field(1, ge=0, description="Seed for the design.")
    parameters: dict[str, Range | None] = Field(min_length=1, description="Dotted lever paths to vary.")
    outcomes: list[str | Window] = Field(min_length=1, description="Summary keys or windows of daily columns.")

    @model_validator(mode="after")
    def _check_method_options(self) -> Experiment:
        if self.method == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"samples must be a power of two for sobol, found {self.samples}")
        if self.noise == "seed-factor" and self.replicates != 1:
            raise ValueError("noise: seed-factor makes the seed a design factor, one run per point: set replicates: 1")
        if self.method == "fast" and self.samples <= 4 * FAST_M**2:
            raise ValueError(f"samples must be more than {4 * FAST_M**2} for fast (4 M^2 with M = {FAST_M})")
        if self.second_order and self.method != "sobol":
            raise ValueError(f"second_order is only estimated by sobol, not {self.method}; remove it")
        return self

    @property
    def outcome_names(self) -> list[str]:
        return [outcome_name(o) for o in self.outcomes]


def load_experiment(
    path: str | Path, samples: int | None = None, years: float | None = None
) -> tuple[Experiment, Scenario, list[Factor]]:
    """Read an experiment file (with command-line overrides), its base scenario and its factors."""
    path = Path(path).resolve()
    experiment, lines = read_settings(path, Experiment)
    overrides = {k: v for k, v in (("samples", samples), ("years", years)) if v is not None}
    if overrides:
        try:
            experiment = Experiment.model_validate({**experiment.model_dump(), **overrides})
        except ValueError as err:
            raise ScenarioError([f"{path.name}: command-line override {overrides}: {err}"]) from None
    base = base_scenario(path, experiment.scenario, experiment.years)
    factors = lever_factors(path, lines, experiment.parameters)
    if experiment.noise == "seed-factor":
        factors.append(seed_factor())
    check_outcomes(path, lines, experiment.outcomes, base.days)
    return experiment, base, factors


def design(method: Method, factors: list[Factor], samples: int, seed: int, second_order: bool = False) -> np.ndarray:
    """The SALib sample for a method: Saltelli-Sobol, Morris trajectories, or a Latin hypercube."""
    from SALib.sample import fast_sampler, latin, morris, sobol

    spec = problem(factors)
    if method == "sobol":
        return sobol.sample(spec, samples, calc_second_order=second_order, seed=seed)
    if method == "morris":
        return morris.sample(spec, samples, seed=seed)
    if method == "fast":
        return fast_sampler.sample(spec, samples, M=FAST_M, seed=seed)
    return latin.sample(spec, samples, seed=seed)


def runs_of(method: Method, factors: int, samples: int, replicates: int, second_order: bool = False) -> int:
    """How many model runs a design costs: points times replicates."""
    points = {
        "sobol": samples * (2 * factors + 2 if second_order else factors + 2),
        "morris": samples * (factors + 1),
        "fast": samples * factors,
    }.get(method, samples)
    return points * replicates


@dataclass
class SensitivityResult:
    """Indices per outcome and parameter, the seed-noise share, warnings, and every replicate."""

    name: str
    method: Method
    samples: int
    replicates: int
    indices: pd.DataFrame  # one row per (outcome, parameter)
    noise: pd.Series  # seed share of single-run variance, per outcome
    outputs: pd.DataFrame  # one row per (point, replicate)
    second_order: pd.DataFrame | None = None
    convergence: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    noise_mode: Noise = "average"

    @property
    def runs(self) -> int:
        return len(self.outputs)

    @property
    def notes(self) -> list[str]:
        return [
            f"method: {self.method} (SALib), {self.samples} samples, {self.outputs['point'].nunique()} points, "
            f"{self.runs} runs",
            NOISE_NOTES[self.noise_mode].format(r=self.replicates),
            f"intervals: SALib bootstrap, {CONF_LEVEL:.0%} level (columns *_conf are half-widths)"
            + ("; for eFAST SALib calls them indicative only (SALib issue 649)" if self.method == "fast" else ""),
        ]

    def to_frame(self) -> pd.DataFrame:
        return self.indices

    def write(self, out: Path) -> None:
        """Every table and figure, and a notes file stating the method, noise handling and warnings."""
        out.mkdir(parents=True, exist_ok=True)
        write_csv(self.indices, out / "indices.csv", index=False)
        write_parquet(self.indices, out / "indices.parquet", index=False)
        write_csv(self.noise.rename_axis("outcome").reset_index(), out / "seed-noise.csv", index=False)
        if self.second_order is not None:
            write_csv(self.second_order, out / "second-order.csv", index=False)
        if self.convergence is not None:
            write_csv(self.convergence, out / "convergence.csv", index=False)
        text = "\n".join([*self.notes, *(f"WARNING: {w}" for w in self.warnings)]) + "\n"
        write_atomically(out / "notes.txt", text)
        from sim.research.sensitivity_plots import plot_convergence, plot_indices

        plot_indices(self, out / "sensitivity.png")
        if self.convergence is not None:
            plot_convergence(self, out / "convergence.png")


def _rows(outcome: str, names: list[str], found: Any, keys: list[str]) -> list[dict[str, Any]]:
    return [{"outcome": outcome, "parameter": n, **{k: float(found[k][i]) for k in keys}} for i, n in enumerate(names)]


def _estimate(method: Method, spec: dict, points: np.ndarray, y: np.ndarray, seed: int, second_order: bool) -> Any:
    from SALib.analyze import fast, morris, pawn, rbd_fast, sobol

    if method == "sobol":
        return sobol.analyze(spec, y, calc_second_order=second_order, conf_level=CONF_LEVEL, seed=seed)
    if method == "morris":
        return morris.analyze(spec, points, y, conf_level=CONF_LEVEL, seed=seed)
    if method == "rbd_fast":
        return rbd_fast.analyze(spec, points, y, conf_level=CONF_LEVEL, seed=seed)
    if method == "fast":
        with warnings.catch_warnings():  # the caveat on its intervals goes into notes.txt instead
            warnings.filterwarnings("ignore", message="FAST confidence intervals")
            return fast.analyze(spec, y, M=FAST_M, conf_level=CONF_LEVEL, seed=seed)
    return pawn.analyze(spec, points, y, seed=seed)


KEYS: dict[str, list[str]] = {
    "sobol": ["S1", "S1_conf", "ST", "ST_conf"],
    "morris": ["mu", "mu_star", "mu_star_conf", "sigma"],
    "fast": ["S1", "S1_conf", "ST", "ST_conf"],
    "rbd_fast": ["S1", "S1_conf"],
    "pawn": ["median", "mean", "minimum", "maximum", "CV"],
}


def analyse(
    name: str,
    method: Method,
    factors: list[Factor],
    samples: int,
    outputs: pd.DataFrame,
    outcomes: list[str],
    seed: int = 1,
    second_order: bool = False,
    noise: Noise = "average",
) -> SensitivityResult:
    """Indices from an outputs table with every replicate (averaged per point first), with warnings."""
    spec = problem(factors)
    names = spec["names"]
    means = averaged(outputs, outcomes)
    points = outputs.groupby("point", sort=True)[names].first().to_numpy(dtype=float)
    rows, pairs, steps, warnings = [], [], [], []
    for outcome in outcomes:
        y = means[outcome].to_numpy(dtype=float)
        if not np.all(np.isfinite(y)) or np.ptp(y) == 0:
            warnings.append(f"{outcome}: constant or missing across the design; no indices estimated")
            continue
        found = _estimate(method, spec, points, y, seed, second_order)
        rows += _rows(outcome, names, found, KEYS[method])
        if method == "sobol" and second_order:
            for i, j in zip(*np.triu_indices(len(names), 1), strict=True):
                pairs.append(
                    {
                        "outcome": outcome,
                        "parameter": names[i],
                        "with": names[j],
                        "S2": float(found["S2"][i, j]),
                        "S2_conf": float(found["S2_conf"][i, j]),
                    }
                )
        if method == "sobol":
            steps += _convergence(spec, y, samples, outcome, seed, second_order)
    indices = pd.DataFrame(rows)
    warnings += index_warnings(indices, method)
    noise_share = seed_noise_share(outputs, outcomes)
    if noise == "seed-factor" and "ST" in indices:  # E[Var(Y | inputs)] / Var(Y) is the seed's total index
        seed_rows = indices[indices["parameter"] == SEED].set_index("outcome")["ST"]
        noise_share = seed_rows.reindex(outcomes).clip(0.0, 1.0).rename("seed_share")
    if outputs["replicate"].nunique() < 2 and noise == "average":
        warnings.append("one replicate per point: the share of variance from seeds cannot be measured")
    return SensitivityResult(
        name,
        method,
        samples,
        int(outputs["replicate"].nunique()),
        indices,
        noise_share,
        outputs,
        pd.DataFrame(pairs) if second_order else None,
        pd.DataFrame(steps) if steps else None,
        warnings,
        noise,
    )


def _convergence(spec: dict, y: np.ndarray, samples: int, outcome: str, seed: int, second_order: bool) -> list[dict]:
    """Sobol indices from the first n base samples, n = N/8 ... N: do they settle as N grows?"""
    from SALib.analyze import sobol

    per = len(y) // samples
    steps = []
    for n in sorted({max(samples // 8, 4), max(samples // 4, 4), max(samples // 2, 4), samples}):
        if n > samples:
            continue
        found = sobol.analyze(spec, y[: n * per], calc_second_order=second_order, conf_level=CONF_LEVEL, seed=seed)
        steps += [
            {"outcome": outcome, "parameter": p, "N": n, **{k: float(found[k][i]) for k in KEYS["sobol"]}}
            for i, p in enumerate(spec["names"])
        ]
    return steps


def index_warnings(indices: pd.DataFrame, method: Method) -> list[str]:
    """Wide intervals and shares of variance outside [0, 1]: signs that samples are too few."""
    found = []
    for column in ("S1", "ST"):
        if column not in indices:
            continue
        conf = indices[f"{column}_conf"]
        for row, width in zip(indices.itertuples(index=False), conf, strict=True):
            value = getattr(row, column)
            where = f"{row.outcome} / {row.parameter}: {column} = {value:.2f} +/- {width:.2f}"
            if value < 0 or value > 1:
                found.append(f"{where} lies outside [0, 1] (estimator noise): raise samples")
            elif width > WIDE:
                found.append(f"{where}: {CONF_LEVEL:.0%} interval wider than +/- {WIDE}: raise samples")
    return found


# -- the town --------------------------------------------------------------------------------------
def scenario_model(
    experiment: Experiment, base: Scenario, factors: list[Factor], out: Path, options: dict
) -> ScenarioModel:
    return ScenarioModel(base, factors, list(experiment.outcomes), Store(out / "runs"), experiment.name, options)


def sweep(
    path: str | Path,
    out: Path,
    executor_options: dict[str, Any],
    progress: bool | None = None,
    samples: int | None = None,
    years: float | None = None,
) -> SensitivityResult:
    """Run (or resume) an experiment and analyse it, writing every replicate, indices and figures.

    Raises `Interrupted` on Ctrl-C and RuntimeError when some runs failed (their tracebacks are in
    the store; rerunning retries them).
    """
    experiment, base, factors = load_experiment(path, samples, years)
    points = design(experiment.method, factors, experiment.samples, experiment.seed, experiment.second_order)
    model = scenario_model(experiment, base, factors, out, executor_options)
    outputs = run_design(model, points, experiment.replicates, progress)
    # Written atomically and the settings last: `analyze` trusts a folder only once both are whole.
    write_parquet(outputs, out / "outputs.parquet", index=False)
    write_csv(outputs, out / "outputs.csv", index=False)
    settings = {"experiment": experiment.model_dump(mode="json"), "factors": [f.__dict__ for f in factors]}
    write_atomically(out / "experiment.json", json.dumps(settings, indent=2).encode())
    return reanalyse(out)


def reanalyse(out: Path) -> SensitivityResult:
    """Analyse the stored outputs of a sweep folder again, without running anything."""
    out = Path(out)
    for need in ("experiment.json", "outputs.parquet"):
        if not (out / need).is_file():
            raise ScenarioError([f"{out}: no {need}; run `drugmarket sweep` into this folder first"])
    settings = json.loads((out / "experiment.json").read_text())
    experiment = Experiment.model_validate(settings["experiment"])
    factors = [Factor(**f) for f in settings["factors"]]
    outputs = pd.read_parquet(out / "outputs.parquet")
    result = analyse(
        experiment.name,
        experiment.method,
        factors,
        experiment.samples,
        outputs,
        experiment.outcome_names,
        experiment.seed,
        experiment.second_order,
        experiment.noise,
    )
    result.write(out)
    return result


def dry_run(path: str | Path, out: Path, samples: int | None = None, years: float | None = None) -> str:
    """What a sweep would run and roughly how long it would take, without running it."""
    experiment, base, factors = load_experiment(path, samples, years)
    runs = runs_of(experiment.method, len(factors), experiment.samples, experiment.replicates, experiment.second_order)
    return (
        f"{experiment.name}: {experiment.method}, {len(factors)} parameters, {experiment.samples} samples, "
        f"{experiment.replicates} replicate(s), {base.years:g} years\n"
        f"{runs} runs; " + time_needed(runs, Store(out / "runs"), base)
    )


def analyse_function(
    function: Any,
    factors: list[Factor],
    outcomes: list[str],
    method: Method = "sobol",
    samples: int = 1024,
    replicates: int = 1,
    seed: int = 1,
    second_order: bool = False,
    noise: Noise = "average",
) -> SensitivityResult:
    """The same design, execution and analysis on a plain Python function of named factors.

    With `noise="seed-factor"` the function must take `rng`; the seed becomes one more factor.
    """
    if noise == "seed-factor":
        factors = [*factors, seed_factor()]
    points = design(method, factors, samples, seed, second_order)
    outputs = run_design(FunctionModel(function, factors, outcomes, seed), points, replicates)
    return analyse("function", method, factors, samples, outputs, outcomes, seed, second_order, noise)
