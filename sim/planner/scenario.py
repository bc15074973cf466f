"""The scenario: every lever and assumption of a run, read strictly from a planner's YAML.

A scenario file sets only what differs from the defaults (or from the file it `extends`). Unknown
keys, values out of range and anything that is not plain data are errors that name the file, the
line, the key, what was found and what is allowed; nothing in a file is ever run as code. The
loader refuses the parts of YAML that can hurt: tags that build Python objects, aliases (a few
lines of aliases can expand to gigabytes), very deep nesting and non-finite numbers.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from sim.model.costs import CostParams
from sim.model.custody import CustodyParams
from sim.model.dealers import DealerParams
from sim.model.deterrence import DeterrenceParams
from sim.model.justice import ChargingParams, CourtParams, DiversionParams
from sim.model.market import MarketParams
from sim.model.params import Section
from sim.model.people import OverdoseParams, PeopleParams
from sim.model.police import PoliceParams
from sim.model.prison import PrisonParams
from sim.model.town import TownParams
from sim.model.treatment import TreatmentParams
from sim.model.workforce import OfficerParams
from sim.planner.levers import resolve_lever, set_at_start, suggest

#: Scenario files are a page or two of settings; anything bigger is a mistake or an attack.
MAX_FILE_BYTES = 1_000_000
#: Deeper nesting than any scenario needs (and deep enough to exhaust Python's stack) is refused.
MAX_DEPTH = 30


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

    @property
    def days(self) -> int:
        return round(self.years * 365)

    @field_validator("name")
    @classmethod
    def _name_is_a_file_name(cls, value: str) -> str:
        if not value or any(ch in value for ch in '/\\:*?"<>|') or value.startswith(".") or len(value) > 80:
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
                    problems.append((index, path, str(err)))
        if problems:
            summary = "; ".join(f"events[{i}].set.{path}: {msg}" for i, path, msg in problems)
            raise PydanticCustomError("timed_lever", "{summary}", {"summary": summary, "problems": problems})
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
        return found


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
        reason = "" if error["type"] in _SAID_BY_ALLOWED else f": {_plain(error['msg'])}"
        raise ValueError(f"found {_show(value)}{reason}; allowed: {allowed(type(section), field)}") from None
    except (TypeError, ValueError) as err:
        raise ValueError(f"found {_show(value)}: {err}; allowed: {allowed(type(section), field)}") from None


@functools.cache
def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def allowed(model: type[BaseModel], field: str, *, unit_and_usual: bool = True) -> str:
    """Describe in words what values a field takes (hard bounds, and the unit and usual range)."""
    info = model.model_fields[field]
    schema = _schema(model)["properties"].get(field, {})
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    unit = extra.get("unit")
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
            bounds.append(f"{sign} {_number(schema[key])}")
    text = kind + (f" {' and '.join(bounds)}" if bounds else "")
    if not unit_and_usual:
        return text
    if unit and unit not in ("text", "choice") and kind != "a date":
        text += f" ({unit})"
    if "plausible" in extra:
        lo, hi = extra["plausible"]
        text += f"; usually {_number(lo)} to {_number(hi)}"
    return text


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else f"{value}"


def _show(value: Any, limit: int = 60) -> str:
    """A value as the planner wrote it, shortened if long."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false"}.get(value, "null")
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _plain(message: str) -> str:
    """Pydantic's message without its prefix, starting lower case to read inside a sentence."""
    message = message.removeprefix("Value error, ")
    return message[:1].lower() + message[1:] if message else message


# -- problems ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file, printed on one line."""

    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        key = f" {self.key}:" if self.key else ""
        return _printable(f"{self.file}:{self.line}:{key} {self.message}")


def _printable(text: str) -> str:
    """Escape newlines and other control characters so that one problem stays on one line."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


class ScenarioError(ValueError):
    """A scenario file that cannot be used, with one line per problem."""

    def __init__(self, problems: list[str] | list[Problem]) -> None:
        self.details = [p for p in problems if isinstance(p, Problem)]
        self.problems = [str(p) for p in problems]
        super().__init__("\n".join(self.problems))


def shown(path: Path) -> str:
    """A path as a planner would type it: relative to where they are, if it is below there."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# -- reading YAML safely -------------------------------------------------------------------------
