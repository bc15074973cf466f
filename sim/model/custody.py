"""The custody suite: when people arrive, how long they are held, and whether a drug worker sees them.

Each arrest arrives at an hour drawn from a busy-hours profile and is held for some hours. Custody
drug workers see people only while on shift, so a rota that misses the busy evening and night
hours misses most detainees; ADDER areas found it important "that drug workers are available at
times when custody is typically busy", and that workers with lived experience engage more people
(College of Policing 2022). A drug worker's assessment can lead to a referral, which raises the person's
readiness for treatment and may put them on the waiting list.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from sim.model.context import Context
from sim.model.events import Event
from sim.model.params import Section, param
from sim.model.people import People
from sim.model.treatment import Route, Treatment

#: Relative custody arrivals by hour of day (0 = midnight to 1 am): quiet early morning, busy
#: from the afternoon to late evening. No national hourly series is published; assumption.
BUSY_HOURS = (4, 3, 2, 1.5, 1, 1, 1, 1.5, 2, 3, 4, 5, 6, 6, 7, 8, 9, 9, 9, 9, 8, 7, 6, 5)


class Shift(BaseModel):
    """One line of the custody drug workers' rota."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    start_hour: int = Field(9, description="Hour the shift starts (0-23).", ge=0, le=23)
    hours: float = Field(8.0, description="Length of the shift in hours.", gt=0.0, le=24.0)
    workers: int = Field(1, description="Drug workers on this shift.", ge=0, le=50)
    weekends: bool = Field(False, description="Whether the shift also runs on Saturdays and Sundays.")


class CustodyParams(Section):
    """Custody arrivals, detention and the drug workers' rota."""

    busy_hours: list[float] = Field(
        default_factory=lambda: list(BUSY_HOURS),
        description="Relative number of custody arrivals in each hour of the day (24 values, midnight first).",
        json_schema_extra={
            "unit": "relative weight",
            "source": "assumption: custody busiest afternoon to late evening",
        },
    )
    detention_hours_mean: float = param(
        10.0, unit="hours", doc="Mean time a person is held in custody.", plausible=(5.0, 18.0), gt=0.0
    )
    detention_hours_shape: float = param(
        2.0, unit="gamma shape", doc="Spread of detention times (gamma shape; larger is less spread).", gt=0.0
    )
    detention_hours_max: float = param(
        24.0, unit="hours", doc="Longest detention without charge (PACE limit without extension).", gt=0.0
    )
    drug_worker_rota: list[Shift] = Field(
        default_factory=lambda: [Shift()],
        description="Custody drug workers' shifts. The default is one worker, 9 am to 5 pm on weekdays.",
        json_schema_extra={"unit": "shifts", "source": "assumption: typical office-hours custody provision"},
    )
    ready_after_hours: float = param(
        2.0,
        unit="hours",
        doc="Hours after arrival before a detainee can be seen (booking in, health check, sobering up).",
        plausible=(0.5, 4.0),
        ge=0.0,
    )
    assessments_per_worker_shift: float = param(
        6.0, unit="assessments", doc="Assessments a drug worker can do in one shift.", plausible=(3.0, 10.0), gt=0.0
    )
    engagement: float = param(
        0.5,
        unit="probability",
        doc="Chance a detainee a drug worker reaches agrees to an assessment.",
        plausible=(0.3, 0.8),
        ge=0.0,
        le=1.0,
    )
    lived_experience_share: float = param(
        0.0,
        unit="fraction",
        doc="Share of drug workers' contacts made by workers with lived experience of drug use.",
        source="workers with lived experience engage service users better (College of Policing 2022)",
        plausible=(0.0, 1.0),
        ge=0.0,
        le=1.0,
    )
    lived_experience_engagement_ratio: float = param(
        1.4,
        unit="ratio",
        doc="Engagement with a worker with lived experience, relative to one without.",
        plausible=(1.0, 2.0),
        ge=1.0,
    )
    referral_share: float = param(
        0.7,
        unit="fraction",
        doc="Share of assessed people referred to treatment.",
        plausible=(0.4, 0.9),
        ge=0.0,
        le=1.0,
    )
    referral_readiness_factor: float = param(
        2.0,
        unit="ratio",
        doc="Readiness multiplier after a drug worker's referral.",
        source="assumption: treatment seeking rises after arrest with a drug worker's referral; size assumed",
        plausible=(1.0, 4.0),
        ge=1.0,
    )
    referral_attendance: float = param(
        0.35,
        unit="probability",
        doc="Chance a referral turns into a place on the waiting list (the person attends the first appointment).",
        source="ADDER: criminal-justice referrals rose but opiate treatment entries did not (Home Office 2025)",
        plausible=(0.15, 0.7),
        ge=0.0,
        le=1.0,
    )

    @field_validator("busy_hours")
    @classmethod
    def _twenty_four_hours(cls, value: list[float]) -> list[float]:
        if len(value) != 24 or min(value) < 0 or sum(value) <= 0:
            raise ValueError("needs 24 non-negative weights (one per hour, midnight first), not all zero")
        return value


@dataclass
class Booked:
    """Today's detainees who use drugs, and whether a drug worker assessed each."""

    people: np.ndarray
    assessed: np.ndarray


