"""Text helpers for error messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

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
    name: str,
    candidates: Iterable[str],
    *,
    n: int = 3,
    cutoff: float = 0.6,
    suggest: Mapping[str, str] | None = None,
) -> str:
    """Return `` (did you mean 'a' or 'b'?)`` for close candidates, else ``""``.

    Matching ignores case, because names arrive in every case, and the
    suggestions keep the candidates' own spelling. ``suggest`` maps a
    candidate to the name to offer instead, such as a file's column name to
    the standard name it was renamed to. Repeated suggestions appear once.

    Examples
    --------
    >>> did_you_mean("yeild", ["yield", "moisture"])
    " (did you mean 'yield'?)"
    >>> did_you_mean("Yield", ["yield"])
    " (did you mean 'yield'?)"
    >>> did_you_mean("zzz", ["yield"])
    ''
    >>> did_you_mean("moisture", ["Moisture"], suggest={"Moisture": "harvestMoisture"})
    " (did you mean 'harvestMoisture'?)"
    """
    spelled = {candidate.lower(): candidate for candidate in candidates}
    close = difflib.get_close_matches(name.lower(), list(spelled), n=n, cutoff=cutoff)
    offered = dict.fromkeys((suggest or {}).get(spelled[match], spelled[match]) for match in close)
    if not offered:
        return ""
    return f" (did you mean {' or '.join(repr(option) for option in offered)}?)"
