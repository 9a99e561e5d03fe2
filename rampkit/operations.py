"""Operation data: read machine points, normalize their columns, clean them.

An :class:`Operation` is one field operation (a harvest, a planting, an
application, a tillage pass) as a set of points: WGS 84 longitudes and
latitudes, numeric property columns, the unit of each property where known,
the non-numeric columns and metadata.

Reading
    :func:`read_operation` reads GeoJSON and gzipped GeoJSON point
    collections (the API's standard GeoJSON among them), GeoParquet, zipped
    shapefiles and CSV files with longitude/latitude columns. Coordinates in
    another CRS are transformed to WGS 84 with pyproj.

Normalizing
    A *mapping* renames vendor columns to the API's standard property names
    (``yld_vl_d`` to ``dryVolumePerArea``), attaches units, applies scale
    factors (ISO 11783 DDI values are logged as raw integers) and declares
    sentinel values that mean "no value". Mappings are JSON files in
    ``rampkit/mappings/``; :func:`load_mapping` reads a user's own. Columns a
    mapping does not name keep their own names, and a unit written inside a
    CSV column name, as in ``Moisture(%)``, is picked up.

Missing values
    A null, an absent key or a declared sentinel is NaN in
    :attr:`Operation.properties`; it never becomes 0.

Cleaning
    :func:`clean_operation` applies the API's default cleanup rules, the
    speed filter and the harvest outlier filter, each switchable, and
    reports how many points each step removed. A rule looks only at values
    that are present: a point whose ``harvestMoisture`` is missing is not
    dropped by the moisture rule.
"""

from __future__ import annotations

import copy
import csv
import functools
import gzip
import io
import itertools
import json
import logging
import math
import os
import re
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rampkit._text import did_you_mean, short_repr
from rampkit.errors import OperationDataError

__all__ = [
    "DEFAULT_RULES",
    "OPERATION_TYPES",
    "SPEED_UNITS",
    "CleanResult",
    "Operation",
    "Rule",
    "clean_operation",
    "load_mapping",
    "mappings",
    "operation_from_geojson",
    "read_operation",
]

logger = logging.getLogger(__name__)

OPERATION_TYPES = ("harvested", "planted", "applied", "tillage", "unknown")
MAPPING_SCHEMA = "rampkit.mapping/1"

# Metres per second for one unit of each speed unit the APIs and vendors use.
SPEED_UNITS: Mapping[str, float] = MappingProxyType({
    "m/s": 1.0,
    "km/h": 1 / 3.6,
    "km/hr": 1 / 3.6,
    "kph": 1 / 3.6,
    "mi/hr": 0.44704,
    "mi/h": 0.44704,
    "mph": 0.44704,
    "ft/s": 0.3048,
    "kn": 1852 / 3600,
})

# Metres for one unit of each length unit used for swath widths.
LENGTH_UNITS: Mapping[str, float] = MappingProxyType({
    "m": 1.0,
    "cm": 0.01,
    "mm": 0.001,
    "ft": 0.3048,
    "in": 0.0254,
    "yd": 0.9144,
})

# Seconds for one unit of each duration unit.
TIME_UNITS: Mapping[str, float] = MappingProxyType({"s": 1.0, "min": 60.0, "h": 3600.0})

# Standard yield properties, in the order the outlier filter picks its column.
YIELD_PROPERTIES = ("dryVolumePerArea", "dryMassPerArea", "wetVolumePerArea", "wetMassPerArea")

# Standard names that reveal the operation type when nothing else does.
_TYPE_BY_PROPERTY = (
    ("harvested", YIELD_PROPERTIES + ("harvestMoisture",)),
    ("planted", ("seedRate", "seedRateTarget", "singulation")),
    ("applied", ("appliedRate", "appliedRateTarget")),
    ("tillage", ("tillageDepthActual", "tillageDepthTarget")),
)

# Words in a file name that reveal the operation type.
_TYPE_BY_FILE_NAME = (
    ("harvested", re.compile(r"harvest|yield|yld", re.IGNORECASE)),
    ("planted", re.compile(r"seed|plant", re.IGNORECASE)),
    ("applied", re.compile(r"appl|fertili[sz]|spray", re.IGNORECASE)),
    ("tillage", re.compile(r"till", re.IGNORECASE)),
)

_LON_NAMES = ("longitude", "lon", "long", "lng", "x")
_LAT_NAMES = ("latitude", "lat", "y")
_UNIT_IN_NAME = re.compile(r"^(?P<name>.*\S)\s*\((?P<unit>[^()]+)\)$")
_UNIT_ALIASES = {"tonne/ha": "t/ha", "tonne/h": "t/h", "tonne": "t"}



def _readonly(array: NDArray[Any]) -> NDArray[Any]:
    array.setflags(write=False)
    return array


