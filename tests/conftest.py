"""Shared fixtures: small, fast scenarios with fixed seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.planner.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def own_run_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands in a test save runs in the test's own store, never in the repository's results/."""
    monkeypatch.setenv("DRUGMARKET_STORE", str(tmp_path / "run-store"))


@pytest.fixture
def baseline() -> Scenario:
    """The default town, shortened to two years to keep the suite quick."""
    return Scenario(name="test-baseline", years=2.0)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT
