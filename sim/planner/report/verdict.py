"""The answer first: for each scenario against the baseline, what clearly helps or harms, what it
costs each agency, what a death averted costs, how many runs that rests on, and whether to fund it.

A change is *clear* when the 90% confidence interval of its average over paired runs excludes
zero; it *helps* or *harms* by the outcome's declared direction (`outcomes.better_of`), and is
*unclear* otherwise. Cost per death averted is only given as a number when the mix costs more and
clearly averts deaths; every other case is said in words, so a negative ratio is never shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.model.costs import AGENCY_COLUMNS
from sim.planner.report.compare import Comparison
from sim.planner.report.outcomes import (
    DEATHS_KEY,
    VERDICT_OUTCOMES,
    better_of,
    label_of,
    total_cost,
    unit_of,
)
from sim.planner.report.stats import (
    mean_interval,
    paired_cost_per_death_averted,
    pairing_gain,
    runs_for_half_width,
)

HELPS, HARMS, UNCLEAR, CHANGES = "helps", "harms", "unclear", "changes"
#: Precision asked of the headline death figure: a 90% interval of ± this share of the baseline.
PRECISION = 0.10
#: More runs than this to settle an outcome is reported as "more runs are unlikely to settle it".
MOST_RUNS = 2_000

Interval = tuple[float, float, float]  # average, 90% confidence low, high


def judge(low: float, high: float, better: str) -> str:
    """'helps' / 'harms' for a clear change in a direction that matters, 'changes' for a clear change
    with no better direction, 'unclear' when the interval includes zero or is unknown."""
    if not (math.isfinite(low) and math.isfinite(high)) or low <= 0 <= high:
        return UNCLEAR
    if better not in ("lower", "higher"):
        return CHANGES
    return HELPS if (high < 0) == (better == "lower") else HARMS


@dataclass(frozen=True)
class Effect:
    """The paired change of one outcome, with how sure it is and what pairing bought."""

    key: str
    baseline: float
    change: Interval
    sd_paired: float
    sd_unpaired: float
    runs: int

    @property
    def label(self) -> str:
        return label_of(self.key)

    @property
    def unit(self) -> str:
        return unit_of(self.key)

    @property
    def better(self) -> str:
        return better_of(self.key)

    @property
    def status(self) -> str:
        return judge(self.change[1], self.change[2], self.better)

    @property
    def percent(self) -> Interval:
        scale = 100.0 / self.baseline if self.baseline else math.nan
        return self.change[0] * scale, self.change[1] * scale, self.change[2] * scale

    @property
    def variance_reduction(self) -> float:
        """Share of the variance of an unpaired difference that pairing removed."""
        if not self.sd_unpaired > 0:
            return math.nan
        return 1.0 - (self.sd_paired / self.sd_unpaired) ** 2

    def runs_to_settle(self) -> int | None:
        """Paired runs for the interval to exclude zero, if the true change is today's estimate."""
        return runs_for_half_width(self.sd_paired, abs(self.change[0]), MOST_RUNS)

    def runs_for_precision(self, share: float = PRECISION) -> int | None:
        """Paired runs for the interval to be ± `share` of the baseline value."""
        return runs_for_half_width(self.sd_paired, share * abs(self.baseline), MOST_RUNS)


def effect(key: str, own: np.ndarray, base: np.ndarray, per: float = 1.0) -> Effect:
    """The paired change of `key` (scaled by `per`, e.g. 1/years for a yearly cost)."""
    own, base = np.asarray(own, dtype=float) * per, np.asarray(base, dtype=float) * per
    change = own - base
    low, high = mean_interval(change)
    sd_paired, sd_unpaired, _ = pairing_gain(own, base)
    return Effect(key, float(base.mean()), (float(change.mean()), low, high), sd_paired, sd_unpaired, own.size)


@dataclass(frozen=True)
class Verdict:
    """One scenario against the baseline, as the first screen of the report says it."""

    scenario: str
    baseline: str
    runs: int
    years: float
    effects: list[Effect]
    #: Extra cost a year by agency (GBP/year), then the total; empty if the model reports no costs.
    costs: list[tuple[str, Effect]]
    extra_cost: Effect | None
    deaths: Effect | None
    cost_per_death: Interval | None

    @property
    def helps(self) -> list[Effect]:
        return [e for e in self.effects if e.status == HELPS]

    @property
    def harms(self) -> list[Effect]:
        return [e for e in self.effects if e.status == HARMS]

    def value_for_money(self) -> str:
        """Cost per death averted in words a board reads, never a negative ratio."""
        cost, deaths = self.extra_cost, self.deaths
        if cost is None or deaths is None:
            return "the model reports no costs or deaths, so there is no cost per death averted"
        averted = judge(-deaths.change[2], -deaths.change[1], "higher")  # deaths averted = -change
        dearer, cheaper = cost.change[1] > 0, cost.change[2] < 0  # clearly, by the 90% interval
        if averted == HELPS:
            if cheaper:
                return "saves money and lives"
            ratio = self.cost_per_death
            if cost.change[0] <= 0 or ratio is None or not math.isfinite(ratio[0]):
                return "saves lives at no clear extra cost"
            low, high = ratio[1], ratio[2]
            if not (math.isfinite(low) and math.isfinite(high)):
                return f"{money(ratio[0])} per death averted"
            low_text = "a saving" if low <= 0 else money(low)
            return f"{money(ratio[0])} per death averted (90% interval {low_text} to {money(high)})"
        if averted == HARMS:
            if dearer:
                return "costs more and costs lives"
            return "saves money but costs lives" if cheaper else "costs lives at about the same cost"
        if dearer:
            return (
                "costs more and does not clearly help"
                if not self.helps
                else "costs more and does not clearly save lives"
            )
        return (
            "saves money; deaths do not clearly change"
            if cheaper
            else "costs about the same; deaths do not clearly change"
        )

    def answer(self) -> str:
        """A one-sentence answer to "should we fund this mix?", with numbers."""
        helps, harms = self.helps, self.harms
        cost = self._cost_phrase()
        found = f"over {self.runs} paired runs of {self.years:g} year{'s' if self.years != 1 else ''}"
        if helps and not harms:
            lead = (
                "Yes"
                if self.extra_cost is None or self.extra_cost.change[0] <= 0
                else "Fund it if the price is worth it"
            )
            text = f"{lead}: {found}, {self.scenario} {_list(helps)}; it {cost}"
        elif harms and not helps:
            text = f"No: {found}, {self.scenario} {_list(harms)}; it {cost}"
        elif helps and harms:
            text = f"A judgement: {found}, {self.scenario} {_list(helps)}, but {_list(harms)}; it {cost}"
        else:
            text = f"Not on this evidence: {found}, no headline outcome of {self.scenario} clearly changes; it {cost}"
        value = self.value_for_money()
        if self.deaths is not None and not value.endswith("deaths do not clearly change"):
            text += f" ({value})"
        return text + "." + self._more_runs()

    def _cost_phrase(self) -> str:
        cost = self.extra_cost
        if cost is None:
            return "has no costs in the model"
        mid, low, high = cost.change
        span = f"90% interval {money(low)} to {money(high)}"
        if low > 0:
            return f"costs {money(mid)} a year more ({span})"
        if high < 0:
            return f"saves {money(-mid)} a year (90% interval {money(-high)} to {money(-low)})"
        return f"costs about the same ({money(mid)} a year, {span})"

    def _more_runs(self) -> str:
        """Whether more runs could change the verdict on deaths (or the first unclear outcome)."""
        unclear = [e for e in self.effects if e.status == UNCLEAR and e.better]
        watched = self.deaths if self.deaths is not None and self.deaths.status == UNCLEAR else None
        target = watched or (unclear[0] if unclear else None)
        if target is None:
            return " More runs would narrow the intervals but not change this verdict."
        needed = target.runs_to_settle()
        name = target.label[0].lower() + target.label[1:]
        if needed is None:
            return f" More runs are unlikely to settle {name}: its change is too small against chance."
        return (
            f" About {needed:,} paired runs (now {self.runs}) would show whether {name} change, "
            "if the true change is today's estimate."
        )


def verdicts(comparison: Comparison) -> list[Verdict]:
    """A verdict for each scenario compared with the baseline."""
    base = comparison.summaries[comparison.baseline.name]
    years = float(base["years"].mean()) if "years" in base else comparison.baseline.years
    chosen = comparison.outcomes or list(VERDICT_OUTCOMES)
    keys = [k for k in chosen if k in base and k != DEATHS_KEY]
    found = []
    for name in comparison.names[1:]:
        own = comparison.summaries[name]
        effects = [effect(k, own[k].to_numpy(), base[k].to_numpy()) for k in keys]
        costs = [
            (agency, effect(f"{column}_per_year", own[f"{column}_total"], base[f"{column}_total"], 1 / years))
            for column, agency in AGENCY_COLUMNS.items()
            if f"{column}_total" in own and f"{column}_total" in base
        ]
        own_total, base_total = total_cost(own), total_cost(base)
        extra = None
        if own_total is not None and base_total is not None:
            extra = effect("cost_total_per_year", own_total.to_numpy(), base_total.to_numpy(), 1 / years)
        deaths = None
        if "overdose_deaths_per_year" in own and "overdose_deaths_per_year" in base:
            deaths = effect(
                "overdose_deaths_per_year", own["overdose_deaths_per_year"], base["overdose_deaths_per_year"]
            )
        ratio = None
        value, low, high, _ = paired_cost_per_death_averted(own, base)
        if math.isfinite(value) and value > 0:
            ratio = (value, low, high)
        found.append(Verdict(name, comparison.baseline.name, len(own), years, effects, costs, extra, deaths, ratio))
    return found


