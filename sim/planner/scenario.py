"""The scenario schema: every lever and assumption of a run, and what a planner's file may say.

A scenario file sets only what differs from the defaults (or from the file it `extends`). Unknown
keys, values out of range and non-finite numbers are errors that name the file, the line, the
key, what was found and what is allowed; values outside the plausible range are warnings naming
that range and its source. Reading the file safely (size cap, no code, no aliases, `extends`) is
`sim.planner.settings`'s job; lever paths and parameter facts are `sim.planner.levers`'s.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from sim.model.charging import ChargingParams, DiversionParams
from sim.model.costs import CostParams
from sim.model.courts import CourtParams
from sim.model.custody import CustodyParams
from sim.model.dealers import DealerParams
from sim.model.deterrence import DeterrenceParams
from sim.model.market import MarketParams
from sim.model.officers import OfficerParams
from sim.model.params import Section
from sim.model.people import OverdoseParams, PeopleParams
from sim.model.police import PoliceParams
from sim.model.prison import PrisonParams
from sim.model.town import TownParams
from sim.model.treatment import TreatmentParams
from sim.planner.levers import allowed, lever_paths, parameter, plain_number, resolve_lever, set_at_start, suggest
from sim.planner.settings import MAX_DEPTH, MAX_FILE_BYTES, Origin, Problem, ScenarioError, resolve, shown
from sim.planner.settings import show_value as _show

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "Scenario", "ScenarioError", "TimedChange", "load_scenario", "shown"]


class TimedChange(BaseModel):
    """Levers that change on a given day: go-live, ramp-up, funding that ends."""

    model_config = ConfigDict(extra="forbid")

    day: int = Field(
        description="Day of the run (0 = first day) from which the change applies.",
        ge=0,
        json_schema_extra={"unit": "day of the run"},
    )
    set: dict[str, Any] = Field(
        description="Levers to change, by dotted path, e.g. {'police.patrol_hours_per_day': 40}.",
        min_length=1,
        json_schema_extra={"unit": "lever: value"},
    )
    note: str = Field("", description="Why the change happens (shown in reports).", json_schema_extra={"unit": "text"})


class HotspotOperation(BaseModel):
    """A one-off operation: on one day officers sweep named hotspots and arrest a share of the
    sellers standing there (the crackdown planners reach for first)."""

    model_config = ConfigDict(extra="forbid")

    day: int = Field(
        description="Day of the run (0 = first day) of the operation.",
        ge=0,
        json_schema_extra={"unit": "day of the run"},
    )
    hotspots: list[int] = Field(
        default_factory=list,
        description="Hotspots swept, numbered 1 to town.hotspots row by row from the top left of the town map "
        "(empty: every hotspot).",
        max_length=100,
        json_schema_extra={"unit": "hotspot numbers"},
    )
    arrest_share: float = Field(
        0.5,
        description="Share of the sellers standing at a swept hotspot that day who are arrested. Source: "
        "assumption (an operation with warrants prepared in advance; sellers displaced to side streets escape).",
        gt=0.0,
        le=1.0,
        json_schema_extra={"unit": "fraction", "plausible": [0.2, 0.8]},
    )
    officer_hours: float = Field(
        200.0,
        description="Officer hours the operation takes (briefing, the sweep, processing), costed at the "
        "officer-hour rate. Staffed from outside the drug team (support units), so the team does not tire. "
        "Source: assumption (for example 25 officers for 8 hours).",
        ge=0.0,
        le=100_000.0,
        json_schema_extra={"unit": "officer-hours", "plausible": [50.0, 1_000.0]},
    )
    note: str = Field("", description="What the operation is (shown in reports).", json_schema_extra={"unit": "text"})

    @field_validator("hotspots")
    @classmethod
    def _numbers_count_from_one(cls, value: list[int]) -> list[int]:
        if any(number < 1 for number in value) or len(set(value)) != len(value):
            raise ValueError("must be different hotspot numbers counted from 1 (as on the town map)")
        return value


class Scenario(Section):
    """A town, its market and a policy mix."""

    name: str = Field(
        "baseline",
        description="Short name used in tables, plots and file names (default: the file's name).",
        json_schema_extra={"unit": "text"},
    )
    description: str = Field("", description="The question this scenario answers.", json_schema_extra={"unit": "text"})
    seed: int = Field(
        20260401,
        description="Master random seed: replicate r uses child r of numpy's SeedSequence(seed).",
        ge=0,
        json_schema_extra={"unit": "integer"},
    )
    years: float = Field(
        5.0,
        description="Length of a run. ADDER's effects on crime and deaths had not shown after two years, "
        "so short horizons mislead.",
        gt=0.0,
        le=30.0,
        json_schema_extra={"unit": "years", "plausible": [2.0, 10.0]},
    )
    replicates: int = Field(
        10,
        description="Runs with different random streams, for uncertainty (a comparison uses the baseline's).",
        ge=1,
        le=10_000,
        json_schema_extra={"unit": "runs", "plausible": [10, 100]},
    )
    start_date: dt.date = Field(
        dt.date(2025, 4, 7),
        description="Calendar date of day 0 (sets weekdays and the dates in the daily table).",
        json_schema_extra={"unit": "date (YYYY-MM-DD)"},
    )

    town: TownParams = Field(default_factory=TownParams, description="Size and layout of the town.")
    people: PeopleParams = Field(default_factory=PeopleParams, description="People who use drugs.")
    overdose: OverdoseParams = Field(default_factory=OverdoseParams, description="Overdose hazard and survival.")
    market: MarketParams = Field(default_factory=MarketParams, description="Buying, search time and purity.")
    dealers: DealerParams = Field(default_factory=DealerParams, description="Street sellers and their groups.")
    police: PoliceParams = Field(default_factory=PoliceParams, description="Police tasking at the market.")
    officers: OfficerParams = Field(
        default_factory=OfficerParams, description="The drug team's officers: rosters, overtime, fatigue, staffing."
    )
    deterrence: DeterrenceParams = Field(default_factory=DeterrenceParams, description="Focused deterrence.")
    treatment: TreatmentParams = Field(
        default_factory=TreatmentParams, description="Treatment services: keyworkers, OST, residential, naloxone."
    )
    custody: CustodyParams = Field(default_factory=CustodyParams, description="Police custody and drug workers.")
    diversion: DiversionParams = Field(
        default_factory=DiversionParams, description="Out-of-court disposals with a treatment condition."
    )
    charging: ChargingParams = Field(
        default_factory=ChargingParams, description="Charging decisions and prosecutor joint working."
    )
    courts: CourtParams = Field(default_factory=CourtParams, description="Bail, remand, court and sentencing.")
    prison: PrisonParams = Field(default_factory=PrisonParams, description="Prison, treatment inside and release.")
    costs: CostParams = Field(default_factory=CostParams, description="Unit costs by agency (2024/25 prices).")

    events: list[TimedChange] = Field(
        default_factory=list,
        description="Timed lever changes: go-live, ramp-up, funding that ends.",
        json_schema_extra={"unit": "list of changes"},
    )
    operations: list[HotspotOperation] = Field(
        default_factory=list,
        description="One-off hotspot operations: on a given day, arrest a share of the sellers at named hotspots.",
        max_length=1_000,
        json_schema_extra={"unit": "list of operations"},
    )

    @property
    def days(self) -> int:
        return round(self.years * 365)

    @field_validator("name")
    @classmethod
    def _name_is_a_file_name(cls, value: str) -> str:
        if not value.strip() or not value.isprintable():
            raise ValueError("must be a visible name (not blank or only spaces, no control characters such as NUL)")
        if any(ch in value for ch in '/\\:*?"<>|') or value.startswith(".") or len(value) > 80:
            raise ValueError('must be a name usable as a file name (1 to 80 characters, no / \\ : * ? " < > |)')
        return value

    @model_validator(mode="after")
    def _events_name_real_levers(self) -> Scenario:
        problems = []
        for index, change in enumerate(self.events):
            for path, value in change.set.items():
                try:
                    check_lever(self, path, value, timed=True)
                except ValueError as err:
                    problems.append((("events", str(index), "set", path), str(err)))
        _raise_located(problems)
        return self

    @model_validator(mode="after")
    def _operations_name_real_hotspots(self) -> Scenario:
        count, problems = self.town.hotspots, []
        for index, operation in enumerate(self.operations):
            missing = [number for number in operation.hotspots if number > count]
            if missing:
                message = (
                    f"found hotspot {missing[0]}: the town has {count} hotspots (town.hotspots), numbered 1 to {count}"
                )
                problems.append((("operations", str(index), "hotspots"), message))
        _raise_located(problems)
        return self

    def content_hash(self) -> str:
        """A short fingerprint of everything that affects results (not name or description)."""
        data = self.model_dump(mode="json", exclude={"name", "description", "replicates"})
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def warnings(self) -> list[str]:
        """Things that are allowed but probably not what the author meant."""
        found = []
        for index, change in enumerate(self.events):
            if change.day >= self.days:
                found.append(
                    f"events.{index}: day {change.day} is after the last day of the run ({self.days - 1}), "
                    "so this change never happens"
                )
        for index, operation in enumerate(self.operations):
            if operation.day >= self.days:
                found.append(
                    f"operations.{index}: day {operation.day} is after the last day of the run ({self.days - 1}), "
                    "so this operation never happens"
                )
        for path in lever_paths():
            section, field = resolve_lever(self, path)
            found.extend(_implausible(path, getattr(section, field)))
        for index, change in enumerate(self.events):
            for path, value in change.set.items():
                found.extend(_implausible(path, value, f"events.{index}.set."))
        return found


def _implausible(path: str, value: Any, where: str = "") -> list[str]:
    """A warning if a lever's value is allowed but outside where the evidence puts it."""
    fact = parameter(path)
    if fact.plausible is None or isinstance(value, bool) or not isinstance(value, int | float):
        return []
    low, high = fact.plausible
    if low <= value <= high:
        return []
    unit = f" {fact.unit}" if fact.unit else ""
    return [
        f"{where}{path}: {plain_number(value)} is outside the plausible range "
        f"{plain_number(low)} to {plain_number(high)}{unit} "
        f"(source: {fact.source or 'assumption'}); check that it is what you meant"
    ]


