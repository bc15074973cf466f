"""Words on the page: the levers in force, the costs so far, and the workshop's story steps.

The story steps are the trainer guide's exercise (docs/trainer-guide.md) as choices on the page:
each sets a scenario and levers, builds a fresh town and says what to look for.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from sim.model.model import DrugMarketModel
from sim.planner.levers import change_in_words
from sim.viz.kpis import money, total
from sim.viz.levers import LEVERS, shown, value_of


@dataclass(frozen=True)
class StoryStep:
    scenario: str
    levers: dict[str, Any] = field(default_factory=dict)
    look_for: str = ""

    def html(self) -> str:
        return html.escape(self.look_for)


#: The exercise, in order. Each step starts from its scenario file with these levers moved.
STEPS: dict[str, StoryStep] = {
    "1. The baseline town": StoryStep(
        "baseline",
        look_for="Play to the end of year 1. Where do people live, where is the market, where does patrol go, "
        "where were the overdoses? Note deaths, arrests and the sellers working.",
    ),
    "2. A crackdown: patrol 80 h a day": StoryStep(
        "baseline",
        {"patrol_hours": 80.0},
        "Arrests rise, but groups recruit new sellers: the number working barely falls. Sellers charge more "
        "for the risk: fewer people start using, and people with dependent use offend more to pay. Buying "
        "gets harder, and people who cannot buy lose tolerance or buy unfamiliar supply: watch overdoses "
        "rise. A team of eight cannot staff 80 hours a day: watch overtime and the hours nobody covers.",
    ),
    "3. Crackdown on the hotspots only": StoryStep(
        "baseline",
        {"patrol_hours": 80.0, "targeting": "hotspots"},
        "Sellers step off the patrolled squares into the side streets next to them (displacement), while "
        "patrol that stays on the hotspots still finds enough sellers there to make about as many arrests.",
    ),
    "4. Surge on overtime": StoryStep(
        "surge-overtime",
        look_for="From day 182 patrol doubles on overtime: hours delivered fall short, overtime and sickness "
        "climb. Compare with step 5.",
    ),
    "5. Surge on funded posts": StoryStep(
        "surge-funded-posts",
        look_for="The same surge with seven posts funded first: planned hours delivered, little overtime, "
        "a higher police bill.",
    ),
    "6. Treatment posts without the staff": StoryStep(
        "baseline",
        {"keyworkers": 26},
        "Eight more posts funded, but the town cannot recruit the keyworkers: the new posts stay vacant.",
    ),
    "7. Treatment posts with the staff": StoryStep(
        "baseline",
        {"keyworkers": 26, "qualified_staff": 27},
        "The same posts, filled. In the default town few people wait, so filled posts treat only a few "
        "more: treatment is limited by how many are ready to come, not by places. They matter when "
        "demand rises.",
    ),
    "8. Naloxone for nine in ten": StoryStep(
        "baseline",
        {"naloxone_coverage": 0.9},
        "Reversals rise by about two thirds in the first year, but deaths barely fall: a kit helps only when "
        "someone is there, and most deaths are overdoses with nobody present. The number of overdoses does "
        "not change (naloxone changes survival, not risk). Then change the seed: chance alone moves deaths "
        "by several a year.",
    ),
}


def levers_in_force(model: DrugMarketModel, moved: list[str] | None = None) -> str:
    """The levers as the model has them now (a timed change shows once it has come into force),
    marking those moved from the scenario file."""
    params = model.params
    moved = moved or []
    lines = [f"**Scenario: {html.escape(params.name)}.** {html.escape(params.description)}", ""]
    lines += [costs_so_far(model), ""]
    lines += ["| Lever | Now |", "|---|---|"]
    for key, lever in LEVERS.items():
        mark = " (moved on the page)" if key in moved else ""
        lines.append(f"| {lever.label}{mark} | {html.escape(shown(lever.path, value_of(params, lever.path)))} |")
    if params.events:
        lines += ["", "**Timed changes in this scenario:**", ""]
    for change in params.events:
        levers = "; ".join(change_in_words(path, value, drawer_label(path)) for path, value in change.set.items())
        note = f" ({change.note})" if change.note else ""
        lines.append(f"- day {change.day}: {html.escape(levers + note)}")
    return "\n".join(lines)


def moved_in_words(model: DrugMarketModel, moved: list[str], page_levers: dict[str, Any]) -> str:
    """'Moved on the page: Police patrol at the market 34 officer-hours/day' for a side-by-side
    panel ("" when nothing was moved). Values are read from the model, so the line says what that
    mix runs with; funded posts come into force as a change on day 0, so they are named as funded."""
    parts = []
    for key in moved:
        lever = LEVERS[key]
        if lever.funded:
            value = f"{shown(lever.path, page_levers[key])} funded from day 0"
        else:
            value = shown(lever.path, value_of(model.params, lever.path))
        parts.append(f"{lever.label} {value}")
    return "Moved on the page: " + "; ".join(parts) if parts else ""


#: What each agency's costs are called in the costs sentence, and the cost columns they sum.
COSTS: dict[str, tuple[str, ...]] = {
    "police officers": ("cost_police",),
    "custody": ("cost_custody",),
    "prosecution and courts": ("cost_prosecution", "cost_courts"),
    "prison": ("cost_prison",),
    "treatment": ("cost_treatment",),
    "naloxone": ("cost_naloxone",),
    "emergency care": ("cost_emergency",),
}


def cost_breakdown(model: DrugMarketModel) -> dict[str, float]:
    """What the run has cost each agency so far (GBP), in the order the sentence names them."""
    return {words: sum(total(model, column) for column in columns) for words, columns in COSTS.items()}


def costs_so_far(model: DrugMarketModel) -> str:
    """One sentence: what the run has cost so far, in all and by agency."""
    if model.record.days_recorded == 0:
        return "**Costs so far:** none yet (the run has not started)."
    parts = ", ".join(f"{words} {money(amount)}" for words, amount in cost_breakdown(model).items())
    return f"**Costs so far** (2024/25 prices): {money(total(model, 'cost_total'))} in all: {parts}."


def drawer_label(path: str) -> str | None:
    """The name the levers drawer gives a setting, if it is one of the page's levers."""
    return next((lever.label for lever in LEVERS.values() if lever.path == path), None)
