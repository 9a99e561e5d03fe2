import warnings

import numpy as np
import pytest
import xarray as xr
from conftest import decode

from rampkit.colorize import Basis, colorize, evaluate, resolve_basis, valid_mask
from rampkit.errors import RampError
from rampkit.formats.gdaldem import loads_gdaldem
from rampkit.presets import get_ramp
from rampkit.ramp import Ramp


def ramp_of(case_ramp: dict, **options) -> Ramp:
    return Ramp.from_mapping(case_ramp, **options)


# -- field cases --------------------------------------------------------------


def test_case_c01_constant_field(cases):
    case = cases["C01"]
    values = np.array(decode(case["input"]["grid"]), dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no divide/invalid RuntimeWarning may escape
        result = colorize(values, ramp_of(case["input"]["ramp"]))
    assert result.rgba.tolist() == case["expected"]["rgba"]
    assert (result.basis.vmin, result.basis.vmax) == (7.0, 7.0)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int16", "uint8"])
@pytest.mark.parametrize("size", [4, 5000])
def test_constant_field_any_dtype_and_size(dtype, size):
    values = np.full(size, 7, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rgba = colorize(values, get_ramp("leaf_standard")).rgba
    assert (rgba == [200, 0, 0, 255]).all()


def test_case_c02_nan_gets_nv(cases):
    case = cases["C02"]
    values = np.array(decode(case["input"]["values"]), dtype=np.float64)
    result = colorize(values, ramp_of(case["input"]["ramp"]))
    assert result.rgba.tolist() == case["expected"]["rgba"]


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("size", [4, 5000])
def test_non_finite_never_drawn_as_data(bad, size):
    ramp = Ramp.from_mapping({"0%": "black", "100%": "white", "nv": [10, 20, 30, 40]})
    values = np.linspace(0, 100, size)
    values[1] = bad
    result = colorize(values, ramp)
    assert result.rgba[1].tolist() == [10, 20, 30, 40]
    # the bad value must not stretch the basis
    assert (result.basis.vmin, result.basis.vmax) == (0.0, 100.0)


@pytest.mark.parametrize("part", ["case_a", "case_b"])
def test_case_c03_declared_nodata_only(cases, part):
    case = cases["C03"]["input"][part]
    result = colorize(
        np.array(case["values"]), ramp_of(case["ramp"]), nodata=case["nodata"]
    )
    assert result.rgba.tolist() == cases["C03"]["expected"][part]


@pytest.mark.parametrize(
    ("dtype", "nodata", "values"),
    [
        ("int16", -9999, [-9999, 0, 50, 100]),
        ("int32", -9999, [-9999, 0, 50, 100]),
        ("float32", -9999.0, [-9999, 0, 50, 100]),
        ("uint16", 65535, [65535, 0, 50, 100]),
    ],
)
def test_nodata_sentinel_excluded_from_basis(dtype, nodata, values):
    ramp = Ramp.from_mapping({"0%": [0, 0, 0], "100%": [200, 100, 50]})
    result = colorize(np.array(values, dtype=dtype), ramp, nodata=nodata)
    assert result.rgba[0].tolist() == [0, 0, 0, 0]
    assert result.rgba[1].tolist() == [0, 0, 0, 255]
    assert (result.basis.vmin, result.basis.vmax) == (0.0, 100.0)


@pytest.mark.parametrize("size", [3, 5000])
def test_integer_nodata_outside_dtype_does_not_wrap(size):
    # 300 wraps to 44 in uint8 and -9999 wraps to 241: neither may mask data
    values = np.resize(np.array([0, 44, 241], dtype=np.uint8), size)
    ramp = Ramp.from_mapping({"0": [0, 0, 0], "255": [255, 255, 255]})
    for nodata in (300, -9999):
        rgba = colorize(values, ramp, nodata=nodata).rgba
        assert (rgba[..., 3] == 255).all()
        assert rgba[1].tolist() == [44, 44, 44, 255]


def test_uint8_extremes_no_overflow():
    values = np.arange(256, dtype=np.uint8)
    ramp = Ramp.from_mapping({"0": [0, 0, 0], "255": [255, 255, 255]})
    rgba = colorize(values, ramp).rgba
    assert rgba[:, 0].tolist() == list(range(256))


@pytest.mark.parametrize("part", ["case_a", "case_b"])
def test_case_c04_unsorted_and_descending_stops(cases, part):
    case = cases["C04"]["input"][part]
    result = colorize(np.array(case["values"], dtype=np.float64), ramp_of(case["ramp"]))
    assert result.rgba.tolist() == cases["C04"]["expected"][part]


def test_case_c04_gdaldem_text_same_as_json(cases):
    case = cases["C04"]
    from_text = loads_gdaldem(case["input"]["case_c_gdaldem_text"])
    from_json = ramp_of(case["input"]["case_a"]["ramp"]).resolve(0, 100)
    assert from_text.positions == (0.0, 50.0, 100.0)
    values = np.array(case["input"]["case_a"]["values"], dtype=np.float64)
    assert evaluate(values, from_text).tolist() == evaluate(values, from_json).tolist()


def test_case_c05_hard_step(cases):
    case = cases["C05"]
    ramp = loads_gdaldem(case["input"]["gdaldem_text"])
    rgba = evaluate(np.array(case["input"]["values"], dtype=np.float64), ramp)
    assert rgba[:4].tolist() == case["expected"]["rgba_except_last"]
    # at the repeated value: the first-listed color, the class convention
    assert rgba[4].tolist() == case["expected"]["value_50"]["recommended"]


def test_case_c09_alpha_interpolated(cases):
    case = cases["C09"]
    rgba = colorize(np.array(case["input"]["values"], dtype=np.float64),
                    ramp_of(case["input"]["ramp"])).rgba
    assert rgba.tolist() == case["expected"]["rgba"]
    parsed = loads_gdaldem(case["input"]["gdaldem_text"])
    assert [[s.position, list(s.color)] for s in parsed.stops] == case["expected"][
        "gdaldem_text_parsed"
    ]


# -- modes ---------------------------------------------------------------------

MODES_RAMP = {"0": [0, 0, 0], "10": [100, 0, 0], "20": [0, 0, 200]}


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        # values: -5, 0, 4, 5, 6, 10, 15, 20, 99
        ("nearest", [0, 0, 0, 100, 100, 100, 0, 0, 0]),  # 5 and 15 are ties: upper stop
        ("exact", [0, 0, 0, 0, 0, 100, 0, 0, 0]),
        ("discrete", [0, 0, 100, 100, 100, 100, 0, 0, 0]),
    ],
)
def test_modes_red_channel(mode, expected):
    values = np.array([-5, 0, 4, 5, 6, 10, 15, 20, 99], dtype=np.float64)
    rgba = evaluate(values, Ramp.from_mapping(MODES_RAMP, mode=mode))
    assert rgba[:, 0].tolist() == expected


