"""The workshop page without a browser: its module imports, its model steps, its levers reach the model.

Import the page, build the model the way the page does on Reset, and step it; check the drawings
and words it shows. The browser itself is exercised in test_viz_browser.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.model.events import Event, EventLog
from sim.model.outcomes import COLUMN_BY_NAME
from sim.planner.levers import in_words, parameter
from sim.planner.scenario import ScenarioError, load_scenario
from sim.viz import app, launch, story
from sim.viz.__main__ import main as viz_main
from sim.viz.drawing import CHARTS, Line, axis_end, chart_svg, day_label, smooth
from sim.viz.kpis import cards, ticker
from sim.viz.levers import LEVERS, mesa_params, seed_from_text, slider_range, unit_of
from sim.viz.townmap import RECENT_DAYS, town_svg
from sim.viz.workshop import WorkshopModel, scenario_library


def reset_kwargs(params: dict) -> dict:
    """The keyword arguments the page passes when it builds the model (inputs at their value)."""
    return {name: spec["value"] if isinstance(spec, dict) else spec for name, spec in params.items()}


def test_page_module_builds_a_town_per_session_from_its_inputs() -> None:
    assert callable(app.Page)
    # Nothing at module level is a model: a model there would be shared by every browser.
    assert not [name for name, value in vars(app).items() if isinstance(value, sim.DrugMarketModel)]
    scenario = load_scenario(app.LIBRARY[app.START])
    params = mesa_params(scenario, app.START)
    session = app.Session(app.START, str(scenario.seed), app.scenario_levers(app.START))
    assert session.moved == [] and session.levers == {k: v for k, v in reset_kwargs(params).items() if k in LEVERS}
    model = session.model
    session.advance(14)
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
    for _ in range(7):  # Step runs a whole week even when the horizon falls inside it
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
    assert len(LEVERS) <= 12  # a panel a trainer can take in at a glance
    for key, lever in LEVERS.items():
        spec = params[key]
        assert parameter(lever.path).unit or parameter(lever.path).switch, key  # a declared setting
        if spec["type"] == "Select":
            assert spec["value"] in spec["values"]
            continue
        if spec["type"] == "Checkbox":
            assert isinstance(spec["value"], bool), key
            continue
        assert spec["min"] <= spec["value"] <= spec["max"], key
        assert unit_of(lever.path) in spec["label"]
    patrol = params["patrol_hours"]
    assert (patrol["min"], patrol["max"]) == (0.0, 120.0)  # the plausible range declared in police.py
    assert "officer-hours/day" in patrol["label"]
    assert (params["naloxone_coverage"]["min"], params["naloxone_coverage"]["max"]) == (0.0, 1.0)
    assert params["targeting"]["values"] == ["visible_sellers", "hotspots"]
    assert params["deterrence"] == {"type": "Checkbox", "value": False, "label": LEVERS["deterrence"].label}
    keyworkers = params["keyworkers"]
    assert keyworkers["type"] == "SliderInt" and (keyworkers["min"], keyworkers["max"], keyworkers["value"]) == (
        8,
        40,
        18,
    )
    assert (params["team_posts"]["min"], params["team_posts"]["max"], params["team_posts"]["value"]) == (3, 40, 8)
    # A value beyond the plausible range widens the slider rather than being cut off.
    assert slider_range("police.patrol_hours_per_day", 200.0) == (0.0, 200.0)


def year_two(seed: int = 5, **levers: object) -> pd.DataFrame:
    """The second year of a two-year workshop run of the baseline with the given levers."""
    model = WorkshopModel(rng=seed, years=2.0, **levers)
    while model.running:
        model.step()
    daily = model.record.frame(model.params.start_date)
    return daily[daily["day"] >= 365]


def test_funded_keyworker_posts_are_filled_only_with_the_staff_to_fill_them() -> None:
    unstaffed = WorkshopModel(rng=5, keyworkers=26)
    # Funded posts are a change on day 0, not a bigger starting service: the staff in post are the file's.
    assert unstaffed.treatment.in_post == WorkshopModel(rng=5).treatment.in_post
    assert unstaffed.params.treatment.keyworkers == 18
    unstaffed.step()
    assert unstaffed.params.treatment.keyworkers == 26
    # One seed each: the limits below come from the labour market and the posts, not from chance.
    unstaffed, staffed = year_two(keyworkers=26), year_two(keyworkers=26, qualified_staff=27)
    # Without qualified staff the new posts stay vacant: no more than the 19 the labour market has.
    assert unstaffed["keyworkers_in_post"].max() <= 19
    assert unstaffed["keyworker_vacancies"].mean() > 6
    assert staffed["keyworkers_in_post"].mean() > 22
    # Whether filled posts then treat more people depends on demand: at the baseline's demand
    # treatment is not limited by places (tests/test_treatment.py checks both cases).
    assert staffed["treatment_capacity"].mean() > unstaffed["treatment_capacity"].mean() + 100


def test_funded_police_posts_carry_a_surge_without_overtime_once_filled() -> None:
    surge = year_two(patrol_hours=48.0)
    funded = year_two(patrol_hours=48.0, team_posts=14)
    assert funded["team_in_post"].mean() > 12 and surge["team_in_post"].max() <= 8
    assert surge["overtime_hours"].mean() > 5 * funded["overtime_hours"].mean()  # about 10 times in our runs
    assert surge["unfilled_hours"].sum() > funded["unfilled_hours"].sum()
    assert surge["mean_fatigue"].mean() > 2 * funded["mean_fatigue"].mean()
    # New posts are filled after the hiring delay, not on day 0.
    early = WorkshopModel(rng=5, team_posts=14)
    for _ in range(30):
        early.step()
    assert early.record.frame(early.params.start_date)["team_in_post"].max() == 8


def test_an_unmoved_funded_lever_leaves_the_scenario_timed_changes_alone() -> None:
    scenario = load_scenario(scenario_library()["surge-funded-posts"])
    model = WorkshopModel("surge-funded-posts", team_posts=scenario.officers.establishment)
    assert model.params.events == scenario.events
    moved = WorkshopModel("surge-funded-posts", team_posts=12)
    assert len(moved.params.events) == len(scenario.events) + 1
    moved.step()
    assert moved.params.officers.establishment == 12  # the page's change comes after the file's day-0 change
    with pytest.raises(ValueError, match="team_posts"):
        WorkshopModel(team_posts=-1)


def test_the_focused_deterrence_switch_starts_call_ins() -> None:
    model = WorkshopModel(rng=2, deterrence=True)
    for _ in range(60):
        model.step()
    daily = model.record.frame(model.params.start_date)
    assert model.params.deterrence.active
    assert daily["dealer_call_ins"].sum() > 0 and daily["deterrence_resources"].iloc[-1] > 0


def test_every_scenario_file_is_offered_and_runs_on_the_page(repo_root: Path) -> None:
    files = sorted(path.stem for path in (repo_root / "scenarios").glob("*.yaml"))
    library = scenario_library()
    assert sorted(library) == files  # none left out because it failed to load
    assert next(iter(library)) == "baseline"
    for name in library:
        scenario = load_scenario(library[name])
        params = mesa_params(scenario, name)
        model = WorkshopModel(**reset_kwargs(params))
        for _ in range(14):
            model.step()
        assert model.record.days_recorded == 14, name
        assert all("<polyline" in chart_svg(model, chart) for chart in CHARTS), name
        assert f"Scenario: {scenario.name}." in story.levers_in_force(model)


def test_levers_table_says_what_is_in_force_in_words() -> None:
    model = WorkshopModel("custody-evening-rota", rng=1, deterrence=True, keyworkers=24)
    for _ in range(30):
        model.step()
    table = story.levers_in_force(model, moved=["deterrence"])
    assert "| Focused deterrence programme running (moved on the page) | yes |" in table
    assert "| Treatment keyworkers: funded posts | 24 posts |" in table
    assert "| Where patrol goes | visible_sellers |" in table
    # Timed changes by the lever's name in the drawer and its unit, not its dotted key.
    assert "Treatment keyworkers: funded posts → 24 posts (set on the workshop page" in table
    assert "treatment.keyworkers" not in table
    surge = story.levers_in_force(WorkshopModel("surge-overtime", rng=1))
    assert "day 182: Police patrol at the market → 48 officer-hours/day; Planned officer hours a week" in surge
    assert in_words([{"start_hour": 14, "hours": 10, "workers": 1, "weekends": True}]) == (
        "1 worker 14:00-00:00 every day"
    )
    assert in_words([{"start_hour": 9, "hours": 8.5, "workers": 2, "weekends": False}]) == (
        "2 workers 09:00-17:30 weekdays"
    )
    costs = story.cost_breakdown(model)
    total = model.record.frame(model.params.start_date)["cost_total"].sum()
    assert sum(costs.values()) == pytest.approx(total)  # every agency's cost is in the sentence
    assert costs["police officers"] > 0 and costs["treatment"] > 0 and costs["prison"] > 0
    assert "**Costs so far** (2024/25 prices): £" in table


def test_the_map_shows_every_overdose_of_the_last_four_weeks() -> None:
    model = WorkshopModel(rng=11)
    for _ in range(90):
        model.step()
    events = model.log.frame()
    recent = events[(events["day"] >= model.record.days_recorded - RECENT_DAYS) & (events["event"] == "overdose")]
    assert len(recent) > 0
    drawn = town_svg(model)
    marks = sum(drawn.count(f"class='{kind}'") for kind in ("survived", "reversed", "died"))
    assert marks == len(recent)
    # One mark per cell for each kind of group standing there (high-harm groups, other groups).
    ids = model.dealers.active()
    high = model.enforcement.high_harm[model.dealers.group[ids]]
    cells = model.dealers.cell[ids]
    assert drawn.count("class='seller high-harm'") == np.unique(cells[high]).size > 0
    assert drawn.count("class='seller other'") == np.unique(cells[~high]).size > 0
    assert drawn.count("class='patrol'") == np.count_nonzero(model.patrol > 0.05)
    cards_now = {card.key: card.number for card in cards(model)}
    assert cards_now["deaths"] == events["event"].eq("overdose_death").sum()
    assert cards_now["treatment"] == model.record.last("in_treatment")[0]
    assert ticker(model).startswith("Last 7 days: ")


def test_the_map_places_treatment_and_custody_off_the_market_and_rings_warned_groups() -> None:
    model = WorkshopModel(rng=2, deterrence=True)
    town = model.town
    treatment, custody = town.service_sites()
    assert (treatment, custody) == town.service_sites()  # a fixed place, frame after frame
    assert town.distance[treatment, custody] >= 3
    for site in (treatment, custody):
        assert town.distance[site, town.hotspot_cells].min() >= 1.5  # not where sellers stand
    # The most deprived neighbourhood has the treatment service (where most clients live).
    assert town.deprivation[town.neighbourhood[treatment]] == town.deprivation.max()
    drawn = town_svg(model)
    assert drawn.count("class='site treatment'") == 1 and drawn.count("class='site custody'") == 1
    assert f"x='{town.x[treatment] * 26 - 2}' y='{town.y[treatment] * 26 - 2}'" in drawn
    assert "class='warned'" not in drawn  # no call-in yet
    for _ in range(45):
        model.step()
    day = model.record.days_recorded - 1
    ids = model.dealers.active()
    warned = model.deterrence.group_warned_until[model.dealers.group[ids]] >= day
    high = model.enforcement.high_harm[model.dealers.group[ids]]
    cells = model.dealers.cell[ids]
    rings = np.unique(cells[warned & high]).size + np.unique(cells[warned & ~high]).size
    assert rings > 0 and town_svg(model).count("class='warned'") == rings


def test_charts_draw_declared_columns_tell_the_story_and_follow_the_run() -> None:
    drawn = {column for chart in CHARTS for line in chart.lines for column in line.columns}
    assert drawn <= set(COLUMN_BY_NAME), drawn - set(COLUMN_BY_NAME)  # a renamed column would vanish silently
    for column in ("overdose_deaths", "naloxone_reversals", "in_treatment", "waiting_list", "active_dealers",
                   "patrol_hours", "overtime_hours", "unfilled_hours"):  # fmt: skip
        assert column in drawn, column
    assert len(CHARTS) <= 4 and CHARTS[0].title.startswith("Overdoses")  # harm first, few large charts
    colours = [line.colour for chart in CHARTS for line in chart.lines]
    for chart in CHARTS:
        assert len({line.colour for line in chart.lines}) == len(chart.lines), chart.title
    assert len(set(colours)) >= 6
    # The x axis follows the run: a week in, it spans eight weeks; after a year, a year.
    assert axis_end(7) == 56 and axis_end(365) == 365 and axis_end(366) == 365 + 182.5 - 0.5
    model = WorkshopModel(rng=4)
    for _ in range(60):
        model.step()
    svg = chart_svg(model, CHARTS[1])
    assert "in treatment" in svg and "waiting" in svg and svg.count("<polyline") == 2


def test_a_rate_waits_for_half_its_window_instead_of_blowing_up_one_early_death() -> None:
    deaths = pd.Series(np.zeros(200))
    deaths[2] = 1  # one death on day 3
    per_quarter = smooth(deaths, Line("overdose_deaths", "deaths", "#000", 91, "rate"))
    assert np.isnan(per_quarter[:44]).all()
    assert per_quarter[44] == pytest.approx(91 / 45)  # one death in 45 days, as a quarterly rate
    assert per_quarter[90] == pytest.approx(1.0)  # a full quarter holding that one death
    assert per_quarter[93] == 0  # the quarter has moved past it


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


def test_story_steps_name_real_scenarios_and_levers_and_build_a_town() -> None:
    library = scenario_library()
    assert len(story.STEPS) >= 5
    for title, chapter in story.STEPS.items():
        assert chapter.scenario in library, title
        assert set(chapter.levers) <= set(LEVERS), title
        assert chapter.look_for, title
    crackdown = story.STEPS["2. A crackdown: patrol 80 h a day"]
    model = WorkshopModel(crackdown.scenario, rng=1, **crackdown.levers)
    assert model.params.police.patrol_hours_per_day == 80.0


def test_mix_b_runs_its_own_levers_on_the_same_town_and_seed() -> None:
    a_levers = app.scenario_levers("baseline")
    b_levers = {**a_levers, "patrol_hours": 80.0, "keyworkers": 26}
    a, b = app.Session("baseline", "7", a_levers), app.Session("baseline", "7", b_levers)
    assert a.moved == [] and b.moved == ["patrol_hours", "keyworkers"]
    assert story.moved_in_words(a.model, a.moved, a.levers) == ""
    assert story.moved_in_words(b.model, b.moved, b.levers) == (
        "Moved on the page: Police patrol at the market 80 officer-hours/day; "
        "Treatment keyworkers: funded posts 26 posts funded from day 0"
    )
    assert a.model.params.police.patrol_hours_per_day == 24 and b.model.params.police.patrol_hours_per_day == 80
    np.testing.assert_array_equal(a.model.town.deprivation, b.model.town.deprivation)  # the same town
    a.advance(56)
    b.advance(56)
    # The crackdown is B's alone: more patrol delivered (the team of eight cannot staff all 80 hours)
    # and more sellers arrested than in A.
    patrol = [town.model.record.last("patrol_hours", 56).mean() for town in (a, b)]
    arrests = [town.model.record.last("dealer_arrests", 56).sum() for town in (a, b)]
    assert patrol[0] == pytest.approx(24, rel=0.05) and patrol[1] > 1.8 * patrol[0], patrol
    assert arrests[1] > arrests[0], arrests
