"""Render many operations, locally or on a Dask cluster.

:func:`render_batch` renders one property of many operations into one
folder, each as ``<operation id>.png`` with its ``.png.aux.xml`` sidecar and
``.pgw`` world file, plus a ``manifest.json`` that lists every input. Each
image goes through :func:`rampkit.render.render_operation` and
:func:`rampkit.image.write_png`, so it has the bytes ``rampkit render``
writes for the same input and options, whichever scheduler ran it.

Schedulers
    ``None`` renders one input after the other in this process and imports
    no Dask. ``"local"`` starts a ``distributed.LocalCluster`` on 127.0.0.1
    and closes it afterwards. Any other string is the address of a running
    scheduler. A ``distributed.Client`` is used as it is and left open. Each
    task gets an input's path or sample id and reads the file itself, so
    paths and the output folder must name the same files on every worker
    (a shared file system on a real cluster).

Basis
    ``"image"`` (the default) stretches the ramp over each image's own valid
    minimum and maximum. A ``(vmin, vmax)`` pair fixes the range for every
    image. ``"shared"`` first renders every input to find its valid minimum
    and maximum and then renders all of them with the pooled range, so each
    input is read and rendered twice. With a
    fixed or shared basis every map shares one legend, written beside the
    images as ``legend.png``.

A failing input (an unknown property, cleaning that removes every point, an
unreadable file) does not stop the others: its row records the message and
no file is written for it. Every output name is checked before anything is
rendered, so a clash or an existing file stops the batch with nothing written.
With ``overwrite=True`` the batch replaces an earlier one in the folder. Once
every input has succeeded, the images and legend that the earlier manifest
lists and this batch did not write again are deleted. The folder then matches
the new manifest. When an input fails, nothing of the earlier batch is deleted.

``"local"`` starts worker processes, which import the calling script again.
In a script, call :func:`render_batch` under ``if __name__ == "__main__":``;
notebooks and the ``rampkit batch`` command need no guard.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rampkit._atomic import write_atomic
from rampkit.colorize import Basis
from rampkit.errors import ExportExistsError, GridError, RampError, RampkitError
from rampkit.grid import AGGREGATES, normalize_projection
from rampkit.grid import _check_options as check_grid_options
from rampkit.presets import load_ramp
from rampkit.ramp import Ramp

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BATCH_SCHEMA", "BatchResult", "BatchRow", "render_batch"]

logger = logging.getLogger(__name__)

BATCH_SCHEMA = "rampkit.batch/1"
MANIFEST_NAME = "manifest.json"
LEGEND_NAME = "legend.png"
BASIS_CHOICES = ("image", "shared")


@dataclass(frozen=True, slots=True)
class BatchRow:
    """The outcome for one input of a batch.

    Attributes
    ----------
    input : str
        The input as given: a file path or a sample id.
    operation_id : str
        The operation's id, which names its image.
    output : pathlib.Path or None
        The PNG written; None when the input failed.
    width, height : int or None
        The image size in pixels; None when the input failed.
    basis : Basis or None
        The range the ramp's percent stops resolved against; None for an
        absolute ramp or a failed input.
    seconds : float
        Time spent on this input in its tasks, reading included.
    error : str or None
        The error message when the input failed, else None.
    """

    input: str
    operation_id: str
    output: Path | None
    width: int | None
    height: int | None
    basis: Basis | None
    seconds: float
    error: str | None

    @property
    def ok(self) -> bool:
        """True when the image was written."""
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        """Return the row as a JSON-ready dict, the output as a path string."""
        return {
            "input": self.input,
            "operation_id": self.operation_id,
            "output": None if self.output is None else str(self.output),
            "width": self.width,
            "height": self.height,
            "basis": None if self.basis is None else self.basis.to_dict(),
            "seconds": self.seconds,
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class BatchResult:
    """The outcome of :func:`render_batch`: one row per input, in input order.

    Attributes
    ----------
    rows : tuple of BatchRow
    output_dir : pathlib.Path
        The folder that contains the images, the manifest and the legend.
    basis : Basis or None
        The fixed or pooled shared basis; None with per-image bases, or when
        every input failed before the pooled range was known.
    manifest : pathlib.Path
        The ``manifest.json`` written into ``output_dir``.
    legend : pathlib.Path or None
        The ``legend.png`` shared by every image, or None.
    options : dict
        The options every input was rendered with, as in the manifest.
    removed : tuple of pathlib.Path
        Files of an earlier batch in ``output_dir`` that were deleted: with
        ``overwrite=True`` and every input rendered, those this batch did
        not write again.
    unit : str
        The rendered property's unit, or "" when unknown.
    """

    rows: tuple[BatchRow, ...]
    output_dir: Path
    basis: Basis | None
    manifest: Path
    legend: Path | None
    options: dict[str, Any] = field(default_factory=dict)
    removed: tuple[Path, ...] = ()
    unit: str = ""

    @property
    def failed(self) -> tuple[BatchRow, ...]:
        """The rows of inputs that failed."""
        return tuple(row for row in self.rows if row.error is not None)

    @property
    def ok(self) -> bool:
        """True when every input was written."""
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        """Return the manifest document: the schema, the shared options and the rows.

        File names are relative to ``output_dir``, so the folder can move.
        """
        rows = []
        for row in self.rows:
            record = row.to_dict()
            if row.output is not None:
                record["output"] = row.output.name
            rows.append(record)
        return {
            "schema": BATCH_SCHEMA,
            "options": self.options,
            "basis": None if self.basis is None else self.basis.to_dict(),
            "legend": None if self.legend is None else self.legend.name,
            "unit": self.unit,
            "rows": rows,
        }

    def to_dataframe(self) -> pd.DataFrame:
        """Return the rows as a pandas DataFrame, the basis as three columns.

        Columns: ``input``, ``operation_id``, ``output``, ``width``,
        ``height``, ``basis_kind``, ``basis_vmin``, ``basis_vmax``,
        ``seconds`` and ``error``.
        """
        import pandas as pd

        records = []
        for row in self.rows:
            basis = row.basis
            records.append({
                "input": row.input,
                "operation_id": row.operation_id,
                "output": None if row.output is None else str(row.output),
                "width": row.width,
                "height": row.height,
                "basis_kind": None if basis is None else basis.kind,
                "basis_vmin": None if basis is None else basis.vmin,
                "basis_vmax": None if basis is None else basis.vmax,
                "seconds": row.seconds,
                "error": row.error,
            })
        columns = ["input", "operation_id", "output", "width", "height", "basis_kind",
                   "basis_vmin", "basis_vmax", "seconds", "error"]
        frame = pd.DataFrame.from_records(records, columns=columns)
        # Failed rows hold None; nullable integers keep the sizes as integers.
        for name in ("width", "height"):
            frame[name] = frame[name].astype("Int64")
        return frame


# -- tasks ------------------------------------------------------------------------
#
# The task functions run on Dask workers as well as in this process. They take
# only small, picklable arguments and return plain dicts, so nothing large
# travels between the client and the workers.


def _error_text(exc: BaseException) -> str:
    """Return an exception as one line; foreign exceptions keep their class name."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, (RampkitError, OSError)):
        return text
    return f"{type(exc).__name__}: {text}"


