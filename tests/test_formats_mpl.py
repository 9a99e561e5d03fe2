"""matplotlib colormaps and norms against rampkit's own colors."""

import matplotlib
import numpy as np
import pytest
from matplotlib.colors import BoundaryNorm, LinearSegmentedColormap, ListedColormap, Normalize

from rampkit.colorize import colorize, evaluate
from rampkit.errors import FormatError, LossyConversionError, UnknownRampError
from rampkit.formats.mpl import from_matplotlib, to_matplotlib
from rampkit.presets import get_ramp, registry
from rampkit.ramp import Ramp

HARD_STEP = Ramp(
    ((0, [0, 0, 0]), (50, [255, 0, 0]), (50, [0, 0, 255, 128]), (100, [255, 255, 255])),
    relative=False,
)


def mpl_rgba(cmap, norm, values):
    # Masking NaN, as imshow does, keeps it out of an autoscaled norm's range.
    masked = np.ma.masked_invalid(np.asarray(values, dtype=np.float64))
    return cmap(norm(masked), bytes=True).astype(int)


def test_listed_colormap_keeps_its_steps(cases):
    case = cases["C10"]
    ramp = from_matplotlib(case["input"]["cmap"])
    values = np.array(case["input"]["values"], dtype=float)
    assert ramp.mode == "nearest"
    assert colorize(values, ramp).rgba.tolist() == case["expected"]["rgba"]


def test_viridis_ends(cases):
    case = cases["C10"]
    ramp = from_matplotlib(case["input"]["cmap2"])
    values = np.array([0.0, 1.0])
    assert colorize(values, ramp).rgba.tolist() == case["expected"]["viridis_ends"]


def test_listed_import_agrees_with_matplotlib(rng):
    cmap = matplotlib.colormaps["tab20"]
    values = rng.uniform(-3, 40, 5000)
    ours = colorize(values, from_matplotlib(cmap)).rgba.astype(int)
    norm = Normalize(values.min(), values.max())
    assert np.array_equal(ours, mpl_rgba(cmap, norm, values))


@pytest.mark.parametrize("name", ["RdYlGn", "terrain", "jet", "gnuplot"])
def test_segmented_import_agrees_with_matplotlib(rng, name):
    cmap = matplotlib.colormaps[name]
    ramp = from_matplotlib(cmap, Normalize(0, 10))
    assert ramp.mode == "linear"
    values = rng.uniform(-1, 11, 5000)
    # matplotlib colors from its 256-entry table, which is off from the exact
    # segments by up to one entry; the sampled function colormaps by up to two.
    step = np.abs(np.diff(cmap(np.linspace(0, 1, 256)), axis=0)).max() * 255
    diff = np.abs(evaluate(values, ramp).astype(int) - mpl_rgba(cmap, Normalize(0, 10), values))
    assert diff.max() <= 2 * step + 1


@pytest.mark.parametrize("name", sorted(registry()))
def test_percent_ramp_export_agrees_within_one(rng, name):
    ramp = get_ramp(name)
    cmap, norm = to_matplotlib(ramp)
    values = rng.normal(150, 40, 20000)
    values[:3] = [np.nan, values.min() - 1, values.max() + 1]
    ours = colorize(values, ramp).rgba.astype(int)
    theirs = mpl_rgba(cmap, norm, values)
    assert np.abs(ours - theirs).max() <= 1


@pytest.mark.parametrize("mode", ["linear", "nearest", "discrete"])
def test_absolute_export_agrees(rng, mode):
    ramp = get_ramp("leaf_standard").resolve(80, 240).with_mode(mode)
    ramp = ramp.with_nodata_color([9, 8, 7, 6])
    cmap, norm = to_matplotlib(ramp)
    values = np.concatenate([rng.uniform(60, 260, 20000), ramp.positions, [np.nan]])
    ours = evaluate(values, ramp).astype(int)
    theirs = mpl_rgba(cmap, norm, values)
    tolerance = 1 if mode == "linear" else 0
    assert np.abs(ours - theirs).max() <= tolerance
    assert theirs[-1].tolist() == [9, 8, 7, 6]


