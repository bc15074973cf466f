"""Lever paths and what is known about each parameter, in one place.

A lever is named by a dotted path into the scenario (`police.patrol_hours_per_day`). This module
walks those paths, and `parameter(path)` gathers everything declared about one (unit, doc,
source, default, allowed bounds, plausible range, choices) from its `param()` declaration, so the
schema's error messages, the generated docs, the report, sweeps and the workshop sliders all read
the same facts the same way.
"""

from __future__ import annotations

import difflib
import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, get_args

from pydantic import BaseModel

from sim.model.params import Section

if TYPE_CHECKING:
    from sim.planner.scenario import Scenario

#: Settings that build the town and its starting populations: they are read once, on day 0.
SET_AT_START = frozenset({"dealers.groups", "police.high_harm_groups"})


def sections(model: type[BaseModel] | None = None) -> dict[str, type[Section]]:
    """The scenario's sections (fields that are groups of levers), in declaration order."""
    model = model or _scenario_class()
    return {
        name: info.annotation
        for name, info in model.model_fields.items()
        if isinstance(info.annotation, type) and issubclass(info.annotation, Section)
    }


def lever_paths(model: type[BaseModel] | None = None, prefix: str = "") -> list[str]:
    """Every dotted path a timed event may set, e.g. 'police.patrol_hours_per_day'."""
    paths = []
    for name, section in sections(model).items():
        inner = sections(section)
        for field in section.model_fields:
            if field in inner:
                paths.extend(lever_paths(section, f"{prefix}{name}.{field}."))
            else:
                paths.append(f"{prefix}{name}.{field}")
    return paths


def resolve_lever(scenario: BaseModel, path: str) -> tuple[BaseModel, str]:
    """The section object and field name that a dotted lever path points to."""
    parts = path.split(".")
    target: BaseModel = scenario
    for depth, part in enumerate(parts):
        fields = type(target).model_fields
        if depth == 0 and len(parts) > 1:
            fields = sections(type(target))
        if part not in fields:
            where = ".".join(parts[:depth]) or "the scenario's sections"
            hint = suggest(part, fields)
            raise ValueError(f"no lever {part!r} in {where}{hint or '; known: ' + ', '.join(fields)}")
        if depth == len(parts) - 1:
            if isinstance(getattr(target, part), BaseModel):
                raise ValueError("names a whole section; name one of its fields")
            if depth == 0:
                raise ValueError("only levers inside a section can change during a run")
            return target, part
        target = getattr(target, part)
        if not isinstance(target, BaseModel):
            raise ValueError(f"{'.'.join(parts[: depth + 1])} is not a section")
    raise ValueError("empty lever path")


def set_lever(scenario: Scenario, path: str, value: Any) -> None:
    """Change a lever in place (validated), as a timed event does during a run."""
    section, field = resolve_lever(scenario, path)
    setattr(section, field, value)


def set_at_start(path: str) -> bool:
    """Whether a setting only shapes the town on day 0 (so a timed change of it would mean nothing)."""
    section, _, field = path.partition(".")
    return section == "town" or field.startswith("initial_") or path in SET_AT_START


def suggest(key: str, known: Any) -> str:
    """'; did you mean ...?' with the known key closest to a misspelt or shortened one, if any."""
    key, names = str(key), [str(k) for k in known]
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.7)
    if not close and len(key) >= 4:
        close = [name for name in names if name.startswith(key) or key.startswith(name)][:1]
    return f"; did you mean {close[0]!r}?" if close else ""


@dataclass(frozen=True)
class Parameter:
    """Everything declared about one parameter (see `sim.model.params.param`)."""

    path: str
    section: type[BaseModel]
    field: str
    unit: str
    doc: str
    source: str
    default: Any
    #: Hard bounds a scenario may not cross, and whether each is inclusive (ge/le) or not (gt/lt).
    lower: float = -math.inf
    upper: float = math.inf
    lower_inclusive: bool = True
    upper_inclusive: bool = True
    #: Where the evidence puts the value (or a deliberately wide range for an assumption).
    plausible: tuple[float, float] | None = None
    #: The allowed values of a choice (a Literal in the schema), else None.
    choices: tuple[str, ...] | None = None
    integer: bool = False
    #: A yes/no setting (a checkbox on the workshop page).
    switch: bool = False

    @property
    def label(self) -> str:
        """A planner's name: the doc's first clause, else the field name in words."""
        first = self.doc.split(";")[0].split(". ")[0].rstrip(".") if self.doc else ""
        if first.count("(") > first.count(")"):  # the cut fell inside a bracket: drop the bracket
            first = first[: first.rfind("(")].rstrip()
        return first or self.field.replace("_", " ").capitalize()

    def admits(self, value: float) -> bool:
        """Whether `value` is within the hard bounds."""
        above = value >= self.lower if self.lower_inclusive else value > self.lower
        below = value <= self.upper if self.upper_inclusive else value < self.upper
        return above and below

    def plausible_or(self, value: float) -> tuple[float, float]:
        """The plausible range, or (0, twice the value) where none is declared."""
        return self.plausible or (0.0, 2.0 * value if value else 1.0)


