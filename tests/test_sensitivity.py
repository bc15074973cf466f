"""Sensitivity experiments and calibration: design, resumable execution, analysis, outputs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.planner.scenario import ScenarioError
from sim.research.calibration import calibrate, load_calibration
from sim.research.discovery_experiment import load_discovery
from sim.research.frontier import load_frontier
from sim.research.sensitivity import design, load_experiment, reanalyse, scenario_model, sweep

ONE_WORKER = {"workers": 1, "scheduler": None}


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


@pytest.fixture
def experiment(tmp_path: Path, repo_root: Path) -> Path:
    return _write(
        tmp_path,
        "exp.yaml",
        f"""name: tiny
scenario: {repo_root / "scenarios" / "baseline.yaml"}
method: sobol
samples: 4
years: 0.25
parameters:
  police.patrol_hours_per_day: {{low: 10, high: 60}}
  market.purity_volatility:
outcomes: [patrol_hours_total]
""",
    )


def test_ranges_default_to_the_plausible_range_in_the_schema(experiment: Path, tmp_path: Path) -> None:
    spec, base, factors = load_experiment(experiment)
    assert [(f.low, f.high) for f in factors] == [(10.0, 60.0), (0.0, 0.1)]  # purity_volatility's plausible range
    points = design(spec.method, factors, spec.samples, spec.seed)
    scenarios = scenario_model(spec, base, factors, tmp_path, {}).scenarios(points)
    assert len(scenarios) == 4 * (2 + 2)  # Saltelli-style: N x (parameters + 2)
    patrol = [s.police.patrol_hours_per_day for s in scenarios]
    assert min(patrol) >= 10 and max(patrol) <= 60
    assert len({s.content_hash() for s in scenarios}) == len(scenarios)


def test_the_lever_that_drives_an_outcome_gets_the_larger_total_index(experiment: Path, tmp_path: Path) -> None:
    result = sweep(experiment, tmp_path / "out", ONE_WORKER, progress=False)
    indices = result.to_frame().set_index("parameter")
    assert indices.loc["police.patrol_hours_per_day", "ST"] > 0.5
    assert indices.loc["market.purity_volatility", "ST"] < 0.1
    for name in ("indices.csv", "indices.parquet", "outputs.parquet", "seed-noise.csv", "notes.txt", "sensitivity.png"):
        assert (tmp_path / "out" / name).is_file(), name


def test_a_rerun_of_a_sweep_reuses_saved_runs_and_gives_the_same_indices(
    experiment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = sweep(experiment, tmp_path / "out", ONE_WORKER, progress=False).to_frame()
    runs = sorted((tmp_path / "out" / "runs").rglob("summary.json"))
    stamps = [p.stat().st_mtime_ns for p in runs]

    def no_model_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("a saved run was run again")

    # A rerun discarded on saving would leave the files untouched: the model must not run at all
    # (a run that raises is recorded as failed, and the sweep then stops with RuntimeError).
    monkeypatch.setattr("sim.planner.runner.run", no_model_run)
    again = sweep(experiment, tmp_path / "out", ONE_WORKER, progress=False).to_frame()
    pd.testing.assert_frame_equal(first, again)
    assert [p.stat().st_mtime_ns for p in runs] == stamps  # nothing was run twice
    pd.testing.assert_frame_equal(first, reanalyse(tmp_path / "out").to_frame())  # from stored outputs alone
    assert [p.stat().st_mtime_ns for p in runs] == stamps


def test_replicates_are_kept_window_outcomes_computed_and_the_dry_run_runs_nothing(
    tmp_path: Path, repo_root: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    spec = _write(
        tmp_path,
        "exp.yaml",
        f"""name: noisy
scenario: {repo_root / "scenarios" / "baseline.yaml"}
method: sobol
samples: 2
replicates: 2
years: 0.1
parameters:
  police.patrol_hours_per_day: {{low: 10, high: 60}}
outcomes:
  - patrol_hours_total
  - {{column: patrol_hours, statistic: sum, from_day: 0, to_day: 10, name: patrol_first_ten_days}}
""",
    )
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--dry-run"]) == 0
    assert "12 runs" in capsys.readouterr().out  # 2 x (1 + 2) points x 2 replicates
    assert not (out / "runs").exists()
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    outputs = pd.read_parquet(out / "outputs.parquet")
    assert len(outputs) == 12 and set(outputs["replicate"]) == {0, 1}
    # Patrol hours are set, not random: ten days of them are a tenth-ish of the total, and seeds add nothing.
    ten_days = outputs["patrol_first_ten_days"] / outputs["patrol_hours_total"]
    assert ten_days.between(0.2, 0.35).all()  # 10 of 36 days
    noise = pd.read_csv(out / "seed-noise.csv").set_index("outcome")["seed_share"]
    assert noise["patrol_hours_total"] < 0.01  # almost all variance comes from the lever
    assert "averaged" in (out / "notes.txt").read_text()
    assert main(["analyze", str(out)]) == 0


def test_an_experiment_naming_a_missing_lever_gets_a_line_with_file_and_key(tmp_path: Path, repo_root: Path) -> None:
    bad = _write(
        tmp_path,
        "bad.yaml",
        f"""name: bad
scenario: {repo_root / "scenarios" / "baseline.yaml"}
samples: 3
parameters:
  police.patrol_hours: {{low: 1, high: 2}}
