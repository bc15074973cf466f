"""Reading settings files safely: scenarios, experiments and calibrations all come through here.

A settings file is a page or two of plain YAML written by a person. Nothing in it is ever run as
code: the loader refuses tags that build Python objects, aliases (a few lines of aliases can
expand to gigabytes), very deep nesting and non-finite numbers; it reads only regular files and
at most `MAX_FILE_BYTES` of them (so `/dev/zero` or a FIFO is refused at once, not read forever);
and a file with no settings at all (blank, only comments, `~`) is refused rather than silently
meaning "all defaults". Every problem names the file, the line and the key. What the keys mean
is the schema's business (`sim.planner.scenario` for scenarios).
"""

from __future__ import annotations

import math
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

#: Scenario files are a page or two of settings; anything bigger is a mistake or an attack.
MAX_FILE_BYTES = 1_000_000
#: Deeper nesting than any scenario needs (and deep enough to exhaust Python's stack) is refused.
MAX_DEPTH = 30
#: A file with nothing in it is refused rather than run as the default town.
NO_SETTINGS = (
    "the file has no settings (it is empty, blank, only comments or ~); write at least one, "
    "e.g. `description: the question this scenario answers`"
)


# -- problems ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One thing wrong with a settings file, printed on one line."""

    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        key = f" {self.key}:" if self.key else ""
        return printable(f"{self.file}:{self.line}:{key} {self.message}")


def printable(text: str) -> str:
    """Escape newlines and other control characters so that one problem stays on one line."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


class ScenarioError(ValueError):
    """A settings file that cannot be used, with one line per problem."""

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


def show_value(value: Any, limit: int = 60) -> str:
    """A value as the planner wrote it, shortened if long."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false"}.get(value, "null")
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- reading bytes -------------------------------------------------------------------------------
def read_text(path: Path) -> str:
    """The text of a regular file of at most MAX_FILE_BYTES; ScenarioError (one line) otherwise.

    The file is opened without blocking and checked to be a regular file before anything is
    read, so a FIFO cannot hang the command and a device cannot be read without end.
    """
    name = shown(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as err:
        raise ScenarioError([Problem(name, 1, "", f"cannot read the file ({err.strerror or err})")]) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "a device or special file"
            message = f"is {kind}, not a settings file; give the path of a .yaml file"
            raise ScenarioError([Problem(name, 1, "", message)])
        with os.fdopen(fd, "rb", closefd=False) as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise ScenarioError([Problem(name, 1, "", f"cannot read the file ({err.strerror or err})")]) from None
    finally:
        os.close(fd)
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(
            [Problem(name, 1, "", f"the file is over {MAX_FILE_BYTES:,} bytes; settings files are at most that")]
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ScenarioError([Problem(name, line, "", "not UTF-8 text; save the file as UTF-8")]) from None


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
    text = read_text(path)
    if not text.strip():  # checked before YAML, which would stumble on a tab in a blank file
        raise ScenarioError([Problem(name, 1, "", NO_SETTINGS)])
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


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[tuple[str, ...], int], list[Problem]]:
    """Parse a file into plain data, the line of every key path, and problems found on the way.

    Unreadable or empty files raise at once; keys written twice and non-finite numbers are
    returned as problems so that they are reported together with everything else wrong.
    """
    data, node = _parse(path)
    name = shown(path)
    if data is None or data == {}:
        raise ScenarioError([Problem(name, 1, "", NO_SETTINGS)])
    if not isinstance(data, dict):
        kind = {list: "a list", str: "text"}.get(type(data), f"a single {type(data).__name__} value")
        raise ScenarioError([Problem(name, 1, "", f"a scenario must be a mapping of keys to values, found {kind}")])
    lines: dict[tuple[str, ...], int] = {}
    problems: list[Problem] = []
    if node is not None:
        _collect_lines(node, (), lines, problems, name)
    for bad in non_finite(data):
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


def non_finite(data: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Key paths of every infinite or NaN number in nested plain data."""
    if isinstance(data, float) and not math.isfinite(data):
        return [prefix]
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list | tuple) else ()
    found = []
    for key, value in items:
        found.extend(non_finite(value, (*prefix, str(key))))
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


def resolve(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], Origin, list[Problem]]:
    """Read a file and what it extends: merged data, where each key was written, problems so far."""
    data, lines, problems = read_yaml(path)
    name = shown(path)
    origin = {key: (name, line) for key, line in lines.items()}
    if "extends" not in data:
        return data, origin, problems
    parent = data.pop("extends")
    line = lines.get(("extends",), 1)
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(
            [Problem(name, line, "extends", f"found {show_value(parent)}; allowed: the path of another scenario file")]
        )
    parent_path = (path.parent / parent).resolve()
    if parent_path in chain:
        loop = " -> ".join(shown(p) for p in (*chain, parent_path))
        raise ScenarioError([Problem(name, line, "extends", f"files extend each other in a loop: {loop}")])
    if not parent_path.is_file():
        raise ScenarioError([Problem(name, line, "extends", f"found {parent!r}, but there is no such file")])
    base, base_origin, base_problems = resolve(parent_path, (*chain, parent_path))
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
    schema alone cannot check. Problems raise ScenarioError, one line each. Numbers written as
    text ("inf", 1e400) that the schema turned into infinity are refused here too.
    """
    path = Path(os.path.abspath(path))
    name = shown(path)
    data, lines, problems = read_yaml(path)
    if problems:
        raise ScenarioError(problems)
    try:
        settings = schema.model_validate(data)
    except ValidationError as err:
        found = []
        for error in err.errors():
            loc = tuple(str(part) for part in error["loc"])
            line = _line_of(loc, lines)
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = f"unknown key; known keys: {', '.join(schema.model_fields)}"
            elif error["type"] != "missing":
                message = f"found {show_value(error.get('input'))}: {message}"
            found.append(Problem(name, line, ".".join(loc), message))
        raise ScenarioError(found) from None
    infinite = non_finite(settings.model_dump())
    if infinite:
        raise ScenarioError(
            [
                Problem(name, _line_of(loc, lines), ".".join(loc), "numbers must be finite (no inf, nan or 1e400)")
                for loc in infinite
            ]
        )
    return settings, lines


def _line_of(loc: tuple[str, ...], lines: dict[tuple[str, ...], int]) -> int:
    return next((lines[loc[:cut]] for cut in range(len(loc), 0, -1) if loc[:cut] in lines), 1)