@functools.cache
def parameter(path: str) -> Parameter:
    """What is declared about the parameter at a dotted path, or about a top-level setting such as
    `years` (ValueError if there is none)."""
    if "." in path:
        section, field = resolve_lever(_scenario_class()(), path)
        model: type[BaseModel] = type(section)
    else:
        model, field = _scenario_class(), path
        if field not in model.model_fields or field in sections(model):
            raise ValueError(f"no setting {path!r}{suggest(path, model.model_fields)}")
    return field_facts(model, field, path)


@functools.cache
def field_facts(model: type[BaseModel], field: str, path: str = "") -> Parameter:
    """What is declared about one field of a settings model: the only reader of a field's unit,
    plausible range and source (`param()`'s schema extras), its bounds and its choices."""
    info = model.model_fields[field]
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    bounds: dict[str, Any] = {}
    for rule in info.metadata:
        for attr, key, inclusive in (
            ("ge", "lower", True),
            ("gt", "lower", False),
            ("le", "upper", True),
            ("lt", "upper", False),
        ):
            if getattr(rule, attr, None) is not None:
                bounds[key] = float(getattr(rule, attr))
                bounds[f"{key}_inclusive"] = inclusive
    values = get_args(info.annotation)
    choices = tuple(str(v) for v in values) if values and all(isinstance(v, str) for v in values) else None
    plausible = extra.get("plausible")
    return Parameter(
        path=path or field,
        section=model,
        field=field,
        unit=str(extra.get("unit", "")),
        doc=info.description or "",
        source=str(extra.get("source", "")),
        default=info.get_default(call_default_factory=True),
        plausible=(float(plausible[0]), float(plausible[1])) if plausible else None,
        choices=choices,
        integer=info.annotation is int,
        switch=info.annotation is bool,
        **bounds,
    )


def parameters() -> list[Parameter]:
    """Every lever and assumption of the scenario, in declaration order."""
    return [parameter(path) for path in lever_paths()]


def _scenario_class() -> type[Scenario]:
    # Imported here: the schema is built from these helpers, so a top-level import would loop.
    from sim.planner.scenario import Scenario

    return Scenario


@functools.cache
def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def allowed(model: type[BaseModel], field: str, *, unit_and_usual: bool = True) -> str:
    """Describe in words what values a field takes (hard bounds, and the unit and usual range)."""
    info = model.model_fields[field]
    schema = _schema(model)["properties"].get(field, {})
    facts = field_facts(model, field)
    if "enum" in schema:
        return "one of " + ", ".join(repr(v) for v in schema["enum"])
    if "const" in schema:
        return repr(schema["const"])
    annotation = info.annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"a mapping of {field} settings ({', '.join(annotation.model_fields)})"
    kind = {
        "integer": "a whole number",
        "number": "a number",
        "string": "text",
        "boolean": "true or false",
        "array": "a list",
        "object": "a mapping",
    }.get(schema.get("type", ""), "a value")
    if schema.get("format") == "date":
        kind = "a date"
    bounds = []
    for key, sign in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("exclusiveMaximum", "<")):
        if key in schema:
            bounds.append(f"{sign} {plain_number(schema[key])}")
    text = kind + (f" {' and '.join(bounds)}" if bounds else "")
    if not unit_and_usual:
        return text
    if facts.unit and facts.unit not in ("text", "choice") and kind != "a date":
        text += f" ({facts.unit})"
    if facts.plausible:
        lo, hi = facts.plausible
        text += f"; usually {plain_number(lo)} to {plain_number(hi)}"
    return text


def plain_number(value: float) -> str:
    """A bound or value as a planner would write it (0.25, 1e+06 only when huge)."""
    return f"{value:g}" if isinstance(value, float) else f"{value}"


def change_in_words(path: str, value: object, label: str | None = None) -> str:
    """'Police patrol at the market → 48 officer-hours/day': a timed change as a planner reads it,
    by the lever's name (or `label`, the name a page gives it) and unit, not its dotted key."""
    try:
        facts = parameter(path)
    except (ValueError, KeyError, AttributeError):  # not a declared lever: say it as written
        return f"{path} → {in_words(value)}"
    return f"{label or facts.label} → {with_unit(value, facts.unit)}"


def with_unit(value: object, unit: str) -> str:
    """'48 officer-hours/day', 'yes', 'visible_sellers': a setting's value in words, with its unit
    when it is a number."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return f"{in_words(value)} {unit}".rstrip() if number else in_words(value)


def in_words(value: object) -> str:
    """A setting's value in words: yes/no for a switch, a custody drug workers' rota as its shifts,
    numbers with thousands separators."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and value and all(isinstance(v, dict) and "start_hour" in v for v in value):
        return "; ".join(shift_in_words(v) for v in value)
    return f"{value:,g}" if isinstance(value, int | float) else str(value)


def shift_in_words(shift: dict) -> str:
    """'1 worker 10:00-18:00 every day' for one shift of a rota."""
    start, hours = float(shift["start_hour"]), float(shift.get("hours", 8))
    workers = int(shift.get("workers", 1))
    days = "every day" if shift.get("weekends", False) else "weekdays"
    return f"{workers} worker{'s' if workers != 1 else ''} {clock(start)}-{clock(start + hours)} {days}"


def clock(hour: float) -> str:
    """'16:00', '09:30' for an hour of the day (past midnight wraps round)."""
    minutes = round(hour * 60) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