class Custody:
    """The custody suite and its drug workers."""

    def __init__(
        self,
        params: CustodyParams,
        people: People,
        treatment: Treatment,
        context: Context,
    ) -> None:
        self.p = params
        self.people = people
        self.treatment = treatment
        self.calendar = context.calendar
        self.luck = context.luck("custody")
        self.log = context.log
        self.record = context.record
        self._rota_cache: dict[tuple, np.ndarray] = {}

    def on_shift(self, day: int) -> np.ndarray:
        """Drug workers on duty in each hour of today and tomorrow (48 values), including night
        shifts that started yesterday. Cached by weekday and rota (timed events may change it)."""
        key = (
            self.calendar.weekday(day),
            *((s.start_hour, s.hours, s.workers, s.weekends) for s in self.p.drug_worker_rota),
        )
        cached = self._rota_cache.get(key)
        if cached is not None:
            return cached
        workers = np.zeros(72)
        for offset in (-1, 0, 1):
            weekend = self.calendar.is_weekend(day + offset)
            for shift in self.p.drug_worker_rota:
                if weekend and not shift.weekends:
                    continue
                start = 24 * (offset + 1) + shift.start_hour
                workers[start : min(start + int(np.ceil(shift.hours)), 72)] += shift.workers
        self._rota_cache[key] = workers[24:]
        return workers[24:]

    def worker_hours(self, day: int) -> float:
        """Drug-worker hours rostered on shifts that start today."""
        weekend = self.calendar.is_weekend(day)
        return float(
            sum(s.hours * s.workers for s in self.p.drug_worker_rota if s.workers and (s.weekends or not weekend))
        )

    def book_in(self, day: int, person_ids: np.ndarray, seller_ids: np.ndarray, seller_keys: np.ndarray) -> Booked:
        """Today's arrests arrive and are held; drug workers on shift see who they can.

        `seller_keys` are the sellers' luck keys (`Dealers.key`)."""
        p = self.p
        n_people, total = person_ids.size, person_ids.size + seller_ids.size
        self.record.add("custody_drug_worker_hours", self.worker_hours(day))
        if total == 0:
            return Booked(person_ids, np.zeros(0, dtype=bool))
        # Each detainee's own luck: people and sellers keyed apart (even and odd keys).
        luck, keys = self.luck, np.concatenate([2 * person_ids, 2 * seller_keys + 1])
        cumulative = np.cumsum(p.busy_hours)
        when = luck.uniforms(keys, "arrival_hour", "arrival_minute")
        arrival = np.searchsorted(cumulative, when[0] * cumulative[-1], side="right").astype(float)
        arrival += when[1]
        held = np.minimum(
            luck.gamma(keys, p.detention_hours_shape, p.detention_hours_mean, "held"), p.detention_hours_max
        )
        self.record.add("custody_arrivals", total)
        self.record.add("custody_hours", float(held.sum()))
        self.log.record(day, Event.CUSTODY_ARRIVAL, person_ids, value=arrival[:n_people])

        assessed = np.zeros(n_people, dtype=bool)
        if n_people:
            assessed = self._drug_workers(day, person_ids, arrival[:n_people], held[:n_people])
        seen = person_ids[assessed]
        self.log.record(day, Event.DRUG_WORKER_ASSESSMENT, seen, value=held[:n_people][assessed])
        self.record.add("drug_worker_assessments", seen.size)
        referred = seen[self.luck.uniform(seen, "referred") < p.referral_share]
        self.people.encourage_treatment(referred, p.referral_readiness_factor)
        self.log.record(day, Event.CUSTODY_REFERRAL, referred)
        self.record.add("custody_referrals", referred.size)
        attending = referred[self.luck.uniform(referred, "attends") < p.referral_attendance]
        self.treatment.refer(attending, day, Route.CUSTODY)
        return Booked(person_ids, assessed)

    def _drug_workers(self, day: int, ids: np.ndarray, arrival: np.ndarray, held: np.ndarray) -> np.ndarray:
        """Who an on-shift drug worker reaches and assesses while they are held."""
        p = self.p
        workers = self.on_shift(day)
        covered = np.concatenate([[0], np.cumsum(workers > 0)])
        first = np.minimum(np.ceil(arrival + p.ready_after_hours), 48).astype(np.int64)
        last = np.minimum(np.floor(arrival + held), 48).astype(np.int64)
        reachable = np.flatnonzero(covered[np.maximum(last, first)] - covered[first] >= 1)
        weekend = self.calendar.is_weekend(day)
        capacity = sum(
            s.workers * p.assessments_per_worker_shift for s in p.drug_worker_rota if s.weekends or not weekend
        )
        if reachable.size > capacity:
            # Who is reached first is each detainee's own luck.
            order = np.argpartition(self.luck.uniform(ids[reachable], "reached"), int(capacity))[: int(capacity)]
            reachable = np.sort(reachable[order])
        engagement = min(
            1.0, p.engagement * (1.0 + p.lived_experience_share * (p.lived_experience_engagement_ratio - 1))
        )
        assessed = np.zeros(arrival.size, dtype=bool)
        assessed[reachable[self.luck.uniform(ids[reachable], "engages") < engagement]] = True
        return assessed
