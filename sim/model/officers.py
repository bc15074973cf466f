"""The police officers who do the drug team's work: one row each, with skill, hours, fatigue and burnout.

Officers are individuals (one row each, ids never reused) so that fatigue, burnout, skill and
sickness belong to a person and follow them: the drug team's funded posts and a wider pool of
force officers who may volunteer for overtime on its operations. This module declares the
officers' parameters and keeps their table (who joined when, experience and the skill it gives,
appetite for overtime, yield relative to a skilled rested officer); the team's day lives in
`sim.model.workforce`.

Evidence: Project ADDER found overtime-led models "problematic, leading to burnout and a
subsequent lack of applicants for the additional work", and doubted that newly trained officers
had the skills for the work (College of Policing briefing, 2022). About 6% of officers leave each
year in England and Wales. No published figure ties overtime to volunteering, fatigue or burnout:
every such link below is an explicit assumption with a range for sensitivity analysis.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Literal

import numpy as np

from sim.model.context import Context
from sim.model.params import Section, param
from sim.model.rows import Field, Table

#: Output definition: pool officers who worked overtime within this many days count as doing the
#: team's work when fatigue and burnout are averaged.
RECENT_OVERTIME_DAYS = 28


class Unit(IntEnum):
    """Where an officer works (one value per officer, in `Officers.unit`)."""

    TEAM = 0  # a funded post in the drug team
    POOL = 1  # elsewhere in the force, eligible for overtime on the team's operations
    GONE = 2  # left the force or no longer in the overtime pool


class OfficerParams(Section):
    """The drug team's posts, rosters, overtime policy, and what long hours do to officers."""

    establishment: int = param(
        8,
        unit="officers",
        doc="Funded posts in the drug team. The team starts at full strength; later changes are "
        "filled after the hiring delay (or, if posts are cut, officers return to other duties).",
        plausible=(3, 40),
        ge=0,
        le=400,
    )
    overtime_pool: int = param(
        25,
        unit="officers",
        doc="Officers elsewhere in the force who may volunteer for overtime on the team's work.",
        plausible=(0, 150),
        ge=0,
        le=2_000,
    )
    rota: Literal["rolling", "weekdays"] = param(
        "rolling",
        unit="choice",
        doc="The team's rota: 'rolling' staggers rest days so every day of the week has the same "
        "strength; 'weekdays' rests everyone at the weekend, so weekend work is overtime.",
    )
    shifts_per_week: int = param(5, unit="shifts/week", doc="Rostered shifts per officer per week.", ge=1, le=7)
    shift_hours: float = param(
        8.0,
        unit="hours",
        doc="Length of a rostered shift.",
        source="normal daily period of duty 8 hours (Police Regulations 2003)",
        plausible=(8.0, 10.0),
        gt=0.0,
        le=14.0,
    )
    abstraction_share: float = param(
        0.15,
        unit="fraction",
        doc="Share of rostered shifts lost to annual leave, training and court attendance.",
        plausible=(0.08, 0.25),
        ge=0.0,
        lt=1.0,
    )
    unrostered_hours_per_week: float = param(
        4.0,
        unit="hours/week",
        doc="Hours officers already work beyond their rosters in their own jobs (late finishes, "
        "cancelled rest days), before any overtime on the team's operations; they count "
        "towards fatigue but are not paid from the team's budget.",
        source="assumption: surveys report many officers pressed into long hours",
        plausible=(0.0, 10.0),
        ge=0.0,
    )
    overtime_block_hours: float = param(
        8.0,
        unit="hours",
        doc="Overtime is worked in blocks of this length on a rest day (one block a day at most).",
        plausible=(4.0, 10.0),
        gt=0.0,
        le=14.0,
    )
    volunteer_rate: float = param(
        0.6,
        unit="probability/day",
        doc="Chance that an officer of average keenness, on a rest day and without burnout, "
        "applies for an offered overtime block. No published figure links overtime to "
        "volunteering: sweep it.",
        plausible=(0.1, 0.9),
        ge=0.0,
        le=1.0,
    )
    volunteer_spread: float = param(
        1.0,
        unit="coefficient of variation",
        doc="How unequal officers' appetite for overtime is (0 = all alike); with a wide spread a "
        "few keen officers work most of it, and burn out first.",
        plausible=(0.0, 2.0),
        ge=0.0,
        le=3.0,
    )
    weekly_hours_cap: float = param(
        60.0,
        unit="hours/week",
        doc="Force policy: no overtime block for an officer whose recent weekly hours plus the block would pass this.",
        source="assumption; a 48-hour average week (Working Time Regulations 1998), forces may allow more",
        plausible=(48.0, 72.0),
        gt=0.0,
    )
    hours_memory_days: float = param(
        7.0,
        unit="days",
        doc="Time over which an officer's recent weekly hours are averaged: fatigue builds and recovers on this scale.",
        plausible=(3.0, 21.0),
        ge=1.0,
    )
    fatigue_threshold_hours: float = param(
        45.0,
        unit="hours/week",
        doc="Recent weekly hours above which fatigue builds (below it officers recover).",
        source="assumption, near the 48-hour average (Working Time Regulations 1998)",
        plausible=(40.0, 55.0),
        ge=0.0,
    )
    fatigue_range_hours: float = param(
        15.0,
        unit="hours/week",
        doc="Hours past the threshold at which fatigue is complete (fatigue rises linearly from 0 to 1).",
        plausible=(10.0, 40.0),
        gt=0.0,
    )
    burnout_build_days: float = param(
        90.0,
        unit="days",
        doc="Time scale on which sustained fatigue becomes burnout.",
        plausible=(30.0, 240.0),
        ge=1.0,
    )
    burnout_recovery_days: float = param(
        180.0,
        unit="days",
        doc="Time scale on which burnout fades once hours return to normal (slower than it builds).",
        plausible=(60.0, 540.0),
        ge=1.0,
    )
    fatigue_yield_loss: float = param(
        0.3,
        unit="fraction",
        doc="Loss of an officer's yield (arrests per hour, case quality) at full fatigue.",
        plausible=(0.1, 0.6),
        ge=0.0,
        le=1.0,
    )
    burnout_yield_loss: float = param(
        0.3,
        unit="fraction",
        doc="Further loss of yield at full burnout.",
        plausible=(0.1, 0.6),
        ge=0.0,
        le=1.0,
    )
    high_fatigue_level: float = param(
        0.5,
        unit="fatigue (0-1)",
        doc="Fatigue at or above which an officer counts as highly fatigued in the outputs.",
        ge=0.0,
        le=1.0,
    )
    sickness_share: float = param(
        0.04,
        unit="fraction",
        doc="Share of working days lost to sickness by officers without burnout.",
        source="assumption: police sickness absence is usually reported at a few per cent of working time",
        plausible=(0.02, 0.07),
        ge=0.0,
        lt=1.0,
    )
    sick_spell_days: float = param(
        10.0, unit="days", doc="Mean length of a spell of sickness absence.", plausible=(3.0, 30.0), ge=1.0
    )
    burnout_sickness: float = param(
        3.0,
        unit="ratio",
        doc="Extra rate of going off sick at full burnout, relative to the base rate (3 = four times).",
        plausible=(0.5, 8.0),
        ge=0.0,
    )
    burnout_volunteering_loss: float = param(
        2.0,
        unit="fraction per unit burnout",
        doc="Fall in an officer's willingness to volunteer per unit of burnout (1.5: nobody at two thirds burnout).",
        plausible=(0.5, 3.0),
        ge=0.0,
    )
    leaving_per_year: float = param(
        0.06,
        unit="1/year",
        doc="Hazard of an officer leaving (the force or the post) without burnout.",
        source="about 6% of officers leave each year in England and Wales (Home Office 2023)",
        plausible=(0.04, 0.12),
        ge=0.0,
    )
    burnout_leaving: float = param(
        4.0,
        unit="ratio",
        doc="Extra leaving hazard at full burnout, relative to the base rate (4 = five times).",
        plausible=(1.0, 10.0),
        ge=0.0,
    )
    hiring_delay_days: int = param(
        120,
        unit="days",
        doc="Time from a post falling vacant (or being funded) to a new officer starting in it "
        "(selection, vetting, training).",
        source="assumption; some ADDER projects struggled to recruit specialist staff (College of Policing 2022)",
        plausible=(30, 365),
        ge=0,
        le=3_650,
    )
    new_officer_skill: float = param(
        0.5,
        unit="fraction",
        doc="Yield of an officer new to drug work relative to an experienced one (arrests per "
        "hour and the share of arrests that lead to charges).",
        source="assumption; concerns that newly trained officers lack the skills for this work (College of "
        "Policing 2022)",
        plausible=(0.3, 0.8),
        ge=0.0,
        le=1.0,
    )
    skill_gain_hours: float = param(
        1_200.0,
        unit="hours",
        doc="Hours of drug work that close about two thirds (1 - 1/e) of a new officer's skill gap.",
        plausible=(400.0, 3_000.0),
        gt=0.0,
    )
    initial_experience_years: float = param(
        3.0,
        unit="years",
        doc="Mean time the team's officers have spent in drug work at the start (exponentially distributed).",
        plausible=(0.5, 6.0),
        ge=0.0,
    )
    pool_experience_hours: float = param(
        200.0,
        unit="hours",
        doc="Mean drug-work experience of an officer in the overtime pool at the start.",
        plausible=(0.0, 1_000.0),
        ge=0.0,
    )


