"""The model-agnostic experiment engine, checked on functions whose sensitivity indices are known."""

from __future__ import annotations

import numpy as np
import pytest
from SALib.test_functions import Ishigami, Sobol_G

from sim.research.experiment import Factor, FunctionModel, lever_factor, run_design, seed_noise_share
from sim.research.sensitivity import analyse_function, design

PI = np.pi
ISHIGAMI = [Factor(name, -PI, PI) for name in ("x1", "x2", "x3")]


def ishigami(x1: float, x2: float, x3: float) -> float:
    return float(Ishigami.evaluate(np.array([[x1, x2, x3]]))[0])


def test_sobol_indices_of_the_ishigami_function_match_the_analytical_values() -> None:
    # Analytical values for a = 7, b = 0.1 (Ishigami and Homma 1990; SALib's documentation).
    result = analyse_function(ishigami, ISHIGAMI, ["y"], samples=1024, second_order=True)
    table = result.indices.set_index("parameter")
    np.testing.assert_allclose(table["S1"], [0.3139, 0.4424, 0.0], atol=0.04)
    np.testing.assert_allclose(table["ST"], [0.5576, 0.4424, 0.2437], atol=0.04)
    pairs = result.second_order.set_index(["parameter", "with"])
    assert pairs.loc[("x1", "x3"), "S2"] == pytest.approx(0.2437, abs=0.08)  # the only interaction
    assert abs(pairs.loc[("x1", "x2"), "S2"]) < 0.08
    # The true values lie inside the stated 90% intervals of the main indices, nearly always.
    assert (abs(table["ST"] - [0.5576, 0.4424, 0.2437]) < 2 * table["ST_conf"]).all()


def test_sobol_g_indices_match_the_analytical_values() -> None:
    a = np.array([0.0, 1.0, 4.5, 9.0, 99.0])
    factors = [Factor(f"x{i}", 0.0, 1.0) for i in range(len(a))]

    def g(**x: float) -> float:
        return float(Sobol_G.evaluate(np.array([[x[f.name] for f in factors]]), a)[0])

    table = analyse_function(g, factors, ["y"], samples=1024).indices
    np.testing.assert_allclose(table["S1"], Sobol_G.sensitivity_index(a), atol=0.05)
    np.testing.assert_allclose(table["ST"], Sobol_G.total_sensitivity_index(a), atol=0.05)


def test_every_replicate_is_kept_and_the_seed_share_of_variance_is_measured() -> None:
    # y = x + noise with var(x) = 1/12 * 4 = 1/3 and noise variance 1/3: half of a run's variance is seed.
    def noisy(x: float, rng: np.random.Generator) -> float:
        return x + rng.normal(0.0, np.sqrt(1 / 3))

    factors = [Factor("x", -1.0, 1.0)]
    points = design("sobol", factors, 32, seed=3)
    outputs = run_design(FunctionModel(noisy, factors, ["y"], seed=5), points, replicates=200)
    assert len(outputs) == 200 * len(points) and set(outputs["replicate"]) == set(range(200))
    assert seed_noise_share(outputs, ["y"])["y"] == pytest.approx(0.5, abs=0.1)
    # Common random numbers: replicate r draws the same noise at every point.
    first = outputs[outputs["replicate"] == 0]
    np.testing.assert_allclose((first["y"] - first["x"]).std(), 0.0, atol=1e-12)


def test_too_few_samples_earn_warnings_and_the_noise_handling_is_stated() -> None:
    result = analyse_function(ishigami, ISHIGAMI, ["y"], samples=8)
    assert any("raise samples" in w for w in result.warnings)
    assert any("90%" in note for note in result.notes)
    assert any("averaged" in note for note in result.notes)


def test_morris_reports_signed_effects() -> None:
    factors = [Factor("up", 0.0, 1.0), Factor("down", 0.0, 1.0), Factor("idle", 0.0, 1.0)]
    result = analyse_function(lambda up, down, idle: 3 * up - 2 * down, factors, ["y"], method="morris", samples=20)
    table = result.indices.set_index("parameter")
    assert table.loc["up", "mu"] == pytest.approx(3, rel=1e-6)
    assert table.loc["down", "mu"] == pytest.approx(-2, rel=1e-6)
    assert table.loc["idle", "mu_star"] == pytest.approx(0, abs=1e-9)


def test_efast_indices_of_the_ishigami_function_match_the_analytical_values() -> None:
    result = analyse_function(ishigami, ISHIGAMI, ["y"], method="fast", samples=1000)
    table = result.indices.set_index("parameter")
    np.testing.assert_allclose(table["S1"], [0.3139, 0.4424, 0.0], atol=0.04)
    np.testing.assert_allclose(table["ST"], [0.5576, 0.4424, 0.2437], atol=0.06)
    assert result.runs == 3000  # 1,000 points per parameter


@pytest.mark.parametrize("method", ["rbd_fast", "pawn"])
def test_sampling_based_methods_rank_the_ishigami_factors(method: str) -> None:
    table = analyse_function(ishigami, ISHIGAMI, ["y"], method=method, samples=1000).indices.set_index("parameter")
    main = "S1" if method == "rbd_fast" else "median"
    assert table.loc["x2", main] > table.loc["x3", main] and table.loc["x1", main] > table.loc["x3", main]


def test_lever_factors_take_the_plausible_range_and_refuse_impossible_bounds() -> None:
    factor = lever_factor("market.purity_volatility")
    assert (factor.low, factor.high) == (0.0, 0.1)
    with pytest.raises(ValueError, match="outside the allowed bounds"):
        from sim.research.experiment import Range

        lever_factor("overdose.naloxone_coverage", Range(low=0.0, high=2.0))


def test_the_seed_as_a_design_factor_gets_the_share_of_variance_that_chance_has() -> None:
    # y = x + noise, each with variance 1/3: as a factor, the seed explains half of the variance.
    def noisy(x: float, rng: np.random.Generator) -> float:
        return x + rng.normal(0.0, np.sqrt(1 / 3))

    result = analyse_function(noisy, [Factor("x", -1.0, 1.0)], ["y"], samples=1024, noise="seed-factor")
    table = result.indices.set_index("parameter")
    assert table.loc["seed", "ST"] == pytest.approx(0.5, abs=0.1)
    assert result.noise["y"] == pytest.approx(table.loc["seed", "ST"])  # the seed's share, as with replicates
    assert table.loc["x", "S1"] == pytest.approx(0.5, abs=0.1)
    assert any("seed-factor" in note for note in result.notes)
    assert not any("cannot be measured" in w for w in result.warnings)
    # The same seed value gives the same draw: the seed is an input, not fresh luck.
    outputs = result.outputs
    same = outputs[outputs["seed"] == outputs["seed"].iloc[0]]
    assert np.allclose(same["y"] - same["x"], (same["y"] - same["x"]).iloc[0])