# -- the operation -------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Operation:
    """One field operation as points with properties.

    Parameters
    ----------
    id : str
        The operation's id (the sample id, the API's id or the file stem).
    operation_type : {"harvested", "planted", "applied", "tillage", "unknown"}
    lon, lat : ndarray of float64
        WGS 84 coordinates in degrees, one per point.
    properties : mapping of str to ndarray of float64
        Numeric columns, NaN where a point has no value.
    units : mapping of str to str
        The unit of each property where known (``"bu/ac"``, ``"%"``).
    extra : mapping of str to ndarray
        Non-numeric columns (text, timestamps, flags), ``None`` where missing.
    metadata : mapping of str to Any
        ``field``, ``date``, ``startTime``, ``endTime``, ``crop``, ``source``
        (the file name), ``mapping`` (the column mapping applied) and
        ``columns`` (original column name to normalized name).

    Notes
    -----
    Arrays are read-only, so an operation can be shared and cached safely.
    """

    id: str
    operation_type: str
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    properties: Mapping[str, NDArray[np.float64]]
    units: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, NDArray[Any]] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.operation_type not in OPERATION_TYPES:
            raise OperationDataError(
                f"operation type {self.operation_type!r} is not known; use one of "
                + ", ".join(repr(name) for name in OPERATION_TYPES)
            )
        lon = _readonly(np.array(self.lon, dtype=np.float64))
        lat = _readonly(np.array(self.lat, dtype=np.float64))
        if lon.shape != lat.shape or lon.ndim != 1:
            raise OperationDataError(
                f"lon and lat must be 1-D arrays of one length, got shapes {lon.shape} "
                f"and {lat.shape}; give one coordinate pair per point"
            )
        properties: dict[str, NDArray[np.float64]] = {}
        for name, values in self.properties.items():
            array = np.array(values, dtype=np.float64)
            if array.shape != lon.shape:
                raise OperationDataError(
                    f"property {name!r} has {array.size} values for {lon.size} points; "
                    "give one value per point (NaN where missing)"
                )
            properties[name] = _readonly(array)
        extra: dict[str, NDArray[Any]] = {}
        for name, values in self.extra.items():
            array = np.array(values, dtype=object)
            if array.shape != lon.shape:
                raise OperationDataError(
                    f"column {name!r} has {array.size} values for {lon.size} points; "
                    "give one value per point (None where missing)"
                )
            extra[name] = _readonly(array)
        object.__setattr__(self, "lon", lon)
        object.__setattr__(self, "lat", lat)
        object.__setattr__(self, "properties", MappingProxyType(properties))
        object.__setattr__(self, "units", MappingProxyType(dict(self.units)))
        object.__setattr__(self, "extra", MappingProxyType(extra))
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))

    def __len__(self) -> int:
        return int(self.lon.size)

    def __repr__(self) -> str:
        return (
            f"Operation(id={self.id!r}, operation_type={self.operation_type!r}, "
            f"points={len(self)}, properties={self.numeric_properties()!r})"
        )

    def numeric_properties(self) -> list[str]:
        """Return the names of the properties with at least one finite value."""
        return sorted(
            name for name, values in self.properties.items() if np.isfinite(values).any()
        )

    def resolve_property(self, name: str) -> str:
        """Return the property for ``name``, which may be an original column name.

        Raises
        ------
        OperationDataError
            When the operation has no numeric property of that name; the
            message lists the ones it has.
        """
        if name in self.properties and np.isfinite(self.properties[name]).any():
            return name
        renamed = self.metadata.get("columns", {}).get(name)
        if renamed in self.properties and np.isfinite(self.properties[renamed]).any():
            return str(renamed)
        known = self.numeric_properties()
        columns = {
            str(column): str(standard)
            for column, standard in self.metadata.get("columns", {}).items()
            if standard in known and column != standard
        }
        originals: dict[str, list[str]] = {}
        for column, standard in columns.items():
            originals.setdefault(standard, []).append(column)
        listed = [
            f"{prop} ({', '.join(sorted(originals[prop]))})" if prop in originals else prop
            for prop in known
        ]
        # A column name that matches is offered as its standard name, which is
        # the name the property is listed under.
        suggestion = did_you_mean(name, [*known, *columns], n=2, cutoff=0.75, suggest=columns)
        raise OperationDataError(
            f"property {name!r} is not a numeric property of operation {self.id!r}"
            f"{suggestion}; it has: {', '.join(listed) if listed else 'none'}"
        )

    def select(self, keep: NDArray[np.bool_]) -> Operation:
        """Return a new operation with only the points where ``keep`` is True."""
        keep = np.asarray(keep, dtype=bool)
        return replace(
            self,
            lon=self.lon[keep],
            lat=self.lat[keep],
            properties={name: values[keep] for name, values in self.properties.items()},
            extra={name: values[keep] for name, values in self.extra.items()},
        )

    def summary(self) -> dict[str, dict[str, Any]]:
        """Return ``{property: {"avg", "min", "max", "unit"}}`` over the finite values.

        Properties without a finite value are left out; ``unit`` is None when
        not known.
        """
        result: dict[str, dict[str, Any]] = {}
        for name in self.numeric_properties():
            values = self.properties[name]
            finite = values[np.isfinite(values)]
            result[name] = {
                "avg": float(finite.mean()),
                "min": float(finite.min()),
                "max": float(finite.max()),
                "unit": self.units.get(name),
            }
        return result

    def to_geojson(self) -> dict[str, Any]:
        """Return the points as a standard GeoJSON FeatureCollection.

        Each feature is a ``Point`` with ``[lon, lat]`` coordinates; its
        properties are the numeric and non-numeric columns plus
        ``operationType``, with null for missing values.
        """
        names = list(self.properties) + list(self.extra)
        columns: list[list[Any]] = []
        for name in self.properties:
            values = self.properties[name]
            column = values.tolist()
            for index in np.flatnonzero(~np.isfinite(values)).tolist():
                column[index] = None
            columns.append(column)
        for name in self.extra:
            columns.append([_json_value(value) for value in self.extra[name].tolist()])
        if "operationType" not in names:
            names.append("operationType")
            columns.append([self.operation_type] * len(self))
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": dict(zip(names, row, strict=True)),
            }
            for lon, lat, row in zip(
                self.lon.tolist(), self.lat.tolist(), zip(*columns, strict=True), strict=True
            )
        ]
        return {"type": "FeatureCollection", "features": features}


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int, list, dict)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return _json_value(value.item())
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


