"""DrugMarketModel: a town's open drug market, one day at a time.

The model builds the town from a scenario, owns the order of the day, and applies timed lever
changes (go-live, funding ending) through Mesa's event scheduler. Each actor's behaviour lives in
its own module; this file only says who acts when.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.model.call_ins import FocusedDeterrence
from sim.model.context import Context, Streams
from sim.model.costs import Costs
from sim.model.custody import Custody
from sim.model.dealers import Dealers
from sim.model.events import EventLog
from sim.model.justice import Justice
from sim.model.market import Market
from sim.model.outcomes import Recorder
from sim.model.people import People
from sim.model.police import Deployment, Enforcement
from sim.model.price import StreetPrice
from sim.model.prison import Prison
from sim.model.rows import Calendar
from sim.model.town import Town
from sim.model.treatment import Treatment
from sim.model.workforce import DrugTeam
from sim.planner.levers import set_lever
from sim.planner.scenario import Scenario, TimedChange


class DrugMarketModel(mesa.Model):
    """An open drug market in an English town, stepped daily.

    Args:
        scenario: the town, its market and the policy mix (defaults to the baseline town).
        rng: seed or numpy SeedSequence for this run's random stream.
    """

    def __init__(self, scenario: Scenario | None = None, rng: int | np.random.SeedSequence | None = None) -> None:
        super().__init__(rng=rng)
        # A private copy: timed events change levers during the run without touching the caller's.
        self.params = (scenario or Scenario()).model_copy(deep=True)
        p = self.params
        self.n_days = p.days
        calendar = Calendar(p.start_date)
        self.context = Context(Streams(rng), calendar, EventLog(), Recorder(self.n_days))
        ctx = self.context
        self.log = ctx.log
        self.record = ctx.record

        self.town = Town(p.town, ctx.rng("town"))
        self.market = Market(p.market, self.town.reach, self.town.visibility)
        self.street_price = StreetPrice(p.market)
        #: Buyers' recent search time (hours): yesterday's mean, which today's full price counts.
        self.search_hours = p.market.reference_search_hours
        self.people = People(p.people, p.overdose, self.town, ctx)
        self.dealers = Dealers(p.dealers, p.market, self.town, ctx)
        self.enforcement = Enforcement(p.police, self.town.hotspot_cells, self.town.visibility, p.dealers.groups, ctx)
        self.officers = DrugTeam(p.officers, ctx)
        self.deterrence = FocusedDeterrence(p.deterrence, self.dealers, self.people, self.enforcement, ctx)
        self.first_weekday = p.start_date.weekday()
        #: Mean skill-and-fatigue factor of today's arresting officers (0-1]: how well arrests are
        #: evidenced, which the charging decision uses. The police workforce sets it each day.
        self.case_quality = 1.0
        self.treatment = Treatment(p.treatment, self.people, ctx)
        self.custody = Custody(p.custody, self.people, self.treatment, ctx)
        sentence_days = (p.courts.person_sentence_days, p.courts.seller_sentence_days)
        self.prison = Prison(p.prison, sentence_days, self.people, self.dealers, self.treatment, ctx)
        self.justice = Justice(
            p.diversion, p.charging, p.courts, self.people, self.dealers, self.treatment, self.prison, ctx
        )
        self.costs = Costs(p.costs, self.record)
        for day in sorted({change.day for change in p.events}):
            # Half a day before the step, so the new levers are in force for the whole day.
            self.schedule_event(self._apply_due_changes, at=day + 0.5)

    @property
    def today(self) -> int:
        """The day being simulated (0 = first day); Mesa's clock reads 1 during day 0."""
        return int(self.time) - 1

    def _apply_due_changes(self) -> None:
        """Put into force the timed lever changes for the coming day (in file order)."""
        coming = int(self.time)
        for change in self.params.events:
            if change.day == coming:
                self.apply(change)

    def apply(self, change: TimedChange) -> None:
        """Put a timed lever change into force."""
        for path, value in change.set.items():
            set_lever(self.params, path, value)

    def step(self) -> None:
        """One day in the town."""
        day = self.today
        self.context.start_day(day)
        purity = self.market.drift_purity(self.context.rng("purity"))
        self.set_prices(purity)
        deployment = self.police_deploy(day)
        bought = self.market_trades(deployment)
        self.people.use_and_overdose(bought, day, purity)
        arrested_people = self.people.offend(bought, day)
        arrested_sellers = self.police_arrest(day, deployment)
        warnings = self.deterrence.communicate(day, arrested_sellers, arrested_people)
        self.dealers.perceive_risk(arrested_sellers, self.police_attention(deployment), extra=warnings)
        self.dealers.leave_or_stay(day)
        self.dealers.recruit(day)
        self.dealers.displace(deployment.patrol_by_cell, day, self.enforcement.p.patrol_hours_per_day)
        booked = self.custody.book_in(day, arrested_people, arrested_sellers, self.dealers.key(arrested_sellers))
        self.justice.process(day, booked, arrested_sellers, self.case_quality)
        self.prison.hold_and_release(day)
        self.treatment.serve(day)
        self.people.change_use(day)
        self.people.initiate(day)
        self.officers.rest_and_turnover(day)
        self.record_day(day, arrested_people, arrested_sellers)

    # -- the day's parts ---------------------------------------------------------------------------
    def set_prices(self, purity_ratio: float) -> None:
        """Sellers reprice for the risk they perceive; buyers meet the day's full price (price.py)."""
        risk = self.dealers.active_mean(self.dealers.risk, default=self.params.market.reference_risk)
        price = self.street_price.adjust(risk)
        signal = self.street_price.signal(purity_ratio, self.search_hours, self.params.people.dependent_spend_per_day)
        self.people.price = signal
        self.record.set("street_price", price)
        self.record.set("purity_adjusted_price", price / self.market.purity)
        self.record.set("full_price_index", signal.full_price)
        self.record.set("dependent_spend", self.people.dependent_spend())

    def police_deploy(self, day: int) -> Deployment:
        """The drug team staffs today's tasking (case work, patrol, operations) and goes out."""
        police = self.enforcement
        sellers = self.dealers.active()
        by_cell = self.dealers.by_cell(sellers)
        members = np.bincount(self.dealers.group[sellers], minlength=self.params.dealers.groups)
        planned_operations = police.plan_operations(members, self.deterrence.sanction_hours(day))
        weekday = (self.first_weekday + day) % 7
        shift = self.officers.staff(
            day, weekday, police.case_backlog, police.p.patrol_hours_per_day, float(planned_operations.sum())
        )
        police.work_cases(shift.case_hours)
        patrol = police.deploy(by_cell, shift.patrol_hours)
        planned = planned_operations.sum()
        operations = planned_operations * (shift.operation_hours / planned) if planned > 0 else planned_operations
        self.record.add("patrol_hours", shift.patrol_hours)
        self.record.add("operation_hours", shift.operation_hours)
        self.record.add("case_work_hours", shift.case_hours)
        return Deployment(sellers, by_cell, patrol, operations, shift.effectiveness)

    def market_trades(self, deployment: Deployment) -> np.ndarray:
        """Buyers search for sellers; returns the ids of people who bought today."""
        sellers = deployment.sellers
        buyers, patience = self.people.buyers_today()
        homes = self.people.home[buyers]
        done, seller_index, search = self.market.trade(
            homes, patience, self.dealers.cell[sellers], deployment.patrol_by_cell, self._buyer_luck(buyers)
        )
        bought = buyers[done]
        self.dealers.sell(sellers, seller_index, self.people.spend(bought))
        self.record.add("transactions", bought.size)
        self.record.add("failed_purchases", buyers.size - bought.size)
        finite = search[np.isfinite(search)]
        mean_search = float(finite.mean()) if finite.size else 0.0
        if finite.size:
            self.search_hours = mean_search
        self.record.set("mean_search_time", mean_search)
        self.record.set("purity", self.market.purity)
        return bought

    def _buyer_luck(self, buyers: np.ndarray) -> np.ndarray:
        """Each buyer's own three numbers for today's search (see `Market.trade`)."""
        return self.context.luck("purchases").uniforms(buyers, "finds", "location", "seller")

    def police_arrest(self, day: int, deployment: Deployment) -> np.ndarray:
        """Patrol and targeted operations meet sellers; returns the ids of sellers arrested today.

        Also sets `case_quality` from the officers credited with today's arrests.
        """
        police = self.enforcement
        sellers = deployment.sellers
        yield_per_hour = police.p.arrests_per_patrol_hour * deployment.effectiveness
        on_patrol = police.arrest_sellers(
            sellers,
            self.dealers.cell[sellers],
            deployment.patrol_by_cell,
            deployment.sellers_by_cell,
            self.context.luck("arrests"),
            self.dealers.key(sellers),
            yield_per_hour,
        )
        still_free = self.dealers.not_in(sellers, on_patrol)
        in_operations = police.arrest_in_operations(
            still_free,
            self.dealers.group[still_free],
            deployment.operations_by_group,
            self.context.luck("arrests"),
            self.dealers.key(still_free),
            deployment.effectiveness,
        )
        swept = self.hotspot_operations(day, self.dealers.not_in(still_free, in_operations))
        arrested = np.concatenate([on_patrol, in_operations, swept])
        police.open_cases(on_patrol.size, in_operations.size)
        self.case_quality = self.officers.attribute_arrests(arrested.size, day)
        self.dealers.arrested(arrested, day)
        self.record.add("operation_arrests", in_operations.size)
        self.record.add("high_harm_disrupted", int(police.high_harm[self.dealers.group[arrested]].sum()))
        self.record.set("case_quality", self.case_quality)
        self.record.set("case_backlog_hours", police.case_backlog)
        return arrested

    def police_attention(self, deployment: Deployment) -> np.ndarray:
        """Each cell's patrol shared among the sellers still standing there: one seller's daily
        arrest chance, as sellers sense it after today's arrests (fewer sellers, more each)."""
        police = self.enforcement
        yield_per_hour = police.p.arrests_per_patrol_hour * deployment.effectiveness
        return police.seller_risk(deployment.patrol_by_cell, self.dealers.by_cell(), yield_per_hour)

    def hotspot_operations(self, day: int, sellers: np.ndarray) -> np.ndarray:
        """Today's one-off hotspot operations (scenario `operations`); returns the sellers they arrest.

        The operation brings its own officers, who also process its arrests, so it adds to the
        police cost but not to the drug team's hours, fatigue or case backlog.
        """
        arrested = sellers[:0]
        for operation in self.params.operations:
            if operation.day != day:
                continue
            numbers = np.asarray(operation.hotspots, dtype=np.int64)
            cells = self.town.hotspot_cells[numbers - 1] if numbers.size else self.town.hotspot_cells
            free = self.dealers.not_in(sellers, arrested)
            caught = self.enforcement.sweep(
                free, self.dealers.cell[free], cells, operation.arrest_share, self.context.luck("arrests"),
                self.dealers.key(free),
            )  # fmt: skip
            arrested = np.concatenate([arrested, caught])
            self.record.add("operation_support_hours", operation.officer_hours)
        self.record.add("hotspot_operation_arrests", arrested.size)
        return arrested

    def record_day(self, day: int, arrested_people: np.ndarray, arrested_sellers: np.ndarray) -> None:
        """Close the day's row of the daily table (costs last: they price the day's counts)."""
        self.record.add("dealer_arrests", arrested_sellers.size)
        self.record.add("person_arrests", arrested_people.size)
        self.record.add("arrests", arrested_sellers.size + arrested_people.size)
        self.people.record_stocks()
        self.dealers.record_stocks()
        self.treatment.record_stocks(day)
        self.justice.record_stocks(day)
        self.prison.record_stocks()
        self.costs.count()
        self.record.close_day()

    def run(self) -> None:
        """Run every day of the scenario's horizon."""
        self.run_for(self.n_days - self.record.days_recorded)
