"""The one-file HTML report and the tables written beside it."""

from __future__ import annotations

import base64
import datetime as dt
import html
import math
from pathlib import Path

import pandas as pd

from sim.planner.files import ensure_folder, write_atomically, write_csv, write_parquet
from sim.planner.report.charts import absolute_chart, change_chart, cost_chart, fan_chart, png
from sim.planner.report.compare import Comparison, levers_in_words
from sim.planner.report.outcomes import COST_PER_DEATH_AVERTED, better_of, group_of, label_of, unit_of
from sim.planner.report.verdict import UNCLEAR, Verdict, judge, number, pairing_words, percent, signed, verdicts
from sim.planner.report.verdict import table as verdict_table
from sim.planner.scenario import Scenario


def write_report(comparison: Comparison, out: str | Path) -> dict[str, Path]:
    """Write the report, its tables (CSV and Parquet) and its figures (PNG) into `out`."""
    out = Path(out)
    ensure_folder(out / "plots")
    written: dict[str, Path] = {}
    tables = {"comparison": comparison.table(), "headline": comparison.headline(), "settings": comparison.settings()}
    tables["quarterly"] = comparison.quarterly
    found = verdicts(comparison)
    if found:
        tables["verdict"] = pd.concat([verdict_table(v) for v in found], ignore_index=True)
    for name, table in tables.items():
        for suffix, save in (("csv", _to_csv), ("parquet", _to_parquet)):
            path = out / f"{name}.{suffix}"
            save(table, path)
            written[f"{name}.{suffix}"] = path
    figures: dict[str, bytes] = {}
    if len(comparison.scenarios) > 1:
        figures["change"] = png(change_chart(comparison))
        figures["change_absolute"] = png(absolute_chart(comparison))
        costs = cost_chart(comparison)
        if costs is not None:
            figures["costs"] = png(costs)
    for column in comparison.fan_columns():
        figures[column] = png(fan_chart(comparison, column))
    for name, data in figures.items():
        path = out / "plots" / f"{name}.png"
        write_atomically(path, data)
        written[f"plots/{name}.png"] = path
    report = out / "report.html"
    write_atomically(report, page(comparison, figures, tables["headline"], tables["comparison"], tables["settings"]))
    written["report.html"] = report
    return written


def page(
    comparison: Comparison,
    figures: dict[str, bytes],
    headline: pd.DataFrame,
    full: pd.DataFrame,
    settings: pd.DataFrame,
) -> str:
    """One self-contained HTML page: findings, table, charts over time, settings, runs."""
    others = comparison.names[1:]
    title = (
        f"{html.escape(', '.join(others))} compared with {html.escape(comparison.baseline.name)}"
        if others
        else f"{html.escape(comparison.baseline.name)}"
    )
    parts = [
        f"<h1>{title}</h1>",
        f"<p class='meta'>{len(comparison.replicates)} runs per scenario over "
        f"{comparison.baseline.years:g} year{'' if comparison.baseline.years == 1 else 's'} from "
        f"{comparison.baseline.start_date:%d %B %Y}, common random numbers (master seed {comparison.baseline.seed}). "
        f"Made {dt.datetime.now():%d %B %Y %H:%M} by drugmarket.</p>",
    ]
    for scenario in comparison.scenarios:
        if scenario.description and (
            scenario is comparison.baseline or scenario.description != comparison.baseline.description
        ):
            parts.append(f"<p><b>{html.escape(scenario.name)}</b>: {html.escape(scenario.description)}</p>")
    parts += [_verdict_html(v) for v in verdicts(comparison)]
    if "costs" in figures:
        parts.append(_img(figures["costs"], "Extra cost a year by agency"))
    parts.append(_HOW_TO_READ if others else _HOW_TO_READ_SINGLE)
    if "change" in figures:
        parts += ["<h2>What changes</h2>", _img(figures["change"], "Change against the baseline")]
    if "change_absolute" in figures:
        parts.append(_img(figures["change_absolute"], "Change against the baseline in each outcome's units"))
    parts += ["<h2>Outcomes</h2>", _headline_html(comparison, headline)]
    parts.append("<h2>Over time</h2>")
    parts += [_img(figures[c], c) for c in comparison.fan_columns() if c in figures]
    if others:
        parts += ["<h2>Settings that differ</h2>", _settings_html(settings, comparison.scenarios)]
    parts += ["<h2>Runs</h2>", _runs_html(comparison)]
    parts += [
        "<details><summary>Every outcome (also in comparison.csv and comparison.parquet)</summary>",
        _full_html(full),
        "</details>",
    ]
    body = "\n".join(parts)
    head = (
        "<meta charset='utf-8'><meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{title}</title><style>{_CSS}</style>"
    )
    return f"<!doctype html>\n<html lang='en'><head>{head}</head><body>\n{body}\n</body></html>\n"


def _verdict_html(verdict: Verdict) -> str:
    """The first screen: the answer, each outcome's change coloured by whether it helps, the costs."""
    head = (
        "<tr><th>Outcome</th><th>Baseline</th><th>Change<br><small>(90% confidence)</small></th>"
        "<th>Change %<br><small>(90% confidence)</small></th><th>Verdict</th>"
        "<th>Pairing cut<br><small>variance by</small></th><th>Runs to settle</th></tr>"
    )
    rows = [head]
    for item in verdict.effects:
        needed = item.runs_to_settle() if item.status == UNCLEAR and item.better else None
        settle = "–" if item.status != UNCLEAR or not item.better else (f"{needed:,}" if needed else "too many")
        gain = item.variance_reduction
        rows.append(
            f"<tr>{_label_cell(item.key)}<td>{number(item.baseline, item.unit)}</td>"
            f"<td class='{item.status}'>{_interval(item.change, item.unit, signed)}</td>"
            f"<td class='{item.status}'>{_interval(item.percent, '', lambda v, _u: percent(v))}</td>"
            f"<td class='{item.status}'>{item.status}</td>"
            f"<td>{'–' if not math.isfinite(gain) else f'{gain:.0%}'}</td><td>{settle}</td></tr>"
        )
    costs = ["<tr><th>Who pays</th><th>Extra cost a year<br><small>(90% confidence)</small></th></tr>"]
    extra = [*verdict.costs, *([("All agencies", verdict.extra_cost)] if verdict.extra_cost else [])]
    for agency, item in extra:
        css = "total" if agency == "All agencies" else ""
        costs.append(
            f"<tr class='{css}'><td class='label'>{html.escape(agency[0].upper() + agency[1:])}</td>"
            f"<td class='{item.status}'>{_interval(item.change, 'GBP', signed)}</td></tr>"
        )
    parts = [
        f"<h2>Verdict: {html.escape(verdict.scenario)} against {html.escape(verdict.baseline)}</h2>",
        f"<p class='answer'>{html.escape(verdict.answer())}</p>",
        "<div class='verdict'><table class='headline'>" + "\n".join(rows) + "</table>",
    ]
    if verdict.extra_cost is not None:
        value = html.escape(verdict.value_for_money())
        parts.append(
            "<table class='costs'>" + "\n".join(costs) + "</table>"
            f"<p class='value'><b>Cost per overdose death averted:</b> {value}</p>"
        )
    parts.append(f"</div><p class='meta'>{html.escape(pairing_words(verdict))}.</p>")
    return "\n".join(parts)


def _interval(values: tuple[float, float, float], unit: str, show: object) -> str:
    mid, low, high = (show(v, unit) for v in values)  # type: ignore[operator]
    return mid if low == "–" or high == "–" else f"{mid} <small>({low} to {high})</small>"


def _headline_html(comparison: Comparison, table: pd.DataFrame) -> str:
    """One table per compared scenario: both means, the average change and how sure it is."""
    if len(comparison.names) == 1:
        rows = ["<tr><th>Outcome</th><th>Mean<br><small>(90% of runs)</small></th></tr>"]
        group = None
        for _, row in table.iterrows():
            if group_of(row["outcome"]) != group:
                group = group_of(row["outcome"])
                rows.append(f"<tr class='group'><td colspan='2'>{html.escape(group)}</td></tr>")
            rows.append(f"<tr>{_label_cell(row['outcome'])}<td>{_with_interval(row, '', row['unit'])}</td></tr>")
        return "<table class='headline'>" + "\n".join(rows) + "</table>"
    parts = []
    base = table[table["scenario"] == comparison.baseline.name].set_index("outcome")
    for name in comparison.names[1:]:
        own = table[table["scenario"] == name].set_index("outcome")
        head = [
            "Outcome",
            f"{html.escape(comparison.baseline.name)}<br><small>mean (90% of runs)</small>",
            f"{html.escape(name)}<br><small>mean (90% of runs)</small>",
            "Average change<br><small>(90% confidence)</small>",
            "Change %<br><small>(90% confidence)</small>",
            "Change in 90%<br><small>of paired runs</small>",
            "Runs lower<br><small>than baseline</small>",
        ]
        rows = ["<tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"]
        group = None
        for key, row in own.iterrows():
            if group_of(key) != group:
                group = group_of(key)
                rows.append(f"<tr class='group'><td colspan='7'>{html.escape(group)}</td></tr>")
            unit = row["unit"]
            if key == COST_PER_DEATH_AVERTED:
                note = f" <small>{html.escape(str(row.get('note') or ''))}</small>"
                cells = ["<td>–</td>", f"<td colspan='5' class='left'>{_with_interval(row, '', unit)}{note}</td>"]
                rows.append(f"<tr>{_label_cell(key)}{''.join(cells)}</tr>")
                continue
            better = better_of(key)
            ci = f"{signed(row['change'], unit)} <small>({number(row['change_mean_ci_low'], unit)} to "
            ci += f"{number(row['change_mean_ci_high'], unit)})</small>"
            pct = f"{percent(row['change_pct'])} <small>({percent(row['change_pct_ci_low'])} to "
            pct += f"{percent(row['change_pct_ci_high'])})</small>"
            cells = [
                f"<td>{_with_interval(base.loc[key], '', unit)}</td>" if key in base.index else "<td></td>",
                f"<td>{_with_interval(row, '', unit)}</td>",
                f"<td class='{judge(row['change_mean_ci_low'], row['change_mean_ci_high'], better)}'>{ci}</td>",
                f"<td>{pct}</td>",
                f"<td>{number(row['change_low'], unit)} to {number(row['change_high'], unit)}</td>",
                f"<td>{int(row['runs_lower'])} of {int(row['runs'])}</td>",
            ]
            rows.append(f"<tr>{_label_cell(key)}{''.join(cells)}</tr>")
        parts.append(f"<h3>{html.escape(name)} against {html.escape(comparison.baseline.name)}</h3>")
        parts.append("<table class='headline'>" + "\n".join(rows) + "</table>")
    return "\n".join(parts)


def _runs_html(comparison: Comparison) -> str:
    items = [
        f"<li>Replicates compared: {len(comparison.replicates)} (numbers {_ranges(comparison.replicates)}); "
        "each scenario's "
        f"replicate <i>r</i> uses child <i>r</i> of numpy SeedSequence({comparison.baseline.seed}).</li>",
        f"<li>Computing time: {comparison.seconds / 60:.1f} minutes of model runs in total.</li>",
    ]
    for scenario in comparison.scenarios:
        items.append(f"<li>{html.escape(scenario.name)}: content hash <code>{scenario.content_hash()}</code></li>")
    for name, failed in comparison.failures.items():
        for replicate, record in sorted(failed.items()):
            last = (record.get("error") or "").strip().splitlines()[-1:] or [""]
            items.append(
                f"<li class='bad'>{html.escape(name)} replicate {replicate} failed: {html.escape(last[0])} "
                f"(traceback in <code>{html.escape(record.get('path', ''))}</code>); left out of every "
                "comparison.</li>"
            )
    return "<ul>" + "\n".join(items) + "</ul>"


def _with_interval(row: pd.Series, prefix: str, unit: str, sign: bool = False) -> str:
    key = prefix or "mean"
    low, high = (f"{prefix}_low", f"{prefix}_high") if prefix else ("low", "high")
    mid = number(row[key], unit)
    if sign and row[key] > 0:
        mid = "+" + mid
    lo, hi = row.get(low), row.get(high)
    if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
        return mid
    return f"{mid} <small>({number(lo, unit)} to {number(hi, unit)})</small>"


def _label_cell(key: str) -> str:
    return f"<td class='label'>{html.escape(label_of(key))}<br><small>{html.escape(unit_of(key))}</small></td>"


def _ranges(numbers: list[int]) -> str:
    """'0–4, 6, 8–9' for [0, 1, 2, 3, 4, 6, 8, 9]."""
    spans: list[list[int]] = []
    for value in numbers:
        if spans and value == spans[-1][1] + 1:
            spans[-1][1] = value
        else:
            spans.append([value, value])
    return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in spans) or "none"


def _timed_changes_html(scenario: Scenario) -> str:
    """A scenario's timed changes as a planner reads them: each day with its note, then one lever a line."""
    if not scenario.events:
        return "(none)"
    days = []
    for change in scenario.events:
        note = f" ({html.escape(change.note)})" if change.note else ""
        levers = "".join(f"<li>{html.escape(words)}</li>" for words in levers_in_words(change))
        days.append(f"<p><b>day {change.day}</b>{note}</p><ul>{levers}</ul>")
    return "".join(days)


def _setting_value(value: object) -> str:
    """180.0 days reads '180'; words and lists as they are."""
    if isinstance(value, float):
        return f"{value:,g}"
    return str(value)


