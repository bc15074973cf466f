"""ABC-SMC recovers known parameters from synthetic data, and says when nothing fits."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyabc
import pytest

from sim.research.abc import Target, abc_smc, fingerprint, stored_run
from sim.research.experiment import Factor

ROOT = Path(__file__).resolve().parent.parent
FACTORS = [Factor("growth", 0.0, 10.0), Factor("loss", 0.0, 5.0)]


def synthetic(values: dict[str, float]) -> dict[str, float]:
    """A cheap stand-in for the town: two noisy figures that pin down two parameters together."""
    rng = np.random.default_rng(np.random.randint(2**31 - 1))
    growth, loss = values["growth"], values["loss"]
    return {"net": growth - loss + rng.normal(0, 0.1), "turnover": growth + loss + rng.normal(0, 0.1)}


def targets_from(truth: dict[str, float]) -> list[Target]:
    observed = {"net": truth["growth"] - truth["loss"], "turnover": truth["growth"] + truth["loss"]}
    return [Target(name, value, value - 0.5, value + 0.5) for name, value in observed.items()]


def test_the_posterior_recovers_the_parameters_that_made_the_data() -> None:
    truth = {"growth": 6.0, "loss": 2.0}
    posterior = abc_smc(synthetic, FACTORS, targets_from(truth), population=80, generations=4, seed=2)
    assert posterior.fits
    summary = posterior.summary().set_index("parameter")
    for name, value in truth.items():
        low, high = summary.loc[name, ["low_90%", "high_90%"]]
        assert low <= value <= high, (name, low, high)
        prior = summary.loc[name, "prior_high"] - summary.loc[name, "prior_low"]
        assert high - low < prior / 4  # the data narrowed the prior
        assert summary.loc[name, "median"] == pytest.approx(value, abs=0.5)
    assert posterior.epsilons == sorted(posterior.epsilons, reverse=True)  # the tolerance shrank


def test_targets_out_of_reach_are_reported_as_not_fitting() -> None:
    out_of_reach = [Target("net", 40.0, 39.0, 41.0), Target("turnover", 40.0, 39.0, 41.0)]
    posterior = abc_smc(synthetic, FACTORS, out_of_reach, population=30, generations=2, seed=2)
    assert not posterior.fits
    assert posterior.epsilons[-1] > 1


KILLED_RUN = """
import os, signal, sys
from pathlib import Path
import numpy as np
from sim.research.abc import Target, abc_smc
from sim.research.experiment import Factor

calls = 0

def simulate(values):
    global calls
    calls += 1
    if calls == int(sys.argv[2]):
        os.kill(os.getpid(), signal.SIGKILL)  # no clean-up, no finally: as a killed worker or a power cut
    rng = np.random.default_rng(np.random.randint(2**31 - 1))
    return {"net": values["growth"] - values["loss"] + rng.normal(0, 0.1),
            "turnover": values["growth"] + values["loss"] + rng.normal(0, 0.1)}

factors = [Factor("growth", 0.0, 10.0), Factor("loss", 0.0, 5.0)]
targets = [Target("net", 4.0, 3.5, 4.5), Target("turnover", 8.0, 7.5, 8.5)]
abc_smc(simulate, factors, targets, population=30, generations=4, seed=5, database=Path(sys.argv[1]))
"""


def counting(calls: list[int]):  # type: ignore[no-untyped-def]
    def simulate(values: dict[str, float]) -> dict[str, float]:
        calls.append(1)
        return synthetic(values)

    return simulate


def test_a_killed_calibration_carries_on_from_its_last_finished_generation(tmp_path: Path) -> None:
    database = tmp_path / "abc.db"
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_RUN, str(database), "200"], cwd=ROOT, capture_output=True, text=True
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    targets = targets_from({"growth": 6.0, "loss": 2.0})
    stored = stored_run(database, fingerprint(FACTORS, targets, 30, 5))
    assert stored is not None
    _, finished = stored
    assert finished == 2  # killed in the third generation (call 200 of 334), after two were saved
    before = pyabc.History(f"sqlite:///{database}").get_all_populations()
    calls: list[int] = []
    posterior = abc_smc(counting(calls), FACTORS, targets, population=30, generations=4, seed=5, database=database)
    assert posterior.resumed_after == finished
    assert len(posterior.epsilons) == 4
    saved = before.loc[before["t"] >= 0, "epsilon"].tolist()
    assert posterior.epsilons[:finished] == pytest.approx(saved)  # the saved generations were kept, not rerun
    saved_runs = int(before["samples"].sum())
    assert len(calls) == posterior.simulations - saved_runs  # only the missing generations were simulated
    assert posterior.epsilons == sorted(posterior.epsilons, reverse=True)  # and the tolerance kept shrinking


def test_raising_the_generations_extends_a_finished_calibration(tmp_path: Path) -> None:
    targets = targets_from({"growth": 6.0, "loss": 2.0})
    first = abc_smc(synthetic, FACTORS, targets, population=30, generations=2, seed=1, database=tmp_path / "abc.db")
    calls: list[int] = []
    again = abc_smc(
        counting(calls), FACTORS, targets, population=30, generations=2, seed=1, database=tmp_path / "abc.db"
    )
    assert calls == [] and again.epsilons == first.epsilons  # nothing left to do: nothing rerun
    longer = abc_smc(synthetic, FACTORS, targets, population=30, generations=3, seed=1, database=tmp_path / "abc.db")
    assert longer.resumed_after == 2
    assert longer.epsilons[:2] == first.epsilons and len(longer.epsilons) == 3


def one_generation(database: Path, growth: float = 6.0, loss: float = 2.0):  # type: ignore[no-untyped-def]
    """A small fit of the synthetic model, kept in `database`."""
    targets = targets_from({"growth": growth, "loss": loss})
    return abc_smc(synthetic, FACTORS, targets, population=30, generations=1, seed=1, database=database)


def test_a_different_problem_in_the_same_database_starts_afresh(tmp_path: Path) -> None:
    one_generation(tmp_path / "abc.db")
    assert one_generation(tmp_path / "abc.db", growth=3.0, loss=1.0).resumed_after == 0
    assert one_generation(tmp_path / "abc.db").resumed_after == 1  # the first problem is still found


def test_a_damaged_database_is_reported_and_left_alone(tmp_path: Path) -> None:
    database = tmp_path / "abc.db"
    one_generation(database)
    damaged = database.read_bytes()[:3000]  # truncated, as by a full disk
    database.write_bytes(damaged)
    with pytest.raises(RuntimeError, match=r"abc\.db: not a readable ABC-SMC database"):
        one_generation(database)
    assert database.read_bytes() == damaged
