"""Outputs that cannot mislead: a full disk mid-write, a damaged saved run, a bad --out folder."""

from __future__ import annotations

import builtins
import errno
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from test_report import SMALL_TOWN, synthetic

from sim.cli import main
from sim.planner.files import OutputError, write_atomically
from sim.planner.runner import InlineExecutor, replicate_work, run_replicates
from sim.planner.scenario import Scenario
from sim.planner.store import RunOutcome, Store, to_parquet_bytes


class _FillingFile:
    """A file whose disk fills up after `room` more bytes: writes what fits, then ENOSPC."""

    def __init__(self, handle: io.IOBase, room: list[int]) -> None:
        self._handle, self._room = handle, room

    def write(self, data: bytes | str) -> int:
        if len(data) > self._room[0]:
            self._handle.write(data[: self._room[0]])
            self._room[0] = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self._room[0] -= len(data)
        return self._handle.write(data)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._handle, name)

    def __enter__(self) -> _FillingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._handle)


def fill_disk_after(monkeypatch: pytest.MonkeyPatch, folder: Path, room: int, parquet: bool = True) -> None:
    """Every Python-level write under `folder` shares `room` bytes of free disk, then fails part-way.

    Parquet is written by pyarrow's own code: with `parquet`, it writes half its bytes and fails.
    """
    real_open, real_parquet, left = builtins.open, pd.DataFrame.to_parquet, [room]

    def filling_open(file, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        handle = real_open(file, mode, *args, **kwargs)
        if any(m in mode for m in "wax+") and str(file).startswith(str(folder)):
            return _FillingFile(handle, left)
        return handle

    monkeypatch.setattr(builtins, "open", filling_open)
    monkeypatch.setattr(io, "open", filling_open)

    def half_parquet(self: pd.DataFrame, path, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        buffer = io.BytesIO()
        real_parquet(self, buffer, index=False)
        data = buffer.getvalue()
        with real_open(path, "wb") as handle:
            handle.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    if parquet:
        monkeypatch.setattr(pd.DataFrame, "to_parquet", half_parquet)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("where", ["first table", "parquet table", "report"])
def test_a_disk_filling_up_mid_write_leaves_every_old_output_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    deaths = [10.0, 12.0, 11.0, 14.0]
    synthetic({"overdose_deaths_per_year": deaths}, {"overdose_deaths_per_year": [d - 1 for d in deaths]}).write(
        out := tmp_path / "out"
    )
    newer = synthetic({"overdose_deaths_per_year": deaths}, {"overdose_deaths_per_year": [d - 3 for d in deaths]})
    newer.write(tmp_path / "fresh")
    fresh = snapshot(tmp_path / "fresh")
    before = snapshot(out)
    room = 10**9 if where == "parquet table" else 0
    if where == "report":  # room for the CSV tables and the plots, not for the page embedding them
        room = sum(len(data) for name, data in fresh.items() if name.endswith((".csv", ".png"))) + 1_000
    fill_disk_after(monkeypatch, out, room, parquet=where == "parquet table")
    with pytest.raises(OSError, match=r"disk is full|No space"):
        newer.write(out)
    monkeypatch.undo()
    after = snapshot(out)
    assert sorted(after) == sorted(before)  # no temporary files left behind
    for name, data in after.items():  # each file is whole: the old one, or the new one if it got that far
        assert data in (before[name], fresh[name]), f"{name} is cut short"
    assert after["report.html"] == before["report.html"]


def test_a_failed_write_of_a_new_file_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fill_disk_after(monkeypatch, tmp_path, 10)
    with pytest.raises(OutputError, match=r"cannot write .*fit\.csv: the disk is full"):
        write_atomically(tmp_path / "fit.csv", "a,b\n" * 100)
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def quick(scenario: Scenario, replicate: int, calls: list[int] | None = None) -> RunOutcome:
    """A stand-in for a model run: small tables that depend only on the replicate."""
    if calls is not None:
        calls.append(replicate)
    daily = pd.DataFrame({"day": range(30), "offences": [replicate * 7 + d for d in range(30)]})
    events = pd.DataFrame({"day": [1], "event": ["arrest"]})
    summary = {"offences_total": float(daily["offences"].sum())}
    return RunOutcome(replicate, 0.01, "test", summary, to_parquet_bytes(daily), to_parquet_bytes(events))


@pytest.mark.parametrize("damage", ["empty summary", "truncated daily table", "flipped byte in events"])
def test_a_damaged_saved_run_is_noticed_and_run_again(tmp_path: Path, damage: str) -> None:
    scenario, calls = Scenario(name="town", years=0.1), []
    run_replicates(replicate_work([scenario], 3), Store(tmp_path), InlineExecutor(), task=quick)
    folder = Store(tmp_path).run_folder(scenario, 1)
    if damage == "empty summary":
        (folder / "summary.json").write_text("")
    elif damage == "truncated daily table":
        data = (folder / "daily.parquet").read_bytes()
        (folder / "daily.parquet").write_bytes(data[: len(data) // 2])
    else:
        data = bytearray((folder / "events.parquet").read_bytes())
        data[len(data) // 2] ^= 0xFF
        (folder / "events.parquet").write_bytes(bytes(data))
    store = Store(tmp_path)  # a later command
    assert [store.has(scenario, r) for r in range(3)] == [True, False, True]
    batch = run_replicates(replicate_work([scenario], 3), store, InlineExecutor(), task=lambda s, r: quick(s, r, calls))
    assert (batch.skipped, batch.done, calls) == (2, 1, [1])
    assert store.has(scenario, 1) and store.daily(scenario, 1)["offences"].iloc[0] == 7
    assert json.loads((folder / "summary.json").read_text())["summary"]["offences_total"] > 0


def test_sweep_runs_keep_their_summary_and_leave_no_empty_tables(tmp_path: Path) -> None:
    scenario, store = Scenario(name="point", years=0.1), Store(tmp_path)
    summary_only = RunOutcome(0, 0.01, "test", {"offences_total": 5.0})
    store.save(scenario, summary_only)
    tables = list(tmp_path.rglob("*.parquet"))
    assert all(p.stat().st_size > 0 and pd.read_parquet(p) is not None for p in tables), tables
    assert store.has(scenario, 0, tables=False) and not store.has(scenario, 0)  # a compare would run it in full
    store.save(scenario, quick(scenario, 0))  # ... and the full run then replaces it
    assert store.has(scenario, 0) and len(store.daily(scenario, 0)) == 30


def _problems(err: str) -> list[str]:
    """The error lines, apart from the plausible-range warnings that the small test town triggers."""
    return [line for line in err.strip().splitlines() if not line.startswith("warning:")]


def _town(tmp_path: Path, name: str = "town", **extra: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(SMALL_TOWN.replace("years: 0.5", "years: 0.1") + "".join(f"{k}\n" for k in extra.values()))
    return path


def test_out_that_is_a_file_is_one_line_and_nothing_runs(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    taken = tmp_path / "notes.txt"
    taken.write_text("keep me")
    store = tmp_path / "store"
    status = main(["run", str(_town(tmp_path)), "--out", str(taken), "--store", str(store), "--no-progress"])
    err = capsys.readouterr().err
    assert status != 0 and "Traceback" not in err
    assert _problems(err) == [f"cannot write {taken}: a file is in the way where a folder is needed"]
    assert taken.read_text() == "keep me" and not store.exists()


@pytest.mark.parametrize("code, reason", [(errno.EROFS, "read-only"), (errno.EACCES, "permission denied")])
def test_out_in_a_read_only_place_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, code: int, reason: str
) -> None:
    # Tests may run as root, who can write anywhere: the refusal is simulated where folders are made.
    real_mkdir = Path.mkdir

    def refuse(self: Path, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if self.name == "out":
            raise OSError(code, "refused", str(self))
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse)
    out = tmp_path / "out"
    status = main(["run", str(_town(tmp_path)), "--out", str(out), "--store", str(tmp_path / "s"), "--no-progress"])
    err = capsys.readouterr().err
    assert status != 0 and "Traceback" not in err and len(_problems(err)) == 1
    assert _problems(err)[0].startswith(f"cannot write {out}: ") and reason in err


def test_a_full_disk_while_writing_the_report_is_one_line_and_leaves_no_half_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    out, store = tmp_path / "out", tmp_path / "store"
    args = ["run", str(_town(tmp_path)), "--replicates", "1", "--workers", "1", "--no-progress"]
    fill_disk_after(monkeypatch, out, 2_000, parquet=False)
    status = main([*args, "--out", str(out), "--store", str(store)])
    err = capsys.readouterr().err
    monkeypatch.undo()
    assert status != 0 and "Traceback" not in err
    (problem,) = _problems(err)
    assert problem.startswith("cannot write ") and problem.endswith("the disk is full")
    for path in out.rglob("*"):  # what was written is whole; nothing temporary is left
        assert not path.name.endswith(".tmp"), path
        if path.suffix == ".csv":
            pd.read_csv(path)
    # The run itself was saved, so the same command after freeing space only writes the outputs.
    assert main([*args, "--out", str(out), "--store", str(store)]) == 0
    assert "0 run(s) done in" in capsys.readouterr().out


def test_compare_after_run_reuses_the_baseline_runs_wherever_the_output_goes(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    store = str(tmp_path / "store")
    baseline = _town(tmp_path, "baseline")
    plan = _town(tmp_path, "plan", patrol="police: {patrol_hours_per_day: 36}")
    common = ["--replicates", "1", "--workers", "1", "--no-progress", "--store", store]
    assert main(["run", str(baseline), "--out", str(tmp_path / "a"), *common]) == 0
    capsys.readouterr()
    assert main(["compare", str(baseline), str(plan), "--dry-run", *common]) == 0
    dry = capsys.readouterr().out
    assert "2 run(s) in all, 1 already saved" in dry and "1 to run; about" in dry and "timed from 1 saved run" in dry
    assert not (tmp_path / "b").exists()
    assert main(["compare", str(baseline), str(plan), "--out", str(tmp_path / "b"), *common]) == 0
    printed = capsys.readouterr().out
    assert "1 run(s) done in" in printed and "1 already saved" in printed
    assert main(["compare", str(baseline), str(plan), "--dry-run", *common]) == 0
    assert "2 run(s) in all, 2 already saved in" in capsys.readouterr().out
