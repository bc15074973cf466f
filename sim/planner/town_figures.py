"""The default town's figures as measured, written into the README and guides from one place.

Prose that says "about 2,100 people with dependent use and 70 sellers" drifts as the model
changes. Instead, documents hold a block between `<!-- town:begin -->` and `<!-- town:end -->`
that `drugmarket docs` rewrites from runs of the default town (`--check` only compares), so every
copy of these numbers is measured by the same code with the same seeds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sim.planner.runner import run
from sim.planner.scenario import Scenario

BEGIN, END = "<!-- town:begin -->", "<!-- town:end -->"
#: Documents that may hold a town block (those without the markers are left alone).
DOCUMENTS = ("README.md", "docs/planner-guide.md", "docs/researcher-guide.md", "docs/trainer-guide.md")
#: Runs of the default town averaged for the figures (replicates 0..N-1 of its master seed).
RUNS = 3


@dataclass(frozen=True)
class TownFigures:
    """What the default town looks like over a run, averaged over days and runs."""

    residents_15_64: int
    dependent_use: float
    in_treatment: float
    sellers: float
    groups: int
    drug_team_posts: int
    keyworker_posts: int
    runs: int
    years: float

    def sentence(self) -> str:
        share = 5 * round(100 * self.in_treatment / self.dependent_use / 5)
        return (
            f"about {self.residents_15_64:,} residents aged 15 to 64, about {round(self.dependent_use, -1):,.0f} "
            f"people with dependent use of opiates and/or crack (about {share}% of them in treatment), about "
            f"{self.sellers:,.0f} street sellers in {self.groups} groups, a drug team of {self.drug_team_posts} "
            f"officers, and {self.keyworker_posts} keyworker posts (averages over {self.runs} runs of "
            f"{self.years:g} years, measured by `drugmarket docs`)"
        )


def measure_town(scenario: Scenario | None = None, runs: int = RUNS) -> TownFigures:
    """Run the default town `runs` times and average its stocks over every day."""
    scenario = scenario or Scenario()
    dailies = [run(scenario, replicate=replicate).daily for replicate in range(runs)]
    mean = {column: sum(d[column].mean() for d in dailies) / runs for column in ("dependent_use_total", "in_treatment")}
    return TownFigures(
        residents_15_64=scenario.town.population_15_64,
        dependent_use=mean["dependent_use_total"],
        in_treatment=mean["in_treatment"],
        sellers=sum(d["active_dealers"].mean() for d in dailies) / runs,
        groups=scenario.dealers.groups,
        drug_team_posts=scenario.officers.establishment,
        keyworker_posts=scenario.treatment.keyworkers,
        runs=runs,
        years=scenario.years,
    )


_BLOCK = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)


def with_town_block(text: str, figures: TownFigures) -> str:
    """The document with every town block rewritten (unchanged if it has none)."""
    return _BLOCK.sub(lambda _: f"{BEGIN}{figures.sentence()}{END}", text)


def town_documents(root: Path, figures: TownFigures) -> dict[str, str]:
    """The new text of every document under `root` that holds a town block, by relative path."""
    found = {}
    for relative in DOCUMENTS:
        path = root / relative
        if path.is_file() and BEGIN in (text := path.read_text()):
            found[relative] = with_town_block(text, figures)
    return found
