"""The growable table every per-individual column lives in (sim/model/rows.py)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.rows import Field, Table


def _people(capacity: int = 2) -> Table:
    return Table(capacity, state=Field(np.int8, 3), tolerance=Field(np.float64, 0.5))


def test_append_returns_the_new_ids_in_order() -> None:
    table = _people()
    assert table.append(3).tolist() == [0, 1, 2]
    assert table.append(2).tolist() == [3, 4]
    assert table.append(0).size == 0
    assert table.n == 5


def test_growth_keeps_old_values_and_new_rows_take_the_fill() -> None:
    table = _people(capacity=2)
    first = table.append(2)
    table.state[first] = [7, 8]
    table.tolerance[first] = [1.0, 2.0]
    more = table.append(5)  # beyond capacity: the columns are replaced by larger ones
    assert table.capacity >= 7
    assert table.state.size == table.tolerance.size == table.capacity
    assert table.state[first].tolist() == [7, 8]
    assert table.tolerance[first].tolist() == [1.0, 2.0]
    assert table.state[more].tolist() == [3] * 5
    assert table.tolerance[more].tolist() == [0.5] * 5
    assert table.state.dtype == np.int8


def test_capacity_doubles_so_one_at_a_time_growth_is_cheap() -> None:
    table = _people(capacity=4)
    sizes = set()
    for _ in range(100):
        table.append(1)
        sizes.add(table.capacity)
    assert sizes == {4, 8, 16, 32, 64, 128}


def test_side_tables_follow_their_owner() -> None:
    owner = _people(capacity=2)
    owner.append(1)
    side = owner.side_table(release_day=Field(np.int32, -1), in_prison=Field(bool, False))
    assert side.n == 1
    side.release_day[0] = 40
    ids = owner.append(9)  # owner grows: the side table has a row for every new id
    assert side.n == owner.n == 10
    assert side.release_day.size == owner.capacity
    assert side.release_day[0] == 40
    assert side.release_day[ids].tolist() == [-1] * 9
    assert not side.in_prison[ids].any()


def test_a_side_tables_rows_are_added_only_through_its_owner() -> None:
    side = _people().side_table(case=Field(np.int64, -1))
    with pytest.raises(ValueError):
        side.append(1)
