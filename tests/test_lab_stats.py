"""Tests of per-class statistics and the statistics table."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rampkit.lab.stats import StatsTable, class_statistics
from rampkit.ramp import Ramp

CLASSED = Ramp.from_mapping(
    {"25%": "#c80000", "50%": "#fff000", "100%": "#008200"}, mode="discrete"
)


def test_breakpoint_value_goes_to_lower_class() -> None:
    # Over 0-100 the stops resolve to 25, 50 and 100: 25 is in class 0.
    rows = class_statistics([0.0, 25.0, 26.0, 50.0, 100.0], CLASSED)
    assert [row.count for row in rows] == [2, 2, 1]
    assert rows[0].high == 25.0
    assert rows[1].low == 25.0


def test_shares_and_means() -> None:
    rows = class_statistics([0.0, 10.0, 60.0, 100.0], CLASSED)
    assert [row.share for row in rows] == [0.5, 0.0, 0.5]
    assert rows[0].mean == 5.0
    assert math.isnan(rows[1].mean)
    assert rows[2].minimum == 60.0
    assert rows[2].maximum == 100.0


def test_nan_and_nodata_left_out() -> None:
    rows = class_statistics([np.nan, -1.0, 0.0, 100.0], CLASSED, nodata=-1.0)
    assert sum(row.count for row in rows) == 2


def test_values_above_last_stop_in_last_class() -> None:
    ramp = Ramp.from_mapping({"1": "red", "2": "blue"}, mode="discrete")
    rows = class_statistics([0.5, 1.5, 9.0], ramp)
    assert [row.count for row in rows] == [1, 2]
    assert rows[-1].high == math.inf


def test_fixed_basis() -> None:
    rows = class_statistics([10.0, 30.0], CLASSED, basis=(0.0, 40.0))
    # 25 % of 0-40 is 10, 50 % is 20.
    assert [row.count for row in rows] == [1, 0, 1]


def test_table_hidden_unless_discrete() -> None:
    table = StatsTable(np.arange(101.0), CLASSED.with_mode("linear"))
    assert table.rows == []
    assert table.layout.display == "none"
    table.ramp = CLASSED
    assert table.layout.display is None
    assert len(table.rows) == 3
    assert "<td>26</td>" in table.table.value


def test_table_follows_ramp() -> None:
    table = StatsTable(np.arange(101.0), CLASSED, unit="bu/ac")
    table.ramp = CLASSED.move_stop(0, 10.0)
    assert [row["count"] for row in table.summary()] == [11, 40, 50]
    assert "to (bu/ac)" in table.table.value


@pytest.mark.parametrize("values", [[], [np.nan]])
def test_no_valid_values(values: list[float]) -> None:
    rows = class_statistics(values, CLASSED)
    assert [row.count for row in rows] == [0, 0, 0]
