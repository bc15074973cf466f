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
    # People who could not buy
    Column(
        "dependent_failed_purchases",
        "attempts",
        FLOW,
        "Dependent users who looked for drugs today and found no seller in time.",
    ),
    Column(
        "withdrawal_days",
        "person-days",
        FLOW,
        "Dependent users who went without opioids today after a failed purchase (withdrawal; tolerance falls).",
    ),
    Column("withdrawal_spells", "spells", FLOW, "Runs of days without opioids that started today."),
    Column(
        "unfamiliar_supply_use",
        "people",
        FLOW,
        "Dependent users who could not buy and used opioids of unknown strength from an unfamiliar source.",
    ),
    Column("other_drug_use", "people", FLOW, "Dependent users who could not buy and used other drugs instead."),
    Column(
        "withdrawal_treatment_prompts",
        "people",
        FLOW,
        "People whose treatment readiness rose today because of a spell without opioids.",
    ),
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
    # Prevalence including treatment and prison
    Column(
        "dependent_use_total",
        "people",
        STOCK,
        "People with dependent use of opiates and/or crack wherever they are: using on the street, in "
        "treatment, in custody or in prison (the OCU prevalence measure).",
    ),
    Column("ocu_per_1000", "per 1,000 aged 15-64", STOCK, "dependent_use_total per 1,000 residents aged 15 to 64."),
    # Treatment
    Column("in_ost", "people", STOCK, "People in community treatment with opioid substitution therapy."),
    Column("in_residential", "people", STOCK, "People in residential treatment or detox."),
    Column("in_treatment", "people", STOCK, "People in community or residential treatment."),
    Column("on_prison_ost", "people", STOCK, "People on OST in prison or on remand."),
    Column("waiting_list", "people", STOCK, "People waiting for a community treatment place (or appointment)."),
    Column(
        "mean_wait_days",
        "days",
        STOCK,
        "Mean days waited by non-priority entrants admitted over the last 28 days (0 if none).",
    ),
    Column(
        "treatment_referrals",
        "people",
        FLOW,
        "People put on the waiting list today, all routes (self, custody, diversion, court, prison, outreach).",
    ),
    Column(
        "first_appointments_missed",
        "people",
        FLOW,
        "Self- and outreach referrals who did not attend their first appointment (left the list).",
    ),
    Column("waiting_list_dropouts", "people", FLOW, "People who gave up waiting."),
    Column("treatment_capacity", "places", STOCK, "Community places: keyworkers in post x caseload limit."),
    Column("keyworkers_in_post", "keyworkers", STOCK, "Keyworkers in post."),
    Column("keyworker_vacancies", "posts", STOCK, "Funded keyworker posts vacant."),
    Column("keyworkers_hired", "keyworkers", FLOW, "Keyworkers appointed today."),
    Column("keyworkers_left", "keyworkers", FLOW, "Keyworkers who left today."),
    Column("caseload_per_keyworker", "people", STOCK, "People on OST per keyworker in post."),
    Column("treatment_entries", "people", FLOW, "Entries to community treatment (all routes)."),
    Column("entries_self", "people", FLOW, "Entries after self-referral."),
    Column("entries_custody", "people", FLOW, "Entries after a custody drug worker's referral."),
    Column("entries_diversion", "people", FLOW, "Entries to meet an out-of-court disposal's treatment condition."),
    Column("entries_court", "people", FLOW, "Entries under a court order (drug rehabilitation requirement)."),
    Column("entries_prison", "people", FLOW, "Entries on release from prison or remand."),
    Column("entries_outreach", "people", FLOW, "Entries after outreach or street triage."),
    Column("waiting_days_of_entrants", "days", FLOW, "Days waited, summed over today's entrants."),
    Column("exits_completed", "people", FLOW, "Planned completions of OST (after a taper) into recovery."),
    Column("exits_dropped_out", "people", FLOW, "Unplanned exits from OST."),
    Column("exits_prison", "people", FLOW, "People leaving community treatment for remand or prison."),
    Column("exits_died", "people", FLOW, "Deaths of people in community or residential treatment."),
    Column("exits_residential", "people", FLOW, "People leaving OST for a residential place."),
    Column("residential_entries", "people", FLOW, "Admissions to residential treatment."),
    Column("residential_exits", "people", FLOW, "Departures from residential treatment (completed or early)."),
    Column("naloxone_kits", "kits", FLOW, "Naloxone kits given to people who use drugs."),
    Column("family_naloxone_kits", "kits", FLOW, "Naloxone kits given to families."),
    Column(
        "naloxone_coverage", "fraction", STOCK, "Share of people with dependent use out of treatment holding a kit."
    ),
    Column("outreach_contacts", "contacts", FLOW, "Outreach and street-triage contacts."),
    Column("health_worker_hours", "worker-hours", FLOW, "Outreach and street-triage health worker hours."),
    # Custody and the justice pathway
    Column("custody_arrivals", "detentions", FLOW, "Arrivals in custody (people who use drugs and sellers)."),
    Column("custody_hours", "detainee-hours", FLOW, "Hours of detention begun today."),
    Column("in_custody", "people", STOCK, "People who use drugs held in custody overnight."),
    Column("custody_drug_worker_hours", "worker-hours", FLOW, "Custody drug-worker hours on shifts starting today."),
    Column("drug_worker_assessments", "people", FLOW, "Detainees assessed by a custody drug worker."),
    Column("custody_referrals", "people", FLOW, "Referrals to treatment made by custody drug workers."),
    Column("diversions", "people", FLOW, "Out-of-court disposals with a treatment condition."),
    Column("diversion_completions", "people", FLOW, "Treatment conditions met."),
    Column("diversion_breaches", "people", FLOW, "Treatment conditions breached (case goes to charge)."),
    Column("community_resolutions", "people", FLOW, "Community resolutions without a treatment condition."),
    Column("no_further_action", "people", FLOW, "Arrests of people who use drugs ending with no further action."),
    Column("charge_decisions", "cases", FLOW, "Charging decisions made (people and sellers)."),
    Column("charges", "cases", FLOW, "Cases charged."),
    Column("crown_court_charges", "cases", FLOW, "Charged cases sent to the Crown Court."),
    Column("charge_delay_days", "days", FLOW, "Days from arrest to charge, summed over today's charges."),
    Column("mean_charge_delay", "days", STOCK, "Mean days from arrest to charge over charges in the last 28 days."),
    Column("awaiting_charge", "cases", STOCK, "Cases awaiting a charging decision."),
    Column("on_bail", "cases", STOCK, "Charged cases on bail awaiting court."),
    Column("remands", "people", FLOW, "People who use drugs remanded in custody."),
    Column("seller_remands", "sellers", FLOW, "Sellers remanded in custody."),
    Column("court_cases", "cases", FLOW, "Cases heard to an outcome."),
    Column("crown_court_cases", "cases", FLOW, "Cases heard in the Crown Court."),
    Column("community_orders", "people", FLOW, "Community sentences for people who use drugs."),
    Column("treatment_requirements", "people", FLOW, "Community orders with a drug rehabilitation requirement."),
    Column("on_treatment_orders", "people", STOCK, "People serving a drug rehabilitation requirement."),
    Column("orders_completed", "people", FLOW, "Drug rehabilitation requirements completed."),
    Column("order_breaches", "people", FLOW, "Orders breached and returned to court."),
    Column("prison_sentences", "people", FLOW, "People who use drugs sentenced to prison."),
    Column("seller_prison_sentences", "sellers", FLOW, "Sellers sentenced to prison."),
    Column("on_remand", "people", STOCK, "People who use drugs on remand."),
    Column("in_prison", "people", STOCK, "People who use drugs serving a sentence."),
    Column("sellers_in_prison", "sellers", STOCK, "Street sellers on remand or serving a sentence."),
    Column("prison_population", "prisoners", STOCK, "Prisoners from the town's market: people and sellers."),
    Column("prison_releases", "people", FLOW, "Releases of sentenced people who use drugs."),
    Column("remand_releases", "people", FLOW, "Releases from remand (at short notice, without probation)."),
    Column("friday_releases", "people", FLOW, "Releases (sentence or remand) on a Friday."),
    Column("releases_with_appointment", "people", FLOW, "Releases with OST continued or a first appointment booked."),
    Column(
        "release_appointment_gap_days",
        "days",
        FLOW,
        "Days from release to the first treatment appointment, summed over today's releases with one.",
    ),
    Column("sellers_released", "sellers", FLOW, "Sellers released from prison or remand."),
    Column("sellers_returned", "sellers", FLOW, "Released sellers who went back to their group."),
    # Costs by agency (GBP at 2024/25 prices; see sim/model/costs.py for each unit cost and source)
    Column("cost_police", "GBP", FLOW, "Police officer time, with the overtime premium."),
    Column("cost_custody", "GBP", FLOW, "Police custody detention."),
    Column("cost_prosecution", "GBP", FLOW, "Prosecution (CPS) of charged cases."),
    Column("cost_courts", "GBP", FLOW, "Court hearings (HMCTS)."),
    Column("cost_prison", "GBP", FLOW, "Prison places for people and sellers from the market (HMPPS)."),
    Column(
        "cost_treatment",
        "GBP",
        FLOW,
        "Drug treatment: community OST, residential, prison OST medication, custody drug workers, outreach.",
    ),
    Column("cost_naloxone", "GBP", FLOW, "Take-home naloxone kits."),
    Column("cost_emergency", "GBP", FLOW, "Ambulance and emergency department care for overdoses (NHS)."),
    Column("cost_total", "GBP", FLOW, "All agencies' costs above."),
)