def _read_input(source: str, operation_id: str, encoding: str | None) -> Any:
    from rampkit.errors import OperationDataError
    from rampkit.operations import read_operation
    from rampkit.samples import list_samples, load_sample

    path = Path(source)
    if path.is_dir():
        raise OperationDataError(
            f"input {source!r} is a folder; give the operation files inside it or sample ids"
        )
    if path.exists():
        return read_operation(path, encoding=encoding, operation_id=operation_id)
    if source in {entry["id"] for entry in list_samples()}:
        return load_sample(source)
    raise OperationDataError(
        f"input {source!r} is neither a file nor a sample id; give a path or one of "
        + ", ".join(entry["id"] for entry in list_samples())
    )


def _render_input(
    source: str,
    operation_id: str,
    property: str,
    ramp: Ramp,
    options: Mapping[str, Any],
    basis: Basis | None,
) -> Any:
    from rampkit.render import render_operation

    op = _read_input(source, operation_id, options["encoding"])
    return render_operation(
        op,
        property,
        ramp,
        resolution=options["resolution"],
        projection=options["projection"],
        shape=options["shape"],
        basis=basis,
        clean=options["clean"],
        footprint_m=options["footprint_m"],
    )


def _range_task(
    source: str,
    operation_id: str,
    property: str,
    ramp: Ramp,
    options: Mapping[str, Any],
) -> dict[str, Any]:
    """Render one input with its own data basis and return that basis's range."""
    start = time.perf_counter()
    try:
        image = _render_input(source, operation_id, property, ramp, options, None)
    except Exception as exc:
        logger.info("finding the range of input %s failed: %s", source, exc)
        return {"error": _error_text(exc), "seconds": time.perf_counter() - start}
    basis = image.basis
    return {
        "vmin": None if basis is None else basis.vmin,
        "vmax": None if basis is None else basis.vmax,
        "error": None,
        "seconds": time.perf_counter() - start,
    }


