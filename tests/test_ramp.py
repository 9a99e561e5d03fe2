import warnings

import pytest

from rampkit.errors import PercentScaleWarning, RampError, RampkitWarning
from rampkit.presets import RampRegistry, get_ramp
from rampkit.ramp import Ramp, Stop, format_position, parse_position

STANDARD = {
    "0%": [200, 0, 0],
    "35%": [255, 40, 0],
    "45%": [255, 150, 0],
    "55%": [255, 240, 0],
    "65%": [0, 230, 0],
    "75%": [0, 190, 0],
    "100%": [0, 130, 0],
    "nv": [0, 0, 0, 0],
}


def test_from_mapping_sorts_numerically():
    ramp = Ramp.from_mapping({"100%": "#008200", "9%": "red", "35%": "blue", "0%": "black"})
    # "9%" sorts before "35%" by number, though not by text
    assert ramp.keys() == ("0%", "9%", "35%", "100%")


def test_from_mapping_absolute_negative_values():
    ramp = Ramp.from_mapping({"0": [200, 200, 250], "-5000": [0, 0, 50]})
    assert ramp.relative is False
    assert ramp.positions == (-5000.0, 0.0)


def test_stable_sort_keeps_hard_step_order():
    ramp = Ramp([(50, "red"), (0, "black"), (50, "blue"), (100, "white")], relative=False)
    assert [c[:3] for c in ramp.colors] == [(0, 0, 0), (255, 0, 0), (0, 0, 255), (255, 255, 255)]


def test_nodata_color_default_transparent():
    assert Ramp.from_mapping({"0%": "red", "100%": "blue"}).nodata_color == (0, 0, 0, 0)


def test_ramp_is_immutable():
    ramp = get_ramp("leaf_standard")
    with pytest.raises(AttributeError):
        ramp.mode = "nearest"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        ramp.stops[0].position = 5  # type: ignore[misc]


def test_transformations_return_new_ramps():
    ramp = Ramp.from_mapping(STANDARD)
    moved = ramp.move_stop(1, 30)
    assert ramp.positions[1] == 35.0
    assert moved.positions[1] == 30.0
    assert ramp.add_stop(50, "white").positions == (0, 35, 45, 50, 55, 65, 75, 100)
    assert ramp.remove_stop(0).positions[0] == 35.0
    assert ramp.with_stop(0, color="#000").colors[0] == (0, 0, 0, 255)
    assert ramp.with_nodata_color("#ffffff80").nodata_color == (255, 255, 255, 128)
    assert ramp.with_mode("discrete").mode == "discrete"
    assert ramp.reversed().reversed() == ramp
    assert ramp.reversed().colors[0] == (0, 130, 0, 255)
    assert ramp.reversed().positions == ramp.positions


def test_moving_a_stop_past_another_resorts():
    ramp = Ramp.from_mapping({"0%": "black", "50%": "red", "100%": "white"})
    assert ramp.move_stop(0, 75).colors[0] == (255, 0, 0, 255)


def test_equality_and_repr():
    one = Ramp.from_mapping(STANDARD, name="std")
    two = Ramp.from_mapping(dict(reversed(list(STANDARD.items()))), name="std")
    assert one == two
    assert one != one.with_mode("nearest")
    text = repr(one)
    assert text.startswith("Ramp('std', linear, 0%=#c80000, 35%=#ff2800, 45%=#ff9600")
    assert text.endswith("nv=#00000000)")


def test_resolve_uses_gdaldem_formula():
    ramp = Ramp.from_mapping({"0%": "black", "35%": "red", "100%": "white"})
    resolved = ramp.resolve(10.0, 30.0)
    assert resolved.relative is False
    assert resolved.positions == (10.0, 10.0 + 0.35 * 20.0, 30.0)


def test_sample_palette_ends_and_count():
    ramp = get_ramp("leaf_standard")
    palette = ramp.sample(7)
    assert len(palette) == 7
    assert palette[0] == (200, 0, 0, 255)
    assert palette[-1] == (0, 130, 0, 255)
    assert len(set(palette)) == 7


def test_dict_round_trip():
    ramp = Ramp.from_mapping(STANDARD, name="std", mode="nearest").with_nodata_color("#01020304")
    document = ramp.to_dict()
    assert document["schema"] == "rampkit.ramp/1"
    assert document["stops"][1] == {"position": "35%", "color": "#ff2800"}
    assert document["nodata_color"] == "#01020304"
    assert Ramp.from_dict(document) == ramp


