"""The results store: one folder per scenario, one finished run per sub-folder, written atomically.

Runs are keyed by the scenario's content hash (everything that affects results, including the
master seed), a fingerprint of the model's code, and the replicate number, so a rerun of the
same command (or any other command needing the same runs) finds the runs already done and skips
them, while runs made by an earlier version of the model are never mixed with new ones. Each run is
written to a temporary folder, every file flushed to disk (fsync), a completeness marker with each
file's size and SHA-256 written last, and only then is the folder renamed into place: a crash or
Ctrl-C can lose the runs in flight but never leaves half a run that looks finished. A saved run
is trusted only while its files match the marker; a damaged one (an emptied summary, a truncated
table) counts as not done, so the next command runs it again. A run that raised leaves its
traceback instead, and is tried again next time. Sweeps keep only the summary (no empty tables).

Layout::

    ROOT/<name>-<hash>-<code>/scenario.json        the settings that were run
    ROOT/<name>-<hash>-<code>/r0007/daily.parquet  one row per day
    ROOT/<name>-<hash>-<code>/r0007/events.parquet the event log
    ROOT/<name>-<hash>-<code>/r0007/summary.json   whole-run outcomes, seed and timing
    ROOT/<name>-<hash>-<code>/r0007/complete.json  written last: each file's size and SHA-256
    ROOT/<name>-<hash>-<code>/r0008.failed.json    a run that raised: its traceback
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import io
import json
import os
import shutil
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.planner.files import OutputError, explain, fsync_folder, write_atomically
from sim.planner.scenario import Scenario


@dataclass
class RunOutcome:
    """What one run sends back from a worker: its tables as Parquet bytes, or its traceback."""

    replicate: int
    seconds: float
    host: str
    summary: dict[str, float] = field(default_factory=dict)
    daily: bytes = b""
    events: bytes = b""
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def to_parquet_bytes(table: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    return buffer.getvalue()


#: The file written last into a saved run: its files' sizes and checksums.
MARKER = "complete.json"


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.cache
def model_fingerprint() -> str:
    """A short hash of the source of every module that shapes a run's results.

    Those are the town's mechanisms (`sim.model`), the schema that fills in defaults and the
    runner that seeds a run; presenting or organising results elsewhere keeps saved runs.
    """
    package = Path(__file__).resolve().parents[1]
    shaping = [
        *sorted((package / "model").glob("*.py")),
        package / "planner" / "scenario.py",
        package / "planner" / "runner.py",
    ]
    digest = hashlib.sha256()
    for path in shaping:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:8]


class Store:
    """Finished runs under one folder (see the module docstring for the layout)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._verified: set[Path] = set()

    def folder(self, scenario: Scenario) -> Path:
        return self.root / f"{scenario.name}-{scenario.content_hash()}-{model_fingerprint()}"

    def run_folder(self, scenario: Scenario, replicate: int) -> Path:
        return self.folder(scenario) / f"r{replicate:04d}"

    def failure_file(self, scenario: Scenario, replicate: int) -> Path:
        return self.folder(scenario) / f"r{replicate:04d}.failed.json"

    def lock(self, scenario: Scenario, replicate: int) -> RunLock | None:
        """Claim a run for this process while it is computed, or None if another command has it."""
        lock = RunLock(self.folder(scenario) / f"r{replicate:04d}.lock")
        return lock if lock.acquire() else None

    def has(self, scenario: Scenario, replicate: int, tables: bool = True) -> bool:
        """True if this replicate finished and its saved files are intact (failures do not count).

        With `tables`, a run saved by a sweep (summary only) does not count either.
        """
        folder = self.run_folder(scenario, replicate)
        marker = self._marker(folder)
        return marker is not None and (marker.get("tables", True) or not tables)

    def _marker(self, folder: Path) -> dict[str, Any] | None:
        """The run's completeness marker if every file it lists has its recorded size and checksum."""
        try:
            marker = json.loads((folder / MARKER).read_text())
            if folder in self._verified:
                return marker
            for name, (size, digest) in marker["files"].items():
                data = (folder / name).read_bytes()
                if len(data) != size or _checksum(data) != digest:
                    return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self._verified.add(folder)
        return marker

    def damaged(self, scenario: Scenario, replicate: int) -> bool:
        """True if a run folder is there but its files do not match its marker (or it has none)."""
        folder = self.run_folder(scenario, replicate)
        return folder.is_dir() and self._marker(folder) is None

    def prepare(self, scenario: Scenario) -> None:
        """Create the scenario's folder, record its settings and clear leftovers of dead runs."""
        folder = self.folder(scenario)
        folder.mkdir(parents=True, exist_ok=True)
        settings = folder / "scenario.json"
        if not settings.is_file():
            write_atomically(settings, scenario.model_dump_json(indent=2))
        for leftover in folder.glob(".*.tmp"):  # named .<what>.<pid>.<random>[.damaged].tmp
            parts = leftover.name.removesuffix(".damaged.tmp").removesuffix(".tmp").split(".")
            pid = parts[-2]
            if pid.isdigit() and not _alive(int(pid)):
                if leftover.is_dir():
                    shutil.rmtree(leftover, ignore_errors=True)
                else:
                    leftover.unlink(missing_ok=True)

    def save(self, scenario: Scenario, outcome: RunOutcome) -> Path:
        """Write one run's outcome; the run only appears once every file of it is in place."""
        folder = self.folder(scenario)
        folder.mkdir(parents=True, exist_ok=True)
        record = {k: v for k, v in asdict(outcome).items() if k not in ("daily", "events")}
        record.update(
            scenario=scenario.name,
            content_hash=scenario.content_hash(),
            model_code=model_fingerprint(),
            master_seed=scenario.seed,
        )
        if outcome.failed:
            target = self.failure_file(scenario, outcome.replicate)
            write_atomically(target, json.dumps(record, indent=2))
            return target
        final = self.run_folder(scenario, outcome.replicate)
        temporary = folder / f".r{outcome.replicate:04d}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
        files = {"summary.json": json.dumps(record, indent=2).encode()}
        if outcome.daily or outcome.events:  # a sweep keeps only the summary: no empty tables
            files.update({"daily.parquet": outcome.daily, "events.parquet": outcome.events})
        marker = {
            "files": {name: [len(data), _checksum(data)] for name, data in files.items()},
            "tables": "daily.parquet" in files,
        }
        try:
            temporary.mkdir()
            for name, data in files.items():
                _write_synced(temporary / name, data)
            _write_synced(temporary / MARKER, json.dumps(marker, indent=2).encode())
            fsync_folder(temporary)
            if self.damaged(scenario, outcome.replicate) or (
                final.is_dir() and not self.has(scenario, outcome.replicate, tables=marker["tables"])
            ):
                self._set_aside(final)
            try:
                os.rename(temporary, final)
            except OSError:  # another process saved the same run first: keep theirs
                shutil.rmtree(temporary, ignore_errors=True)
        except OSError as err:
            shutil.rmtree(temporary, ignore_errors=True)
            raise OutputError(final, explain(err)) from None
        fsync_folder(folder)
        self.failure_file(scenario, outcome.replicate).unlink(missing_ok=True)
        return final

    def _set_aside(self, final: Path) -> None:
        """Remove a damaged (or summary-only) saved run so its replacement can take its place."""
        aside = final.with_name(f".{final.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.damaged.tmp")
        try:
            os.rename(final, aside)
        except OSError:
            return
        self._verified.discard(final)
        shutil.rmtree(aside, ignore_errors=True)

    # -- reading ----------------------------------------------------------------------------------
    def record(self, scenario: Scenario, replicate: int) -> dict[str, Any]:
        return json.loads((self.run_folder(scenario, replicate) / "summary.json").read_text())

    def summaries(self, scenario: Scenario, replicates: range | list[int]) -> pd.DataFrame:
        """Whole-run outcomes of the finished replicates, one row each, indexed by replicate."""
        rows = {r: self.record(scenario, r)["summary"] for r in replicates if self.has(scenario, r, tables=False)}
        table = pd.DataFrame.from_dict(rows, orient="index")
        table.index.name = "replicate"
        return table

    def seconds_per_run(self, scenarios: list[Scenario]) -> list[tuple[float, float]]:
        """(years simulated, seconds taken) of saved runs of these scenarios, for time estimates."""
        found = []
        for scenario in scenarios:
            folder = self.folder(scenario)
            for summary in sorted(folder.glob("r[0-9][0-9][0-9][0-9]/summary.json"))[:20]:
                try:
                    found.append((scenario.years, float(json.loads(summary.read_text())["seconds"])))
                except (OSError, ValueError, KeyError, TypeError):
                    continue
        return found

    def daily(self, scenario: Scenario, replicate: int, columns: list[str] | None = None) -> pd.DataFrame:
        return pd.read_parquet(self.run_folder(scenario, replicate) / "daily.parquet", columns=columns)

    def events(self, scenario: Scenario, replicate: int) -> pd.DataFrame:
        return pd.read_parquet(self.run_folder(scenario, replicate) / "events.parquet")

    def failures(self, scenario: Scenario, replicates: range | list[int]) -> dict[int, dict[str, Any]]:
        """Replicates that raised (and have not succeeded since), with their records."""
        found = {}
        for replicate in replicates:
            path = self.failure_file(scenario, replicate)
            if path.is_file() and not self.has(scenario, replicate, tables=False):
                found[replicate] = {**json.loads(path.read_text()), "path": str(path)}
        return found


class RunLock:
    """An exclusive lock on one run (flock: the system drops it if the holder dies)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: int | None = None

    def acquire(self) -> bool:
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            return False
        self.handle = handle
        return True

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            os.close(self.handle)
            self.handle = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