COLUMN_BY_NAME = {c.name: c for c in DAILY_COLUMNS}


class Recorder:
    """Collects one row per day into a preallocated array; modules add to today's counts."""

    def __init__(self, n_days: int, columns: tuple[Column, ...] = DAILY_COLUMNS) -> None:
        self.columns = columns
        self._index = {c.name: i for i, c in enumerate(columns)}
        self._rows = np.zeros((n_days, len(columns)))
        # A plain list: the model adds to today's counts about a hundred times a day, and a list
        # element is much cheaper to update than a numpy scalar.
        self._today = [0.0] * len(columns)
        self.days_recorded = 0

    def add(self, name: str, amount: float) -> None:
        """Add to a flow column for today."""
        self._today[self._index[name]] += amount

    def set(self, name: str, value: float) -> None:
        """Set a stock column for today."""
        self._today[self._index[name]] = value

    def value(self, name: str) -> float:
        """Today's value so far of a column (costs are counted from the day's other columns)."""
        return float(self._today[self._index[name]])

    def close_day(self) -> None:
        """Store today's row and start a fresh one."""
        self._rows[self.days_recorded] = self._today
        self._today = [0.0] * len(self.columns)
        self.days_recorded += 1

    def last(self, name: str, days: int = 1) -> np.ndarray:
        """The last `days` recorded values of a column (for feedback such as recent deaths)."""
        end = self.days_recorded
        return self._rows[max(0, end - days) : end, self._index[name]]

    def frame(self, start: dt.date) -> pd.DataFrame:
        """The daily table: day, date, weekday, then every declared column."""
        n = self.days_recorded
        dates = pd.date_range(start, periods=n, freq="D")
        counts = self._rows[:n]
        # Built in one go (over a hundred columns): whole-number columns as integers.
        data: dict[str, object] = {"day": np.arange(n), "date": dates, "weekday": dates.day_name()}
        for i, column in enumerate(self.columns):
            values = counts[:, i]
            data[column.name] = values.astype(np.int64) if np.all(values % 1.0 == 0.0) else values.copy()
        return pd.DataFrame(data)


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
    WENT_WITHOUT = 11
    UNFAMILIAR_SUPPLY = 12
    OTHER_DRUGS = 13
    DEALER_ENTERED = 20
    DEALER_EXITED = 21
    DEALER_ARRESTED = 22
    DEALER_DISPLACED = 23
    # Focused deterrence
    DEALER_IDENTIFIED = 24
    DEALER_CALLED_IN = 25
    DEALER_SANCTIONED = 26
    # Police officers (ids are officer rows, not people or sellers)
    OFFICER_JOINED = 40
    OFFICER_LEFT = 41
    OFFICER_SICK = 42
    OVERTIME_WORKED = 43
    OFFICER_MADE_ARREST = 44
    OFFICER_REDEPLOYED = 45
    # Focused deterrence, people who use drugs
    PERSON_CALLED_IN = 60
    # The justice pathway for sellers
    DEALER_NO_FURTHER_ACTION = 30
    DEALER_CHARGED = 31
    DEALER_NOT_CHARGED = 32
    DEALER_BAILED = 33
    DEALER_REMANDED = 34
    DEALER_ACQUITTED = 35
    DEALER_SENTENCED = 36
    DEALER_RELEASED = 37
    # Custody, diversion, courts and prison for people who use drugs
    CUSTODY_ARRIVAL = 70
    DRUG_WORKER_ASSESSMENT = 71
    CUSTODY_REFERRAL = 72
    DIVERTED = 73
    DIVERSION_COMPLETED = 74
    DIVERSION_BREACHED = 75
    COMMUNITY_RESOLUTION = 76
    NO_FURTHER_ACTION = 77
    CHARGED = 78
    NOT_CHARGED = 79
    BAILED = 80
    REMANDED = 81
    ACQUITTED = 82
    COMMUNITY_ORDER = 83
    SENTENCED_TO_PRISON = 84
    ORDER_COMPLETED = 85
    ORDER_BREACHED = 86
    PRISON_TREATMENT_STARTED = 87
    RELEASED_FROM_PRISON = 88
    RELEASED_FROM_REMAND = 89
    # Treatment
    JOINED_WAITING_LIST = 90
    LEFT_WAITING_LIST = 91
    ENTERED_TREATMENT = 92
    LEFT_TREATMENT = 93
    ENTERED_RESIDENTIAL = 94
    LEFT_RESIDENTIAL = 95
    NALOXONE_KIT = 96
    OUTREACH_CONTACT = 97


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
    Event.WENT_WITHOUT: "tolerance at the first failed purchase of a spell without opioids (0 to 1)",
    Event.UNFAMILIAR_SUPPLY: "tolerance at the time (0 to 1)",
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
    Event.DEALER_CHARGED: "days from arrest to the charging decision",
    Event.DEALER_NOT_CHARGED: "days from arrest to the charging decision",
    Event.DEALER_SENTENCED: "days to serve in prison (0 = non-custodial sentence)",
    Event.DEALER_RELEASED: "1 = went back to their group, 0 = left the trade",
    Event.CUSTODY_ARRIVAL: "hour of arrival (0-24, fractional)",
    Event.DRUG_WORKER_ASSESSMENT: "hours detained",
    Event.DIVERTED: "days allowed to meet the treatment condition",
    Event.CHARGED: "days from arrest to the charging decision (the charge delay)",
    Event.NOT_CHARGED: "days from arrest to the charging decision",
    Event.COMMUNITY_ORDER: "1 = with a drug rehabilitation requirement, 0 = without",
    Event.SENTENCED_TO_PRISON: "days to serve in prison",
    Event.RELEASED_FROM_PRISON: "days from release to the first treatment appointment (0 = OST continued; "
    "empty = none booked)",
    Event.RELEASED_FROM_REMAND: "days from release to the first treatment appointment (0 = OST continued; "
    "empty = none booked)",
    Event.JOINED_WAITING_LIST: "route (0 self, 1 custody, 2 diversion, 3 court, 4 prison, 5 outreach)",
    Event.LEFT_WAITING_LIST: "days waited",
    Event.ENTERED_TREATMENT: "route (0 self, 1 custody, 2 diversion, 3 court, 4 prison, 5 outreach)",
    Event.LEFT_TREATMENT: "reason (0 completed, 1 dropped out, 2 prison, 3 died, 4 to residential)",
    Event.LEFT_RESIDENTIAL: "1 = completed, 0 = left early",
    Event.NALOXONE_KIT: "0 = to the person, 1 = to their family",
}


