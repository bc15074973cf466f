"""Scenario files as a planner writes them: strict checking, clear errors, `extends`, timed changes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest
from pydantic import BaseModel

from sim.cli import main
from sim.model.model import DrugMarketModel
from sim.planner.levers import lever_paths, sections
from sim.planner.reference import generated_files, json_schema
from sim.planner.scenario import Scenario, ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parent.parent


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return caught.value.problems


LIBRARY = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted((ROOT / "docs" / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.name)
def test_every_scenario_in_the_library_validates(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.warnings() == []
    first = path.read_text().lstrip().splitlines()[0]
    assert first.startswith("#"), "each library file opens with a comment saying what question it answers"


def test_unknown_key_names_file_line_key_and_closest_known_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "plan.yaml",
        """
        years: 2
        police:
          patrol_hour_per_day: 40
        """,
    )
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:3: police.patrol_hour_per_day: unknown key")
    assert "did you mean 'patrol_hours_per_day'?" in problem


def test_every_problem_is_reported_on_its_own_line_with_what_is_allowed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "plan.yaml",
        """
        years: -1
        police:
          patrol_hours_per_day: lots
          targeting: everywhere
        events:
          - day: 30
            set: {police.patrol_hours: 50}
        """,
    )
    problems = problems_of(path)
    assert len(problems) == 4
    by_key = {p.split(": ")[1]: p for p in problems}
    assert by_key["years"].startswith(f"{path}:1:") and "found -1" in by_key["years"]
    assert "allowed: a number > 0 and <= 30 (years)" in by_key["years"]
    assert "found 'lots'" in by_key["police.patrol_hours_per_day"]
    assert "allowed: a number >= 0 and <= 10000 (officer-hours/day)" in by_key["police.patrol_hours_per_day"]
    assert "one of 'visible_sellers', 'hotspots'" in by_key["police.targeting"]
    lever = by_key["events.0.set.police.patrol_hours"]
    assert lever.startswith(f"{path}:7:") and "did you mean 'patrol_hours_per_day'?" in lever


def test_yes_and_no_are_not_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "plan.yaml", "replicates: yes\n")
    (problem,) = problems_of(path)
    assert "replicates: found true" in problem and "not true/false" in problem


def test_a_key_written_twice_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "plan.yaml", "years: 3\npolice:\n  patrol_hours_per_day: 30\nyears: 4\n")
    (problem,) = problems_of(path)
    assert problem == f"{path}:4: years: written twice (first on line 1); keep one"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &x [1, 2]\nb: *x\n", "aliases (*name) are not allowed"),
        (
            'name: !!python/object/apply:os.system ["echo owned"]\n',
            "tag !!python/object/apply:os.system is not allowed",
        ),
        ("years: !!binary aGVsbG8=\n", "tag !!binary is not allowed"),
        ("years: .inf\n", "years: numbers must be finite"),
        ("police: {patrol_hours_per_day: .nan}\n", "police.patrol_hours_per_day: numbers must be finite"),
        ("[" * 2000, "nested more than 30 levels deep"),
        ("start_date: 2025-02-30\n", "day is out of range for month"),
        ("- just\n- a list\n", "a scenario must be a mapping"),
        ("years: [1,\n", "not valid scenario YAML"),
        ("years: 1\n---\nyears: 2\n", "not valid scenario YAML"),
    ],
)
def test_unsafe_or_malformed_yaml_is_refused_with_a_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, "bad.yaml", text)
    problems = problems_of(path)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith(f"{path}:") for p in problems)


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    assert "aliases (*name) are not allowed" in problems_of(path)[0]


def test_bytes_that_are_not_text_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"years: 2\n\xff\xfe\x00junk")
    assert problems_of(path) == [f"{path}:2: not UTF-8 text; save the file as UTF-8"]


def test_extends_changes_only_what_the_variant_sets_and_keeps_both_files_events(tmp_path: Path) -> None:
    write(
        tmp_path,
        "base.yaml",
        """
        name: base
        years: 3
        police: {patrol_hours_per_day: 30, targeting: hotspots}
        events:
          - {day: 100, set: {police.patrol_hours_per_day: 35}, note: base change}
        """,
    )
    variant = write(
        tmp_path,
        "variant.yaml",
        """
        extends: base.yaml
        police: {patrol_hours_per_day: 50}
        events:
          - {day: 200, set: {police.patrol_hours_per_day: 20}, note: funding ends}
        """,
    )
    scenario = load_scenario(variant)
    assert scenario.name == "variant"  # named after its own file, not the parent's name
    assert scenario.years == 3 and scenario.police.targeting == "hotspots"
    assert scenario.police.patrol_hours_per_day == 50
    assert [(e.day, e.note) for e in scenario.events] == [(100, "base change"), (200, "funding ends")]


def test_extends_reports_problems_in_the_file_that_has_them(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", "years: 3\npolice:\n  patrol_hours_per_day: -5\n")
    variant = write(tmp_path, "variant.yaml", "extends: base.yaml\nevents:\n  - {day: 3, set: {police.nope: 1}}\n")
    problems = problems_of(variant)
    assert any(p.startswith(f"{variant}:3: events.0.set.police.nope: no lever 'nope'") for p in problems), problems
    assert any(p.startswith(f"{tmp_path / 'base.yaml'}:3: police.patrol_hours_per_day: found -5") for p in problems)


def test_extends_loops_and_missing_parents_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "extends: b.yaml\n")
    b = write(tmp_path, "b.yaml", "extends: a.yaml\n")
    assert "files extend each other in a loop" in problems_of(b)[0]
    orphan = write(tmp_path, "orphan.yaml", "years: 2\nextends: nowhere.yaml\n")
    assert problems_of(orphan) == [f"{orphan}:2: extends: found 'nowhere.yaml', but there is no such file"]


def test_timed_change_takes_effect_from_its_day_and_funding_end_reverses_it() -> None:
    scenario = Scenario.model_validate(
        {
            "years": 0.5,
            "events": [
                {"day": 30, "set": {"police.patrol_hours_per_day": 60.0}, "note": "go-live"},
                {"day": 120, "set": {"police.patrol_hours_per_day": 10.0}, "note": "funding ends"},
            ],
        }
    )
    model = DrugMarketModel(scenario, rng=np.random.SeedSequence(1))
    in_force = []
    for _ in range(scenario.days):
        model.run_for(1)
        in_force.append(model.params.police.patrol_hours_per_day)
    assert in_force[:30] == [24.0] * 30 and in_force[30:120] == [60.0] * 90 and set(in_force[120:]) == {10.0}
    patrol = model.record.frame(scenario.start_date)["patrol_hours"]
    assert patrol[30:120].mean() > 1.5 * patrol[:30].mean() > 1.5 * patrol[120:].mean()
    assert scenario.police.patrol_hours_per_day == 24.0  # the caller's scenario is untouched


def test_timed_change_after_the_end_of_the_run_is_flagged(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = write(tmp_path, "late.yaml", "years: 1\nevents:\n  - {day: 400, set: {police.patrol_hours_per_day: 9}}\n")
    assert main(["validate", str(path)]) == 0
    assert "day 400 is after the last day of the run (364)" in capsys.readouterr().err


def test_validate_prints_problems_of_every_file_and_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    good = write(tmp_path, "good.yaml", "years: 2\n")
    bad = write(tmp_path, "bad.yaml", "yeers: 2\n")
    worse = write(tmp_path, "worse.yaml", "years: [\n")
    assert main(["validate", str(good), str(bad), str(worse)]) == 1
    captured = capsys.readouterr()
    assert f"{good}: ok" in captured.out
    assert f"{bad}:1: yeers: unknown key 'yeers'; did you mean 'years'?" in captured.err
    assert f"{worse}:" in captured.err and "Traceback" not in captured.err


def test_run_and_compare_with_a_broken_file_write_nothing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    good = write(tmp_path, "good.yaml", "years: 0.1\n")
    bad = write(tmp_path, "bad.yaml", "extends: good.yaml\npolice: {patrol_hours_per_day: -3}\n")
    out = tmp_path / "out"
    assert main(["compare", str(good), str(bad), "--out", str(out), "--replicates", "2"]) == 2
    assert main(["run", str(bad), "--out", str(out)]) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert f"{bad}:2: police.patrol_hours_per_day: found -3; allowed: a number >= 0" in err
    assert "Traceback" not in err


def _fields(model: type[BaseModel]) -> list[tuple[type[BaseModel], str]]:
    found = []
    for name in model.model_fields:
        if name in sections(model):
            found += _fields(sections(model)[name])
        else:
            found.append((model, name))
    return found


def test_every_setting_has_a_description_unit_default_and_allowed_range() -> None:
    for model, name in _fields(Scenario):
        info = model.model_fields[name]
        where = f"{model.__name__}.{name}"
        assert info.description, f"{where} has no description"
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        assert extra.get("unit"), f"{where} has no unit"
        assert not info.is_required(), f"{where} has no default"
        if info.annotation in (int, float) and name != "seed":
            bounds = [m for m in info.metadata if type(m).__name__ in ("Ge", "Gt", "Le", "Lt")]
            assert bounds, f"{where} has no allowed range (ge/gt/le/lt)"


def test_json_schema_lets_editors_complete_every_key_and_lever() -> None:
    schema = json_schema()
    assert schema["additionalProperties"] is False and "extends" in schema["properties"]
    for name in sections(Scenario):
        assert name in schema["properties"]
    levers = schema["$defs"]["TimedChange"]["properties"]["set"]["propertyNames"]["enum"]
    assert levers == lever_paths() and "police.patrol_hours_per_day" in levers
    patrol = schema["$defs"]["PoliceParams"]["properties"]["patrol_hours_per_day"]
    assert "officer-hours/day" in patrol["markdownDescription"] and patrol["minimum"] == 0


def test_committed_references_match_the_code() -> None:
    stale = [path for path, text in generated_files().items() if (ROOT / path).read_text() != text]
    assert not stale, f"{stale} are out of date: run `drugmarket docs` and commit the result"


def test_a_timed_change_of_a_setting_read_only_on_day_0_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "late-groups.yaml"
    path.write_text("# groups cannot appear mid-run\nevents:\n  - day: 10\n    set: {dealers.groups: 30}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert "late-groups.yaml:4: events.0.set.dealers.groups: is set once" in caught.value.problems[0]
