"""Property-based tests: whatever a file holds, loading it gives a Scenario or a clean ScenarioError.

Never a traceback from deep inside YAML or pydantic, never another exception type, and every
problem line names the file and a line number.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.model.police import PoliceParams
from sim.planner.levers import lever_paths, sections
from sim.planner.scenario import Scenario, ScenarioError, load_scenario

FOLDER = Path(tempfile.mkdtemp(prefix="scenario-fuzz-"))
atexit.register(shutil.rmtree, FOLDER, ignore_errors=True)
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.dates()
)
junk = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12) | st.integers(), inner, max_size=4)
    ),
    max_leaves=25,
)
known_keys = st.sampled_from([*Scenario.model_fields, "extends", *lever_paths()])
section_fields = st.sampled_from([(name, field) for name, model in sections().items() for field in model.model_fields])

#: Pieces of YAML syntax, including the dangerous ones, to glue into random documents.
TOKENS = [
    "years: 2\n",
    "police:\n",
    "  patrol_hours_per_day: 30\n",
    "events:\n",
    "  - day: 3\n",
    "    set: {}\n",
    "&a ",
    "*a ",
    "!!python/object:os.system ",
    "!!python/name:builtins.eval ",
    "!!binary ",
    "!!set ",
    "!custom ",
    "<<: ",
    "[",
    "]",
    "{",
    "}",
    ": ",
    ", ",
    "- ",
    "\n",
    "  ",
    "\t",
    "'",
    '"',
    "#",
    "|\n",
    ">\n",
    ".inf",
    "-.inf",
    ".nan",
    "~",
    "null",
    "yes",
    "no",
    "0x1F",
    "1e400",
    "2025-02-30",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "? ",
    "\x00",
    "\ufeff",
    "é",
    "extends: ",
    "missing.yaml",
    "seed: ",
    "-1",
    "99999999999999999999",
]


def check(path: Path) -> None:
    """Loading either works or fails with ScenarioError whose every line names file and line."""
    try:
        load_scenario(path)
    except ScenarioError as err:
        assert err.problems
        for problem in err.problems:
            assert re.match(rf"^{re.escape(str(path))}:\d+: ", problem) or re.match(r"^.+\.yaml:\d+: ", problem)
            assert "\n" not in problem and "Traceback" not in problem


def save(text: str | bytes, name: str = "fuzz.yaml") -> Path:
    path = FOLDER / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


@FUZZ
@given(junk)
def test_random_nested_junk_gives_a_scenario_or_a_clean_error(document: object) -> None:
    check(save(yaml.safe_dump(document, allow_unicode=True)))


@FUZZ
@given(st.dictionaries(known_keys, junk, max_size=5))
def test_known_keys_with_values_of_any_type_give_a_clean_error(document: dict) -> None:
    check(save(yaml.safe_dump(document, allow_unicode=True)))


@FUZZ
@given(section_fields, junk)
def test_any_value_for_any_lever_gives_a_scenario_or_a_clean_error(where: tuple[str, str], value: object) -> None:
    section, field = where
    check(save(yaml.safe_dump({section: {field: value}, "events": [{"day": 1, "set": {f"{section}.{field}": value}}]})))


@FUZZ
@given(st.dictionaries(st.text(min_size=1, max_size=15), scalars, min_size=1, max_size=4))
def test_unknown_keys_are_always_reported_as_unknown(extra: dict) -> None:
    known = set(PoliceParams.model_fields)
    unknown = {k: v for k, v in extra.items() if k not in known and k != "extends"}
    if not unknown:
        return
    path = save(yaml.safe_dump({"police": unknown}, allow_unicode=True))
    try:
        load_scenario(path)
    except ScenarioError as err:
        assert any("unknown key" in p for p in err.problems)
    else:
        raise AssertionError("unknown keys were accepted")


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=30))
def test_random_yaml_syntax_including_tags_and_aliases_gives_a_clean_error(pieces: list[str]) -> None:
    check(save("".join(pieces)))


@FUZZ
@given(st.binary(max_size=200))
def test_random_bytes_give_a_clean_error(data: bytes) -> None:
    check(save(data))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=20))
def test_validate_command_never_shows_a_traceback(pieces: list[str]) -> None:
    path = save("".join(pieces), "cli.yaml")
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(["validate", str(path)])
    assert status in (0, 1)
    assert "Traceback" not in err.getvalue()
    assert (status == 1) == bool(err.getvalue().strip()) or "warning" in err.getvalue()
