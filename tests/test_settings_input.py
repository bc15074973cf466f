"""Input that cannot mislead: numbers, sizes, files and names a planner (or an attacker) might write.

Each case here passed silently before (issue 9, section 3): infinite values ran as a town with
thousands of deaths a year, a starting population of a billion tried a 7 GiB allocation,
`validate /dev/zero` read without end and a FIFO hung, a blank file ran as the default town.
"""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path

import pytest
from pydantic import BaseModel

from sim.cli import main
from sim.planner.levers import parameter, parameters
from sim.planner.library import scenario_library
from sim.planner.scenario import Scenario, ScenarioError, load_scenario
from sim.planner.settings import read_settings
from sim.planner.town_figures import (
    BEGIN,
    END,
    YEAR_BEGIN,
    YEAR_END,
    TownFigures,
    measure_town,
    town_documents,
    with_town_block,
)

NON_FINITE = ["inf", "Infinity", "-inf", ".inf", "-.Inf", '"inf"', "1e400", "nan", ".nan"]
#: Levers with no natural upper bound, where infinity used to slip through.
LEVERS = ["overdose.rate_per_year", "police.patrol_hours_per_day", "dealers.busy_sales"]


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return caught.value.problems


@pytest.mark.parametrize("value", NON_FINITE)
@pytest.mark.parametrize("lever", LEVERS)
def test_non_finite_numbers_are_refused_for_any_lever_naming_file_key_and_allowed(
    tmp_path: Path, lever: str, value: str
) -> None:
    section, field = lever.split(".")
    path = tmp_path / "town.yaml"
    path.write_text(f"{section}:\n  {field}: {value}\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:2: {lever}: numbers must be finite")
    assert "allowed: a number >" in problem


@pytest.mark.parametrize("value", NON_FINITE)
def test_non_finite_numbers_are_refused_inside_timed_changes(tmp_path: Path, value: str) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(f"events:\n  - day: 30\n    set:\n      overdose.rate_per_year: {value}\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:4: events.0.set.overdose.rate_per_year: numbers must be finite")
    assert "allowed: a number >= 0" in problem


def test_other_settings_files_refuse_numbers_written_as_infinite_text(tmp_path: Path) -> None:
    class Target(BaseModel):
        value: float
        low: float = 0.0

    path = tmp_path / "targets.yaml"
    path.write_text("value: 3\nlow: '1e400'\n")
    with pytest.raises(ScenarioError) as caught:
        read_settings(path, Target)
    assert caught.value.problems == [f"{path}:2: low: numbers must be finite (no inf, nan or 1e400)"]


def test_every_count_has_an_upper_bound_a_real_town_could_reach() -> None:
    unbounded = [p.path for p in parameters() if p.integer and not math.isfinite(p.upper)]
    assert unbounded == []
    for p in parameters():  # the plausible range always sits inside the hard bounds
        if p.plausible is not None and p.choices is None:
            assert p.admits(p.plausible[0]) and p.admits(p.plausible[1]), p.path


def test_a_starting_population_of_a_billion_is_refused_with_the_bound(tmp_path: Path) -> None:
    path = tmp_path / "city.yaml"
    path.write_text("town:\n  population_15_64: 1000000000\npeople:\n  initial_dependent: 50000000\n")
    problems = problems_of(path)
    assert len(problems) == 2
    assert "town.population_15_64: found 1000000000; allowed: a whole number >= 1000 and <= 10000000" in problems[0]
    assert "people.initial_dependent: found 50000000; allowed: a whole number >= 0 and <= 200000" in problems[1]


def test_replicates_beyond_the_schemas_limit_are_refused_by_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    limit = Scenario.model_json_schema()["properties"]["replicates"]["maximum"]
    path = tmp_path / "town.yaml"
    path.write_text("description: the default town\n")
    out = tmp_path / "out"
    status = main(["run", str(path), "--replicates", "100000000", "--out", str(out)])
    assert status == 2
    assert f"--replicates: Input should be less than or equal to {limit}" in capsys.readouterr().err
    assert not out.exists()


