"""The bundled sample operations: six real machine data sets.

The files and their catalog (``operations.json``) live in the repository's
``data/`` folder and, in an installed wheel, in ``rampkit/_data``. The
catalog gives each sample an id, type, field, date, crop, file and default
property. ``SOURCES.md`` beside it records where each file comes from and
its licence.
"""

from __future__ import annotations

import copy
import functools
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from rampkit.errors import OperationDataError
from rampkit.operations import Operation, read_operation

__all__ = ["list_samples", "load_sample", "sample_dir", "sample_path"]

CATALOG = "operations.json"


def sample_dir() -> Path:
    """Return the folder that contains the sample files and their catalog.

    An installed wheel carries them in ``rampkit/_data``; a source checkout
    has them in ``data/`` at the repository root.

    Raises
    ------
    OperationDataError
        When neither folder has the catalog.
    """
    package = Path(__file__).resolve().parent
    for candidate in (package / "_data", package.parent / "data"):
        if (candidate / CATALOG).is_file():
            return candidate
    raise OperationDataError(
        f"sample catalog {CATALOG!r} is in neither {str(package / '_data')!r} nor "
        f"{str(package.parent / 'data')!r}; reinstall rampkit or run from a source checkout"
    )


@functools.lru_cache(maxsize=1)
def _catalog() -> tuple[dict[str, Any], ...]:
    document = json.loads((sample_dir() / CATALOG).read_text(encoding="utf-8"))
    return tuple(document["operations"])


def list_samples() -> list[dict[str, Any]]:
    """Return the catalog entries of the sample operations.

    Each entry has ``id``, ``type``, ``field``, ``date``, ``startTime``,
    ``endTime``, ``crop``, ``file``, ``property`` (the one to show first),
    ``points`` and ``licence``.

    Examples
    --------
    >>> [entry["id"] for entry in list_samples()][:2]
    ['field-1-2018-harvest-winter-wheat', 'field-1-2018-applied-urea']
    """
    return copy.deepcopy(list(_catalog()))


def _entry(operation_id: str) -> dict[str, Any]:
    for entry in _catalog():
        if entry["id"] == operation_id:
            return entry
    known = ", ".join(entry["id"] for entry in _catalog())
    raise OperationDataError(
        f"sample operation {operation_id!r} does not exist; known samples: {known}"
    )


def sample_path(operation_id: str) -> Path:
    """Return the file of a sample operation."""
    return sample_dir() / str(_entry(operation_id)["file"])


@functools.lru_cache(maxsize=8)
def load_sample(operation_id: str) -> Operation:
    """Read a sample operation, normalized, with its catalog metadata.

    Operations are immutable, so repeated calls return the same cached object.

    Raises
    ------
    OperationDataError
        When no sample has that id.
    """
    entry = _entry(operation_id)
    op = read_operation(
        sample_dir() / entry["file"],
        operation_type=entry["type"],
        operation_id=operation_id,
    )
    metadata = dict(op.metadata)
    for key in ("field", "date", "startTime", "endTime", "crop"):
        if entry.get(key) is not None:
            metadata[key] = entry[key]
    metadata["property"] = entry["property"]
    return replace(op, metadata=metadata)
