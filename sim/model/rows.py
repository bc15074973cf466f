"""Per-person columns kept by a module other than `People`, and the town's calendar.

Treatment, custody and prison keep facts about a person (when their OST started, where they wait,
when they are due for release) that `People` need not know. Those modules hold them as arrays
indexed by the same person ids, grown as the population grows, so the daily mechanisms stay
vectorised.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np


class PersonColumns:
    """Named arrays, one row per person id, each with a default for rows not yet written."""

    def __init__(self, size: int, **columns: tuple[Any, Any]) -> None:
        self._spec = columns
        self.size = size
        for name, (dtype, fill) in columns.items():
            setattr(self, name, np.full(size, fill, dtype=dtype))

    def fit(self, n: int) -> None:
        """Make room for ids below `n` (new rows take their column's default)."""
        if n <= self.size:
            return
        size = max(n, 2 * self.size)
        for name, (dtype, fill) in self._spec.items():
            old = getattr(self, name)
            new = np.full(size, fill, dtype=dtype)
            new[: old.size] = old
            setattr(self, name, new)
        self.size = size


class Calendar:
    """Days of the week for the run's days (0 = Monday), from the scenario's start date."""

    def __init__(self, start: dt.date) -> None:
        self.start_weekday = start.weekday()

    def weekday(self, day: int | np.ndarray) -> int | np.ndarray:
        return (self.start_weekday + day) % 7

    def is_weekend(self, day: int) -> bool:
        return self.weekday(day) >= 5

    def next_open_day(self, day: np.ndarray, open_weekends: bool) -> np.ndarray:
        """The first day on or after each `day` when weekday-only services are open."""
        day = np.asarray(day)
        if open_weekends:
            return day
        weekday = self.weekday(day)
        return day + np.where(weekday >= 5, 7 - weekday, 0)
