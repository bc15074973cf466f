"""The default town's figures as measured, written into the README, guides and ODD from one place.

Prose that says "about 2,100 people with dependent use and 70 sellers" drifts as the model
changes. Instead, documents hold blocks between markers that `drugmarket docs` rewrites from runs
of the default town (`--check` only compares), so every copy of these numbers is measured by the
same code with the same seeds:

- `<!-- town:begin -->` ... `<!-- town:end -->`: one sentence on who lives in the town;
- `<!-- town-year:begin -->` ... `<!-- town-year:end -->`: a paragraph on a typical year.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sim.planner.runner import run
from sim.planner.scenario import Scenario

BEGIN, END = "<!-- town:begin -->", "<!-- town:end -->"
YEAR_BEGIN, YEAR_END = "<!-- town-year:begin -->", "<!-- town-year:end -->"
#: Documents that may hold a town block (those without the markers are left alone).
DOCUMENTS = (
    "README.md",
    "docs/planner-guide.md",
    "docs/researcher-guide.md",
    "docs/trainer-guide.md",
    "docs/ODD.md",
    "scenarios/baseline.yaml",
)
#: Runs of the default town averaged for the figures (replicates 0..N-1 of its master seed): the
#: same ten runs `drugmarket run` makes, so the prose and the guides' run tables agree.
RUNS = 10


@dataclass(frozen=True)
class TownFigures:
    """What the default town looks like over a run, averaged over days (stocks) and runs."""

    residents_15_64: int
    dependent_use: float
    in_treatment: float
    sellers: float
    groups: int
    drug_team_posts: int
    keyworker_posts: int
    runs: int
    years: float
    in_custody_or_prison: float = 0.0
    overdose_deaths_per_year: float = 0.0
    overdoses_per_year: float = 0.0
    offences_per_year: float = 0.0
    officer_hours_per_year: float = 0.0
    overtime_hours_per_year: float = 0.0
    cost_per_year: float = 0.0

    def sentence(self) -> str:
        share = 5 * round(100 * self.in_treatment / self.dependent_use / 5)
        return (
            f"about {self.residents_15_64:,} residents aged 15 to 64, about {round(self.dependent_use, -1):,.0f} "
            f"people with dependent use of opiates and/or crack (about {share}% of them in treatment), about "
            f"{self.sellers:,.0f} street sellers in {self.groups} groups, a drug team of {self.drug_team_posts} "
            f"officers, and {self.keyworker_posts} keyworker posts (averages over {self.runs} runs of "
            f"{self.years:g} years, measured by `drugmarket docs`)"
        )

    def year_paragraph(self) -> str:
        """A typical year of the default town, group by group, as a planner reads the run's table."""
        out = self.dependent_use - self.in_treatment - self.in_custody_or_prison
        per_1000 = 1000 * self.overdose_deaths_per_year / self.dependent_use
        per_death = self.overdoses_per_year / max(self.overdose_deaths_per_year, 1e-9)
        return (
            f"About {round(self.dependent_use, -1):,.0f} people have dependent use of opiates and/or crack: "
            f"about {round(self.in_treatment, -1):,.0f} of them are in treatment at a time, about "
            f"{round(out, -1):,.0f} are out of treatment and custody, and about {self.in_custody_or_prison:,.0f} "
            f"are in police custody, on remand or in prison. About {self.overdose_deaths_per_year:,.0f} people "
            f"die of an overdose a year (about {per_1000:.1f} per 1,000 people with dependent use, with about "
            f"{per_death:,.0f} overdoses for every death), and drug-related acquisitive offences number about "
            f"{round(self.offences_per_year, -3):,.0f} a year. About {self.sellers:,.0f} street sellers work "
            f"the market. The drug team of {self.drug_team_posts} officers works about "
            f"{round(self.officer_hours_per_year, -2):,.0f} hours a year, about "
            f"{round(self.overtime_hours_per_year, -1):,.0f} of them overtime. The total cost to the public "
            f"purse, across police, custody, prosecution, courts, prison, treatment, naloxone and emergency "
            f"services, is about £{self.cost_per_year / 1e6:,.1f} million a year (averages over {self.runs} "
            f"runs of {self.years:g} years, measured by `drugmarket docs`)."
        )


def measure_town(scenario: Scenario | None = None, runs: int = RUNS) -> TownFigures:
    """Run the default town `runs` times and average its stocks over every day and its flows per year."""
    scenario = scenario or Scenario()
    summaries = [run(scenario, replicate=replicate).summary for replicate in range(runs)]

    def mean(key: str) -> float:
        return sum(summary[key] for summary in summaries) / runs

    return TownFigures(
        residents_15_64=scenario.town.population_15_64,
        dependent_use=mean("dependent_use_total_mean"),
        in_treatment=mean("in_treatment_mean"),
        sellers=mean("active_dealers_mean"),
        groups=scenario.dealers.groups,
        drug_team_posts=scenario.officers.establishment,
        keyworker_posts=scenario.treatment.keyworkers,
        runs=runs,
        years=scenario.years,
        in_custody_or_prison=mean("in_custody_mean") + mean("on_remand_mean") + mean("in_prison_mean"),
        overdose_deaths_per_year=mean("overdose_deaths_per_year"),
        overdoses_per_year=mean("overdoses_per_year"),
        offences_per_year=mean("offences_per_year"),
        officer_hours_per_year=mean("officer_hours_per_year"),
        overtime_hours_per_year=mean("overtime_hours_per_year"),
        cost_per_year=mean("cost_total_per_year"),
    )


def _block(begin: str, end: str) -> re.Pattern[str]:
    return re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)


#: Each kind of block: its pattern, its markers and the text that goes between them.
_BLOCKS: tuple[tuple[re.Pattern[str], str, str, Callable[[TownFigures], str]], ...] = (
    (_block(BEGIN, END), BEGIN, END, TownFigures.sentence),
    (_block(YEAR_BEGIN, YEAR_END), YEAR_BEGIN, YEAR_END, TownFigures.year_paragraph),
)


def with_town_block(text: str, figures: TownFigures) -> str:
    """The document with every town block rewritten (unchanged if it has none)."""
    for pattern, begin, end, write in _BLOCKS:
        text = pattern.sub(lambda _, b=begin, e=end, w=write: f"{b}{w(figures)}{e}", text)
    return text


def town_documents(root: Path, figures: TownFigures) -> dict[str, str]:
    """The new text of every document under `root` that holds a town block, by relative path."""
    found = {}
    for relative in DOCUMENTS:
        path = root / relative
        if path.is_file() and any(begin in (text := path.read_text()) for _, begin, _, _ in _BLOCKS):
            found[relative] = with_town_block(text, figures)
    return found
