"""Calibration: which values of the uncertain parameters reproduce a town's real figures, and how sure.

A calibration config names a base scenario, a targets file (CSV: target, value, low, high, unit,
source) and the parameters to fit (priors uniform over the schema's plausible ranges unless
given). ABC-SMC (`sim.research.abc`, pyabc) runs the town at particles drawn from the prior, then
from successively narrower populations, each figure's distance scaled by its own band. Outputs:
the posterior (weighted particles and 90% credible intervals), a pairs plot, and a
posterior-predictive check that reruns posterior draws against every target. Only when every
target is met is a scenario called "calibrated" written; otherwise the outputs say nothing fits.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field

from sim.planner.files import write_atomically, write_csv
from sim.planner.scenario import Scenario, ScenarioError
from sim.planner.settings import read_settings, read_text
from sim.planner.store import Store
from sim.research.abc import CREDIBLE, Posterior, Target, abc_smc, fingerprint, stored_run
from sim.research.experiment import (
    Factor,
    Range,
    ScenarioModel,
    base_scenario,
    lever_factor,
    lever_factors,
    run_design,
    summary_keys,
    time_needed,
    with_values,
)


def _per(numerator: str, denominator: str, scale: float = 1.0) -> Callable[[dict, Scenario], float]:
    def metric(summary: dict, scenario: Scenario) -> float:
        below = summary.get(denominator, 0.0)
        return scale * summary[numerator] / below if below else float("nan")

    return metric


#: Figures a target can name, computed from a run's summary (and its scenario for denominators).
METRICS: dict[str, Callable[[dict, Scenario], float]] = {
    "dependent_per_1000_aged_15_64": lambda s, sc: 1000 * s["dependent_use_total_mean"] / sc.town.population_15_64,
    "poisoning_deaths_per_1000_dependent": _per("overdose_deaths_per_year", "dependent_use_total_mean", 1000),
    "nonfatal_per_fatal_overdose": lambda s, sc: (
        (s["overdoses_total"] - s["overdose_deaths_total"]) / s["overdose_deaths_total"]
        if s["overdose_deaths_total"]
        else float("nan")
    ),
    "share_in_treatment": _per("in_treatment_mean", "dependent_use_total_mean"),
    "officer_leavers_per_year_share": _per("team_leavers_per_year", "team_in_post_mean"),
}

#: Targets that only some parts of the town can move (lever path prefixes). A target none of whose
#: levers is calibrated can be met only by luck: `unmovable_targets` says so before anything runs.
DRIVEN_BY: dict[str, tuple[str, ...]] = {
    "officer_leavers_per_year_share": ("officers.", "police."),  # turnover, burnout from overtime
}


def unmovable_targets(parameters: list[str], targets: list[Target]) -> list[str]:
    """Warnings for targets that no calibrated parameter can move (their driving levers are fixed)."""
    found = []
    for target in targets:
        drivers = DRIVEN_BY.get(target.name)
        if drivers and not any(p.startswith(drivers) for p in parameters):
            found.append(
                f"target {target.name} is moved only by {', '.join(d + '*' for d in drivers)} levers and none is "
                "calibrated: it can be met only by chance; add such a parameter or drop the target"
            )
    return found


class CalibrationConfig(BaseModel):
    """A calibration, as read from `calibration/*.yaml`."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    scenario: str = Field(description="Base scenario file, relative to this file.")
    targets: str = Field(description="Targets CSV, relative to this file.")
    parameters: dict[str, Range | None] = Field(min_length=1, description="Levers to fit; uniform priors.")
    population: int = Field(60, ge=10, le=10_000, description="Particles per ABC-SMC generation.")
    generations: int = Field(4, ge=1, le=30, description="ABC-SMC generations (tolerance shrinks each time).")
    check_draws: int = Field(20, ge=2, le=1000, description="Posterior draws rerun for the predictive check.")
    years: float | None = Field(None, gt=0, le=30)
    seed: int = Field(1, ge=0)


@dataclass
class TownSimulator:
    """One run of the town at given lever values, reduced to the targets' figures (for pyabc)."""

    base: Scenario
    targets: list[str]

    def __call__(self, values: dict[str, float]) -> dict[str, float]:
        from sim.planner.runner import run

        scenario = with_values(self.base, self.base.name, values)
        summary = run(scenario, seed=int(np.random.randint(2**31 - 1))).summary
        return {name: METRICS[name](summary, scenario) for name in self.targets}