def test_hard_step_colors_sides():
    cmap, norm = to_matplotlib(HARD_STEP)
    values = [49.0, 50.0, 51.0]
    assert np.abs(mpl_rgba(cmap, norm, values) - evaluate(values, HARD_STEP)).max() <= 1


def test_discrete_edges_close_on_the_right():
    ramp = Ramp.from_mapping({"10": "red", "20": "blue", "30": "white"}, mode="discrete")
    cmap, norm = to_matplotlib(ramp)
    assert isinstance(norm, BoundaryNorm)
    values = [5, 10, 10.000001, 20, 25, 30, 99]
    assert mpl_rgba(cmap, norm, values).tolist() == evaluate(values, ramp).tolist()


def test_uneven_nearest_uses_boundary_norm():
    ramp = Ramp.from_mapping({"0": "red", "1": "blue", "10": "white"}, mode="nearest")
    cmap, norm = to_matplotlib(ramp)
    assert isinstance(norm, BoundaryNorm)
    values = [-5, 0.4, 0.5, 0.6, 5.4, 5.5, 20]
    assert mpl_rgba(cmap, norm, values).tolist() == evaluate(values, ramp).tolist()


@pytest.mark.parametrize("mode", ["linear", "discrete"])
def test_absolute_round_trip(mode):
    ramp = get_ramp("yield").resolve(3.5, 11.25).with_mode(mode).with_name("yield")
    back = from_matplotlib(*to_matplotlib(ramp))
    assert back == ramp


def test_percent_round_trip():
    ramp = get_ramp("leaf_standard")
    assert from_matplotlib(*to_matplotlib(ramp)) == ramp


def test_hard_step_round_trip():
    assert from_matplotlib(*to_matplotlib(HARD_STEP), name="") == HARD_STEP


def test_tab10_round_trip():
    ramp = from_matplotlib("tab10")
    cmap, norm = to_matplotlib(ramp)
    assert isinstance(cmap, ListedColormap)
    assert from_matplotlib(cmap, norm) == ramp


def test_exact_is_lossy():
    ramp = get_ramp("yield").resolve(0, 4).with_mode("exact")
    with pytest.raises(LossyConversionError, match="mode 'exact' .*matplotlib has no exact"):
        to_matplotlib(ramp)
    cmap, norm = to_matplotlib(ramp, lossy=True)
    assert isinstance(cmap, ListedColormap)


def test_percent_discrete_needs_basis():
    ramp = get_ramp("yield").with_mode("discrete")
    with pytest.raises(LossyConversionError, match="percent class edges .*pass a basis"):
        to_matplotlib(ramp)
    cmap, norm = to_matplotlib(ramp, basis=(0, 10))
    assert norm.boundaries[0] > 0


def test_lookup_table_grows_with_slope():
    gentle, _ = to_matplotlib(Ramp.from_mapping({"0": [0, 0, 0], "100": [10, 10, 10]}))
    steep = Ramp.from_mapping({"0": [0, 0, 0], "1": [255, 0, 0], "100": [255, 0, 0]})
    steep_cmap, _ = to_matplotlib(steep)
    assert isinstance(steep_cmap, LinearSegmentedColormap)
    assert gentle.N == 256
    assert steep_cmap.N > 255 * 100


def test_unknown_colormap_name():
    with pytest.raises(
        UnknownRampError,
        match=r"unknown matplotlib colormap 'viridiss' \(did you mean 'viridis'",
    ):
        from_matplotlib("viridiss")


def test_unknown_colormap_matches_ignore_case():
    with pytest.raises(UnknownRampError, match=r"'rdylgn' \(did you mean 'RdYlGn'"):
        from_matplotlib("rdylgn")


def test_unknown_colormap_without_matches():
    with pytest.raises(UnknownRampError) as caught:
        from_matplotlib("zzzzqq")
    message = str(caught.value)
    assert message.startswith("unknown matplotlib colormap 'zzzzqq'; give a registered name")
    assert "did you mean" not in message
    assert 'python -c "import matplotlib; print(sorted(matplotlib.colormaps))"' in message


def test_unsupported_norm():
    from matplotlib.colors import LogNorm

    with pytest.raises(FormatError, match="norm LogNorm cannot be read as a ramp"):
        from_matplotlib("viridis", LogNorm(1, 10))
