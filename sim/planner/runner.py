"""Running the model: one run, many replicates, and the executors that carry them out.

Seeds: replicate `r` of a scenario uses child `r` of the master seed's
`numpy.random.SeedSequence` (the same stream `SeedSequence(master).spawn(n)[r]` gives), so a
run's result depends only on its scenario and replicate number, never on how many workers ran
the batch or in which order. Scenarios compared side by side share the master seed and hence
every replicate's stream (common random numbers), which shrinks the noise in their differences.

Execution is written against `concurrent.futures.Executor` (see `sim.planner.executors`): the
calling process for one worker, a process pool on one machine, or a dask.distributed cluster.
Every finished run goes to the `Store` as it arrives; a run that raises comes back as its
traceback and is recorded while the others go on. A pool worker killed by the system (out of
memory) breaks the pool: it is replaced, the runs in flight on healthy workers run again, and the
run whose worker died is named and tried once more. Each run is locked while it is computed, so
two commands sharing a store compute it once.
"""

from __future__ import annotations

import functools
import os
import socket
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.model import DrugMarketModel
from sim.model.outcomes import summarise, yearly
from sim.planner.executors import (  # noqa: F401  (re-exported: the runner is where callers look)
    InlineExecutor,
    LocalPool,
    SchedulerError,
    available_cores,
    claimed,
    local_dask_cluster,
    open_executor,
)
from sim.planner.scenario import Scenario
from sim.planner.store import RunLock, RunOutcome, Store, to_parquet_bytes

#: Seconds between checks on a dask cluster's workers while waiting for runs to finish.
CHECK_EVERY = 5.0
#: A run whose worker keeps dying is recorded as failed after this many deaths.
DEATHS_ALLOWED = 2
#: ... and a run in flight whenever the pool breaks (no culprit found) after this many breaks.
BREAKS_ALLOWED = 5


@dataclass
class RunResult:
    """Everything one run produced.

    `daily` has one row per day (columns documented in docs/outputs.md), `events` is the event
    log (day, event, agent, id, cell, value), `summary` maps outcome names to whole-run values.
    `replicate` is set when the run's stream is a replicate of the master `seed`.
    """

    scenario: str
    seed: int
    daily: pd.DataFrame
    events: pd.DataFrame
    summary: dict[str, float] = field(default_factory=dict)
    replicate: int | None = None

    @property
    def yearly(self) -> pd.DataFrame:
        """Flows summed and stocks averaged over each year of the run."""
        return yearly(self.daily)


def replicate_seed(master: int, replicate: int) -> np.random.SeedSequence:
    """The random stream of one replicate: child `replicate` of the master's SeedSequence."""
    return np.random.SeedSequence(master, spawn_key=(replicate,))


def run(scenario: Scenario | None = None, seed: int | None = None, replicate: int | None = None) -> RunResult:
    """Run one scenario once.

    With only `seed` (default: the scenario's master seed) the run uses that seed directly; with
    `replicate`, it uses that replicate's stream of the master seed, as `run_replicates` does.
    """
    scenario = scenario or Scenario()
    seed = scenario.seed if seed is None else int(seed)
    stream = np.random.SeedSequence(seed) if replicate is None else replicate_seed(seed, replicate)
    model = DrugMarketModel(scenario, rng=stream)
    model.run()
    daily = model.record.frame(scenario.start_date)
    return RunResult(
        scenario=scenario.name,
        seed=seed,
        daily=daily,
        events=model.log.frame(),
        summary=summarise(daily),
        replicate=replicate,
    )


def execute(scenario: Scenario, replicate: int, keep_tables: bool = True) -> RunOutcome:
    """Run one replicate where a worker picked it up; never raises for a failing model run.

    Sweeps over thousands of design points pass `keep_tables=False` to keep only the summary.
    """
    start = time.perf_counter()
    host = f"{socket.gethostname()}:{os.getpid()}"
    try:
        result = run(scenario, replicate=replicate)
        if not keep_tables:
            return RunOutcome(replicate, time.perf_counter() - start, host, summary=result.summary)
        events = result.events.astype({"event": "category", "agent": "category"})
        return RunOutcome(
            replicate=replicate,
            seconds=time.perf_counter() - start,
            host=host,
            summary=result.summary,
            daily=to_parquet_bytes(result.daily),
            events=to_parquet_bytes(events),
        )
    except Exception:
        return RunOutcome(
            replicate=replicate, seconds=time.perf_counter() - start, host=host, error=traceback.format_exc()
        )


