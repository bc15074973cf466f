"""The workshop page without a browser: its module imports, its model steps, its levers reach the model.

As Mesa tests its example apps: import the page, build the model the way SolaraViz does on Reset,
and step it. The browser itself is exercised in test_viz_browser.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from mesa.visualization.solara_viz import _check_model_params

import sim
from sim.outcomes import Event, EventLog
from sim.scenario import ScenarioError, load_scenario
from sim.viz import launch
from sim.viz.__main__ import main as viz_main
from sim.viz.drawing import PANELS, RECENT_DAYS, day_label, draw_town, draw_trends
from sim.viz.levers import LEVERS, field_of, mesa_params, seed_from_text, slider_range, unit_of
from sim.viz.workshop import WorkshopModel, scenario_library


def reset_kwargs(params: dict) -> dict:
    """The keyword arguments SolaraViz passes when it rebuilds the model (fixed values as they are,
    inputs at their current value)."""
    return {name: spec["value"] if isinstance(spec, dict) else spec for name, spec in params.items()}


def test_page_module_builds_a_town_per_session_and_mesa_accepts_its_parameters() -> None:
    from sim.viz import app

    assert callable(app.Page)
    # Nothing at module level is a model: a model there would be shared by every browser.
    assert not [name for name, value in vars(app).items() if isinstance(value, sim.DrugMarketModel)]
    scenario = load_scenario(app.LIBRARY[app.START])
    params = mesa_params(scenario, app.START)
    model = WorkshopModel(**reset_kwargs(params))
    _check_model_params(model, params)  # what SolaraViz runs when the page mounts
    for _ in range(14):
        model.step()
    assert day_label(model).startswith("Day 14 · Sun 20 Apr 2025 · year 1 of 5")
    assert model.record.frame(scenario.start_date)["active_dealers"].gt(0).all()


def test_page_shows_the_same_run_as_the_command_line() -> None:
    scenario = load_scenario(scenario_library()["baseline"])
    scenario.years = 0.25
    model = WorkshopModel("baseline", rng="7", years=0.25)
    while model.running:
        model.step()
    expected = sim.run(scenario, seed=7).daily
    pd.testing.assert_frame_equal(model.record.frame(scenario.start_date), expected)
    assert model.record.days_recorded == scenario.days  # stops at the horizon, not one day past it
    for _ in range(7):  # Mesa's Step runs a whole week even when the horizon falls inside it
        model.step()
    assert model.record.days_recorded == scenario.days and not model.running


def test_levers_reach_the_model_and_patrol_is_drawn_where_it_went() -> None:
    model = WorkshopModel(patrol_hours=60.0, naloxone_coverage=0.9, targeting="hotspots", rng=3)
    assert model.params.police.patrol_hours_per_day == 60.0
    assert model.params.overdose.naloxone_coverage == 0.9
    assert model.people.naloxone[: model.people.n].mean() == pytest.approx(0.9, abs=0.03)
    model.step()
    assert model.patrol.sum() == pytest.approx(60.0)
    assert set(np.flatnonzero(model.patrol)) == set(model.town.hotspot_cells)
    untouched = WorkshopModel(rng=3)
    assert (
        untouched.params.police.patrol_hours_per_day
        == load_scenario(scenario_library()["baseline"]).police.patrol_hours_per_day
    )


def test_a_lever_outside_its_hard_bounds_is_refused() -> None:
    with pytest.raises(ValueError, match="naloxone_coverage"):
        WorkshopModel(naloxone_coverage=1.5)


def test_sliders_take_units_and_ranges_from_the_scenario_schema() -> None:
    scenario = load_scenario(scenario_library()["baseline"])
    params = mesa_params(scenario, "baseline")
    for key, lever in LEVERS.items():
        spec = params[key]
        model, name = field_of(lever.path)
        assert name in model.model_fields
        if spec["type"] == "Select":
            assert spec["value"] in spec["values"]
            continue
        assert spec["min"] <= spec["value"] <= spec["max"], key
        assert unit_of(lever.path) in spec["label"]
    patrol = params["patrol_hours"]
    assert (patrol["min"], patrol["max"]) == (0.0, 120.0)  # the plausible range declared in police.py
    assert "officer-hours/day" in patrol["label"]
    assert (params["naloxone_coverage"]["min"], params["naloxone_coverage"]["max"]) == (0.0, 1.0)
    assert params["targeting"]["values"] == ["visible_sellers", "hotspots"]
    # A value beyond the plausible range widens the slider rather than being cut off.
    assert slider_range("police.patrol_hours_per_day", 200.0) == (0.0, 200.0)


def test_the_map_shows_every_overdose_of_the_last_four_weeks() -> None:
    model = WorkshopModel(rng=11, purity=0.5)
    for _ in range(90):
        model.step()
    events = model.log.frame()
    recent = events[(events["day"] >= model.record.days_recorded - RECENT_DAYS) & (events["event"] == "overdose")]
    assert len(recent) > 0
    fig = draw_town(model)
    ax = fig.axes[0]
    dots = sum(len(c.get_offsets()) for c in ax.collections[1:])  # the first collection is the sellers
    assert dots == len(recent)
    sellers = ax.collections[0].get_offsets()
    assert len(sellers) == np.count_nonzero(model.dealers.by_cell())
    trends = draw_trends(model)
    assert len(trends.axes) == len(PANELS)
    assert all(len(ax.lines) >= 1 for ax in trends.axes)
    deaths = next(ax for ax in trends.axes if ax.get_title(loc="left").startswith("Overdose deaths"))
    assert deaths.get_title(loc="left").endswith(f" · {events['event'].eq('overdose_death').sum()} so far")


def test_event_log_since_returns_recent_events_of_one_kind() -> None:
    log = EventLog()
    log.record(3, Event.OVERDOSE, np.array([1, 2]), cell=np.array([10, 11]))
    log.record(5, Event.OVERDOSE_DEATH, np.array([2]), cell=11)
    log.record(9, Event.OVERDOSE, np.array([4]), cell=12)
    ids, cells = log.since(Event.OVERDOSE, 4)
    assert ids.tolist() == [4] and cells.tolist() == [12]
    assert log.since(Event.OVERDOSE, 0)[0].tolist() == [1, 2, 4]
    assert log.since(Event.NALOXONE_REVERSAL, 0)[0].size == 0


def test_typed_seed_is_repeatable() -> None:
    assert seed_from_text("42", 1) == 42
    assert seed_from_text("", 1) == 1
    assert seed_from_text("Tuesday group", 1) == seed_from_text("Tuesday group", 2) != seed_from_text("Monday", 1)


def test_launcher_sets_up_an_offline_server_and_checks_the_scenario_first(tmp_path: Path, repo_root: Path) -> None:
    assert launch.offline_problems() == []  # solara-assets present, ipyvue and ipyvuetify below 3
    env = launch.server_env(repo_root / "scenarios" / "baseline.yaml")
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert Path(env[launch.SCENARIO_ENV]).is_absolute()
    command = launch.server_command(8999)
    assert command[1:4] == ["-m", "solara", "run"] and "--production" in command and "127.0.0.1" in command
    broken = tmp_path / "broken.yaml"
    broken.write_text("police:\n  patrol_hours_per_dya: 10\n")
    with pytest.raises(ScenarioError, match="patrol_hours_per_day"):
        launch.serve(broken, port=8999, open_browser=False)  # refused before any server starts


def test_python_m_sim_viz_explains_a_broken_scenario_and_starts_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("overdose:\n  naloxone_coverage: 1.4\n")
    assert viz_main([str(broken), "--no-browser"]) == 2
    assert "naloxone_coverage" in capsys.readouterr().err


def test_the_launched_scenario_opens_first(tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    crackdown = tmp_path / "crackdown.yaml"
    baseline = repo_root / "scenarios" / "baseline.yaml"
    crackdown.write_text(f"extends: {baseline}\nname: crackdown\npolice:\n  patrol_hours_per_day: 80\n")
    monkeypatch.setenv(launch.SCENARIO_ENV, str(crackdown))
    library = scenario_library()
    assert next(iter(library)) == "crackdown" and "baseline" in library
    assert WorkshopModel("crackdown").params.police.patrol_hours_per_day == 80
