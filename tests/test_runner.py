"""Replicates at scale: same results on any number of workers, resumable, failures recorded."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.planner import runner
from sim.planner.executors import DaskExecutor, SchedulerError
from sim.planner.runner import (
    InlineExecutor,
    Interrupted,
    execute,
    local_dask_cluster,
    open_executor,
    replicate_seed,
    replicate_work,
    run,
    run_replicates,
)
from sim.planner.scenario import Scenario
from sim.planner.store import RunOutcome, Store, to_parquet_bytes

ROOT = Path(__file__).resolve().parent.parent


def small(name: str = "small", **levers: float) -> Scenario:
    """A half-year run of a smaller town: a few tenths of a second."""
    scenario = Scenario(name=name, years=0.5, seed=7)
    scenario.people.initial_dependent = 600
    scenario.people.initial_occasional = 200
    scenario.people.initial_in_recovery = 200
    scenario.people.initiation_per_year = 80
    scenario.dealers.initial_sellers = 40
    for path, value in levers.items():
        section, field = path.split("__")
        setattr(getattr(scenario, section), field, value)
    return Scenario.model_validate(scenario.model_dump())


def stored(store: Store, scenario: Scenario, replicates: int) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    summaries = store.summaries(scenario, range(replicates)).sort_index()
    dailies = [store.daily(scenario, r) for r in range(replicates)]
    return summaries, dailies


def assert_same_runs(a: Store, b: Store, scenario: Scenario, replicates: int) -> None:
    (sum_a, daily_a), (sum_b, daily_b) = stored(a, scenario, replicates), stored(b, scenario, replicates)
    pd.testing.assert_frame_equal(sum_a, sum_b)
    for one, other in zip(daily_a, daily_b, strict=True):
        pd.testing.assert_frame_equal(one, other)
    for r in range(replicates):
        pd.testing.assert_frame_equal(a.events(scenario, r), b.events(scenario, r))


def test_replicate_streams_are_the_master_seeds_spawned_children() -> None:
    spawned = np.random.SeedSequence(123).spawn(5)
    for replicate, child in enumerate(spawned):
        assert replicate_seed(123, replicate).generate_state(4).tolist() == child.generate_state(4).tolist()


def test_results_are_identical_on_one_and_two_workers_and_on_a_dask_cluster(tmp_path: Path) -> None:
    scenario, replicates = small(), 4
    stores = {}
    for label, workers in (("one", 1), ("two", 2)):
        stores[label] = Store(tmp_path / label)
        with open_executor(workers=workers) as (executor, slots):
            batch = run_replicates(replicate_work([scenario], replicates), stores[label], executor, slots)
        assert batch.done == replicates and not batch.failed
    cluster = local_dask_cluster(n_workers=2)  # with the nanny's MALLOC_TRIM_THRESHOLD_ unset
    try:
        stores["dask"] = Store(tmp_path / "dask")
        with open_executor(scheduler=cluster.scheduler_address) as (executor, slots):
            assert slots == 2
            batch = run_replicates(replicate_work([scenario], replicates), stores["dask"], executor, slots)
        assert batch.done == replicates and not batch.failed
        hosts = {stores["dask"].record(scenario, r)["host"] for r in range(replicates)}
        assert all(host.split(":")[1] != str(os.getpid()) for host in hosts)  # really ran on the workers
    finally:
        cluster.close()
    assert_same_runs(stores["one"], stores["two"], scenario, replicates)
    assert_same_runs(stores["one"], stores["dask"], scenario, replicates)
    # ... and replicate r is exactly sim.run with that replicate's stream.
    direct = run(scenario, replicate=2).daily
    saved = stores["one"].daily(scenario, 2)
    pd.testing.assert_frame_equal(saved, direct.astype({"date": saved["date"].dtype}))  # Parquet keeps ms


def test_common_random_numbers_make_identical_scenarios_differ_by_exactly_zero(tmp_path: Path) -> None:
    store = Store(tmp_path)
    same_a, same_b = small("a"), small("b")
    with open_executor(workers=1) as (executor, slots):
        run_replicates(replicate_work([same_a, same_b], 3), store, executor, slots)
    pd.testing.assert_frame_equal(store.summaries(same_a, range(3)), store.summaries(same_b, range(3)))


def test_rerun_skips_saved_runs_and_finishes_the_rest_with_the_same_results(tmp_path: Path) -> None:
    scenario = small()
    fresh, resumed = Store(tmp_path / "fresh"), Store(tmp_path / "resumed")
    executor = InlineExecutor()
    run_replicates(replicate_work([scenario], 5), fresh, executor)
    first = run_replicates(replicate_work([scenario], 2), resumed, executor)  # stopped after two runs
    assert first.done == 2
    again = run_replicates(replicate_work([scenario], 5), resumed, executor)
    assert (again.skipped, again.done) == (2, 3)
    assert_same_runs(fresh, resumed, scenario, 5)
    assert run_replicates(replicate_work([scenario], 5), resumed, executor).skipped == 5


def test_ctrl_c_keeps_finished_runs_and_reports_how_far_it_got(tmp_path: Path) -> None:
    scenario, store, calls = small(), Store(tmp_path), []

    def interrupted_after_two(s: Scenario, replicate: int) -> RunOutcome:
        calls.append(replicate)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return execute(s, replicate)

    with pytest.raises(Interrupted) as stop:
        run_replicates(replicate_work([scenario], 5), store, InlineExecutor(), task=interrupted_after_two)
    assert stop.value.batch.done == 2 and stop.value.batch.interrupted
    assert [r for r in range(5) if store.has(scenario, r)] == [0, 1]


def raises_on_replicate_one(scenario: Scenario, replicate: int) -> RunOutcome:
    """A task whose second replicate breaks, as a model bug would."""
    if replicate == 1:
        return execute(scenario.model_copy(update={"years": -1.0}), replicate)  # no days: the model raises
    return execute(scenario, replicate)


def test_a_failing_run_is_recorded_with_its_traceback_while_the_others_finish(tmp_path: Path) -> None:
    scenario, store = small(), Store(tmp_path)
    with open_executor(workers=2) as (executor, slots):
        batch = run_replicates(replicate_work([scenario], 4), store, executor, slots, task=raises_on_replicate_one)
    assert batch.done == 3 and [(name, r) for name, r, _ in batch.failed] == [("small", 1)]
    assert [r for r in range(4) if store.has(scenario, r)] == [0, 2, 3]
    failure = store.failures(scenario, range(4))[1]
    assert "Traceback (most recent call last)" in failure["error"]
    # A rerun tries the failed run again; once it succeeds the failure record goes.
    again = run_replicates(replicate_work([scenario], 4), store, InlineExecutor())
    assert (again.skipped, again.done) == (3, 1) and store.failures(scenario, range(4)) == {}


def quick(scenario: Scenario, replicate: int) -> RunOutcome:
    """A stand-in for a model run, cheap enough to test the batch machinery: a tiny summary."""
    time.sleep(0.05)
    summary = {"offences_total": 100.0 + replicate, "years": scenario.years}
    return RunOutcome(replicate, 0.05, f"{os.getpid()}", summary, to_parquet_bytes(pd.DataFrame({"day": [0]})), b"x")


def killed_once(marks: str, doomed: int, scenario: Scenario, replicate: int) -> RunOutcome:
    """Kill the worker process (as the out-of-memory killer would) the first time `doomed` runs."""
    mark = Path(marks) / f"killed-{replicate}"
    if replicate == doomed and not mark.exists():
        mark.write_text("")
        os.kill(os.getpid(), signal.SIGKILL)
    return quick(scenario, replicate)


def killed_always(doomed: int, scenario: Scenario, replicate: int) -> RunOutcome:
    if replicate == doomed:
        os.kill(os.getpid(), signal.SIGKILL)
    return quick(scenario, replicate)


def test_a_killed_pool_worker_costs_only_its_run_which_is_named_and_run_again(tmp_path: Path) -> None:
    scenario, store = small(), Store(tmp_path / "store")
    task = functools.partial(killed_once, str(tmp_path), 2)
    with open_executor(workers=2) as (executor, slots):
        batch = run_replicates(replicate_work([scenario], 6), store, executor, slots, task=task)
    assert (batch.done, batch.failed) == (6, [])  # runs in flight on the healthy worker are not failures
    assert len(batch.died) == 1 and batch.died[0].startswith("small replicate 2: its worker process")
    assert "killed by SIGKILL" in batch.died[0]
    assert store.summaries(scenario, range(6))["offences_total"].tolist() == [100.0 + r for r in range(6)]
    assert store.failures(scenario, range(6)) == {}


def test_a_run_that_kills_its_worker_every_time_is_recorded_as_failed_and_the_rest_finish(tmp_path: Path) -> None:
    scenario, store = small(), Store(tmp_path)
    with open_executor(workers=2) as (executor, slots):
        batch = run_replicates(
            replicate_work([scenario], 4), store, executor, slots, task=functools.partial(killed_always, 1)
        )
    assert batch.done == 3 and [(name, r) for name, r, _ in batch.failed] == [("small", 1)]
    assert "SIGKILL" in batch.failed[0][2] and len(batch.died) == 2
    assert [r for r in range(4) if store.has(scenario, r)] == [0, 2, 3]


def test_two_commands_sharing_a_store_compute_each_run_once(tmp_path: Path) -> None:
    scenario, calls, lock = small(), [], threading.Lock()

    def counted(s: Scenario, replicate: int) -> RunOutcome:
        with lock:
            calls.append(replicate)
        return quick(s, replicate)

    batches: list = []
    commands = [
        threading.Thread(
            target=lambda: batches.append(
                run_replicates(replicate_work([scenario], 8), Store(tmp_path), InlineExecutor(), task=counted)
            )
        )
        for _ in range(2)
    ]
    for command in commands:
        command.start()
    for command in commands:
        command.join(timeout=60)
    assert sorted(calls) == list(range(8))  # each run computed once, by one command or the other
    assert sum(b.done for b in batches) == 8 and all(b.done + b.skipped == 8 for b in batches)
    summaries = Store(tmp_path).summaries(scenario, range(8))
    assert summaries["offences_total"].tolist() == [100.0 + r for r in range(8)]


class _SilentCluster:
    """A dask client whose workers are all gone: tasks are accepted and never run."""

    def scheduler_info(self) -> dict:
        return {"workers": {}}

    def get_executor(self, pure: bool = False) -> InlineExecutor:
        class Never(InlineExecutor):
            def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
                return Future()

        return Never()


def test_with_every_dask_worker_gone_the_batch_stops_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "CHECK_EVERY", 0.05)
    executor = DaskExecutor(_SilentCluster(), "tcp://10.0.0.5:8786", no_worker_timeout=0.3)
    start = time.monotonic()
    with pytest.raises(SchedulerError, match=r"no dask worker has been connected to tcp://10.0.0.5:8786 for 0 s"):
        run_replicates(replicate_work([small()], 2), Store(tmp_path), executor, 1, task=quick)
    assert time.monotonic() - start < 10


def _command(out: Path, scenario_file: Path, replicates: int) -> list[str]:
    return [
        *(sys.executable, "-m", "sim", "run", str(scenario_file)),
        *("--replicates", str(replicates), "--workers", "1", "--out", str(out), "--no-progress"),
    ]


def _wait_for_runs(folder: Path, count: int, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(list(folder.glob("*/r[0-9][0-9][0-9][0-9]"))) >= count:
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("the runs did not appear in time")


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "crash"])
def test_an_interrupted_command_resumes_where_it_stopped(tmp_path: Path, how: signal.Signals) -> None:
    scenario_file = tmp_path / "town.yaml"
    town = Scenario.model_validate({**small("town").model_dump(), "years": 0.1})  # ~0.2 s a run
    scenario_file.write_text(town.model_dump_json())  # JSON is YAML
    out, replicates = tmp_path / "out", 24  # enough that a fast machine cannot finish them all before the signal
    store = tmp_path / "shared-store"  # the store every command run with this environment shares
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DRUGMARKET_STORE": str(store)}
    process = subprocess.Popen(
        _command(out, scenario_file, replicates),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # A shell that starts the test suite in the background (`... &`) passes Ctrl-C on as ignored,
        # and Python keeps it ignored: the command must get it as a person at a terminal would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    _wait_for_runs(store, 2, process)
    process.send_signal(how)
    _, err = process.communicate(timeout=60)
    saved = len(list(store.glob("*/r[0-9][0-9][0-9][0-9]")))
    assert 2 <= saved < replicates
    if how == signal.SIGINT:
        assert process.returncode == 130
        assert b"Run the same command again to carry on" in err and b"Traceback" not in err
    again = subprocess.run(_command(out, scenario_file, replicates), cwd=tmp_path, env=env, capture_output=True)
    assert again.returncode == 0, again.stderr
    assert f"{replicates - saved} run(s) done".encode() in again.stdout
    assert f"{saved} already saved".encode() in again.stdout
    assert not list(store.glob("*/.*.tmp"))  # leftovers of the killed run are cleared
    reference = Store(tmp_path / "reference")
    run_replicates(replicate_work([town], replicates), reference, InlineExecutor())
    assert_same_runs(reference, Store(store), town, replicates)
