"""scripts/scenario_answers.py: the library's answers page, measured, as a planner reruns it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_answers_page_has_a_row_and_a_verdict_per_scenario_from_paired_runs(tmp_path: Path) -> None:
    library = tmp_path / "scenarios"
    library.mkdir()
    (library / "baseline.yaml").write_text("# what if nothing changes?\nyears: 0.3\n")
    (library / "no-patrol.yaml").write_text(
        "# what if the drug team stops patrolling?\nyears: 0.3\npolice:\n  patrol_hours_per_day: 0\n"
    )
    (library / "broken.yaml").write_text("# not a scenario\nyears: -1\n")  # left out, not fatal
    out = tmp_path / "answers.md"
    env = {**os.environ, "DRUGMARKET_STORE": str(tmp_path / "store"), "PYTHONPATH": str(ROOT)}
    script = str(ROOT / "scripts" / "scenario_answers.py")
    flags = ["--replicates", "3", "--workers", "1", "--folder", str(library), "--out", str(out)]
    done = subprocess.run(
        [sys.executable, script, *flags],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    page = out.read_text()
    assert "3 paired runs of 0.3" in page
    assert "| baseline (level) |" in page
    row = next(line for line in page.splitlines() if line.startswith("| `no-patrol` |"))
    assert row.count("%") >= 8  # a change in % with its interval for every headline outcome
    assert "what if the drug team stops patrolling?" in page
    assert "over 3 paired runs of 0.3" in page  # the report's one-sentence verdict
    assert "broken" not in page
    # With no patrol no seller is arrested on the street, so more sellers work: a clear harm.
    sellers = row.split(" | ")[7]
    assert sellers.startswith("+") and sellers.endswith("(harms)"), row