def _render_task(
    source: str,
    operation_id: str,
    property: str,
    ramp: Ramp,
    options: Mapping[str, Any],
    basis: Basis | None,
    target: str,
    overwrite: bool,
) -> dict[str, Any]:
    """Render one input, write its PNG and sidecars, and return its row fields."""
    from rampkit.image import write_png

    start = time.perf_counter()
    try:
        image = _render_input(source, operation_id, property, ramp, options, basis)
        written = write_png(image, target, overwrite=overwrite)
    except Exception as exc:
        logger.info("rendering input %s failed: %s", source, exc)
        return {"error": _error_text(exc), "seconds": time.perf_counter() - start}
    return {
        "output": str(written),
        "width": image.width,
        "height": image.height,
        "basis": None if image.basis is None else image.basis.to_dict(),
        "unit": image.unit,
        "property": image.property,
        "error": None,
        "seconds": time.perf_counter() - start,
    }


# -- checks before rendering ------------------------------------------------------


def _parse_basis(basis: str | tuple[float, float] | Basis) -> tuple[str, Basis | None]:
    """Return the basis mode ("image", "shared" or "fixed") and a fixed basis."""
    if isinstance(basis, str):
        if basis not in BASIS_CHOICES:
            raise RampError(
                f"basis {basis!r} is invalid; use 'image' (each image's own range), "
                "'shared' (one pooled range for all images) or a (vmin, vmax) pair"
            )
        return basis, None
    if isinstance(basis, Basis):
        if basis.kind != "fixed":
            raise RampError(
                f"basis {basis!r} is not fixed; a batch takes 'image', 'shared', a "
                "(vmin, vmax) pair or Basis.fixed(vmin, vmax)"
            )
        return "fixed", basis
    try:
        vmin, vmax = basis
    except (TypeError, ValueError):
        raise RampError(
            f"basis {basis!r} is invalid; use 'image', 'shared' or a (vmin, vmax) pair"
        ) from None
    return "fixed", Basis.fixed(vmin, vmax)


def _check_options(
    resolution: float | None, shape: str, footprint_m: float | None
) -> tuple[float | None, str, float | None]:
    """Reject a bad resolution, shape or footprint once, rather than once per input."""
    # The grid's own check, with a stand-in pixel size when none is given.
    checked, shape_key = check_grid_options(
        1.0 if resolution is None else resolution, shape, AGGREGATES[0]
    )
    if footprint_m is not None:
        if isinstance(footprint_m, bool) or not isinstance(footprint_m, (int, float)) or not (
            math.isfinite(footprint_m) and footprint_m > 0
        ):
            raise GridError(
                f"footprint {footprint_m!r} must be a finite number of metres above 0, "
                "for example 12; leave it unset to size each point from its swath"
            )
        footprint_m = float(footprint_m)
    return (None if resolution is None else checked), shape_key, footprint_m


def _operation_id(source: str) -> str:
    """Return the id an input's operation will get, without reading the file."""
    from rampkit.operations import _operation_id as id_from_file_name

    path = Path(source)
    if path.exists():
        return id_from_file_name(path)
    # A sample id, or an input that will fail in its task; either way the
    # text itself is the most useful name to report.
    return source


def _image_files(target: Path) -> tuple[Path, Path, Path]:
    return target, target.with_name(target.name + ".aux.xml"), target.with_suffix(".pgw")