def read_targets(path: Path) -> list[Target]:
    """Read and check a targets CSV (every target must be a known metric with a source)."""
    try:
        table = pd.read_csv(io.StringIO(read_text(Path(path))))  # size-capped, regular files only
    except (OSError, pd.errors.ParserError) as err:
        raise ScenarioError([f"{path}: cannot read targets: {err}"]) from None
    need = ["target", "value", "low", "high", "unit", "source"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise ScenarioError([f"{path}:1: missing columns {missing}; a targets file has columns {need}"])
    problems, targets = [], []
    for row_number, row in enumerate(table.itertuples(index=False), start=2):
        if row.target not in METRICS:
            problems.append(
                f"{path}:{row_number}: target {row.target!r} is not a known metric; known: {sorted(METRICS)}"
            )
        elif not (row.low <= row.value <= row.high):
            problems.append(f"{path}:{row_number}: {row.target}: value must lie between low and high")
        elif not isinstance(row.source, str) or not row.source.strip():
            problems.append(f"{path}:{row_number}: {row.target}: every target needs a source")
        else:
            targets.append(Target(row.target, float(row.value), float(row.low), float(row.high), row.unit, row.source))
    if problems:
        raise ScenarioError(problems)
    return targets


def load_calibration(path: str | Path) -> tuple[CalibrationConfig, Scenario, list[Target]]:
    """Read a calibration config, its base scenario and its targets."""
    path = Path(path).resolve()
    config, lines = read_settings(path, CalibrationConfig)
    base = base_scenario(path, config.scenario, config.years)
    targets = read_targets(path.parent / config.targets)
    lever_factors(path, lines, config.parameters)
    return config, base, targets


@dataclass
class Calibration:
    """The posterior, the predictive check against every target, and where the outputs went."""

    config: CalibrationConfig
    targets: list[Target]
    posterior: Posterior
    check: pd.DataFrame  # one row per target
    folder: Path

    @property
    def fits(self) -> bool:
        return self.posterior.fits


def predictive_check(draws: pd.DataFrame, targets: list[Target]) -> pd.DataFrame:
    """Where the posterior draws' figures land against each target's band."""
    rows = []
    for t in targets:
        values = draws[t.name].to_numpy(dtype=float)
        low, median, high = np.nanquantile(values, [0.05, 0.5, 0.95])
        rows.append(
            {
                "target": t.name,
                "value": t.value,
                "low": t.low,
                "high": t.high,
                "simulated_median": median,
                "simulated_5%": low,
                "simulated_95%": high,
                "share_inside_band": float(np.mean((values >= t.low) & (values <= t.high))),
                "source": t.source,
            }
        )
    return pd.DataFrame(rows)


def calibrated_scenario(base_file: str, summary: pd.DataFrame, name: str, integers: set[str]) -> str:
    """YAML text of a scenario that extends the base with the posterior medians."""
    nested: dict = {}
    for row in summary.itertuples(index=False):
        section, field = row.parameter.split(".", 1)
        value = round(row.median) if row.parameter in integers else float(row.median)
        nested.setdefault(section, {})[field] = value
    low, high = f"low_{CREDIBLE:.0%}", f"high_{CREDIBLE:.0%}"
    intervals = "; ".join(
        f"{r['parameter']} {r['median']:.4g} ({r[low]:.4g} to {r[high]:.4g})" for r in summary.to_dict("records")
    )
    header = (
        f"# Calibrated by `drugmarket calibrate` ({name}) with ABC-SMC: posterior medians.\n"
        f"# 90% credible intervals: {intervals}.\n"
        "# posterior.csv beside this file holds the weighted particles (for `compare` over draws).\n"
    )
    body = {"extends": base_file, "name": f"{name}-calibrated", **nested}
    return header + yaml.safe_dump(body, sort_keys=False)


#: Share of ABC-SMC proposals accepted in each generation of the default town's full calibration
#: (60 particles, 5 targets, 4 parameters, 3-year runs; 30%-quantile tolerance), read from its
#: abc.db: 60 of 237, 561, 1,111 and 3,041. Each generation accepts fewer as the tolerance tightens;
#: later generations are assumed to halve again (assumption). Fewer or looser targets accept more.
ACCEPTED_BY_GENERATION = (0.25, 0.11, 0.054, 0.020)


def acceptance(generation: int) -> float:
    """Expected share of proposals accepted in a generation (0 = the first after the prior sample)."""
    known = ACCEPTED_BY_GENERATION
    return known[generation] if generation < len(known) else known[-1] / 2 ** (generation - len(known) + 1)


def dry_run(path: str | Path, out: Path) -> str:
    """How many runs a calibration needs and roughly how long, without running any."""
    config, base, targets = load_calibration(path)
    done = min(generations_done(config, base, targets, out), config.generations)
    to_run = range(done, config.generations)
    abc_runs = round((0 if done else config.population) + sum(config.population / acceptance(g) for g in to_run))
    runs = abc_runs + config.check_draws
    shares = ", ".join(f"{acceptance(g):.0%} in generation {g + 1}" for g in to_run)
    lines = [
        f"{config.name}: ABC-SMC over {len(config.parameters)} parameters and {len(targets)} targets, "
        f"{config.population} particles x {config.generations} generations, {base.years:g}-year runs",
        *([f"{done} generations already finished in {out / 'abc.db'}: carried on, not rerun"] if done else []),
        (
            f"about {abc_runs} ABC runs (each generation stops at {config.population} accepted particles; the share "
            f"of proposals accepted falls as the tolerance tightens: {shares}, as measured on the default town) "
            if to_run
            else "no ABC runs left "
        )
        + f"+ {config.check_draws} posterior-predictive runs = about {runs} runs",
        time_needed(runs, Store(out / "runs"), base),
    ]
    return "\n".join(lines + [f"WARNING: {w}" for w in unmovable_targets(list(config.parameters), targets)])


def problem_key(base: Scenario) -> str:
    """What a calibration's fingerprint needs beyond its priors and targets: the town it runs."""
    return base.model_dump_json()


def factors_of(config: CalibrationConfig) -> list[Factor]:
    """The parameters a calibration fits, with their prior ranges."""
    return [lever_factor(lever, given) for lever, given in config.parameters.items()]


def generations_done(config: CalibrationConfig, base: Scenario, targets: list[Target], out: Path) -> int:
    """Generations of this calibration already finished in `out`/abc.db (carried on, not rerun)."""
    mark = fingerprint(factors_of(config), targets, config.population, config.seed, problem_key(base))
    stored = stored_run(out / "abc.db", mark)
    return stored[1] if stored else 0


def calibrate(
    path: str | Path, out: Path, executor_options: dict[str, Any], progress: bool | None = None
) -> Calibration:
    """Fit by ABC-SMC, check posterior draws against every target, and write the outputs to `out`."""
    from sim.research.calibration_plots import plot_pairs, plot_predictive

    path = Path(path).resolve()
    config, base, targets = load_calibration(path)
    factors = factors_of(config)
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("calibrated.yaml", "NOT-FITTED.txt"):
        (out / stale).unlink(missing_ok=True)
    posterior = abc_smc(
        TownSimulator(base, [t.name for t in targets]),
        factors,
        targets,
        population=config.population,
        generations=config.generations,
        seed=config.seed,
        workers=executor_options.get("workers") or 1,
        database=out / "abc.db",
        key=problem_key(base),
    )
    write_csv(posterior.particles, out / "posterior.csv", index=False)
    summary = posterior.summary()
    write_csv(summary, out / "posterior-summary.csv", index=False)
    write_csv(
        pd.DataFrame({"generation": range(len(posterior.epsilons)), "tolerance": posterior.epsilons}),
        out / "generations.csv",
        index=False,
    )
    plot_pairs(posterior, out / "pairs.png")
    # Posterior-predictive check: posterior draws rerun through the runner and store (resumable).
    needed = sorted({key for key in summary_keys() if key.endswith(("_total", "_per_year", "_mean"))})
    model = ScenarioModel(base, factors, needed, Store(out / "runs"), f"{config.name}-check", executor_options)
    points = posterior.draws(config.check_draws, config.seed).to_numpy(dtype=float)
    outputs = run_design(model, points, 1, progress)
    draws = pd.DataFrame(
        [
            {t.name: METRICS[t.name](row, scenario) for t in targets}
            for row, scenario in zip(outputs[needed].to_dict("records"), model.scenarios(points), strict=True)
        ]
    )
    write_csv(draws, out / "predictive.csv", index=False)
    check = predictive_check(draws, targets)
    write_csv(check, out / "predictive-check.csv", index=False)
    plot_predictive(draws, targets, out / "predictive.png")
    if posterior.fits:
        base_file = os.path.relpath(path.parent / config.scenario, out)
        integers = {f.name for f in factors if f.integer}
        write_atomically(out / "calibrated.yaml", calibrated_scenario(base_file, summary, config.name, integers))
    else:
        write_atomically(
            out / "NOT-FITTED.txt",
            f"No parameter set reproduced every target: the last tolerance was {posterior.epsilons[-1]:.2f} "
            "half-widths of a target band (1 or less is needed). See predictive-check.csv for which targets "
            "miss; widen the parameter ranges, add parameters, or question the targets.\n",
        )
    return Calibration(config, targets, posterior, check, out)