def check_lever(scenario: Scenario, path: str, value: Any, *, timed: bool = False) -> None:
    """Raise ValueError if `value` is not allowed for the lever at `path` (in a timed change if `timed`)."""
    section, field = resolve_lever(scenario, path)
    if timed and set_at_start(path):
        raise ValueError("is set once, when the town is built on day 0; it cannot change during a run")
    trial = section.model_copy()
    try:
        setattr(trial, field, value)
    except ValidationError as err:
        error = err.errors()[0]
        if error["type"] == "finite_number":
            raise ValueError(f"{NOT_FINITE}, found {_show(value)}; allowed: {allowed(type(section), field)}") from None
        reason = "" if error["type"] in _SAID_BY_ALLOWED else f": {_plain(error['msg'])}"
        raise ValueError(f"found {_show(value)}{reason}; allowed: {allowed(type(section), field)}") from None
    except (TypeError, ValueError) as err:
        raise ValueError(f"found {_show(value)}: {err}; allowed: {allowed(type(section), field)}") from None


def _plain(message: str) -> str:
    """Pydantic's message without its prefix, starting lower case to read inside a sentence."""
    message = message.removeprefix("Value error, ")
    return message[:1].lower() + message[1:] if message else message


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file (following `extends`); raises ScenarioError on any problem.

    A file that does not set `name` is named after the file, so copies of the baseline get their
    own names in tables and plots.
    """
    path = Path(os.path.abspath(path))
    name = shown(path)
    data, origin, early = resolve(path, (path,))
    if ("name",) not in origin or origin[("name",)][0] != name:
        data["name"] = path.stem
    problems: list[Problem] = []
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        problems = _describe(err, origin, name)
        if not any(p.key.startswith("events.") and ".set." in p.key for p in problems):
            problems += _event_problems(data.get("events"), origin, name)
    # Say a non-finite number once, in the schema's words (they say what is allowed). An unknown key
    # is the clearer news than anything the reader found under it.
    unknown = {(p.file, p.key) for p in problems if p.message.startswith("unknown key")}
    said = {(p.file, p.key) for p in problems}
    early = [
        p
        for p in early
        if (p.file, p.key) not in unknown
        and not (p.message.startswith("numbers must be finite") and (p.file, p.key) in said)
    ]
    problems = [*early, *problems]
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: (p.file != name, p.file, p.line)))
    return scenario


def _event_problems(events: Any, origin: Origin, name: str) -> list[Problem]:
    """Check timed changes on their own, so they are reported with the file's other problems.

    (When other fields fail, pydantic never reaches the whole-scenario check of timed levers.)
    A lever's allowed values do not depend on other settings, so the defaults stand in for them.
    """
    if not isinstance(events, list):
        return []
    reference = Scenario()
    problems = []
    for index, change in enumerate(events):
        if not isinstance(change, dict) or not isinstance(change.get("set"), dict):
            continue
        for lever, value in change["set"].items():
            if not isinstance(lever, str):
                continue
            try:
                check_lever(reference, lever, value, timed=True)
            except ValueError as err:
                loc = ("events", str(index), "set", lever)
                where, line = _locate(loc, origin, name)
                problems.append(Problem(where, line, ".".join(loc), str(err)))
    return problems


def load_scenarios(paths: list[str | Path]) -> list[Scenario]:
    """Load several files, reporting the problems of all of them together."""
    loaded, problems = [], []
    for path in paths:
        try:
            loaded.append(load_scenario(path))
        except ScenarioError as err:
            problems.extend(err.details or err.problems)
    if problems:
        raise ScenarioError(problems)
    return loaded


def _raise_located(problems: list[tuple[tuple[str, ...], str]]) -> None:
    """Raise the whole-scenario check's problems, each with the key it is about (see `_describe`)."""
    if problems:
        summary = "; ".join(f"{'.'.join(loc)}: {message}" for loc, message in problems)
        raise PydanticCustomError("located", "{summary}", {"summary": summary, "problems": problems})


