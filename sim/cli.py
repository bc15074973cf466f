"""The `drugmarket` command: run scenarios and check scenario files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from sim.runner import RunResult, run
from sim.scenario import Scenario, ScenarioError, load_scenario

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"

#: Outcomes shown in the printed summary, with the words a planner would use.
HEADLINE = {
    "overdose_deaths_per_year": "Overdose deaths a year",
    "overdoses_per_year": "Overdoses a year",
    "naloxone_reversals_per_year": "Naloxone reversals a year",
    "offences_per_year": "Drug-related offences a year",
    "dependent_users_mean": "People with dependent use out of treatment (mean)",
    "people_using_mean": "People using (mean)",
    "new_initiates_per_year": "New initiates a year",
    "active_dealers_mean": "Active street sellers (mean)",
    "transactions_per_year": "Purchases a year",
    "mean_search_time_mean": "Search time, hours (mean)",
    "arrests_per_year": "Arrests a year",
    "dealer_arrests_per_year": "Seller arrests a year",
    "dependent_use_total_mean": "People with dependent use incl. treatment and prison (mean)",
    "in_treatment_mean": "People in treatment (mean)",
    "waiting_list_mean": "People waiting for treatment (mean)",
    "mean_wait_days_mean": "Wait for a place, days (mean)",
    "treatment_entries_per_year": "Treatment entries a year",
    "custody_referrals_per_year": "Custody drug-worker referrals a year",
    "entries_custody_per_year": "Entries after a custody referral a year",
    "diversions_per_year": "Diversions with a treatment condition a year",
    "charges_per_year": "Charges a year",
    "mean_charge_delay_mean": "Charge delay, days (mean)",
    "prison_population_mean": "Prison population from the market (mean)",
    "cost_police_per_year": "Cost: police time, GBP a year",
    "cost_custody_per_year": "Cost: custody, GBP a year",
    "cost_prosecution_per_year": "Cost: prosecution (CPS), GBP a year",
    "cost_courts_per_year": "Cost: courts, GBP a year",
    "cost_prison_per_year": "Cost: prison, GBP a year",
    "cost_treatment_per_year": "Cost: treatment, GBP a year",
    "cost_naloxone_per_year": "Cost: naloxone, GBP a year",
    "cost_emergency_per_year": "Cost: ambulance and A&E, GBP a year",
    "cost_total_per_year": "Cost: all agencies, GBP a year",
}


def _scenario(path: str | None) -> tuple[Scenario, str]:
    if path is None:
        if DEFAULT_SCENARIO.is_file():
            return load_scenario(DEFAULT_SCENARIO), str(DEFAULT_SCENARIO)
        return Scenario(), "built-in defaults"
    return load_scenario(path), path


def summary_table(results: list[RunResult]) -> pd.DataFrame:
    """Mean and 90% interval across replicates of the headline outcomes."""
    table = pd.DataFrame([r.summary for r in results])
    rows = []
    for key, label in HEADLINE.items():
        values = table[key]
        rows.append(
            {
                "outcome": label,
                "mean": values.mean(),
                "low (5%)": values.quantile(0.05),
                "high (95%)": values.quantile(0.95),
            }
        )
    return pd.DataFrame(rows).set_index("outcome")


def cmd_run(args: argparse.Namespace) -> int:
    scenario, source = _scenario(args.scenario)
    if args.years is not None:
        scenario.years = args.years
    replicates = args.replicates or 1
    seed = scenario.seed if args.seed is None else args.seed
    out = Path(args.out or Path("results") / scenario.name)
    out.mkdir(parents=True, exist_ok=True)
    print(f"Running {scenario.name!r} from {source}: {scenario.years:g} years, {replicates} replicate(s)")
    results = []
    for index in range(replicates):
        result = run(scenario, seed=seed + index)
        folder = out / f"replicate-{index:03d}"
        folder.mkdir(exist_ok=True)
        result.daily.to_csv(folder / "daily.csv", index=False)
        result.events.to_csv(folder / "events.csv", index=False)
        results.append(result)
    table = summary_table(results)
    with pd.option_context("display.float_format", "{:,.1f}".format, "display.width", 120):
        print(table.to_string())
    table.to_csv(out / "summary.csv")
    print(f"\nDaily tables and event logs written to {out.resolve()}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        try:
            load_scenario(path)
        except ScenarioError as err:
            failed += 1
            for problem in err.problems:
                print(problem, file=sys.stderr)
        else:
            print(f"{path}: ok")
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="drugmarket", description="Simulate a town's open drug market under a policy mix."
    )
    commands = parser.add_subparsers(dest="command")
    run_p = commands.add_parser("run", help="run a scenario (default: the bundled baseline town)")
    run_p.add_argument("scenario", nargs="?", help="scenario YAML file")
    run_p.add_argument("--replicates", type=int, help="number of runs (default 1)")
    run_p.add_argument("--seed", type=int, help="master seed (default: the scenario's)")
    run_p.add_argument("--years", type=float, help="override the scenario's horizon")
    run_p.add_argument("--out", help="output folder (default results/<scenario name>)")
    run_p.set_defaults(func=cmd_run)
    val_p = commands.add_parser("validate", help="check scenario files and report every problem")
    val_p.add_argument("files", nargs="+")
    val_p.set_defaults(func=cmd_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["run", *(argv or [])])
    try:
        return args.func(args)
    except ScenarioError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return 2
