"""Text helpers for error messages."""

from __future__ import annotations

__all__ = ["short_repr"]


def short_repr(value: object, limit: int = 80) -> str:
    """Return ``repr(value)``, cut to ``limit`` characters with a trailing ``...``.

    Examples
    --------
    >>> short_repr("x" * 100, limit=10)
    "'xxxxxx..."
    """
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
