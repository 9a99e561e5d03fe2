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
import tempfile
from pathlib import Path

from rampkit.errors import ExportExistsError

__all__ = ["write_atomic"]

logger = logging.getLogger(__name__)


def _umask() -> int:
    # os.umask can only be read by setting it; set it back at once.
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _exists_error(path: Path) -> ExportExistsError:
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
        raise _exists_error(target)

    # The temporary file lives beside the target, so the final rename stays
    # on one file system and is atomic.
    handle, temp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp creates the file readable by its owner only; give it the
        # permissions an ordinary open() would.
        os.chmod(temp, 0o666 & ~_umask())
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
        raise _exists_error(target) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV):
            raise
        # NOTE: without hard links another process could create the target
        # between this check and the rename, which would then replace it.
        if target.exists():
            raise _exists_error(target) from None
        os.replace(temp, target)
        return
    temp.unlink()
