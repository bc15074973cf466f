"""The police drug team and the force officers who work overtime on its operations.

Officers are individuals (one row each, ids never reused) so that fatigue, burnout, skill and
sickness belong to a person and follow them. Each day the team's rostered officers staff the
day's tasking; what rostered time cannot cover is offered as overtime blocks on rest days to
volunteers from the team and from a wider pool of force officers. Hours past a weekly threshold
build fatigue; fatigue sustained over months becomes burnout, which brings sickness absence,
lower yield, fewer volunteers and leavers; vacancies are filled after a hiring delay by officers
new to this specialist work, who gain skill with experience.

Evidence: Project ADDER found overtime-led models "problematic, leading to burnout and a
subsequent lack of applicants for the additional work", and doubted that newly trained officers
had the skills for the work (College of Policing briefing, 2022). About 6% of officers leave each
year in England and Wales. No published figure ties overtime to volunteering, fatigue or burnout:
every such link below is an explicit assumption with a range for sensitivity analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

import numpy as np

from sim.model.context import Context
from sim.model.outcomes import Event
from sim.model.params import Section, param

#: Output definition: pool officers who worked overtime within this many days count as doing the
#: team's work when fatigue and burnout are averaged.
RECENT_OVERTIME_DAYS = 28


class Unit(IntEnum):
    """Where an officer works (one value per officer, in `DrugTeam.unit`)."""

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


@dataclass
class Shift:
    """What the drug team worked today, by task (officer-hours)."""

    case_hours: float
    patrol_hours: float
    operation_hours: float
    unfilled_hours: float
    #: Hour-weighted mean yield (skill x fatigue x burnout) of the officers on enforcement work.
    effectiveness: float


class DrugTeam:
    """The drug team and overtime pool as arrays, one row per officer ever modelled."""

    _ARRAYS = (
        "unit",
        "joined",
        "experience",
        "skill_now",
        "weekly_hours",
        "fatigue",
        "burnout",
        "sick_until",
        "keenness",
        "last_overtime",
        "hours_today",
        "weight_today",
    )

    def __init__(self, params: OfficerParams, context: Context) -> None:
        self.p = params
        self.rng = context.rng("officers")
        self.log = context.log
        self.record = context.record
        capacity = 2 * (params.establishment + params.overtime_pool) + 64
        self.n = 0
        self.unit = np.empty(capacity, dtype=np.int8)
        self.joined = np.empty(capacity, dtype=np.int32)
        self.experience = np.empty(capacity, dtype=np.float64)  # hours of drug work
        self.skill_now = np.empty(capacity, dtype=np.float64)  # skill from experience, kept current
        self.weekly_hours = np.empty(capacity, dtype=np.float64)  # recent hours per week, all work
        self.fatigue = np.empty(capacity, dtype=np.float64)  # 0-1
        self.burnout = np.empty(capacity, dtype=np.float64)  # 0-1
        self.sick_until = np.empty(capacity, dtype=np.int32)  # first day back at work
        self.keenness = np.empty(capacity, dtype=np.float64)  # appetite for overtime, mean 1
        self.last_overtime = np.empty(capacity, dtype=np.int32)  # day of the latest overtime block
        self.hours_today = np.zeros(capacity, dtype=np.float64)  # all hours worked today
        self.weight_today = np.zeros(capacity, dtype=np.float64)  # hours on the team's tasking today
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
        if self.n + count > self.unit.size:
            self._grow(self.n + count)
        ids = np.arange(self.n, self.n + count)
        self.unit[ids] = unit
        self.joined[ids] = day
        self.experience[ids] = 0.0
        self.skill_now[ids] = self.p.new_officer_skill
        self.weekly_hours[ids] = self.p.shifts_per_week * self.p.shift_hours + self.p.unrostered_hours_per_week
        self.fatigue[ids] = 0.0
        self.burnout[ids] = 0.0
        self.sick_until[ids] = 0
        self.keenness[ids] = self._draw_keenness(count)
        self.last_overtime[ids] = -RECENT_OVERTIME_DAYS - 1
        self.hours_today[ids] = 0.0
        self.weight_today[ids] = 0.0
        self.n += count
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

    def _grow(self, needed: int) -> None:
        size = max(needed, 2 * self.unit.size)
        for name in self._ARRAYS:
            old = getattr(self, name)
            new = np.zeros(size, dtype=old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)

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

    # -- the day's work ------------------------------------------------------------------------
    def on_roster(self, ids: np.ndarray, day: int, weekday: int) -> np.ndarray:
        """Whether each officer is rostered to work today (before leave and sickness).

        Team officers follow the team's rota; pool officers work a rolling rota in their own
        posts. On a rolling rota each officer works `shifts_per_week` days in seven, with rest
        days staggered by id so that every weekday has about the same strength.
        """
        shifts = self.p.shifts_per_week
        rolling = (day + ids) % 7 < shifts
        if self.p.rota == "weekdays":
            return np.where(self.unit[ids] == Unit.TEAM, weekday < shifts, rolling)
        return rolling

    def staff(self, day: int, weekday: int, case_hours: float, patrol_hours: float, operation_hours: float) -> Shift:
        """Staff today's tasking: rostered team first, then overtime volunteers on rest days.

        Case work comes first (people in custody and files cannot wait), then planned patrol,
        then targeted operations. Rostered time left over goes to the team's other duties;
        planned work that neither rostered time nor volunteers cover is not done. Officers in
        the pool work their own rostered shifts elsewhere, which count towards their fatigue.
        """
        p = self.p
        self.hours_today[self._worked] = 0.0
        self.weight_today[self._staff] = 0.0
        serving = self.serving
        well = self.sick_until[serving] <= day
        rostered = self.on_roster(serving, day, weekday) & well
        at_work = rostered & (self.rng.random(serving.size) >= p.abstraction_share)
        working = serving[at_work]
        self.hours_today[working] = p.shift_hours + p.unrostered_hours_per_week / p.shifts_per_week
        on_duty = working[self.unit[working] == Unit.TEAM]
        capacity = on_duty.size * p.shift_hours

        demand = case_hours + patrol_hours + operation_hours
        used = min(demand, capacity)
        if capacity > 0:
            self.weight_today[on_duty] = p.shift_hours * used / capacity
        resting = serving[~rostered & well]
        volunteers = self._overtime(day, resting, demand - used)
        overtime = float(self.weight_today[volunteers].sum())
        worked = used + overtime
        self._worked = np.concatenate([working, volunteers])
        self._staff = np.concatenate([on_duty, volunteers]) if used > 0 else volunteers

        cases = min(case_hours, worked)
        patrol = min(patrol_hours, worked - cases)
        operations = min(operation_hours, worked - cases - patrol)
        unfilled = patrol_hours + operation_hours - patrol - operations
        if self._staff.size:
            weights = self.weight_today[self._staff]
            effectiveness = float(np.dot(self.productivity(self._staff), weights) / weights.sum())
        else:
            effectiveness = self._mean_team_yield()

        rostered_hours = on_duty.size * p.shift_hours
        self.record.set("officers_on_duty", on_duty.size)
        self.record.add("rostered_hours", rostered_hours)
        self.record.add("overtime_hours", overtime)
        self.record.add("officer_hours", rostered_hours + overtime)
        self.record.add("overtime_volunteers", volunteers.size)
        self.record.add("unfilled_hours", unfilled)
        return Shift(cases, patrol, operations, unfilled, effectiveness)

    def _overtime(self, day: int, resting: np.ndarray, shortfall: float) -> np.ndarray:
        """Offer the shortfall as overtime blocks to officers on a rest day; returns who worked.

        Each rested officer under the weekly-hours cap applies for a block with a chance set by the
        volunteer rate, their own keenness, and their burnout (burnt-out officers stop applying).
        """
        p = self.p
        if shortfall <= 1e-9 or resting.size == 0:
            return resting[:0]
        eligible = resting[self.weekly_hours[resting] + p.overtime_block_hours <= p.weekly_hours_cap]
        willing = p.volunteer_rate * self.keenness[eligible]
        willing *= np.maximum(0.0, 1.0 - p.burnout_volunteering_loss * self.burnout[eligible])
        applied = self.rng.random(eligible.size) < willing
        offered = eligible[applied]
        needed = int(np.ceil(shortfall / p.overtime_block_hours - 1e-9))
        if offered.size > needed:
            # The keenest apply first: blocks go to applicants in order of keenness x chance.
            priority = willing[applied] * self.rng.random(offered.size)
            offered = offered[np.argsort(-priority, kind="stable")[:needed]]
        if offered.size == 0:
            return offered
        hours = np.full(offered.size, p.overtime_block_hours)
        hours[-1] -= max(hours.sum() - shortfall, 0.0)  # the last volunteer works only what is left
        self.hours_today[offered] = hours  # a rest day: no other work today
        self.weight_today[offered] = hours
        self.last_overtime[offered] = day
        self.log.record(day, Event.OVERTIME_WORKED, offered, value=hours)
        return offered

    def _mean_team_yield(self) -> float:
        return float(self.productivity(self.team).mean()) if self.team.size else self.p.new_officer_skill

    def attribute_arrests(self, count: int, day: int) -> float:
        """Credit today's arrests to officers by their effective hours; returns mean case quality.

        Case quality is the arresting officer's skill-and-fatigue factor (0-1]: how well the
        arrest is evidenced, which the charging decision uses.
        """
        staff = self._staff
        if staff.size == 0:
            return self._mean_team_yield()
        quality = self.productivity(staff)
        weights = self.weight_today[staff]
        if count == 0:
            return float(np.dot(quality, weights) / weights.sum())
        share = np.cumsum(weights * quality)
        pick = np.searchsorted(share, self.rng.random(count) * share[-1], side="right")
        pick = np.minimum(pick, staff.size - 1)
        self.log.record(day, Event.OFFICER_MADE_ARREST, staff[pick], value=quality[pick])
        return float(quality[pick].mean())

    # -- after the shift -----------------------------------------------------------------------
    def rest_and_turnover(self, day: int) -> None:
        """Hours become fatigue, fatigue becomes burnout; sickness, leavers, hires and skill."""
        self._tire_and_recover()
        self._fall_sick(day)
        self._leave(day)
        self._hire(day)
        self.record_stocks(day)

    def _tire_and_recover(self) -> None:
        p = self.p
        staff = self._staff
        self.experience[staff] += self.weight_today[staff]
        self._update_skill(staff)
        ids = self.serving
        weekly = self.weekly_hours[ids]
        weekly += (7.0 * self.hours_today[ids] - weekly) / p.hours_memory_days
        self.weekly_hours[ids] = weekly
        fatigue = np.clip((weekly - p.fatigue_threshold_hours) / p.fatigue_range_hours, 0.0, 1.0)
        self.fatigue[ids] = fatigue
        burnout = self.burnout[ids]
        if fatigue.any() or burnout.any():
            rate = np.where(fatigue > burnout, 1.0 / p.burnout_build_days, 1.0 / p.burnout_recovery_days)
            self.burnout[ids] = burnout + (fatigue - burnout) * rate

    def _fall_sick(self, day: int) -> None:
        p = self.p
        ids = self.serving
        base = p.sickness_share / ((1.0 - p.sickness_share) * p.sick_spell_days)
        chance = base * (1.0 + p.burnout_sickness * self.burnout[ids])
        sick = ids[(self.rng.random(ids.size) < chance) & (self.sick_until[ids] <= day)]
        if sick.size:
            spell = self.rng.geometric(1.0 / p.sick_spell_days, size=sick.size)
            self.sick_until[sick] = day + 1 + spell
            self.log.record(day, Event.OFFICER_SICK, sick, value=spell)

    def _leave(self, day: int) -> None:
        p = self.p
        ids = self.serving
        hazard = p.leaving_per_year * (1.0 + p.burnout_leaving * self.burnout[ids])
        leavers = ids[self.rng.random(ids.size) < -np.expm1(-hazard / 365.25)]
        if leavers.size == 0:
            return
        from_team = int(np.count_nonzero(self.unit[leavers] == Unit.TEAM))
        self.unit[leavers] = Unit.GONE
        self._regroup()
        self.log.record(day, Event.OFFICER_LEFT, leavers, value=self.burnout[leavers])
        self.record.add("team_leavers", from_team)
        self.record.add("pool_leavers", leavers.size - from_team)

    def _hire(self, day: int) -> None:
        """Start recruitment for unfilled posts; recruits arrive after the hiring delay."""
        p = self.p
        if self.hires_due and self.hires_due[0] <= day:
            arriving = sum(1 for due in self.hires_due if due <= day)
            self.hires_due = self.hires_due[arriving:]
            new = self.add(arriving, Unit.TEAM, day)
            self.log.record(day, Event.OFFICER_JOINED, new, value=self.skill(new))
            self.record.add("team_recruits", arriving)
        gap = p.establishment - self.team.size - len(self.hires_due)
        if gap > 0:
            self.hires_due.extend([day + max(p.hiring_delay_days, 1)] * gap)
        elif gap < 0:
            self._cut_posts(-gap, day)
        # The pool is the rest of the force: its leavers are replaced by the force's own recruitment.
        pool_size = self.serving.size - self.team.size
        if pool_size < p.overtime_pool:
            self.add(p.overtime_pool - pool_size, Unit.POOL, day)
        elif pool_size > p.overtime_pool:
            pool = self.serving[self.unit[self.serving] == Unit.POOL]
            self.unit[pool[p.overtime_pool :]] = Unit.GONE
            self._regroup()

    def _cut_posts(self, excess: int, day: int) -> None:
        """Fewer funded posts: cancel pending hires first, then the newest officers return to the force."""
        cancelled = min(excess, len(self.hires_due))
        if cancelled:
            self.hires_due = self.hires_due[: len(self.hires_due) - cancelled]
        surplus = self.team.size - self.p.establishment
        if surplus > 0:
            newest = self.team[np.argsort(self.joined[self.team], kind="stable")[-surplus:]]
            self.unit[newest] = Unit.POOL
            self._regroup()
            self.log.record(day, Event.OFFICER_REDEPLOYED, newest, value=self.skill(newest))

    def record_stocks(self, day: int) -> None:
        p = self.p
        team, serving = self.team, self.serving
        self.record.set("team_establishment", p.establishment)
        self.record.set("team_in_post", team.size)
        self.record.set("team_vacancies", max(p.establishment - team.size, 0))
        self.record.set("officers_sick", int(np.count_nonzero(self.sick_until[serving] > day)))
        fatigue = self.fatigue[serving]
        self.record.set("high_fatigue_officers", int(np.count_nonzero(fatigue >= p.high_fatigue_level)))
        # Averages cover the officers doing the drug work: the team and its recent volunteers.
        recent = (self.unit[serving] == Unit.TEAM) | (self.last_overtime[serving] > day - RECENT_OVERTIME_DAYS)
        if recent.any():
            self.record.set("mean_fatigue", float(fatigue[recent].mean()))
            self.record.set("mean_burnout", float(self.burnout[serving][recent].mean()))
        self.record.set("team_mean_skill", float(self.skill_now[team].mean()) if team.size else 0.0)
