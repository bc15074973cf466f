"""The scenario's `treatment` section: every number the treatment service uses, with its unit,
plausible range and source, declared once so the schema, docs and sweeps read the same values.
"""

from __future__ import annotations

from sim.model.params import Section, param


class TreatmentParams(Section):
    """Community treatment, residential places, recovery support, outreach and naloxone."""

    # -- staff and capacity ---------------------------------------------------------------------
    keyworkers: int = param(
        18,
        unit="posts",
        doc="Funded keyworker posts in community drug treatment.",
        source="sized so keyworkers x caseload limit leave room above the about 40% of the town's OCUs in "
        "treatment (OHID 2023): at baseline most starts wait days, not weeks (OHID 2023)",
        plausible=(8, 40),
        ge=0,
        le=5_000,
    )
    caseload_limit: float = param(
        55.0,
        unit="people per keyworker",
        doc="People a keyworker in post takes on before new (non-priority) admissions wait.",
        source="good practice about 40 per worker; real caseloads of 50 to 100 reported (Black 2021)",
        plausible=(40.0, 100.0),
        gt=0.0,
    )
    good_practice_caseload: float = param(
        40.0,
        unit="people per keyworker",
        doc="Caseload above which drop-out rises (see caseload_dropout_slope).",
        source="good practice about 40 per worker (Black 2021)",
        plausible=(30.0, 50.0),
        gt=0.0,
    )
    caseload_dropout_slope: float = param(
        0.5,
        unit="ratio",
        doc="Drop-out rises by this fraction for each 100% that caseloads exceed good practice.",
        plausible=(0.0, 1.5),
        ge=0.0,
    )
    keyworker_turnover_per_year: float = param(
        0.2, unit="1/year", doc="Hazard of a keyworker leaving their post.", plausible=(0.1, 0.35), ge=0.0
    )
    hiring_delay_days: float = param(
        120.0,
        unit="days",
        doc="Mean time to fill a vacant post that can be filled (advert, interview, vetting, notice).",
        plausible=(60.0, 240.0),
        gt=0.0,
    )
    qualified_staff_available: int = param(
        19,
        unit="keyworkers",
        doc="Qualified keyworkers the local labour market can supply to the service: the most that can "
        "be in post. Funding posts above it leaves them vacant (an expansion without the staff to fill "
        "it); a recruitment drive or training places raise it.",
        source="assumption; ADDER areas reported difficulty recruiting specialist staff (College of Policing 2022)",
        plausible=(10, 60),
        ge=0,
        le=5_000,
    )
    initial_vacancy_share: float = param(
        0.06, unit="fraction", doc="Share of posts vacant at the start.", plausible=(0.0, 0.3), ge=0.0, le=1.0
    )
    priority_over_capacity: bool = param(
        True,
        unit="yes/no",
        doc="Admit criminal-justice priority routes (court orders, release appointments, "
        "diversion conditions) even when caseloads are full, stretching them.",
    )
    open_weekends: bool = param(
        False,
        unit="yes/no",
        doc="Services admit, prescribe and hold first appointments at weekends (otherwise weekdays only).",
    )
    weekend_bridging_share: float = param(
        0.5,
        unit="fraction",
        doc="Share of people released with a community prescription arranged, on a day before services "
        "close, given take-home doses to bridge to the next open day; the rest go without OST until then.",
        source="assumption; Friday releases before a closed weekend named as a risk to continuity of care "
        "(College of Policing 2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    # -- demand ----------------------------------------------------------------------------------
    self_referral_per_year: float = param(
        0.15,
        unit="1/year",
        doc="Hazard of a person with dependent use out of treatment asking for it, at readiness 1.",
        source="calibrated so about 40% of OCUs are in treatment at a time (138,604 of ~341,000: OHID 2023, Hay et "
        "al. 2019); recalibrated from 0.085 once concentrated offending sent fewer distinct people through the "
        "criminal-justice routes (0.40 over 5 years, in treatment steady near the 850 at the start)",
        plausible=(0.05, 0.4),
        ge=0.0,
    )
    waiting_dropout_per_year: float = param(
        2.0,
        unit="1/year",
        doc="Hazard of giving up while waiting for a non-priority place.",
        plausible=(0.5, 6.0),
        ge=0.0,
    )
    first_appointment_days: int = param(
        1,
        unit="days",
        doc="Days from a self- or outreach referral to the first appointment (assessment), moved on to "
        "the next day services are open; places are offered from that appointment.",
        source="opiate clients wait 1-2 days on average from referral to their first intervention (OHID 2023)",
        plausible=(0, 14),
        ge=0,
        le=90,
    )
    self_referral_attendance: float = param(
        0.75,
        unit="probability",
        doc="Chance a person who asked for treatment attends the first appointment, at readiness 1. "
        "Readier people attend more: the chance at readiness r is 1 - (1 - this)^r. Those who do not "
        "attend leave the list (they may ask again).",
        source="assumption; not attending a first appointment is a common barrier to engaging (Black 2021)",
        plausible=(0.5, 0.95),
        ge=0.0,
        le=1.0,
    )
    outreach_attendance: float = param(
        0.35,
        unit="probability",
        doc="The same for people referred by outreach or street triage (they were met, not asking).",
        source="assumption; set so referrals that people did not seek convert to few entries: ADDER raised "
        "referrals but not opiate treatment entries (Home Office 2025)",
        plausible=(0.15, 0.7),
        ge=0.0,
        le=1.0,
    )
    readiness_half_life_days: float = param(
        60.0,
        unit="days",
        doc="Half-life of a raised readiness for treatment as it fades back to 1.",
        plausible=(14.0, 180.0),
        gt=0.0,
    )
    readiness_cap: float = param(
        10.0, unit="ratio", doc="Highest readiness multiplier that repeated prompts can build.", ge=1.0
    )
    overdose_readiness_factor: float = param(
        2.0,
        unit="ratio",
        doc="Readiness multiplier after surviving an overdose.",
        source="assumption: treatment seeking rises after a non-fatal overdose; size assumed",
        plausible=(1.0, 4.0),
        ge=1.0,
    )
    outreach_workers: float = param(
        2.0,
        unit="FTE",
        doc="Outreach workers meeting people who use drugs on the street.",
        plausible=(0.0, 10.0),
        ge=0,
        le=1_000,
    )
    outreach_contacts_per_worker_day: float = param(
        4.0, unit="contacts/day", doc="Contacts an outreach worker makes on a working day.", plausible=(1.0, 10.0), ge=0
    )
    outreach_hours_per_day: float = param(
        7.5, unit="hours", doc="Paid hours of an outreach worker's working day (weekdays).", plausible=(6.0, 8.0), ge=0
    )
    outreach_readiness_factor: float = param(
        1.5, unit="ratio", doc="Readiness multiplier after an outreach contact.", plausible=(1.0, 3.0), ge=1.0
    )
    outreach_referral_share: float = param(
        0.05,
        unit="fraction",
        doc="Share of outreach contacts that lead to a referral onto the waiting list.",
        plausible=(0.01, 0.3),
        ge=0.0,
        le=1.0,
    )
    street_triage_hours_per_week: float = param(
        0.0,
        unit="hours/week",
        doc="Hours a week officers patrol with a drug or mental health worker (street triage).",
        source="street triage with officers named as useful in ADDER (College of Policing 2022)",
        plausible=(0.0, 40.0),
        ge=0.0,
    )
    triage_contacts_per_hour: float = param(
        0.5, unit="contacts/hour", doc="People met per street-triage hour.", plausible=(0.2, 2.0), ge=0.0
    )
    triage_referral_share: float = param(
        0.3,
        unit="fraction",
        doc="Share of street-triage contacts referred onto the waiting list.",
        plausible=(0.1, 0.6),
        ge=0.0,
        le=1.0,
    )
    family_support_per_year: float = param(
        0.05,
        unit="1/year",
        doc="Rate at which families of people with dependent use out of treatment are reached by "
        "family support services (raises readiness; may bring a family naloxone kit).",
        source="assumption; support for families named in the ADDER lessons (College of Policing 2022)",
        plausible=(0.0, 0.3),
        ge=0.0,
    )
    family_readiness_factor: float = param(
        1.5, unit="ratio", doc="Readiness multiplier when the family is involved.", plausible=(1.0, 3.0), ge=1.0
    )
    # -- OST ---------------------------------------------------------------------------------------
    initial_in_ost: int = param(
        850,
        unit="people",
        doc="People in community treatment (OST) at the start.",
        source="about 40% of OCUs in treatment at a time (OHID 2023): 850 of about 2,050, near the baseline's "
        "steady state",
        plausible=(0, 2_000),
        ge=0,
        le=200_000,
    )
    titration_days: float = param(
        28.0, unit="days", doc="Days to reach an adequate OST dose.", plausible=(14.0, 56.0), gt=0.0
    )
    induction_top_up: float = param(
        0.5,
        unit="probability/day",
        doc="Chance of buying street drugs on a day at the start of OST (falls to the stable "
        "chance as the dose is titrated).",
        plausible=(0.2, 0.8),
        ge=0.0,
        le=1.0,
    )
    stable_top_up: float = param(
        0.08,
        unit="probability/day",
        doc="Chance of buying street drugs on a day once the OST dose is adequate.",
        source="set so deaths on OST are about half those off it (Cornish et al. 2010: 0.7 vs 1.3 per 100 PY)",
        plausible=(0.02, 0.25),
        ge=0.0,
        le=1.0,
    )
    induction_unmatched_load: float = param(
        0.15,
        unit="street doses",
        doc="Opioid load of a new OST dose not yet matched by tolerance; it fades as tolerance "
        "adapts (tolerance regain half-life).",
        source="set so all-cause deaths in the first two weeks of OST are about 1.3 times those out of treatment "
        "(Cornish et al. 2010: 1.7 vs 1.3 per 100 PY); 0.15 with overdose.no_tolerance_multiplier 30 gives the "
        "induction risk that 1.2 gave with the earlier multiplier of 8",
        plausible=(0.0, 0.5),
        ge=0.0,
    )
    dropout_per_year: float = param(
        0.25,
        unit="1/year",
        doc="Hazard of leaving OST unplanned at good-practice caseloads without extra support.",
        source="assumption; with completions and deaths gives retention like OHID 2023",
        plausible=(0.1, 0.5),
        ge=0.0,
    )
    completion_per_year: float = param(
        0.07,
        unit="1/year",
        doc="Hazard of starting a planned taper to completion.",
        source="opiate clients completing and not returning within 6 months: 5-7% a year (OHID 2023)",
        plausible=(0.03, 0.12),
        ge=0.0,
    )
    taper_days: float = param(
        56.0, unit="days", doc="Length of the planned dose reduction before completion.", plausible=(14.0, 120.0), gt=0
    )
    missed_doses_days: float = param(
        7.0,
        unit="days",
        doc="Days of missed doses before a discharge for non-attendance (services review a "
        "prescription after a few missed doses).",
        plausible=(3.0, 14.0),
        ge=0.0,
    )
    missed_dose_street_use: float = param(
        0.3,
        unit="probability/day",
        doc="Chance of buying street drugs on a day of missed doses.",
        plausible=(0.2, 0.9),
        ge=0.0,
        le=1.0,
    )
    order_dropout_ratio: float = param(
        0.7,
        unit="ratio",
        doc="Drop-out of people on a court-ordered drug rehabilitation requirement, relative to others "
        "(court reviews keep people engaged).",
        plausible=(0.4, 1.0),
        gt=0.0,
    )
    # -- residential -------------------------------------------------------------------------------
    residential_places: int = param(
        8,
        unit="beds",
        doc="Residential detox and rehabilitation places the town funds.",
        plausible=(0, 40),
        ge=0,
        le=5_000,
    )
    residential_stay_days: float = param(
        84.0, unit="days", doc="Length of a completed residential stay.", plausible=(14.0, 180.0), gt=0.0
    )
    residential_completion_share: float = param(
        0.65,
        unit="fraction",
        doc="Share of residential stays completed (the rest leave early, with lowered tolerance).",
        plausible=(0.4, 0.85),
        ge=0.0,
        le=1.0,
    )
    residential_step_up_per_year: float = param(
        0.05,
        unit="1/year",
        doc="Hazard of a person on OST asking for a residential place.",
        plausible=(0.01, 0.2),
        ge=0.0,
    )
    # -- recovery, health and family support -------------------------------------------------------
    recovery_support_share: float = param(
        0.3,
        unit="fraction",
        doc="Share of people in treatment given housing and employment support.",
        source="recovery support such as housing and employment named in ADDER (College of Policing 2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    recovery_support_relapse_ratio: float = param(
        0.7, unit="ratio", doc="Relapse hazard with recovery support, relative to without.", plausible=(0.4, 1.0), gt=0
    )
    recovery_support_dropout_ratio: float = param(
        0.85, unit="ratio", doc="Drop-out with recovery support, relative to without.", plausible=(0.5, 1.0), gt=0
    )
    health_care_share: float = param(
        0.4,
        unit="fraction",
        doc="Share of people in treatment whose physical and mental health needs are addressed.",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    health_care_dropout_ratio: float = param(
        0.85, unit="ratio", doc="Drop-out with health needs addressed, relative to without.", plausible=(0.5, 1.0), gt=0
    )
    health_care_relapse_ratio: float = param(
        0.9, unit="ratio", doc="Relapse with health needs addressed, relative to without.", plausible=(0.5, 1.0), gt=0
    )
    family_support_share: float = param(
        0.15,
        unit="fraction",
        doc="Share of people in treatment whose families get support.",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    family_support_relapse_ratio: float = param(
        0.85, unit="ratio", doc="Relapse with family support, relative to without.", plausible=(0.5, 1.0), gt=0
    )
    # -- naloxone ---------------------------------------------------------------------------------
    kit_at_contact_share: float = param(
        0.5,
        unit="fraction",
        doc="Chance a person without a naloxone kit is given one at a service contact (treatment "
        "entry, outreach, after an overdose, leaving residential care).",
        plausible=(0.2, 1.0),
        ge=0.0,
        le=1.0,
    )
    kit_loss_per_year: float = param(
        0.5,
        unit="1/year",
        doc="Hazard of a naloxone kit being lost, confiscated, expired or used without a report.",
        plausible=(0.2, 1.0),
        ge=0.0,
    )
    family_kit_share: float = param(
        0.5,
        unit="fraction",
        doc="Chance a family reached by family support is given a naloxone kit (kept at home).",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