# -- batches -------------------------------------------------------------------------------------
@dataclass
class Batch:
    """What a batch of runs did: how many ran, were already saved, or failed."""

    total: int
    skipped: int = 0
    done: int = 0
    failed: list[tuple[str, int, str]] = field(default_factory=list)  # (scenario, replicate, last line)
    died: list[str] = field(default_factory=list)  # runs whose worker process died, and how
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def runs_per_minute(self) -> float:
        return 60.0 * self.done / self.seconds if self.seconds else 0.0


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a batch: the runs saved so far stay saved."""

    def __init__(self, batch: Batch) -> None:
        super().__init__()
        self.batch = batch


def run_replicates(
    work: Iterable[tuple[Scenario, int]],
    store: Store,
    executor: Executor,
    slots: int = 1,
    *,
    progress: bool | None = None,
    task: Callable[[Scenario, int], RunOutcome] = execute,
    description: str = "runs",
    tables: bool = True,
) -> Batch:
    """Run every (scenario, replicate) not already in `store`, saving each as it finishes.

    At most `2 * slots` runs are handed to the executor at a time, so an interruption loses
    only those, and thousands of queued runs cost no memory. A run another command is computing
    (its lock is held) is left to it and picked up from the store when saved. `tables=False`
    (sweeps) accepts saved runs that kept only their summary. `progress=None` shows the bar only
    on a terminal.
    """
    work = list(work)
    for scenario in {store.folder(s): s for s, _ in work}.values():
        store.prepare(scenario)
    todo = deque((s, r) for s, r in work if not store.has(s, r, tables))
    batch = Batch(total=len(work), skipped=len(work) - len(todo))
    bar = tqdm(
        total=len(work),
        initial=batch.skipped,
        unit="run",
        desc=description,
        disable=(not progress) if progress is not None else None,
        dynamic_ncols=True,
    )
    start = time.perf_counter()
    pending: dict[Future, tuple[Scenario, int, RunLock]] = {}
    elsewhere: list[tuple[Scenario, int]] = []  # locked by another command
    deaths: Counter[tuple[str, int]] = Counter()  # times this run's own worker died
    breaks: Counter[tuple[str, int]] = Counter()  # times the pool broke while this run was in flight
    pool = executor if isinstance(executor, LocalPool) else None

    def submit(scenario: Scenario, replicate: int, lock: RunLock) -> bool:
        """Hand a run to the executor; False if the pool broke meanwhile (the run goes back in line)."""
        try:
            if pool is None:
                future = executor.submit(task, scenario, replicate)
            else:
                label = f"{scenario.content_hash()} {replicate}"
                future = executor.submit(functools.partial(claimed, task, pool.claims, label), scenario, replicate)
        except BrokenProcessPool:
            if pool is None:
                lock.release()
                raise
            lock.release()
            todo.appendleft((scenario, replicate))
            return False
        except BaseException:  # Ctrl-C inside an inline run
            lock.release()
            raise
        pending[future] = (scenario, replicate, lock)
        return True

    def top_up() -> bool:
        """Keep the executor busy; False if the pool turned out to be broken."""
        while len(pending) < 2 * slots and todo:
            scenario, replicate = todo.popleft()
            lock = store.lock(scenario, replicate)
            if lock is None:
                elsewhere.append((scenario, replicate))
            elif store.has(scenario, replicate, tables):  # saved by another command meanwhile
                lock.release()
                batch.skipped += 1
                bar.update(1)
            elif not submit(scenario, replicate, lock):
                return False
        return True

    def finish(scenario: Scenario, replicate: int, lock: RunLock, outcome: RunOutcome) -> None:
        try:
            store.save(scenario, outcome)
        finally:
            lock.release()
        if outcome.failed:
            last = outcome.error.strip().splitlines()[-1] if outcome.error else ""
            batch.failed.append((scenario.name, replicate, last))
        else:
            batch.done += 1
        bar.update(1)

    def recover(lost: list[tuple[Scenario, int, RunLock]]) -> None:
        """The pool broke: replace it, name the run(s) whose worker died, run the rest again."""
        died = executor.renew() if pool is not None else {}  # also settles every future in flight
        for future in list(pending):
            scenario, replicate, lock = pending.pop(future)
            if future.done() and future.exception() is None:  # finished just before the break
                finish(scenario, replicate, lock, future.result())
            else:
                lost.append((scenario, replicate, lock))
        for scenario, replicate, lock in lost:
            how = died.get(f"{scenario.content_hash()} {replicate}")
            breaks[(scenario.content_hash(), replicate)] += 1
            if how is None and breaks[(scenario.content_hash(), replicate)] < BREAKS_ALLOWED:
                lock.release()  # an innocent bystander: run it again
                todo.appendleft((scenario, replicate))
                continue
            if how is None:  # no worker was caught dying with it, yet the pool keeps breaking under it
                error = f"WorkerDied: the worker pool broke {BREAKS_ALLOWED} times while this run was in flight"
                finish(scenario, replicate, lock, RunOutcome(replicate, 0.0, "?", error=error))
                continue
            deaths[(scenario.content_hash(), replicate)] += 1
            batch.died.append(f"{scenario.name} replicate {replicate}: {how}")
            if deaths[(scenario.content_hash(), replicate)] < DEATHS_ALLOWED:
                lock.release()
                todo.appendleft((scenario, replicate))  # once more on a fresh worker
            else:
                error = f"WorkerDied: {how}, {DEATHS_ALLOWED} times; not tried again in this command"
                finish(scenario, replicate, lock, RunOutcome(replicate, 0.0, "?", error=error))

    try:
        while not top_up():
            recover([])
        while pending or todo or elsewhere:
            if not pending and not todo:  # only runs another command is computing: wait for them
                time.sleep(0.2)
                todo.extend(elsewhere)
                elsewhere.clear()
                while not top_up():
                    recover([])
                continue
            finished, _ = wait(list(pending), timeout=CHECK_EVERY, return_when=FIRST_COMPLETED)
            if not finished:
                check = getattr(executor, "check", None)
                if check is not None:
                    check()
                continue
            lost = []
            for future in finished:
                scenario, replicate, lock = pending.pop(future)
                if pool is not None and isinstance(future.exception(), BrokenProcessPool):
                    lost.append((scenario, replicate, lock))
                    continue
                finish(scenario, replicate, lock, _outcome(future, replicate))
            if lost:
                recover(lost)
            while not top_up():
                recover([])
    except KeyboardInterrupt:
        for future in pending:
            future.cancel()
        batch.interrupted = True
        batch.seconds = time.perf_counter() - start
        raise Interrupted(batch) from None
    finally:
        for _, _, lock in pending.values():
            lock.release()
        bar.close()
    batch.seconds = time.perf_counter() - start
    return batch


def _outcome(future: Future, replicate: int) -> RunOutcome:
    """The run's outcome, or a failure if the worker itself broke (killed, out of memory)."""
    try:
        return future.result()
    except Exception as err:
        text = "".join(traceback.format_exception(err))
        return RunOutcome(replicate=replicate, seconds=0.0, host="?", error=text)


