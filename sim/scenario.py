"""The scenario: every lever and assumption of a run, read strictly from a planner's YAML.

A scenario file sets only what differs from the defaults (or from the file it `extends`). Unknown
keys, values out of range and anything that is not plain data are errors that name the file, the
line, the key and what is allowed; nothing in a file is ever run as code.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import math
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.costs import CostParams
from sim.custody import CustodyParams
from sim.dealers import DealerParams
from sim.deterrence import DeterrenceParams
from sim.justice import ChargingParams, CourtParams, DiversionParams
from sim.market import MarketParams
from sim.params import Section, param
from sim.people import OverdoseParams, PeopleParams
from sim.police import PoliceParams
from sim.prison import PrisonParams
from sim.town import TownParams
from sim.treatment import TreatmentParams
from sim.workforce import OfficerParams


class TimedChange(BaseModel):
    """Levers that change on a given day: go-live, ramp-up, funding that ends."""

    model_config = ConfigDict(extra="forbid")

    day: int = Field(description="Day of the run (0 = first day) from which the change applies.", ge=0)
    set: dict[str, Any] = Field(
        description="Levers to change, by dotted path, e.g. {'police.patrol_hours_per_day': 40}.",
        min_length=1,
    )
    note: str = Field("", description="Why the change happens (shown in reports).")


class Scenario(Section):
    """A town, its market and a policy mix."""

    name: str = Field("baseline", description="Short name used in tables, plots and file names.")
    description: str = Field("", description="The question this scenario answers.")
    seed: int = param(20260401, unit="integer", doc="Master random seed: replicates draw their seeds from it.", ge=0)
    years: float = param(5.0, unit="years", doc="Length of a run.", plausible=(2.0, 10.0), gt=0.0, le=30.0)
    replicates: int = param(
        10, unit="runs", doc="Runs with different random streams, for uncertainty.", ge=1, le=10_000
    )
    start_date: dt.date = Field(dt.date(2025, 4, 7), description="Calendar date of day 0 (sets weekdays).")

    town: TownParams = Field(default_factory=TownParams)
    people: PeopleParams = Field(default_factory=PeopleParams)
    overdose: OverdoseParams = Field(default_factory=OverdoseParams)
    market: MarketParams = Field(default_factory=MarketParams)
    dealers: DealerParams = Field(default_factory=DealerParams)
    police: PoliceParams = Field(default_factory=PoliceParams)
    officers: OfficerParams = Field(default_factory=OfficerParams)
    deterrence: DeterrenceParams = Field(default_factory=DeterrenceParams)
    treatment: TreatmentParams = Field(default_factory=TreatmentParams)
    custody: CustodyParams = Field(default_factory=CustodyParams)
    diversion: DiversionParams = Field(default_factory=DiversionParams)
    charging: ChargingParams = Field(default_factory=ChargingParams)
    courts: CourtParams = Field(default_factory=CourtParams)
    prison: PrisonParams = Field(default_factory=PrisonParams)
    costs: CostParams = Field(default_factory=CostParams)

    events: list[TimedChange] = Field(default_factory=list, description="Timed lever changes.")

    @property
    def days(self) -> int:
        return round(self.years * 365)

    @field_validator("name")
    @classmethod
    def _name_is_a_file_name(cls, value: str) -> str:
        if not value or any(ch in value for ch in '/\\:*?"<>|') or value.startswith("."):
            raise ValueError('must be a non-empty name usable as a file name (no / \\ : * ? " < > |)')
        return value

    @model_validator(mode="after")
    def _events_name_real_levers(self) -> Scenario:
        for index, change in enumerate(self.events):
            for path, value in change.set.items():
                try:
                    check_lever(self, path, value)
                except ValueError as err:
                    raise ValueError(f"events[{index}].set.{path}: {err}") from None
        return self

    def content_hash(self) -> str:
        """A short fingerprint of everything that affects results (not name or description)."""
        data = self.model_dump(mode="json", exclude={"name", "description", "replicates"})
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def resolve_lever(scenario: BaseModel, path: str) -> tuple[BaseModel, str]:
    """The section object and field name that a dotted lever path points to."""
    parts = path.split(".")
    target: BaseModel = scenario
    for depth, part in enumerate(parts):
        fields = type(target).model_fields
        if part not in fields:
            where = ".".join(parts[:depth]) or "the top level"
            raise ValueError(f"no lever {part!r} in {where}{_suggest(part, fields)}")
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


def check_lever(scenario: Scenario, path: str, value: Any) -> None:
    """Raise ValueError if `value` is not allowed for the lever at `path`."""
    section, field = resolve_lever(scenario, path)
    trial = section.model_copy()
    try:
        setattr(trial, field, value)
    except ValidationError as err:
        raise ValueError(f"{err.errors()[0]['msg']}; allowed: {allowed(type(section), field)}") from None


def set_lever(scenario: Scenario, path: str, value: Any) -> None:
    """Change a lever in place (validated), as a timed event does during a run."""
    section, field = resolve_lever(scenario, path)
    setattr(section, field, value)


def allowed(model: type[BaseModel], field: str) -> str:
    """Describe in words what values a field takes."""
    info = model.model_fields[field]
    schema = model.model_json_schema()["properties"].get(field, {})
    if "enum" in schema:
        return "one of " + ", ".join(repr(v) for v in schema["enum"])
    if "const" in schema:
        return repr(schema["const"])
    bounds = []
    for key, sign in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("exclusiveMaximum", "<")):
        if key in schema:
            bounds.append(f"{sign} {schema[key]}")
    kind = schema.get("type", getattr(info.annotation, "__name__", "value"))
    unit = (info.json_schema_extra or {}).get("unit") if isinstance(info.json_schema_extra, dict) else None
    text = f"{kind}" + (f" {' and '.join(bounds)}" if bounds else "")
    return text + (f" ({unit})" if unit else "")


def _suggest(key: str, known: Any) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.5)
    return f"; did you mean {close[0]!r}?" if close else ""


# -- reading files --------------------------------------------------------------------------------
class ScenarioError(ValueError):
    """A scenario file that cannot be used, with one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that also refuses aliases (which can blow a small file up to gigabytes)."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(
                None, None, "aliases (*name) are not allowed in scenario files", event.start_mark
            )
        return super().compose_node(parent, index)