def test_nearest_tie_takes_upper_stop():
    rgba = evaluate(np.array([5.0, 15.0]), Ramp.from_mapping(MODES_RAMP, mode="nearest"))
    assert rgba.tolist() == [[100, 0, 0, 255], [0, 0, 200, 255]]


def test_exact_matches_every_stop():
    rgba = evaluate(np.array([0.0, 10.0, 20.0, 10.5]), Ramp.from_mapping(MODES_RAMP, mode="exact"))
    assert rgba.tolist() == [[0, 0, 0, 255], [100, 0, 0, 255], [0, 0, 200, 255], [0, 0, 0, 0]]


def test_discrete_value_on_breakpoint_belongs_below():
    ramp = Ramp.from_mapping({"10": "red", "20": "green", "30": "blue"}, mode="discrete")
    rgba = evaluate(np.array([10.0, 10.5, 20.0, 20.0001, 31.0]), ramp)
    assert [tuple(c[:3]) for c in rgba.tolist()] == [
        (255, 0, 0), (0, 255, 0), (0, 255, 0), (0, 0, 255), (0, 0, 255)
    ]


def test_linear_rounding_adds_045_and_truncates():
    # 0 -> 255 over 0..1000: at 1 the exact channel is 0.255; at 2, 0.51 -> 0.96 -> 0;
    # at 4, 1.02 + 0.45 = 1.47 -> 1; at 3, 0.765 + 0.45 = 1.215 -> 1 (round half up gives 1)
    # at 6, 1.53 + 0.45 = 1.98 -> 1 while round() gives 2.
    ramp = Ramp.from_mapping({"0": [0, 0, 0], "1000": [255, 255, 255]})
    rgba = evaluate(np.array([1.0, 2.0, 3.0, 4.0, 6.0, 8.0]), ramp)
    assert rgba[:, 0].tolist() == [0, 0, 1, 1, 1, 2]


# -- basis ---------------------------------------------------------------------


def test_basis_kinds(rng):
    values = rng.normal(100, 10, 10_000)
    values[:50] = 1e6  # outliers
    data = resolve_basis(values)
    assert data.kind == "data"
    assert data.vmax == 1e6
    trimmed = resolve_basis(values, Basis.trimmed(2, 98))
    assert trimmed.kind == "trimmed"
    assert trimmed.vmax == pytest.approx(np.percentile(values, 98))
    assert (trimmed.lower, trimmed.upper) == (2.0, 98.0)
    fixed = resolve_basis(values, (0, 200))
    assert (fixed.kind, fixed.vmin, fixed.vmax) == ("fixed", 0.0, 200.0)


