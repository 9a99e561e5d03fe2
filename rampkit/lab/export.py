"""The export panel: write the ramp to a file, or send it to the images API.

Saving goes through :func:`rampkit.formats.write_ramp`, so the panel offers
exactly the formats rampkit can write, and it raises instead of overwriting a
file unless *overwrite* is ticked. Sending posts the ramp with
``POST /images`` for the same operation and property, and shows the image the
service returns beside the one rendered here. The local service renders with
the same code, so the two agree pixel for pixel.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import traitlets

from rampkit.colorize import Basis
from rampkit.errors import RampkitError
from rampkit.presets import get_ramp
from rampkit.ramp import Ramp

__all__ = ["ExportPanel"]

logger = logging.getLogger(__name__)


def _formats() -> list[str]:
    from rampkit.formats import FORMATS

    return [name for name, spec in FORMATS.items() if spec.writer is not None]


def _extension(format_name: str) -> str:
    from rampkit.formats import FORMATS

    extensions = FORMATS[format_name].extensions
    return extensions[0] if extensions else f".{format_name}"


class ExportPanel(widgets.VBox):
    """Save the ramp in a chosen format, or render it with the images API.

    Parameters
    ----------
    ramp : Ramp or str, default "yield"
        The ramp to export, or a preset name.
    client : ImagesClient, optional
        The API client for *send*; without one the send button is disabled.
    operation_id, property : str, optional
        What the API should paint.
    resolution : float, default 5.0
        Pixel size for the API image, in CRS units.
    projection : str, default "EPSG:3857"
        The API image's projection.
    basis : Basis, optional
        The basis written into formats that carry one, and sent to the API.
    directory : path, default "."
        Where files are saved when the file name has no folder.
    local_png : bytes, optional
        The PNG rendered here, shown beside the API's.

    Attributes
    ----------
    saved : list of Path
        Files written so far.
    api_image : CreatedImage or None
        The last image the images API returned.
    """

    ramp = traitlets.Instance(Ramp, help="The ramp to export.")

    def __init__(
        self,
        ramp: Ramp | str = "yield",
        *,
        client: Any = None,
        operation_id: str | None = None,
        property: str | None = None,
        resolution: float = 5.0,
        projection: str = "EPSG:3857",
        basis: Basis | None = None,
        directory: str | Path = ".",
        local_png: bytes = b"",
    ) -> None:
        self.client = client
        self.operation_id = operation_id
        self.property = property
        self.resolution = resolution
        self.projection = projection
        self.basis = basis
        self.directory = Path(directory)
        self.saved: list[Path] = []
        self.api_image: Any = None

        formats = _formats()
        self.format = widgets.Dropdown(options=formats, description="format")
        self.filename = widgets.Text(description="file", layout=widgets.Layout(width="320px"))
        self.overwrite = widgets.Checkbox(value=False, description="overwrite", indent=False)
        self.lossy = widgets.Checkbox(
            value=False, description="allow lossy", indent=False,
            tooltip="write formats that cannot hold every part of the ramp",
        )
        self.save_button = widgets.Button(description="save", icon="save")
        self.send_button = widgets.Button(
            description="send to images API", icon="cloud-upload", disabled=client is None
        )
        self.status = widgets.HTML()
        self.local_image = widgets.Image(format="png", layout=self._image_layout())
        # Hidden until the API returns an image, so no empty frame shows.
        self.remote_image = widgets.Image(format="png", layout=self._image_layout("none"))
        if local_png:
            self.local_image.value = local_png
        images = widgets.HBox([
            widgets.VBox([widgets.HTML("<b>rendered here</b>"), self.local_image]),
            widgets.VBox([widgets.HTML("<b>images API</b>"), self.remote_image]),
        ])

        self.format.observe(self._on_format, names="value")
        self.save_button.on_click(lambda _: self._report(self.save))
        self.send_button.on_click(lambda _: self._report(self.send))

        start = get_ramp(ramp) if isinstance(ramp, str) else ramp
        super().__init__(
            [
                widgets.HBox([self.format, self.filename]),
                widgets.HBox([self.overwrite, self.lossy, self.save_button, self.send_button]),
                self.status,
                images,
            ],
            ramp=start,
        )
        self.add_class("rampkit-export")
        self._on_format({"new": self.format.value})

    @staticmethod
    def _image_layout(display: str | None = None) -> widgets.Layout:
        return widgets.Layout(
            max_width="220px", max_height="220px", object_fit="contain", display=display
        )

    def _on_format(self, change: dict[str, Any]) -> None:
        if change["new"] is None:
            return
        stem = self.ramp.name or "ramp"
        self.filename.value = f"{stem}{_extension(change['new'])}"

    def _report(self, action: Any) -> None:
        try:
            action()
        except (RampkitError, OSError) as exc:
            logger.info("export failed: %s", exc)
            self.status.value = f"<span class='rampkit-error'>{html.escape(str(exc))}</span>"

    def save(self, path: str | Path | None = None, *, format: str | None = None) -> Path:
        """Write the ramp to a file and return its path.

        Parameters
        ----------
        path : path, optional
            The file; default the file box, inside ``directory``.
        format : str, optional
            One of :data:`rampkit.formats.FORMATS`; default the dropdown.

        Raises
        ------
        ExportExistsError
            If the file exists and *overwrite* is not ticked.
        LossyConversionError
            If the format cannot hold part of the ramp and *allow lossy* is
            not ticked.
        """
        from rampkit.formats import FORMATS, write_ramp

        format = self.format.value if format is None else format
        target = Path(self.filename.value if path is None else path)
        if not target.is_absolute() and target.parent == Path("."):
            target = self.directory / target
        # Formats that describe an API request also take what to render.
        known = {
            "projection": self.projection, "resolution": self.resolution,
            "operation_id": self.operation_id, "property": self.property,
        }
        options = {
            name: value for name, value in known.items()
            if name in FORMATS[format].options and value is not None
        }
        written_path = Path(write_ramp(
            self.ramp, target, format=format, overwrite=self.overwrite.value,
            lossy=self.lossy.value, basis=self.basis, **options,
        ))
        self.saved.append(written_path)
        self.status.value = f"saved {html.escape(format)} to {html.escape(str(written_path))}"
        return written_path

    def send(self) -> Any:
        """Render the ramp with the images API and show the image it returns.

        Returns
        -------
        CreatedImage
            The service's image with its URL, extent and legend.

        Raises
        ------
        RampkitError
            If the panel has no client or no operation to paint.
        """
        if self.client is None or self.operation_id is None:
            raise RampkitError(
                "cannot send the ramp: the export panel has no API client or operation; "
                "pass client= and operation_id= to ExportPanel"
            )
        image = self.client.create_image(
            self.ramp,
            operation_id=self.operation_id,
            property=self.property,
            projection=self.projection,
            resolution=self.resolution,
            basis=self.basis,
        )
        self.api_image = image
        self.remote_image.value = image.png
        self.remote_image.layout.display = None
        self.status.value = (
            f"images API returned {image.width}x{image.height} px at "
            f"{html.escape(image.url)}"
        )
        return image
