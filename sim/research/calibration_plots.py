"""Figures of a calibration: the posterior's pairs plot and the posterior-predictive check."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.planner.files import save_figure
from sim.research.abc import CREDIBLE, Posterior, Target


def _pyplot():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_pairs(posterior: Posterior, path: Path) -> Path:
    """Weighted histograms on the diagonal, particles below it: ranges, shapes and trade-offs."""
    plt = _pyplot()
    names = [f.name for f in posterior.factors]
    k = len(names)
    fig, axes = plt.subplots(k, k, figsize=(2.6 * k + 0.6, 2.6 * k + 0.6), squeeze=False)
    weights = posterior.particles["weight"].to_numpy(dtype=float)
    summary = posterior.summary().set_index("parameter")
    for i, row_name in enumerate(names):
        for j, column_name in enumerate(names):
            ax = axes[i, j]
            x = posterior.particles[column_name]
            factor = posterior.factors[j]
            if i == j:
                ax.hist(x, bins=20, weights=weights, range=(factor.low, factor.high), color="#4c72b0")
                low, high = summary.loc[row_name, [f"low_{CREDIBLE:.0%}", f"high_{CREDIBLE:.0%}"]]
                ax.axvspan(low, high, color="#dd8452", alpha=0.25, label=f"{CREDIBLE:.0%} credible")
                ax.set_yticks([])
                if i == 0:
                    ax.legend(fontsize=7)
            elif i > j:
                y = posterior.particles[row_name]
                ax.scatter(x, y, s=8 + 200 * weights / weights.max() / len(weights) ** 0.5, alpha=0.5, color="#4c72b0")
                ax.set_ylim(posterior.factors[i].low, posterior.factors[i].high)
            else:
                ax.set_visible(False)
                continue
            ax.set_xlim(factor.low, factor.high)
            if i == k - 1:
                ax.set_xlabel(column_name, fontsize=8)
            if j == 0 and i > 0:
                ax.set_ylabel(row_name, fontsize=8)
    fig.suptitle(
        f"Posterior (ABC-SMC, {len(posterior.particles)} particles, {posterior.simulations} simulations; "
        f"axes span the prior)",
        fontsize=9,
    )
    fig.tight_layout()
    save_figure(fig, path, dpi=150)
    plt.close(fig)
    return path


def plot_predictive(draws: pd.DataFrame, targets: list[Target], path: Path) -> Path:
    """Each target's band and value, and where the posterior draws' reruns landed."""
    plt = _pyplot()
    fig, axes = plt.subplots(len(targets), 1, figsize=(7, 1.3 + 1.1 * len(targets)), squeeze=False)
    for ax, target in zip(axes[:, 0], targets, strict=True):
        values = draws[target.name].to_numpy(dtype=float)
        inside = np.mean((values >= target.low) & (values <= target.high))
        ax.axvspan(target.low, target.high, color="#c7e9c0", label="target band")
        ax.axvline(target.value, color="#238b45", lw=2, label="target")
        ax.plot(values, np.full(len(values), 0.5), "o", color="#d95f02", alpha=0.6, label="posterior draws")
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        ax.set_title(f"{target.name} ({target.unit}): {inside:.0%} of draws inside the band", fontsize=9, loc="left")
    axes[0, 0].legend(loc="upper right", fontsize=7, ncol=3)
    fig.suptitle(f"Posterior-predictive check ({len(draws)} draws, one run each)", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=150)
    plt.close(fig)
    return path