def test_format_and_parse_position_round_trip():
    for value in (0.0, 35.0, 14.285714285714286, 1e-7, 99.99999999999999):
        assert parse_position(format_position(value, True)) == (value, True)
    for value in (-5000.0, 0.1, 123456.789, -1e-300):
        assert parse_position(format_position(value, False)) == (value, False)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"0%": "red", "101%": "blue"}, r"key '101%': percent stop '101%' is outside 0%-100%"),
        ({"-1%": "red", "100%": "blue"}, r"percent stop '-1%' is outside 0%-100%"),
        ({"0%": "red", "50": "blue"}, r"mixes percent key '0%' with value key '50'; use percents"),
        ({"0%": "red", "abc": "blue"}, r"stop key 'abc' is not a number or a percent"),
        ({"0%": "red", "nan": "blue"}, r"stop position 'nan' is not finite"),
        ({"0%": [1, 2], "100%": "blue"}, r"key '0%': color \[1, 2\] has 2 components"),
        ({"0%": [300, 0, 0], "100%": "blue"}, r"key '0%': color .* component 300 outside 0-255"),
        ({"0%": "bluish", "100%": "blue"}, r"key '0%': unknown color name 'bluish'"),
        ({"0%": "red"}, r"a linear ramp needs at least 2 stops, got 1"),
        ({"nv": "red"}, r"needs at least 2 stops, got 0"),
        ({"0%": "red", "100%": "blue", "nv": [1, 2, 3, 4, 5]}, r"nv: color .* has 5 components"),
    ],
)
def test_malformed_ramps_rejected(mapping, message):
    with pytest.raises(RampError, match=message):
        Ramp.from_mapping(mapping)


def test_duplicate_keys_rejected():
    with pytest.raises(RampError, match=r"key '50%' appears twice; a ramp object cannot repeat"):
        Ramp.from_mapping([("0%", "red"), ("50%", "blue"), ("50%", "green")])


def test_unknown_mode_rejected():
    with pytest.raises(RampError, match=r"unknown interpolation mode 'smooth'; use one of linear"):
        Ramp.from_mapping({"0%": "red", "100%": "blue"}, mode="smooth")  # type: ignore[arg-type]


def test_discrete_allows_one_stop():
    assert len(Ramp([(7.0, "red")], relative=False, mode="discrete").stops) == 1


def test_stop_index_errors_name_the_range():
    ramp = get_ramp("yield")
    with pytest.raises(RampError, match=r"stop index 9 is out of range; this ramp has 5 stops"):
        ramp.remove_stop(9)


def test_relative_stop_outside_range_via_constructor():
    with pytest.raises(RampError, match=r"stops\[1\]: percent position 120.0 is outside 0-100"):
        Ramp([Stop(0, "red"), Stop(120, "blue")])


def test_fraction_percents_warn_at_caller():
    expected = r"between 0% and 1%.*multiply them by 100"
    with pytest.warns(PercentScaleWarning, match=expected) as record:
        ramp = Ramp([(0, "red"), (0.5, "yellow"), (1, "green")])
    assert ramp.positions == (0.0, 0.5, 1.0)
    assert len(record) == 1
    # The warning names the line that built the ramp, not rampkit's code.
    assert record[0].filename == __file__


def test_fraction_percents_warn_from_mapping():
    with pytest.warns(PercentScaleWarning, match=r"between 0% and 0.8%"):
        Ramp.from_mapping({"0%": "red", "0.8%": "green"})


def test_fraction_warning_names_the_file(tmp_path):
    from rampkit.formats import read_ramp

    path = tmp_path / "fractions.txt"
    path.write_text("0% red\n0.5% yellow\n1% green\n", encoding="utf-8")
    with pytest.warns(PercentScaleWarning, match=rf"^{path}: every percent stop") as record:
        read_ramp(path)
    assert record[0].filename == __file__
    # Ramps built after the file was read name no file.
    with pytest.warns(PercentScaleWarning, match=r"^every percent stop"):
        Ramp([(0, "red"), (1, "green")])


