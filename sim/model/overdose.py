"""Overdose: tolerance held by daily opioid use and lost without it, the hazard and survival.

Split out of the People table because it is one mechanism with its own parameters: the overdose
hazard rises as the opioid load outstrips tolerance, so the first days of use after prison,
detox or abstinence are the riskiest without any special-case multiplier, and survival depends on
a witness and on naloxone at hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.context import Context
from sim.model.events import Event
from sim.model.params import Section, half_life_factor, param, per_year_to_daily
from sim.model.states import ABSTINENT_STATES, UseState

if TYPE_CHECKING:
    from sim.model.people import People


class OverdoseParams(Section):
    """Overdose hazard and survival: tolerance, purity, witnesses and naloxone."""

    rate_per_year: float = param(
        0.06,
        unit="overdoses per person-year",
        doc="Overdose rate of a person with dependent use, at full tolerance and average purity.",
        source="fitted with the tolerance parameters (docs/death-risks-fit.md) so poisoning deaths off OST are a "
        "few per 1,000 person-years (Pierce et al. 2016: 3.4 across time in and out of treatment)",
        plausible=(0.03, 0.2),
        ge=0.0,
    )
    occasional_relative_risk: float = param(
        0.67,
        unit="ratio",
        doc="Overdose risk of a buying day of a person using occasionally, relative to that of a person with "
        "dependent use at full tolerance "
        "(0.67 keeps the daily risk of occasional use where it was before the death risks were refitted).",
        plausible=(0.25, 1.3),
        ge=0.0,
    )
    no_tolerance_multiplier: float = param(
        30.0,
        unit="ratio",
        doc="Overdose risk when tolerance is fully lost, relative to full tolerance; risk rises "
        "linearly as tolerance falls.",
        source="fitted jointly with the tolerance half-lives (docs/death-risks-fit.md) to overdoses in weeks 1-2 "
        "after prison release about 7.5x weeks 3-12 (Merrall et al. 2010); the higher, the larger the spike "
        "after leaving OST (about 9x, Cornish et al. 2010)",
        plausible=(15.0, 60.0),
        ge=1.0,
    )
    tolerance_loss_half_life: float = param(
        7.0, unit="days", doc="Half-life of tolerance during abstinence.", plausible=(3.0, 21.0), gt=0.0
    )
    tolerance_regain_half_life: float = param(
        8.0,
        unit="days",
        doc="Half-life of the tolerance gap once daily use resumes.",
        source="calibrated with overdose.no_tolerance_multiplier to Merrall et al. 2010 (overdoses in weeks 1-2 "
        "after release 7.5 times those in weeks 3-12, UK releases before OST was kept up in prison): 8 days gives "
        "about 7 for people whose tolerance was lost inside and who use daily from release, and about 9 for the "
        "town's releasees not on prison OST (docs/death-risks-fit.md)",
        plausible=(2.0, 14.0),
        gt=0.0,
    )
    ost_dose_relative_risk: float = param(
        0.68,
        unit="ratio",
        doc="Overdose risk of a day on a stable OST dose without street drugs, relative to a street-using "
        "day at full tolerance (the prescribed opioid taken with other sedatives such as alcohol or "
        "benzodiazepines).",
        source="calibrated to Pierce et al. 2016 (drug-poisoning deaths off OST 1.73 times those on it, 95% CI "
        "1.55-1.92) with the tolerance parameters (docs/death-risks-fit.md)",
        plausible=(0.0, 0.8),
        ge=0.0,
    )
    unfamiliar_supply_risk: float = param(
        2.0,
        unit="ratio",
        doc="Overdose risk of a dose from an unfamiliar source of unknown strength, relative to the "
        "person's usual supply at the same tolerance.",
        source="assumption",
        plausible=(1.0, 4.0),
        ge=1.0,
    )
    witnessed_share: float = param(
        0.7,
        unit="fraction",
        doc="Share of overdoses with someone present.",
        source="most overdoses are witnessed, about 70% (Darke and Hall 2003)",
        plausible=(0.5, 0.85),
        ge=0.0,
        le=1.0,
    )
    fatality_unwitnessed: float = param(
        0.13,
        unit="probability",
        doc="Chance an overdose with nobody present is fatal.",
        source="calibrated with overdose.rate_per_year (calibration/default-town.yaml) to Darke et al. 2003; "
        "accepted 0.10-0.15",
        plausible=(0.05, 0.2),
        ge=0.0,
        le=1.0,
    )
    fatality_witnessed: float = param(
        0.03,
        unit="probability",
        doc="Chance a witnessed overdose without naloxone is fatal.",
        plausible=(0.01, 0.06),
        ge=0.0,
        le=1.0,
    )
    fatality_with_naloxone: float = param(
        0.0081,
        unit="probability",
        doc="Chance a witnessed overdose is fatal when naloxone is at hand.",
        source="about 1 in 123 treated overdoses fatal (McDonald and Strang 2016)",
        plausible=(0.004, 0.02),
        ge=0.0,
        le=1.0,
    )
    naloxone_coverage: float = param(
        0.4,
        unit="fraction",
        doc="Share of people with dependent use who have a naloxone kit at the start (and of people who "
        "start using later); treatment services hand out more.",
        source="about 60% of people who inject carry naloxone (UKHSA 2023); not all OCUs inject",
        plausible=(0.1, 0.7),
        ge=0.0,
        le=1.0,
    )


class Overdoses:
    """Tolerance and overdose for the rows of a `People` table."""

    def __init__(self, people: People, params: OverdoseParams, context: Context) -> None:
        self.people = people
        self.od = params
        self.luck = context.luck("overdose")
        self.log = context.log
        self.record = context.record

    def use(self, bought: np.ndarray, day: int, purity_ratio: float, unfamiliar: np.ndarray | None = None) -> None:
        """Those who bought use; tolerance moves; some overdose, and some overdoses kill.

        Overdose hazard scales with purity relative to its average and rises as the opioid load
        outstrips tolerance. Tolerance is held by daily opioid use, street drugs or a substitute
        dose (OST in the community or in prison), and decays otherwise, on a day of dependent use
        without opioids too (a failed purchase); a substitute dose still being titrated adds load
        that tolerance has not yet matched, which makes a top-up in the first weeks of OST riskier
        (Cornish et al. 2010). `unfamiliar` ids used opioids of unknown strength from an unfamiliar
        source (`unfamiliar_supply_risk`).
        """
        people = self.people
        n = people.n
        people.bought_today[:n] = False
        people.bought_today[bought] = True
        unfamiliar = np.empty(0, dtype=np.int64) if unfamiliar is None else unfamiliar
        users = np.concatenate([bought, unfamiliar]) if unfamiliar.size else bought
        state = people.state[:n]
        tolerance = people.tolerance[:n]
        user_state = state[users]
        regain = half_life_factor(self.od.tolerance_regain_half_life)
        loss = half_life_factor(self.od.tolerance_loss_half_life)
        held = people.dosed[:n].copy()
        held[users[(user_state == int(UseState.DEPENDENT)) | (user_state == int(UseState.OST))]] = True
        not_using = people.in_states(*ABSTINENT_STATES, UseState.OST, UseState.DEPENDENT) & ~held
        tolerance[not_using] *= loss

        base = per_year_to_daily(self.od.rate_per_year) * purity_ratio
        gap = 1.0 - tolerance[users] / (1.0 + people.unmatched_load[users])
        risk = base * (1.0 + (self.od.no_tolerance_multiplier - 1.0) * gap)
        occasional = user_state == int(UseState.OCCASIONAL)
        risk[occasional] = base * self.od.occasional_relative_risk
        risk[bought.size :] *= self.od.unfamiliar_supply_risk
        tolerance[held] = 1.0 - (1.0 - tolerance[held]) * regain
        people.unmatched_load[:n] *= regain

        if self.od.ost_dose_relative_risk > 0.0:
            dosed_only = np.flatnonzero(people.dosed[:n] & (state == int(UseState.OST)) & ~people.bought_today[:n])
            users = np.concatenate([users, dosed_only])
            risk = np.concatenate([risk, np.full(dosed_only.size, base * self.od.ost_dose_relative_risk)])
        overdosed = users[self.luck.uniform(users, "overdose") < risk]
        if overdosed.size:
            self._overdose(overdosed, day)

    def _overdose(self, ids: np.ndarray, day: int) -> None:
        od, people = self.od, self.people
        witnessed = self.luck.uniform(ids, "witnessed") < od.witnessed_share
        with_kit = witnessed & people.naloxone[ids]
        fatality = np.where(
            with_kit, od.fatality_with_naloxone, np.where(witnessed, od.fatality_witnessed, od.fatality_unwitnessed)
        )
        died = self.luck.uniform(ids, "fatal") < fatality
        reversed_ = with_kit & ~died
        tolerance = people.tolerance[ids]
        self.log.record(day, Event.OVERDOSE, ids, cell=people.home[ids], value=tolerance)
        self.log.record(day, Event.NALOXONE_REVERSAL, ids[reversed_], value=tolerance[reversed_])
        self.log.record(day, Event.OVERDOSE_DEATH, ids[died], cell=people.home[ids[died]], value=tolerance[died])
        people.naloxone[ids[reversed_]] = False  # the kit was used
        people.survived_overdose_on[ids[~died]] = day
        people.move(ids[died], UseState.DEAD, day)
        self.record.add("overdoses", ids.size)
        self.record.add("naloxone_reversals", int(reversed_.sum()))
        self.record.add("overdose_deaths", int(died.sum()))