def replicate_work(scenarios: list[Scenario], replicates: int) -> list[tuple[Scenario, int]]:
    """Every scenario's replicates 0..n-1, interleaved so all scenarios fill in together."""
    return [(scenario, r) for r in range(replicates) for scenario in scenarios]


# -- planning ------------------------------------------------------------------------------------
@dataclass
class Plan:
    """What a command would do: runs needed, runs already saved, and a rough duration."""

    total: int
    stored: int
    seconds: float | None  # rough wall-clock time for the missing runs
    basis: str  # where the time per run comes from

    @property
    def needed(self) -> int:
        return self.total - self.stored

    def describe(self, store: Store, where: str) -> str:
        line = f"Dry run: {self.total} run(s) in all, {self.stored} already saved in {store.root}, {self.needed} to run"
        if self.needed and self.seconds is not None:
            line += f"; about {_duration(self.seconds)} on {where} ({self.basis})"
        return line + ". Nothing was run."


def plan(work: Iterable[tuple[Scenario, int]], store: Store, slots: int, tables: bool = True) -> Plan:
    """Count the runs a command needs and those already saved; estimate the time for the rest.

    The time per simulated year comes from the saved runs of these scenarios if there are any,
    otherwise from timing one short run (a tenth of a year) here and now.
    """
    work = list(work)
    needed = [(s, r) for s, r in work if not store.has(s, r, tables)]
    scenarios = list({store.folder(s): s for s, _ in work}.values())
    timings = [seconds / years for years, seconds in store.seconds_per_run(scenarios) if years > 0]
    if timings:
        per_year, basis = float(np.median(timings)), f"timed from {len(timings)} saved run(s)"
    elif needed:
        trial = needed[0][0].model_copy(update={"years": min(0.1, needed[0][0].years)})
        start = time.perf_counter()
        run(trial, replicate=0)
        per_year = (time.perf_counter() - start) / trial.years
        basis = f"from one {trial.years:g}-year trial run here, which includes start-up, so on the high side"
    else:
        return Plan(len(work), len(work), 0.0, "")
    seconds = per_year * sum(s.years for s, _ in needed) / max(1, min(slots, len(needed)))
    return Plan(len(work), len(work) - len(needed), seconds, basis)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
