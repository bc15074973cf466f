"""Runs per minute of a replicate sweep on 1 and 2 workers (target: 2 workers at least 1.7x as fast).

Measures the whole path a command takes: executor start-up, the model runs, shipping each run's
tables back as Parquet and saving them in the store. One worker runs in the calling process (as
`--workers 1` does); more workers are a process pool (as `--workers N`); `--dask` adds a local
dask.distributed cluster with the nanny's MALLOC_TRIM_THRESHOLD_ unset, and with it left at
dask's default, to show what that pitfall costs.

    PYTHONPATH=. python benchmarks/runs_per_minute.py            # 8 runs of the 5-year town, 3 times each
    PYTHONPATH=. python benchmarks/runs_per_minute.py --runs 16 --dask

Other work on the cores lowers the figures, so the script also prints the load average and the
speed-up the machine itself gives two busy pure-Python processes at that moment.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from sim.planner.runner import local_dask_cluster, open_executor, replicate_work, run_replicates
from sim.planner.scenario import Scenario, load_scenario
from sim.planner.store import Store

ROOT = Path(__file__).resolve().parent.parent


def _spin(loops: int) -> float:
    """Pure-Python busy work, timed where it runs."""
    start = time.perf_counter()
    total = 0
    for i in range(loops):
        total += i
    return time.perf_counter() - start


def machine_speed_up(loops: int = 20_000_000) -> float:
    """How much faster two busy processes finish two jobs than one does, on this machine now.

    2.0 on two free cores; nearer 1.0 when other work holds a core. It bounds what any runner
    can reach, so the sweep's speed-up is read against it.
    """
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")) as pool:
        list(pool.map(_spin, [1000, 1000]))  # start both workers first
        start = time.perf_counter()
        pool.submit(_spin, loops).result()
        alone = time.perf_counter() - start
        start = time.perf_counter()
        list(pool.map(_spin, [loops, loops]))
        both = time.perf_counter() - start
    return 2 * alone / both


def sweep(scenario: Scenario, runs: int, workers: int | None = None, scheduler: str | None = None) -> float:
    """Runs per minute for `runs` replicates on a fresh store (start-up included)."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store(folder)
        start = time.perf_counter()
        with open_executor(workers, scheduler) as (executor, slots):
            batch = run_replicates(replicate_work([scenario], runs), store, executor, slots, progress=False)
        seconds = time.perf_counter() - start
    if batch.failed or batch.done != runs:
        raise SystemExit(f"benchmark runs failed: {batch.failed}")
    return 60.0 * runs / seconds


def on_dask(scenario: Scenario, runs: int, trim_unset: bool) -> float:
    """Runs per minute on a local 2-worker dask cluster, with or without the malloc fix."""
    if trim_unset:
        cluster = local_dask_cluster(n_workers=2)
    else:
        from distributed import LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None)
    try:
        return sweep(scenario, runs, scheduler=cluster.scheduler_address)
    finally:
        cluster.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8, help="replicates per measurement (default 8)")
    parser.add_argument("--years", type=float, default=None, help="horizon (default: the baseline's 5 years)")
    parser.add_argument("--repeat", type=int, default=3, help="measurements of each case, interleaved (default 3)")
    parser.add_argument("--dask", action="store_true", help="also measure a local 2-worker dask cluster")
    args = parser.parse_args()
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    if args.years:
        scenario = Scenario.model_validate({**scenario.model_dump(), "years": args.years})
    print(f"{args.runs} runs of {scenario.years:g} years, each case {args.repeat} times, interleaved")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    cases: dict[str, Callable[[], float]] = {
        "1 worker (in process)": lambda: sweep(scenario, args.runs, workers=1),
        "2 workers (process pool)": lambda: sweep(scenario, args.runs, workers=2),
    }
    if args.dask:
        cases["2 dask workers, MALLOC_TRIM_THRESHOLD_ unset"] = lambda: on_dask(scenario, args.runs, True)
        cases["2 dask workers, dask's default MALLOC_TRIM"] = lambda: on_dask(scenario, args.runs, False)
    measured: dict[str, list[float]] = {label: [] for label in cases}
    capacity = []
    for _ in range(args.repeat):  # interleaved, so a burst of other work hits every case alike
        capacity.append(machine_speed_up())
        for label, measure in cases.items():
            measured[label].append(measure())
    print(f"  {'runs per minute':<46} {'best':>6} {'median':>7}")
    for label, values in measured.items():
        print(f"  {label:<46} {max(values):6.1f} {statistics.median(values):7.1f}")
    one, two = measured["1 worker (in process)"], measured["2 workers (process pool)"]
    median = statistics.median(two) / statistics.median(one)
    print(f"speed-up on 2 workers: best {max(two) / max(one):.2f}x, median {median:.2f}x (target 1.7x)")
    print(
        f"the machine's own speed-up for two busy processes: best {max(capacity):.2f}x, "
        f"median {statistics.median(capacity):.2f}x (2.00 = two free cores)"
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