def _plan_targets(
    sources: Sequence[str], output_dir: Path, extra: Iterable[Path], overwrite: bool
) -> list[tuple[str, Path | None, str | None]]:
    """Return ``(operation id, target, early error)`` per input; raise on any clash.

    An input that names neither a file nor a sample id gets its error here
    and no target, so it cannot block or clash with the others.
    """
    from rampkit.samples import list_samples

    sample_ids = {entry["id"] for entry in list_samples()}
    claimed: dict[str, str] = {path.name.casefold(): "the batch itself" for path in extra}
    plan: list[tuple[str, Path | None, str | None]] = []
    for source in sources:
        operation_id = _operation_id(source)
        path = Path(source)
        if path.is_dir():
            plan.append((operation_id, None, (
                f"input {source!r} is a folder; give the operation files inside it or "
                "sample ids"
            )))
            continue
        if not path.exists() and source not in sample_ids:
            plan.append((operation_id, None, (
                f"input {source!r} is neither a file nor a sample id; give a path or one of "
                + ", ".join(sorted(sample_ids))
            )))
            continue
        if not operation_id or operation_id in (".", "..") or "/" in operation_id:
            plan.append((operation_id, None, (
                f"input {source!r} gives no usable operation id to name its image; "
                "rename the file"
            )))
            continue
        target = output_dir / f"{operation_id}.png"
        # Names are compared without case, since two names that differ only in
        # case are one file on macOS and Windows file systems.
        key = target.name.casefold()
        if key in claimed:
            raise ExportExistsError(
                f"input {source!r} and {claimed[key]} would both write {str(target)!r}; "
                "render them into separate output folders or give each input once"
            )
        claimed[key] = f"input {source!r}"
        plan.append((operation_id, target, None))

    if not overwrite:
        targets = [*extra]
        for _, planned, _ in plan:
            if planned is not None:
                targets.extend(_image_files(planned))
        existing = [path for path in targets if path.exists()]
        if existing:
            more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
            raise ExportExistsError(
                f"file {str(existing[0])!r} already exists{more}; pass overwrite=True "
                "(--force on the command line) to replace the batch's files, or choose "
                "another output folder"
            )
    return plan


def _previous_batch_files(folder: Path) -> set[Path]:
    """Return the files that an earlier batch's manifest in ``folder`` lists.

    Only plain names inside ``folder`` count, so a hand-edited manifest can
    never name a file elsewhere. A missing or unreadable manifest lists none.
    """
    try:
        document = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    if not isinstance(document, dict) or document.get("schema") != BATCH_SCHEMA:
        return set()
    rows = document.get("rows")
    if not isinstance(rows, list):
        return set()
    names = [row.get("output") for row in rows if isinstance(row, dict)]
    files: set[Path] = set()
    for name in names:
        if isinstance(name, str) and name.endswith(".png") and Path(name).name == name:
            files.update(_image_files(folder / name))
    if document.get("legend") == LEGEND_NAME:
        files.add(folder / LEGEND_NAME)
    return files


def _check_output_dir(output_dir: Path) -> None:
    if output_dir.exists() and not output_dir.is_dir():
        raise NotADirectoryError(
            f"output {str(output_dir)!r} is not a folder; give a folder for the images"
        )
    if not output_dir.exists() and not output_dir.parent.is_dir():
        raise FileNotFoundError(
            f"the folder {str(output_dir.parent)!r} that would hold output folder "
            f"{output_dir.name!r} does not exist; create it first"
        )


# -- running ----------------------------------------------------------------------


Runner = Callable[[Callable[..., dict[str, Any]], list[tuple[Any, ...]]], list[dict[str, Any]]]


def _run_here(
    function: Callable[..., dict[str, Any]], calls: list[tuple[Any, ...]]
) -> list[dict[str, Any]]:
    return [function(*arguments) for arguments in calls]


def _dask_runner(client: Any) -> Runner:
    def run(
        function: Callable[..., dict[str, Any]], calls: list[tuple[Any, ...]]
    ) -> list[dict[str, Any]]:
        # pure=False gives every call its own task, even for equal arguments.
        futures = [client.submit(function, *arguments, pure=False) for arguments in calls]
        results: list[dict[str, Any]] = []
        for future in futures:
            try:
                results.append(future.result())
            except Exception as exc:
                # A task that dies with its worker raises here, and the others go on.
                logger.warning("task %s failed: %s", future.key, exc)
                results.append({"error": _error_text(exc), "seconds": 0.0})
        return results

    return run


