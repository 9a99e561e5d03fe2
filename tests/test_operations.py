"""Reading, normalizing and cleaning operation data, on the real sample files."""

from __future__ import annotations

import csv
import functools
import gzip
import json
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely
from pyproj import Transformer

from rampkit.errors import OperationDataError
from rampkit.operations import (
    DEFAULT_RULES,
    Operation,
    clean_operation,
    load_mapping,
    mappings,
    operation_from_geojson,
    read_operation,
)
from rampkit.samples import list_samples, load_sample, sample_dir, sample_path

# Operations are immutable, so tests that read a sample with default options share one.
read_default = functools.lru_cache(maxsize=None)(read_operation)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
FIXTURES = ROOT / "tests" / "data"

WHEAT = DATA / "ofpe_field-1_2018_harvest_winter-wheat.geojson.gz"
UREA = DATA / "ofpe_field-1_2018_as-applied_urea.geojson"
SEEDING = DATA / "ofpe_field-2_2019_seeding_spring-wheat.geojson.gz"
OATS = DATA / "ofpe_field-2_2017_harvest_oats.geojson.gz"
CSIRO = DATA / "csiro_area-2_harvest_grain_iso-8859-1.csv"
ISOXML = DATA / "isoxml_task-1_forage-harvest.geojson"


