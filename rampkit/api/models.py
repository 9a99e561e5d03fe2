"""Request and response models of the images API, as pydantic models.

The field names are the API's own (camelCase), so a model dumps to the JSON
the real service and the local service exchange. Validation messages name the
field and the rejected value; the local service turns them into problem JSON.

Accepted values the public documentation leaves open (decided for rampkit):

- ``projection``: ``EPSG_3857``, ``EPSG:3857``, ``EPSG_4326`` or
  ``EPSG:4326``; normalized to the colon form.
- ``shape``: ``ROUND`` or ``SQUARE``, in any letter case.
- the data: exactly one of ``operationId``, ``fileId`` or an inline
  ``geojson`` FeatureCollection.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from rampkit._text import short_repr
from rampkit.colorize import Basis
from rampkit.errors import FormatError, RampError
from rampkit.formats.api import from_color_ramp
from rampkit.ramp import Ramp

__all__ = [
    "OPERATION_TYPES",
    "PROJECTIONS",
    "SHAPES",
    "Extent",
    "FieldCoverage",
    "ImageRequest",
    "ImageResponse",
    "OperationRecord",
    "Problem",
    "V1Image",
    "V2Image",
    "normalize_projection",
]

# Every spelling of a projection the requests may use, mapped to the CRS name.
PROJECTIONS: dict[str, str] = {
    "EPSG_3857": "EPSG:3857",
    "EPSG:3857": "EPSG:3857",
    "EPSG_4326": "EPSG:4326",
    "EPSG:4326": "EPSG:4326",
}
SHAPES: tuple[str, ...] = ("ROUND", "SQUARE")
OPERATION_TYPES: tuple[str, ...] = ("planted", "applied", "harvested", "tillage")



def normalize_projection(value: object) -> str:
    """Return the CRS name (``"EPSG:3857"``) of an accepted projection spelling.

    Raises
    ------
    ValueError
        If the spelling is not one of :data:`PROJECTIONS`.

    Examples
    --------
    >>> normalize_projection("EPSG_3857")
    'EPSG:3857'
    """
    key = value.strip().upper() if isinstance(value, str) else value
    if not isinstance(key, str) or key not in PROJECTIONS:
        raise ValueError(
            f"projection {short_repr(value)} is not supported; use one of "
            + ", ".join(PROJECTIONS)
        )
    return PROJECTIONS[key]


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid", frozen=True)


class ImageRequest(_Model):
    """The body of ``POST /services/images/api/images``.

    ``colorRamp``, ``projection``, ``resolution`` and ``shape`` are the
    documented fields. ``operationId``, ``fileId``, ``geojson``,
    ``property``, ``interpolation`` and ``basis`` are rampkit's additions:
    the documented body names neither the data nor the property.
    """

    color_ramp: dict[str, Any] = Field(alias="colorRamp")
    projection: str = "EPSG:3857"
    resolution: float = 1.0
    shape: str = "ROUND"
    operation_id: str | None = Field(default=None, alias="operationId")
    file_id: str | None = Field(default=None, alias="fileId")
    geojson: dict[str, Any] | None = None
    property_name: str | None = Field(default=None, alias="property")
    interpolation: Literal["linear", "nearest", "exact", "discrete"] | None = None
    basis: dict[str, Any] | str | None = None

    @field_validator("projection", mode="before")
    @classmethod
    def _check_projection(cls, value: object) -> str:
        return normalize_projection(value)

    @field_validator("resolution")
    @classmethod
    def _check_resolution(cls, value: float) -> float:
        if not math.isfinite(value) or value <= 0:
            raise ValueError(
                f"resolution {value!r} is not a positive number; give the pixel size in "
                "CRS units (metres for EPSG:3857, degrees for EPSG:4326), such as 1"
            )
        return value

    @field_validator("shape", mode="before")
    @classmethod
    def _check_shape(cls, value: object) -> str:
        if not isinstance(value, str) or value.strip().upper() not in SHAPES:
            raise ValueError(f"shape {short_repr(value)} is not supported; use ROUND or SQUARE")
        return value.strip().upper()

    @field_validator("color_ramp")
    @classmethod
    def _check_color_ramp(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            from_color_ramp(value)
        except (FormatError, RampError) as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("basis")
    @classmethod
    def _check_basis(cls, value: dict[str, Any] | str | None) -> dict[str, Any] | str | None:
        if value is None or value == "data":
            return value
        if isinstance(value, str):
            raise ValueError(
                f"basis {value!r} is not understood; use \"data\" or an object such as "
                '{"kind": "fixed", "vmin": 0, "vmax": 250}'
            )
        try:
            Basis.from_dict(value)
        except (TypeError, RampError) as exc:
            raise ValueError(f"basis {short_repr(value)} is invalid: {exc}") from None
        return value

    @model_validator(mode="after")
    def _check_source(self) -> ImageRequest:
        given = [
            name
            for name, value in (
                ("operationId", self.operation_id),
                ("fileId", self.file_id),
                ("geojson", self.geojson),
            )
            if value is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of operationId, fileId or geojson, got "
                + (", ".join(given) if given else "none")
            )
        return self

    @property
    def source_id(self) -> str | None:
        """The operation id or file id the request names, if any."""
        return self.operation_id or self.file_id

    def ramp(self) -> Ramp:
        """Return the requested ramp, in the requested interpolation mode."""
        return from_color_ramp(self.color_ramp, mode=self.interpolation or "linear")

    def basis_spec(self) -> Basis | None:
        """Return the requested percent basis; None means the data's range."""
        if self.basis is None or self.basis == "data" or isinstance(self.basis, str):
            return None
        return Basis.from_dict(self.basis)


