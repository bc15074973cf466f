"""Where treatment entries come from: the ADDER mix with capacity held against the default town.

The ADDER evaluation (Home Office 2025) found criminal-justice referrals rose while opiate
treatment entries did not. This runs the default town, the ADDER mix with treatment capacity held
and the funded mix on the same replicates and prints a Markdown table: referrals and entries (each
start of a course, what `treatment_entries` counts) by route; the same entries counted as treatment
journeys (a start within 21 days of leaving treatment continues the journey), as distinct people a
year, as people not in treatment in the year before, and as the National Treatment Agency's "new
presentations" (people not in treatment earlier in the same year); people in treatment against the places;
and exits by reason, which set how many places come free when capacity binds, with the exits to
prison traced back to the route each course began by; and the justice
pathway's events (arrests, diversions, remands, orders and their breaches, prison sentences)
that send people in treatment to prison and, with continuity of care, back into treatment.

    python scripts/treatment_entries.py                 # 3 replicates of 5 years (about 2 minutes)
    python scripts/treatment_entries.py --replicates 1 --years 3
    python scripts/treatment_entries.py --by-part       # the held mix without each part in turn (about 5 minutes)

With capacity held a queue forms, so every place that comes free is refilled and courses started
follow the exits. `--by-part` shows which parts of the mix drive them: it reruns the held mix with
the go-live settings of one part (prison links, enforcement, referral routes, retention support)
left at the baseline's.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

import sim
from sim.model.events import Event
from sim.model.treatment import EXIT_COLUMN, ROUTE_COLUMN, Exit, Route
from sim.planner.report.stats import mean_interval
from sim.research.evidence import events_of

SCENARIOS = ("baseline", "adder-mix-capacity-held", "adder-mix")
#: Events of the justice pathway counted for each run (event log names).
JUSTICE_EVENTS = (
    "person_arrested",
    "diverted",
    "diversion_breached",
    "remanded",
    "community_order",
    "order_breached",
    "sentenced_to_prison",
)
JOURNEY_GAP_DAYS = 21
#: The held mix's go-live settings by part of the mix, for `--by-part`.
PARTS = {
    "prison links": (
        "prison.treatment_from_entry",
        "prison.security_clearance_days",
        "prison.continuity_of_care",
        "prison.remand_continuity",
        "prison.friday_releases_moved",
    ),
    "enforcement": (
        "police.operation_hours_per_week",
        "police.high_harm_priority",
        "deterrence.active",
        "charging.cps_joint_working",
        "courts.person_prison_share",
    ),
    "referral routes": (
        "diversion.eligible_share",
        "diversion.treatment_condition_share",
        "custody.drug_worker_rota",
        "custody.lived_experience_share",
        "courts.treatment_requirement_share",
        "treatment.outreach_workers",
        "treatment.street_triage_hours_per_week",
    ),
    "retention support": (
        "treatment.recovery_support_share",
        "treatment.health_care_share",
        "treatment.family_support_share",
    ),
}


def counts(result: sim.RunResult) -> dict[str, float]:
    """One run's referrals, entries under several counting rules, stocks and exits."""
    daily, events = result.daily, result.events
    entered = events_of(events, Event.ENTERED_TREATMENT).sort_values("day")
    left = events_of(events, Event.LEFT_TREATMENT).sort_values("day")
    leaving = left[["day", "id"]].rename(columns={"day": "left"})
    since = pd.merge_asof(entered[["day", "id"]], leaving, left_on="day", right_on="left", by="id")
    gap = since["day"] - since["left"]
    last_year = daily.iloc[-365:]
    row: dict[str, float] = {
        "referrals": daily["treatment_referrals"].sum(),
        "entries (courses started)": daily["treatment_entries"].sum(),
    }
    row |= {f"  {column}": daily[column].sum() for column in ROUTE_COLUMN.values()}
    row |= {
        f"entries as journeys ({JOURNEY_GAP_DAYS}-day rule)": float((~(gap <= JOURNEY_GAP_DAYS)).sum()),
        "distinct people entering a year (summed)": float(
            since.assign(year=since["day"] // 365)[["id", "year"]].drop_duplicates().shape[0]
        ),
        "entries of people out of treatment a year": float((~(gap <= 365)).sum()),
        # The NTA's "new presentations": people entering in a year who were not in treatment earlier
        # that year (a restart after a stay in prison in the same year is not new).
        "new presentations (not in treatment earlier that year)": float(
            (~(since["left"] // 365 >= since["day"] // 365)).sum()
        ),
        "in treatment (mean)": daily["in_treatment"].mean(),
        "places (mean capacity)": daily["treatment_capacity"].mean(),
        "in treatment, last year": last_year["in_treatment"].mean(),
        "waiting list (mean)": daily["waiting_list"].mean(),
    }
    row |= {f"  {column}": daily[column].sum() for column in EXIT_COLUMN.values()}
    # Which courses end in prison: each exit to prison traced back to the route its course began by.
    to_prison = left[left["value"] == float(Exit.PRISON)][["day", "id"]]
    began = entered.rename(columns={"day": "began", "value": "route"})
    ended = pd.merge_asof(to_prison, began, left_on="day", right_on="began", by="id")
    row |= {
        f"  to prison, of courses begun by {route.name.lower()}": float((ended["route"] == route).sum())
        for route in Route
    }
    row["  to prison, of courses begun before day 0"] = float(ended["route"].isna().sum())
    # The justice pathway that sends people in treatment to prison and back (see exits_prison).
    happened = events["event"].value_counts()
    row |= {f"justice: {event.replace('_', ' ')}": float(happened.get(event, 0)) for event in JUSTICE_EVENTS}
    return row


def without(scenario: sim.Scenario, part: str) -> sim.Scenario:
    """The scenario with one part's timed changes left out (those settings stay at the baseline's)."""
    copy = scenario.model_copy(deep=True)
    copy.name = f"{scenario.name} without {part}"
    for change in copy.events:
        for lever in PARTS[part]:
            change.set.pop(lever, None)
    return copy


def replicate_counts(scenario: sim.Scenario, replicates: int) -> pd.DataFrame:
    """`counts` of each replicate, a row each (replicate r of every scenario shares its luck)."""
    return pd.DataFrame([counts(sim.run(scenario, replicate=r)) for r in range(replicates)])


def change(runs: pd.DataFrame, base: pd.DataFrame, key: str) -> str:
    """Change of the mean against the default town, with a 90% interval of the paired change."""
    if not base[key].mean():
        return ""
    ratio = (runs[key] / base[key].where(base[key] != 0)).dropna().to_numpy() - 1.0
    low, high = mean_interval(ratio)
    interval = f", {low:+.0%} to {high:+.0%}" if np.isfinite(low) else ""
    return f" ({runs[key].mean() / base[key].mean() - 1:+.0%}{interval})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=3)
    parser.add_argument("--years", type=float, default=5.0)
    parser.add_argument("--by-part", action="store_true", help="the held mix without each part of the mix in turn")
    args = parser.parse_args()
    scenarios = {
        name: sim.load_scenario(f"scenarios/{name}.yaml").model_copy(update={"years": args.years}) for name in SCENARIOS
    }
    if args.by_part:
        held = scenarios["adder-mix-capacity-held"]
        scenarios = {"baseline": scenarios["baseline"], "held": held} | {
            f"held without {part}": without(held, part) for part in PARTS
        }
    table = {name: replicate_counts(scenario, args.replicates) for name, scenario in scenarios.items()}
    names = list(table)
    base = table["baseline"]
    print(
        f"Mean of {args.replicates} replicates of {args.years:g} years; change against the default town in "
        "brackets, with a 90% interval of the paired change (replicate r of each scenario shares its luck)"
    )
    print()
    print("| Count | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for key in base.columns:
        cells = [f"{base[key].mean():,.0f}"]
        cells += [f"{table[name][key].mean():,.0f}{change(table[name], base, key)}" for name in names[1:]]
        print(f"| {key} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
