"""Operations from a data directory, and the cache of rendered images.

A data directory is either the bundled samples (the default) or any folder.
In a folder, each file with a supported suffix is one operation:

``.geojson``, ``.geojson.gz``, ``.json``, ``.parquet``, ``.geoparquet``,
``.zip`` (a zipped shapefile) and ``.csv``.

An optional metadata file beside it, named like the data file with
``.meta.json`` in place of its suffix (``north_2021.meta.json`` for
``north_2021.csv.gz`` or ``north_2021.csv``), gives what the file itself may lack::

    {"id": "north-2021", "type": "harvested", "field": "north",
     "date": "2021-09-14", "endTime": "2021-09-15", "provider": "JohnDeere",
     "property": "dryVolumePerArea", "encoding": "iso-8859-1",
     "mapping": "my_monitor.json"}

Every key is optional. ``mapping`` is a built-in column mapping's name or a
mapping file, relative to the folder (see
:func:`rampkit.operations.load_mapping`). Without ``id`` the operation id is the file name
without its suffix; without ``type`` the reader infers it. The folder is
scanned again on every listing, so a dropped-in file appears at once, and a
changed file is read again.

Rendered images are cached by the content of the request (ramp, property,
projection, resolution, shape, interpolation, basis) together with the
data file's size and modification time, so an image id names one result.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from rampkit.errors import OperationDataError

__all__ = [
    "METADATA_SUFFIX",
    "SUPPORTED_SUFFIXES",
    "CachedImage",
    "LRUCache",
    "OperationEntry",
    "OperationStore",
    "UnknownOperationError",
    "request_key",
]

logger = logging.getLogger(__name__)

# Longer suffixes first, so ".geojson.gz" matches before ".gz".
SUPPORTED_SUFFIXES: tuple[str, ...] = (
    ".geojson.gz",
    ".json.gz",
    ".csv.gz",
    ".geoparquet",
    ".geojson",
    ".parquet",
    ".json",
    ".zip",
    ".csv",
)
METADATA_SUFFIX = ".meta.json"
METADATA_KEYS = frozenset(
    {"id", "type", "field", "date", "startTime", "endTime", "provider", "leafUserId",
     "property", "encoding", "mapping"}
)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class UnknownOperationError(OperationDataError, LookupError):
    """No operation with the requested id is in the data directory."""


def _data_suffix(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith(METADATA_SUFFIX):
        return None
    for suffix in SUPPORTED_SUFFIXES:
        if lower.endswith(suffix):
            return suffix
    return None


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "operation"


def _iso_mtime(path: Path) -> str:
    stamp = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    return stamp.isoformat(timespec="seconds").replace("+00:00", "Z")


def request_key(payload: Mapping[str, Any]) -> str:
    """Return the SHA-256 hex digest of a JSON payload in canonical form.

    Examples
    --------
    >>> request_key({"b": 1, "a": 2}) == request_key({"a": 2, "b": 1})
    True
    """
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class OperationEntry:
    """One operation of a data directory, before its points are read.

    Attributes
    ----------
    id : str
        The operation id.
    path : Path
        The data file.
    type : str or None
        ``planted``, ``applied``, ``harvested`` or ``tillage``, when known
        without reading the file.
    field_id, start_time, end_time, provider, default_property, encoding
        From the catalog or the metadata file, when given.
    signature : tuple
        The size, modification time, inode number and inode change time of
        the data file and of its metadata and mapping files, part of every
        cache key.
    """

    id: str
    path: Path
    type: str | None = None
    field_id: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    provider: str | None = None
    leaf_user_id: str | None = None
    default_property: str | None = None
    encoding: str | None = None
    mapping: str | None = None
    updated_time: str | None = None
    signature: tuple[Any, ...] = ()


@dataclass(frozen=True)
class CachedImage:
    """A rendered image as the service keeps it.

    Attributes
    ----------
    png : bytes
        The PNG file.
    aux_xml : str
        The GDAL ``.aux.xml`` sidecar.
    digest : str
        SHA-256 of ``png``, checked by :meth:`intact`.
    meta : dict
        What the response to ``POST /images`` reports: extent, basis, legend,
        size, unit.
    """

    png: bytes = field(repr=False)
    aux_xml: str = field(repr=False)
    digest: str
    meta: dict[str, Any]

    @classmethod
    def create(cls, png: bytes, aux_xml: str, meta: Mapping[str, Any]) -> CachedImage:
        """Return an entry whose digest is computed from ``png``."""
        return cls(png, aux_xml, hashlib.sha256(png).hexdigest(), dict(meta))

    def intact(self) -> bool:
        """Return True when the PNG still matches the digest taken when it was stored."""
        return hashlib.sha256(self.png).hexdigest() == self.digest


class LRUCache(Generic[K, V]):
    """A thread-safe least-recently-used cache that computes each key once.

    Concurrent :meth:`get_or_create` calls for one key wait for a single
    computation instead of repeating it; calls for other keys run in parallel.

    Parameters
    ----------
    max_entries : int
        How many values to keep.
    """

    def __init__(self, max_entries: int) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries {max_entries!r} must be at least 1")
        self.max_entries = max_entries
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[K, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: K) -> V | None:
        """Return the value for ``key``, or None."""
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        """Store a value, dropping the least recently used one beyond the limit."""
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.max_entries:
                self._values.popitem(last=False)

    def get_or_create(self, key: K, create: Callable[[], V]) -> V:
        """Return the cached value for ``key``, computing it once if missing."""
        value = self.get(key)
        if value is not None:
            with self._lock:
                self.hits += 1
            return value
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            value = self.get(key)
            if value is not None:
                with self._lock:
                    self.hits += 1
                return value
            with self._lock:
                self.misses += 1
            try:
                value = create()
                self.put(key, value)
            finally:
                with self._lock:
                    self._key_locks.pop(key, None)
            return value

    def values(self) -> list[V]:
        """Return a snapshot of the cached values."""
        with self._lock:
            return list(self._values.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def clear(self) -> None:
        """Drop every value."""
        with self._lock:
            self._values.clear()


class OperationStore:
    """The operations of a data directory, read on demand and cached.

    Parameters
    ----------
    data_dir : path, optional
        A folder of operation files; the bundled samples when omitted.
    max_operations : int, default 8
        How many read operations to keep in memory.
    """

    def __init__(self, data_dir: str | Path | None = None, *, max_operations: int = 8) -> None:
        self.data_dir = Path(data_dir).expanduser().resolve() if data_dir is not None else None
        if self.data_dir is not None and not self.data_dir.is_dir():
            raise OperationDataError(
                f"data directory {str(self.data_dir)!r} is not a folder; give a folder of "
                "operation files, or omit it to serve the bundled samples"
            )
        self._operations: LRUCache[tuple[Any, ...], Any] = LRUCache(max_operations)
        self._types: dict[tuple[Any, ...], str | None] = {}
        self._lock = threading.Lock()

    @property
    def bundled(self) -> bool:
        """True when the store serves the bundled samples."""
        return self.data_dir is None

    # -- listing ----------------------------------------------------------------

    def entries(self) -> list[OperationEntry]:
        """Return every operation of the data directory, sorted by id."""
        if self.data_dir is None:
            entries = self._bundled_entries()
        else:
            entries = self._folder_entries(self.data_dir)
        return sorted(entries, key=lambda entry: entry.id)

    def entry(self, operation_id: str) -> OperationEntry:
        """Return the operation with this id.

        Raises
        ------
        UnknownOperationError
            If no operation has that id.
        """
        entries = self.entries()
        for entry in entries:
            if entry.id == operation_id:
                return entry
        known = ", ".join(repr(entry.id) for entry in entries[:12])
        raise UnknownOperationError(
            f"operation {operation_id!r} not found; known operations: {known or 'none'}"
        )

    def _bundled_entries(self) -> Iterator[OperationEntry]:
        from rampkit.samples import list_samples, sample_dir

        folder = sample_dir()
        for sample in list_samples():
            path = folder / str(sample["file"])
            yield OperationEntry(
                id=str(sample["id"]),
                path=path,
                type=sample.get("type"),
                field_id=sample.get("field"),
                start_time=sample.get("startTime") or sample.get("date"),
                end_time=sample.get("endTime") or sample.get("date"),
                provider=sample.get("provider"),
                default_property=sample.get("property"),
                updated_time=_iso_mtime(path) if path.exists() else None,
                signature=_signature(path),
            )

    def _folder_entries(self, folder: Path) -> Iterator[OperationEntry]:
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or not path.is_file():
                continue
            suffix = _data_suffix(path.name)
            if suffix is None:
                continue
            stem = path.name[: -len(suffix)]
            meta_path = path.with_name(stem + METADATA_SUFFIX)
            meta = self._read_metadata(meta_path)
            # A change to the data, its metadata or its mapping file reads it again.
            watched = [path, meta_path]
            if isinstance(meta.get("mapping"), str) and (folder / meta["mapping"]).is_file():
                watched.append(folder / meta["mapping"])
            yield OperationEntry(
                id=str(meta.get("id") or _slug(stem)),
                path=path,
                type=meta.get("type"),
                field_id=meta.get("field"),
                start_time=meta.get("startTime") or meta.get("date"),
                end_time=meta.get("endTime") or meta.get("date"),
                provider=meta.get("provider"),
                leaf_user_id=meta.get("leafUserId"),
                default_property=meta.get("property"),
                encoding=meta.get("encoding"),
                mapping=meta.get("mapping"),
                updated_time=_iso_mtime(path),
                signature=_signature(*watched),
            )

    @staticmethod
    def _read_metadata(path: Path) -> dict[str, Any]:
        if not path.is_file():
            return {}
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            logger.warning("metadata file %s is ignored: %s", path, exc)
            return {}
        if not isinstance(meta, dict):
            logger.warning("metadata file %s is ignored: it is not a JSON object", path)
            return {}
        unknown = sorted(set(meta) - METADATA_KEYS)
        if unknown:
            logger.warning(
                "metadata file %s has unknown keys %s; known keys: %s",
                path, unknown, ", ".join(sorted(METADATA_KEYS)),
            )
        return {key: meta[key] for key in METADATA_KEYS if meta.get(key) is not None}

    # -- reading ------------------------------------------------------------------

    def operation(self, operation_id: str) -> Any:
        """Return the operation with this id, read from its file (cached).

        Raises
        ------
        UnknownOperationError
            If no operation has that id.
        OperationDataError
            If its file cannot be read.
        """
        entry = self.entry(operation_id)
        return self.operation_for(entry)

    def operation_for(self, entry: OperationEntry) -> Any:
        """Return the operation of an entry, read from its file (cached)."""
        key = (entry.id, entry.signature)
        return self._operations.get_or_create(key, lambda: self._read(entry))

    def operation_type(self, entry: OperationEntry) -> str | None:
        """Return an entry's type, reading the file when no metadata names it."""
        if entry.type:
            return entry.type
        key = (entry.id, entry.signature)
        with self._lock:
            if key in self._types:
                return self._types[key]
        found: str | None
        try:
            found = str(self.operation_for(entry).operation_type)
        except OperationDataError as exc:
            logger.warning("operation %s (%s) cannot be read: %s", entry.id, entry.path, exc)
            found = None
        with self._lock:
            self._types[key] = found
        return found

    def _read(self, entry: OperationEntry) -> Any:
        logger.debug("reading operation %s from %s", entry.id, entry.path)
        if self.data_dir is None:
            from rampkit.samples import load_sample

            return load_sample(entry.id)

        from rampkit.operations import read_operation

        mapping: str | Path | None = entry.mapping
        if mapping is not None and (entry.path.parent / mapping).is_file():
            mapping = entry.path.parent / mapping
        return read_operation(
            entry.path,
            operation_type=entry.type,
            encoding=entry.encoding,
            mapping=mapping,
            operation_id=entry.id,
        )


def _signature(*paths: Path) -> tuple[Any, ...]:
    parts: list[Any] = []
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            parts.append((path.name, None))
            continue
        # Size and mtime alone miss a file replaced by one of the same size within
        # one timestamp tick. A replacement has a new inode, and any write or
        # os.utime call sets st_ctime_ns to the current time. NOTE: a file
        # rewritten in place within one ctime tick of its last change keeps its key.
        parts.append(
            (path.name, stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)
        )
    return tuple(parts)
