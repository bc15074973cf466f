"""Costs by agency, counted each day from the day's activity, and cost per death averted.

Unit costs are parameters in 2024/25 prices. Published figures come in different price bases,
so each default is the published figure uprated with an approximate GDP deflator factor to
2024/25 (stated in its documentation: 2000/01 x1.9, 2010/11 x1.45, 2012/13 x1.4, 2014/15 x1.36,
2020/21 x1.16, 2022/23 x1.08). These factors are approximations to HM Treasury's GDP deflator
series; a planner with local prices should set the unit costs directly.

Treatment is priced per person-week by type (community OST, residential, OST in prison), so a
funded post left vacant costs nothing here: the money not spent on an unfilled expansion is
visible, and so is the absence of its benefit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from sim.model.outcomes import Recorder
from sim.model.params import Section, param

#: Daily cost columns and the agency that bears each.
AGENCY_COLUMNS = {
    "cost_police": "police (officer time)",
    "cost_custody": "police (custody suites)",
    "cost_prosecution": "Crown Prosecution Service",
    "cost_courts": "HM Courts and Tribunals Service",
    "cost_prison": "HM Prison and Probation Service",
    "cost_treatment": "local authority public health (drug treatment)",
    "cost_naloxone": "local authority public health (naloxone)",
    "cost_emergency": "NHS (ambulance and emergency department)",
}


class CostParams(Section):
    """Unit costs (GBP, 2024/25 prices)."""

    officer_hour: float = param(
        52.0,
        unit="GBP/hour",
        doc="Cost of a constable's or sergeant's hour with on-costs.",
        source="assumption: Home Office figure of about GBP 36.50 in 2013/14 prices, roughly GBP 50-55 in 2024/25 "
        "after pay awards; publication not yet traced",
        plausible=(45.0, 60.0),
        ge=0.0,
    )
    overtime_multiplier: float = param(
        4.0 / 3.0,
        unit="ratio",
        doc="Pay for an overtime hour relative to a rostered hour (officer_hours include overtime "
        "hours; the premium is added on those).",
        source="overtime at time and a third (Police Regulations 2003, Annex G)",
        plausible=(1.333, 2.0),
        ge=1.0,
    )
    custody_hour: float = param(
        25.0,
        unit="GBP/detainee-hour",
        doc="Cost of an hour of police custody.",
        source="assumption: one force's GBP 150 for the first 8 hours, GBP 440 for 24 hours, 2014/15; x1.36",
        plausible=(15.0, 40.0),
        ge=0.0,
    )
    prosecution_magistrates: float = param(
        210.0,
        unit="GBP/defendant",
        doc="Prosecution cost of a case in a magistrates' court.",
        source="assumption: about GBP 110 per defendant, 2000/01, publication not yet traced; x1.9",
        plausible=(150.0, 400.0),
        ge=0.0,
    )
    prosecution_crown: float = param(
        2_070.0,
        unit="GBP/defendant",
        doc="Prosecution cost of a case in the Crown Court.",
        source="assumption: about GBP 1,090 per defendant, 2000/01, publication not yet traced; x1.9",
        plausible=(1_500.0, 4_000.0),
        ge=0.0,
    )
    court_magistrates: float = param(
        245.0,
        unit="GBP/case",
        doc="Court cost of a magistrates' court case.",
        source="assumption: about GBP 170 per case, 2010/11, publication not yet traced; x1.45",
        plausible=(150.0, 400.0),
        ge=0.0,
    )
    court_crown: float = param(
        2_090.0,
        unit="GBP/case",
        doc="Court cost of a Crown Court case.",
        source="assumption: about GBP 1,440 per case, 2010/11, publication not yet traced; x1.45",
        plausible=(1_500.0, 4_000.0),
        ge=0.0,
    )
    prison_place_year: float = param(
        55_800.0,
        unit="GBP/prisoner-year",
        doc="Cost of a prison place for a year (remand or sentenced).",
        source="about GBP 51,700 per prisoner a year, 2022/23 (Ministry of Justice 2023); x1.08",
        plausible=(45_000.0, 65_000.0),
        ge=0.0,
    )
    community_treatment_year: float = param(
        2_730.0,
        unit="GBP/person-year",
        doc="Community drug treatment per person in contact for a year (keyworkers, premises, psychosocial).",
        source="assumption: about GBP 2,350 per person a year, 2020/21, derived from national spend; x1.16",
        plausible=(2_000.0, 4_000.0),
        ge=0.0,
    )
    ost_medication_year: float = param(
        1_090.0,
        unit="GBP/patient-year",
        doc="OST medication and supervised dispensing for a year (community or prison).",
        source="assumption: about GBP 940 per patient-year, price base taken as 2020/21; x1.16",
        plausible=(700.0, 1_500.0),
        ge=0.0,
    )
    residential_week: float = param(
        840.0,
        unit="GBP/bed-week",
        doc="A week in residential rehabilitation or detox.",
        source="about GBP 600 a week, 2012 (Curtis 2012); x1.4",
        plausible=(600.0, 1_500.0),
        ge=0.0,
    )
    drug_worker_hour: float = param(
        35.0,
        unit="GBP/hour",
        doc="An hour of a custody drug worker, outreach worker or street-triage worker with on-costs.",
        plausible=(25.0, 50.0),
        ge=0.0,
    )
    naloxone_kit: float = param(
        20.0,
        unit="GBP/kit",
        doc="A take-home naloxone kit.",
        source="assumption: about GBP 20; price base not stated, taken as current",
        plausible=(15.0, 35.0),
        ge=0.0,
    )
    overdose_response: float = param(
        450.0,
        unit="GBP/overdose attended",
        doc="Ambulance call-out and emergency department attendance for an overdose.",
        source="assumption: ambulance about GBP 216-270, A&E about GBP 115-310; price bases not stated",
        plausible=(300.0, 600.0),
        ge=0.0,
    )
    overdose_attended_share: float = param(
        0.7,
        unit="fraction",
        doc="Share of overdoses that an ambulance attends.",
        plausible=(0.4, 0.9),
        ge=0.0,
        le=1.0,
    )


class Costs:
    """Prices the day's activity for each agency (reads the day's row before it closes)."""

    def __init__(self, params: CostParams, record: Recorder) -> None:
        self.p = params
        self.record = record

    def count(self) -> None:
        p, v, record = self.p, self.record.value, self.record
        hours = v("officer_hours") + v("operation_support_hours")
        police = hours * p.officer_hour + v("overtime_hours") * p.officer_hour * (p.overtime_multiplier - 1.0)
        custody = v("custody_hours") * p.custody_hour
        crown_charges = v("crown_court_charges")
        prosecution = (v("charges") - crown_charges) * p.prosecution_magistrates + crown_charges * p.prosecution_crown
        crown_cases = v("crown_court_cases")
        courts = (v("court_cases") - crown_cases) * p.court_magistrates + crown_cases * p.court_crown
        prison = v("prison_population") * p.prison_place_year / 365.25
        treatment = (
            v("in_ost") * (p.community_treatment_year + p.ost_medication_year) / 365.25
            + v("on_prison_ost") * p.ost_medication_year / 365.25
            + v("in_residential") * p.residential_week / 7.0
            + (v("custody_drug_worker_hours") + v("health_worker_hours")) * p.drug_worker_hour
        )
        naloxone = (v("naloxone_kits") + v("family_naloxone_kits")) * p.naloxone_kit
        emergency = v("overdoses") * p.overdose_attended_share * p.overdose_response
        parts = {
            "cost_police": police,
            "cost_custody": custody,
            "cost_prosecution": prosecution,
            "cost_courts": courts,
            "cost_prison": prison,
            "cost_treatment": treatment,
            "cost_naloxone": naloxone,
            "cost_emergency": emergency,
        }
        for name, amount in parts.items():
            record.add(name, amount)
        record.add("cost_total", sum(parts.values()))


def cost_per_death_averted(
    policy_summary: Mapping[str, float],
    baseline_summary: Mapping[str, float],
    deaths: str = "overdose_deaths_total",
    cost: str = "cost_total_total",
) -> float:
    """Extra cost of a policy per drug death it averts against a baseline run (GBP per death).

    Both summaries are `RunResult.summary` dicts (or means across replicates) over the same
    horizon. Returns NaN when the policy averts no deaths (the ratio means nothing then: report
    the cost difference and the deaths separately). A negative value means the policy saves
    money and lives.
    """
    averted = baseline_summary[deaths] - policy_summary[deaths]
    extra = policy_summary[cost] - baseline_summary[cost]
    if averted <= 0:
        return math.nan
    return extra / averted
