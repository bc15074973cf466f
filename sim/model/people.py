"""People who use drugs: the table of who is where, buying, and careers (initiation to remission).

One row per person, for the life of the run (ids are row numbers and are never reused), so the
event log can follow a person from initiation through arrest, treatment, prison and death. Every
daily mechanism acts on all rows at once. Overdose and tolerance (overdose.py) and offending
(offending.py) act on this table from their own modules.
"""

from __future__ import annotations

import numpy as np

from sim.model.context import Context, Luck
from sim.model.events import Event
from sim.model.offending import OffendingParams, offend, offending_propensity
from sim.model.overdose import OverdoseParams, Overdoses
from sim.model.params import param, per_year_to_daily
from sim.model.price import PriceSignal
from sim.model.rows import Field, Table
from sim.model.scarcity import ScarcityParams, go_without
from sim.model.states import (
    DEPENDENCE_HISTORY,
    DEPENDENT_USE,
    UseState,
    state_lookup,
)
from sim.model.town import Town


class PeopleParams(OffendingParams, ScarcityParams):
    """Size of the population who use drugs, how people move between states, what they spend, and
    (inherited from `OffendingParams` and `ScarcityParams`) how they fund it and what they do
    on a day they cannot buy."""

    initial_dependent: int = param(
        1_200,
        unit="people",
        doc="People with dependent use of opiates and/or crack at the start, out of treatment and "
        "prison (treatment.initial_in_ost, treatment.residential_places and prison.initial_* hold the "
        "rest).",
        source="Blackpool about 2,050 OCUs in 2016/17 (Hay et al. 2019); about 40% in treatment (OHID 2023)",
        plausible=(500, 3_000),
        ge=0,
        le=200_000,
    )
    initial_occasional: int = param(
        700, unit="people", doc="People using occasionally at the start.", plausible=(200, 3_000), ge=0, le=200_000
    )
    initial_in_recovery: int = param(
        700,
        unit="people",
        doc="People abstinent after dependent use at the start (they can relapse).",
        plausible=(200, 2_000),
        ge=0,
        le=200_000,
    )
    initiation_per_year: float = param(
        225.0,
        unit="people/year",
        doc="New people starting to use each year. The default keeps prevalence roughly steady "
        "when no lever changes (checked by a test).",
        plausible=(100.0, 500.0),
        ge=0.0,
        le=50_000,
    )
    dependence_per_year: float = param(
        0.12,
        unit="1/year",
        doc="Hazard of a person using occasionally becoming dependent.",
        plausible=(0.05, 0.25),
        ge=0.0,
    )
    occasional_cessation_per_year: float = param(
        0.25,
        unit="1/year",
        doc="Hazard of a person using occasionally stopping for good.",
        plausible=(0.1, 0.5),
        ge=0.0,
    )
    remission_per_year: float = param(
        0.09,
        unit="1/year",
        doc="Hazard of a person with dependent use stopping on their own (remission).",
        source="about 9% a year, conservative; up to 22% on a liberal definition (Calabria et al. 2010)",
        plausible=(0.05, 0.22),
        ge=0.0,
    )
    relapse_first_year_per_year: float = param(
        0.69,
        unit="1/year",
        doc="Relapse hazard in the first year of abstinence (0.69/year means half relapse within a year).",
        source="assumption: relapse about half within a year of detox or leaving treatment",
        plausible=(0.35, 1.4),
        ge=0.0,
    )
    relapse_later_per_year: float = param(
        0.10,
        unit="1/year",
        doc="Relapse hazard after a year of abstinence.",
        plausible=(0.03, 0.2),
        ge=0.0,
    )
    other_deaths_per_1000: float = param(
        9.0,
        unit="deaths per 1,000 person-years",
        doc="Deaths from causes other than overdose among people with dependent use "
        "(all-cause 14 to 16 minus the third to two fifths that is drug poisoning).",
        source="assumption: OCU all-cause mortality about 14-16 per 1,000 PY, of which drug poisoning about 3.4 "
        "(Pierce et al. 2016)",
        plausible=(6.0, 12.0),
        ge=0.0,
    )
    dependent_spend_per_day: float = param(
        45.0,
        unit="GBP/day",
        doc="What a person with dependent use spends on drugs on a day they buy.",
        source="about GBP 45/day heroin, GBP 57 crack, 1998/99 prices (Godfrey et al. 2002)",
        plausible=(30.0, 70.0),
        gt=0.0,
    )
    occasional_spend_per_day: float = param(
        20.0,
        unit="GBP/day",
        doc="What a person using occasionally spends on a buying day.",
        plausible=(10.0, 40.0),
        gt=0.0,
    )
    occasional_buying_days_per_week: float = param(
        1.5, unit="days/week", doc="How often a person using occasionally buys.", plausible=(0.5, 3.0), ge=0.0, le=7.0
    )
    dependent_patience: float = param(
        4.0,
        unit="hours",
        doc="Search time a person with dependent use will put up with; the chance of buying is "
        "1 - exp(-patience / search time), so a thin market turns buyers away.",
        plausible=(2.0, 8.0),
        gt=0.0,
    )
    occasional_patience: float = param(
        1.5,
        unit="hours",
        doc="Search time a person using occasionally will put up with (they give up sooner: participation "
        "is the more elastic part of demand).",
        source="participation elasticity about -0.8 to -0.9, people using heavily less responsive (NRC 2001)",
        plausible=(0.5, 3.0),
        gt=0.0,
    )


