"""How street sellers answer sustained enforcement: is there a tipping point?

Kleiman (1993) and Caulkins (1993) argue that a local market can tip: with a fixed amount of
enforcement, each seller who leaves raises the risk of those who stay, until the market
collapses and stays small once enforcement is withdrawn. This runs the default town with patrol
raised and the drug team sized to deliver it (officers in proportion to patrol hours), and prints
sellers, price, perceived risk, earnings and seller arrests over the last 90 days, so a threshold
(a sudden fall between two levels) or a smooth decline can be seen. The last column reruns each
level with patrol back at the default halfway through: sellers at the end show whether the
market stays small after enforcement stops (tipped) or grows back.

    python scripts/seller_response.py                 # 4 levels x 2 seeds of 2 years (about 1 minute)
    python scripts/seller_response.py --levels 1 2 3 4 6 --seeds 3 --years 3
    python scripts/seller_response.py --set market.risk_share=0   # a price that cannot follow risk
"""

from __future__ import annotations

import argparse

import numpy as np
import yaml

import sim
from sim.planner.scenario import TimedChange
from sim.research.pairing import shortened, with_levers

BASE_PATROL, BASE_TEAM = 24.0, 8


def measure(scale: float, seeds: int, years: float, settings: dict[str, object] | None = None) -> dict[str, float]:
    """Means over seeds of the last 90 days of runs with patrol and team `scale` times the default
    (and any other `settings`, such as a price that cannot follow risk)."""
    scenario = with_levers(
        shortened(sim.load_scenario("scenarios/baseline.yaml"), years),
        f"enforcement x{scale:g}",
        **{"police.patrol_hours_per_day": BASE_PATROL * scale, "officers.establishment": round(BASE_TEAM * scale)},
        **(settings or {}),
    )
    stopped = scenario.model_copy(deep=True)
    halfway = int(scenario.days // 2)
    stopped.events.append(TimedChange(day=halfway, set={"police.patrol_hours_per_day": BASE_PATROL}, note="stops"))
    rows = []
    for seed in range(1, seeds + 1):
        after = sim.run(stopped, seed=seed).daily["active_dealers"].iloc[-90:].mean()
        daily = sim.run(scenario, seed=seed).daily
        last = daily.iloc[-90:]
        rows.append(
            [
                last["patrol_hours"].mean(),
                last["active_dealers"].mean(),
                last["street_price"].mean(),
                last["mean_dealer_risk"].mean(),
                last["mean_dealer_earnings"].mean(),
                last["dealer_arrests"].sum() * 365 / 90,
                after,
            ]
        )
    keys = ("patrol delivered", "sellers", "price", "risk", "earnings", "arrests a year", "sellers after it stops")
    return dict(zip(keys, np.mean(rows, axis=0), strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=float, nargs="+", default=[1, 3, 6, 12], help="multiples of the default")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--years", type=float, default=2.0)
    parser.add_argument(
        "--set",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help="other settings for every run, e.g. market.risk_share=0 (a price that cannot follow risk)",
    )
    args = parser.parse_args()
    settings = {key: yaml.safe_load(value) for key, value in (item.split("=", 1) for item in args.set)}
    changed = "".join(f", {key} = {value}" for key, value in settings.items())
    print(f"Default town{changed}, last 90 days of {args.years:g}-year runs, mean of {args.seeds} seeds")
    print()
    print(
        "| Patrol x | Team | Patrol delivered (officer-hours/day) | Sellers | Price (GBP/g) | "
        "Perceived risk (/day) | Earnings (GBP/day) | Seller arrests a year | Sellers, stopped halfway |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for scale in args.levels:
        m = measure(scale, args.seeds, args.years, settings)
        print(
            f"| {scale:g} | {round(BASE_TEAM * scale)} | {m['patrol delivered']:.0f} | {m['sellers']:.1f} | "
            f"{m['price']:.0f} | {m['risk']:.3f} | {m['earnings']:.0f} | {m['arrests a year']:.0f} | "
            f"{m['sellers after it stops']:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
