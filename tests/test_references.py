"""Every parameter's source is a publication listed in docs/references.md, or an assumption."""

from __future__ import annotations

import re
from pathlib import Path

from sim.planner.levers import parameters

REFERENCES = Path(__file__).resolve().parents[1] / "docs" / "references.md"
OUTSIDE = ("MODEL.md", "shared/", "seed/", "seed briefing", "issue brief")


def reference_keys() -> list[str]:
    """The citation keys (bold at the start of each entry) of docs/references.md."""
    return re.findall(r"^- \*\*(.+?)\*\*", REFERENCES.read_text(encoding="utf-8"), flags=re.MULTILINE)


def test_references_list_authors_year_title_and_where() -> None:
    keys = reference_keys()
    assert len(keys) >= 20
    assert all(re.search(r"\b(19|20)\d\d\b", key) for key in keys), "each key names a year"
    assert len(set(keys)) == len(keys), "keys are unique"
    for entry in re.split(r"^- ", REFERENCES.read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]:
        body = entry.split("**", 2)[-1]
        assert len(body.split(".")) >= 3, f"entry too thin (authors, title, where): {entry[:60]}"


def test_every_source_cites_a_listed_reference_or_says_assumption() -> None:
    keys = reference_keys()
    unsourced = [
        f"{p.path}: {p.source}"
        for p in parameters()
        if not p.source.startswith("assumption") and not any(key in p.source for key in keys)
    ]
    assert not unsourced, "sources citing nothing in docs/references.md:\n" + "\n".join(unsourced)


def test_no_source_points_outside_the_repository() -> None:
    outside = [f"{p.path}: {p.source}" for p in parameters() if any(word in p.source for word in OUTSIDE)]
    assert not outside, "sources naming files users do not have:\n" + "\n".join(outside)
