"""`compare --posterior`: pair r runs posterior draw r, so intervals carry parameter uncertainty."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.cli import main


def test_each_pair_runs_its_own_posterior_draw_in_both_arms(tmp_path: Path, repo_root: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    posterior = tmp_path / "posterior.csv"
    # Two particles: the draws pick 12 or 48 patrol hours a day, by weight.
    posterior.write_text("police.patrol_hours_per_day,weight\n12,0.5\n48,0.5\n")
    more_treatment = tmp_path / "more.yaml"
    more_treatment.write_text(
        f"extends: {repo_root / 'scenarios' / 'baseline.yaml'}\nname: more\ntreatment:\n  keyworkers: 30\n"
    )
    out, store = tmp_path / "out", tmp_path / "store"
    common = ["--replicates", "4", "--years", "0.1", "--workers", "1", "--no-progress", "--store", str(store)]
    args = ["compare", str(repo_root / "scenarios" / "baseline.yaml"), str(more_treatment), *common]
    assert main([*args, "--posterior", str(posterior), "--out", str(out)]) == 0
    assert "pair r runs posterior draw r" in capsys.readouterr().out
    draws = pd.read_csv(out / "posterior-draws.csv").set_index("replicate")["police.patrol_hours_per_day"]
    assert set(draws) == {12.0, 48.0} and len(draws) == 4
    table = pd.read_csv(out / "comparison.csv")
    assert not table.empty
    # Both arms of pair r patrolled the hours of draw r: the parameters differ across pairs, not within.
    folders = {p.parent.parent.name for p in store.glob("*/r*/summary.json")}
    assert len(folders) == 4  # two scenarios x two distinct draws
    for scenario in ("baseline", "more"):
        hours = {}
        for summary in store.glob(f"{scenario}-*/r*/summary.json"):
            replicate = int(summary.parent.name[1:])
            hours[replicate] = pd.read_json(summary, typ="series")["summary"]["patrol_hours_total"]
        per_day = pd.Series(hours).sort_index() / 36
        assert (abs(per_day - draws.sort_index().to_numpy()) < 0.2 * draws.sort_index().to_numpy()).all()


def test_a_posterior_with_an_unknown_lever_is_refused_before_anything_runs(
    tmp_path: Path, repo_root: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    posterior = tmp_path / "posterior.csv"
    posterior.write_text("police.patrol_hours,weight\n12,1\n")
    base = str(repo_root / "scenarios" / "baseline.yaml")
    out = tmp_path / "out"
    assert (
        main(["compare", base, base, "--posterior", str(posterior), "--out", str(out), "--store", str(tmp_path / "s")])
        == 2
    )
    assert "column 'police.patrol_hours'" in capsys.readouterr().err
    assert not out.exists()