def verdict_text(comparison: Comparison) -> str:
    """The verdicts for the terminal: the answer, then each outcome's change and the costs."""
    lines = []
    for verdict in verdicts(comparison):
        lines += [f"\nVerdict: {verdict.scenario} against {verdict.baseline}", "  " + verdict.answer()]
        for item in verdict.effects:
            lines.append(f"  {item.status:>8}  {item.label}: {change_words(item)}")
        for agency, item in verdict.costs:
            lines.append(f"  {'cost':>8}  {agency}: {change_words(item)}")
        if verdict.extra_cost is not None:
            lines.append(f"  {'cost':>8}  all agencies: {change_words(verdict.extra_cost)}")
            lines.append(f"  {'value':>8}  {verdict.value_for_money()}")
        lines.append(f"  {'runs':>8}  {pairing_words(verdict)}")
    return "\n".join(lines)


def pairing_words(verdict: Verdict) -> str:
    """How many runs and what common random numbers bought, on the outcomes the verdict reads."""
    gains = [(e.label, e.variance_reduction) for e in verdict.effects if math.isfinite(e.variance_reduction)]
    text = f"{verdict.runs} paired runs per scenario"
    if gains:
        parts = ", ".join(f"{label[0].lower() + label[1:]} {gain:.0%}" for label, gain in gains[:4])
        text += f"; pairing cut the variance of the change (against unpaired runs) by: {parts}"
    deaths = verdict.deaths
    if deaths is not None:
        needed = deaths.runs_for_precision()
        runs = f"about {needed:,}" if needed else f"over {MOST_RUNS:,}"
        text += f"; {runs} paired runs would pin overdose deaths to ±{PRECISION:.0%} of the baseline"
    return text


def change_words(item: Effect) -> str:
    """'+12.5 (90% interval +3.1 to +21.9), +4.2% (+1.0% to +7.3%)'."""
    mid, low, high = item.change
    text = f"{signed(mid, item.unit)} (90% interval {signed(low, item.unit)} to {signed(high, item.unit)})"
    pct = item.percent
    if math.isfinite(pct[0]):
        text += f", {percent(pct[0])} ({percent(pct[1])} to {percent(pct[2])})"
    return text


def _list(effects: list[Effect]) -> str:
    """'cuts overdose deaths a year by 1.2 (8%) and offences a year by 40 (3%)'."""
    parts = []
    for item in effects[:3]:
        verb = "cuts" if item.change[0] < 0 else "raises"
        pct = item.percent[0]
        # Whole per cents read best, but a change under 1% is not "0%".
        decimals = 0 if abs(pct) >= 0.95 else 1
        share = f" ({abs(pct):.{decimals}f}%)" if math.isfinite(pct) else ""
        parts.append(
            f"{verb} {item.label[0].lower() + item.label[1:]} by {number(abs(item.change[0]), item.unit)}{share}"
        )
    more = f" and {len(effects) - 3} more" if len(effects) > 3 else ""
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] + more


def number(value: float, unit: str = "") -> str:
    """A number as a report writes it: thousands separators, £ for money, few significant digits."""
    if value is None or not math.isfinite(value):
        return "–"
    if abs(value) < 1e-9:  # rounding noise of sums and percentiles
        value = 0.0
    if unit.startswith("GBP"):
        return money(value)
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def money(value: float) -> str:
    """'£1,234,567', '-£2,500', '£0.50'."""
    if not math.isfinite(value):
        return "–"
    sign = "-" if value < 0 else ""
    size = abs(value)
    return f"{sign}£{size:,.0f}" if size >= 1 else f"{sign}£{size:.2f}"


def signed(value: float, unit: str = "") -> str:
    text = number(value, unit)
    return "+" + text if math.isfinite(value) and value > 0 else text


def percent(value: float) -> str:
    """'+2.3%'; a change that rounds to nothing is '0.0%', never '-0.0%'."""
    if value is None or not math.isfinite(value):
        return "–"
    text = f"{value:+.1f}%"
    return "0.0%" if text[1:] == "0.0%" else text


def table(verdict: Verdict) -> pd.DataFrame:
    """The verdict's outcomes and costs as rows (for headline tables and notebooks)."""
    rows = []
    for item in [
        *verdict.effects,
        *(e for _, e in verdict.costs),
        *([verdict.extra_cost] if verdict.extra_cost else []),
    ]:
        rows.append(
            {
                "scenario": verdict.scenario,
                "outcome": item.key,
                "label": item.label,
                "unit": item.unit,
                "better": item.better,
                "verdict": item.status,
                "baseline": item.baseline,
                "change": item.change[0],
                "change_ci_low": item.change[1],
                "change_ci_high": item.change[2],
                "change_pct": item.percent[0],
                "sd_paired_change": item.sd_paired,
                "sd_unpaired_change": item.sd_unpaired,
                "variance_reduction": item.variance_reduction,
                "runs_to_settle": item.runs_to_settle() if item.status == UNCLEAR else None,
                f"runs_for_pm{PRECISION * 100:.0f}pct": item.runs_for_precision(),
            }
        )
    return pd.DataFrame(rows)
