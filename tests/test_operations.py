"""One-off hotspot operations (scenario `operations`): the crackdown planners reach for first.

An operation arrests a share of the sellers standing at the swept hotspots on its day, costs the
officer hours it brings, and the market refills its positions when selling still pays (Reuter and
Kleiman 1986: arrests remove sellers, not the demand that pays them).
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.model.model import DrugMarketModel
from sim.planner.runner import run
from sim.planner.scenario import HotspotOperation, ScenarioError, load_scenario
from sim.research.pairing import shortened

DAY = 120
SEEDS = (3, 4, 5)


def _with_operation(**fields: object) -> object:
    scenario = shortened(load_scenario("scenarios/baseline.yaml"), 0.6)
    scenario.operations = [HotspotOperation(day=DAY, **fields)]
    return scenario


@functools.cache
def _paired(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    base = shortened(load_scenario("scenarios/baseline.yaml"), 0.6)
    return run(base, seed=seed).daily, run(_with_operation(arrest_share=0.6), seed=seed).daily


def test_the_operation_arrests_only_at_the_swept_hotspots_and_only_that_day() -> None:
    model = DrugMarketModel(_with_operation(hotspots=[1, 2], arrest_share=1.0), rng=9)
    for _ in range(DAY):
        model.step()
    swept = model.town.hotspot_cells[[0, 1]]
    sellers = model.dealers.active()
    there = sellers[np.isin(model.dealers.cell[sellers], swept)]
    elsewhere = sellers[~np.isin(model.dealers.cell[sellers], swept)]
    model.step()
    record = model.record.frame(model.params.start_date)
    events = model.log.frame()
    arrested = events.loc[(events["day"] == DAY) & (events["event"] == "dealer_arrested"), "id"].to_numpy()
    assert there.size > 0 and np.isin(there, arrested).all()  # every seller standing there was taken (share 1)
    assert record["hotspot_operation_arrests"].iloc[DAY] > 0
    assert not np.isin(elsewhere, arrested).all()  # sellers away from the swept hotspots were not swept up
    assert record["hotspot_operation_arrests"].drop(index=DAY).sum() == 0
    assert record["operation_support_hours"].iloc[DAY] == 200.0
    assert elsewhere.size > 0


def test_the_operation_costs_its_officer_hours_on_its_day() -> None:
    base, operation = _paired(SEEDS[0])
    extra = operation["cost_police"] - base["cost_police"]
    rate = load_scenario("scenarios/baseline.yaml").costs.officer_hour
    assert extra.iloc[:DAY].abs().max() == 0.0  # identical until the operation
    assert extra.iloc[DAY] == pytest.approx(200.0 * rate)


@pytest.mark.parametrize("seed", SEEDS)
def test_sellers_fall_on_the_day_and_positions_refill_while_selling_pays(seed: int) -> None:
    base, operation = _paired(seed)
    drop = base["active_dealers"].iloc[DAY] - operation["active_dealers"].iloc[DAY]
    assert drop >= 5
    assert operation["dealer_arrests"].iloc[DAY] > base["dealer_arrests"].iloc[DAY]
    gap_after_two_months = (
        base["active_dealers"].iloc[DAY + 60 : DAY + 90].mean()
        - operation["active_dealers"].iloc[DAY + 60 : DAY + 90].mean()
    )
    assert gap_after_two_months < drop / 2
    assert operation["dealers_entered"].iloc[DAY : DAY + 60].sum() > base["dealers_entered"].iloc[DAY : DAY + 60].sum()


def test_a_hotspot_the_town_does_not_have_is_refused_naming_the_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("operations:\n  - day: 10\n    hotspots: [2, 9]\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(bad)
    message = str(caught.value)
    assert "bad.yaml:3" in message and "operations.0.hotspots" in message and "numbered 1 to 6" in message
