"""What a run reports: the daily table, the event log, yearly sums and the whole-run summary.

Every daily column is declared once in `DAILY_COLUMNS` with its unit and whether it is a *flow*
(events that happen on the day, summed over a year) or a *stock* (a count at the end of the day,
averaged over a year). The documentation of the outputs is generated from this list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
    Column("became_dependent", "people", FLOW, "People using occasionally who became dependent today."),
    Column("ceased", "people", FLOW, "People using occasionally who stopped today."),
    Column("remissions", "people", FLOW, "People with dependent use who stopped on their own today."),
    Column("relapses", "people", FLOW, "People in recovery who returned to dependent use today."),
    # Market
    Column("active_dealers", "sellers", STOCK, "Street sellers working today."),
    Column("sellers_at_hotspots", "sellers", STOCK, "Street sellers standing at a known hotspot today."),
    Column(
        "sellers_next_to_hotspots",
        "sellers",
        STOCK,
        "Street sellers in a cell next to a hotspot today (where displaced sellers go first).",
    ),
    Column("sellers_elsewhere", "sellers", STOCK, "Street sellers neither at nor next to a hotspot today."),
    Column("dealer_slots", "positions", STOCK, "Selling positions that groups want filled."),
    Column("dealers_entered", "sellers", FLOW, "Recruits who started selling today."),
    Column("dealers_exited", "sellers", FLOW, "Sellers who left the market by choice today."),
    Column("dealers_displaced", "sellers", FLOW, "Sellers who moved cell under police pressure today."),
    Column("transactions", "purchases", FLOW, "Successful purchases today."),
    Column("failed_purchases", "attempts", FLOW, "Attempts to buy that found no seller in time."),
    Column("mean_search_time", "hours", STOCK, "Mean time a buyer spent finding a seller today (market access)."),
    Column("purity", "fraction", STOCK, "Street purity of the day's supply."),
    Column("street_price", "GBP/gram", STOCK, "Street price of a gram of heroin, set by sellers to cover their risk."),
    Column("purity_adjusted_price", "GBP/pure gram", STOCK, "Street price per gram of pure heroin."),
    Column(
        "full_price_index",
        "ratio",
        STOCK,
        "Full price of a day's drugs for a person with dependent use (money at the purity-adjusted price "
        "plus time searching) relative to the settled default town (1).",
    ),
    Column("dependent_spend", "GBP/day", STOCK, "What a person with dependent use spends on a day they buy."),
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
        "People with dependent use who looked for drugs today and found no seller in time.",
    ),
    Column(
        "withdrawal_days",
        "person-days",
        FLOW,
        "People with dependent use who went without opioids today after a failed purchase "
        "(withdrawal; tolerance falls).",
    ),
    Column("withdrawal_spells", "spells", FLOW, "Runs of days without opioids that started today."),
    Column(
        "unfamiliar_supply_use",
        "people",
        FLOW,
        "People with dependent use who could not buy and used opioids of unknown strength from an unfamiliar source.",
    ),
    Column(
        "other_drug_use", "people", FLOW, "People with dependent use who could not buy and used other drugs instead."
    ),
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
        "hotspot_operation_arrests",
        "arrests",
        FLOW,
        "Sellers arrested in one-off hotspot operations (scenario operations; part of dealer_arrests).",
    ),
    Column(
        "operation_support_hours",
        "officer-hours",
        FLOW,
        "Hours of officers brought in for one-off hotspot operations (not the drug team's; costed as police time).",
    ),
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
    Column("identified_dealers", "sellers", STOCK, "Active sellers identified by the programme's analysis."),
    Column("dealer_call_ins", "sellers", FLOW, "Sellers called in today."),
    Column("person_call_ins", "people", FLOW, "People who use drugs called in with an offer of services today."),
    Column("group_sanctions", "groups", FLOW, "Groups placed under a group sanction today."),
    Column(
        "mean_credibility",
        "fraction",
        STOCK,
        "Mean credibility of focused deterrence among groups warned at a call-in: their belief that "
        "promised sanctions follow (the prior, `deterrence.credibility_prior`, when no group is warned).",
    ),
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
    Column("prison_population", "people", STOCK, "People in prison from the town's market, who use drugs or sell."),
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
    Column("cost_total", "GBP", FLOW, "Costs to all agencies (the sum of the costs above)."),
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
