"""Policies across uncertainties, and scenario discovery with PRIM (EMA Workbench).

Planners ask "which lever mixes keep deaths below X, at a cost below Y, across what we do not
know?". Following EMA Workbench's `perform_experiments(scenarios, policies)`, every policy (a
scenario file's lever mix) is run at the same Latin hypercube of uncertain parameters, through
the shared experiment machinery (every replicate kept, resumable). PRIM (Friedman and Fisher
1999, as implemented by EMA Workbench) then finds boxes of policies and parameter values in
which the outcomes meet the planner's criteria, with their coverage and density, and feature
scoring (extra trees, EMA Workbench) ranks which inputs drive each outcome.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from sim.research.experiment import Factor, Model, averaged, problem, run_design


def policies_across_uncertainties(
    models: dict[str, Model],
    factors: list[Factor],
    samples: int,
    replicates: int = 1,
    seed: int = 1,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Every policy's model at the same Latin hypercube of the uncertain factors, replicates averaged.

    Returns one row per (policy, point): the policy, the factor values and the outcomes.
    """
    from SALib.sample import latin

    points = latin.sample(problem(factors), samples, seed=seed)
    tables = []
    for policy, model in models.items():
        outputs = run_design(model, points, replicates, progress)
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


def _inputs(experiments: pd.DataFrame, factors: list[Factor]) -> pd.DataFrame:
    """PRIM's and feature scoring's inputs: the factors, and the policy when there is more than one."""
    columns = [f.name for f in factors]
    if experiments["policy"].nunique() > 1:
        columns = ["policy", *columns]
    return experiments[columns].reset_index(drop=True)


def prim_boxes(
    experiments: pd.DataFrame, factors: list[Factor], met: pd.Series, threshold: float = 0.8, boxes: int = 2
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Up to `boxes` PRIM boxes where the criteria mostly hold: (limits, statistics).

    On each box's peeling trajectory the box chosen is the one with the most coverage among those
    whose density reaches `threshold` (the densest one if none does). Limits have one row per box
    and input: the box's low and high (or the policies it keeps), the input's full range, whether
    the box restricts it, and the quasi-p value of each restricted side (`qp_low`, `qp_high`;
    Bryant and Lempert 2010, a one-sided binomial test): the chance of a box this dense if that
    limit were lifted, so a restriction with qp above about 0.05 may be noise of a small sample.
    """
    from ema_workbench.analysis import prim

    x = _inputs(experiments, factors)
    y = met.to_numpy(dtype=bool)
    if not y.any():
        raise ValueError("no experiment meets the criteria: there is no box to find")
    finder = prim.Prim(x, y)
    bounds = {f.name: (f.low, f.high) for f in factors}
    limits, stats = [], []
    for number in range(1, boxes + 1):
        box = finder.find_box()
        if box is None:
            break
        trajectory = box.peeling_trajectory
        dense = trajectory[trajectory["density"] >= threshold]
        chosen = int(dense["coverage"].idxmax()) if len(dense) else int(trajectory["density"].idxmax())
        box.select(chosen)
        row = trajectory.iloc[chosen]
        quasi_p = box.p_values[chosen]
        if row["coverage"] <= 0:
            break  # no case of interest is left outside the earlier boxes
        stats.append({"box": number, **{k: float(row[k]) for k in ("coverage", "density", "mass")}})
        stats[-1]["restricted_inputs"] = int(row["res_dim"])
        for column in x.columns:
            low, high = box.box_lims[chosen][column]
            full_low, full_high = finder.box_init[column]
            restricted = bool(low != full_low or high != full_high)
            if column in bounds:  # report against the range varied, not the sample's extremes
                full_low, full_high = bounds[column]
            if column == "policy":
                low, high = ", ".join(sorted(map(str, low))), ", ".join(sorted(map(str, full_low)))
                limits.append(
                    {
                        "box": number,
                        "input": column,
                        "low": low,
                        "high": "",
                        "full_low": high,
                        "full_high": "",
                        "restricted": low != high,
                        **_qp(quasi_p, column),
                    }
                )
                continue
            limits.append(
                {
                    "box": number,
                    "input": column,
                    "low": float(low),
                    "high": float(high),
                    "full_low": float(full_low),
                    "full_high": float(full_high),
                    "restricted": restricted,
                    **_qp(quasi_p, column),
                }
            )
        if row["density"] < threshold:
            break  # later boxes only get sparser
    return pd.DataFrame(limits), pd.DataFrame(stats)


def _qp(quasi_p: dict[str, list[float]], column: str) -> dict[str, float]:
    """A limit's quasi-p values, low and high side; NaN for a side the box leaves open."""
    low, high = quasi_p.get(column, (-1, -1))
    return {"qp_low": float(low) if low >= 0 else np.nan, "qp_high": float(high) if high >= 0 else np.nan}


def feature_scores(
    experiments: pd.DataFrame, factors: list[Factor], outcomes: list[str], seed: int = 1
) -> pd.DataFrame:
    """How much each input drives each outcome (extra-trees importance; each column sums to 1)."""
    from ema_workbench.analysis import feature_scoring

    x = _inputs(experiments, factors)
    y = {outcome: experiments[outcome].to_numpy(dtype=float) for outcome in outcomes}
    scores = feature_scoring.get_feature_scores_all(
        x, y, mode=feature_scoring.RuleInductionType.REGRESSION, random_state=seed
    )
    return scores.rename_axis("input")
