"""Ramp readers and writers for other tools' formats."""

from __future__ import annotations

import json
import os
from pathlib import Path

from rampkit.errors import FormatError
from rampkit.ramp import Ramp

__all__ = ["read_ramp"]


def read_ramp(path: str | os.PathLike[str]) -> Ramp:
    """Read a ramp file, choosing the format from its name and content."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        from rampkit.formats.api import loads_color_ramp

        data = json.loads(text)
        if isinstance(data, dict) and "stops" in data:
            return Ramp.from_dict(data)
        return loads_color_ramp(text)
    if path.suffix.lower() in (".txt", ".clr", ".cpt"):
        from rampkit.formats.gdaldem import loads_gdaldem

        return loads_gdaldem(text)
    raise FormatError(f"cannot tell the format of {str(path)!r} from its name")