class EventLog:
    """Append-only log of individual events, stored as column batches for speed."""

    def __init__(self) -> None:
        # (day, event, ids, cells, values); a cell or value shared by the whole batch is kept as
        # one number and spread over the batch only when the log is read.
        self._batches: list[tuple[int, int, np.ndarray, np.ndarray | int, np.ndarray | float]] = []

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
        # Copies, so later changes to the caller's arrays do not rewrite history.
        cells = np.array(cell, dtype=np.int32) if isinstance(cell, np.ndarray) else int(cell)
        values = np.array(value, dtype=np.float64) if isinstance(value, np.ndarray) else float(value)
        self._batches.append((day, int(event), np.array(ids, dtype=np.int64), cells, values))

    @staticmethod
    def _column(batches: list, column: int, dtype: type) -> np.ndarray:
        """One column of `batches` as a single array (numbers shared by a batch spread over it)."""
        sizes = [len(b[2]) for b in batches]
        shared = [0 if isinstance(b[column], np.ndarray) else b[column] for b in batches]
        out = np.repeat(np.array(shared, dtype=dtype), sizes)
        end = np.cumsum(sizes)
        for batch, stop, size in zip(batches, end.tolist(), sizes, strict=True):
            if isinstance(batch[column], np.ndarray):
                out[stop - size : stop] = batch[column]
        return out

    def __len__(self) -> int:
        return sum(len(b[2]) for b in self._batches)

    def since(self, event: Event, day: int) -> tuple[np.ndarray, np.ndarray]:
        """Ids and cells of every `event` logged on or after `day` (for maps of recent happenings)."""
        found = [b for b in self._batches if b[1] == event and b[0] >= day]
        if not found:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32)
        return np.concatenate([b[2] for b in found]), self._column(found, 3, np.int32)

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
                "cell": self._column(self._batches, 3, np.int32),
                "value": self._column(self._batches, 4, np.float64),
            }
        )


def yearly(daily: pd.DataFrame) -> pd.DataFrame:
    """Sum flows and average stocks over each simulated year (365-day blocks from day 0)."""
    year = (daily["day"] // 365 + 1).rename("year")
    names = [c.name for c in DAILY_COLUMNS if c.name in daily]
    flows = [n for n in names if COLUMN_BY_NAME[n].kind == FLOW]
    stocks = [n for n in names if COLUMN_BY_NAME[n].kind == STOCK]
    grouped = daily.groupby(year)
    parts = [grouped.size().rename("days"), grouped[flows].sum(), grouped[stocks].mean()]
    return pd.concat(parts, axis=1)[["days", *names]]


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