class People(Table):
    """The population who use drugs, as a table with one row per person."""

    def __init__(
        self,
        params: PeopleParams,
        overdose: OverdoseParams,
        town: Town,
        context: Context,
    ) -> None:
        self.p = params
        self.od = overdose
        self.town = town
        self.rng = context.rng("careers")
        self.luck = context.luck("careers")
        self.purchase_luck = context.luck("purchases")
        self.offending_luck = context.luck("offending")
        self.log = context.log
        self.record = context.record
        #: Tolerance and overdose (sim/model/overdose.py).
        self.overdoses = Overdoses(self, overdose, context)
        super().__init__(
            params.initial_dependent + params.initial_occasional + params.initial_in_recovery + 1024,
            state=Field(np.int8, UseState.DEPENDENT),
            home=Field(np.int32, 0),
            tolerance=Field(np.float64, 0.0),
            since=Field(np.int32, 0),  # day the current state began
            naloxone=Field(bool, False),
            bought_today=Field(bool, False),
            #: Readiness for treatment: a multiplier on the chance of seeking it (1 = usual). Raised
            #: by an arrest with a drug worker's referral, a non-fatal overdose, family involvement,
            #: outreach or a call-in; it fades back towards 1.
            readiness=Field(np.float64, 1.0),
            #: Took an opioid substitute today (OST in the community or in prison): daily opioid
            #: use that holds tolerance up even without street drugs. Set by the treatment services.
            dosed=Field(bool, False),
            #: Daily chance that a person on OST also buys street drugs (a "top-up").
            top_up=Field(np.float64, 0.0),
            #: Opioid load not yet matched by tolerance, as a share of a street dose: a substitute
            #: dose still being titrated adds to a top-up until tolerance adapts to it.
            unmatched_load=Field(np.float64, 0.0),
            #: Multiplier on the relapse hazard in recovery (housing, work and health support lower it).
            relapse_risk=Field(np.float64, 1.0),
            #: Day of the person's last non-fatal overdose (-1: none), which prompts help-seeking.
            survived_overdose_on=Field(np.int32, -1),
            #: Fixed offending propensity (mean 1 over everyone, 0 for people who do not offend).
            propensity=Field(np.float64, 0.0),
            #: Acquisitive offences each person has committed so far in the run.
            offences=Field(np.int64, 0),
            #: Days in a row a person with dependent use has gone without opioids after failed purchases.
            days_without=Field(np.int32, 0),
        )
        #: Today's prices and what they do to demand (set each day by the model; see price.py).
        self.price = PriceSignal()
        #: Who went looking for drugs today (set by `buyers_today`, read once by `use_and_overdose`).
        self.looking = np.empty(0, dtype=np.int64)
        #: People with dependent use who looked today and could not buy (set by `use_and_overdose`).
        self.failed_today = np.empty(0, dtype=np.int64)

        self.add(params.initial_dependent, UseState.DEPENDENT, day=0, tolerance=1.0)
        self.add(params.initial_occasional, UseState.OCCASIONAL, day=0, tolerance=0.3)
        recovering = self.add(params.initial_in_recovery, UseState.RECOVERY, day=0, tolerance=0.0)
        # People already abstinent at the start have been so for up to five years.
        self.since[recovering] = -self.rng.integers(0, 5 * 365, size=recovering.size)

    # -- bookkeeping ---------------------------------------------------------------------------
    def add(self, count: int, state: UseState, day: int, tolerance: float) -> np.ndarray:
        """Append `count` new people in `state` (other columns take their fields' fills); returns their ids."""
        ids = self.append(count)
        self.state[ids] = state
        self.home[ids] = self.town.place_residents(self.luck.trait(ids, "home"))
        self.tolerance[ids] = tolerance
        self.since[ids] = day
        self.naloxone[ids] = self.luck.trait(ids, "naloxone") < self.od.naloxone_coverage
        self.propensity[ids] = offending_propensity(ids, self.p, self.offending_luck)
        return ids

    def ids_in(self, *states: UseState) -> np.ndarray:
        """Ids of everyone currently in any of `states`."""
        return self.in_states(*states).nonzero()[0]

    def in_states(self, *states: UseState) -> np.ndarray:
        """Boolean mask over all rows: is each person in any of `states`?"""
        current = self.state[: self.n]
        if len(states) == 1:
            return current == int(states[0])  # numpy compares a plain int far faster than an IntEnum
        return state_lookup(states)[current]

    def count(self, state: UseState) -> int:
        return int(np.count_nonzero(self.state[: self.n] == int(state)))

    def move(self, ids: np.ndarray, state: UseState, day: int) -> None:
        """Put people in a new state from today."""
        self.state[ids] = state
        self.since[ids] = day

    def detour(self, ids: np.ndarray, states: UseState | np.ndarray) -> None:
        """Put people in `states` for a short spell or back from one (a night in police custody),
        keeping the day their usual state began: a night in the cells does not restart it."""
        self.state[ids] = states

    def sample(
        self, ids: np.ndarray, probability: float | np.ndarray, label: str, luck: Luck | None = None
    ) -> np.ndarray:
        """The subset of `ids` for whom an event with the given daily probability happens.

        Each person's draw is their own (keyed by id, day and `label`; see `Luck`).
        """
        if ids.size == 0:
            return ids
        return (luck or self.luck).chance(ids, probability, label)

    def backdate(self, ids: np.ndarray, since: np.ndarray) -> None:
        """Date the start of the state people are in when the run begins (it began before day 0)."""
        self.since[ids] = since

    def encourage_treatment(self, ids: np.ndarray, factor: float) -> None:
        """Multiply the treatment readiness of `ids` (an offer of help, a scare, a call-in)."""
        self.readiness[ids] *= factor

    def fade_readiness(self, cap: float, factor: float) -> None:
        """Readiness falls to its cap, then its excess over 1 decays by `factor` a day."""
        r = self.readiness[: self.n]
        np.minimum(r, cap, out=r)
        r -= 1.0
        r *= factor
        r += 1.0

    # -- what treatment services do to a person --------------------------------------------------
    def give_naloxone(self, ids: np.ndarray) -> None:
        """People given a naloxone kit now hold one."""
        self.naloxone[ids] = True

    def lose_naloxone(self, ids: np.ndarray) -> None:
        """People whose kit is lost, taken, expired or used unreported no longer hold one."""
        self.naloxone[ids] = False

    def start_substitute(self, ids: np.ndarray, load: float | np.ndarray) -> None:
        """A substitute prescription starts: its dose is opioid load not yet matched by tolerance
        (as a share of a street dose), which fades as tolerance adapts (overdose.py)."""
        self.unmatched_load[ids] = load

    def settled_on_substitute(self, ids: np.ndarray) -> None:
        """People already established on a substitute when the run starts: dosed, tolerance held up."""
        self.dosed[ids] = True
        self.tolerance[ids] = 1.0

    def dose_today(self, dosed: np.ndarray) -> None:
        """Who takes a substitute dose today (a mask over everyone), which holds tolerance up."""
        self.dosed[: dosed.size] = dosed

    def set_top_up(self, ids: np.ndarray, chance: float | np.ndarray) -> None:
        """The daily chance each person on OST also buys street drugs (a top-up)."""
        self.top_up[ids] = chance

    def set_relapse_risk(self, ids: np.ndarray, risk: np.ndarray) -> None:
        """The relapse hazard multiplier of people leaving treatment for recovery (support lowers it)."""
        self.relapse_risk[ids] = risk

    # -- daily mechanisms ----------------------------------------------------------------------
    def initiate(self, day: int) -> None:
        """New people start using occasionally: a Poisson number a day, fewer when the full price
        is high. The count comes from the day's luck, so paired runs share it."""
        rate = self.p.initiation_per_year / 365.25 * self.price.initiation
        count = int(self.luck.poisson(np.zeros(1, dtype=np.int64), rate, "initiation")[0])
        if count:
            ids = self.add(count, UseState.OCCASIONAL, day, tolerance=0.3)
            self.log.record(day, Event.INITIATED, ids, cell=self.home[ids])
        self.record.add("new_initiates", count)

    def buyers_today(self) -> tuple[np.ndarray, np.ndarray]:
        """Who goes looking for drugs today, and how long each will search before giving up.

        People with dependent use look every day; people on OST top up on some days (their `top_up`
        chance, highest while the dose is still being titrated); people using occasionally now and then,
        less often when the full price is high.
        """
        dependent = self.ids_in(UseState.DEPENDENT)
        on_ost = self.ids_in(UseState.OST)
        topping_up = self.sample(on_ost, self.top_up[on_ost], "top_up", self.purchase_luck)
        occasional = self.ids_in(UseState.OCCASIONAL)
        occasional = self.sample(
            occasional,
            self.p.occasional_buying_days_per_week / 7.0 * self.price.buying,
            "buying_day",
            self.purchase_luck,
        )
        buyers = np.concatenate([dependent, topping_up, occasional])
        self.looking = buyers
        patience = np.concatenate(
            [
                np.full(dependent.size + topping_up.size, self.p.dependent_patience),
                np.full(occasional.size, self.p.occasional_patience),
            ]
        )
        return buyers, patience

    def spend(self, ids: np.ndarray) -> np.ndarray:
        """What each buyer spends on a buying day (GBP); a top-up on OST is a small purchase.

        People using occasionally buy their usual amount at today's price; people with dependent use buy less
        when the full price is high, but not much less (see `PriceSignal.dependent_spend`).
        """
        dependent = self.state[ids] == int(UseState.DEPENDENT)
        return np.where(dependent, self.dependent_spend(), self.p.occasional_spend_per_day * self.price.relative_price)

    def dependent_spend(self) -> float:
        """What a person with dependent use spends on a buying day at today's prices (GBP)."""
        return self.p.dependent_spend_per_day * self.price.dependent_spend

    def use_and_overdose(self, bought: np.ndarray, day: int, purity_ratio: float) -> None:
        """Those who bought use; those who looked and could not buy substitute or go without
        (see `scarcity.go_without`); tolerance moves; some overdose (see `Overdoses.use`)."""
        looked, self.looking = self.looking, np.empty(0, dtype=np.int64)
        failed = looked[self.state[looked] == int(UseState.DEPENDENT)]
        failed = failed[~self.marked(bought)[failed]]
        self.failed_today = failed
        unfamiliar = go_without(self, failed, day)
        self.overdoses.use(bought, day, purity_ratio, unfamiliar)

    def offend(self, bought: np.ndarray, day: int) -> np.ndarray:
        """Acquisitive crime to fund use; returns the ids arrested for it today (see `offending.offend`).

        Everyone with dependent use in the community may offend, whether or not they bought today.
        """
        return offend(self, day, self.failed_today)

    def change_use(self, day: int) -> None:
        """Careers move on: dependence, cessation, remission, relapse and deaths from other causes."""
        p = self.p
        occasional = self.ids_in(UseState.OCCASIONAL)
        u = self.luck.uniform(occasional, "occasional_career")
        to_dependent = per_year_to_daily(p.dependence_per_year * self.price.progression)
        to_cease = per_year_to_daily(p.occasional_cessation_per_year)
        dependent_now = occasional[u < to_dependent]
        ceased = occasional[(u >= to_dependent) & (u < to_dependent + to_cease)]
        self.move(dependent_now, UseState.DEPENDENT, day)
        self.move(ceased, UseState.CEASED, day)
        self.log.record(day, Event.BECAME_DEPENDENT, dependent_now)
        self.log.record(day, Event.CEASED, ceased)

        dependent = self.ids_in(UseState.DEPENDENT)
        remitted = self.sample(
            dependent[self.since[dependent] < day], per_year_to_daily(p.remission_per_year), "remission"
        )
        recovering = self.ids_in(UseState.RECOVERY)
        first_year = (day - self.since[recovering]) < 365
        hazard = np.where(first_year, p.relapse_first_year_per_year, p.relapse_later_per_year)
        hazard = hazard * self.relapse_risk[recovering]
        relapsed = self.sample(recovering, -np.expm1(-hazard / 365.25), "relapse")
        self.move(remitted, UseState.RECOVERY, day)
        self.move(relapsed, UseState.DEPENDENT, day)
        self.relapse_risk[remitted] = 1.0
        self.log.record(day, Event.REMISSION, remitted)
        self.log.record(day, Event.RELAPSED, relapsed, value=self.tolerance[relapsed])

        at_risk = self.ids_in(*DEPENDENCE_HISTORY)
        died = self.sample(at_risk, per_year_to_daily(p.other_deaths_per_1000 / 1000.0), "other_death")
        self.move(died, UseState.DEAD, day)
        self.log.record(day, Event.DIED_OTHER_CAUSE, died)

        self.record.add("became_dependent", dependent_now.size)
        self.record.add("ceased", ceased.size)
        self.record.add("remissions", remitted.size)
        self.record.add("relapses", relapsed.size)
        self.record.add("other_deaths", died.size)

    def record_stocks(self) -> None:
        """End-of-day counts by state."""
        counts = np.bincount(self.state[: self.n], minlength=len(UseState))
        #: Today's end-of-day count of people in each state (for other modules' daily stocks).
        self.counts = counts
        self.record.set("occasional_users", counts[UseState.OCCASIONAL])
        self.record.set("dependent_users", counts[UseState.DEPENDENT])
        self.record.set("people_using", counts[UseState.OCCASIONAL] + counts[UseState.DEPENDENT])
        self.record.set("in_recovery", counts[UseState.RECOVERY])
        dependent_use = int(counts[list(DEPENDENT_USE)].sum())
        self.record.set("dependent_use_total", dependent_use)
        self.record.set("ocu_per_1000", 1000.0 * dependent_use / self.town.population_15_64)
