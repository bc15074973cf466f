"""Focused deterrence that delivers its promises against the same programme with delivery lowered.

Runs the focused-deterrence scenario without the programme, with swift charging (all cases worked
up with the prosecutor), as written, with slow charging and no prosecutor joint working, and with
slow charging and no group sanctions (fewer arrests of warned groups), over the same seeds, and
prints for the period from go-live: the mean credibility among warned groups, sellers who left
while their group was warned, all exits, the mean number of active sellers, seller arrests, the
mean charge delay, and the weight of each kind of outcome warned groups saw.

    python scripts/credibility_delivery.py                 # 2 years, seeds 0-2
    python scripts/credibility_delivery.py --years 1 --seeds 5
"""

from __future__ import annotations

import argparse

import numpy as np

import sim
from sim.model.credibility import exits_while_warned
from sim.model.model import DrugMarketModel
from sim.planner.scenario import Scenario

#: Delivery lowered: charging decisions slow, none in custody, no joint working with the prosecutor.
SLOW_CHARGING = {
    "cps_joint_working": 0.0,
    "decision_days": 60.0,
    "forensic_decision_days": 270.0,
    "decided_in_custody_share": 0.2,
}
#: Delivery raised: every case worked up with the prosecutor, decisions in custody where possible.
SWIFT_CHARGING = {"cps_joint_working": 1.0, "decided_in_custody_share": 0.8}


def variant(scenario: Scenario, charging: dict[str, float], years: float) -> Scenario:
    """The scenario over `years` with these charging levers."""
    out = scenario.model_copy(deep=True, update={"years": years})
    for name, value in charging.items():
        setattr(out.charging, name, value)
    return out


def measure(scenario: Scenario, seed: int) -> dict[str, float]:
    """Credibility, exits while warned and sellers, from the programme's go-live to the end."""
    model = DrugMarketModel(scenario, rng=np.random.SeedSequence(seed))
    model.run()
    daily = model.record.frame(scenario.start_date)
    go_live = min((c.day for c in scenario.events if c.set.get("deterrence.active")), default=0)
    live = daily[daily["day"] >= go_live]
    group_of = model.dealers.group[: model.dealers.n]
    warned_days = scenario.deterrence.repeat_call_in_days
    return {
        "mean_credibility": float(live["mean_credibility"].mean()),
        "warned_exits": float(exits_while_warned(model.log.frame(), group_of, warned_days)),
        "all_exits": float(live["dealers_exited"].sum()),
        "active_dealers": float(live["active_dealers"].mean()),
        "seller_arrests": float(live["dealer_arrests"].sum()),
        "mean_charge_delay": float(live.loc[live["mean_charge_delay"] > 0, "mean_charge_delay"].mean()),
        **{f"seen_{kind}": weight for kind, weight in model.deterrence.credibility.tally.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="scenarios/focused-deterrence.yaml")
    parser.add_argument("--years", type=float, default=2.0)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    base = sim.load_scenario(args.scenario)
    arms = {
        "no programme": ({}, None),
        "swift": (SWIFT_CHARGING, True),
        "as written": ({}, True),
        "slow": (SLOW_CHARGING, True),
        "slow, no group sanctions": (SLOW_CHARGING, False),
    }
    for name, (charging, sanctions) in arms.items():
        scenario = variant(base, charging, args.years)
        if sanctions is None:
            scenario.events = [c for c in scenario.events if "deterrence.active" not in c.set]
        else:
            scenario.deterrence.group_sanctions = sanctions
        rows = [measure(scenario, seed) for seed in range(args.seeds)]
        keys = rows[0].keys()
        cells = "  ".join(f"{k} {np.mean([r[k] for r in rows]):.3f}" for k in keys)
        print(f"{name}: {cells}", flush=True)
        print("    per seed: " + "; ".join(", ".join(f"{r[k]:.3g}" for k in keys) for r in rows), flush=True)


if __name__ == "__main__":
    main()
