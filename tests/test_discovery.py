"""Scenario discovery: PRIM finds where a policy meets planners' criteria across uncertainties."""

from __future__ import annotations

import numpy as np
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
