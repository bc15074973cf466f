"""Shared fixtures: small, fast scenarios with fixed seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.planner.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def baseline() -> Scenario:
    """The default town, shortened to two years to keep the suite quick."""
    return Scenario(name="test-baseline", years=2.0)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT
