"""What a run reports: the daily table, the event log, yearly sums and the whole-run summary.

Every daily column is declared once in `DAILY_COLUMNS` with its unit and whether it is a *flow*
(events that happen on the day, summed over a year) or a *stock* (a count at the end of the day,
averaged over a year). The documentation of the outputs is generated from this list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import pandas as pd

FLOW, STOCK = "flow", "stock"


@dataclass(frozen=True)
class Column:
    """One daily output column."""

    name: str
    unit: str
    kind: str
    doc: str


DAILY_COLUMNS: tuple[Column, ...] = (
    # People who use drugs
    Column(
        "people_using", "people", STOCK, "People using drugs (occasional or dependent, not in prison or treatment)."
    ),
    Column("occasional_users", "people", STOCK, "People using occasionally."),
    Column(
        "dependent_users",
        "people",
        STOCK,
        "People with dependent use of opiates and/or crack, out of treatment and custody.",
    ),
    Column("in_recovery", "people", STOCK, "People abstinent after dependent use (may relapse)."),
    Column("new_initiates", "people", FLOW, "People who started using today."),
    Column("became_dependent", "people", FLOW, "Occasional users who became dependent today."),
    Column("ceased", "people", FLOW, "Occasional users who stopped today."),
    Column("remissions", "people", FLOW, "Dependent users who stopped on their own today."),
    Column("relapses", "people", FLOW, "People in recovery who returned to dependent use today."),
    # Market
    Column("active_dealers", "dealers", STOCK, "Street sellers working today."),
    Column("dealer_slots", "positions", STOCK, "Selling positions that groups want filled."),
    Column("dealers_entered", "dealers", FLOW, "Recruits who started selling today."),
    Column("dealers_exited", "dealers", FLOW, "Sellers who left the market by choice today."),
    Column("dealers_displaced", "dealers", FLOW, "Sellers who moved cell under police pressure today."),
    Column("transactions", "purchases", FLOW, "Successful purchases today."),
    Column("failed_purchases", "attempts", FLOW, "Attempts to buy that found no seller in time."),
    Column("mean_search_time", "hours", STOCK, "Mean time a buyer spent finding a seller today (market access)."),
    Column("purity", "fraction", STOCK, "Street purity of the day's supply."),
    Column("market_revenue", "GBP", FLOW, "Money spent on drugs today."),
    Column("mean_dealer_earnings", "GBP/day", STOCK, "Mean recent daily earnings of an active street seller."),
    Column("mean_dealer_risk", "probability/day", STOCK, "Mean perceived daily arrest risk of an active seller."),
    # Harms
    Column("offences", "offences", FLOW, "Acquisitive offences committed to fund drug use."),
    Column("overdoses", "events", FLOW, "Overdoses (fatal and non-fatal)."),
    Column("overdose_deaths", "people", FLOW, "Deaths from overdose."),
    Column("naloxone_reversals", "events", FLOW, "Overdoses reversed with naloxone at hand."),
    Column("other_deaths", "people", FLOW, "Deaths of people who use drugs from other causes."),
    # Enforcement
    Column("patrol_hours", "officer-hours", FLOW, "Officer hours of patrol at market locations."),
    Column(
        "officer_hours", "officer-hours", FLOW, "All hours worked by the drug team (patrol, operations, case work)."
    ),
    Column("overtime_hours", "officer-hours", FLOW, "Hours worked beyond rostered hours (paid at a premium)."),
    Column("arrests", "arrests", FLOW, "All arrests today (sellers and people who use drugs)."),
    Column("dealer_arrests", "arrests", FLOW, "Street sellers arrested today (patrol and targeted operations)."),
    Column("person_arrests", "arrests", FLOW, "People who use drugs arrested today (acquisitive crime)."),
    # Police drug team: tasking and hours
    Column("operation_hours", "officer-hours", FLOW, "Officer hours of targeted operations against selling groups."),
    Column("case_work_hours", "officer-hours", FLOW, "Officer hours of case work after arrests."),
    Column("rostered_hours", "officer-hours", FLOW, "Hours the team's officers worked on rostered shifts."),
    Column(
        "unfilled_hours",
        "officer-hours",
        FLOW,
        "Planned patrol and operation hours that neither rostered officers nor overtime volunteers covered.",
    ),
    Column("case_backlog_hours", "officer-hours", STOCK, "Case work owed for arrests already made."),
    Column("operation_arrests", "arrests", FLOW, "Sellers arrested in targeted operations (part of dealer_arrests)."),
    Column(
        "high_harm_disrupted",
        "arrests",
        FLOW,
        "Members of high-harm groups arrested today (patrol or operations): the police's disruption count.",
    ),
    Column(
        "case_quality",
        "fraction",
        STOCK,
        "Mean skill-and-fatigue factor (0-1] of today's arresting officers (of the officers at work on days "
        "without arrests): how well arrests are evidenced for the charging decision.",
    ),
    # Police drug team: the officers
    Column("team_establishment", "officers", STOCK, "Funded posts in the drug team."),
    Column("team_in_post", "officers", STOCK, "Officers in the drug team (actual strength)."),
    Column("team_vacancies", "officers", STOCK, "Funded posts without an officer in them."),
    Column("officers_on_duty", "officers", STOCK, "Team officers who worked a rostered shift today."),
    Column(
        "overtime_volunteers",
        "officers",
        FLOW,
        "Officers (team or wider force) who worked an overtime block on the team's work today; "
        "summed over a year, the number of overtime blocks.",
    ),
    Column(
        "mean_fatigue",
        "fatigue (0-1)",
        STOCK,
        "Mean fatigue of the team and of force officers who worked its overtime in the last 28 days.",
    ),
    Column(
        "high_fatigue_officers",
        "officers",
        STOCK,
        "Officers (team or overtime pool) with fatigue at or above `officers.high_fatigue_level`.",
    ),
    Column("mean_burnout", "burnout (0-1)", STOCK, "Mean burnout (sustained fatigue) of the same officers."),
    Column("officers_sick", "officers", STOCK, "Officers (team or overtime pool) on sickness absence."),
    Column("team_leavers", "officers", FLOW, "Drug-team officers who left the force or the post today."),
    Column("pool_leavers", "officers", FLOW, "Officers in the overtime pool who left the force today."),
    Column("team_recruits", "officers", FLOW, "New officers who started in the drug team today."),
    Column("team_mean_skill", "fraction", STOCK, "Mean skill in drug work of the team's officers (0-1]."),
    # Focused deterrence
    Column(
        "deterrence_resources",
        "fraction",
        STOCK,
        "Share of the focused-deterrence programme's resources in place (0 when not running).",
    ),
    Column("identified_dealers", "dealers", STOCK, "Active sellers identified by the programme's analysis."),
    Column("dealer_call_ins", "dealers", FLOW, "Sellers called in today."),
    Column("person_call_ins", "people", FLOW, "People who use drugs called in with an offer of services today."),
    Column("group_sanctions", "groups", FLOW, "Groups placed under a group sanction today."),
)

COLUMN_BY_NAME = {c.name: c for c in DAILY_COLUMNS}


class Recorder:
    """Collects one row per day into a preallocated array; modules add to today's counts."""

    def __init__(self, n_days: int, columns: tuple[Column, ...] = DAILY_COLUMNS) -> None:
        self.columns = columns
        self._index = {c.name: i for i, c in enumerate(columns)}
        self._rows = np.zeros((n_days, len(columns)))
        self._today = np.zeros(len(columns))
        self.days_recorded = 0

    def add(self, name: str, amount: float) -> None:
        """Add to a flow column for today."""
        self._today[self._index[name]] += amount

    def set(self, name: str, value: float) -> None:
        """Set a stock column for today."""
        self._today[self._index[name]] = value

    def close_day(self) -> None:
        """Store today's row and start a fresh one."""
        self._rows[self.days_recorded] = self._today
        self._today[:] = 0.0
        self.days_recorded += 1

    def last(self, name: str, days: int = 1) -> np.ndarray:
        """The last `days` recorded values of a column (for feedback such as recent deaths)."""
        end = self.days_recorded
        return self._rows[max(0, end - days) : end, self._index[name]]

    def frame(self, start: dt.date) -> pd.DataFrame:
        """The daily table: day, date, weekday, then every declared column."""
        n = self.days_recorded
        days = np.arange(n)
        dates = pd.date_range(start, periods=n, freq="D")
        table = pd.DataFrame(self._rows[:n], columns=[c.name for c in self.columns])
        counts = self._rows[:n]
        whole = [c.name for i, c in enumerate(self.columns) if np.all(counts[:, i] % 1.0 == 0.0)]
        table[whole] = table[whole].astype(np.int64)
        table.insert(0, "weekday", dates.day_name())
        table.insert(0, "date", dates)
        table.insert(0, "day", days)
        return table


class Event(IntEnum):
    """Things that happen to an individual, in the event log."""

    INITIATED = 1
    BECAME_DEPENDENT = 2
    CEASED = 3
    REMISSION = 4
    RELAPSED = 5
    OVERDOSE = 6
    OVERDOSE_DEATH = 7
    NALOXONE_REVERSAL = 8
    DIED_OTHER_CAUSE = 9
    PERSON_ARRESTED = 10
    DEALER_ENTERED = 20
    DEALER_EXITED = 21
    DEALER_ARRESTED = 22
    DEALER_DISPLACED = 23
    # Focused deterrence (numbered from 35 to leave 24-34 for the justice pathway)
    DEALER_IDENTIFIED = 35
    DEALER_CALLED_IN = 36
    DEALER_SANCTIONED = 37
    # Police officers (ids are officer rows, not people or sellers)
    OFFICER_JOINED = 40
    OFFICER_LEFT = 41
    OFFICER_SICK = 42
    OVERTIME_WORKED = 43
    OFFICER_MADE_ARREST = 44
    OFFICER_REDEPLOYED = 45
    # Focused deterrence, people who use drugs
    PERSON_CALLED_IN = 90


#: Which population an event's id refers to; events from 20 to 39 are about dealers.
def agent_of(event: Event) -> str:
    """Name the population whose id the event carries."""
    if 20 <= event < 40:
        return "dealer"
    if 40 <= event < 60:
        return "officer"
    return "person"


#: What the `value` column holds for each event, where it is used.
EVENT_VALUE = {
    Event.OVERDOSE: "tolerance at the time (0 to 1)",
    Event.OVERDOSE_DEATH: "tolerance at the time (0 to 1)",
    Event.NALOXONE_REVERSAL: "tolerance at the time (0 to 1)",
    Event.DEALER_EXITED: "recent daily earnings (GBP)",
    Event.DEALER_ARRESTED: "group id",
    Event.DEALER_ENTERED: "group id",
    Event.DEALER_IDENTIFIED: "group id",
    Event.DEALER_CALLED_IN: "group id",
    Event.DEALER_SANCTIONED: "group id",
    Event.OFFICER_JOINED: "starting skill (0-1)",
    Event.OFFICER_LEFT: "burnout when leaving (0-1)",
    Event.OFFICER_SICK: "length of the sickness spell (days)",
    Event.OVERTIME_WORKED: "overtime hours worked",
    Event.OFFICER_MADE_ARREST: "case quality: the officer's skill-and-fatigue factor (0-1]",
    Event.OFFICER_REDEPLOYED: "skill (0-1) of an officer returned to other duties when posts were cut",
    Event.PERSON_CALLED_IN: "treatment readiness after the call-in",
}


class EventLog:
    """Append-only log of individual events, stored as column batches for speed."""

    def __init__(self) -> None:
        self._batches: list[tuple[int, int, np.ndarray, np.ndarray, np.ndarray]] = []

    def record(
        self,
        day: int,
        event: Event,
        ids: np.ndarray,
        cell: np.ndarray | int = -1,
        value: np.ndarray | float = np.nan,
    ) -> None:
        """Record `event` on `day` for every id in `ids` (with the cell and a value, if any)."""
        n = len(ids)
        if n == 0:
            return
        cells = np.broadcast_to(np.asarray(cell, dtype=np.int32), (n,))
        values = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,))
        self._batches.append((day, int(event), np.asarray(ids, np.int64), cells.copy(), values.copy()))

    def __len__(self) -> int:
        return sum(len(b[2]) for b in self._batches)

    def since(self, event: Event, day: int) -> tuple[np.ndarray, np.ndarray]:
        """Ids and cells of every `event` logged on or after `day` (for maps of recent happenings)."""
        found = [(b[2], b[3]) for b in self._batches if b[1] == event and b[0] >= day]
        if not found:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32)
        return np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found])

    def frame(self) -> pd.DataFrame:
        """The event log as a table: day, event, agent, id, cell, value."""
        if not self._batches:
            return pd.DataFrame(
                {
                    "day": pd.Series(dtype=np.int64),
                    "event": pd.Series(dtype=str),
                    "agent": pd.Series(dtype=str),
                    "id": pd.Series(dtype=np.int64),
                    "cell": pd.Series(dtype=np.int32),
                    "value": pd.Series(dtype=np.float64),
                }
            )
        sizes = [len(b[2]) for b in self._batches]
        days = np.repeat([b[0] for b in self._batches], sizes)
        codes = np.repeat([b[1] for b in self._batches], sizes)
        names = {int(e): e.name.lower() for e in Event}
        agents = {int(e): agent_of(e) for e in Event}
        return pd.DataFrame(
            {
                "day": days.astype(np.int64),
                "event": [names[c] for c in codes],
                "agent": [agents[c] for c in codes],
                "id": np.concatenate([b[2] for b in self._batches]),
                "cell": np.concatenate([b[3] for b in self._batches]),
                "value": np.concatenate([b[4] for b in self._batches]),
            }
        )


def yearly(daily: pd.DataFrame) -> pd.DataFrame:
    """Sum flows and average stocks over each simulated year (365-day blocks from day 0)."""
    year = (daily["day"] // 365 + 1).rename("year")
    names = [c.name for c in DAILY_COLUMNS if c.name in daily]
    flows = [n for n in names if COLUMN_BY_NAME[n].kind == FLOW]
    stocks = [n for n in names if COLUMN_BY_NAME[n].kind == STOCK]
    grouped = daily.groupby(year)
    table = pd.concat([grouped[flows].sum(), grouped[stocks].mean()], axis=1)[names]
    table.insert(0, "days", grouped.size())
    return table


def summarise(daily: pd.DataFrame) -> dict[str, float]:
    """Whole-run outcomes: totals of flows, means and final values of stocks, per-year rates."""
    years = len(daily) / 365.0
    summary: dict[str, float] = {"days": float(len(daily)), "years": years}
    for column in DAILY_COLUMNS:
        if column.name not in daily:
            continue
        values = daily[column.name].to_numpy(dtype=float)
        if column.kind == FLOW:
            summary[f"{column.name}_total"] = float(values.sum())
            summary[f"{column.name}_per_year"] = float(values.sum() / years) if years else 0.0
        else:
            summary[f"{column.name}_mean"] = float(values.mean()) if len(values) else 0.0
            summary[f"{column.name}_final"] = float(values[-1]) if len(values) else 0.0
    return summary
