"""Calibration before it runs: every target movable by some calibrated parameter, and a dry run."""

from __future__ import annotations

from pathlib import Path

from sim.cli import main
from sim.research.abc import abc_smc
from sim.research.calibration import factors_of, generations_done, load_calibration, problem_key, unmovable_targets


def test_the_default_calibration_calibrates_something_that_moves_every_target(repo_root: Path) -> None:
    config, _, targets = load_calibration(repo_root / "calibration" / "default-town.yaml")
    assert unmovable_targets(list(config.parameters), targets) == []
    # Without the officers' turnover, the officers-leaving target could be met only by chance.
    without = [p for p in config.parameters if not p.startswith("officers.")]
    warnings = unmovable_targets(without, targets)
    assert len(warnings) == 1 and "officer_leavers_per_year_share" in warnings[0]


def test_calibrate_dry_run_counts_the_runs_estimates_the_time_and_runs_nothing(
    tmp_path: Path, repo_root: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "targets.csv").write_text(
        "target,value,low,high,unit,source\nofficer_leavers_per_year_share,0.06,0.04,0.09,share,assumption\n"
    )
    config = tmp_path / "cal.yaml"
    config.write_text(
        f"name: tiny\nscenario: {repo_root / 'scenarios' / 'baseline.yaml'}\ntargets: targets.csv\n"
        "parameters:\n  overdose.rate_per_year:\npopulation: 27\ngenerations: 1\ncheck_draws: 3\nyears: 0.1\n"
    )
    out = tmp_path / "out"
    assert main(["calibrate", str(config), "--dry-run", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "about 135 ABC runs" in said and "= about 138 runs" in said  # 27 prior + 27 / 0.25 + 3 checks
    assert "CPU-minutes at" in said and "Nothing was run" in said
    assert "WARNING: target officer_leavers_per_year_share" in said  # no officers' lever is calibrated
    assert not out.exists()


def test_calibrate_dry_run_counts_only_the_generations_still_to_run(tmp_path: Path, repo_root: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A stopped calibration carries on: its dry run leaves out the generations already in abc.db."""
    (tmp_path / "targets.csv").write_text(
        "target,value,low,high,unit,source\nshare_in_treatment,0.4,0.35,0.45,share,assumption\n"
    )
    config = tmp_path / "cal.yaml"
    config.write_text(
        f"name: tiny\nscenario: {repo_root / 'scenarios' / 'baseline.yaml'}\ntargets: targets.csv\n"
        "parameters:\n  overdose.rate_per_year:\npopulation: 10\ngenerations: 3\ncheck_draws: 2\nyears: 0.1\n"
    )
    out = tmp_path / "out"
    out.mkdir()
    loaded, base, targets = load_calibration(config)
    factors = factors_of(loaded)

    def stand_in(values: dict[str, float]) -> dict[str, float]:  # cheap: the town is not run
        return {"share_in_treatment": 0.3 + values["overdose.rate_per_year"]}

    abc_smc(
        stand_in,
        factors,
        targets,
        population=10,
        generations=2,
        seed=loaded.seed,
        database=out / "abc.db",
        key=problem_key(base),
    )
    assert generations_done(loaded, base, targets, out) == 2
    assert main(["calibrate", str(config), "--dry-run", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "2 generations already finished" in said
    assert "about 185 ABC runs" in said  # only generation 3: 10 / 0.054, no prior sample
