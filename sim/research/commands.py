"""The researchers' commands: `sweep`, `analyze`, `calibrate`, `discover` and `frontier`.

They share one shape (an experiment file in, a results folder out, resumable through the run
store, `--dry-run` to see the runs and time first), so they live together here and `sim.cli`
adds them to the `drugmarket` command with `add_research_commands`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

#: Exit status after Ctrl-C, as for every `drugmarket` command.
INTERRUPTED = 130


def _out_folder(args: argparse.Namespace, kind: str, name: str) -> Path:
    """Where a research command writes: `--out`, or results/<kind>/<name>."""
    return Path(args.out or Path("results") / kind / name)


def _long_job(args: argparse.Namespace, kind: str, name: str, job):  # type: ignore[no-untyped-def]
    """Run a sweep or calibration into results/<kind>/<name>; returns (result, out) or an exit status."""
    out = _out_folder(args, kind, name)
    out.mkdir(parents=True, exist_ok=True)
    try:
        return job(out, {"workers": args.workers, "scheduler": args.scheduler}, args.progress), out
    except KeyboardInterrupt:  # the runner's Interrupted, or Ctrl-C inside pyabc's sampler
        saved = "finished runs and ABC generations" if kind == "calibration" else "finished runs"
        print(f"\nInterrupted: {saved} are saved in {out}; run the same command to carry on.")
        return INTERRUPTED, out
    except RuntimeError as err:
        print(f"{err}\nRun the same command again to retry the failed runs.", file=sys.stderr)
        return 1, out


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim.research.sensitivity import dry_run, load_experiment, sweep

    overrides = {"samples": args.samples, "years": args.years}
    experiment, _, _ = load_experiment(args.experiment, **overrides)  # every problem before anything is written
    if args.dry_run:
        print(dry_run(args.experiment, _out_folder(args, "sweeps", experiment.name), **overrides))
        return 0
    print(f"Sensitivity experiment {experiment.name!r} ({experiment.method})")
    result, out = _long_job(args, "sweeps", experiment.name, lambda *a: sweep(args.experiment, *a, **overrides))
    return result if isinstance(result, int) else _show_sensitivity(result, out)


def cmd_analyze(args: argparse.Namespace) -> int:
    from sim.research.sensitivity import reanalyse

    return _show_sensitivity(reanalyse(Path(args.folder)), Path(args.folder))


def _show_sensitivity(result, out: Path) -> int:  # type: ignore[no-untyped-def]
    with pd.option_context("display.float_format", "{:.3f}".format, "display.width", 140):
        print(result.to_frame().to_string(index=False))
        print("\nShare of single-run variance from seeds:\n" + result.noise.to_string())
    print("\n".join(["", *result.notes, *(f"WARNING: {w}" for w in result.warnings)]))
    print(f"\nIndices, every replicate's outputs, notes.txt and sensitivity.png written to {out}")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from sim.research.calibration import calibrate, dry_run, generations_done, load_calibration, unmovable_targets

    config, base, targets = load_calibration(args.config)
    if args.dry_run:
        print(dry_run(args.config, _out_folder(args, "calibration", config.name)))
        return 0
    for warning in unmovable_targets(list(config.parameters), targets):
        print(f"WARNING: {warning}", file=sys.stderr)
    print(f"Calibration {config.name!r}: ABC-SMC, {config.population} particles x {config.generations} generations")
    out = _out_folder(args, "calibration", config.name)
    try:
        done = generations_done(config, base, targets, out)
    except RuntimeError as err:
        print(err, file=sys.stderr)
        return 1
    if done:
        finished = min(done, config.generations)
        print(f"Carrying on from {out / 'abc.db'}: {finished} of {config.generations} generations already finished")
    result, out = _long_job(args, "calibration", config.name, lambda *a: calibrate(args.config, *a))
    if isinstance(result, int):
        return result
    with pd.option_context("display.float_format", "{:.4g}".format, "display.width", 160):
        print(result.posterior.summary().to_string(index=False))
        print("\nPosterior-predictive check:\n" + result.check.drop(columns="source").to_string(index=False))
    print(f"\nTolerance by generation (target half-widths): {[round(e, 2) for e in result.posterior.epsilons]}")
    if result.fits:
        print(f"Posterior medians written as a scenario: {out / 'calibrated.yaml'}")
    else:
        print(f"NOTHING FITS: no parameter set met every target; see {out / 'NOT-FITTED.txt'}. No calibrated.yaml.")
    print(f"posterior.csv, posterior-summary.csv, pairs.png, predictive-check.csv and predictive.png in {out}")
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    from sim.research.discovery_experiment import discover, dry_run, load_discovery

    spec, _, _ = load_discovery(args.experiment)
    if args.dry_run:
        print(dry_run(args.experiment, _out_folder(args, "discovery", spec.name)))
        return 0
    print(f"Scenario discovery {spec.name!r}: which inputs keep {spec.question()}")
    result, out = _long_job(args, "discovery", spec.name, lambda *a: discover(args.experiment, *a))
    if isinstance(result, int):
        return result
    with pd.option_context("display.float_format", "{:.3g}".format, "display.width", 160):
        print("\nShare of the uncertain space where each policy meets the criteria:\n" + result.shares.to_string())
        print("\nPRIM boxes:\n" + (result.stats.to_string(index=False) if len(result.stats) else "none"))
        if len(result.limits):
            print(result.limits[result.limits["restricted"].astype(bool)].to_string(index=False))
        print("\nFeature scores (which inputs drive each outcome):\n" + result.scores.to_string())
    print("\n" + "\n".join(result.notes()))
    print(f"\nexperiments.csv, policies.csv, prim-boxes.csv/.png, feature-scores.csv/.png and notes.txt in {out}")
    return 0


def cmd_frontier(args: argparse.Namespace) -> int:
    from sim.research.frontier import dry_run, frontier, load_frontier

    spec, _, _ = load_frontier(args.experiment)
    if args.dry_run:
        print(dry_run(args.experiment, _out_folder(args, "frontier", spec.name)))
        return 0
    print(f"Cost-effectiveness frontier {spec.name!r}: NSGA-II over {', '.join(spec.levers)}")
    result, out = _long_job(args, "frontier", spec.name, lambda *a: frontier(args.experiment, *a))
    if isinstance(result, int):
        return result
    with pd.option_context("display.float_format", "{:,.3f}".format, "display.width", 160):
        print("\nFrontier (no other mix is better on every objective):\n" + result.frontier.to_string(index=False))
    print("\n" + "\n".join(result.notes()))
    print(f"\nfrontier.csv, all-candidates.csv, frontier.png and notes.txt in {out}")
    return 0


def add_research_commands(commands: argparse._SubParsersAction, positive_int: Callable[[str], int]) -> None:
    """Add the research commands to `drugmarket`'s sub-commands."""
    for name, helptext, target in (
        ("sweep", "run a sensitivity experiment (experiments/*.yaml) and analyse it with SALib", "experiment"),
        ("calibrate", "fit uncertain parameters to published figures (calibration/*.yaml)", "config"),
        ("discover", "which lever mixes meet criteria across uncertainties (PRIM, feature scores)", "experiment"),
        ("frontier", "cost-effectiveness frontier across lever mixes (NSGA-II, pymoo)", "experiment"),
    ):
        sub = commands.add_parser(name, help=helptext)
        sub.add_argument(target, help="the experiment or calibration file")
        sub.add_argument("--workers", type=positive_int, help="local worker processes (default: one per core)")
        sub.add_argument("--scheduler", help="run on a dask.distributed cluster at this address")
        sub.add_argument("--out", help="output folder (default: results/<kind>/<name>)")
        sub.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None, help="progress bar")
        handlers = {"sweep": cmd_sweep, "calibrate": cmd_calibrate, "discover": cmd_discover, "frontier": cmd_frontier}
        sub.set_defaults(func=handlers[name])
        sub.add_argument("--dry-run", action="store_true", help="show the runs and estimated time; run nothing")
        if name == "sweep":
            sub.add_argument("--samples", type=positive_int, help="override the file's samples")
            sub.add_argument("--years", type=float, help="override the file's horizon")

    ana_p = commands.add_parser("analyze", help="re-analyse a sweep's stored runs without rerunning them")
    ana_p.add_argument("folder", help="a sweep's output folder (results/sweeps/<name>)")
    ana_p.set_defaults(func=cmd_analyze)
