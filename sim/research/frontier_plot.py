"""The frontier drawn for a planner: cost a year in pounds across, deaths a year up, every mix
tried in grey, the frontier's mixes joined and numbered with their levers in a key below, the
baseline marked."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sim.planner.files import save_figure

if TYPE_CHECKING:
    from sim.research.frontier import FrontierResult


def _axis_label(outcome: str) -> str:
    return outcome.replace("cost_total", "total_cost").replace("_per_year", " a year").replace("_", " ")


def _is_money(outcome: str) -> bool:
    return outcome.startswith("cost_")


def lever_label(row, factors) -> str:  # type: ignore[no-untyped-def]
    """'keyworkers 24, patrol hours per day 30': each lever's last name and its value."""
    parts = []
    for factor in factors:
        value = row[factor.name]
        shown = f"{value:,.0f}" if factor.integer or abs(value) >= 100 else f"{value:.3g}"
        parts.append(f"{factor.name.split('.')[-1].replace('_', ' ')} {shown}")
    return ", ".join(parts)


def _value(outcome: str, value: float) -> str:
    return f"£{value:,.0f}" if _is_money(outcome) else f"{value:,.3g} {_axis_label(outcome)}"


def plot_frontier(result: FrontierResult, path: Path) -> Path:
    """Scatter of every candidate on the first two objectives (money across if there is one)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    keys = list(result.spec.objectives)[:2]
    x_key, y_key = (keys[1], keys[0]) if _is_money(keys[1]) and not _is_money(keys[0]) else keys
    table = result.candidates
    baseline = table[table["generation"] == 0]
    front = table[table["on_frontier"]].sort_values(x_key)
    key_lines = [
        f"{number}. {lever_label(row, result.factors)}: {_value(x_key, row[x_key])}, {_value(y_key, row[y_key])}"
        for number, (_, row) in enumerate(front.iterrows(), start=1)
    ]
    if len(baseline):
        row = baseline.iloc[0]
        key_lines.append(
            f"baseline. {lever_label(row, result.factors)}: {_value(x_key, row[x_key])}, {_value(y_key, row[y_key])}"
        )
    fig, ax = plt.subplots(figsize=(10, 6.2 + 0.2 * len(key_lines)))
    ax.scatter(table[x_key], table[y_key], s=18, color="#b0b0b0", label=f"lever mixes tried ({len(table)})")
    ax.plot(front[x_key], front[y_key], "-", color="#c44e52", lw=1.5)
    errors = {key: front.get(f"{key}_se") for key in (x_key, y_key)}
    ax.errorbar(
        front[x_key],
        front[y_key],
        xerr=errors[x_key],
        yerr=errors[y_key],
        fmt="o",
        color="#c44e52",
        ms=7,
        elinewidth=0.8,
        capsize=2,
        label=f"frontier ({len(front)} mixes; bars: ±1 standard error over replicates)",
    )
    for number, (_, row) in enumerate(front.iterrows(), start=1):
        ax.annotate(
            str(number),
            (row[x_key], row[y_key]),
            xytext=(6, 6),
            textcoords="offset points",
            fontsize=9,
            color="#7a1f22",
            weight="bold",
        )
    if len(baseline):
        row = baseline.iloc[0]
        ax.scatter(row[x_key], row[y_key], s=200, marker="*", color="#1f4e9c", zorder=5, label="baseline mix")
    fig.text(0.01, 0.01, "\n".join(key_lines), fontsize=7.5, va="bottom", ha="left", family="monospace")
    for key, axis in ((x_key, ax.xaxis), (y_key, ax.yaxis)):
        if _is_money(key):
            axis.set_major_formatter(FuncFormatter(lambda v, _: f"£{v:,.0f}"))
    ax.set_xlabel(_axis_label(x_key) + (" (£)" if _is_money(x_key) else ""))
    ax.set_ylabel(_axis_label(y_key) + (" (£)" if _is_money(y_key) else ""))
    spec = result.spec
    ax.set_title(
        f"{spec.name}: NSGA-II, {spec.population} mixes x {spec.generations} generations, "
        f"each the mean of {spec.replicates} runs on common seeds ({result.runs} runs)",
        fontsize=9,
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout(rect=(0, 0.025 + 0.02 * len(key_lines), 1, 1))
    save_figure(fig, path, dpi=150)
    plt.close(fig)
    return path
