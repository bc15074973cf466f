"""Figures a researcher can paste: indices with their intervals, Morris mu*-sigma, convergence.

Every title counts runs (points times replicates) and states the interval level and how noise
was handled, so a figure read on its own is not mistaken for more than it is.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.planner.files import save_figure

if TYPE_CHECKING:
    from sim.research.sensitivity import SensitivityResult


def _figure(panels: int, height: float):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = 2 if panels > 1 else 1
    rows = math.ceil(panels / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(6.5 * columns, 1.2 + height * rows), squeeze=False)
    for ax in list(axes.flat)[panels:]:
        ax.set_visible(False)
    return plt, fig, list(axes.flat)[:panels]


def _title(result: SensitivityResult, what: str) -> str:
    from sim.research.sensitivity import CONF_LEVEL

    points = result.outputs["point"].nunique()
    return (
        f"{what}: {result.name} ({result.method}, {points} points x {result.replicates} replicate(s) = "
        f"{result.runs} runs; {CONF_LEVEL:.0%} intervals; "
        + ("seed as a design factor)" if result.noise_mode == "seed-factor" else "replicates averaged)")
    )


def _save(plt, fig, path: Path) -> Path:  # type: ignore[no-untyped-def]
    fig.tight_layout()
    save_figure(fig, path, dpi=150)
    plt.close(fig)
    return path


def plot_indices(result: SensitivityResult, path: Path) -> Path:
    """Sobol S1 and ST bars, a Morris mu*-sigma map (signed mu), or the method's main index."""
    indices = result.indices
    outcomes = list(dict.fromkeys(indices["outcome"])) if len(indices) else []
    parameters = indices["parameter"].nunique() if len(indices) else 1
    plt, fig, axes = _figure(max(len(outcomes), 1), 0.45 * parameters + 1.2)
    noise = result.noise
    for ax, outcome in zip(axes, outcomes, strict=False):
        part = indices[indices["outcome"] == outcome].set_index("parameter")
        share = noise.get(outcome, float("nan"))
        seeds = "" if np.isnan(share) else f" (seed noise {share:.0%} of single-run variance)"
        ax.set_title(outcome.replace("_", " ") + seeds, fontsize=9)
        if result.method == "morris":
            _morris(ax, part, outcome)
            continue
        main = {"sobol": "ST", "fast": "ST", "rbd_fast": "S1", "pawn": "median"}[result.method]
        part = part.sort_values(main)
        y = np.arange(len(part))
        if result.method in ("sobol", "fast"):
            ax.barh(y - 0.2, part["S1"], height=0.4, xerr=part["S1_conf"], label="first order (S1)", color="#4c72b0")
            ax.barh(y + 0.2, part["ST"], height=0.4, xerr=part["ST_conf"], label="total (ST)", color="#dd8452")
            ax.set_xlabel("share of output variance")
        else:
            err = part.get(f"{main}_conf")
            ax.barh(y, part[main], xerr=err, color="#4c72b0", label=main)
            ax.set_xlabel(f"{result.method} {main}")
        ax.axvline(0, color="black", lw=0.6)
        ax.set_yticks(y, part.index)
        ax.legend(loc="lower right", fontsize=8)
    fig.suptitle(_title(result, "Sensitivity"), fontsize=10)
    return _save(plt, fig, path)


def _morris(ax, part, outcome: str) -> None:  # type: ignore[no-untyped-def]
    """mu* against sigma: far right matters, high up means interactions or non-linearity."""
    rises = part["mu"] >= 0
    ax.scatter(part.loc[rises, "mu_star"], part.loc[rises, "sigma"], color="#c44e52", label="raises it (mu > 0)")
    ax.scatter(part.loc[~rises, "mu_star"], part.loc[~rises, "sigma"], color="#4c72b0", label="lowers it (mu < 0)")
    ax.errorbar(part["mu_star"], part["sigma"], xerr=part["mu_star_conf"], fmt="none", ecolor="#999999", lw=0.8)
    for name, row in part.iterrows():
        ax.annotate(
            str(name).split(".")[-1],
            (row["mu_star"], row["sigma"]),
            fontsize=7,
            xytext=(3, 3),
            textcoords="offset points",
        )
    reach = part["mu_star"] + part["mu_star_conf"].fillna(0)  # keep the intervals and labels in view
    top = float(max(reach.max(), part["sigma"].max(), 1e-12)) * 1.15
    ax.plot([0, top], [0, top], ls=":", color="#999999", lw=0.8, label="sigma = mu*")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel(f"mu* (mean |elementary effect| on {outcome})")
    ax.set_ylabel("sigma (spread of effects)")
    ax.legend(loc="upper left", fontsize=7)


def plot_convergence(result: SensitivityResult, path: Path) -> Path:
    """Sobol ST (with intervals) against the number of base samples: flat lines mean enough samples."""
    steps = result.convergence
    assert steps is not None
    outcomes = list(dict.fromkeys(steps["outcome"]))
    plt, fig, axes = _figure(len(outcomes), 3.0)
    for ax, outcome in zip(axes, outcomes, strict=False):
        part = steps[steps["outcome"] == outcome]
        for parameter, line in part.groupby("parameter", sort=False):
            ax.errorbar(line["N"], line["ST"], yerr=line["ST_conf"], marker="o", capsize=3, label=parameter)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("base samples N")
        ax.set_ylabel("total index ST")
        ax.set_title(outcome.replace("_", " "), fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle(_title(result, "Convergence"), fontsize=10)
    return _save(plt, fig, path)
