"""Growable tables of per-individual columns, and the town's calendar.

People, sellers, officers and cases are rows of a `Table`: one numpy array per column, indexed
by id, so the daily mechanisms stay vectorised. Treatment, custody, prison and the programmes keep
facts about the same individuals (when their OST started, when they are due for release) that
`People` or `Dealers` need not know; they hold them in a side table of the owner's, which grows
with its owner, so a row exists for every id the owner has.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Field:
    """A column: its numpy dtype and the value every new row starts with."""

    dtype: Any
    fill: Any = 0


class Table:
    """Named numpy columns as attributes (`table.state`), one row per id; the first `n` rows are in use.

    Capacity doubles when rows are added beyond it; new rows take their field's fill. Side tables
    (`side_table`) have a row for each of this table's ids and grow when it grows.
    """

    def __init__(self, capacity: int, **fields: Field) -> None:
        self.n = 0
        self.capacity = capacity
        self._fields = fields
        self._sides: list[Table] = []
        self._owned = False
        for name, field in fields.items():
            setattr(self, name, np.full(capacity, field.fill, dtype=field.dtype))

    def append(self, count: int) -> np.ndarray:
        """Add `count` rows, each holding its fields' fills; returns their ids."""
        if self._owned:
            raise ValueError("a side table's rows are its owner's: append to the owner")
        ids = np.arange(self.n, self.n + count)
        capacity = self.capacity if self.n + count <= self.capacity else max(self.n + count, 2 * self.capacity)
        self._follow(self.n + count, capacity)
        return ids

    def marked(self, ids: np.ndarray) -> np.ndarray:
        """A boolean mask over the rows in use, true at `ids`: membership by lookup (quicker than np.isin)."""
        mask = np.zeros(self.n, dtype=bool)
        mask[ids] = True
        return mask

    def not_in(self, ids: np.ndarray, others: np.ndarray) -> np.ndarray:
        """`ids` without those also in `others`, in their order (a set difference by lookup)."""
        return ids[~self.marked(others)[ids]]

    def side_table(self, **fields: Field) -> Table:
        """Another module's columns about this table's ids: a table that grows with this one."""
        side = Table(self.capacity, **fields)
        side.n = self.n
        side._owned = True
        self._sides.append(side)
        return side

    def _follow(self, n: int, capacity: int) -> None:
        """Take `n` rows in use and room for `capacity`, and make the side tables follow."""
        if capacity > self.capacity:
            for name, field in self._fields.items():
                old = getattr(self, name)
                grown = np.full(capacity, field.fill, dtype=field.dtype)
                grown[: old.size] = old
                setattr(self, name, grown)
            self.capacity = capacity
        self.n = n
        for side in self._sides:
            side._follow(n, capacity)


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
