"""Focused deterrence: identification, call-ins, community voices, group sanctions, fidelity, go-live."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.model.deterrence import DeterrenceParams, Partnership
from sim.model.model import DrugMarketModel
from sim.planner.scenario import Scenario

SEEDS = range(3)


def _programme(baseline: Scenario, **levers: object) -> Scenario:
    """The baseline town with focused deterrence running from day 0, levers as given."""
    scenario = baseline.model_copy(deep=True)
    scenario.deterrence.active = True
    scenario.deterrence.resources_at_go_live = 1.0
    for name, value in levers.items():
        setattr(scenario.deterrence, name, value)
    return scenario


def _runs(scenario: Scenario, seeds: range = SEEDS) -> pd.DataFrame:
    return pd.concat([sim.run(scenario, seed=seed).daily.assign(seed=seed) for seed in seeds])


@pytest.fixture(scope="module")
def town() -> Scenario:
    return Scenario(name="test-deterrence", years=1.5)


@pytest.fixture(scope="module")
def without(town: Scenario) -> pd.DataFrame:
    return _runs(town)


@pytest.fixture(scope="module")
def with_programme(town: Scenario) -> pd.DataFrame:
    return _runs(_programme(town))


def test_call_ins_raise_dealers_perceived_risk_and_exits(without: pd.DataFrame, with_programme: pd.DataFrame) -> None:
    assert with_programme["dealer_call_ins"].sum() > 50
    assert without["dealer_call_ins"].sum() == 0
    later = lambda d: d[d["day"] >= 180]  # noqa: E731
    assert later(with_programme)["mean_dealer_risk"].mean() > 1.3 * later(without)["mean_dealer_risk"].mean()
    assert with_programme["dealers_exited"].sum() > 1.1 * without["dealers_exited"].sum()
    assert later(with_programme)["active_dealers"].mean() < later(without)["active_dealers"].mean()


def test_call_ins_with_an_offer_of_services_raise_readiness_for_treatment(town: Scenario) -> None:
    model = DrugMarketModel(_programme(town), rng=np.random.SeedSequence(2))
    model.run_for(200)
    events = model.log.frame()
    called = events.loc[events["event"] == "person_called_in", "id"].unique()
    assert called.size > 10
    others = np.setdiff1d(np.arange(model.people.n), called)
    assert model.people.readiness[called].mean() > 1.3 * model.people.readiness[others].mean()


def test_better_joint_working_strengthens_the_offer_and_the_message() -> None:
    weak = Partnership.of(DeterrenceParams(co_location=0.0, joint_training=0.0, aligned_governance=0.0))
    strong = Partnership.of(DeterrenceParams(co_location=1.0, joint_training=1.0, aligned_governance=1.0))
    assert strong.referral > 1.5 * weak.referral
    assert strong.message > 1.5 * weak.message
    assert strong.delivery > weak.delivery


def test_community_voices_strengthen_the_message() -> None:
    alone = Partnership.of(DeterrenceParams(community_voices=0.0))
    together = Partnership.of(DeterrenceParams(community_voices=1.0))
    assert together.message > alone.message
    assert together.referral > alone.referral


def test_data_sharing_speeds_identification(town: Scenario) -> None:
    short = town.model_copy(update={"years": 0.5})
    identified = {}
    for sharing in (0.0, 1.0):
        daily = _runs(_programme(short, data_sharing=sharing), range(2))
        identified[sharing] = daily.loc[daily["day"].between(60, 120), "identified_dealers"].mean()
    assert identified[1.0] > 1.5 * identified[0.0]


def test_low_fidelity_weakens_deterrence(town: Scenario) -> None:
    faithful = _runs(_programme(town, fidelity=1.0))
    patchy = _runs(_programme(town, fidelity=0.2))
    later = lambda d: d[d["day"] >= 180]  # noqa: E731
    assert patchy["dealer_call_ins"].sum() < 0.5 * faithful["dealer_call_ins"].sum()
    assert patchy["group_sanctions"].sum() < 0.5 * faithful["group_sanctions"].sum()
    assert later(patchy)["mean_dealer_risk"].mean() < later(faithful)["mean_dealer_risk"].mean()
    assert later(patchy)["active_dealers"].mean() > later(faithful)["active_dealers"].mean()


def test_group_sanctions_bring_operations_on_the_whole_group(town: Scenario) -> None:
    with_sanctions = _runs(_programme(town, group_sanctions=True), range(2))
    without_sanctions = _runs(_programme(town, group_sanctions=False), range(2))
    assert with_sanctions["group_sanctions"].sum() > 5
    assert without_sanctions["group_sanctions"].sum() == 0
    assert with_sanctions["operation_hours"].sum() > 1.3 * without_sanctions["operation_hours"].sum()
    assert with_sanctions["operation_arrests"].sum() > without_sanctions["operation_arrests"].sum()


def test_benefits_diffuse_to_group_members_never_called_in(town: Scenario) -> None:
    model = DrugMarketModel(_programme(town, group_sanctions=False), rng=np.random.SeedSequence(3))
    model.run_for(120)
    fd, dealers = model.deterrence, model.dealers
    sellers = dealers.active()
    signal = fd._signal(model.today)
    warned_groups = np.unique(dealers.group[sellers[fd.sellers.warning[sellers] > 0]])
    in_warned = np.isin(dealers.group[sellers], warned_groups)
    never_called = fd.sellers.last_called[sellers] < 0
    peers = sellers[in_warned & never_called]
    strangers = sellers[~in_warned & never_called]
    assert peers.size and strangers.size
    assert np.all(signal[peers] > 0)
    assert np.all(signal[strangers] == 0)


def test_resources_missing_at_go_live_delay_every_effect(town: Scenario) -> None:
    short = town.model_copy(update={"years": 0.5})
    ready = _runs(_programme(short, resources_at_go_live=1.0), range(2))
    unready = _runs(_programme(short, resources_at_go_live=0.0, ramp_up_days=365), range(2))
    for column in ("dealer_call_ins", "person_call_ins", "identified_dealers"):
        assert unready[column].sum() < 0.6 * ready[column].sum(), column
    assert unready["deterrence_resources"].iloc[:150].max() < 0.5


def test_programme_goes_live_on_the_day_set(baseline: Scenario) -> None:
    go_live = {"day": 100, "set": {"deterrence.active": True}}
    scenario = Scenario.model_validate({**baseline.model_dump(), "years": 0.6, "events": [go_live]})
    daily = sim.run(scenario, seed=1).daily
    assert daily.loc[daily["day"] < 100, ["dealer_call_ins", "deterrence_resources"]].to_numpy().sum() == 0
    assert daily.loc[daily["day"] >= 100, "deterrence_resources"].min() > 0
    assert daily.loc[daily["day"] >= 100, "dealer_call_ins"].sum() > 0