def _with_scheduler(scheduler: Any, work: Callable[[Runner], BatchResult]) -> BatchResult:
    """Run ``work`` with a runner for ``scheduler``, closing what this call opened."""
    if scheduler is None:
        return work(_run_here)
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise RampkitError(
            f"scheduler {scheduler!r} needs dask.distributed, which is not installed; "
            "install rampkit[batch] or render without a scheduler"
        ) from exc
    if isinstance(scheduler, Client):
        return work(_dask_runner(scheduler))
    if not isinstance(scheduler, str) or not scheduler:
        raise TypeError(
            f"scheduler {scheduler!r} is invalid; give None, 'local', a scheduler "
            "address such as 'tcp://127.0.0.1:8786' or a distributed.Client"
        )
    if scheduler == "local":
        # The scheduler serves HTTP even without a dashboard, on port 8787 by
        # default. A free port on 127.0.0.1 keeps it private and never clashes.
        with (
            LocalCluster(  # type: ignore[no-untyped-call]
                host="127.0.0.1", dashboard_address="127.0.0.1:0"
            ) as cluster,
            Client(cluster) as client,  # type: ignore[no-untyped-call]
        ):
            return work(_dask_runner(client))
    try:
        client = Client(scheduler)  # type: ignore[no-untyped-call]
    except (OSError, ValueError) as exc:
        # distributed raises ValueError for an address it cannot parse
        # ('missing port number'), and OSError for one it cannot reach.
        raise OSError(
            f"failed to connect to the Dask scheduler at {scheduler!r} ({_error_text(exc)}); "
            "start it first, check the address, or use scheduler='local'"
        ) from exc
    with client:
        return work(_dask_runner(client))


def render_batch(
    inputs: Iterable[str | os.PathLike[str]],
    property: str,
    output_dir: str | os.PathLike[str],
    *,
    ramp: Ramp | str | os.PathLike[str] = "leaf_standard",
    resolution: float | None = None,
    projection: str = "EPSG:3857",
    shape: str = "ROUND",
    clean: bool | dict[str, Any] = True,
    footprint_m: float | None = None,
    basis: str | tuple[float, float] | Basis = "image",
    encoding: str | None = None,
    overwrite: bool = False,
    scheduler: Any = None,
) -> BatchResult:
    """Render one property of many operations into a folder of georeferenced PNGs.

    Parameters
    ----------
    inputs : iterable of str or path-like
        Operation files (GeoJSON, gzipped GeoJSON, GeoParquet, zipped
        shapefile, CSV) or ids of bundled sample operations. An existing
        file wins over a sample id of the same name.
    property : str
        The numeric property to render, by standard or original column name.
    output_dir : str or path-like
        The folder for the images, ``manifest.json`` and the legend. It is
        created when missing; the folder above it must exist.
    ramp : Ramp, preset name or ramp file, default "leaf_standard"
    resolution, projection, shape, clean, footprint_m
        As in :func:`rampkit.render.render_operation`.
    basis : "image", "shared", (vmin, vmax) or Basis, default "image"
        ``"image"``: each image's own valid range. ``"shared"``: the pooled
        valid range of every image. A pair or ``Basis.fixed``: that range.
    encoding : str, optional
        The text encoding of CSV inputs, as in
        :func:`rampkit.operations.read_operation`.
    overwrite : bool, default False
        Replace existing images, sidecars, manifest and legend.
    scheduler : None, "local", str or distributed.Client, default None
        Where to render; see the module docstring.

    Returns
    -------
    BatchResult

    Raises
    ------
    ExportExistsError
        Before anything is written, when two inputs would write the same
        image, or when a file exists and ``overwrite`` is False.
    RampError, UnknownRampError, GridError
        For a bad basis, ramp, projection, shape, resolution or footprint.
    OSError
        When the output folder cannot be made or the scheduler cannot be reached.
    """
    sources = [os.fspath(item) for item in inputs]
    if not sources:
        raise RampkitError(
            "no inputs to render; give operation files or sample ids"
        )
    if not isinstance(property, str) or not property:
        raise RampkitError(
            f"property {property!r} is invalid; give a property name such as "
            "'dryVolumePerArea'"
        )
    mode, fixed = _parse_basis(basis)
    ramp_object = ramp if isinstance(ramp, Ramp) else load_ramp(ramp)
    crs = normalize_projection(projection)
    resolution, shape_key, footprint_m = _check_options(resolution, shape, footprint_m)
    options: dict[str, Any] = {
        "resolution": resolution,
        "projection": crs,
        "shape": shape_key,
        "clean": clean,
        "footprint_m": footprint_m,
        "encoding": encoding,
    }

    folder = Path(output_dir)
    _check_output_dir(folder)
    writes_legend = mode != "image"
    extra = [folder / MANIFEST_NAME] + ([folder / LEGEND_NAME] if writes_legend else [])
    plan = _plan_targets(sources, folder, extra, overwrite)

    manifest_options = {
        "property": property,
        "ramp": ramp_object.to_dict(),
        **options,
        "basis_mode": mode,
    }

    def work(run: Runner) -> BatchResult:
        return _render_all(
            run, sources, plan, property, ramp_object, options, mode, fixed, folder,
            overwrite, manifest_options,
        )

    return _with_scheduler(scheduler, work)


