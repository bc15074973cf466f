"""The levers a workshop can move, read from the scenario schema so units and ranges live in one place.

A trainer sees a dozen inputs, not the whole schema: the levers that tell the story of an open
market and the policy mix around it (patrol and where it goes, the drug team's funded posts,
focused deterrence, replacement and displacement, naloxone, treatment posts and the staff to fill
them, diversion, continuity of care on release). Each input's unit, starting value and range come
from the parameter's declaration (`sim.model.params.param`), so the page never disagrees with the
scenario reference.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.planner.levers import parameter, resolve_lever, with_unit
from sim.planner.scenario import Scenario, TimedChange, check_lever

#: The bundled scenario library (present in a source checkout, which is how workshops run it).
SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"


@dataclass(frozen=True)
class Lever:
    """One slider on the page: which scenario field it sets and how to name it for a trainer."""

    path: str  # dotted path in the scenario, e.g. "police.patrol_hours_per_day"
    label: str  # plain words; the unit from the schema is added
    #: Funded posts: a moved value is put in force on day 0 as a timed change (posts funded today),
    #: not built into the starting town, so new posts fill only after the hiring delay and, for
    #: keyworkers, only as far as the local labour market has qualified staff; the staff in post at
    #: the start are the file's. (Built into the start, the posts would all be filled on day 0.)
    funded: bool = False


#: Keyword name (as the workshop model takes it) -> the scenario field it sets, in the order the
#: page shows them: policing, the market's response, health, justice, then the run's length.
LEVERS: dict[str, Lever] = {
    "patrol_hours": Lever("police.patrol_hours_per_day", "Police patrol at the market"),
    "targeting": Lever("police.targeting", "Where patrol goes"),
    "team_posts": Lever("officers.establishment", "Police drug team: funded posts", funded=True),
    "deterrence": Lever("deterrence.active", "Focused deterrence programme running"),
    "replacement": Lever("dealers.replacement_per_day", "How fast groups replace arrested sellers"),
    "displacement": Lever("dealers.displacement_per_day", "How readily sellers move away from patrol"),
    "naloxone_coverage": Lever("overdose.naloxone_coverage", "People with dependent use who carry naloxone"),
    "keyworkers": Lever("treatment.keyworkers", "Treatment keyworkers: funded posts", funded=True),
    "qualified_staff": Lever("treatment.qualified_staff_available", "Qualified keyworkers the town can recruit"),
    "diversion": Lever("diversion.treatment_condition_share", "Eligible arrests diverted to treatment"),
    "continuity_of_care": Lever("prison.continuity_of_care", "Prison releases with treatment arranged"),
    "years": Lever("years", "Years to run"),
}


def value_of(scenario: Scenario, path: str) -> Any:
    """The current value of a lever in a scenario."""
    if "." not in path:
        return getattr(scenario, path)
    section, name = resolve_lever(scenario, path)
    return getattr(section, name)


def set_value(scenario: Scenario, path: str, value: Any) -> None:
    """Set a lever in a scenario (validated against the schema's hard bounds)."""
    if "." not in path:
        setattr(scenario, path, value)
        return
    section, name = resolve_lever(scenario, path)
    setattr(section, name, value)


def put_in_force(scenario: Scenario, key: str, value: Any) -> None:
    """Put a page lever's value into a scenario: into the starting town, or for funded posts (when
    moved from the file's value) as a change on day 0, after the file's own day-0 changes."""
    lever = LEVERS[key]
    if not lever.funded:
        set_value(scenario, lever.path, value)
        return
    if value == value_of(scenario, lever.path):
        return  # unmoved: the file's town and its own timed changes, exactly as the file says
    try:
        check_lever(scenario, lever.path, value)
    except ValueError as err:
        raise ValueError(f"{key} ({lever.path}): {err}") from None
    note = "set on the workshop page: posts funded from day 0, filled after the hiring delay"
    scenario.events.append(TimedChange(day=0, set={lever.path: value}, note=note))


def is_switch(path: str) -> bool:
    """Whether a lever is a yes/no switch (a checkbox on the page)."""
    return parameter(path).switch


def shown(path: str, value: Any) -> str:
    """A lever's value in words for the levers table: '24 officer-hours/day', 'visible_sellers', 'yes'."""
    return with_unit(value, unit_of(path))


def unit_of(path: str) -> str:
    """A lever's unit, as declared."""
    return parameter(path).unit


def choices_of(path: str) -> list[str] | None:
    """The allowed values of a choice lever (a Literal in the schema), or None for a number."""
    choices = parameter(path).choices
    return list(choices) if choices is not None else None


def slider_range(path: str, value: float) -> tuple[float, float]:
    """Slider ends: the parameter's plausible range (what the evidence allows), widened to the
    whole 0-1 scale for shares (a trainer may ask "what if everyone carried naloxone?"), always
    including the scenario's own value and never crossing the hard bounds."""
    facts = parameter(path)
    lo, hi = facts.plausible_or(value)
    if facts.unit == "fraction":
        lo, hi = min(lo, 0.0), max(hi, 1.0)
    lo, hi = min(lo, value), max(hi, value)
    return max(lo, facts.lower), min(hi, facts.upper)


def nice_step(lo: float, hi: float, integer: bool) -> float:
    """A round slider step giving about a hundred positions (1, 2 or 5 times a power of ten)."""
    raw = (hi - lo) / 100 if hi > lo else 1.0
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return max(1, round(step)) if integer else step


def mesa_params(scenario: Scenario, scenario_name: str) -> dict[str, Any]:
    """Mesa `model_params` for the page: the scenario (fixed), the random seed and one input per lever.

    Starting values are the scenario's own values, so the sliders show what the file says.
    """
    params: dict[str, Any] = {
        "scenario_name": scenario_name,
        "rng": {"type": "InputText", "value": str(scenario.seed), "label": "Random seed (another number, another run)"},
    }
    for key, lever in LEVERS.items():
        value = value_of(scenario, lever.path)
        unit = unit_of(lever.path)
        if is_switch(lever.path):
            params[key] = {"type": "Checkbox", "value": value, "label": lever.label}
            continue
        choices = choices_of(lever.path)
        if choices is not None:
            params[key] = {"type": "Select", "value": value, "values": choices, "label": lever.label}
            continue
        integer = isinstance(value, int)
        lo, hi = slider_range(lever.path, float(value))
        params[key] = {
            "type": "SliderInt" if integer else "SliderFloat",
            "value": value,
            "min": int(lo) if integer else lo,
            "max": int(hi) if integer else hi,
            "step": nice_step(lo, hi, integer),
            "label": f"{lever.label} ({unit})",
        }
    return params


def seed_from_text(text: str | int | None, default: int) -> int:
    """A seed from what a trainer typed: a whole number as is, any other text by its checksum."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return default
    try:
        return abs(int(text))
    except ValueError:
        return zlib.crc32(str(text).strip().encode())
