"""Where runs are carried out: this process, a process pool that survives a dead worker, or dask.

Everything is a `concurrent.futures.Executor`, so the batch loop (`runner.run_replicates`) does
not care which. Two things a plain executor cannot do are added here:

- `LocalPool.renew()`: when the operating system kills a pool worker (the out-of-memory killer
  sends SIGKILL), Python's pool is "broken" and every run in flight fails with it, on healthy
  workers too. The batch replaces the pool and runs the innocent runs again. To say which run
  died, each worker leaves a claim file (its process id -> the run it is working on) while it
  works; after a break, the claims of workers that died by a signal other than the pool's own
  SIGTERM name the culprits.
- `DaskExecutor.check()`: with every dask worker gone the scheduler holds the tasks forever;
  the batch asks every few seconds and gives up with a clear message after `no_worker_timeout`.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

#: Seconds a dask batch waits with no worker connected before it gives up (`DRUGMARKET_NO_WORKER_TIMEOUT`).
NO_WORKER_TIMEOUT = float(os.environ.get("DRUGMARKET_NO_WORKER_TIMEOUT", "120"))


class SchedulerError(RuntimeError):
    """The dask scheduler given with --scheduler could not be reached, or has no workers left."""


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


def claimed(task: Callable[..., Any], claims: str, label: str, *args: Any) -> Any:
    """Run `task(*args)` in a pool worker, leaving `claims/<pid>` naming the run while it works."""
    claim = Path(claims) / str(os.getpid())
    claim.write_text(label)
    try:
        return task(*args)
    finally:
        claim.unlink(missing_ok=True)


def _signal_name(exitcode: int | None) -> str:
    if exitcode is None or exitcode >= 0:
        return f"exited with status {exitcode}"
    try:
        name = signal.Signals(-exitcode).name
    except ValueError:
        name = f"signal {-exitcode}"
    if name == "SIGKILL":
        return "was killed by SIGKILL (as the out-of-memory killer does)"
    return f"was killed by {name}"


class LocalPool(Executor):
    """A process pool on this machine that can be replaced when one of its workers dies."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.claims = tempfile.mkdtemp(prefix="drugmarket-claims-")
        # forkserver: a clean process to fork from (safe with threads in this one), started once.
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["sim.planner.runner"])
        self._processes: dict[int, Any] = {}
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=self._context, initializer=_ignore_ctrl_c)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future = self.pool.submit(fn, *args, **kwargs)
        self._processes.update(getattr(self.pool, "_processes", None) or {})  # to read exit codes later
        return future

    def renew(self) -> dict[str, str]:
        """Replace the broken pool; returns {run label: how its worker died} for the runs that killed it."""
        self.pool.shutdown(wait=True)  # joins the dead pool's workers, so exit codes are known
        died = {}
        for claim in Path(self.claims).iterdir():
            process = self._processes.get(int(claim.name)) if claim.name.isdigit() else None
            exitcode = process.exitcode if process is not None else None
            if exitcode != -signal.SIGTERM:  # SIGTERM: stopped by the pool because another worker died
                died[claim.read_text()] = f"its worker process {claim.name} {_signal_name(exitcode)}"
            claim.unlink(missing_ok=True)
        self._processes = {}
        self.pool = self._new_pool()
        return died

    def stop_now(self) -> None:
        """Stop the workers without finishing the runs in flight: after Ctrl-C they are lost anyway."""
        terminate = getattr(self.pool, "terminate_workers", None)  # Python 3.14 and later
        if terminate is not None:
            terminate()
            return
        workers = list((getattr(self.pool, "_processes", None) or {}).values())  # before shutdown forgets them
        self.pool.shutdown(wait=False, cancel_futures=True)
        for process in workers:
            process.terminate()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)
        for claim in Path(self.claims).glob("*"):
            claim.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            os.rmdir(self.claims)


class DaskExecutor(Executor):
    """A dask.distributed client's executor that notices when no worker is left."""

    def __init__(self, client: Any, address: str, no_worker_timeout: float = NO_WORKER_TIMEOUT) -> None:
        self.client = client
        self.address = address
        self.executor = client.get_executor(pure=False)
        self.no_worker_timeout = no_worker_timeout
        self._alone_since: float | None = None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        return self.executor.submit(fn, *args, **kwargs)

    def workers(self) -> int:
        return len(self.client.scheduler_info().get("workers", {}))

    def check(self) -> None:
        """Raise `SchedulerError` once no worker has been connected for `no_worker_timeout` seconds."""
        if self.workers():
            self._alone_since = None
            return
        now = time.monotonic()
        self._alone_since = self._alone_since or now
        if now - self._alone_since >= self.no_worker_timeout:
            raise SchedulerError(
                f"no dask worker has been connected to {self.address} for "
                f"{self.no_worker_timeout:.0f} s: start workers (dask worker ADDRESS) and run the same command "
                "again; finished runs are saved"
            )

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.executor.shutdown(wait=wait)


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
            yield DaskExecutor(client, scheduler), slots
        finally:
            client.close()
        return
    workers = workers or available_cores()
    if workers == 1:
        yield InlineExecutor(), 1
        return
    pool = LocalPool(workers)
    try:
        yield pool, workers
    except BaseException:
        pool.stop_now()
        raise
    pool.shutdown(wait=True)


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
