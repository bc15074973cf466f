"""The evidence table: the model's figures beside the published ones they should match.

`drugmarket evidence` runs replicates of the baseline town, counts what each published fact is
about (deaths on and off OST, overdoses in the weeks after release or after leaving treatment,
waits, ...) from the daily table and the event log, pools the counts over replicates and gives
each figure a 90% interval by resampling replicates. Each row says whether the figure is inside
the published band and, where it is not, why. The tests check the mechanisms; this table shows
the fit, misses included.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.model import DrugMarketModel
from sim.model.events import Event
from sim.model.people import People, UseState
from sim.model.treatment import EXIT_COLUMN, Exit
from sim.planner.runner import replicate_seed
from sim.planner.scenario import Scenario
from sim.research.facts import DAYS_PER_YEAR, FACTS

#: Left treatment for these reasons (completed, dropped out) and so back to street use.
BACK_TO_STREET = (0.0, 1.0)
#: Cornish et al. 2010 compare with time on treatment after its first four weeks.
INDUCTION_DAYS = 28


def _intervals(starts: pd.DataFrame, ends: pd.DataFrame, open_ids: np.ndarray, last_day: int) -> pd.DataFrame:
    """(id, start, end) spells from start and end events; `open_ids` were in the spell on day 0."""
    rows = [pd.DataFrame({"id": open_ids, "day": -1, "kind": 0})]
    rows += [starts.assign(kind=0)[["id", "day", "kind"]], ends.assign(kind=1)[["id", "day", "kind"]]]
    marks = pd.concat(rows).sort_values(["id", "day", "kind"], kind="stable").to_numpy()
    spells, opened = [], {}
    for pid, day, kind in marks:
        if kind == 0:
            opened.setdefault(pid, day)
        elif pid in opened:
            spells.append((pid, opened.pop(pid), day))
    spells += [(pid, day, last_day + 1) for pid, day in opened.items()]
    return pd.DataFrame(spells, columns=["id", "start", "end"])


def _within(spells: pd.DataFrame, hits: pd.DataFrame) -> np.ndarray:
    """Which (id, day) hits fall inside a spell of the same person (start < day <= end)."""
    if hits.empty or spells.empty:
        return np.zeros(len(hits), dtype=bool)
    merged = hits.reset_index().merge(spells, on="id")
    inside = merged[(merged["day"] > merged["start"]) & (merged["day"] <= merged["end"])]
    mask = np.zeros(len(hits), dtype=bool)
    mask[inside["index"].unique()] = True
    return mask


def _past_induction(spells: pd.DataFrame) -> pd.DataFrame:
    """The part of each OST spell after its first four weeks: Cornish et al. 2010's baseline (the rest
    of time on treatment). Spells open on day 0 (start -1) are of people long on OST, past induction."""
    stable = spells.assign(start=np.where(spells["start"] < 0, spells["start"], spells["start"] + INDUCTION_DAYS))
    return stable[stable["end"] > stable["start"]].reset_index(drop=True)


def _after(origins: pd.DataFrame, hits: pd.DataFrame, first: int, last: int, horizon: int) -> tuple[int, float]:
    """Hits within days [first, last) after each origin (origins with a full window only), and weeks at risk."""
    origins = origins[origins["day"] + last <= horizon]
    if origins.empty:
        return 0, 0.0
    merged = origins[["id", "day"]].merge(hits[["id", "day"]], on="id", suffixes=("", "_hit"))
    gap = merged["day_hit"] - merged["day"]
    return int(((gap >= first) & (gap < last)).sum()), len(origins) * (last - first) / 7.0


def events_of(events: pd.DataFrame, event: Event) -> pd.DataFrame:
    """One kind of event from the log: day, id and value, numbered from 0 in log order."""
    return events[events["event"] == event.name.lower()][["day", "id", "value"]].reset_index(drop=True)


def waits_of_starts(events: pd.DataFrame) -> pd.Series:
    """Days each treatment start waited since joining the waiting list, in the order of the log's
    entries. A start counts its wait only from the join that led to it: same route, and no earlier
    start or departure from the list since that join. Otherwise it is a seamless start (continuity
    from prison) and waited 0 days, however long ago the person once joined the list."""
    entered = events_of(events, Event.ENTERED_TREATMENT).rename_axis("order").reset_index()
    entered = entered.sort_values("day", kind="stable")
    joined = events_of(events, Event.JOINED_WAITING_LIST).rename(columns={"day": "joined", "value": "route"})
    earlier = entered[["day", "id"]].rename(columns={"day": "earlier_start"})
    departed = events_of(events, Event.LEFT_WAITING_LIST)[["day", "id"]].rename(columns={"day": "departed"})
    match = pd.merge_asof(entered, joined.sort_values("joined"), left_on="day", right_on="joined", by="id")
    match = pd.merge_asof(match, earlier, left_on="day", right_on="earlier_start", by="id", allow_exact_matches=False)
    match = pd.merge_asof(match, departed.sort_values("departed"), left_on="day", right_on="departed", by="id")
    led_to_it = (
        (match["route"] == match["value"])
        & ~(match["earlier_start"] > match["joined"])
        & ~(match["departed"] > match["joined"])
    )
    waited = (match["day"] - match["joined"]).where(led_to_it, 0.0).fillna(0.0)
    return waited.set_axis(match["order"]).sort_index().rename("waited")


def _run_counting_offences(model: DrugMarketModel) -> dict[str, float]:
    """Run the model to its end, reading each person's offence count at window boundaries.

    Every 28 days: who of the people with dependent use out of treatment at the start (and still
    so at the end) offended in the window (DTORS asked about the 4 weeks before treatment). Every
    91 days: the share of those people's offences committed by the most active tenth (NTORS
    asked about the 3 months before treatment).
    """
    people = model.people
    counts = {"month_people": 0.0, "month_offended": 0.0, "quarter_offences": 0.0, "quarter_top_tenth": 0.0}
    windows = {28: None, 91: None}  # window length -> (start ids, their offence counts at the start)
    elapsed = 0
    while elapsed < model.n_days:
        for length, window in windows.items():
            if elapsed % length == 0:
                if window is not None:
                    _close_window(people, length, *window, counts)
                ids = people.ids_in(UseState.DEPENDENT)
                windows[length] = (ids, people.offences[ids].copy())
        step = min(28 - elapsed % 28, 91 - elapsed % 91, model.n_days - elapsed)
        model.run_for(step)
        elapsed += step
    return counts


def _close_window(people: People, length: int, ids: np.ndarray, start: np.ndarray, counts: dict[str, float]) -> None:
    """Add one window's offences of people dependent out of treatment at both its ends."""
    still = people.state[ids] == UseState.DEPENDENT
    committed = (people.offences[ids] - start)[still]
    if committed.size == 0:
        return
    if length == 28:
        counts["month_people"] += committed.size
        counts["month_offended"] += float((committed > 0).sum())
    else:
        top = np.sort(committed)[::-1][: max(1, committed.size // 10)]
        counts["quarter_offences"] += float(committed.sum())
        counts["quarter_top_tenth"] += float(top.sum())


def count_run(scenario: Scenario, replicate: int) -> dict[str, float]:
    """Run one replicate and count what every fact needs (sums that pool across replicates)."""
    model = DrugMarketModel(scenario, rng=replicate_seed(scenario.seed, replicate))
    people = model.people
    on_ost_at_start = np.flatnonzero(people.state[: people.n] == UseState.OST)
    dependent_at_start = np.flatnonzero(people.state[: people.n] != UseState.OCCASIONAL)
    offending = _run_counting_offences(model)
    daily = model.record.frame(scenario.start_date)
    events = model.log.frame()
    days = len(daily)

    def of(event: Event) -> pd.DataFrame:
        return events_of(events, event)

    overdoses, deaths = of(Event.OVERDOSE), of(Event.OVERDOSE_DEATH)
    # Off-OST rates are about dependent use: leave out people who only ever used occasionally.
    dependent = np.union1d(of(Event.BECAME_DEPENDENT)["id"], dependent_at_start)
    dependent_od = overdoses["id"].isin(dependent).to_numpy()
    dependent_death = deaths["id"].isin(dependent).to_numpy()
    entered, left = of(Event.ENTERED_TREATMENT), of(Event.LEFT_TREATMENT)
    ost = _intervals(entered, left, on_ost_at_start, days)
    od_on_ost, death_on_ost = _within(ost, overdoses), _within(ost, deaths)

    waited = waits_of_starts(events)

    # Merrall et al.'s cohorts are sentenced prisoners; releases from remand (often after days)
    # leave little time for tolerance to fall.
    # In Merrall et al.'s UK cohorts (late 1990s releases) prison treatment was detoxification, not
    # OST kept up to release: compare with releasees whose tolerance was not held by a dose inside.
    releases = of(Event.RELEASED_FROM_PRISON)
    dosed = of(Event.RELEASED_ON_PRISON_OST)
    keys = ["id", "day"]
    untreated = releases[~releases.set_index(keys).index.isin(dosed.set_index(keys).index)]
    rel_12, rel_weeks_12 = _after(untreated, overdoses, 0, 14, days)
    rel_312, rel_weeks_312 = _after(untreated, overdoses, 14, 84, days)
    all_12, all_weeks_12 = _after(releases, overdoses, 0, 14, days)
    all_312, all_weeks_312 = _after(releases, overdoses, 14, 84, days)
    stable = _past_induction(ost)
    od_stable_ost = _within(stable, overdoses)
    exits = left[left["value"].isin(BACK_TO_STREET)]
    exit_12, exit_weeks_12 = _after(exits, overdoses, 0, 14, days)

    return {
        "days": float(days),
        "ocu_days": float(daily["ocu_per_1000"].sum()),
        "ocu_people_days": float(daily["dependent_use_total"].sum()),
        "treated_days": float(daily["in_treatment"].sum()),
        "starts": float(len(entered)),
        "starts_within_21": float((waited < 21).sum()),
        "wait_days": float(waited.sum()),
        "ost_years": float(daily["in_ost"].sum()) / DAYS_PER_YEAR,
        "off_years": float(daily["dependent_users"].sum()) / DAYS_PER_YEAR,
        "ost_od_deaths": float(death_on_ost.sum()),
        "off_od_deaths": float((~death_on_ost & dependent_death).sum()),
        "off_od": float((~od_on_ost & dependent_od).sum()),
        "stable_ost_od": float(od_stable_ost.sum()),
        "stable_ost_years": float((stable["end"] - stable["start"].clip(lower=0)).sum()) / DAYS_PER_YEAR,
        "od": float(len(overdoses)),
        "od_deaths": float(len(deaths)),
        "release_od_w1_2": float(rel_12),
        "release_weeks_w1_2": rel_weeks_12,
        "release_od_w3_12": float(rel_312),
        "release_weeks_w3_12": rel_weeks_312,
        "all_release_od_w1_2": float(all_12),
        "all_release_weeks_w1_2": all_weeks_12,
        "all_release_od_w3_12": float(all_312),
        "all_release_weeks_w3_12": all_weeks_312,
        "exit_od_w1_2": float(exit_12),
        "exit_years_w1_2": exit_weeks_12 * 7.0 / DAYS_PER_YEAR,
        **offending,
        # Discharges as the NTA counted them: a step up to a residential place stays in treatment.
        "discharges": float(
            sum(daily[column].sum() for reason, column in EXIT_COLUMN.items() if reason != Exit.RESIDENTIAL)
        ),
        "discharges_to_prison": float(daily[EXIT_COLUMN[Exit.PRISON]].sum()),
        "arrests": float(daily["arrests"].sum()),
        "seller_days": float(daily["active_dealers"].sum()),
        "revenue": float(daily["market_revenue"].sum()),
        "group_days": float(days * scenario.dealers.groups),
    }


def measure(
    scenario: Scenario, replicates: int, workers: int = 1, progress: bool = True, resamples: int = 2000
) -> pd.DataFrame:
    """Run the replicates and build the table: figure, 90% interval, published band, fit, why."""
    jobs = range(replicates)
    bar = tqdm(total=replicates, desc="evidence runs", unit="run", disable=not progress)
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            counts = []
            for result in pool.map(count_run, [scenario] * replicates, jobs):
                counts.append(result)
                bar.update()
    else:
        counts = []
        for r in jobs:
            counts.append(count_run(scenario, r))
            bar.update()
    bar.close()
    return table(counts, resamples=resamples)


def table(counts: list[dict[str, float]], resamples: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Pool per-replicate counts into the evidence table (intervals by resampling replicates)."""
    frame = pd.DataFrame(counts)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(frame), size=(resamples, len(frame)))
    pooled = frame.sum().to_dict()
    sums = frame.to_numpy()[picks].sum(axis=1)
    boot = [dict(zip(frame.columns, row, strict=True)) for row in sums]
    rows = []
    for fact in FACTS:
        with np.errstate(divide="ignore", invalid="ignore"):
            value = fact.figure(pooled)
            draws = np.array([fact.figure(b) for b in boot], dtype=float)
        draws = draws[np.isfinite(draws)]
        low, high = np.quantile(draws, [0.05, 0.95]) if draws.size else (np.nan, np.nan)
        rows.append(
            {
                "fact": fact.name,
                "unit": fact.unit,
                "model": value,
                "low": float(low),
                "high": float(high),
                "published": fact.published,
                "band_low": fact.band[0] if fact.band else np.nan,
                "band_high": fact.band[1] if fact.band else np.nan,
                "source": fact.source,
                "fit": fit(value, fact.band),
                "why": (fact.why_not or "not yet explained") if fit(value, fact.band) == "outside band" else "",
            }
        )
    return pd.DataFrame(rows)


def fit(value: float, band: tuple[float, float] | None) -> str:
    """'within band', 'outside band', 'no band' (context only) or 'not measured' (no events)."""
    if band is None:
        return "no band"
    if not np.isfinite(value):
        return "not measured"
    return "within band" if band[0] <= value <= band[1] else "outside band"


def _number(x: float) -> str:
    if not np.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2f}" if abs(x) < 10 else f"{x:.1f}"


def to_markdown(rows: pd.DataFrame, replicates: int, years: float, seed: int, scenario_file: str = "") -> str:
    """docs/evidence.md: the table with how it was made (naming the scenario file when one was given)."""
    town = f"The town of `{scenario_file}`" if scenario_file else "Baseline town (`scenarios/baseline.yaml` defaults)"
    lines = [
        "# Evidence table: the model beside the published figures",
        "",
        f"<!-- Generated by `drugmarket evidence {scenario_file + ' ' if scenario_file else ''}"
        f"--replicates {replicates} --years {years:g}`; rerun it rather than editing. -->",
        "",
        f"{town}, {replicates} replicates of {years:g} years, "
        f"master seed {seed}. *Model* pools the counts over replicates; the 90% interval resamples "
        "replicates. Overdose ratios after release or leaving OST count all overdoses (fatal and not): "
        "in the model the chance an overdose is fatal does not depend on tolerance, so the ratio of "
        "overdoses is the ratio of deaths, with many more events. Offending rows count each person's own "
        "offences over 4-week and 3-month windows, among people with dependent use out of treatment. "
        "Bands are the published confidence interval where one exists; otherwise a judgement around the "
        "published figure. Sources are listed in full in [references.md](references.md).",
        "",
        "| Fact | Model | 90% interval | Published | Band | Source | Fit | Why it misses |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows.itertuples():
        band = "" if not np.isfinite(r.band_low) else f"{_number(r.band_low)}-{_number(r.band_high)}"
        lines.append(
            f"| {r.fact} ({r.unit}) | {_number(r.model)} | {_number(r.low)}-{_number(r.high)} | {r.published} | "
            f"{band} | {r.source} | {r.fit} | {r.why} |"
        )
    return "\n".join(lines) + "\n"
