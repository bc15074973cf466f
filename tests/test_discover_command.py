"""`drugmarket discover`: PRIM boxes and feature scores from a policies-by-uncertainties experiment."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.planner.scenario import ScenarioError
from sim.research.discovery_experiment import load_discovery


def _spec(tmp_path: Path, repo_root: Path, extra: str = "") -> Path:
    path = tmp_path / "discover.yaml"
    path.write_text(
        f"""name: tiny-discovery
scenario: {repo_root / "scenarios" / "baseline.yaml"}
levers:
  police.patrol_hours_per_day: {{low: 10, high: 60}}
uncertainties:
  market.purity_volatility:
samples: 10
years: 0.1
seed: 3
criteria:
  patrol_hours_total: {{below: 1000}}
{extra}"""
    )
    return path


def test_discover_finds_the_patrol_hours_that_keep_hours_down_and_scores_the_lever_first(
    tmp_path: Path, repo_root: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    spec = _spec(tmp_path, repo_root)
    out = tmp_path / "out"
    assert main(["discover", str(spec), "--out", str(out), "--dry-run"]) == 0
    assert "1 policies x 10 points x 1 replicate(s) over 2 inputs = 10 runs" in capsys.readouterr().out
    assert not out.exists()
    assert main(["discover", str(spec), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    experiments = pd.read_csv(out / "experiments.csv")
    assert len(experiments) == 10
    # 36 days of patrols below 1,000 hours means fewer than about 28 hours a day: set, not random.
    met = experiments["meets_criteria"]
    assert met.any() and not met.all()
    assert (experiments.loc[met, "police.patrol_hours_per_day"] < 29).all()
    boxes = pd.read_csv(out / "prim-boxes.csv").set_index(["box", "input"])
    first = boxes.loc[1]
    assert first.loc["police.patrol_hours_per_day", "restricted"]
    assert first.loc["police.patrol_hours_per_day", "high"] < 40  # the box keeps the low end of 10-60 hours
    assert pd.read_csv(out / "prim-stats.csv").loc[0, "density"] >= 0.8
    scores = pd.read_csv(out / "feature-scores.csv").set_index("input")["patrol_hours_total"]
    assert scores.idxmax() == "police.patrol_hours_per_day"
    assert "replicate(s) averaged" in (out / "notes.txt").read_text()
    for name in ("prim-boxes.png", "feature-scores.png", "policies.csv"):
        assert (out / name).is_file(), name


def test_a_discovery_without_criteria_or_with_an_unknown_outcome_is_refused(tmp_path: Path, repo_root: Path) -> None:
    spec = _spec(tmp_path, repo_root, "outcomes: [no_such_outcome]\n")
    with pytest.raises(ScenarioError) as caught:
        load_discovery(spec)
    assert "outcomes[0]: unknown outcome 'no_such_outcome'" in " ".join(caught.value.problems)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(spec.read_text().replace("patrol_hours_total: {below", "deaths_per_week: {below"))
    with pytest.raises(ScenarioError) as caught:
        load_discovery(wrong)
    assert "criteria[0]: unknown outcome 'deaths_per_week'" in " ".join(caught.value.problems)
    (tmp_path / "none.yaml").write_text(f"name: x\nscenario: {repo_root / 'scenarios' / 'baseline.yaml'}\n")
    assert main(["discover", str(tmp_path / "none.yaml")]) == 2