def _read_yaml(path: Path) -> tuple[dict[str, Any], dict[tuple[str, ...], int]]:
    """Parse a file into plain data plus the line of every key path."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ScenarioError([f"{path}: cannot read the file ({err.strerror})"]) from None
    try:
        node = yaml.compose(text, Loader=_StrictLoader)
        data = yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err)
        raise ScenarioError([f"{path}{line}: not valid scenario YAML: {problem}"]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError([f"{path}:1: a scenario must be a mapping of keys to values, found {type(data).__name__}"])
    lines: dict[tuple[str, ...], int] = {}
    if node is not None:
        _collect_lines(node, (), lines)
    bad = _non_finite(data, ())
    if bad:
        raise ScenarioError([f"{path}:{lines.get(bad, 1)}: {'.'.join(bad)}: numbers must be finite (no .inf or .nan)"])
    return data, lines


def _collect_lines(node: yaml.Node, prefix: tuple[str, ...], lines: dict[tuple[str, ...], int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = (*prefix, str(key.value))
            lines[path] = key.start_mark.line + 1
            _collect_lines(value, path, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = (*prefix, str(index))
            lines[path] = item.start_mark.line + 1
            _collect_lines(item, path, lines)


def _non_finite(data: Any, prefix: tuple[str, ...]) -> tuple[str, ...] | None:
    if isinstance(data, float) and not math.isfinite(data):
        return prefix
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found = _non_finite(value, (*prefix, str(key)))
        if found:
            return found
    return None


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge `override` onto `base`; timed events from both files are kept, in order."""
    merged = dict(base)
    for key, value in override.items():
        if key == "events" and isinstance(value, list) and isinstance(base.get("events"), list):
            merged[key] = [*base["events"], *value]
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merge(base[key], value)
        else:
            merged[key] = value
    return merged


def _resolve(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], dict[tuple[str, ...], tuple[Path, int]]]:
    """Read a file and what it extends; returns merged data and where each key was written."""
    data, lines = _read_yaml(path)
    origin = {key: (path, line) for key, line in lines.items()}
    parent = data.pop("extends", None)
    if parent is None:
        return data, origin
    if not isinstance(parent, str) or not parent:
        raise ScenarioError(
            [f"{path}:{lines.get(('extends',), 1)}: extends: must be the path of another scenario file"]
        )
    parent_path = (path.parent / parent).resolve()
    if parent_path in chain:
        loop = " -> ".join(str(p) for p in (*chain, parent_path))
        raise ScenarioError(
            [f"{path}:{lines.get(('extends',), 1)}: extends: files extend each other in a loop: {loop}"]
        )
    if not parent_path.is_file():
        raise ScenarioError([f"{path}:{lines.get(('extends',), 1)}: extends: no such file {parent_path}"])
    base, base_origin = _resolve(parent_path, (*chain, parent_path))
    merged = _merge(base, data)
    n_base_events = len(base.get("events", [])) if isinstance(base.get("events"), list) else 0
    shifted = {}
    for key, where in origin.items():
        if key[:1] == ("events",) and len(key) > 1 and key[1].isdigit():
            key = ("events", str(int(key[1]) + n_base_events), *key[2:])
        shifted[key] = where
    return merged, {**base_origin, **shifted}


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file (following `extends`); raises ScenarioError on any problem."""
    path = Path(path).resolve()
    data, origin = _resolve(path, (path,))
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(_describe(err, origin, path)) from None


def _describe(err: ValidationError, origin: dict[tuple[str, ...], tuple[Path, int]], path: Path) -> list[str]:
    problems = []
    for error in err.errors():
        loc = tuple(str(part) for part in error["loc"])
        where_file, line = _locate(loc, origin, path)
        key = ".".join(loc) or "(top level)"
        problems.append(f"{where_file}:{line}: {key}: {_explain(error, loc)}")
    return problems


def _locate(loc: tuple[str, ...], origin: dict[tuple[str, ...], tuple[Path, int]], path: Path) -> tuple[Path, int]:
    for cut in range(len(loc), 0, -1):
        if loc[:cut] in origin:
            return origin[loc[:cut]]
    return path, 1


def _explain(error: dict[str, Any], loc: tuple[str, ...]) -> str:
    """Say what was found and what is allowed, in a planner's words."""
    kind = error["type"]
    found = error.get("input")
    owner = _model_at(loc[:-1])
    field = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        known = list(owner.model_fields) if owner is not None else []
        hint = _suggest(field, known)
        return f"unknown key{hint or ''}" + ("" if hint else f"; known keys: {', '.join(known)}")
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if owner is not None and field in owner.model_fields and kind != "missing":
        return f"found {found!r}: {message}; allowed: {allowed(owner, field)}"
    if kind == "missing":
        return "required but missing"
    return f"found {found!r}: {message}"


def _model_at(loc: tuple[str, ...]) -> type[BaseModel] | None:
    """The schema class that owns the keys at `loc` (None inside free-form parts)."""
    model: type[BaseModel] = Scenario
    for part in loc:
        if part.isdigit():  # an item of a list (the timed events)
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
        elif part == "events":
            model = TimedChange
        else:
            return None
    return model
