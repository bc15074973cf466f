"""Figures for scenario discovery a planner can paste: the experiments against the criteria with the
PRIM boxes' limits, and which inputs drive each outcome."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.planner.files import save_figure
from sim.planner.report.charts import PlainFormatter

if TYPE_CHECKING:
    from sim.research.discovery_experiment import DiscoveryResult


def _pyplot():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_boxes(result: DiscoveryResult, path: Path) -> Path:
    """Left: every experiment on the first two criteria, those meeting all criteria marked.
    Right: each PRIM box's limits as a share of every input's range (numbers at the ends)."""
    plt = _pyplot()
    limits = result.limits
    numeric = limits[limits["input"] != "policy"] if len(limits) else limits
    rows = max(len(numeric), 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, max(4.5, 1.5 + 0.45 * rows)))
    keys = list(result.spec.criteria)
    x_key, y_key = keys[0], keys[1] if len(keys) > 1 else keys[0]
    frame = result.experiments
    for policy, part in frame.groupby("policy", observed=True):
        met = result.met.loc[part.index]
        dots = left.scatter(part.loc[~met, x_key], part.loc[~met, y_key], s=14, alpha=0.5, label=f"{policy}")
        left.scatter(part.loc[met, x_key], part.loc[met, y_key], s=30, marker="*", color=dots.get_facecolor()[0])
    for key, draw in ((x_key, left.axvline), (y_key, left.axhline)):
        for bound in (result.spec.criteria[key].below, result.spec.criteria[key].above):
            if bound is not None:
                draw(bound, color="#c44e52", ls="--", lw=1)
    left.set_xlabel(x_key.replace("_", " "))
    left.set_ylabel(y_key.replace("_", " "))
    # Plain ticks with thousands separators and £ for costs, never '1e6' above the axis.
    left.xaxis.set_major_formatter(PlainFormatter(x_key.startswith("cost"), sign=False))
    left.yaxis.set_major_formatter(PlainFormatter(y_key.startswith("cost"), sign=False))
    left.set_title(f"{int(result.met.sum())} of {len(result.met)} experiments meet the criteria (stars)", fontsize=9)
    left.legend(fontsize=7, title="policy", title_fontsize=7)
    if len(numeric):
        boxes = sorted(numeric["box"].unique())
        height = 0.8 / len(boxes)
        labels = list(dict.fromkeys(numeric["input"]))
        for offset, number in enumerate(boxes):
            part = numeric[numeric["box"] == number].set_index("input").loc[labels]
            span = (part["full_high"] - part["full_low"]).replace(0, 1)
            low = (part["low"] - part["full_low"]) / span
            high = (part["high"] - part["full_low"]) / span
            y = np.arange(len(labels)) + offset * height
            stat = result.stats.set_index("box").loc[number]
            label = f"box {number}: coverage {stat['coverage']:.0%}, density {stat['density']:.0%}"
            right.barh(y, high - low, left=low, height=height, alpha=0.7, label=label)
            for yi, (_, row) in zip(y, part.iterrows(), strict=True):
                if row["restricted"]:
                    right.text(1.01, yi, f"{row['low']:.3g} to {row['high']:.3g}", fontsize=7, va="center")
        right.set_yticks(np.arange(len(labels)) + 0.4 - height / 2, labels, fontsize=8)
        right.set_xlim(0, 1.25)
        right.set_xlabel("share of the input's range kept by the box (restricted inputs labelled)")
        right.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
        kept = limits[(limits["input"] == "policy") & limits["restricted"].astype(bool)]
        policies = "; ".join(f"box {r.box}: {r.low}" for r in kept.itertuples()) or "all policies"
        title = f"PRIM boxes where the criteria hold (policies kept: {policies})"
        right.set_title(textwrap.fill(title, 80), fontsize=9)  # a long list of policies wraps
    else:
        right.text(0.5, 0.5, "no experiment meets the criteria: no box", ha="center")
        right.set_axis_off()
    fig.suptitle(f"{result.spec.name}: which inputs keep {result.spec.question()}", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=150)
    plt.close(fig)
    return path


def plot_feature_scores(result: DiscoveryResult, path: Path) -> Path:
    """Bars of extra-trees feature scores: which inputs drive each outcome."""
    plt = _pyplot()
    scores = result.scores
    outcomes = list(scores.columns)
    fig, axes = plt.subplots(1, len(outcomes), figsize=(4.5 * len(outcomes), 1.5 + 0.4 * len(scores)), squeeze=False)
    for ax, outcome in zip(axes[0], outcomes, strict=True):
        column = scores[outcome].sort_values()
        ax.barh(np.arange(len(column)), column.to_numpy(), color="#4c72b0")
        ax.set_yticks(np.arange(len(column)), column.index, fontsize=8)
        ax.set_xlabel("feature score (share of importance)")
        ax.set_title(outcome.replace("_", " "), fontsize=9)
    runs = len(result.experiments) * result.spec.replicates
    fig.suptitle(f"{result.spec.name}: which inputs drive each outcome (extra trees, {runs} runs)", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=150)
    plt.close(fig)
    return path
