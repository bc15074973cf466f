"""Running the model: one run, many replicates, and the executors that carry them out.

Seeds: replicate `r` of a scenario uses child `r` of the master seed's
`numpy.random.SeedSequence` (the same stream `SeedSequence(master).spawn(n)[r]` gives), so a
run's result depends only on its scenario and replicate number, never on how many workers ran
the batch or in which order. Scenarios compared side by side share the master seed and hence
every replicate's stream (common random numbers), which shrinks the noise in their differences.

Execution is written against `concurrent.futures.Executor`: the calling process for one worker,
a process pool on one machine, or a dask.distributed cluster (`Client.get_executor()`). Every
finished run goes to the `Store` as it arrives; a run that raises comes back as its traceback and
is recorded while the others go on.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import socket
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.model import DrugMarketModel
from sim.model.outcomes import summarise, yearly
from sim.planner.scenario import Scenario
from sim.planner.store import RunOutcome, Store, to_parquet_bytes


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


# -- executors -----------------------------------------------------------------------------------
class InlineExecutor(Executor):
    """Runs each task in the calling process as it is submitted: one worker, no pool to start."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as err:
            future.set_exception(err)
        return future


def _ignore_ctrl_c() -> None:
    """Pool workers leave Ctrl-C to the parent, which stops the batch and keeps what is saved."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class SchedulerError(RuntimeError):
    """The dask scheduler given with --scheduler could not be reached."""


@contextlib.contextmanager
def open_executor(workers: int | None = None, scheduler: str | None = None) -> Iterator[tuple[Executor, int]]:
    """An executor and how many runs it can work on at once.

    `scheduler` (a dask.distributed address such as tcp://10.0.0.5:8786) wins over `workers`.
    Otherwise `workers` processes on this machine (default: one per core); one worker runs in
    this process, which starts fastest.
    """
    if scheduler:
        from distributed import Client

        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as err:
            raise SchedulerError(f"cannot reach the dask scheduler at {scheduler}: {err}") from None
        try:
            slots = max(1, sum(client.nthreads().values()))
            yield client.get_executor(pure=False), slots
        finally:
            client.close()
        return
    workers = workers or available_cores()
    if workers == 1:
        yield InlineExecutor(), 1
        return
    # forkserver: a clean process to fork from (safe with threads in this one), started once.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sim.planner.runner"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_ignore_ctrl_c)
    try:
        yield pool, workers
    except BaseException:
        _stop_now(pool)
        raise
    pool.shutdown(wait=True)


def _stop_now(pool: ProcessPoolExecutor) -> None:
    """Stop the workers without finishing the runs in flight: after Ctrl-C they are lost anyway."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14 and later
    if terminate is not None:
        terminate()
        return
    workers = list((getattr(pool, "_processes", None) or {}).values())  # before shutdown forgets them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        process.terminate()


def local_dask_cluster(n_workers: int = 2, **kwargs: Any) -> Any:
    """A dask.distributed cluster on this machine (for tests, benchmarks and trying --scheduler).

    Turns off the nanny's MALLOC_TRIM_THRESHOLD_ setting first: it made a numpy-heavy model
    about three times slower on this kind of machine (docs/ARCHITECTURE pitfalls).
    """
    import dask
    from distributed import LocalCluster

    options = {"processes": True, "threads_per_worker": 1, "host": "127.0.0.1", "dashboard_address": None}
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        return LocalCluster(n_workers=n_workers, **{**options, **kwargs})


# -- batches -------------------------------------------------------------------------------------
@dataclass
class Batch:
    """What a batch of runs did: how many ran, were already saved, or failed."""

    total: int
    skipped: int = 0
    done: int = 0
    failed: list[tuple[str, int, str]] = field(default_factory=list)  # (scenario, replicate, last line)
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
) -> Batch:
    """Run every (scenario, replicate) not already in `store`, saving each as it finishes.

    At most `2 * slots` runs are handed to the executor at a time, so an interruption loses
    only those, and thousands of queued runs cost no memory. `progress=None` shows the bar only
    on a terminal.
    """
    work = list(work)
    for scenario in {s.content_hash(): s for s, _ in work}.values():
        store.prepare(scenario)
    todo = [(s, r) for s, r in work if not store.has(s, r)]
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
    queue = iter(todo)
    pending: dict[Future, tuple[Scenario, int]] = {}

    def top_up() -> None:
        while len(pending) < 2 * slots:
            item = next(queue, None)
            if item is None:
                return
            pending[executor.submit(task, *item)] = item

    try:
        top_up()
        while pending:
            finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in finished:
                scenario, replicate = pending.pop(future)
                outcome = _outcome(future, replicate)
                store.save(scenario, outcome)
                if outcome.failed:
                    last = outcome.error.strip().splitlines()[-1] if outcome.error else ""
                    batch.failed.append((scenario.name, replicate, last))
                else:
                    batch.done += 1
                bar.update(1)
            top_up()
    except KeyboardInterrupt:
        for future in pending:
            future.cancel()
        batch.interrupted = True
        batch.seconds = time.perf_counter() - start
        raise Interrupted(batch) from None
    finally:
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
