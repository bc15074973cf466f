"""Focused deterrence ("pulling levers"): identify key offenders, call them in, and keep the promise.

Analysts identify sellers and groups (how fast depends on data sharing); call-ins tell identified
sellers directly, and repeatedly, why they are getting special attention, raising their perceived
risk, while people who use drugs are called in with an offer of services, raising their
readiness for treatment. Family, community and lived-experience voices at the call-ins
strengthen the message. When a member of a warned group is arrested, the whole group gets
attention (a group sanction: extra targeted operations and the same message to every member).
Word spreads within a group, so the benefit diffuses to members never called in rather than
displacing them; the programme adds no street presence of its own.

Evidence: Braga, Weisburd & Turchan (2018, 2019) find a moderate overall crime reduction, largest
for gang and group interventions and smaller for drug-market interventions, with benefits that
tend to diffuse rather than displace; drug-market interventions are the most likely to suffer
implementation problems (College of Policing briefing, 2022), hence `fidelity`. ADDER's lessons
(joint training, co-location, aligned goals and governance, data-sharing agreements, resources in
place before go-live) are the partnership levers. How strongly each lever acts is an assumption
with a range: no study reports these links as numbers.

This module declares the programme's levers and how the partnership turns them into effect; the
programme's daily work (identification, call-ins, group sanctions) is in `sim.model.call_ins`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.params import Section, param

DAYS_PER_MONTH = 365.25 / 12


class DeterrenceParams(Section):
    """A focused-deterrence programme and the partnership that runs it."""

    active: bool = param(
        False,
        unit="switch",
        doc="Whether the programme is running. Set it from a timed event to give a go-live day; "
        "every effect then grows as resources come into place.",
    )
    resources_at_go_live: float = param(
        0.5,
        unit="fraction",
        doc="Share of the programme's staff and resources in place on the go-live day (1 = all "
        "recruited before go-live).",
        source="assumption; resources must be in place before go-live (College of Policing 2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    ramp_up_days: float = param(
        180.0,
        unit="days",
        doc="Days after go-live until the missing resources are in place (linear ramp).",
        plausible=(0.0, 540.0),
        ge=0.0,
    )
    fidelity: float = param(
        0.6,
        unit="fraction",
        doc="Implementation fidelity: the share of the designed programme actually delivered "
        "(call-ins held, a consistent message, sanctions that follow through).",
        source="assumption; drug market interventions are the most likely to suffer implementation problems (Braga "
        "et al. 2019)",
        plausible=(0.2, 1.0),
        ge=0.0,
        le=1.0,
    )
    data_sharing: float = param(
        0.5,
        unit="fraction (0-1)",
        doc="Strength of data-sharing agreements between police, treatment and council (drives "
        "identification of sellers and of people to call in).",
        source="robust data-sharing agreements helped (College of Policing 2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    joint_training: float = param(
        0.5,
        unit="fraction (0-1)",
        doc="How far partners have trained together (a consistent message; better referrals).",
        source="joint training helped partners work together (College of Policing 2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    co_location: float = param(
        0.5,
        unit="fraction (0-1)",
        doc="How far services sit with the police team (an offer of help that can start at once).",
        source="co-location of functions helped (College of Policing 2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    aligned_governance: float = param(
        0.5,
        unit="fraction (0-1)",
        doc="Alignment of partners' goals and governance (delivery as designed; a consistent message).",
        source="alignment of goals and governance structures helped (College of Policing 2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    community_voices: float = param(
        0.3,
        unit="fraction",
        doc="Share of call-ins where family, community members or peers with lived experience "
        "speak about the harm done (community mobilisation).",
        source="family and community members communicate the wider impact; lived experience helps engagement "
        "(College of Policing 2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    community_boost: float = param(
        0.5,
        unit="fraction",
        doc="How much stronger the message (and the offer of services) is when community voices join every call-in.",
        plausible=(0.0, 1.5),
        ge=0.0,
    )
    identification_per_month: float = param(
        0.5,
        unit="fraction/month",
        doc="Share of not-yet-identified sellers in high-harm groups that analysts identify each "
        "month with full data sharing and resources.",
        plausible=(0.1, 0.9),
        ge=0.0,
        le=1.0,
    )
    other_group_identification: float = param(
        0.3,
        unit="ratio",
        doc="Identification rate of sellers in other groups relative to high-harm groups (analysis is focused).",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    identification_without_data_sharing: float = param(
        0.3,
        unit="ratio",
        doc="Identification (of sellers, and of arrested people to call in) with no data sharing, "
        "relative to full data sharing; it rises linearly with `data_sharing`.",
        plausible=(0.1, 0.7),
        ge=0.0,
        le=1.0,
    )
    call_in_places_per_month: float = param(
        20.0,
        unit="people/month",
        doc="People (sellers and people who use drugs) the call-ins can see each month at full resources and fidelity.",
        plausible=(5.0, 60.0),
        ge=0.0,
        le=10_000,
    )
    call_in_interval_days: int = param(
        14, unit="days", doc="Days between call-in sessions.", plausible=(7, 30), ge=1, le=365
    )
    dealer_share_of_places: float = param(
        0.6,
        unit="fraction",
        doc="Share of call-in places for sellers (the rest for people who use drugs).",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    repeat_call_in_days: int = param(
        90,
        unit="days",
        doc="Days after a call-in before a person is called in again (direct and repeated "
        "communication); also how long a group counts as warned.",
        plausible=(30, 365),
        ge=1,
        le=3_650,
    )
    call_in_risk: float = param(
        0.02,
        unit="probability/day",
        doc="Perceived daily arrest risk that a full-strength call-in message adds to a seller's "
        "sense of risk while their group's credibility is at its prior (scaled by credibility / prior; "
        "for comparison, a seller's perceived risk at baseline is about 0.003).",
        plausible=(0.005, 0.05),
        ge=0.0,
        le=1.0,
    )
    message_half_life_days: float = param(
        60.0,
        unit="days",
        doc="Half-life of a call-in message's effect without repetition or sanctions.",
        plausible=(14.0, 180.0),
        gt=0.0,
    )
    message_without_joint_working: float = param(
        0.5,
        unit="ratio",
        doc="Strength of the message when partners neither train together nor share governance, "
        "relative to when they fully do (a mixed message is weaker).",
        plausible=(0.2, 0.9),
        ge=0.0,
        le=1.0,
    )
    diffusion_share: float = param(
        0.3,
        unit="fraction",
        doc="Share of called-in members' mean warning that reaches the rest of their group (word spreads).",
        source="assumption; benefits tend to diffuse rather than displace (Braga et al. 2018)",
        plausible=(0.0, 0.8),
        ge=0.0,
        le=1.0,
    )
    group_sanctions: bool = param(
        True,
        unit="switch",
        doc="Whether an arrest of a member of a warned group brings attention on the whole group.",
    )
    sanction_days: int = param(
        21, unit="days", doc="How long a group sanction lasts.", plausible=(7, 90), ge=1, le=3_650
    )
    sanction_hours_per_day: float = param(
        6.0,
        unit="officer-hours/day",
        doc="Extra targeted-operation hours aimed at a sanctioned group each day (tasked to the "
        "drug team, so they need officers or overtime).",
        plausible=(2.0, 24.0),
        ge=0.0,
    )
    delivery_without_governance: float = param(
        0.6,
        unit="ratio",
        doc="Share of planned call-ins and sanctions delivered without aligned governance, relative to with it.",
        plausible=(0.3, 0.9),
        ge=0.0,
        le=1.0,
    )
    call_in_readiness: float = param(
        2.0,
        unit="ratio",
        doc="Multiplier on a called-in person's readiness for treatment at full referral strength.",
        source="assumption; ADDER raised criminal-justice referrals to treatment (Home Office 2025)",
        plausible=(1.0, 4.0),
        ge=1.0,
    )
    referral_without_joint_working: float = param(
        0.4,
        unit="ratio",
        doc="Strength of the offer of services without co-location or joint training, relative to with both.",
        plausible=(0.1, 0.8),
        ge=0.0,
        le=1.0,
    )
    # Credibility: whether promised sanctions are seen to follow (sim.model.credibility)
    credibility_prior: float = param(
        0.5,
        unit="fraction",
        doc="A group's belief, before it sees any outcome, that sanctions promised at a call-in will "
        "follow; at this credibility a call-in adds `call_in_risk` x message (the calibrated dose).",
        source="assumption; perceived certainty of sanction, not severity, deters, and offenders are "
        "unsure of it before they see it (Nagin 2013)",
        plausible=(0.2, 0.8),
        gt=0.0,
        le=1.0,
    )
    credibility_floor: float = param(
        0.1,
        unit="fraction",
        doc="Lowest credibility a group can reach (some believe the warning whatever they see).",
        plausible=(0.0, 0.3),
        ge=0.0,
        le=1.0,
    )
    credibility_learning: float = param(
        0.2,
        unit="fraction per outcome",
        doc="Share of the gap between a group's credibility and what it saw that one outcome (an "
        "arrest, a charge, custody, or a promise not kept) closes.",
        source="assumption; people update their sense of sanction risk from their own and their "
        "peers' experience of sanctions (Nagin 2013)",
        plausible=(0.02, 0.3),
        ge=0.0,
        le=1.0,
    )
    credibility_half_life_days: float = param(
        180.0,
        unit="days",
        doc="Half-life of a group's credibility's return to the prior when it sees nothing.",
        plausible=(60.0, 720.0),
        gt=0.0,
    )
    swift_charge_weight: float = param(
        2.0,
        unit="outcomes",
        doc="How much a charge made on the day of arrest counts, against 1 for an arrest, custody or "
        "a promise not kept; slower charges count less (`swift_charge_days`).",
        source="assumption; swift and certain sanctions make the promise credible (Kennedy 2009)",
        plausible=(1.0, 4.0),
        ge=0.0,
    )
    swift_charge_days: float = param(
        30.0,
        unit="days",
        doc="Delay from arrest to charge that halves how much a charge counts.",
        source="assumption; swiftness of sanction (Kennedy 2009; Nagin 2013)",
        plausible=(7.0, 120.0),
        gt=0.0,
    )
    impunity_days: int = param(
        60,
        unit="days",
        doc="Days a called-in seller goes on selling without arrest before their group counts it as a "
        "promise not kept (and again after each further such spell).",
        plausible=(21, 180),
        ge=1,
        le=3_650,
    )


@dataclass(frozen=True)
class Partnership:
    """How well the partnership turns each part of the programme into effect (each 0 to about 1.5)."""

    identification: float  # speed of identifying sellers and linking arrested people
    message: float  # strength of the call-in message
    referral: float  # strength of the offer of services
    delivery: float  # share of call-ins and sanctions actually delivered

    @classmethod
    def of(cls, p: DeterrenceParams) -> Partnership:
        """The partnership's effect factors from today's levers (each link linear; assumptions)."""
        community = 1.0 + p.community_boost * p.community_voices
        joint = (p.joint_training + p.aligned_governance) / 2.0
        services = (p.co_location + p.joint_training) / 2.0
        return cls(
            identification=_between(p.identification_without_data_sharing, p.data_sharing),
            message=_between(p.message_without_joint_working, joint) * p.fidelity * community,
            referral=_between(p.referral_without_joint_working, services) * p.fidelity * community,
            delivery=_between(p.delivery_without_governance, p.aligned_governance) * p.fidelity,
        )


def _between(floor: float, lever: float) -> float:
    """A factor that rises linearly from `floor` (lever 0) to 1 (lever 1)."""
    return floor + (1.0 - floor) * lever


def per_day(per_month: float) -> float:
    """Daily probability from a monthly share."""
    return 1.0 - (1.0 - min(per_month, 1.0)) ** (1.0 / DAYS_PER_MONTH)