outcomes: [nonsense_total]
""",
    )
    with pytest.raises(ScenarioError) as caught:
        load_experiment(bad)
    assert any("samples" in p and "power of two" in p for p in caught.value.problems)
    morris = bad.read_text().replace("samples: 3", "samples: 4\nmethod: morris\nsecond_order: true")
    with pytest.raises(ScenarioError) as caught:
        load_experiment(_write(tmp_path, "m.yaml", morris))
    assert any("second_order is only estimated by sobol" in p for p in caught.value.problems)
    bad.write_text(bad.read_text().replace("samples: 3", "samples: 4"))
    with pytest.raises(ScenarioError) as caught:
        load_experiment(bad)
    assert "bad.yaml:5: parameters.police.patrol_hours" in caught.value.problems[0]
    assert "patrol_hours_per_day" in caught.value.problems[0]  # the closest lever is suggested


@pytest.mark.slow  # about 50 s: some twenty short runs of the town
def test_a_calibration_that_cannot_fit_says_so_and_writes_nothing_called_calibrated(
    tmp_path: Path, repo_root: Path
) -> None:
    # Deaths per 1,000 people with dependent use cannot reach 500 at any plausible overdose rate.
    _write(
        tmp_path,
        "targets.csv",
        "target,value,low,high,unit,source\npoisoning_deaths_per_1000_dependent,500,450,550,per 1000 PY,assumption\n",
    )
    config = _write(
        tmp_path,
        "cal.yaml",
        f"""name: tiny-cal
scenario: {repo_root / "scenarios" / "baseline.yaml"}
targets: targets.csv
parameters:
  overdose.rate_per_year: {{low: 0.02, high: 0.4}}
population: 10
generations: 1
check_draws: 2
years: 0.1
""",
    )
    out = tmp_path / "out"
    out.mkdir()
    (out / "calibrated.yaml").write_text("stale")  # left by an earlier calibration
    result = calibrate(config, out, ONE_WORKER, progress=False)
    assert not result.fits
    assert not (out / "calibrated.yaml").exists()
    assert "No parameter set reproduced every target" in (out / "NOT-FITTED.txt").read_text()
    check = pd.read_csv(out / "predictive-check.csv")
    assert check.loc[0, "share_inside_band"] == 0.0
    for name in ("posterior.csv", "posterior-summary.csv", "pairs.png", "predictive.png"):
        assert (out / name).is_file(), name


def test_a_target_without_a_known_metric_or_source_is_refused(tmp_path: Path, repo_root: Path) -> None:
    _write(tmp_path, "targets.csv", "target,value,low,high,unit,source\ndeaths_per_week,1,0,2,n,\n")
    config = _write(
        tmp_path,
        "cal.yaml",
        f"name: c\nscenario: {repo_root / 'scenarios' / 'baseline.yaml'}\ntargets: targets.csv\n"
        "parameters:\n  overdose.rate_per_year:\n",
    )
    with pytest.raises(ScenarioError) as caught:
        load_calibration(config)
    assert "targets.csv:2: target 'deaths_per_week' is not a known metric" in caught.value.problems[0]


def test_sweep_command_reports_a_broken_experiment_and_writes_nothing(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    broken = _write(tmp_path, "broken.yaml", "name: x\nmethod: sobol\n")
    out = tmp_path / "never"
    assert main(["sweep", str(broken), "--out", str(out)]) == 2
    assert "broken.yaml" in capsys.readouterr().err
    assert not out.exists()


def test_bundled_experiments_and_calibrations_are_valid(repo_root: Path) -> None:
    experiments = sorted((repo_root / "experiments").glob("*.yaml"))
    calibrations = sorted((repo_root / "calibration").glob("*.yaml"))
    assert experiments and calibrations
    for path in experiments:
        if "\ncriteria:" in path.read_text():  # a scenario-discovery file (drugmarket discover)
            discovery, policies, factors = load_discovery(path)
            assert discovery.criteria and policies and factors
            continue
        if "\nobjectives:" in path.read_text():  # a cost-effectiveness frontier (drugmarket frontier)
            frontier, _, factors = load_frontier(path)
            assert len(frontier.objectives) >= 2 and factors
            continue
        spec, _, factors = load_experiment(path)
        assert len(design(spec.method, factors, spec.samples, spec.seed, spec.second_order))
    for path in calibrations:
        config, _, targets = load_calibration(path)
        assert targets and config.parameters


def test_a_town_sweep_with_the_seed_as_a_factor_runs_each_point_on_its_own_seed_stream(
    tmp_path: Path, repo_root: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    text = f"""name: seeded
scenario: {repo_root / "scenarios" / "baseline.yaml"}
method: sobol
samples: 2
noise: seed-factor
years: 0.1
parameters:
  police.patrol_hours_per_day: {{low: 10, high: 60}}
outcomes: [offences_total, patrol_hours_total]
"""
    spec = _write(tmp_path, "seeded.yaml", text)
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    outputs = pd.read_parquet(out / "outputs.parquet")
    assert len(outputs) == 8 and "seed" in outputs  # 2 x (2 factors + 2) points, one run each
    streams = {int(s * 1000) for s in outputs["seed"]}
    saved = {int(p.name[1:]) for p in (out / "runs").glob("*/r[0-9]*") if p.is_dir()}
    assert saved == streams  # each point ran on the replicate stream its seed value picks
    indices = pd.read_csv(out / "indices.csv").set_index(["outcome", "parameter"])
    assert ("offences_total", "seed") in indices.index
    assert "noise handling: seed-factor" in (out / "notes.txt").read_text()
    assert "seed-factor" in capsys.readouterr().out
    refused = _write(tmp_path, "refused.yaml", text.replace("noise: seed-factor", "noise: seed-factor\nreplicates: 3"))
    with pytest.raises(ScenarioError) as caught:
        load_experiment(refused)
    assert "set replicates: 1" in " ".join(caught.value.problems)
