"""How much a crackdown's effect on sellers rests on the two unsourced seller assumptions.

No published rate exists for how fast a selling group fills a position that an arrest opened
(`dealers.replacement_per_day`) or for the share of released sellers who go back to selling
(`prison.seller_return_share`). This runs the default town and a staffed crackdown (patrol 24 -> 72
hours a day, 20 officers) as pairs on the same seeds, one assumption at a time across its plausible
range with the other at its default, and prints a Markdown table: sellers in the last six months
of each arm and the crackdown's change in sellers and in failed purchases.

    python scripts/seller_assumptions.py                  # 2 years, seeds 0-1 (about 5 minutes)
    python scripts/seller_assumptions.py --years 1 --seeds 3
"""

from __future__ import annotations

import argparse

import numpy as np

import sim
from sim.planner.scenario import Scenario

SETTINGS = {
    "dealers.replacement_per_day": (0.0, 0.01, 0.02, 0.05, 0.1, 0.2),
    "prison.seller_return_share": (0.0, 0.25, 0.5, 0.75, 1.0),
}
DEFAULTS = {"dealers.replacement_per_day": 0.05, "prison.seller_return_share": 0.5}


def arm(path: str, value: float, crackdown: bool, years: float) -> Scenario:
    """The default town (or its staffed crackdown) with one seller assumption set."""
    scenario = sim.load_scenario("scenarios/baseline.yaml").model_copy(deep=True, update={"years": years})
    section, name = path.split(".")
    setattr(getattr(scenario, section), name, value)
    if crackdown:
        scenario.police.patrol_hours_per_day = 72.0
        scenario.officers.establishment = 20
    return scenario


def last_half_year(scenario: Scenario, seeds: range) -> tuple[float, float]:
    """Mean sellers working and failed purchases a day over the last 182 days, across seeds."""
    sellers, failed = [], []
    for seed in seeds:
        daily = sim.run(scenario, seed=seed).daily.iloc[-182:]
        sellers.append(daily["active_dealers"].mean())
        failed.append(daily["failed_purchases"].mean())
    return float(np.mean(sellers)), float(np.mean(failed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=float, default=2.0)
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args()
    seeds = range(args.seeds)
    print(f"{args.years:g}-year runs, seeds 0-{args.seeds - 1}, last six months; crackdown: 72 patrol hours a day")
    print()
    header = ["Assumption", "Value", "Sellers, default town", "Sellers, crackdown", "Change in sellers"]
    print("| " + " | ".join([*header, "Change in failed purchases"]) + " |")
    print("|---|---|---|---|---|---|")
    for path, values in SETTINGS.items():
        for value in values:
            base_sellers, base_failed = last_half_year(arm(path, value, False, args.years), seeds)
            hit_sellers, hit_failed = last_half_year(arm(path, value, True, args.years), seeds)
            mark = " (default)" if value == DEFAULTS[path] else ""
            print(
                f"| `{path}` | {value:g}{mark} | {base_sellers:.1f} | {hit_sellers:.1f} | "
                f"{hit_sellers / base_sellers - 1:+.0%} | {hit_failed / base_failed - 1:+.0%} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