def raw_features(path: Path) -> list[dict]:
    """Read a sample's features with the standard library only."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as stream:
        return json.load(stream)["features"]


def raw_column(path: Path, key: str) -> np.ndarray:
    return np.array(
        [np.nan if f["properties"].get(key) is None else f["properties"][key]
         for f in raw_features(path)],
        dtype=float,
    )


def small_operation(**properties: list[float]) -> Operation:
    size = len(next(iter(properties.values())))
    return Operation(
        id="small",
        operation_type="harvested",
        lon=np.linspace(10.0, 10.001, size),
        lat=np.full(size, 54.0),
        properties={name: np.array(values, dtype=float) for name, values in properties.items()},
    )


# -- the samples ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "points", "operation_type"),
    [
        (WHEAT, 31276, "harvested"),
        (UREA, 13990, "applied"),
        (SEEDING, 23047, "planted"),
        (OATS, 97383, "harvested"),
        (CSIRO, 1543, "harvested"),
        (ISOXML, 4716, "harvested"),
    ],
)
def test_sample_file_reads(path: Path, points: int, operation_type: str) -> None:
    op = read_default(path)
    assert len(op) == points
    assert op.operation_type == operation_type
    assert op.metadata["source"] == path.name
    assert np.isfinite(op.lon).all()
    assert np.isfinite(op.lat).all()


def test_sample_coordinates_match_file() -> None:
    features = raw_features(UREA)
    op = read_default(UREA)
    expected = np.array([f["geometry"]["coordinates"] for f in features])
    np.testing.assert_array_equal(op.lon, expected[:, 0])
    np.testing.assert_array_equal(op.lat, expected[:, 1])


def test_case_columns_map_to_standard_names() -> None:
    op = read_default(WHEAT)
    np.testing.assert_array_equal(op.properties["dryVolumePerArea"], raw_column(WHEAT, "yld_vl_d"))
    assert op.units["dryVolumePerArea"] == "bu/ac"
    assert op.units["speed"] == "mi/hr"
    assert op.units["equipmentWidth"] == "ft"
    assert "yld_vl_d" not in op.properties
    assert op.metadata["columns"]["yld_vl_d"] == "dryVolumePerArea"
    assert op.metadata["mapping"] == "ofpe_case_yield"


def test_unmapped_columns_keep_their_names() -> None:
    op = read_default(WHEAT)
    np.testing.assert_array_equal(op.properties["crp_flw_m"], raw_column(WHEAT, "crp_flw_m"))
    assert op.extra["orig_file"][0] == raw_features(WHEAT)[0]["properties"]["orig_file"]


def test_sentinel_becomes_missing() -> None:
    # prtn___ is 6553.5 in every row of the wheat file, the vendor's no-data value.
    assert set(raw_column(WHEAT, "prtn___").tolist()) == {6553.5}
    op = read_default(WHEAT)
    assert np.isnan(op.properties["prtn___"]).all()
    assert "prtn___" not in op.numeric_properties()


def test_deere_yield_is_wet_volume() -> None:
    op = read_default(OATS)
    expected = raw_column(OATS, "VRYIELDVOL")
    np.testing.assert_array_equal(op.properties["wetVolumePerArea"], expected)
    assert op.units["wetVolumePerArea"] == "bu/ac"


def test_applied_rate_name_follows_type() -> None:
    planted = read_default(SEEDING)
    applied = read_operation(SEEDING, operation_type="applied")
    assert "seedRate" in planted.properties
    assert "appliedRate" not in planted.properties
    assert "appliedRate" in applied.properties
    assert "appliedRateTarget" in applied.properties
    np.testing.assert_array_equal(
        planted.properties["seedRate"], applied.properties["appliedRate"]
    )


def test_null_values_stay_missing() -> None:
    op = read_default(SEEDING)
    raw = [f["properties"]["AppldRt"] for f in raw_features(SEEDING)]
    nulls = np.array([value is None for value in raw])
    assert nulls.sum() == 1019
    assert np.isnan(op.properties["seedRate"][nulls]).all()
    assert np.isfinite(op.properties["seedRate"][~nulls]).all()
    zeros = np.array([value == 0 for value in raw])
    np.testing.assert_array_equal(op.properties["seedRate"] == 0, zeros)


def test_absent_keys_stay_missing() -> None:
    # DDI 0043 (working width) is logged in only 9 records of the TimeLog.
    op = read_default(ISOXML)
    assert np.isfinite(op.properties["equipmentWidth"]).sum() == 9


def test_ddi_scale_factors() -> None:
    op = read_default(ISOXML)
    raw_yield = raw_column(ISOXML, "0054")
    np.testing.assert_allclose(op.properties["wetMassPerArea"], raw_yield * 0.00001)
    assert op.units["wetMassPerArea"] == "t/ha"
    np.testing.assert_allclose(op.properties["speed"], raw_column(ISOXML, "EA7E") * 0.1)
    assert op.units["speed"] == "km/h"
    # The moisture sensor logs 0 while it is off; 0 ppm is no reading, not dry grain.
    raw_moisture = raw_column(ISOXML, "0063")
    assert np.isnan(op.properties["harvestMoisture"][raw_moisture == 0]).all()
    np.testing.assert_allclose(
        op.properties["harvestMoisture"][raw_moisture > 0], raw_moisture[raw_moisture > 0] * 1e-4
    )


def test_ddi_work_state_becomes_status() -> None:
    op = read_default(ISOXML)
    raw_state = raw_column(ISOXML, "008D")
    status = op.extra["recordingStatus"]
    assert set(status[raw_state == 1].tolist()) == {"On"}
    assert set(status[raw_state == 0].tolist()) == {"Off"}


def test_csv_latin1_with_units_in_names() -> None:
    op = read_default(CSIRO)
    with CSIRO.open(encoding="iso-8859-1", newline="") as stream:
        rows = list(csv.DictReader(stream))
    expected = np.array([float(row["Yld Mass(Dry)(tonne/ha)"]) for row in rows])
    np.testing.assert_array_equal(op.properties["dryMassPerArea"], expected)
    assert op.units["dryMassPerArea"] == "t/ha"
    assert op.units["Air Temp(°C)"] == "°C"
    assert op.units["Crop Flw(V)(m³/s)"] == "m³/s"
    np.testing.assert_array_equal(op.lon, [float(row["Longitude"]) for row in rows])
    assert op.extra["Sky Cond"][0] == "Sunny"


def test_csv_encoding_given() -> None:
    op = read_operation(CSIRO, encoding="iso-8859-1")
    assert "Soil Temp(°C)" in op.properties


def test_csv_utf8_detected(tmp_path: Path) -> None:
    path = tmp_path / "points.csv"
    path.write_text("lon;lat;Rate(kg/ha)\n10.0;54.0;120\n10.1;54.1;130\n", encoding="utf-8")
    op = read_operation(path, operation_type="applied")
    assert op.properties["Rate(kg/ha)"].tolist() == [120.0, 130.0]
    assert op.units["Rate(kg/ha)"] == "kg/ha"
    assert op.lat.tolist() == [54.0, 54.1]


def test_metadata_times_and_field() -> None:
    op = read_default(SEEDING)
    assert op.metadata["startTime"] == "2019-05-05T04:19:04.200000Z"
    assert op.metadata["date"] == "2019-05-05"
    wheat = read_default(WHEAT)
    assert wheat.metadata["field"] == "FIELD-1"
    assert wheat.metadata["crop"] == "Wheat"


def test_arrays_are_read_only() -> None:
    op = small_operation(dryVolumePerArea=[1.0, 2.0])
    with pytest.raises(ValueError, match="read-only"):
        op.properties["dryVolumePerArea"][0] = 5.0
    with pytest.raises(ValueError, match="read-only"):
        op.lon[0] = 0.0


# -- user mappings -------------------------------------------------------------


def test_user_mapping_dict() -> None:
    # 1 lb/ac is 1.12085 kg/ha.
    spec = {"name": "appliedRate", "unit": "kg/ha", "scale": 1.12085}
    op = read_operation(UREA, mapping={"columns": {"rate_appld": spec}})
    expected = raw_column(UREA, "rate_appld") * 1.12085
    np.testing.assert_allclose(op.properties["appliedRate"], expected)
    assert op.units["appliedRate"] == "kg/ha"


def test_user_mapping_file(tmp_path: Path) -> None:
    path = tmp_path / "my_monitor.json"
    path.write_text(json.dumps({
        "schema": "rampkit.mapping/1",
        "columns": {"yld_vl_d": {"name": "dryYield", "unit": "bu/ac"}},
    }), encoding="utf-8")
    assert load_mapping(path)["name"] == "my_monitor"
    op = read_operation(WHEAT, mapping=path)
    assert "dryYield" in op.properties
    assert "dryVolumePerArea" not in op.properties


def test_mapping_off_keeps_columns() -> None:
    op = read_operation(UREA, mapping=False, operation_type="applied")
    assert "rate_appld" in op.properties
    assert op.units == {}


def test_builtin_mappings_load() -> None:
    names = set(mappings())
    assert {"ofpe_case_yield", "ofpe_as_applied", "deere_shapefile", "agleader_csv",
            "isoxml_ddi"} <= names
    for name in names:
        assert load_mapping(name)["columns"]


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ("no_such_mapping", "is neither a built-in mapping nor a file; built-in mappings:"),
        ({"columns": []}, "has no 'columns' object"),
        ({"columns": {"a": "dryVolumePerArea"}}, "column 'a' maps to 'dryVolumePerArea', not an"),
        ({"columns": {"a": {"nmae": "x"}}}, r"unknown keys \['nmae'\]; use name, unit"),
        ({"schema": "other/2", "columns": {}}, "has schema 'other/2'; use 'rampkit.mapping/1'"),
    ],
)
def test_bad_mapping(mapping: object, message: str) -> None:
    with pytest.raises(OperationDataError, match=message):
        read_operation(UREA, mapping=mapping)


def test_mapping_file_not_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{columns:", encoding="utf-8")
    with pytest.raises(OperationDataError, match="is not valid JSON .*fix the file"):
        load_mapping(path)


# -- other formats ------------------------------------------------------------


def test_standard_geojson_round_trip() -> None:
    op = read_default(SEEDING)
    document = op.to_geojson()
    assert document["type"] == "FeatureCollection"
    first = document["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [op.lon[0], op.lat[0]]}
    assert first["properties"]["operationType"] == "planted"
    # The first point has a null AppldRt, which must stay null, not 0.
    assert first["properties"]["seedRate"] is None
    again = operation_from_geojson(json.loads(json.dumps(document)), units=dict(op.units))
    assert again.operation_type == "planted"
    np.testing.assert_array_equal(again.properties["seedRate"], op.properties["seedRate"])
    assert again.units["seedRate"] == "lb/ac"


def test_lists_and_elevations_kept() -> None:
    # Applied operations list their products per point; some positions carry an elevation.
    document = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [10.0, 54.0, 12.5]},
         "properties": {"appliedRate": 120.0, "products": [{"name": "urea", "rate": 120.0}]}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [10.1, 54.1]},
         "properties": {"appliedRate": None, "products": []}},
    ]}
    op = operation_from_geojson(document)
    assert op.operation_type == "applied"
    assert op.lon.tolist() == [10.0, 10.1]
    assert op.lat.tolist() == [54.0, 54.1]
    assert op.extra["products"][0] == [{"name": "urea", "rate": 120.0}]
    again = op.to_geojson()["features"]
    assert again[0]["properties"]["products"] == [{"name": "urea", "rate": 120.0}]
    assert again[1]["properties"]["appliedRate"] is None


def test_operation_type_from_features() -> None:
    document = json.loads((FIXTURES / "ops_all_filtered.geojson").read_text(encoding="utf-8"))
    op = operation_from_geojson(document, operation_id="x")
    assert op.operation_type == "harvested"
    assert op.id == "x"
    assert "operationType" not in op.extra


def test_type_from_file_name(tmp_path: Path) -> None:
    path = tmp_path / "north_tillage_2024.csv"
    path.write_text("lon,lat,depth\n10.0,54.0,0.2\n", encoding="utf-8")
    assert read_operation(path).operation_type == "tillage"


def test_type_from_properties() -> None:
    document = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [10.0, 54.0]},
         "properties": {"seedRate": 32000}},
    ]}
    assert operation_from_geojson(document).operation_type == "planted"
    document["features"][0]["properties"] = {"elevation": 300.0}
    assert operation_from_geojson(document).operation_type == "unknown"


def test_summary_values() -> None:
    op = small_operation(dryVolumePerArea=[10.0, np.nan, 30.0])
    op = Operation(op.id, op.operation_type, op.lon, op.lat, op.properties,
                   units={"dryVolumePerArea": "bu/ac"})
    assert op.summary() == {
        "dryVolumePerArea": {"avg": 20.0, "min": 10.0, "max": 30.0, "unit": "bu/ac"}
    }


def test_geoparquet_in_utm(tmp_path: Path) -> None:
    lon = np.array([-110.55, -110.549, -110.548])
    lat = np.array([47.88, 47.881, 47.882])
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32612", always_xy=True).transform(lon, lat)
    table = pa.table({
        "geometry": shapely.to_wkb(shapely.points(x, y)),
        "yld_vl_d": [50.0, None, 70.0],
        "note": ["a", "b", None],
    })
    from pyproj import CRS

    geo = {
        "version": "1.0.0",
        "primary_column": "geometry",
        "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"],
                                 "crs": CRS.from_epsg(32612).to_json_dict()}},
    }
    table = table.replace_schema_metadata({b"geo": json.dumps(geo).encode()})
    path = tmp_path / "yield.parquet"
    pq.write_table(table, path)
    op = read_operation(path)
    np.testing.assert_allclose(op.lon, lon, atol=1e-9)
    np.testing.assert_allclose(op.lat, lat, atol=1e-9)
    assert op.operation_type == "harvested"
    assert np.isnan(op.properties["dryVolumePerArea"][1])
    assert op.extra["note"].tolist() == ["a", "b", None]


def test_parquet_without_geo_metadata(tmp_path: Path) -> None:
    path = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"a": [1.0]}), path)
    with pytest.raises(OperationDataError, match="has no GeoParquet 'geo' metadata"):
        read_operation(path)


def test_zipped_shapefile_in_utm(tmp_path: Path) -> None:
    import pyogrio.raw

    lon = np.array([-110.55, -110.549])
    lat = np.array([47.88, 47.881])
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32612", always_xy=True).transform(lon, lat)
    shp = tmp_path / "applied.shp"
    pyogrio.raw.write(
        shp,
        geometry=shapely.to_wkb(shapely.points(x, y)),
        field_data=[np.array([74.2, 0.0])],
        fields=["rate_appld"],
        crs="EPSG:32612",
        geometry_type="Point",
        driver="ESRI Shapefile",
    )
    archive = tmp_path / "applied.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for part in tmp_path.glob("applied.*"):
            if part.suffix != ".zip":
                bundle.write(part, part.name)
    op = read_operation(archive)
    np.testing.assert_allclose(op.lon, lon, atol=1e-9)
    np.testing.assert_allclose(op.lat, lat, atol=1e-9)
    assert op.operation_type == "applied"
    assert op.properties["appliedRate"].tolist() == [74.2, 0.0]


# -- bad input ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ops_no_coordinates.csv", "has no recognisable longitude/latitude columns"),
        ("ops_polygons.geojson", "feature 0 is a 'Polygon', not a 'Point'"),
        ("ops_empty.geojson", "is empty; give a file with point features"),
    ],
)
def test_bad_files(name: str, message: str) -> None:
    with pytest.raises(OperationDataError, match=message):
        read_operation(FIXTURES / name)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(OperationDataError, match="does not exist; check the path"):
        read_operation(tmp_path / "nothing.geojson")


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "points.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(OperationDataError, match="has an unknown format; use .geojson"):
        read_operation(path)


def test_geojson_not_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", ', encoding="utf-8")
    with pytest.raises(OperationDataError, match="is not valid GeoJSON"):
        read_operation(path)


def test_gzip_not_gzip(tmp_path: Path) -> None:
    path = tmp_path / "points.geojson.gz"
    path.write_bytes(b'{"type": "FeatureCollection", "features": []}')
    with pytest.raises(OperationDataError, match="is not valid GeoJSON .*Not a gzipped file"):
        read_operation(path)


def test_geojson_without_features(tmp_path: Path) -> None:
    path = tmp_path / "none.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(OperationDataError, match="has no point features"):
        read_operation(path)


def test_geojson_not_a_collection() -> None:
    with pytest.raises(OperationDataError, match="is not a GeoJSON FeatureCollection"):
        operation_from_geojson({"type": "Point", "coordinates": [0, 0]})


def test_csv_header_only(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("lon,lat,yield\n", encoding="utf-8")
    with pytest.raises(OperationDataError, match="has a header but no rows"):
        read_operation(path)


def test_unknown_operation_type() -> None:
    with pytest.raises(OperationDataError, match="operation type 'harvest' is not known"):
        read_operation(UREA, operation_type="harvest")


def test_unknown_property_lists_known() -> None:
    op = read_default(UREA)
    with pytest.raises(OperationDataError, match=r"it has: appliedRate \(rate_appld\), x, y"):
        op.resolve_property("yield")


def test_original_column_name_resolves() -> None:
    op = read_default(UREA)
    assert op.resolve_property("rate_appld") == "appliedRate"


# -- cleaning ----------------------------------------------------------------


def test_default_rules_count_independently() -> None:
    op = read_default(OATS)
    result = clean_operation(op, speed_filter=False, outlier_filter=False)
    raw = raw_column(OATS, "VRYIELDVOL")
    assert result.removed["wetVolumePerArea <= 0"] == int((raw <= 0).sum())
    assert len(result.operation) == int((raw > 0).sum())
    assert set(result.removed) == set(DEFAULT_RULES)


def test_status_and_unknown_crop_rules() -> None:
    op = Operation(
        id="t", operation_type="harvested",
        lon=[10.0, 10.1, 10.2, 10.3], lat=[54.0] * 4,
        properties={"dryVolumePerArea": [1.0, 2.0, 3.0, 4.0]},
        extra={
            "recordingStatus": ["On", "Off", "On", None],
            "crop": ["oats", "oats", "Unknown", None],
        },
    )
    result = clean_operation(op, speed_filter=False, outlier_filter=False)
    assert result.removed["recordingStatus not 'On'"] == 1
    assert result.removed["crop 'unknown'"] == 1
    assert result.operation.properties["dryVolumePerArea"].tolist() == [1.0, 4.0]


def test_moisture_rule_keeps_missing() -> None:
    op = small_operation(harvestMoisture=[0.0, 14.0, np.nan, 100.0, 99.9])
    result = clean_operation(op, speed_filter=False, outlier_filter=False)
    assert result.removed["harvestMoisture outside (0, 100)"] == 2
    kept = result.operation.properties["harvestMoisture"]
    assert kept[0] == 14.0
    assert np.isnan(kept[1])
    assert kept[2] == 99.9


def test_custom_rules_replace_defaults() -> None:
    op = small_operation(dryVolumePerArea=[-5.0, 0.0, 10.0], wetVolumePerArea=[0.0, 0.0, 0.0])
    result = clean_operation(
        op, rules={"negative yield": lambda o: o.properties["dryVolumePerArea"] < 0},
        speed_filter=False, outlier_filter=False,
    )
    assert result.removed == {"negative yield": 1}
    assert len(result.operation) == 2


def test_rules_switched_off() -> None:
    op = small_operation(wetVolumePerArea=[0.0, 1.0])
    result = clean_operation(op, rules=None, speed_filter=False, outlier_filter=False)
    assert result.removed == {}
    assert len(result.operation) == 2


def test_speed_filter_converts_units() -> None:
    # 1.1 mph is 0.492 m/s (dropped); 1.2 mph is 0.536 m/s (kept).
    op = Operation(
        id="s", operation_type="harvested", lon=[10.0, 10.1, 10.2], lat=[54.0] * 3,
        properties={"speed": [1.1, 1.2, np.nan]}, units={"speed": "mi/hr"},
    )
    result = clean_operation(op, rules=None, outlier_filter=False)
    assert result.removed == {"speed": 1}
    assert result.operation.properties["speed"][0] == 1.2


def test_speed_filter_km_per_hour() -> None:
    op = read_default(ISOXML)
    rules_only = clean_operation(op, speed_filter=False, outlier_filter=False).operation
    result = clean_operation(op, outlier_filter=False)
    slow = rules_only.properties["speed"] / 3.6 < 0.5
    assert result.removed["speed"] == int(slow.sum())


def test_speed_from_distance_and_duration() -> None:
    # 1 ft in 1 s is 0.3048 m/s (dropped), 3 ft in 1 s is 0.9144 m/s (kept), and
    # a zero duration gives no speed, so that point stays.
    op = Operation(
        id="d", operation_type="harvested", lon=[10.0, 10.1, 10.2], lat=[54.0] * 3,
        properties={"distance": [1.0, 3.0, 2.0], "duration": [1.0, 1.0, 0.0]},
        units={"distance": "ft", "duration": "s"},
    )
    result = clean_operation(op, rules=None, outlier_filter=False)
    assert result.removed == {"speed": 1}
    assert result.operation.properties["distance"].tolist() == [3.0, 2.0]


def test_speed_filter_skipped_without_speed() -> None:
    op = read_default(OATS)
    assert clean_operation(op, rules=None, outlier_filter=False).removed == {"speed": 0}


def test_speed_unit_unknown() -> None:
    op = Operation(
        id="s", operation_type="harvested", lon=[10.0], lat=[54.0],
        properties={"speed": [3.0]}, units={"speed": "furlong/fortnight"},
    )
    with pytest.raises(OperationDataError, match="speed unit 'furlong/fortnight' .* is not known"):
        clean_operation(op)


def test_outlier_filter_k() -> None:
    values = [100.0] * 20 + [400.0]
    op = small_operation(dryVolumePerArea=values)
    finite = np.array(values)
    z = np.abs(finite - finite.mean()) / finite.std()
    assert z[-1] > 3
    result = clean_operation(op, rules=None, speed_filter=False)
    assert result.removed == {"outliers": 1}
    loose = clean_operation(op, rules=None, speed_filter=False, k=z[-1] + 0.01)
    assert loose.removed == {"outliers": 0}


def test_outlier_filter_only_for_harvests() -> None:
    op = Operation(
        id="a", operation_type="applied", lon=np.linspace(10, 11, 21), lat=np.full(21, 54.0),
        properties={"dryVolumePerArea": [100.0] * 20 + [400.0]},
    )
    assert clean_operation(op, rules=None, speed_filter=False).removed == {"outliers": 0}


def test_bad_cleaning_options() -> None:
    op = small_operation(dryVolumePerArea=[1.0])
    with pytest.raises(OperationDataError, match="rule set 'strict' is not known"):
        clean_operation(op, rules="strict")
    with pytest.raises(OperationDataError, match="outlier threshold k 0 must be above 0"):
        clean_operation(op, k=0)


# -- samples -----------------------------------------------------------------


def test_catalog_lists_every_file() -> None:
    entries = list_samples()
    assert len(entries) == 6
    files = {entry["file"] for entry in entries}
    on_disk = {p.name for p in sample_dir().iterdir()
                if p.name.endswith((".geojson", ".gz", ".csv"))}
    assert files == on_disk
    for entry in entries:
        assert {"id", "type", "field", "date", "crop", "file", "property"} <= set(entry)


@pytest.mark.parametrize("entry", list_samples(), ids=lambda entry: entry["id"])
def test_sample_loads_with_catalog(entry: dict) -> None:
    op = load_sample(entry["id"])
    assert op.id == entry["id"]
    assert op.operation_type == entry["type"]
    assert len(op) == entry["points"]
    assert entry["property"] in op.numeric_properties()
    assert op.metadata["field"] == entry["field"]
    assert sample_path(entry["id"]).is_file()


def test_unknown_sample() -> None:
    with pytest.raises(OperationDataError, match="sample operation 'oats' does not exist"):
        load_sample("oats")


def test_unknown_property_suggests_and_shows_columns():
    from rampkit.samples import load_sample

    operation = load_sample("field-2-2017-harvest-oats")
    with pytest.raises(OperationDataError) as raised:
        operation.resolve_property("vryieldvol")
    message = str(raised.value)
    # A column name in the wrong case is offered as the standard name.
    assert "(did you mean 'wetVolumePerArea'?)" in message
    assert "wetVolumePerArea (VRYIELDVOL)" in message
    with pytest.raises(OperationDataError, match=r"did you mean 'harvestMoisture'\?"):
        operation.resolve_property("moisture")
    with pytest.raises(OperationDataError, match=r"did you mean 'wetVolumePerArea'\?"):
        operation.resolve_property("wetvolumeperarea")