class Extent(_Model):
    """Where an image lies: its bounds in its CRS and as latitude and longitude."""

    crs: str
    xmin: float
    ymin: float
    xmax: float
    ymax: float
    latlon_bounds: list[list[float]] = Field(
        alias="latlonBounds", description="[[south, west], [north, east]] in degrees"
    )


class ImageResponse(_Model):
    """The local service's answer to ``POST /images`` (201 Created)."""

    id: str
    property_name: str = Field(alias="property")
    unit: str | None = None
    url: str
    download_url: str = Field(alias="downloadUrl")
    aux_xml_url: str = Field(alias="auxXmlUrl")
    width: int
    height: int
    projection: str
    resolution: float
    shape: str
    extent: Extent
    basis: dict[str, Any]
    legend: dict[str, Any]
    color_ramp: dict[str, Any] = Field(alias="colorRamp")
    interpolation: str = "linear"


class V1Image(_Model):
    """One entry of ``GET /operations/{id}/images``."""

    property_name: str = Field(alias="property")
    ramp: dict[str, Any]
    url: str
    download_url: str = Field(alias="downloadUrl")


class V2Image(_Model):
    """One entry of ``GET /operations/{id}/imagesV2``: 7 quantile classes."""

    property_name: str = Field(alias="property")
    legend: dict[str, Any]
    extent: dict[str, float]
    url: str
    download_url: str = Field(alias="downloadUrl")


class FieldCoverage(_Model):
    """A field an operation covers."""

    id: str
    coverage: float | None = None


class OperationRecord(_Model):
    """One operation as ``GET /operations`` and ``GET /operations/{id}`` return it."""

    model_config = ConfigDict(populate_by_name=True, extra="allow", frozen=True)

    id: str
    api_owner_username: str = Field(default="local", alias="apiOwnerUsername")
    leaf_user_id: str = Field(default="local-user", alias="leafUserId")
    start_time: str | None = Field(default=None, alias="startTime")
    end_time: str | None = Field(default=None, alias="endTime")
    updated_time: str | None = Field(default=None, alias="updatedTime")
    type: str | None = None
    files: list[str] = Field(default_factory=list)
    fields: list[FieldCoverage] = Field(default_factory=list)
    providers: list[str] = Field(default_factory=list)


class Problem(_Model):
    """An error in the API's problem JSON shape."""

    type: str = "about:blank"
    title: str
    status: int
    message: str
    error_key: str | None = Field(default=None, alias="errorKey")
    path: str | None = None