def _render_all(
    run: Runner,
    sources: list[str],
    plan: list[tuple[str, Path | None, str | None]],
    property: str,
    ramp: Ramp,
    options: dict[str, Any],
    mode: str,
    fixed: Basis | None,
    folder: Path,
    overwrite: bool,
    manifest_options: dict[str, Any],
) -> BatchResult:
    """Run the passes, write the legend and manifest, and build the result."""
    # The folder is made only now, after the checks and the scheduler connection.
    folder.mkdir(exist_ok=True)
    previous = _previous_batch_files(folder) if overwrite else set()
    errors: list[str | None] = [early for _, _, early in plan]
    seconds = [0.0] * len(sources)
    pending = [index for index, error in enumerate(errors) if error is None]

    shared = fixed
    if mode == "shared" and ramp.relative:
        range_calls = [(sources[i], plan[i][0], property, ramp, options) for i in pending]
        ranges = run(_range_task, range_calls)
        lows, highs = [], []
        for index, measured in zip(pending, ranges, strict=True):
            seconds[index] += measured["seconds"]
            if measured["error"] is not None:
                errors[index] = measured["error"]
            elif measured["vmin"] is not None and measured["vmax"] is not None:
                lows.append(measured["vmin"])
                highs.append(measured["vmax"])
        pending = [index for index in pending if errors[index] is None]
        shared = Basis.fixed(min(lows), max(highs)) if lows else None
        logger.info("shared basis of %d images: %s", len(lows), shared)

    calls = [
        (sources[i], plan[i][0], property, ramp, options, shared, str(plan[i][1]), overwrite)
        for i in pending
    ]
    rendered = dict(zip(pending, run(_render_task, calls), strict=True))

    rows: list[BatchRow] = []
    unit: str | None = None
    title = property
    for index, source in enumerate(sources):
        found = rendered.get(index)
        if found is not None:
            seconds[index] += found["seconds"]
            errors[index] = found["error"]
        if found is None or found["error"] is not None:
            rows.append(BatchRow(source, plan[index][0], None, None, None, None,
                                 seconds[index], errors[index]))
            logger.info("failed %s: %s", source, errors[index])
            continue
        row_basis = Basis.from_dict(found["basis"]) if found["basis"] else None
        rows.append(BatchRow(source, plan[index][0], Path(found["output"]), found["width"],
                             found["height"], row_basis, seconds[index], None))
        if unit is None:
            unit, title = found["unit"], found["property"] or property
        logger.info("wrote %s in %.2f s", found["output"], seconds[index])

    legend_path: Path | None = None
    if mode != "image" and any(row.ok for row in rows):
        from rampkit.legend import continuous_legend

        legend = continuous_legend(ramp, shared, unit=unit or "", title=title)
        legend_path = write_atomic(folder / LEGEND_NAME, legend.to_png(), overwrite=overwrite)

    # An earlier batch's images and legend that this batch did not write again
    # would sit beside the new manifest as if they belonged to it, for example
    # a shared legend beside maps that now each have their own range.
    # Only a batch in which every input succeeded replaces the earlier one, so
    # a mistyped property never costs the earlier images. Names are compared
    # without case, as the clash check does: on macOS and Windows file systems
    # 'Field.png' and 'field.png' are one file, which this batch just wrote.
    written = {MANIFEST_NAME.casefold()}
    if legend_path is not None:
        written.add(LEGEND_NAME.casefold())
    for row in rows:
        if row.output is not None:
            written.update(path.name.casefold() for path in _image_files(row.output))
    stale: list[Path] = []
    if all(row.ok for row in rows):
        stale = sorted(
            path for path in previous
            if path.name.casefold() not in written and path.is_file()
        )

    result = BatchResult(
        rows=tuple(rows),
        output_dir=folder,
        basis=shared,
        manifest=folder / MANIFEST_NAME,
        legend=legend_path,
        options=manifest_options,
        removed=tuple(stale),
        unit=unit or "",
    )
    write_atomic(result.manifest, json.dumps(result.to_dict(), indent=2) + "\n",
                 overwrite=overwrite)
    for path in stale:
        path.unlink(missing_ok=True)
        logger.info("removed %s of the earlier batch", path)
    return result
