"""Focused cohorts for rare outcomes: thousands of people put through one transition at once.

Overdose deaths in a town of 2,000 are too rare to compare, say, the first weeks after release
with and without continuity of care. These helpers build the model's own populations (People,
Treatment, Prison) with a large cohort, skip the market (everyone who looks for drugs finds
them), and step only the mechanisms that matter for the transition.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.model.context import Context
from sim.model.courts import CourtParams
from sim.model.dealers import DealerParams, Dealers
from sim.model.events import Event
from sim.model.market import MarketParams
from sim.model.people import OverdoseParams, People, PeopleParams, UseState
from sim.model.prison import Prison, PrisonParams
from sim.model.town import Town, TownParams
from sim.model.treatment import Phase, Treatment, TreatmentParams

MONDAY = dt.date(2025, 4, 7)


class Cohort:
    """A town of `size` people with dependent use and the services around them (no market)."""

    def __init__(
        self,
        size: int,
        seed: int = 0,
        treatment: TreatmentParams | None = None,
        prison: PrisonParams | None = None,
        overdose: OverdoseParams | None = None,
        days: int = 400,
    ) -> None:
        context = Context.start(seed, days, MONDAY)
        self.context = context
        self.rng = context.rng("careers")
        self.log = context.log
        self.record = context.record
        town = Town(TownParams(), context.rng("town"))
        people_params = PeopleParams(initial_dependent=size, initial_occasional=0, initial_in_recovery=0)
        self.people = People(people_params, overdose or OverdoseParams(), town, context)
        self.calendar = context.calendar
        treatment = treatment or TreatmentParams()
        treatment = treatment.model_copy(update={"initial_in_ost": 0, "residential_places": 0})
        self.treatment = Treatment(treatment, self.people, context)
        dealers = Dealers(DealerParams(initial_sellers=0), MarketParams(), town, context)
        prison = (prison or PrisonParams()).model_copy(
            update={"initial_in_prison": 0, "initial_on_remand": 0, "initial_sellers_in_prison": 0}
        )
        courts = CourtParams()
        sentence_days = (courts.person_sentence_days, courts.seller_sentence_days)
        self.prison = Prison(prison, sentence_days, self.people, dealers, self.treatment, context)
        self.ids = np.arange(size)

    def use(self, day: int) -> None:
        """Everyone looking for drugs finds them; tolerance moves; overdoses happen."""
        self.context.start_day(day)
        buyers, _ = self.people.buyers_today()
        self.people.use_and_overdose(buyers, day, purity_ratio=1.0)

    def close_day(self) -> None:
        """Record the day, and key the next day's individual luck to the next day (as the model's step does)."""
        self.context.start_day(self.context.streams.day + 1)
        self.people.record_stocks()
        self.treatment.record_stocks(self.record.days_recorded)
        self.record.close_day()

    def events(self, event: Event) -> np.ndarray:
        """(day, id) of every logged `event`."""
        frame = self.log.frame()
        rows = frame[frame["event"] == event.name.lower()]
        return rows[["day", "id"]].to_numpy()

    def overdoses_by_day(self, days: int) -> np.ndarray:
        """Overdoses on each day 0..days-1 across the cohort."""
        hits = self.events(Event.OVERDOSE)
        return np.bincount(hits[:, 0], minlength=days)[:days] if hits.size else np.zeros(days, dtype=int)


def start_everyone_on_ost(cohort: Cohort, day: int = 0) -> None:
    """Refer and admit the whole cohort today (as if a place were free for each)."""
    cohort.treatment.refer(cohort.ids, day, route=0, priority=True)
    cohort.treatment._start_ost(cohort.ids, day)
    cohort.treatment.dose(day)


def stabilise_on_ost(cohort: Cohort) -> None:
    """The whole cohort long established on OST (titrated, tolerance held)."""
    ids = cohort.ids
    cohort.people.move(ids, UseState.OST, -365)
    cohort.treatment.rows.phase[ids] = Phase.DOSING
    cohort.treatment.rows.ost_start[ids] = -365
    cohort.people.tolerance[ids] = 1.0
    cohort.treatment.dose(0)


def imprison(cohort: Cohort, days_inside: int, release_day: int) -> None:
    """The whole cohort serving a sentence that ends on `release_day` (entered `days_inside` before)."""
    ids = cohort.ids
    start = release_day - days_inside
    cohort.people.move(ids, UseState.PRISON, start)
    cohort.prison.rows.entered[ids] = start
    cohort.prison.rows.release_day[ids] = release_day
