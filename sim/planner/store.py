"""The results store: one folder per scenario, one finished run per sub-folder, written atomically.

Runs are keyed by the scenario's content hash (everything that affects results, including the
master seed), a fingerprint of the model's code, and the replicate number, so a rerun of the
same command finds the runs already done and skips them, while runs made by an earlier version of
the model are never mixed with new ones. Each run is written to a temporary folder that is renamed into place only
when complete: a crash or Ctrl-C can lose the runs in flight but never leaves half a run that
looks finished. A run that raised leaves its traceback instead, and is tried again next time.

Layout::

    ROOT/<name>-<hash>-<code>/scenario.json        the settings that were run
    ROOT/<name>-<hash>-<code>/r0007/daily.parquet  one row per day
    ROOT/<name>-<hash>-<code>/r0007/events.parquet the event log
    ROOT/<name>-<hash>-<code>/r0007/summary.json   whole-run outcomes, seed and timing
    ROOT/<name>-<hash>-<code>/r0008.failed.json    a run that raised: its traceback
"""

from __future__ import annotations

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


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


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

    def folder(self, scenario: Scenario) -> Path:
        return self.root / f"{scenario.name}-{scenario.content_hash()}-{model_fingerprint()}"

    def run_folder(self, scenario: Scenario, replicate: int) -> Path:
        return self.folder(scenario) / f"r{replicate:04d}"

    def failure_file(self, scenario: Scenario, replicate: int) -> Path:
        return self.folder(scenario) / f"r{replicate:04d}.failed.json"

    def has(self, scenario: Scenario, replicate: int) -> bool:
        """True if this replicate finished and was saved (failures do not count)."""
        return (self.run_folder(scenario, replicate) / "summary.json").is_file()

    def prepare(self, scenario: Scenario) -> None:
        """Create the scenario's folder, record its settings and clear leftovers of dead runs."""
        folder = self.folder(scenario)
        folder.mkdir(parents=True, exist_ok=True)
        settings = folder / "scenario.json"
        if not settings.is_file():
            _write_atomically(settings, scenario.model_dump_json(indent=2).encode())
        for leftover in folder.glob(".*.tmp"):  # named .<what>.<pid>.<random>.tmp
            pid = leftover.name.split(".")[-3]
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
            _write_atomically(target, json.dumps(record, indent=2).encode())
            return target
        final = self.run_folder(scenario, outcome.replicate)
        temporary = folder / f".r{outcome.replicate:04d}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
        temporary.mkdir()
        (temporary / "daily.parquet").write_bytes(outcome.daily)
        (temporary / "events.parquet").write_bytes(outcome.events)
        (temporary / "summary.json").write_text(json.dumps(record, indent=2))
        try:
            os.rename(temporary, final)
        except OSError:  # another process saved the same run first: keep theirs
            shutil.rmtree(temporary, ignore_errors=True)
        self.failure_file(scenario, outcome.replicate).unlink(missing_ok=True)
        return final

    # -- reading ----------------------------------------------------------------------------------
    def record(self, scenario: Scenario, replicate: int) -> dict[str, Any]:
        return json.loads((self.run_folder(scenario, replicate) / "summary.json").read_text())

    def summaries(self, scenario: Scenario, replicates: range | list[int]) -> pd.DataFrame:
        """Whole-run outcomes of the finished replicates, one row each, indexed by replicate."""
        rows = {r: self.record(scenario, r)["summary"] for r in replicates if self.has(scenario, r)}
        table = pd.DataFrame.from_dict(rows, orient="index")
        table.index.name = "replicate"
        return table

    def daily(self, scenario: Scenario, replicate: int, columns: list[str] | None = None) -> pd.DataFrame:
        return pd.read_parquet(self.run_folder(scenario, replicate) / "daily.parquet", columns=columns)

    def events(self, scenario: Scenario, replicate: int) -> pd.DataFrame:
        return pd.read_parquet(self.run_folder(scenario, replicate) / "events.parquet")

    def failures(self, scenario: Scenario, replicates: range | list[int]) -> dict[int, dict[str, Any]]:
        """Replicates that raised (and have not succeeded since), with their records."""
        found = {}
        for replicate in replicates:
            path = self.failure_file(scenario, replicate)
            if path.is_file() and not self.has(scenario, replicate):
                found[replicate] = {**json.loads(path.read_text()), "path": str(path)}
        return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
