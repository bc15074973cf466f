"""What every mechanism shares: random streams by purpose, the event log, the daily record, the calendar.

Mechanisms take one `Context` instead of a long list of shared services. Random numbers come
from a stream named by purpose (purity, purchases, overdose, ...), so that scenarios compared
with the same seed share the town's luck where they do not differ.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from sim.model.outcomes import EventLog, Recorder
from sim.model.rows import Calendar

#: The purposes random numbers are drawn for; each has its own stream.
PURPOSES = (
    "town",
    "purity",
    "purchases",
    "overdose",
    "offending",
    "careers",
    "dealers",
    "arrests",
    "officers",
    "deterrence",
    "custody",
    "justice",
    "prison",
    "treatment",
    "staff_turnover",
)


class Streams:
    """Random streams by purpose, drawn from one run's generator."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._shared = rng

    def rng(self, purpose: str) -> np.random.Generator:
        if purpose not in PURPOSES:
            raise KeyError(f"unknown random stream purpose {purpose!r}; known: {', '.join(PURPOSES)}")
        return self._shared


@dataclass
class Context:
    """The services shared by the town's mechanisms during one run."""

    streams: Streams
    calendar: Calendar
    log: EventLog = field(default_factory=EventLog)
    record: Recorder = field(default_factory=lambda: Recorder(1))

    @classmethod
    def start(cls, seed: int | np.random.SeedSequence, n_days: int = 1, first_day: dt.date | None = None) -> Context:
        """A fresh context for a run (or a test) of `n_days` from a seed."""
        calendar = Calendar(first_day or dt.date(2024, 1, 1))
        return cls(Streams(np.random.default_rng(seed)), calendar, EventLog(), Recorder(n_days))

    def rng(self, purpose: str) -> np.random.Generator:
        """The random stream for one purpose (see `PURPOSES`)."""
        return self.streams.rng(purpose)
