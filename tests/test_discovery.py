"""Scenario discovery: PRIM finds where a policy meets planners' criteria across uncertainties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.research.discovery import policies_across_uncertainties, prim_box, robust_policies, success_share
from sim.research.experiment import Factor, FunctionModel

UNCERTAIN = [Factor("overdose_rate", 0.0, 1.0), Factor("noise_free", 0.0, 1.0)]


def deaths_under(naloxone: float):  # type: ignore[no-untyped-def]
    """A toy town: deaths rise with the overdose rate; naloxone prevents a share of them."""

    def deaths(overdose_rate: float, noise_free: float) -> dict[str, float]:
        return {"deaths": 100 * overdose_rate * (1 - naloxone), "cost": 10 + 40 * naloxone}

    return deaths


@pytest.mark.slow  # importing EMA Workbench and peeling took about 2 minutes on the shared machine
def test_prim_finds_the_policy_and_the_parameter_range_that_keep_deaths_low() -> None:
    models = {
        name: FunctionModel(deaths_under(share), UNCERTAIN, ["deaths", "cost"])
        for name, share in (("none", 0.0), ("some", 0.3), ("wide", 0.7))
    }
    table = policies_across_uncertainties(models, UNCERTAIN, samples=300, seed=4)
    assert len(table) == 900

    def criteria(t):  # type: ignore[no-untyped-def]
        return (t["deaths"] < 25) & (t["cost"] < 45)

    shares = success_share(table, criteria)
    assert shares["wide"] > 0.8 > shares["none"]
    assert robust_policies(shares, 0.8) == ["wide"]
    limits, stats = prim_box(table, UNCERTAIN, criteria)
    assert stats["density"] > 0.8 and stats["coverage"] > 0.5
    assert set(limits["policy"].iloc[0]) <= {"wide", "some"}  # the box excludes doing nothing
    assert np.isclose(limits["noise_free"].iloc[0], 0.0, atol=0.05)  # an irrelevant input is not restricted


def test_a_box_limit_on_the_input_that_decides_success_is_significant_and_one_on_noise_is_not() -> None:
    """Quasi-p values (Bryant and Lempert 2010) tell a real restriction from one a small sample allows."""
    from sim.research.discovery import prim_boxes

    rng = np.random.default_rng(8)
    experiments = pd.DataFrame(
        {"policy": "only", "overdose_rate": rng.uniform(0, 1, 120), "noise_free": rng.uniform(0, 1, 120)}
    )
    met = experiments["overdose_rate"] < 0.3  # success depends on the overdose rate alone
    limits, _ = prim_boxes(experiments, UNCERTAIN, met, threshold=0.9, boxes=1)
    first = limits[limits["box"] == 1].set_index("input")
    assert first.loc["overdose_rate", "restricted"] and first.loc["overdose_rate", "high"] < 0.4
    assert first.loc["overdose_rate", "qp_high"] < 0.001
    assert np.isnan(first.loc["overdose_rate", "qp_low"])  # the box keeps the low end: nothing to test
    noise = first.loc["noise_free"]
    assert not noise["restricted"] or min(noise[["qp_low", "qp_high"]].dropna()) > 0.05