def _describe(err: ValidationError, origin: Origin, name: str) -> list[Problem]:
    problems = []
    for error in err.errors():
        if error["type"] == "located":
            for loc, message in error["ctx"]["problems"]:
                where, line = _locate(loc, origin, name)
                problems.append(Problem(where, line, ".".join(loc), message))
            continue
        loc = tuple(str(part) for part in error["loc"])
        where, line = _locate(loc, origin, name)
        problems.append(Problem(where, line, ".".join(loc), _explain(error, loc)))
    return problems


def _locate(loc: tuple[str, ...], origin: Origin, name: str) -> tuple[str, int]:
    for cut in range(len(loc), 0, -1):
        if loc[:cut] in origin:
            return origin[loc[:cut]]
    return name, 1


def _explain(error: dict[str, Any], loc: tuple[str, ...]) -> str:
    """Say what was found and what is allowed, in a planner's words."""
    kind = error["type"]
    found = error.get("input")
    owner = _model_at(loc[:-1])
    field = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        known = list(owner.model_fields) if owner is not None else []
        hint = suggest(field, known)
        return f"unknown key {field!r}" + (hint or f"; allowed keys: {', '.join(known)}")
    if kind == "invalid_key":
        return f"found the key {_show(found)}; keys must be names written as text"
    reason = _plain(error["msg"])
    if kind == "missing":
        what = f"; allowed: {allowed(owner, field)}" if owner is not None and field in owner.model_fields else ""
        return f"required but missing{what}"
    if owner is not None and field in owner.model_fields:
        if kind == "finite_number":
            return f"{NOT_FINITE}, found {_show(found)}; allowed: {allowed(owner, field)}"
        if kind in _SAID_BY_ALLOWED:
            return f"found {_show(found)}; allowed: {allowed(owner, field)}"
        return f"found {_show(found)}: {reason}; allowed: {allowed(owner, field)}"
    return f"found {_show(found)}: {reason}"


#: Said of "inf", "nan", ".inf" and "1e400" (which overflows to infinity) wherever a number is needed.
NOT_FINITE = "numbers must be finite (no inf, nan or 1e400)"

#: Pydantic error kinds whose message only repeats what `allowed` says.
_SAID_BY_ALLOWED = {"greater_than", "greater_than_equal", "less_than", "less_than_equal", "literal_error", "enum"}


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
        elif part == "events" and model is Scenario:
            model = TimedChange
        else:
            return None
    return model
