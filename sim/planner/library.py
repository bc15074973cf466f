"""The scenario library: every settings file in a folder, with its question and whether it validates.

`drugmarket list` prints it and the workshop page can offer it in a picker. A file that does not
validate is listed with its problems rather than silently left out, so a planner who saved a
broken file sees why it is missing from the choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sim.planner.scenario import Scenario, ScenarioError, load_scenario
from sim.planner.settings import read_text

#: Comment lines that are for editors, not for people.
_TOOL_COMMENTS = ("yaml-language-server:",)


@dataclass(frozen=True)
class LibraryEntry:
    """One scenario file: its question, and either the scenario or what is wrong with it."""

    path: Path
    question: str
    scenario: Scenario | None
    problems: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return self.scenario is not None

    @property
    def name(self) -> str:
        return self.scenario.name if self.scenario is not None else self.path.stem


def scenario_library(folder: str | Path) -> list[LibraryEntry]:
    """Every `*.yaml` / `*.yml` file in `folder` (not below it), valid and invalid, by file name."""
    folder = Path(folder)
    files = sorted({*folder.glob("*.yaml"), *folder.glob("*.yml")}, key=lambda p: p.name)
    entries = []
    for path in files:
        question = question_of(path)
        try:
            scenario = load_scenario(path)
        except ScenarioError as err:
            entries.append(LibraryEntry(path, question, None, tuple(err.problems)))
        else:
            entries.append(LibraryEntry(path, question or scenario.description, scenario))
    return entries


def question_of(path: Path) -> str:
    """The file's first comment line (the question it answers, by the library's convention)."""
    try:
        text = read_text(path)
    except ScenarioError:
        return ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            comment = stripped.lstrip("#").strip()
            if comment and not comment.startswith(_TOOL_COMMENTS):
                return comment
        elif stripped:
            break  # the header comment is over
    return ""
