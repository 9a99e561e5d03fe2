"""Text helpers for error messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean", "short_repr"]


def short_repr(value: object, limit: int = 80) -> str:
    """Return ``repr(value)``, cut to ``limit`` characters with a trailing ``...``.

    Examples
    --------
    >>> short_repr("x" * 100, limit=10)
    "'xxxxxx..."
    """
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def did_you_mean(
    name: str, candidates: Iterable[str], *, n: int = 3, cutoff: float = 0.6
) -> str:
    """Return `` (did you mean 'a' or 'b'?)`` for close candidates, else ``""``.

    Matching ignores case, because names arrive in every case, and the
    suggestions keep the candidates' own spelling.

    Examples
    --------
    >>> did_you_mean("yeild", ["yield", "moisture"])
    " (did you mean 'yield'?)"
    >>> did_you_mean("Yield", ["yield"])
    " (did you mean 'yield'?)"
    >>> did_you_mean("zzz", ["yield"])
    ''
    """
    spelled = {candidate.lower(): candidate for candidate in candidates}
    close = difflib.get_close_matches(name.lower(), list(spelled), n=n, cutoff=cutoff)
    if not close:
        return ""
    return f" (did you mean {' or '.join(repr(spelled[match]) for match in close)}?)"