# -- mappings ------------------------------------------------------------------


def _check_mapping(document: Any, where: str) -> dict[str, Any]:
    if not isinstance(document, Mapping):
        raise OperationDataError(
            f"mapping {where} is {type(document).__name__}, not an object; "
            f"write a JSON object with 'schema': {MAPPING_SCHEMA!r} and 'columns'"
        )
    if document.get("schema", MAPPING_SCHEMA) != MAPPING_SCHEMA:
        raise OperationDataError(
            f"mapping {where} has schema {document.get('schema')!r}; "
            f"use {MAPPING_SCHEMA!r}"
        )
    columns = document.get("columns")
    if not isinstance(columns, Mapping):
        raise OperationDataError(
            f"mapping {where} has no 'columns' object; map each source column to "
            '{"name": ..., "unit": ...}'
        )
    for column, spec in columns.items():
        if not isinstance(spec, Mapping):
            raise OperationDataError(
                f"mapping {where}: column {column!r} maps to {short_repr(spec)}, not an object; "
                'write {"name": "dryVolumePerArea", "unit": "bu/ac"}'
            )
        unknown = set(spec) - {"name", "unit", "scale", "nodata", "values"}
        if unknown:
            raise OperationDataError(
                f"mapping {where}: column {column!r} has unknown keys {sorted(unknown)!r}; "
                "use name, unit, scale, nodata and values"
            )
    result = dict(document)
    result.setdefault("name", where)
    return result


def load_mapping(source: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Any]:
    """Load a column mapping from a built-in name, a JSON file or a dict.

    A mapping is a JSON object::

        {"schema": "rampkit.mapping/1", "name": "my_monitor",
         "detect": ["YieldDry"], "operation_type": "harvested",
         "columns": {"YieldDry": {"name": "dryVolumePerArea", "unit": "bu/ac"},
                     "Rate": {"name": {"planted": "seedRate", "*": "appliedRate"}},
                     "RawMoist": {"name": "harvestMoisture", "unit": "%",
                                  "scale": 0.0001, "nodata": [0]},
                     "State": {"name": "recordingStatus", "values": {"1": "On"}}}}

    ``name`` may depend on the operation type (``"*"`` is the default);
    ``scale`` multiplies raw values; values listed in ``nodata`` become NaN;
    ``values`` turns codes into text. ``detect`` lists the columns that must
    all be present for the mapping to be picked automatically, and
    ``min_matches`` (default 1) how many of its columns must be present.

    Raises
    ------
    OperationDataError
        When the name, file or document is not a valid mapping.
    """
    if isinstance(source, Mapping):
        return _check_mapping(source, repr(source.get("name", "<dict>")))
    builtin = _builtin_mappings()
    if isinstance(source, str) and source in builtin:
        return copy.deepcopy(builtin[source])
    path = Path(source)
    if not path.is_file():
        raise OperationDataError(
            f"mapping {str(source)!r} is neither a built-in mapping nor a file; built-in "
            f"mappings: {', '.join(sorted(builtin))}"
        )
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise OperationDataError(
            f"mapping file {str(path)!r} is not valid JSON (line {exc.lineno}: {exc.msg}); "
            "fix the file"
        ) from None
    if isinstance(document, Mapping) and "name" not in document:
        document = {**document, "name": path.stem}
    return _check_mapping(document, repr(str(path)))


@functools.lru_cache(maxsize=1)
def _builtin_mappings() -> dict[str, dict[str, Any]]:
    """Read the built-in mappings once; callers must not change what they get."""
    found: dict[str, dict[str, Any]] = {}
    for entry in resources.files("rampkit").joinpath("mappings").iterdir():
        if entry.name.endswith(".json"):
            document = json.loads(entry.read_text(encoding="utf-8"))
            found[document["name"]] = _check_mapping(document, repr(entry.name))
    return found


def mappings() -> dict[str, dict[str, Any]]:
    """Return the built-in column mappings by name."""
    return copy.deepcopy(_builtin_mappings())


def _pick_mapping(columns: Iterable[str]) -> dict[str, Any] | None:
    """Return the built-in mapping that fits the columns best, if any fits."""
    present = set(columns)
    best: tuple[int, str] | None = None
    chosen = None
    for name, mapping in _builtin_mappings().items():
        if not all(column in present for column in mapping.get("detect", [])):
            continue
        matches = sum(column in present for column in mapping["columns"])
        if matches < max(1, int(mapping.get("min_matches", 1))):
            continue
        if best is None or (matches, name) > best:
            best, chosen = (matches, name), mapping
    return chosen


# -- normalizing raw columns -----------------------------------------------------


@dataclass
class _Table:
    """Raw columns as read from a file, before normalization."""

    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    columns: dict[str, NDArray[Any]]
    units: dict[str, str] = field(default_factory=dict)


def _numeric(values: NDArray[Any]) -> NDArray[np.float64] | None:
    """Return values as float64 (NaN for missing) if every present value is a number."""
    if values.dtype.kind in "iuf":
        return values.astype(np.float64)
    if values.dtype.kind != "O":
        return None
    out = np.full(values.shape, np.nan)
    for index, value in enumerate(values.tolist()):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        out[index] = value
    return out


