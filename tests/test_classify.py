"""Tests for rampkit.classify: schemes, edges, ties, statistics and ramps."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import mapclassify
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import decode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rampkit.classify import (
    MAX_K,
    SCHEMES,
    V2_COLORS,
    Classification,
    classify,
    fixed_classification,
)
from rampkit.color import parse_color
from rampkit.colorize import Basis, colorize
from rampkit.errors import ClassificationError, FewerClassesWarning
from rampkit.presets import get_ramp
from rampkit.ramp import Ramp

DATA = Path(__file__).resolve().parents[1] / "data"
COMPUTED = tuple(scheme for scheme in SCHEMES if scheme != "manual")
# The case file names schemes as the literature does.
CASE_SCHEMES = {"quantiles": "quantile", "natural_breaks": "natural_breaks",
                "equal_interval": "equal_interval"}


@pytest.fixture(scope="module")
def csiro_yield() -> np.ndarray:
    """Dry yield (t/ha) of the CSIRO harvest: 1,543 points, 264 distinct values."""
    frame = pd.read_csv(DATA / "csiro_area-2_harvest_grain_iso-8859-1.csv",
                        encoding="iso-8859-1")
    return frame["Yld Mass(Dry)(tonne/ha)"].to_numpy(dtype=np.float64)


@pytest.fixture(scope="module")
def urea_rate() -> np.ndarray:
    """As-applied urea rate of field 1: 13,990 points, 621 of them at 0 (check strips)."""
    with open(DATA / "ofpe_field-1_2018_as-applied_urea.geojson", encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    return np.array([f["properties"]["rate_appld"] for f in features], dtype=np.float64)


def quiet_classify(*args, **kwargs) -> Classification:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewerClassesWarning)
        return classify(*args, **kwargs)


def check_invariants(result: Classification, values: np.ndarray) -> None:
    """Edges ascend, counts match the class ids, and no computed class is empty."""
    edges = np.asarray(result.edges)
    assert edges.size == result.k + 1
    assert (np.diff(edges[1:]) > 0).all()
    assert edges[0] <= edges[1]
    finite = values[np.isfinite(values)]
    ids = result.class_ids(finite)
    assert ids.min() >= 0
    assert ids.max() <= result.k - 1
    assert np.bincount(ids, minlength=result.k).tolist() == list(result.counts)
    assert sum(result.counts) == finite.size
    if result.scheme != "manual":
        assert min(result.counts) > 0


# -- field cases -----------------------------------------------------------------


@pytest.mark.parametrize("case_id", ["C07", "C08"])
def test_field_case_ties(cases, case_id):
    case = cases[case_id]
    values = np.asarray(decode(case["input"]["values"]), dtype=np.float64)
    scheme = CASE_SCHEMES[case["input"]["method"]]
    expected = case["expected"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.warns(FewerClassesWarning) as record:
            result = classify(values, scheme, case["input"]["k"])
    assert list(result.uppers) == expected["recommended_bins"]
    assert result.class_ids(values).tolist() == expected["classes"]
    if "counts" in expected:
        assert list(result.counts) == expected["counts"]
    message = str(record[0].message)
    requested, reduced = case["input"]["k"], len(expected["recommended_bins"])
    assert f"k reduced from {requested} to {reduced}" in message


def test_quantile_ties_message(cases):
    values = np.asarray(cases["C07"]["input"]["values"], dtype=np.float64)
    with pytest.warns(FewerClassesWarning, match=r"quantile edges coincide at 0 \(ties\)"):
        classify(values, "quantile", 4)


def test_natural_breaks_few_values_message(cases):
    values = np.asarray(cases["C08"]["input"]["values"], dtype=np.float64)
    with pytest.warns(FewerClassesWarning, match="there are only 3 distinct values"):
        classify(values, "natural_breaks", 5)


def test_constant_data_one_class(cases):
    spec = cases["C01"]["input"]["classify"]
    expected = cases["C01"]["expected"]["classify"]
    values = np.asarray(spec["values"], dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.warns(
            FewerClassesWarning,
            match="equal_interval: k reduced from 4 to 1 because all valid values are equal to 7",
        ):
            result = classify(values, spec["method"], spec["k"])
        ids = result.class_ids(values)
        gvf = result.gvf(values)
    assert list(result.uppers) == expected["bins"]
    assert ids.tolist() == expected["classes"]
    assert result.k == 1
    assert result.k_requested == 4
    assert gvf == 1.0


@pytest.mark.parametrize("scheme", COMPUTED)
def test_constant_data_every_scheme(scheme):
    values = np.full(10, 3.25)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.warns(FewerClassesWarning, match="all valid values are equal to 3.25"):
            result = classify(values, scheme, 5)
    assert result.edges == (3.25, 3.25)
    assert result.counts == (10,)


def test_nan_excluded_from_classes(cases):
    spec = cases["C02"]["input"]["classify"]
    expected = cases["C02"]["expected"]["classify"]
    values = np.asarray(decode(spec["values"]), dtype=np.float64)
    result = classify(values, spec["method"], spec["k"])
    assert list(result.uppers) == expected["bins"]
    assert result.class_ids(values).tolist() == expected["classes"]
    assert list(result.counts) == expected["counts"]
    assert result.n_nodata == 1


# -- schemes against references ----------------------------------------------------


def test_quantile_matches_mapclassify(rng):
    values = rng.gamma(4.0, 25.0, 5000)
    result = classify(values, "quantile", 7)
    reference = mapclassify.Quantiles(values, k=7).bins
    np.testing.assert_allclose(result.uppers, reference, rtol=1e-12)
    assert result.edges[0] == values.min()


def test_equal_interval_matches_mapclassify(csiro_yield):
    result = classify(csiro_yield, "equal_interval", 5)
    reference = mapclassify.EqualInterval(csiro_yield, k=5).bins
    np.testing.assert_allclose(result.uppers, reference, rtol=1e-12)
    # 0.38 to 7.88 in five steps of 1.5.
    np.testing.assert_allclose(result.edges, [0.38, 1.88, 3.38, 4.88, 6.38, 7.88])


def test_natural_breaks_matches_fisher_jenks(csiro_yield):
    # 1,543 values fit in one sample, so the breaks are Fisher-Jenks' own.
    result = classify(csiro_yield, "natural_breaks", 5)
    reference = mapclassify.FisherJenks(csiro_yield, k=5).bins
    np.testing.assert_array_equal(result.uppers, reference)


def test_natural_breaks_clusters():
    values = np.array([1.0, 2.0, 3.0, 50.0, 51.0, 52.0, 100.0, 101.0])
    result = classify(values, "natural_breaks", 3)
    assert result.edges == (1.0, 3.0, 52.0, 101.0)


def test_natural_breaks_large_values_keep_partition(csiro_yield):
    # Raw mg/m2 yields reach millions; sums of squares in float32 would
    # move the breaks, so the partition must not depend on the scale.
    small = classify(csiro_yield, "natural_breaks", 6)
    large = classify(csiro_yield * 1e6 + 3e7, "natural_breaks", 6)
    assert large.counts == small.counts


def test_natural_breaks_sample_is_seeded(urea_rate):
    first = classify(urea_rate, "natural_breaks", 7, sample_size=500, seed=1)
    again = classify(urea_rate, "natural_breaks", 7, sample_size=500, seed=1)
    assert first == again
    assert first.edges[0] == urea_rate.min()
    assert first.edges[-1] == urea_rate.max()
    check_invariants(first, urea_rate)


def test_std_mean_edges():
    values = np.arange(1.0, 10.0)
    mean, std = values.mean(), values.std(ddof=1)
    with pytest.warns(FewerClassesWarning,
                      match="k reduced from 5 to 3 because 2 standard-deviation edges lie "
                            "outside the data range 1 to 9"):
        result = classify(values, "std_mean", 5)
    np.testing.assert_allclose(result.edges, [1.0, mean - std, mean + std, 9.0])


def test_std_mean_even_k_has_mean_edge():
    values = np.arange(1.0, 101.0)
    result = classify(values, "std_mean", 4)
    mean, std = values.mean(), values.std(ddof=1)
    np.testing.assert_allclose(result.uppers, [mean - std, mean, mean + std, 100.0])


def test_pretty_round_edges():
    values = np.array([5.0, 30.0, 60.0, 90.0, 120.0, 150.0, 180.0, 210.0, 240.0, 283.9])
    result = classify(values, "pretty", 7)
    assert result.edges == (0.0, 50.0, 100.0, 150.0, 200.0, 250.0, 300.0)
    assert result.k_requested == 7


def test_pretty_small_steps_print_clean():
    values = np.linspace(0.38, 7.88, 50)
    result = classify(values, "pretty", 7)
    assert result.edges == (0.0, 2.0, 4.0, 6.0, 8.0)


def test_manual_edges(csiro_yield):
    result = classify(csiro_yield, "manual", edges=[0, 1, 2, 4, 8])
    assert result.k == 4
    assert result.edges == (0.0, 1.0, 2.0, 4.0, 8.0)
    expected = [int(((csiro_yield > lo) & (csiro_yield <= hi)).sum())
                for lo, hi in [(-1, 1), (1, 2), (2, 4), (4, 8)]]
    assert list(result.counts) == expected


def test_manual_keeps_empty_class():
    result = classify(np.array([1.0, 2.0, 9.0]), "manual", edges=[0, 2, 5, 10])
    assert result.counts == (2, 0, 1)
    assert math.isnan(result.class_min[1])


@pytest.mark.parametrize("scheme", COMPUTED)
def test_every_scheme_real_data(scheme, urea_rate):
    values = urea_rate.copy()
    values[::97] = np.nan
    result = quiet_classify(values, scheme, 7)
    assert result.n_nodata == int(np.isnan(values).sum())
    check_invariants(result, values)
    ids = result.class_ids(values)
    finite = np.isfinite(values)
    for index in range(result.k):
        members = values[finite & (ids == index)]
        assert members.min() == result.class_min[index]
        assert members.max() == result.class_max[index]


@pytest.mark.parametrize("scheme", COMPUTED)
def test_fewer_distinct_values_than_k(scheme):
    values = np.array([0.0, 0.0, 0.0, 0.0, 10.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.warns(FewerClassesWarning,
                          match=f"{scheme}: k reduced from 4 to 2 because there are only 2 "
                                "distinct values"):
            result = classify(values, scheme, 4)
    check_invariants(result, values)
    assert result.class_ids(values).tolist() == [0, 0, 0, 0, 1]


def test_equal_interval_merges_empty_classes():
    values = np.array([0.0, 1.0, 2.0, 100.0])
    with pytest.warns(FewerClassesWarning, match="2 classes would be empty"):
        merged = classify(values, "equal_interval", 4)
    assert merged.edges == (0.0, 25.0, 100.0)
    kept = classify(values, "equal_interval", 4, merge_empty=False)
    assert kept.edges == (0.0, 25.0, 50.0, 75.0, 100.0)
    assert kept.counts == (3, 0, 0, 1)


def test_warning_points_at_caller():
    with pytest.warns(FewerClassesWarning) as record:
        classify(np.array([1.0, 1.0, 1.0]), "quantile", 3)
    assert record[0].filename == __file__


# -- validity --------------------------------------------------------------------


def test_nodata_sentinel_and_zero():
    values = np.array([-9999.0, 0.0, 5.0, 10.0, np.inf])
    result = classify(values, "equal_interval", 2, nodata=-9999)
    assert result.n_nodata == 2
    assert result.edges == (0.0, 5.0, 10.0)
    assert result.class_ids(values, nodata=-9999).tolist() == [-1, 0, 0, 1, -1]


def test_integer_grid_nodata():
    values = np.array([[0, 255], [10, 20]], dtype=np.uint8)
    result = classify(values, "equal_interval", 2, nodata=255)
    assert result.edges == (0.0, 10.0, 20.0)
    assert result.class_ids(values, nodata=255).tolist() == [[0, -1], [0, 1]]


def test_dataarray_nodata_attribute():
    array = xr.DataArray(np.array([[1.0, -1.0], [2.0, 3.0]]), dims=("y", "x"),
                         attrs={"nodata": -1.0})
    result = classify(array, "equal_interval", 2)
    assert result.n_nodata == 1
    assert result.edges == (1.0, 2.0, 3.0)
    assert result.class_ids(array).tolist() == [[0, -1], [0, 1]]


def test_class_ids_outside_edges_use_end_classes():
    result = classify(np.array([1.0, 2.0, 3.0, 4.0]), "equal_interval", 2)
    assert result.class_ids(np.array([-50.0, 2.5, 2.5000001, 99.0])).tolist() == [0, 0, 1, 1]
    assert result.class_ids(np.array([1.0, 2.0])).dtype == np.int16


# -- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"scheme": "jenks"},
         r"unknown scheme 'jenks'; known schemes: 'quantile', 'equal_interval', "
         r"'natural_breaks', 'std_mean', 'pretty', 'manual'"),
        ({"scheme": "quantiles"}, r"unknown scheme 'quantiles'; did you mean 'quantile'\?"),
        ({"k": 1}, r"k 1 is below 2; a classification needs at least 2 classes"),
        ({"k": MAX_K + 1}, r"k 256 is above the maximum of 255 classes"),
        ({"k": 2.5}, r"k 2.5 is not an integer; give a class count such as 7"),
        ({"k": True}, r"k True is not an integer"),
        ({"scheme": "quantile", "edges": [0, 1, 2]},
         r"edges \[0, 1, 2\] were given with scheme 'quantile'; edges are only used with "
         r"scheme='manual'"),
        ({"scheme": "manual"}, r"scheme 'manual' needs edges; pass edges="),
        ({"scheme": "manual", "edges": [0, 5, 5, 10]},
         r"edges must be strictly ascending, got \[0.0, 5.0, 5.0, 10.0\] \(edges\[2\] = 5 "
         r"is not above edges\[1\] = 5\); sort them and drop repeats"),
        ({"scheme": "manual", "edges": [10, 5, 0]}, r"edges must be strictly ascending"),
        ({"scheme": "manual", "edges": [0, 5, 9]},
         r"edges 0 to 9 do not cover the value 10; extend the first or last edge to cover "
         r"1 to 10"),
        ({"scheme": "manual", "edges": [2, 5, 10]}, r"do not cover the value 1;"),
        ({"scheme": "manual", "edges": [0, float("nan"), 10]},
         r"edges\[1\] nan is not finite; give finite values"),
        ({"scheme": "manual", "edges": [0, 10]},
         r"give 1 classes; give at least 3 edges for 2 classes"),
        ({"scheme": "manual", "edges": ["a", "b", "c"]}, r"are not numbers"),
        ({"scheme": "natural_breaks", "sample_size": 3},
         r"sample_size 3 is too small; give an integer of at least 10"),
    ],
)
def test_bad_input(kwargs, pattern):
    values = np.arange(1.0, 11.0)
    with pytest.raises(ClassificationError, match=pattern):
        classify(values, **kwargs)


def test_no_valid_values():
    with pytest.raises(ClassificationError,
                       match=r"no valid values to classify \(3 values are NaN, infinite or "
                             r"nodata\)"):
        classify(np.array([np.nan, np.inf, -9999.0]), nodata=-9999)


def test_non_numeric_values():
    with pytest.raises(ClassificationError, match="cannot classify values of dtype <U1"):
        classify(np.array(["a", "b"]))


def test_classification_validates_edges():
    with pytest.raises(ClassificationError, match=r"3 edges do not make k = 3 classes"):
        Classification("manual", 3, (0, 1, 2), (1, 1, 1), 3)
    with pytest.raises(ClassificationError, match=r"are not ascending"):
        Classification("manual", 2, (0, 2, 1), (1, 1), 2)
    with pytest.raises(ClassificationError, match=r"2 counts do not match k = 3"):
        Classification("manual", 3, (0, 1, 2, 3), (1, 1), 3)


# -- statistics ---------------------------------------------------------------------


def test_gvf_known_value():
    values = np.array([1.0, 2.0, 3.0, 10.0, 11.0, 12.0])
    result = classify(values, "manual", edges=[1, 3, 12])
    # Class means 2 and 11 leave 4 of the 125.5 squared deviations around 6.5.
    assert result.gvf(values) == pytest.approx(1 - 4 / 125.5)


def test_statistics_grid(grid):
    result = classify(grid, "quantile", 4, nodata=-9999)
    frame = result.statistics(grid, nodata=-9999, pixel_area=4.0)
    valid = np.isfinite(grid) & (grid != -9999)
    values = grid[valid].astype(np.float64)
    ids = result.class_ids(values)
    assert list(frame.columns) == ["lower", "upper", "count", "pixel_count", "point_count",
                                   "share", "area", "mean"]
    assert frame["pixel_count"].tolist() == np.bincount(ids).tolist()
    assert frame["point_count"].isna().all()
    assert frame["share"].sum() == pytest.approx(1.0)
    assert frame["area"].tolist() == (np.bincount(ids) * 4.0).tolist()
    for index in range(4):
        assert frame.loc[index, "mean"] == pytest.approx(values[ids == index].mean())
    assert frame.attrs["gvf"] == pytest.approx(result.gvf(grid, nodata=-9999))
    assert 0.0 < frame.attrs["gvf"] < 1.0


def test_statistics_points_beside_grid():
    result = classify(np.array([1.0, 2.0, 3.0, 4.0]), "equal_interval", 2)
    grid = np.array([[1.0, 2.0], [3.0, np.nan]])
    points = np.array([1.0, 1.5, 2.0, 3.9, np.nan])
    records = result.statistics_records(grid, points=points)
    assert [r["pixel_count"] for r in records] == [2, 1]
    assert [r["point_count"] for r in records] == [3, 1]
    assert [r["share"] for r in records] == [2 / 3, 1 / 3]
    assert [r["area"] for r in records] == [None, None]
    assert json.dumps(records)


def test_statistics_points_only_and_empty_class():
    result = classify(np.array([1.0, 9.0]), "manual", edges=[0, 2, 5, 10])
    records = result.statistics_records(np.array([1.0, 9.0, np.nan]))
    assert [r["point_count"] for r in records] == [1, 0, 1]
    assert [r["pixel_count"] for r in records] == [None, None, None]
    assert [r["mean"] for r in records] == [1.0, None, 9.0]
    assert (records[1]["lower"], records[1]["upper"]) == (2.0, 5.0)


# -- ramps ---------------------------------------------------------------------------


def test_to_ramp_preset(csiro_yield):
    result = classify(csiro_yield, "quantile", 5)
    ramp = result.to_ramp("yield")
    assert ramp.mode == "discrete"
    assert ramp.relative is False
    assert ramp.positions == result.uppers
    assert list(ramp.colors) == get_ramp("yield").sample(5)


def test_to_ramp_colors_agree_with_class_ids(urea_rate):
    # A discrete ramp and class_ids must put every value in the same class.
    result = classify(urea_rate, "quantile", 7)
    ramp = result.to_ramp(V2_COLORS)
    palette = np.array([parse_color(color) for color in V2_COLORS], dtype=np.uint8)
    rgba = colorize(urea_rate, ramp).rgba
    np.testing.assert_array_equal(rgba, palette[result.class_ids(urea_rate)])


def test_to_ramp_relative(rng):
    values = rng.uniform(10.0, 20.0, 1000)
    result = classify(values, "equal_interval", 4)
    ramp = result.to_ramp(V2_COLORS, relative=True)
    assert ramp.relative is True
    np.testing.assert_allclose(ramp.positions, [25.0, 50.0, 75.0, 100.0])
    assert ramp.colors == tuple(Ramp.from_mapping(
        {f"{i * 100 / 6}%": c for i, c in enumerate(V2_COLORS)}).sample(4))
    absolute = colorize(values, result.to_ramp(V2_COLORS)).rgba
    np.testing.assert_array_equal(colorize(values, ramp).rgba, absolute)


def test_to_ramp_relative_basis():
    result = classify(np.array([10.0, 20.0, 30.0, 40.0]), "equal_interval", 2)
    ramp = result.to_ramp(["red", "blue"], relative=True, basis=Basis.fixed(0, 50))
    assert ramp.positions == (50.0, 80.0)
    with pytest.raises(ClassificationError, match=r"edges 25 to 40 fall outside the basis 30 "
                                                  r"to 50; widen the basis"):
        result.to_ramp(["red", "blue"], relative=True, basis=(30, 50))


def test_to_ramp_unresolved_basis():
    result = classify(np.array([10.0, 20.0, 30.0, 40.0]), "equal_interval", 2)
    with pytest.raises(ClassificationError, match=r"basis Basis\(kind='data'.* is not "
                                                  r"resolved; give Basis.fixed\(vmin, vmax\)"):
        result.to_ramp(["red", "blue"], relative=True, basis=Basis.data())


def test_to_ramp_keeps_discrete_colors():
    result = classify(np.array([1.0, 2.0, 3.0, 4.0]), "equal_interval", 2)
    ramp = result.to_ramp(["#112233", "#445566"])
    assert result.to_ramp(ramp) == ramp


def test_to_ramp_bad_palette():
    result = classify(np.array([1.0, 2.0, 3.0, 4.0]), "equal_interval", 2)
    with pytest.raises(ClassificationError, match="the palette is empty"):
        result.to_ramp([])
    with pytest.raises(ClassificationError, match="cannot take colors from 42"):
        result.to_ramp(42)


def test_place_stops():
    result = classify(np.array([0.0, 1.0, 2.0, 10.0]), "equal_interval", 2)
    three = Ramp.from_mapping({"0%": "red", "30%": "green", "100%": "blue"})
    placed = result.place_stops(three)
    assert placed.mode == "linear"
    assert placed.keys() == ("0%", "50%", "100%")
    assert placed.colors == three.colors
    absolute = result.place_stops(three, relative=False)
    assert absolute.positions == (0.0, 5.0, 10.0)
    sampled = result.place_stops("leaf_standard")
    assert list(sampled.colors) == get_ramp("leaf_standard").sample(3)


def test_place_stops_hard_step_at_tie(cases):
    values = np.asarray(cases["C07"]["input"]["values"], dtype=np.float64)
    result = quiet_classify(values, "quantile", 4)
    placed = result.place_stops("leaf_standard", relative=False)
    assert placed.positions == (0.0, 0.0, 1.75, 4.0)


# -- serialization and shared classes ------------------------------------------------


def test_dict_round_trip():
    result = classify(np.array([1.0, 9.0, np.nan]), "manual", edges=[0, 2, 5, 10])
    document = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert document["class_min"] == [1.0, None, 9.0]
    again = Classification.from_dict(document)
    assert again.edges == result.edges
    assert again.counts == result.counts
    assert again.n_nodata == 1
    assert math.isnan(again.class_min[1])


def test_from_dict_errors():
    with pytest.raises(ClassificationError, match=r"schema 'other/1' is not supported"):
        Classification.from_dict({"schema": "other/1"})
    with pytest.raises(ClassificationError, match=r"missing 'edges', 'counts'"):
        Classification.from_dict({"scheme": "quantile"})
    with pytest.raises(ClassificationError, match=r"unknown scheme 'nope'"):
        Classification.from_dict({"scheme": "nope", "edges": [0, 1, 2], "counts": [1, 1]})


def test_fixed_classification_pools_values():
    first = np.array([1.0, 2.0, 3.0, 4.0])
    second = np.array([5.0, 6.0, 7.0, 8.0, np.nan])
    shared = fixed_classification([first, second], "quantile", 4)
    assert shared.edges == classify(np.arange(1.0, 9.0), "quantile", 4).edges
    assert shared.n_nodata == 1
    assert shared.class_ids(first).tolist() == [0, 0, 1, 1]
    assert shared.class_ids(second).tolist() == [2, 2, 3, 3, -1]


def test_fixed_classification_fixed_range():
    shared = fixed_classification([np.array([10.0, 20.0]), np.array([190.0, 250.0])],
                                  "equal_interval", 4, vmin=0, vmax=200)
    assert shared.edges == (0.0, 50.0, 100.0, 150.0, 200.0)
    assert shared.counts == (2, 0, 0, 2)
    no_data = fixed_classification([np.array([np.nan])], "pretty", 5, vmin=0, vmax=100)
    assert no_data.edges == (0.0, 20.0, 40.0, 60.0, 80.0, 100.0)


def test_fixed_classification_range_errors():
    with pytest.raises(ClassificationError, match=r"vmin 10 is above vmax 0; swap them"):
        fixed_classification([np.array([1.0, 2.0])], "equal_interval", 2, vmin=10, vmax=0)
    with pytest.raises(ClassificationError, match=r"no valid values to classify"):
        fixed_classification([np.array([np.nan])], "quantile", 2, vmin=0, vmax=1)


# -- properties --------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(
        st.one_of(
            st.sampled_from([0.0, 1.0, 2.5, 100.0]),
            st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
            st.just(float("nan")),
        ),
        min_size=1,
        max_size=60,
    ),
    scheme=st.sampled_from(COMPUTED),
    k=st.integers(2, 9),
)
def test_property_every_value_classified(values, scheme, k):
    array = np.asarray(values, dtype=np.float64)
    if not np.isfinite(array).any():
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = quiet_classify(array, scheme, k)
    assert result.k <= k
    check_invariants(result, array)
    ids = result.class_ids(array)
    assert (ids[np.isnan(array)] == -1).all()