class Officers(Table):
    """The drug team and overtime pool as a table, one row per officer ever modelled."""

    def __init__(self, params: OfficerParams, context: Context) -> None:
        self.p = params
        #: Draws at build and each recruit's keenness: the k-th officer always gets the k-th
        #: draw, so this stream is in effect keyed by officer id.
        self.rng = context.rng("officers")
        #: Each officer's own luck from day to day (absence, volunteering, sickness, leaving).
        self.luck = context.luck("officers")
        self.log = context.log
        self.record = context.record
        super().__init__(
            2 * (params.establishment + params.overtime_pool) + 64,
            unit=Field(np.int8, Unit.TEAM),
            joined=Field(np.int32, 0),
            experience=Field(np.float64, 0.0),  # hours of drug work
            skill_now=Field(np.float64, 0.0),  # skill from experience, kept current
            weekly_hours=Field(np.float64, 0.0),  # recent hours per week, all work
            fatigue=Field(np.float64, 0.0),  # 0-1
            burnout=Field(np.float64, 0.0),  # 0-1
            sick_until=Field(np.int32, 0),  # first day back at work
            keenness=Field(np.float64, 1.0),  # appetite for overtime, mean 1
            last_overtime=Field(np.int32, -RECENT_OVERTIME_DAYS - 1),  # day of the latest overtime block
            hours_today=Field(np.float64, 0.0),  # all hours worked today
            weight_today=Field(np.float64, 0.0),  # hours on the team's tasking today
        )
        #: Days on which recruits for vacant or newly funded posts will start.
        self.hires_due: list[int] = []
        self.team = np.zeros(0, dtype=np.int64)  # ids in the drug team
        self.serving = np.zeros(0, dtype=np.int64)  # ids in the team or the overtime pool
        self._worked = np.zeros(0, dtype=np.int64)  # ids with hours today
        self._staff = np.zeros(0, dtype=np.int64)  # ids on the team's tasking today

        team = self.add(params.establishment, Unit.TEAM, day=0)
        years = self.rng.exponential(params.initial_experience_years, size=team.size)
        self.experience[team] = years * self.yearly_hours
        pool = self.add(params.overtime_pool, Unit.POOL, day=0)
        self.experience[pool] = self.rng.exponential(params.pool_experience_hours, size=pool.size)
        self._update_skill(np.arange(self.n))

    # -- bookkeeping ---------------------------------------------------------------------------
    @property
    def yearly_hours(self) -> float:
        """Rostered hours a year of one officer after abstractions."""
        p = self.p
        weeks = 365.25 / 7.0
        return p.shifts_per_week * p.shift_hours * weeks * (1.0 - p.abstraction_share)

    def add(self, count: int, unit: Unit, day: int) -> np.ndarray:
        """New officers (no drug-work experience, rested); returns their ids."""
        ids = self.append(count)
        self.unit[ids] = unit
        self.joined[ids] = day
        self.skill_now[ids] = self.p.new_officer_skill
        self.weekly_hours[ids] = self.p.shifts_per_week * self.p.shift_hours + self.p.unrostered_hours_per_week
        self.keenness[ids] = self._draw_keenness(count)
        self._regroup()
        return ids

    def _regroup(self) -> None:
        """Refresh the id lists after anyone joins, leaves or moves."""
        units = self.unit[: self.n]
        self.team = np.flatnonzero(units == Unit.TEAM)
        self.serving = np.flatnonzero(units != Unit.GONE)

    def _draw_keenness(self, count: int) -> np.ndarray:
        """Each officer's appetite for overtime relative to the average (mean 1, spread as set)."""
        spread = self.p.volunteer_spread
        if spread <= 0.0:
            return np.ones(count)
        shape = 1.0 / spread**2  # a gamma with mean 1 and this coefficient of variation
        return self.rng.gamma(shape, 1.0 / shape, size=count)

    def _update_skill(self, ids: np.ndarray) -> None:
        gap = 1.0 - self.p.new_officer_skill
        self.skill_now[ids] = 1.0 - gap * np.exp(-self.experience[ids] / self.p.skill_gain_hours)

    def skill(self, ids: np.ndarray) -> np.ndarray:
        """Skill in drug work: the new-officer level rising towards 1 with hours of experience."""
        return self.skill_now[ids]

    def productivity(self, ids: np.ndarray) -> np.ndarray:
        """Yield of each officer relative to a skilled, rested one: skill x fatigue x burnout (0-1]."""
        p = self.p
        rested = (1.0 - p.fatigue_yield_loss * self.fatigue[ids]) * (1.0 - p.burnout_yield_loss * self.burnout[ids])
        return np.maximum(self.skill_now[ids] * rested, 1e-3)
