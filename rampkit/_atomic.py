"""Atomic file writes that never replace a file without permission.

The whole content is written to a temporary file in the target's directory
and then moved into place, so a reader sees either the old file or the
complete new one, never a partial write. Without ``overwrite`` the move is
``os.link``, which fails when the target exists, so no file that appeared
after an existence check is ever replaced. On a file system without hard
links the move falls back to a check followed by ``os.replace``.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import secrets
from pathlib import Path

from rampkit.errors import ExportExistsError

__all__ = ["create_temporary", "exists_error", "write_atomic"]

logger = logging.getLogger(__name__)


def create_temporary(target: Path) -> Path:
    """Create an empty file beside ``target`` with mode 0666 less the umask.

    ``tempfile.mkstemp`` would create it with mode 0600 whatever the umask,
    and the rename would carry that mode to the output. The file lives in
    the target's folder, so the final rename stays on one file system.
    """
    while True:
        name = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            handle = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(handle)
        return name


def exists_error(path: Path) -> ExportExistsError:
    """Return the error for a target that exists and may not be replaced."""
    return ExportExistsError(
        f"file {str(path)!r} already exists; pass overwrite=True (--force on the "
        "command line) to replace it, or choose another file name"
    )


def write_atomic(
    path: str | os.PathLike[str], content: str | bytes, *, overwrite: bool = False
) -> Path:
    r"""Write ``content`` to ``path`` in one step.

    Parameters
    ----------
    path : str or os.PathLike
        The target file. Its directory must exist.
    content : str or bytes
        Text is encoded as UTF-8 with ``\n`` line endings.
    overwrite : bool, default False
        Replace an existing file. When False an existing target is left as
        it was and :class:`~rampkit.errors.ExportExistsError` is raised.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ExportExistsError
        If the target exists and ``overwrite`` is False.
    OSError
        If the directory is missing or not writable. No temporary file is
        left behind.
    """
    target = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    if not overwrite and target.exists():
        raise exists_error(target)

    temp = create_temporary(target)
    try:
        with open(temp, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if overwrite:
            os.replace(temp, target)
        else:
            _move_without_replacing(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    logger.debug("wrote %d bytes to %s", len(data), target)
    return target


def _move_without_replacing(temp: Path, target: Path) -> None:
    try:
        os.link(temp, target)
    except FileExistsError:
        raise exists_error(target) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV):
            raise
        # NOTE: without hard links another process could create the target
        # between this check and the rename, which would then replace it.
        if target.exists():
            raise exists_error(target) from None
        os.replace(temp, target)
        return
    temp.unlink()
