"""The `drugmarket` command: run and compare scenarios, check scenario files, generate references.

Every command that reads scenario files checks all of them first and, if any has a problem,
prints one line per problem (file, line, key, what was found, what is allowed), writes nothing
and exits with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from sim.planner.files import OutputError, ensure_folder, explain, write_atomically
from sim.planner.report import COST_PER_DEATH_AVERTED, Comparison, label_of, unit_of
from sim.planner.report.outcomes import unknown_outcomes
from sim.planner.report.verdict import verdict_text
from sim.planner.runner import Interrupted, SchedulerError, open_executor, plan, replicate_work, run_replicates
from sim.planner.scenario import Scenario, ScenarioError, load_scenario, load_scenarios, shown
from sim.planner.store import Store
from sim.research.commands import add_research_commands

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"

#: Exit statuses: 1 = some runs failed or files have problems (validate), 2 = bad input, 130 = Ctrl-C.
BAD_INPUT, INTERRUPTED = 2, 130


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, found {value}")
    return value


def _prepare(args: argparse.Namespace, files: list[str | Path]) -> tuple[list[Scenario], int]:
    """Load every scenario (all problems at once), apply command-line overrides, settle replicates.

    The baseline (first file) sets the master seed and replicates for everyone, so replicate r
    of every scenario starts from the same seed (common random numbers: streams by purpose and by
    individual, see docs/ODD.md).
    """
    scenarios = load_scenarios(files)
    baseline = scenarios[0]
    seed = baseline.seed if args.seed is None else args.seed
    overrides: dict[str, object] = {"seed": seed}
    if args.years is not None:
        overrides["years"] = args.years
    if args.replicates is not None:  # checked against the schema's limit before any job is built
        overrides["replicates"] = args.replicates
    adjusted, problems = [], []
    for scenario, path in zip(scenarios, files, strict=True):
        try:
            adjusted.append(Scenario.model_validate({**scenario.model_dump(), **overrides}))
        except ValidationError as err:
            for error in err.errors():
                option = "--" + ".".join(str(p) for p in error["loc"])
                problems.append(f"{shown(Path(path))}: {option}: {error['msg']}")
    problems += unknown_outcomes(args.outcomes)
    if problems:
        raise ScenarioError(problems)
    seen: dict[str, int] = {}
    for index, (scenario, path) in enumerate(zip(adjusted, files, strict=True)):
        if scenario.name in seen:  # two files with one name: tell them apart by file name
            adjusted[index] = scenario.model_copy(update={"name": f"{scenario.name}-{Path(path).stem}"})
        seen[adjusted[index].name] = index
    for scenario in adjusted:
        for warning in scenario.warnings():
            print(f"warning: {scenario.name}: {warning}", file=sys.stderr)
    return adjusted, args.replicates or baseline.replicates


def _execute(args: argparse.Namespace, scenarios: list[Scenario], replicates: int, out: Path) -> int:
    """Run what is missing, then write the tables and the report; returns the exit status."""
    store = Store(args.store or os.environ.get("DRUGMARKET_STORE") or Path("results") / ".store")  # shared
    task, posterior = {}, getattr(args, "posterior", None)
    if posterior:  # pair r runs posterior draw r (sim/research/posterior_runs.py)
        from sim.research.posterior_runs import describe, posterior_runs

        store, task["task"] = posterior_runs(store.root, posterior, replicates, scenarios[0].seed)
        print(describe(store.draws))
    where = f"dask scheduler {args.scheduler}" if args.scheduler else f"{args.workers or 'all'} local worker(s)"
    if args.dry_run:
        from sim.planner.executors import available_cores

        slots = args.workers or (1 if args.scheduler else available_cores())
        print(plan(replicate_work(scenarios, replicates), store, slots).describe(store, where))
        return 0
    ensure_folder(out)  # a file in the way or a read-only folder is reported before any run
    names = ", ".join(s.name for s in scenarios)
    print(f"{names}: {replicates} replicate(s) of {scenarios[0].years:g} years on {where}; results in {out}")
    try:
        with open_executor(args.workers, args.scheduler) as (executor, slots):
            batch = run_replicates(
                replicate_work(scenarios, replicates),
                store,
                executor,
                slots,
                progress=args.progress,
                description="runs",
                **task,
            )
    except Interrupted as stop:
        done = stop.batch.skipped + stop.batch.done
        print(
            f"\nInterrupted: {done} of {stop.batch.total} runs are saved in {store.root}. "
            "Run the same command again to carry on from there.",
            file=sys.stderr,
        )
        return INTERRUPTED
    except SchedulerError as err:
        print(err, file=sys.stderr)
        return BAD_INPUT
    print(
        f"{batch.done} run(s) done in {batch.seconds:.1f} s, {batch.skipped} already saved"
        + (f", {len(batch.failed)} failed" if batch.failed else "")
    )
    for name, replicate, last in batch.failed:
        print(f"  failed: {name} replicate {replicate}: {last}", file=sys.stderr)
    for death in batch.died:  # runs in flight on healthy workers were run again, not counted as failures
        print(f"  worker died: {death}", file=sys.stderr)
    comparison = Comparison.from_store(store, scenarios, replicates, args.outcomes)
    if not comparison.replicates:
        print("No replicate finished for every scenario: nothing to compare.", file=sys.stderr)
        return 1
    written = comparison.write(out)
    if posterior:
        store.draws.write(out)
    _print_headline(comparison)
    print(verdict_text(comparison))
    print(f"\nReport: {written['report.html'].resolve()}")
    print(f"Tables: {out / 'headline.csv'}, {out / 'comparison.csv'} (and .parquet); plots in {out / 'plots'}")
    return 1 if batch.failed else 0


def _print_headline(comparison: Comparison) -> None:
    """The headline outcomes on the terminal: one table per scenario compared with the baseline."""
    table = comparison.headline()
    baseline = comparison.baseline.name
    runs = len(comparison.replicates)
    base = table[table["scenario"] == baseline].set_index("outcome")
    for name in comparison.names[1:] or [baseline]:
        own = table[table["scenario"] == name].set_index("outcome")
        rows = []
        for key, entry in own.iterrows():
            unit = unit_of(key)
            row = {"outcome": label_of(key)}
            if key == COST_PER_DEATH_AVERTED:
                row[name] = _interval(entry["mean"], entry["low"], entry["high"], unit)
                row[name] += f" [{entry['note']}]" if entry.get("note") else ""
                rows.append(row)
                continue
            if name != baseline:
                row[baseline] = _interval(base.loc[key, "mean"], base.loc[key, "low"], base.loc[key, "high"], unit)
            row[name] = _interval(entry["mean"], entry["low"], entry["high"], unit)
            if name != baseline:
                ci = (entry["change_mean_ci_low"], entry["change_mean_ci_high"])
                row["average change (90% confidence)"] = _interval(entry["change"], *ci, unit)
                row["runs lower"] = f"{int(entry['runs_lower'])}/{int(entry['runs'])}"
            rows.append(row)
        frame = pd.DataFrame(rows).set_index("outcome").fillna("")
        if name == baseline:
            print(f"\n{name}: mean (90% of runs) over {runs} runs")
        else:
            print(f"\n{name} against {baseline}: mean (90% of runs) over {runs} paired runs, and the average change")
        with pd.option_context("display.width", 200, "display.max_colwidth", 60, "display.max_columns", 20):
            print(frame.to_string())


def _interval(mean: float, low: float, high: float, unit: str) -> str:
    def number(value: float) -> str:
        if pd.isna(value):
            return "–"
        if abs(value) < 1e-9:  # rounding noise of sums and percentiles
            return "0"
        if unit.startswith("GBP"):
            return f"£{value:,.0f}"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"

    if pd.isna(low) or pd.isna(high):
        return number(mean)
    return f"{number(mean)} ({number(low)} to {number(high)})"


def cmd_run(args: argparse.Namespace) -> int:
    file = args.scenario or DEFAULT_SCENARIO
    if args.scenario is None and not DEFAULT_SCENARIO.is_file():  # installed without the scenarios folder
        file = Path(tempfile.mkdtemp()) / "baseline.yaml"
        file.write_text("description: The built-in defaults.\n")
    scenarios, replicates = _prepare(args, [file])
    out = Path(args.out or Path("results") / scenarios[0].name)
    return _execute(args, scenarios, replicates, out)


def cmd_compare(args: argparse.Namespace) -> int:
    files = [args.baseline, *args.others]
    scenarios, replicates = _prepare(args, files)
    default = Path("results") / f"{scenarios[0].name}-vs-{'-'.join(s.name for s in scenarios[1:])}"[:120]
    return _execute(args, scenarios, replicates, Path(args.out or default))


def cmd_validate(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        try:
            scenario = load_scenario(path)
        except ScenarioError as err:
            failed += 1
            for problem in err.problems:
                print(problem, file=sys.stderr)
        else:
            for warning in scenario.warnings():
                print(f"{path}: warning: {warning}", file=sys.stderr)
            changes = f"{len(scenario.events)} timed change(s), {len(scenario.operations)} operation(s)"
            print(f"{path}: ok ({scenario.name}: {scenario.years:g} years, {changes})")
    if failed:
        print(f"{failed} of {len(args.files)} file(s) have problems", file=sys.stderr)
    return 1 if failed else 0


def cmd_list(args: argparse.Namespace) -> int:
    from sim.planner.library import scenario_library

    folder = Path(args.folder) if args.folder else DEFAULT_SCENARIO.parent
    if not folder.is_dir():
        print(f"{folder}: no such folder of scenarios", file=sys.stderr)
        return BAD_INPUT
    entries = scenario_library(folder)
    width = max((len(entry.name) for entry in entries), default=0)
    for entry in entries:
        if entry.valid:
            print(f"{entry.name:<{width}}  {entry.question}")
        else:
            print(f"{entry.name:<{width}}  DOES NOT VALIDATE: {entry.question}".rstrip())
            for problem in entry.problems:
                print(f"{'':<{width}}    {problem}")
    broken = sum(not entry.valid for entry in entries)
    print(f"{len(entries)} scenario(s) in {shown(folder)}" + (f", {broken} with problems" if broken else ""))
    return 1 if broken else 0


def cmd_schema(args: argparse.Namespace) -> int:
    from sim.planner.reference import json_schema_text

    text = json_schema_text()
    if args.out:
        Path(args.out).write_text(text)
        print(f"JSON Schema written to {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_evidence(args: argparse.Namespace) -> int:
    """Run the baseline's replicates and print + write the evidence table (docs/evidence.md)."""
    from sim.research import evidence

    if args.years is not None and not args.years > 0:
        print(f"--years must be more than 0, found {args.years}", file=sys.stderr)
        return BAD_INPUT
    scenario = load_scenario(args.scenario) if args.scenario else Scenario()
    if args.years:
        scenario.years = args.years
    rows = evidence.measure(scenario, args.replicates, workers=args.workers or 1, progress=args.progress)
    text = evidence.to_markdown(rows, args.replicates, scenario.years, scenario.seed, args.scenario or "")
    print(text)
    write_atomically(Path(args.out), text)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from sim.planner.reference import generated_files
    from sim.planner.town_figures import RUNS, measure_town, town_documents

    root = Path(args.root)
    stale = []
    print(f"measuring the default town ({RUNS} runs) for the figures in README.md and the guides", file=sys.stderr)
    for relative, text in {**generated_files(), **town_documents(root, measure_town())}.items():
        path = root / relative
        if args.check:
            if not path.is_file() or path.read_text() != text:
                stale.append(relative)
            continue
        write_atomically(path, text)
        print(f"wrote {path}")
    if stale:
        print(f"out of date: {', '.join(stale)}; run `drugmarket docs` to regenerate", file=sys.stderr)
        return 1
    return 0


