"""How well common random numbers pair a comparison.

Two scenarios run with the same replicate seed should share the town's luck, so that their
difference shows the policy and not the dice. This measures it: for each pair the same seed runs
both scenarios; the correlation of the paired outcomes and the ratio of the paired difference's
standard deviation to one arm's say how much noise the pairing removes (a ratio of 0.5 means a
quarter of the runs give the same precision as unpaired arms).

    python -m sim.research.pairing scenarios/treatment-expansion.yaml --pairs 8 --years 5
    python -m sim.research.pairing --set police.patrol_hours_per_day=30 --pairs 8 --years 5
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from sim.planner.levers import set_lever
from sim.planner.runner import run
from sim.planner.scenario import Scenario, load_scenario

#: Summary outcomes the pairing is judged on: offences, people in treatment, sellers, overdoses.
OUTCOMES = ["offences_per_year", "in_treatment_mean", "active_dealers_mean", "overdoses_per_year"]


def paired_noise(
    base: Scenario, treated: Scenario, pairs: int, seed: int = 1, outcomes: list[str] = OUTCOMES
) -> pd.DataFrame:
    """Per outcome: correlation of paired runs, sd of one arm, sd of the paired difference, ratio."""
    rows_base, rows_treated = [], []
    for replicate in range(pairs):
        rows_base.append(run(base, seed=seed, replicate=replicate).summary)
        rows_treated.append(run(treated, seed=seed, replicate=replicate).summary)
    a, b = pd.DataFrame(rows_base)[outcomes], pd.DataFrame(rows_treated)[outcomes]
    arm_sd = np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2.0)
    diff_sd = (b - a).std(ddof=1)
    return pd.DataFrame(
        {
            "correlation": [float(np.corrcoef(a[k], b[k])[0, 1]) for k in outcomes],
            "arm_sd": arm_sd.to_numpy(),
            "difference_sd": diff_sd.to_numpy(),
            "ratio": (diff_sd / arm_sd).to_numpy(),
        },
        index=outcomes,
    )


def shortened(scenario: Scenario, years: float) -> Scenario:
    """The scenario over `years` (timed changes after the end are dropped)."""
    copy = scenario.model_copy(deep=True)
    copy.years = years
    copy.events = [change for change in copy.events if change.day < copy.days]
    return copy


def with_levers(scenario: Scenario, name: str, **levers: float) -> Scenario:
    """A copy of `scenario` with some levers changed from day 0 (a modest lever change)."""
    copy = scenario.model_copy(deep=True)
    copy.name = name
    for path, value in levers.items():
        set_lever(copy, path, value)
    return copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("treated", nargs="?", help="scenario compared with the baseline (default: the baseline)")
    parser.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", help="a lever changed from day 0")
    parser.add_argument("--base", default="scenarios/baseline.yaml")
    parser.add_argument("--pairs", type=int, default=8)
    parser.add_argument("--years", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    base = shortened(load_scenario(args.base), args.years)
    treated = shortened(load_scenario(args.treated or args.base), args.years)
    if args.set:
        changes = dict(item.split("=", 1) for item in args.set)
        treated = with_levers(treated, treated.name + "+levers", **{k: float(v) for k, v in changes.items()})
    table = paired_noise(base, treated, args.pairs, args.seed)
    print(table.round(3).to_string())


if __name__ == "__main__":
    main()