_PLAIN_TAGS = {f"tag:yaml.org,2002:{kind}" for kind in ("str", "int", "float", "bool", "null", "map", "seq")}
_PLAIN_TAGS.add("tag:yaml.org,2002:timestamp")


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that also refuses aliases, tags other than plain data, and deep nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in scenario files; write the values out", event.start_mark
            )
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark
            )
        node = super().compose_node(parent, index)
        self._depth -= 1
        if node.tag not in _PLAIN_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise yaml.composer.ComposerError(
                None,
                None,
                f"the tag {tag} is not allowed; scenario files hold plain numbers, text, lists and mappings",
                node.start_mark,
            )
        return node

    def construct_object(self, node, deep=False):  # type: ignore[no-untyped-def]
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, OverflowError) as err:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {node.value!r}: {err}", node.start_mark
            ) from None


def _parse(path: Path) -> tuple[Any, yaml.Node | None]:
    """The file's plain data and its node tree (for line numbers); ScenarioError if unreadable."""
    name = shown(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ScenarioError([Problem(name, 1, "", f"cannot read the file ({err.strerror or err})")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(
            [Problem(name, 1, "", f"the file is {len(raw):,} bytes; scenario files are at most {MAX_FILE_BYTES:,}")]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ScenarioError([Problem(name, line, "", "not UTF-8 text; save the file as UTF-8")]) from None
    loader = None
    try:
        loader = _StrictLoader(text)  # the reader already refuses control characters here
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.reader.ReaderError as err:
        line = text[: err.position].count("\n") + 1
        raise ScenarioError(
            [Problem(name, line, "", f"not valid scenario YAML: {err.reason} ({err.character!r})")]
        ) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(err, "problem", None) or str(err)
        context = getattr(err, "context", None)
        what = f"{problem} ({context})" if context and "alias" not in problem else problem
        raise ScenarioError([Problem(name, line, "", f"not valid scenario YAML: {what}")]) from None
    except RecursionError:
        raise ScenarioError([Problem(name, 1, "", "not valid scenario YAML: nested too deeply")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, node


def _read_yaml(path: Path) -> tuple[dict[str, Any], dict[tuple[str, ...], int], list[Problem]]:
    """Parse a file into plain data, the line of every key path, and problems found on the way.

    Unreadable files raise at once; keys written twice and non-finite numbers are returned as
    problems so that they are reported together with everything else wrong in the file.
    """
    data, node = _parse(path)
    name = shown(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        kind = {list: "a list", str: "text"}.get(type(data), f"a single {type(data).__name__} value")
        raise ScenarioError([Problem(name, 1, "", f"a scenario must be a mapping of keys to values, found {kind}")])
    lines: dict[tuple[str, ...], int] = {}
    problems: list[Problem] = []
    if node is not None:
        _collect_lines(node, (), lines, problems, name)
    for bad in _non_finite(data, ()):
        problems.append(Problem(name, lines.get(bad, 1), ".".join(bad), "numbers must be finite (no .inf or .nan)"))
    return data, lines, problems


def _collect_lines(
    node: yaml.Node, prefix: tuple[str, ...], lines: dict[tuple[str, ...], int], problems: list[Problem], name: str
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            text = str(key.value)
            line = key.start_mark.line + 1
            if text in seen and isinstance(key, yaml.ScalarNode):
                where = ".".join((*prefix, text))
                problems.append(Problem(name, line, where, f"written twice (first on line {seen[text]}); keep one"))
            seen.setdefault(text, line)
            path = (*prefix, text)
            lines[path] = line
            _collect_lines(value, path, lines, problems, name)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = (*prefix, str(index))
            lines[path] = item.start_mark.line + 1
            _collect_lines(item, path, lines, problems, name)


def _non_finite(data: Any, prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
    if isinstance(data, float) and not math.isfinite(data):
        return [prefix]
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    found = []
    for key, value in items:
        found.extend(_non_finite(value, (*prefix, str(key))))
    return found


# -- extends ------------------------------------------------------------------------------------
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


Origin = dict[tuple[str, ...], tuple[str, int]]


def _resolve(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], Origin, list[Problem]]:
    """Read a file and what it extends: merged data, where each key was written, problems so far."""
    data, lines, problems = _read_yaml(path)
    name = shown(path)
    origin = {key: (name, line) for key, line in lines.items()}
    if "extends" not in data:
        return data, origin, problems
    parent = data.pop("extends")
    line = lines.get(("extends",), 1)
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(
            [Problem(name, line, "extends", f"found {_show(parent)}; allowed: the path of another scenario file")]
        )
    parent_path = (path.parent / parent).resolve()
    if parent_path in chain:
        loop = " -> ".join(shown(p) for p in (*chain, parent_path))
        raise ScenarioError([Problem(name, line, "extends", f"files extend each other in a loop: {loop}")])
    if not parent_path.is_file():
        raise ScenarioError([Problem(name, line, "extends", f"found {parent!r}, but there is no such file")])
    base, base_origin, base_problems = _resolve(parent_path, (*chain, parent_path))
    merged = _merge(base, data)
    n_base_events = len(base["events"]) if isinstance(base.get("events"), list) else 0
    if not isinstance(data.get("events"), list):
        n_base_events = 0
    shifted = {}
    for key, where in origin.items():
        if key[:1] == ("events",) and len(key) > 1 and key[1].isdigit():
            key = ("events", str(int(key[1]) + n_base_events), *key[2:])
        shifted[key] = where
    return merged, {**base_origin, **shifted}, [*base_problems, *problems]


def read_settings[M: BaseModel](path: str | Path, schema: type[M]) -> tuple[M, dict[tuple[str, ...], int]]:
    """Read another kind of settings file (an experiment, a calibration) as safely as a scenario.

    Returns the validated settings and the line of every key path, for messages about values the
    schema alone cannot check. Problems raise ScenarioError, one line each.
    """
    path = Path(os.path.abspath(path))
    name = shown(path)
    data, lines, problems = _read_yaml(path)
    if problems:
        raise ScenarioError(problems)
    try:
        return schema.model_validate(data), lines
    except ValidationError as err:
        found = []
        for error in err.errors():
            loc = tuple(str(part) for part in error["loc"])
            line = next((lines[loc[:cut]] for cut in range(len(loc), 0, -1) if loc[:cut] in lines), 1)
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = f"unknown key; known keys: {', '.join(schema.model_fields)}"
            elif error["type"] != "missing":
                message = f"found {_show(error.get('input'))}: {message}"
            found.append(Problem(name, line, ".".join(loc), message))
        raise ScenarioError(found) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file (following `extends`); raises ScenarioError on any problem.

    A file that does not set `name` is named after the file, so copies of the baseline get their
    own names in tables and plots.
    """
    path = Path(os.path.abspath(path))
    name = shown(path)
    data, origin, early = _resolve(path, (path,))
    if ("name",) not in origin or origin[("name",)][0] != name:
        data["name"] = path.stem
    problems: list[Problem] = []
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        problems = _describe(err, origin, name)
        if not any(p.key.startswith("events.") and ".set." in p.key for p in problems):
            problems += _event_problems(data.get("events"), origin, name)
    # A non-finite number is also out of range: say it once. An unknown key is the clearer news.
    unknown = {(p.file, p.key) for p in problems if p.message.startswith("unknown key")}
    early = [p for p in early if (p.file, p.key) not in unknown]
    said = {(p.file, p.key) for p in early if p.message.startswith("numbers must be finite")}
    problems = [*early, *(p for p in problems if (p.file, p.key) not in said)]
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


def _describe(err: ValidationError, origin: Origin, name: str) -> list[Problem]:
    problems = []
    for error in err.errors():
        if error["type"] == "timed_lever":
            for index, lever, message in error["ctx"]["problems"]:
                loc = ("events", str(index), "set", lever)
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
        if kind in _SAID_BY_ALLOWED:
            return f"found {_show(found)}; allowed: {allowed(owner, field)}"
        return f"found {_show(found)}: {reason}; allowed: {allowed(owner, field)}"
    return f"found {_show(found)}: {reason}"


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