def cmd_viz(args: argparse.Namespace) -> int:
    from sim.viz.launch import serve

    return serve(args.scenario, port=args.port, open_browser=not args.no_browser, host=args.host) or 0


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--replicates", type=_positive_int, help="runs per scenario (default: the baseline file's `replicates`)"
    )
    parser.add_argument("--seed", type=int, help="master seed (default: the baseline file's `seed`)")
    parser.add_argument("--years", type=float, help="override the horizon of every scenario")
    parser.add_argument("--workers", type=_positive_int, help="local worker processes (default: one per core)")
    parser.add_argument("--scheduler", help="run on a dask.distributed cluster at this address (tcp://host:8786)")
    parser.add_argument(
        "--outcomes",
        type=lambda text: [k.strip() for k in text.split(",") if k.strip()],
        help="comma-separated summary outcomes to show first (default: the curated headline list)",
    )
    parser.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, default=None, help="progress bar (default: on a terminal)"
    )
    parser.add_argument(
        "--store", help="saved runs shared by every command (default: $DRUGMARKET_STORE or results/.store)"
    )
    parser.add_argument("--dry-run", action="store_true", help="say how many runs are needed and how long; run none")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="drugmarket", description="Simulate a town's open drug market under a policy mix."
    )
    commands = parser.add_subparsers(dest="command")
    run_p = commands.add_parser("run", help="run a scenario's replicates (default: the bundled baseline town)")
    run_p.add_argument("scenario", nargs="?", help="scenario YAML file (default: scenarios/baseline.yaml)")
    _add_run_options(run_p)
    run_p.add_argument("--out", help="output folder (default: results/<scenario name>)")
    run_p.set_defaults(func=cmd_run)

    cmp_p = commands.add_parser("compare", help="compare scenarios with a baseline, run by run")
    cmp_p.add_argument("baseline", help="the baseline scenario file")
    cmp_p.add_argument("others", nargs="+", help="scenario files to compare with it")
    _add_run_options(cmp_p)
    cmp_p.add_argument("--out", help="output folder (default: results/<baseline>-vs-<others>)")
    cmp_p.add_argument("--posterior", help="posterior.csv of a calibration: pair r runs draw r of it")
    cmp_p.set_defaults(func=cmd_compare)

    val_p = commands.add_parser("validate", help="check scenario files and report every problem")
    val_p.add_argument("files", nargs="+")
    val_p.set_defaults(func=cmd_validate)

    list_p = commands.add_parser("list", help="list the scenarios in a folder, their questions and any problems")
    list_p.add_argument("folder", nargs="?", help="folder of scenario files (default: the bundled scenarios/)")
    list_p.set_defaults(func=cmd_list)

    schema_p = commands.add_parser("schema", help="print the scenario JSON Schema (for editors' autocomplete)")
    schema_p.add_argument("--out", help="write to this file instead of the screen")
    schema_p.set_defaults(func=cmd_schema)

    docs_p = commands.add_parser("docs", help="regenerate reference docs, JSON Schema, README town figures")
    docs_p.add_argument("--root", default=".", help="repository root (default: here)")
    docs_p.add_argument("--check", action="store_true", help="only check that the files are up to date")
    docs_p.set_defaults(func=cmd_docs)

    add_research_commands(commands, positive_int=_positive_int)

    ev_p = commands.add_parser("evidence", help="run the baseline and compare the model with published figures")
    ev_p.add_argument("scenario", nargs="?", help="scenario YAML file (default: the baseline town)")
    ev_p.add_argument("--replicates", type=_positive_int, default=10, help="runs to pool (default 10)")
    ev_p.add_argument("--years", type=float, help="horizon of each run (default: the scenario's)")
    ev_p.add_argument("--workers", type=_positive_int, help="local worker processes (default 1)")
    ev_p.add_argument("--out", default="docs/evidence.md", help="where to write the table (default docs/evidence.md)")
    ev_p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True, help="progress bar")
    ev_p.set_defaults(func=cmd_evidence)

    viz_p = commands.add_parser("viz", help="open the workshop page in a browser")
    viz_p.add_argument("scenario", nargs="?", help="scenario shown first (default: the baseline)")
    viz_p.add_argument("--port", type=int, default=8765, help="port on this machine (default 8765)")
    viz_p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    viz_p.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    viz_p.set_defaults(func=cmd_viz)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    # Bare `drugmarket`, `drugmarket FILE.yaml` and `drugmarket --replicates 3` mean `run`.
    if not argv or argv[0].endswith((".yaml", ".yml")) or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["run", *argv]
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ScenarioError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return BAD_INPUT
    except OutputError as err:
        print(err, file=sys.stderr)
        return BAD_INPUT
    except OSError as err:  # an output folder that cannot be made or written
        print(f"cannot write {err.filename or 'the output'}: {explain(err)}", file=sys.stderr)
        return BAD_INPUT
