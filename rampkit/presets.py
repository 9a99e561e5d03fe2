"""Built-in and user ramps, looked up by name.

Built-in ramps are ``rampkit.ramp/1`` JSON files in ``rampkit/ramps/``, so
they are data, not code. A directory named by the ``RAMPKIT_RAMP_DIR``
environment variable adds the ramp files in it, in any format that
:func:`rampkit.formats.read_ramp` recognises by file name (a rampkit ramp
document, a ``colorRamp`` JSON, a gdaldem or QGIS color file, a QML or SLD
style). The folder is read when a registry is created, not at import. Each
user ramp is named after its file, without the suffixes (``disc.sld`` and
``disc.ramp.json`` are both ``disc``). A file that cannot be read, or whose
name a built-in ramp or an earlier file already has, is skipped with a
warning, so one bad file never hides the other ramps. Any name with the
suffix ``_r`` gives the reversed ramp, as in matplotlib and cmocean.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path

from rampkit._text import did_you_mean
from rampkit._warnings import warn_at_caller
from rampkit.errors import RampError, RampkitError, RampkitWarning, UnknownRampError
from rampkit.ramp import Ramp

logger = logging.getLogger(__name__)

__all__ = ["RampRegistry", "get_ramp", "load_ramp", "registry"]

_REVERSED = "_r"


def _read_json(path: Path | resources.abc.Traversable) -> Ramp:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RampError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    try:
        ramp = Ramp.from_dict(document)
    except RampError as exc:
        raise RampError(f"{path}: {exc}") from None
    if not ramp.name:
        ramp = ramp.with_name(Path(str(path)).stem)
    return ramp


def _user_ramp_name(path: Path) -> str:
    """Return a file's name without its format suffixes ('disc.ramp.json' -> 'disc')."""
    return path.name.split(".", 1)[0]


def _read_user_dir(folder: Path, *, taken: set[str]) -> dict[str, Ramp]:
    """Read every ramp file in ``folder``, warning about those that fail or clash."""
    from rampkit.formats import read_ramp

    if not folder.is_dir():
        warn_at_caller(
            f"RAMPKIT_RAMP_DIR {str(folder)!r} is not a folder, so no user ramps were "
            "read; point it at a folder of ramp files or unset it",
            RampkitWarning,
        )
        return {}
    ramps: dict[str, Ramp] = {}
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        try:
            ramp = read_ramp(path)
        except (RampkitError, OSError, UnicodeDecodeError) as exc:
            reason = str(exc) if str(path) in str(exc) else f"{str(path)!r}: {exc}"
            warn_at_caller(
                f"skipped a user ramp file in RAMPKIT_RAMP_DIR, {reason}; fix or remove it",
                RampkitWarning,
            )
            continue
        name = _user_ramp_name(path)
        if name in taken or name in ramps:
            owner = "a built-in ramp" if name in taken else "another file in the folder"
            warn_at_caller(
                f"skipped user ramp file {str(path)!r}: {owner} is already called {name!r}; "
                "rename the file",
                RampkitWarning,
            )
            continue
        logger.debug("read user ramp %r from %s", name, path)
        ramps[name] = ramp.with_name(name, ramp.description or f"user ramp from {path.name}")
    return ramps


class RampRegistry(Mapping[str, Ramp]):
    """An immutable mapping of ramp names to ramps.

    Parameters
    ----------
    ramps : mapping of str to Ramp, optional
        The ramps to hold; by default the built-ins plus ``RAMPKIT_RAMP_DIR``.

    Examples
    --------
    >>> presets = RampRegistry()
    >>> presets["leaf_standard"].keys()[:3]
    ('0%', '35%', '45%')
    >>> presets["yield_r"].colors[0] == presets["yield"].colors[-1]
    True
    """

    def __init__(self, ramps: Mapping[str, Ramp] | None = None) -> None:
        if ramps is None:
            ramps = self._defaults()
        self._ramps: dict[str, Ramp] = dict(sorted(ramps.items()))

    @staticmethod
    def _defaults() -> dict[str, Ramp]:
        ramps: dict[str, Ramp] = {}
        for entry in resources.files("rampkit").joinpath("ramps").iterdir():
            if entry.name.endswith(".json"):
                ramp = _read_json(entry)
                ramps[ramp.name] = ramp
        user_dir = os.environ.get("RAMPKIT_RAMP_DIR")
        if user_dir:
            ramps.update(_read_user_dir(Path(user_dir), taken=set(ramps)))
        return ramps

    def __getitem__(self, name: str) -> Ramp:
        if name in self._ramps:
            return self._ramps[name]
        if name.endswith(_REVERSED) and name[: -len(_REVERSED)] in self._ramps:
            base = self._ramps[name[: -len(_REVERSED)]]
            return base.reversed().with_name(name, f"{base.description} (reversed)")
        known = ", ".join(repr(n) for n in self._ramps)
        # Close matches ignore case, so 'Yield' suggests 'yield'; reversed
        # names are suggested only for a name that ends in '_r'.
        reversed_name = name.lower().endswith(_REVERSED)
        names = [f"{n}{_REVERSED}" if reversed_name else n for n in self._ramps]
        suggestion = did_you_mean(name, names)
        raise UnknownRampError(
            f"unknown ramp {name!r}{suggestion}; known ramps: {known} (add '_r' to reverse "
            "one); add one with RampRegistry.register() or a ramp file in the folder "
            "that RAMPKIT_RAMP_DIR names"
        )

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        return name in self._ramps or (
            name.endswith(_REVERSED) and name[: -len(_REVERSED)] in self._ramps
        )

    def __iter__(self) -> Iterator[str]:
        return iter(self._ramps)

    def __len__(self) -> int:
        return len(self._ramps)

    def register(
        self, ramp: Ramp, *, name: str | None = None, overwrite: bool = False
    ) -> RampRegistry:
        """Return a new registry that also holds ``ramp``.

        Raises
        ------
        RampError
            If the ramp has no name, or the name is taken and ``overwrite`` is
            False.
        """
        key = name or ramp.name
        if not key:
            raise RampError("cannot register a ramp without a name; pass name='my_ramp'")
        if key in self._ramps and not overwrite:
            raise RampError(
                f"a ramp named {key!r} is already registered; pass overwrite=True to replace it"
            )
        named = ramp if ramp.name == key else ramp.with_name(key)
        return RampRegistry({**self._ramps, key: named})


def registry() -> RampRegistry:
    """Return a registry of the built-in ramps and those in ``RAMPKIT_RAMP_DIR``."""
    return RampRegistry()


def get_ramp(name: str) -> Ramp:
    """Return the built-in or user ramp called ``name`` (``_r`` reverses it)."""
    return RampRegistry()[name]


def load_ramp(name_or_path: str | os.PathLike[str]) -> Ramp:
    """Return a ramp by preset name, or read it from a ramp file.

    Files are read by :func:`rampkit.formats.read_ramp`, which recognises
    the formats by file name.
    """
    path = Path(name_or_path)
    if path.suffix and path.exists():
        from rampkit.formats import read_ramp

        return read_ramp(path)
    text = str(name_or_path)
    presets = RampRegistry()
    if text in presets:
        return presets[text]
    if path.suffix:
        raise UnknownRampError(
            f"ramp file {text!r} does not exist, and no preset has that name; "
            f"check the path, or use one of: {', '.join(presets)}"
        )
    return presets[text]
