"""Policies across uncertainties, and scenario discovery with PRIM (EMA Workbench).

Planners ask "which lever mixes keep deaths below X, at a cost below Y, across what we do not
know?". Following EMA Workbench's `perform_experiments(scenarios, policies)`, every policy (a
scenario file's lever mix) is run at the same Latin hypercube of uncertain parameters, through
the shared experiment machinery (every replicate kept, resumable). PRIM (Friedman and Fisher
1999, as implemented by EMA Workbench) then finds boxes of policies and parameter values in
which the outcomes meet the planner's criteria, with their coverage and density.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from sim.research.experiment import Factor, Model, averaged, problem, run_design


def policies_across_uncertainties(
    models: dict[str, Model], factors: list[Factor], samples: int, replicates: int = 1, seed: int = 1
) -> pd.DataFrame:
    """Every policy's model at the same Latin hypercube of the uncertain factors, replicates averaged.

    Returns one row per (policy, point): the policy, the factor values and the outcomes.
    """
    from SALib.sample import latin

    points = latin.sample(problem(factors), samples, seed=seed)
    tables = []
    for policy, model in models.items():
        outputs = run_design(model, points, replicates)
        means = averaged(outputs, model.outcomes).reset_index()
        values = outputs.groupby("point", sort=True)[[f.name for f in factors]].first().reset_index(drop=True)
        tables.append(pd.concat([pd.Series(policy, index=means.index, name="policy"), values, means], axis=1))
    table = pd.concat(tables, ignore_index=True)
    table["policy"] = table["policy"].astype("category")
    return table


def prim_box(
    experiments: pd.DataFrame, factors: list[Factor], success: Callable[[pd.DataFrame], pd.Series]
) -> tuple[pd.DataFrame, dict[str, float]]:
    """The PRIM box (limits per input) where `success` mostly holds, with its coverage and density."""
    from ema_workbench.analysis import prim

    x = experiments[["policy", *(f.name for f in factors)]].reset_index(drop=True)
    y = success(experiments).to_numpy(dtype=bool)
    if not y.any():
        raise ValueError("no experiment meets the criteria: there is no box to find")
    finder = prim.Prim(x, y)
    box = finder.find_box()
    stats = box.peeling_trajectory.iloc[box._cur_box]
    return box.box_lims[box._cur_box], {"coverage": float(stats["coverage"]), "density": float(stats["density"])}


def success_share(experiments: pd.DataFrame, success: Callable[[pd.DataFrame], pd.Series]) -> pd.Series:
    """Per policy, the share of the uncertainty space in which it meets the criteria."""
    met = success(experiments)
    return met.groupby(experiments["policy"], observed=True).mean().rename("share_meeting_criteria")


def robust_policies(shares: pd.Series, at_least: float = 0.9) -> list[str]:
    """Policies that meet the criteria in at least `at_least` of the uncertainty space."""
    return [str(p) for p, share in shares.items() if share >= at_least and np.isfinite(share)]