def _infer_type(
    explicit: str | None,
    columns: Mapping[str, NDArray[Any]],
    mapping: Mapping[str, Any] | None,
    source: str,
) -> str | None:
    if explicit is not None:
        return explicit
    declared = columns.get("operationType")
    if declared is not None:
        for value in declared.tolist():
            if isinstance(value, str) and value in OPERATION_TYPES:
                return value
    if mapping is not None and mapping.get("operation_type") in OPERATION_TYPES:
        return str(mapping["operation_type"])
    for operation_type, pattern in _TYPE_BY_FILE_NAME:
        if pattern.search(source):
            return operation_type
    return None


def _normalize(
    table: _Table,
    *,
    operation_id: str,
    operation_type: str | None,
    mapping: Mapping[str, Any] | str | os.PathLike[str] | bool | None,
    source: str,
    units: Mapping[str, str] | None = None,
) -> Operation:
    """Apply a column mapping to raw columns and build the operation."""
    if mapping is None or mapping is True:
        chosen = _pick_mapping(table.columns)
    elif mapping is False:
        chosen = None
    else:
        chosen = load_mapping(mapping)
    if chosen is not None:
        logger.debug("operation %s: applying column mapping %s", operation_id, chosen["name"])
    kind = _infer_type(operation_type, table.columns, chosen, source)
    specs: Mapping[str, Mapping[str, Any]] = chosen["columns"] if chosen else {}

    properties: dict[str, NDArray[np.float64]] = {}
    prop_units: dict[str, str] = {}
    extra: dict[str, NDArray[Any]] = {}
    renamed: dict[str, str] = {}
    for column, raw in table.columns.items():
        if column == "operationType":
            continue
        spec = specs.get(column, {})
        name = spec.get("name", column)
        if isinstance(name, Mapping):
            name = name.get(kind or "*", name.get("*", column))
        unit = spec.get("unit", table.units.get(column))
        if unit is None and spec.get("name") is None:
            match = _UNIT_IN_NAME.match(column)
            if match:
                unit = match.group("unit")
        if unit is not None:
            unit = _UNIT_ALIASES.get(unit, unit)
        if name in properties or name in extra:
            logger.warning(
                "operation %s: column %r maps to %r, which an earlier column already "
                "filled; keeping the earlier column",
                operation_id, column, name,
            )
            continue
        if name != column:
            renamed[column] = name

        if "values" in spec:
            codes = {str(key): value for key, value in spec["values"].items()}
            extra[name] = np.array(
                [None if value is None else codes.get(_code(value), value)
                 for value in raw.tolist()],
                dtype=object,
            )
            continue
        numbers = _numeric(raw)
        if numbers is None:
            extra[name] = raw.astype(object)
            continue
        for sentinel in spec.get("nodata", ()):
            numbers[numbers == float(sentinel)] = np.nan
        if "scale" in spec:
            numbers = numbers * float(spec["scale"])
        properties[name] = numbers
        if unit is not None:
            prop_units[name] = str(unit)

    if units:
        prop_units.update({name: unit for name, unit in units.items() if name in properties})
    if kind is None:
        kind = next(
            (candidate for candidate, names in _TYPE_BY_PROPERTY
             if any(name in properties for name in names)),
            "unknown",
        )
    metadata = _metadata(properties, extra, source)
    metadata["mapping"] = chosen["name"] if chosen else None
    metadata["columns"] = renamed
    return Operation(
        id=operation_id,
        operation_type=kind,
        lon=table.lon,
        lat=table.lat,
        properties=properties,
        units=prop_units,
        extra=extra,
        metadata=metadata,
    )