def test_fixed_basis_clamps_out_of_range():
    ramp = Ramp.from_mapping({"0%": [0, 0, 0], "100%": [200, 0, 0]})
    result = colorize(np.array([-50.0, 50.0, 500.0]), ramp, basis=Basis.fixed(0, 100))
    assert result.rgba[:, 0].tolist() == [0, 100, 200]
    assert result.basis == Basis.fixed(0, 100)


def test_absolute_ramp_records_no_basis():
    result = colorize(np.array([1.0, 2.0]), Ramp.from_mapping({"0": "black", "5": "white"}))
    assert result.basis is None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("median", r"basis 'median' is not understood; use 'data', a \(vmin, vmax\) pair"),
        ((5, 1), r"basis vmin 5.0 is above vmax 1.0; swap them"),
        ((0, float("inf")), r"basis vmax inf is not finite"),
    ],
)
def test_bad_basis_rejected(spec, message):
    with pytest.raises(RampError, match=message):
        colorize(np.array([1.0, 2.0]), get_ramp("yield"), basis=spec)


def test_trimmed_basis_percentiles_checked():
    with pytest.raises(RampError, match=r"percentiles \(50.0, 10.0\) must satisfy 0 <= lower"):
        Basis.trimmed(50, 10)


def test_all_nodata_grid():
    values = np.full((3, 3), np.nan)
    result = colorize(values, get_ramp("yield"))
    assert (result.rgba == 0).all()
    assert not result.valid.any()


def test_evaluate_rejects_relative_ramp():
    with pytest.raises(RampError, match=r"evaluate\(\) needs an absolute ramp; call ramp.resolve"):
        evaluate(np.array([1.0]), get_ramp("yield"))


def test_non_numeric_rejected():
    with pytest.raises(RampError, match=r"cannot colorize values of dtype <U1"):
        colorize(np.array(["a"]), get_ramp("yield"))


# -- inputs --------------------------------------------------------------------


def test_xarray_input_uses_nodata_attribute(grid):
    da = xr.DataArray(grid, dims=("y", "x"), attrs={"nodata": -9999.0})
    from_xarray = colorize(da, get_ramp("yield"))
    from_numpy = colorize(grid, get_ramp("yield"), nodata=-9999.0)
    assert np.array_equal(from_xarray.rgba, from_numpy.rgba)
    assert from_xarray.rgba.shape == (64, 64, 4)
    assert from_xarray.rgba[41, 45].tolist() == [0, 0, 0, 0]


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int16", "uint16", "int32", "int64",
                                   "float32", "float64", "bool"])
def test_any_numeric_dtype(dtype):
    values = (np.arange(20) % 2 if dtype == "bool" else np.arange(20)).astype(dtype)
    rgba = colorize(values.reshape(4, 5), get_ramp("leaf_standard")).rgba
    assert rgba.dtype == np.uint8
    assert rgba.shape == (4, 5, 4)
    assert rgba[0, 0].tolist() == [200, 0, 0, 255]
    assert rgba[-1, -1].tolist() == [0, 130, 0, 255]


@pytest.mark.parametrize("mode", ["linear", "nearest", "exact", "discrete"])
def test_compiled_and_numpy_paths_identical(rng, mode):
    values = rng.normal(150, 40, 200_000).astype(np.float32)
    values[::97] = np.nan
    values[::89] = -9999
    # values exactly on stops, too
    ramp = get_ramp("leaf_standard").with_mode(mode)
    result = colorize(values, ramp, nodata=-9999)
    on_stops = np.array(result.ramp.positions, dtype=np.float64)
    values[: on_stops.size] = on_stops.astype(np.float32)
    result = colorize(values, ramp, nodata=-9999)
    numpy_path = evaluate(values, result.ramp, result.valid, use_kernel=False)
    compiled = evaluate(values, result.ramp, result.valid, use_kernel=True)
    assert np.array_equal(numpy_path, compiled)
    assert np.array_equal(result.rgba, compiled)


def test_valid_mask_compares_in_double_precision():
    values = np.array([0.1], dtype=np.float32)
    # float32(0.1) is not the double 0.1, which is how gdaldem compares them
    assert valid_mask(values, nodata=0.1).tolist() == [True]
    assert valid_mask(values, nodata=float(np.float32(0.1))).tolist() == [False]
