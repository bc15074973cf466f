"""Calibration: which values of the uncertain parameters reproduce a town's real figures.

A calibration config names a base scenario, a targets file (CSV: target, value, low, high, unit,
source) and the parameters to fit (ranges default to the schema's plausible ranges). Candidate
parameter sets are drawn by Latin hypercube, each run with the same replicate seeds, and scored by
how far the simulated figures fall from each target, measured in half-widths of the target's
plausible band. Sets that land inside every band are accepted (approximate Bayesian computation
by rejection); the best set is written out as a scenario that extends the base, ready to use.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field

from sim.planner.scenario import Scenario, ScenarioError, load_scenario, read_settings
from sim.planner.store import Store
from sim.research.experiment import (
    Factor,
    Range,
    ScenarioModel,
    averaged,
    lever_factor,
    lever_factors,
    run_design,
    summary_keys,
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


class CalibrationConfig(BaseModel):
    """A calibration, as read from `calibration/*.yaml`."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    scenario: str = Field(description="Base scenario file, relative to this file.")
    targets: str = Field(description="Targets CSV, relative to this file.")
    parameters: dict[str, Range | None] = Field(min_length=1)
    samples: int = Field(64, ge=2, le=100_000, description="Candidate parameter sets.")
    replicates: int = Field(2, ge=1, le=100, description="Runs per candidate, averaged.")
    years: float | None = Field(None, gt=0, le=30)
    seed: int = Field(1, ge=0)


@dataclass
class Target:
    name: str
    value: float
    low: float
    high: float
    unit: str
    source: str


def read_targets(path: Path) -> list[Target]:
    """Read and check a targets CSV (every target must be a known metric with a source)."""
    try:
        table = pd.read_csv(path)
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
    base = load_scenario(path.parent / config.scenario)
    if config.years is not None:
        base.years = config.years
    targets = read_targets(path.parent / config.targets)
    lever_factors(path, lines, config.parameters)
    return config, base, targets


def candidates(config: CalibrationConfig, factors: list[Factor]) -> np.ndarray:
    """Latin hypercube draws over the parameter ranges."""
    from scipy.stats import qmc

    lows, highs = np.array([[f.low, f.high] for f in factors]).T
    unit = qmc.LatinHypercube(d=len(factors), seed=np.random.default_rng(config.seed)).random(config.samples)
    return qmc.scale(unit, lows, highs)


def score(summaries: list[dict], scenarios: list[Scenario], targets: list[Target]) -> pd.DataFrame:
    """Each candidate's simulated figures, its distance from the targets and whether it fits all."""
    rows = []
    for summary, scenario in zip(summaries, scenarios, strict=True):
        row = {t.name: METRICS[t.name](summary, scenario) for t in targets}
        gaps = [(row[t.name] - t.value) / max((t.high - t.low) / 2, 1e-12) for t in targets]
        row["distance"] = float(np.sqrt(np.nanmean(np.square(gaps)))) if gaps else 0.0
        row["fits_all"] = all(t.low <= row[t.name] <= t.high for t in targets)
        rows.append(row)
    return pd.DataFrame(rows)


def calibrated_scenario(base_file: str, best: pd.Series, levers: list[str], name: str) -> str:
    """YAML text of a scenario that extends the base with the best-fitting values."""
    nested: dict = {}
    for lever in levers:
        section, field = lever.split(".", 1)
        value = best[lever]
        nested.setdefault(section, {})[field] = value.item() if hasattr(value, "item") else value
    header = (
        f"# Calibrated by `drugmarket calibrate` ({name}): the best-fitting candidate.\n"
        "# See fit.csv beside this file for how close each target came.\n"
    )
    body = {"extends": base_file, "name": f"{name}-calibrated", **nested}
    return header + yaml.safe_dump(body, sort_keys=False)


def plot_fit(fit: pd.DataFrame, targets: list[Target], path: Path, keep: int = 10) -> Path:
    """For each target: its band, and where the best candidates and all candidates landed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    best = fit.nsmallest(keep, "distance")
    fig, axes = plt.subplots(len(targets), 1, figsize=(7, 1.3 + 1.1 * len(targets)), squeeze=False)
    for ax, target in zip(axes[:, 0], targets, strict=True):
        ax.axvspan(target.low, target.high, color="#c7e9c0", label="target band")
        ax.axvline(target.value, color="#238b45", lw=2, label="target")
        ax.plot(fit[target.name], np.full(len(fit), 0.3), "|", color="#999999", ms=12, label="all candidates")
        ax.plot(best[target.name], np.full(len(best), 0.7), "o", color="#d95f02", label=f"best {len(best)}")
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        ax.set_title(f"{target.name} ({target.unit})", fontsize=9, loc="left")
    axes[0, 0].legend(loc="upper right", fontsize=7, ncol=4)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


@dataclass
class Calibration:
    """Every candidate's parameters and fit, best first, and where the outputs went."""

    config: CalibrationConfig
    targets: list[Target]
    fit: pd.DataFrame
    folder: Path

    @property
    def accepted(self) -> pd.DataFrame:
        return self.fit[self.fit["fits_all"]]


def calibrate(
    path: str | Path, out: Path, executor_options: dict[str, Any], progress: bool | None = None
) -> Calibration:
    """Run (or resume) a calibration and write fit.csv, fit.png and calibrated.yaml to `out`."""
    path = Path(path).resolve()
    config, base, targets = load_calibration(path)
    factors = [lever_factor(lever, given) for lever, given in config.parameters.items()]
    needed = sorted({key for key in summary_keys() if key.endswith(("_total", "_per_year", "_mean"))})
    model = ScenarioModel(base, factors, needed, Store(out / "runs"), config.name, executor_options)
    points = candidates(config, factors)
    outputs = run_design(model, points, config.replicates, progress)
    scenarios = model.scenarios(points)
    table = outputs.groupby("point")[[f.name for f in factors]].first().reset_index(drop=True)
    means = averaged(outputs, needed).reset_index(drop=True)
    fit = pd.concat([table, score(means.to_dict("records"), scenarios, targets)], axis=1)
    fit = fit.sort_values("distance").reset_index(drop=True)
    fit.to_csv(out / "fit.csv", index=False)
    plot_fit(fit, targets, out / "fit.png")
    base_file = os.path.relpath(path.parent / config.scenario, out)
    (out / "calibrated.yaml").write_text(
        calibrated_scenario(base_file, fit.iloc[0], list(config.parameters), config.name)
    )
    return Calibration(config, targets, fit, out)