def _code(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _first_text(values: NDArray[Any] | None) -> str | None:
    if values is None:
        return None
    for value in values.tolist():
        if value is not None and str(value).strip():
            return str(value)
    return None


def _metadata(
    properties: Mapping[str, NDArray[np.float64]],
    extra: Mapping[str, NDArray[Any]],
    source: str,
) -> dict[str, Any]:
    """Collect field, crop and time range from the columns, where present."""
    metadata: dict[str, Any] = {"source": source}
    field_name = _first_text(extra.get("field"))
    if field_name is not None:
        metadata["field"] = field_name
    crop = _first_text(extra.get("crop"))
    if crop is not None:
        metadata["crop"] = crop
    for column in ("timestamp", "time", "date"):
        values = extra.get(column)
        if values is None:
            continue
        stamps = pd.to_datetime(pd.Series(values), errors="coerce", utc=True, format="ISO8601")
        stamps = stamps.dropna()
        if stamps.empty:
            continue
        metadata["startTime"] = stamps.min().isoformat().replace("+00:00", "Z")
        metadata["endTime"] = stamps.max().isoformat().replace("+00:00", "Z")
        metadata["date"] = metadata["startTime"][:10]
        break
    return metadata


# -- readers -------------------------------------------------------------------


def _table_from_features(features: list[Any], where: str) -> _Table:
    """Collect point coordinates and property columns from GeoJSON features."""
    coordinates: list[Any] = []
    records: list[Mapping[str, Any]] = []
    skipped = 0
    for index, feature in enumerate(features):
        geometry = feature.get("geometry") if isinstance(feature, Mapping) else None
        if geometry is None:
            skipped += 1
            continue
        kind = geometry.get("type")
        if kind != "Point":
            raise OperationDataError(
                f"{where}: feature {index} is a {kind!r}, not a 'Point'; operation data "
                "must be point data (one point per machine reading)"
            )
        coordinates.append(geometry.get("coordinates"))
        records.append(feature.get("properties") or {})
    if skipped:
        logger.warning("%s: skipped %d features without geometry", where, skipped)
    if not coordinates:
        raise OperationDataError(
            f"{where} has no point features; give a file with at least one Point feature"
        )
    try:
        try:
            xy = np.array(coordinates, dtype=np.float64)
        except ValueError:
            # Positions of mixed length (some with an elevation): keep lon, lat.
            xy = np.array([point[:2] for point in coordinates], dtype=np.float64)
        if xy.ndim != 2 or xy.shape[1] < 2:
            raise ValueError("not [lon, lat] pairs")
        xy = xy[:, :2]
    except (TypeError, ValueError, IndexError):
        raise OperationDataError(
            f"{where}: a Point has coordinates that are not [lon, lat] numbers; fix the file"
        ) from None
    # Keys in first-seen order; a feature without a key has None there.
    keys = dict.fromkeys(itertools.chain.from_iterable(records))
    columns: dict[str, NDArray[Any]] = {}
    for key in keys:
        values = [record.get(key) for record in records]
        kinds = set(map(type, values))
        if kinds <= {int, float, type(None)}:
            # numpy turns None into NaN in a float array.
            columns[str(key)] = np.array(values, dtype=np.float64)
        else:
            # fromiter keeps list values (such as an applied product list) whole.
            columns[str(key)] = np.fromiter(values, dtype=object, count=len(values))
    return _Table(lon=xy[:, 0], lat=xy[:, 1], columns=columns)


def _load_json(path: Path) -> Any:
    try:
        # json.loads decodes UTF-8 bytes itself, faster than a text stream does.
        raw = path.read_bytes()
        if path.name.lower().endswith(".gz"):
            raw = gzip.decompress(raw)
        return json.loads(raw)
    except (
        json.JSONDecodeError, UnicodeDecodeError, EOFError, gzip.BadGzipFile, zlib.error
    ) as exc:
        raise OperationDataError(
            f"file {str(path)!r} is not valid GeoJSON ({exc}); give a GeoJSON "
            "FeatureCollection of Point features"
        ) from None


def _features_of(document: Any, where: str) -> list[Any]:
    if isinstance(document, Mapping) and document.get("type") == "FeatureCollection":
        features = document.get("features")
        if isinstance(features, list):
            return features
    if isinstance(document, Mapping) and document.get("type") == "Feature":
        return [document]
    raise OperationDataError(
        f"{where} is not a GeoJSON FeatureCollection; give a FeatureCollection of "
        "Point features"
    )


def _to_wgs84(x: NDArray[np.float64], y: NDArray[np.float64], crs: Any) -> tuple[
    NDArray[np.float64], NDArray[np.float64]
]:
    from pyproj import CRS, Transformer

    source = CRS.from_user_input(crs)
    if source.equals(CRS.from_epsg(4326), ignore_axis_order=True):
        return x, y
    transformer = Transformer.from_crs(source, "EPSG:4326", always_xy=True)
    lon, lat = transformer.transform(x, y)
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def _table_from_arrow(table: Any, geometry_column: str, crs: Any, where: str) -> _Table:
    import shapely

    geometry = shapely.from_wkb(table.column(geometry_column).to_numpy(zero_copy_only=False))
    kinds = shapely.get_type_id(geometry)
    valid = ~shapely.is_missing(geometry)
    if not valid.any():
        raise OperationDataError(
            f"{where} has no point features; give a file with at least one point"
        )
    if np.any(kinds[valid] != shapely.GeometryType.POINT):
        bad = shapely.get_type_id(geometry[valid][kinds[valid] != 0][0])
        raise OperationDataError(
            f"{where} holds {shapely.GeometryType(bad).name.lower()} geometries, not points; "
            "operation data must be point data (one point per machine reading)"
        )
    if not valid.all():
        logger.warning("%s: skipped %d rows without geometry", where, int((~valid).sum()))
    x = shapely.get_x(geometry[valid])
    y = shapely.get_y(geometry[valid])
    if crs is not None:
        x, y = _to_wgs84(x, y, crs)
    columns: dict[str, NDArray[Any]] = {}
    for name in table.column_names:
        if name == geometry_column:
            continue
        values = table.column(name).to_pandas().to_numpy()
        if values.dtype.kind == "M":
            values = np.array([None if pd.isna(v) else pd.Timestamp(v).isoformat()
                               for v in values], dtype=object)
        elif values.dtype.kind == "O":
            values = np.array([None if v is None or v is pd.NA or (
                isinstance(v, float) and math.isnan(v)) else v for v in values], dtype=object)
        columns[name] = values[valid]
    return _Table(lon=x, lat=y, columns=columns)


def _read_geoparquet(path: Path) -> _Table:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several unrelated classes
        raise OperationDataError(
            f"file {str(path)!r} cannot be read as Parquet ({exc}); give a GeoParquet file"
        ) from None
    meta_raw = (table.schema.metadata or {}).get(b"geo")
    if meta_raw is None:
        raise OperationDataError(
            f"file {str(path)!r} has no GeoParquet 'geo' metadata; write it with a "
            "GeoParquet writer such as geopandas.to_parquet"
        )
    meta = json.loads(meta_raw)
    name = meta.get("primary_column", "geometry")
    column_meta = meta.get("columns", {}).get(name, {})
    encoding = column_meta.get("encoding", "WKB")
    if str(encoding).upper() != "WKB":
        raise OperationDataError(
            f"file {str(path)!r} stores geometry as {encoding!r}; only WKB is read, so "
            "write the file with WKB geometry"
        )
    # GeoParquet's default CRS, when the key is absent, is OGC:CRS84 (lon/lat WGS 84).
    crs = column_meta.get("crs", "OGC:CRS84")
    return _table_from_arrow(table, name, crs, repr(str(path)))


def _read_ogr(path: Path) -> _Table:
    import pyogrio

    target = f"/vsizip/{path}" if path.suffix.lower() == ".zip" else str(path)
    try:
        meta, table = pyogrio.read_arrow(target)
    except Exception as exc:  # pyogrio wraps GDAL errors in several classes
        raise OperationDataError(
            f"file {str(path)!r} cannot be read as vector data ({exc}); give a zipped "
            "shapefile with a .shp, .shx, .dbf and .prj"
        ) from None
    geometry_column = meta.get("geometry_name") or "wkb_geometry"
    if geometry_column not in table.column_names:
        raise OperationDataError(
            f"file {str(path)!r} has no geometry; operation data must be point data"
        )
    crs = meta.get("crs")
    if crs is None:
        logger.warning("%s has no CRS; assuming WGS 84 longitude/latitude", path)
    return _table_from_arrow(table, geometry_column, crs, repr(str(path)))


def _detect_encoding(raw: bytes) -> str:
    """Return the text encoding of a CSV file: UTF-8 when it decodes, else ISO-8859-1."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        # ISO-8859-1 decodes any byte string, so it is the fallback of last resort;
        # Windows exports in cp1252 differ from it only in 0x80-0x9F.
        return "iso-8859-1"
    return "utf-8"


def _coordinate_column(names: Iterable[str], candidates: tuple[str, ...]) -> str | None:
    by_key: dict[str, str] = {}
    for name in names:
        match = _UNIT_IN_NAME.match(name)
        key = (match.group("name") if match else name).strip().lower()
        by_key.setdefault(key, name)
    for candidate in candidates:
        if candidate in by_key:
            return by_key[candidate]
    return None


def _read_csv(path: Path, encoding: str | None) -> _Table:
    raw = path.read_bytes()
    if not raw.strip():
        raise OperationDataError(
            f"file {str(path)!r} is empty; give a CSV file with a header row and points"
        )
    encoding = encoding or _detect_encoding(raw)
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise OperationDataError(
            f"file {str(path)!r} cannot be decoded as {encoding!r} ({exc}); pass the "
            "file's encoding, for example encoding='iso-8859-1'"
        ) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        separator = dialect.delimiter
    except csv.Error:
        separator = ","
    frame = pd.read_csv(io.StringIO(text), sep=separator)
    lon_name = _coordinate_column(frame.columns, _LON_NAMES)
    lat_name = _coordinate_column(frame.columns, _LAT_NAMES)
    if lon_name is None or lat_name is None:
        raise OperationDataError(
            f"file {str(path)!r} has no recognisable longitude/latitude columns (columns: "
            f"{short_repr(list(map(str, frame.columns)))}); name them 'Longitude' and 'Latitude' "
            "(or lon/lat, x/y)"
        )
    if frame.empty:
        raise OperationDataError(
            f"file {str(path)!r} has a header but no rows; give a CSV file with points"
        )
    lon = pd.to_numeric(frame[lon_name], errors="coerce").to_numpy(dtype=np.float64)
    lat = pd.to_numeric(frame[lat_name], errors="coerce").to_numpy(dtype=np.float64)
    located = np.isfinite(lon) & np.isfinite(lat)
    if not located.any():
        raise OperationDataError(
            f"file {str(path)!r}: columns {lon_name!r} and {lat_name!r} hold no numeric "
            "coordinates; give decimal degrees"
        )
    if not located.all():
        logger.warning("%s: skipped %d rows without coordinates", path, int((~located).sum()))
    columns: dict[str, NDArray[Any]] = {}
    for name in frame.columns:
        if name in (lon_name, lat_name):
            continue
        values = frame[name].to_numpy()[located]
        if values.dtype.kind == "O":
            values = np.array([None if isinstance(v, float) and math.isnan(v) else v
                               for v in values.tolist()], dtype=object)
        columns[str(name)] = values
    return _Table(lon=lon[located], lat=lat[located], columns=columns)


def _source_format(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".geojson", ".geojson.gz", ".json", ".json.gz")):
        return "geojson"
    if name.endswith((".parquet", ".geoparquet")):
        return "geoparquet"
    if name.endswith(".zip"):
        return "shapefile"
    if name.endswith((".shp", ".gpkg")):
        return "ogr"
    if name.endswith((".csv", ".txt", ".csv.gz")):
        return "csv"
    return ""


def _operation_id(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".geojson", ".json", ".parquet", ".geoparquet", ".zip", ".csv"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name


def read_operation(
    path: str | os.PathLike[str],
    *,
    operation_type: str | None = None,
    encoding: str | None = None,
    mapping: Mapping[str, Any] | str | os.PathLike[str] | bool | None = None,
    operation_id: str | None = None,
) -> Operation:
    """Read an operation's points from a file and normalize its columns.

    Parameters
    ----------
    path : str or path-like
        A GeoJSON (``.geojson``, ``.json``, optionally gzipped ``.gz``),
        GeoParquet (``.parquet``), zipped shapefile (``.zip``) or CSV file
        with longitude/latitude columns.
    operation_type : {"harvested", "planted", "applied", "tillage", "unknown"}, optional
        The type; by default taken from an ``operationType`` column, the
        mapping, words in the file name (``harvest``, ``seeding``,
        ``applied``, ``tillage``) or the properties, in that order.
    encoding : str, optional
        The text encoding of a CSV file; by default UTF-8 when the file
        decodes as UTF-8, else ISO-8859-1.
    mapping : str, path, dict or bool, optional
        The column mapping (see :func:`load_mapping`). None or True picks
        the best-fitting built-in mapping; False keeps every column as is.
    operation_id : str, optional
        The id; by default the file name without its extensions.

    Returns
    -------
    Operation

    Raises
    ------
    OperationDataError
        When the file is missing, empty, not point data, in an unknown format,
        or a CSV without recognisable coordinate columns.
    """
    path = Path(path)
    if operation_type is not None and operation_type not in OPERATION_TYPES:
        raise OperationDataError(
            f"operation type {operation_type!r} is not known; use one of "
            + ", ".join(repr(name) for name in OPERATION_TYPES)
        )
    if not path.is_file():
        raise OperationDataError(
            f"operation file {str(path)!r} does not exist; check the path"
        )
    if path.stat().st_size == 0:
        raise OperationDataError(
            f"file {str(path)!r} is empty; give a file with point features"
        )
    kind = _source_format(path)
    where = repr(str(path))
    if kind == "geojson":
        table = _table_from_features(_features_of(_load_json(path), where), where)
    elif kind == "geoparquet":
        table = _read_geoparquet(path)
    elif kind in ("shapefile", "ogr"):
        table = _read_ogr(path)
    elif kind == "csv":
        table = _read_csv(path, encoding)
    else:
        raise OperationDataError(
            f"file {path.name!r} has an unknown format; use .geojson, .geojson.gz, "
            ".parquet, .zip (shapefile) or .csv"
        )
    logger.info("read %d points from %s", table.lon.size, path)
    return _normalize(
        table,
        operation_id=operation_id or _operation_id(path),
        operation_type=operation_type,
        mapping=mapping,
        source=path.name,
    )


def operation_from_geojson(
    feature_collection: Mapping[str, Any],
    *,
    operation_type: str | None = None,
    operation_id: str | None = None,
    units: Mapping[str, str] | None = None,
    mapping: Mapping[str, Any] | str | os.PathLike[str] | bool | None = None,
) -> Operation:
    """Build an operation from a GeoJSON FeatureCollection of points.

    Parameters
    ----------
    feature_collection : dict
        A FeatureCollection of ``Point`` features, such as the API's standard
        or filtered GeoJSON.
    operation_type : str, optional
        The type; by default the features' ``operationType`` or the
        properties present.
    operation_id : str, optional
        The id; ``"geojson"`` by default.
    units : mapping of str to str, optional
        Units per property, as the API's ``/units`` call returns them.
    mapping : str, path, dict or bool, optional
        As in :func:`read_operation`.

    Raises
    ------
    OperationDataError
        When the document is not a FeatureCollection of points or has none.
    """
    if operation_type is not None and operation_type not in OPERATION_TYPES:
        raise OperationDataError(
            f"operation type {operation_type!r} is not known; use one of "
            + ", ".join(repr(name) for name in OPERATION_TYPES)
        )
    where = "GeoJSON document"
    table = _table_from_features(_features_of(feature_collection, where), where)
    return _normalize(
        table,
        operation_id=operation_id or "geojson",
        operation_type=operation_type,
        mapping=mapping,
        source="",
        units=units,
    )


# -- cleaning ------------------------------------------------------------------

Rule = Callable[[Operation], "NDArray[np.bool_] | None"]


def _positive(name: str) -> Rule:
    def rule(op: Operation) -> NDArray[np.bool_] | None:
        values = op.properties.get(name)
        return None if values is None else values <= 0
    rule.__name__ = f"{name} <= 0"
    return rule


def _moisture(op: Operation) -> NDArray[np.bool_] | None:
    values = op.properties.get("harvestMoisture")
    return None if values is None else (values <= 0) | (values >= 100)


def _negative_tillage(op: Operation) -> NDArray[np.bool_] | None:
    values = op.properties.get("tillageDepthActual")
    return None if values is None else values < 0


def _text_rule(name: str, drop: Callable[[Any], bool]) -> Rule:
    def rule(op: Operation) -> NDArray[np.bool_] | None:
        values = op.extra.get(name)
        if values is None:
            return None
        return np.array([value is not None and drop(value) for value in values.tolist()])
    return rule


# The API's default cleanup rules, by the name its documentation gives them.
# Each returns True for the points it drops; comparisons with NaN are False,
# so a missing value never drops a point.
DEFAULT_RULES: Mapping[str, Rule] = MappingProxyType({
    "harvestMoisture outside (0, 100)": _moisture,
    "appliedRate <= 0": _positive("appliedRate"),
    "wetVolume <= 0": _positive("wetVolume"),
    "wetVolumePerArea <= 0": _positive("wetVolumePerArea"),
    "wetMass <= 0": _positive("wetMass"),
    "wetMassPerArea <= 0": _positive("wetMassPerArea"),
    "seedRate <= 0": _positive("seedRate"),
    "tillageDepthActual < 0": _negative_tillage,
    "recordingStatus not 'On'": _text_rule("recordingStatus", lambda value: value != "On"),
    "crop 'unknown'": _text_rule("crop", lambda value: str(value).lower() == "unknown"),
})


@dataclass(frozen=True, eq=False)
class CleanResult:
    """The result of :func:`clean_operation`.

    Attributes
    ----------
    operation : Operation
        The points that passed every enabled step.
    removed : dict of str to int
        Points removed by each step, in the order the steps ran: one entry
        per cleanup rule, then ``"speed"`` and ``"outliers"`` when enabled.
    """

    operation: Operation
    removed: dict[str, int]

    @property
    def total_removed(self) -> int:
        """The number of points removed by all steps together."""
        return sum(self.removed.values())


def _speed_in_m_per_s(op: Operation) -> NDArray[np.float64] | None:
    speed = op.properties.get("speed")
    if speed is not None:
        unit = op.units.get("speed")
        if unit is None:
            logger.warning(
                "operation %s: speed has no unit; the speed filter assumes m/s", op.id
            )
            return speed
        factor = SPEED_UNITS.get(unit.strip().lower())
        if factor is None:
            raise OperationDataError(
                f"speed unit {unit!r} of operation {op.id!r} is not known; use one of "
                f"{', '.join(SPEED_UNITS)} or pass speed_filter=False"
            )
        return speed * factor

    # Without a speed column, distance over duration gives the speed where
    # both have known units; points with no positive duration get NaN (kept).
    distance = op.properties.get("distance")
    duration = op.properties.get("duration")
    if distance is None or duration is None:
        return None
    metres = LENGTH_UNITS.get(op.units.get("distance", "").strip().lower())
    seconds = TIME_UNITS.get(op.units.get("duration", "").strip().lower())
    if metres is None or seconds is None:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(duration > 0, distance * metres / (duration * seconds), np.nan)


def clean_operation(
    op: Operation,
    *,
    rules: str | Mapping[str, Rule] | None = "default",
    speed_filter: bool = True,
    outlier_filter: bool = True,
    k: float = 3.0,
    min_speed: float = 0.5,
    outlier_property: str | None = None,
) -> CleanResult:
    """Drop points the way the API's filtered GeoJSON does, step by step.

    Parameters
    ----------
    op : Operation
    rules : "default", mapping of str to callable, or None
        ``"default"`` applies :data:`DEFAULT_RULES`; a mapping of rule name to
        a function ``f(op) -> bool array (True = drop) or None`` replaces
        them; None skips this step.
    speed_filter : bool
        Drop points slower than ``min_speed`` metres per second, after
        converting from the operation's speed unit. Without a ``speed``
        column the speed is ``distance / duration`` where both have known
        units, and the step is skipped when neither way works.
    outlier_filter : bool
        For harvests, drop points whose yield is more than ``k`` standard
        deviations from the mean.
    k : float
        The outlier threshold in standard deviations; 3 by default.
    min_speed : float
        The speed threshold in m/s; 0.5 by default, as in the API.
    outlier_property : str, optional
        The yield column; by default the first of ``dryVolumePerArea``,
        ``dryMassPerArea``, ``wetVolumePerArea`` and ``wetMassPerArea``
        present.

    Returns
    -------
    CleanResult
        The kept points and the count each step removed.

    Raises
    ------
    OperationDataError
        For an unknown rule set, a non-positive ``k`` or an unknown speed unit.

    Notes
    -----
    Steps run in order (rules, speed, outliers) and each sees the points the
    earlier steps kept, so the outlier mean and deviation come from clean
    points.
    """
    if isinstance(rules, str):
        if rules != "default":
            raise OperationDataError(
                f"rule set {rules!r} is not known; use 'default', a mapping of rule "
                "functions, or None"
            )
        rule_set: Mapping[str, Rule] = DEFAULT_RULES
    else:
        rule_set = rules or {}
    if not k > 0:
        raise OperationDataError(f"outlier threshold k {k!r} must be above 0; use 3")

    removed: dict[str, int] = {}
    current = op
    for name, rule in rule_set.items():
        drop = rule(current)
        count = 0 if drop is None else int(np.count_nonzero(drop))
        removed[name] = count
        if count:
            current = current.select(~np.asarray(drop, dtype=bool))

    if speed_filter:
        speed = _speed_in_m_per_s(current)
        removed["speed"] = 0
        if speed is not None:
            slow = speed < min_speed
            removed["speed"] = int(np.count_nonzero(slow))
            if removed["speed"]:
                current = current.select(~slow)

    if outlier_filter:
        removed["outliers"] = 0
        column = outlier_property or next(
            (name for name in YIELD_PROPERTIES if name in current.properties), None
        )
        if current.operation_type == "harvested" and column is not None:
            values = current.properties.get(column)
            if values is None:
                raise OperationDataError(
                    f"outlier property {column!r} is not in operation {op.id!r}; choose one "
                    f"of {', '.join(current.numeric_properties())}"
                )
            finite = values[np.isfinite(values)]
            if finite.size > 1:
                mean, std = float(finite.mean()), float(finite.std())
                drop = np.abs(values - mean) > k * std
                removed["outliers"] = int(np.count_nonzero(drop))
                if removed["outliers"]:
                    current = current.select(~drop)

    logger.info(
        "cleaned operation %s: kept %d of %d points (%s)",
        op.id, len(current), len(op), removed,
    )
    return CleanResult(operation=current, removed=removed)
