"""The drug team's day: staffing the tasking, overtime, and what long hours do to officers.

Each day the team's rostered officers staff the day's tasking; what rostered time cannot cover
is offered as overtime blocks on rest days to volunteers from the team and from a wider pool of
force officers. Hours past a weekly threshold build fatigue; fatigue sustained over months
becomes burnout, which brings sickness absence, lower yield, fewer volunteers and leavers;
vacancies are filled after a hiring delay by officers new to this specialist work, who gain
skill with experience. The officers themselves and their parameters are in `sim.model.officers`
(evidence and assumptions there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.events import Event
from sim.model.officers import RECENT_OVERTIME_DAYS, Officers, Unit


@dataclass
class Shift:
    """What the drug team worked today, by task (officer-hours)."""

    case_hours: float
    patrol_hours: float
    operation_hours: float
    unfilled_hours: float
    #: Hour-weighted mean yield (skill x fatigue x burnout) of the officers on enforcement work.
    effectiveness: float


class DrugTeam(Officers):
    """The drug team and its overtime pool at work: staffing, overtime, fatigue, sickness, turnover."""

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
        at_work = rostered & (self.luck.uniform(serving, "abstracted") >= p.abstraction_share)
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
        applied = self.luck.uniform(eligible, "applies") < willing
        offered = eligible[applied]
        needed = int(np.ceil(shortfall / p.overtime_block_hours - 1e-9))
        if offered.size > needed:
            # The keenest apply first: blocks go to applicants in order of keenness x chance.
            priority = willing[applied] * self.luck.uniform(offered, "block_order")
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
        # The k-th arrest of the day has its own number (arrests are not individuals here).
        pick = np.searchsorted(share, self.luck.uniform(np.arange(count), "credited") * share[-1], side="right")
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
        sick = ids[(self.luck.uniform(ids, "falls_sick") < chance) & (self.sick_until[ids] <= day)]
        if sick.size:
            spell = self.luck.geometric(sick, 1.0 / p.sick_spell_days, "sick_spell")
            self.sick_until[sick] = day + 1 + spell
            self.log.record(day, Event.OFFICER_SICK, sick, value=spell)

    def _leave(self, day: int) -> None:
        p = self.p
        ids = self.serving
        hazard = p.leaving_per_year * (1.0 + p.burnout_leaving * self.burnout[ids])
        leavers = ids[self.luck.uniform(ids, "leaves") < -np.expm1(-hazard / 365.25)]
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