def _settings_html(settings: pd.DataFrame, scenarios: list[Scenario]) -> str:
    if settings.empty:
        return "<p>The scenarios have the same settings.</p>"
    names = [s.name for s in scenarios]
    head = "<tr><th>Setting</th><th>Unit</th>" + "".join(f"<th>{html.escape(n)}</th>" for n in names) + "</tr>"
    rows = [head]
    for _, row in settings.iterrows():
        cells = [
            f"<td class='label'>{html.escape(str(row['label']))}<br><small><code>{html.escape(row['setting'])}</code>"
            "</small></td>",
            f"<td>{html.escape(row['unit'])}</td>",
        ]
        if row["setting"] == "events":
            # Only a list of changes needs the width; "(none)" must not widen the baseline's column.
            for scenario in scenarios:
                css = "label timed" if scenario.events else ""
                cells.append(f"<td class='{css}'>{_timed_changes_html(scenario)}</td>")
        else:
            cells += [f"<td>{html.escape(_setting_value(row[n]))}</td>" for n in names]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<table class='settings'>" + "\n".join(rows) + "</table>"


def _full_html(table: pd.DataFrame) -> str:
    shown = table.copy()
    for column in shown.columns:
        if shown[column].dtype.kind == "f":
            shown[column] = [number(v) for v in shown[column]]
    return shown.to_html(index=False, classes="full", border=0, na_rep="–")


def _img(data: bytes, alt: str) -> str:
    encoded = base64.b64encode(data).decode()
    return f"<figure><img alt='{html.escape(alt)}' src='data:image/png;base64,{encoded}'></figure>"


def _to_csv(table: pd.DataFrame, path: Path) -> None:
    write_csv(table, path)


def _to_parquet(table: pd.DataFrame, path: Path) -> None:
    write_parquet(table.astype({c: str for c in table.columns if table[c].dtype == object}), path)


_HOW_TO_READ = """
<div class='note'><b>How to read this report.</b> Each scenario was run many times with different
chance events; run <i>r</i> of every scenario used the same random stream (common random numbers), so
each policy run starts from the same chance events as its baseline run. That pairing cancels much of the
noise in common outcomes (offences, purchases), but rare events such as deaths soon diverge between the
two runs, so they need more runs. <b>Mean (90% of runs)</b>: the
average over runs, and the range that the middle 90% of runs fell in: the spread of what the town could
see by chance. <b>Average change (90% confidence)</b>: the policy minus the baseline, run by run,
averaged; the interval says how sure we are of that average with this many runs (more runs narrow it).
It is shaded green where the change clearly helps and red where it clearly harms (by whether the
outcome is better lower or higher); grey changes could be chance.
<b>Change in 90% of paired runs</b>: how much the change itself varies from one
possible future to another. <b>Runs lower</b>: in how many pairs the policy's value was below the
baseline's. The model compares options under stated assumptions; it is not a forecast.</div>
"""

_HOW_TO_READ_SINGLE = """
<div class='note'><b>How to read this report.</b> The scenario was run many times with different chance
events. <b>Mean (90% interval)</b>: the average over runs and the range of the middle 90% of runs. The
model is a tool to compare options under stated assumptions, not a forecast.</div>
"""

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Arial,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em} h2{margin-top:1.8em;border-bottom:1px solid #ddd}
.meta{color:#555} .note{background:#f4f6f8;border-left:4px solid #0072B2;padding:.6em 1em;margin:1em 0}
table{border-collapse:collapse;font-size:.9em;margin:.5em 0} th,td{border:1px solid #ddd;padding:.35em .6em;
text-align:right;vertical-align:top} th{background:#f4f6f8} td.label,th:first-child{text-align:left}
td.helps{background:#dff3e4} td.harms{background:#fbe3dc} td.unclear{background:#f7f7f7} small{color:#555}
td.changes{background:#eef3fa} .answer{font-size:1.15em;background:#f4f6f8;border-left:4px solid #009E73;
padding:.6em 1em} .verdict{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start} tr.total td{font-weight:bold}
table{display:block;overflow-x:auto;max-width:100%} .value{flex-basis:100%}
@media (max-width:640px){body{margin:.5em auto;padding:0 .5em} table{font-size:.8em} h1{font-size:1.3em}
h2{font-size:1.15em} .answer{font-size:1em}}
tr.group td{background:#e8edf2;font-weight:bold;text-align:left} td.left{text-align:left}
figure{margin:1em 0} img{max-width:100%} li.bad{color:#a33} table.full td{text-align:right}
td.timed{min-width:16em} td.timed p{margin:.3em 0 0} td.timed ul{margin:.2em 0;padding-left:1.2em}
"""