def _finishes(call, seconds: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(seconds)
    return not worker.is_alive()


def test_devices_are_refused_at_once_with_one_line(capsys: pytest.CaptureFixture) -> None:
    status: list[int] = []
    assert _finishes(lambda: status.append(main(["validate", "/dev/zero"])))
    assert status == [1]
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "/dev/zero:1: is a device or special file, not a settings file; give the path of a .yaml file"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX feature")
def test_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    caught: list[BaseException] = []

    def load() -> None:
        try:
            load_scenario(fifo)
        except ScenarioError as err:
            caught.append(err)

    assert _finishes(load)
    (err,) = caught
    assert "is a FIFO, not a settings file" in str(err)


def test_files_larger_than_the_cap_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("description: " + "x" * 1_200_000 + "\n")
    (problem,) = problems_of(path)
    assert "over 1,000,000 bytes" in problem


@pytest.mark.parametrize("text", ["", "   \n\t\n", "# only a comment\n# and another\n", "~\n", "---\n...\n"])
def test_files_with_no_settings_are_refused_not_run_as_the_default_town(tmp_path: Path, text: str) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text(text)
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:1: the file has no settings")


@pytest.mark.parametrize("name", ['"a\\0b"', '"   "', '"tab\\there"', '"\\e[31mred"', '""'])
def test_names_with_control_characters_or_only_spaces_are_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "named.yaml"
    path.write_text(f"name: {name}\n")
    (problem,) = problems_of(path)
    assert f"{path}:1: name: found" in problem and "must be a visible name" in problem
    assert "\n" not in problem and "\x00" not in problem and "\x1b" not in problem


def test_values_outside_the_plausible_range_warn_naming_range_and_source(tmp_path: Path) -> None:
    path = tmp_path / "surge.yaml"
    path.write_text(
        "police:\n  patrol_hours_per_day: 360\nevents:\n  - day: 30\n    set: {overdose.rate_per_year: 0.9}\n"
    )
    warnings = load_scenario(path).warnings()
    assert warnings == [
        "police.patrol_hours_per_day: 360 is outside the plausible range 0 to 120 officer-hours/day "
        "(source: assumption); check that it is what you meant",
        "events.0.set.overdose.rate_per_year: 0.9 is outside the plausible range 0.03 to 0.2 overdoses per "
        f"person-year (source: {parameter('overdose.rate_per_year').source}); "
        "check that it is what you meant",
    ]
    path.write_text("police:\n  patrol_hours_per_day: 20000\n")  # beyond the allowed range: an error, as before
    (problem,) = problems_of(path)
    assert "allowed: a number >= 0 and <= 10000" in problem


def test_validate_prints_the_plausible_range_warning_and_succeeds(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = tmp_path / "surge.yaml"
    path.write_text("police:\n  patrol_hours_per_day: 360\n")
    assert main(["validate", str(path)]) == 0
    warning = "warning: police.patrol_hours_per_day: 360 is outside the plausible range 0 to 120"
    assert warning in capsys.readouterr().err


def test_the_library_lists_every_file_with_its_question_and_the_broken_ones_with_their_error(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    (tmp_path / "base.yaml").write_text("# What happens if nothing changes?\nyears: 2\n")
    (tmp_path / "more-treatment.yaml").write_text(
        "# yaml-language-server: $schema=scenario.schema.json\n# Does more treatment save lives?\n"
        "extends: base.yaml\ntreatment:\n  keyworkers: 30\n"
    )
    (tmp_path / "typo.yaml").write_text("# A typo.\npolice:\n  patrol_hours: 40\n")
    (tmp_path / "blank.yaml").write_text("\n")
    (tmp_path / "notes.txt").write_text("not a scenario\n")
    entries = scenario_library(tmp_path)
    assert [(e.path.name, e.valid) for e in entries] == [
        ("base.yaml", True),
        ("blank.yaml", False),
        ("more-treatment.yaml", True),
        ("typo.yaml", False),
    ]
    by_name = {e.path.name: e for e in entries}
    assert by_name["more-treatment.yaml"].question == "Does more treatment save lives?"
    assert by_name["more-treatment.yaml"].scenario.treatment.keyworkers == 30
    assert "did you mean 'patrol_hours_per_day'" in by_name["typo.yaml"].problems[0]

    assert main(["list", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "base            What happens if nothing changes?" in out
    assert "typo            DOES NOT VALIDATE: A typo." in out
    assert "typo.yaml:3: police.patrol_hours: unknown key" in out
    assert "blank.yaml:1: the file has no settings" in out
    assert out.rstrip().endswith("4 scenario(s) in " + str(tmp_path) + ", 2 with problems")


def test_the_bundled_library_lists_cleanly(capsys: pytest.CaptureFixture) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "baseline" in out and "Baseline: the default town with no new policy." in out


FIGURES = TownFigures(
    residents_15_64=90_000,
    dependent_use=2_086.4,
    in_treatment=830.0,
    sellers=68.4,
    groups=25,
    drug_team_posts=8,
    keyworker_posts=18,
    runs=3,
    years=5.0,
    in_custody_or_prison=21.0,
    overdose_deaths_per_year=11.6,
    overdoses_per_year=248.2,
    offences_per_year=282_172.0,
    officer_hours_per_year=13_729.6,
    overtime_hours_per_year=481.6,
    cost_per_year=8_284_681.0,
)


def test_town_blocks_are_rewritten_between_their_markers_only() -> None:
    text = f"Intro 2,050.\n{BEGIN}about 2,100 people and 70 sellers{END}.\nOutro 75.\n{BEGIN}old{END}\n"
    new = with_town_block(text, FIGURES)
    assert new.startswith("Intro 2,050.\n") and "\nOutro 75.\n" in new
    assert new.count("about 2,090 people with dependent use") == 2
    assert "(about 40% of them in treatment), about 68 street sellers in 25 groups" in new
    assert "2,100" not in new and with_town_block(new, FIGURES) == new
    assert with_town_block("no markers here", FIGURES) == "no markers here"


def test_the_typical_year_block_reads_like_the_run_table() -> None:
    text = f"Read it group by group. {YEAR_BEGIN}About 2,090 people ... £8.3 million{YEAR_END} Most of the cost"
    new = with_town_block(text, FIGURES)
    assert new.startswith("Read it group by group. " + YEAR_BEGIN) and new.endswith(YEAR_END + " Most of the cost")
    assert "about 830 of them are in treatment at a time, about 1,240 are out of treatment and custody" in new
    assert "About 12 people die of an overdose a year (about 5.6 per 1,000" in new
    assert "about 21 overdoses for every death" in new and "about 282,000 a year" in new
    assert "about £8.3 million a year" in new and with_town_block(new, FIGURES) == new


@pytest.mark.slow
def test_committed_town_figures_are_what_the_default_town_measures() -> None:
    root = Path(__file__).resolve().parent.parent
    documents = town_documents(root, measure_town())
    assert "README.md" in documents
    stale = [name for name, text in documents.items() if (root / name).read_text() != text]
    assert not stale, f"{stale} are out of date: run `drugmarket docs` and commit the result"