def test_fraction_warning_not_repeated_by_transformations():
    with pytest.warns(PercentScaleWarning):
        ramp = Ramp([(0, "red"), (1, "green")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        changed = ramp.reversed().add_stop(0.5, "yellow").with_mode("nearest")
    assert changed.positions == (0.0, 0.5, 1.0)


def test_transformation_to_fractions_warns():
    ramp = Ramp([(0, "red"), (0.5, "blue"), (100, "green")])
    with pytest.warns(PercentScaleWarning, match=r"between 0% and 0.5%"):
        ramp.remove_stop(2)
    with pytest.warns(PercentScaleWarning, match=r"between 0% and 1%"):
        ramp.with_stops([(0, "red"), (1, "green")])


def test_failed_ramp_gives_no_fraction_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RampError, match="nodata_color"):
            Ramp([(0, "red"), (0.5, "blue")], nodata_color="nocolor")


@pytest.mark.parametrize(
    "stops, relative",
    [
        ([(0, "red"), (2, "green")], True),  # reaches past 1%
        ([(0, "red"), (1, "green")], False),  # values, not percents
        ([(1, "red"), (1, "green")], True),  # one position: a hard step, no range
    ],
)
def test_no_fraction_warning_for_other_ramps(stops, relative):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ramp = Ramp(stops, relative=relative)
    assert len(ramp.stops) == 2


def test_from_dict_errors_give_json_path():
    document = get_ramp("yield").to_dict()
    document["stops"][3]["color"] = "#zzzzzz"
    with pytest.raises(RampError, match=r"stops\[3\]\.color: invalid hex color '#zzzzzz'"):
        Ramp.from_dict(document)
    document = get_ramp("yield").to_dict()
    document["schema"] = "rampkit.ramp/9"
    with pytest.raises(RampError, match=r"schema 'rampkit.ramp/9' is not supported"):
        Ramp.from_dict(document)


@pytest.mark.parametrize("name", sorted(RampRegistry()))
def test_every_preset_loads_and_round_trips(name):
    ramp = get_ramp(name)
    assert ramp.name == name
    assert ramp.description, "each preset states its purpose"
    assert Ramp.from_dict(ramp.to_dict()) == ramp
    for k in range(2, 8):
        assert len(set(ramp.sample(k))) == k


def test_registry_lists_the_agronomy_presets():
    assert {"leaf_standard", "yield", "yield_colorblind", "moisture", "elevation",
            "rate_vs_target"} <= set(RampRegistry())


def test_leaf_standard_is_the_api_ramp():
    ramp = get_ramp("leaf_standard")
    assert ramp == Ramp.from_mapping(STANDARD, name="leaf_standard")


def test_registry_register_returns_new_registry():
    base = RampRegistry()
    mine = Ramp.from_mapping({"0%": "black", "100%": "white"}, name="grey_scale")
    extended = base.register(mine)
    assert "grey_scale" in extended
    assert "grey_scale" not in base
    with pytest.raises(RampError, match=r"a ramp named 'yield' is already registered"):
        base.register(mine.with_name("yield"))


def test_unknown_ramp_lists_known_names():
    from rampkit.errors import UnknownRampError

    with pytest.raises(
        UnknownRampError,
        match=r"unknown ramp 'yeld' \(did you mean 'yield'\?\); known ramps: 'elevation'",
    ):
        get_ramp("yeld")
    with pytest.raises(UnknownRampError, match=r"'Yield' \(did you mean 'yield'\?\)"):
        get_ramp("Yield")
    with pytest.raises(UnknownRampError, match=r"'yeld_r' \(did you mean 'yield_r'\?\)"):
        get_ramp("yeld_r")
    with pytest.raises(UnknownRampError, match=r"unknown ramp 'zzz'; known ramps: 'elevation'"):
        get_ramp("zzz")


def test_user_ramp_dir(tmp_path, monkeypatch):
    (tmp_path / "soil.json").write_text(
        '{"stops": [{"position": "0%", "color": "#000000"}, '
        '{"position": "100%", "color": "#ffffff"}]}'
    )
    monkeypatch.setenv("RAMPKIT_RAMP_DIR", str(tmp_path))
    assert get_ramp("soil").colors[-1] == (255, 255, 255, 255)
    assert get_ramp("soil_r").colors[0] == (255, 255, 255, 255)


def test_user_ramp_dir_any_format_and_bad_files(tmp_path, monkeypatch):
    (tmp_path / "broken.json").write_text("{bad json")
    (tmp_path / "disc.gdaldem.txt").write_text("0 black\n100 white\n")
    (tmp_path / ".hidden.json").write_text("{also bad")
    monkeypatch.setenv("RAMPKIT_RAMP_DIR", str(tmp_path))
    message = r"skipped a user ramp file .*broken.json.*invalid JSON"
    with pytest.warns(RampkitWarning, match=message):
        presets = RampRegistry()
    assert presets["disc"].positions == (0.0, 100.0)
    assert "leaf_standard" in presets


def test_user_ramp_dir_missing_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("RAMPKIT_RAMP_DIR", str(tmp_path / "nope"))
    with pytest.warns(RampkitWarning, match=r"RAMPKIT_RAMP_DIR '.*nope' is not a folder"):
        presets = RampRegistry()
    assert "yield" in presets


def test_user_ramps_named_after_files(tmp_path, monkeypatch):
    from rampkit.formats import write_ramp

    moisture, elevation, builtin_yield = (get_ramp(n) for n in ("moisture", "elevation", "yield"))
    write_ramp(moisture, tmp_path / "foo.ramp.json")
    write_ramp(moisture, tmp_path / "bar.gdaldem.txt")
    write_ramp(elevation, tmp_path / "yield.gdaldem.txt")
    write_ramp(elevation, tmp_path / "foo.gdaldem.txt")
    monkeypatch.setenv("RAMPKIT_RAMP_DIR", str(tmp_path))
    with pytest.warns(RampkitWarning) as record:
        presets = RampRegistry()
    messages = sorted(str(warning.message) for warning in record)
    assert len(messages) == 2
    assert "a built-in ramp is already called 'yield'; rename the file" in messages[1]
    assert "foo.ramp.json" in messages[0] or "foo.gdaldem.txt" in messages[0]
    assert "another file in the folder is already called 'foo'" in messages[0]
    assert presets["bar"].colors == moisture.colors
    assert presets["foo"].name == "foo"
    assert presets["yield"] == builtin_yield
