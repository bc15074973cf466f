"""`drugmarket frontier`: the non-dominated lever mixes found by NSGA-II are really non-dominated."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.planner.scenario import ScenarioError
from sim.research.experiment import Factor, FunctionModel
from sim.research.frontier import Search, dominated, load_frontier, nsga2


def _spending(budget: float, waste: float, rng: np.random.Generator) -> dict[str, float]:
    """A toy trade-off: deaths fall as budget rises; `waste` costs money and saves no one."""
    luck = rng.normal(0, 0.02)
    return {"deaths": 10 / (1 + budget) + luck, "cost": budget + 5 * waste}


def test_the_frontier_holds_only_mixes_no_other_mix_beats_and_drops_wasteful_ones() -> None:
    factors = [Factor("budget", 0, 10), Factor("waste", 0, 4, integer=True)]
    search = Search(
        lambda _: FunctionModel(_spending, factors, ["deaths", "cost"], seed=5),
        factors,
        {"deaths": "minimise", "cost": "minimise"},
        replicates=3,
        progress=False,
    )
    table = nsga2(search, population=16, generations=6, seed=2, baseline=np.array([2.0, 3.0]), progress=False)
    assert len(table) > 40 and (table["waste"] == table["waste"].round()).all()
    values = table[["deaths", "cost"]].to_numpy()
    front = table["on_frontier"].to_numpy()
    for i in np.flatnonzero(front):  # nothing evaluated beats a frontier mix on both objectives
        beaten = (values <= values[i]).all(axis=1) & (values < values[i]).any(axis=1)
        assert not beaten.any(), table.iloc[i]
    for i in np.flatnonzero(~front):  # and every mix left off is beaten by one
        assert ((values <= values[i]).all(axis=1) & (values < values[i]).any(axis=1)).any()
    # Waste only adds cost, so the frontier spends nothing on it; the wasteful baseline is off it.
    assert (table.loc[front, "waste"] == 0).all() and front.sum() >= 5
    assert not table.loc[table["generation"] == 0, "on_frontier"].item()
    # Common seeds: with the same luck for every mix, deaths fall strictly as budget rises on the frontier.
    ordered = table[front].sort_values("budget")
    assert (np.diff(ordered["deaths"]) < 0).all()
    assert ordered["budget"].max() - ordered["budget"].min() > 5  # it spans the trade-off


def test_dominated_is_pareto_dominance() -> None:
    points = np.array([[1, 5], [2, 2], [3, 3], [5, 1], [1, 5]])
    assert dominated(points).tolist() == [False, False, True, False, False]  # ties dominate no one


def _spec(tmp_path: Path, repo_root: Path, extra: str = "") -> Path:
    path = tmp_path / "frontier.yaml"
    path.write_text(
        f"""name: tiny-frontier
scenario: {repo_root / "scenarios" / "baseline.yaml"}
levers:
  police.patrol_hours_per_day: {{low: 0, high: 60}}
  treatment.outreach_workers: {{low: 0, high: 4}}
objectives:
  patrol_hours_total: minimise
  offences_total: minimise
replicates: 1
population: 4
generations: 2
years: 0.03
{extra}"""
    )
    return path


def test_frontier_dry_run_counts_the_runs_and_writes_nothing(tmp_path: Path, repo_root: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    spec, out = _spec(tmp_path, repo_root), tmp_path / "out"
    assert main(["frontier", str(spec), "--out", str(out), "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert "4 mixes x 2 generation(s) + the baseline, x 1 replicate(s) over 2 levers = at most 9 runs" in printed
    assert "CPU-minutes" in printed and "Nothing was run" in printed
    assert not out.exists()


def test_frontier_command_writes_the_frontier_and_a_rerun_reuses_every_run(tmp_path: Path, repo_root: Path) -> None:
    spec, out = _spec(tmp_path, repo_root), tmp_path / "out"
    assert main(["frontier", str(spec), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    candidates = pd.read_csv(out / "all-candidates.csv")
    front = pd.read_csv(out / "frontier.csv")
    assert 5 <= len(candidates) <= 9 and 1 <= len(front) <= len(candidates)
    assert set(front["candidate"]) == set(candidates.loc[candidates["on_frontier"], "candidate"])
    # Fewer patrol hours planned, fewer hours worked: the frontier's cheapest mix is the lowest-patrol one.
    cheapest = front.sort_values("patrol_hours_total").iloc[0]
    assert cheapest["police.patrol_hours_per_day"] == candidates["police.patrol_hours_per_day"].min()
    for name in ("frontier.png", "notes.txt", "frontier.json"):
        assert (out / name).is_file(), name
    runs = sorted(p.parent for p in (out / "runs").rglob("summary.json"))
    assert main(["frontier", str(spec), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    assert sorted(p.parent for p in (out / "runs").rglob("summary.json")) == runs  # reused, none rerun
    pd.testing.assert_frame_equal(pd.read_csv(out / "all-candidates.csv"), candidates)


def test_a_frontier_with_an_unknown_objective_or_odd_population_is_refused(tmp_path: Path, repo_root: Path) -> None:
    wrong = _spec(tmp_path, repo_root)
    wrong.write_text(wrong.read_text().replace("offences_total: minimise", "deaths_per_week: minimise"))
    with pytest.raises(ScenarioError) as caught:
        load_frontier(wrong)
    assert "objectives[1]: unknown outcome 'deaths_per_week'" in " ".join(caught.value.problems)
    typo = _spec(tmp_path, repo_root)
    typo.write_text(typo.read_text().replace("outreach_workers: {low: 0, high: 4}", "outreach_workerz: {high: 4}"))
    with pytest.raises(ScenarioError) as caught:
        load_frontier(typo)
    assert "frontier.yaml:5: levers.treatment.outreach_workerz: no lever" in " ".join(caught.value.problems)
    odd = _spec(tmp_path, repo_root)
    odd.write_text(odd.read_text().replace("population: 4", "population: 5"))
    assert main(["frontier", str(odd)]) == 2
