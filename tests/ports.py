"""Pick TCP ports for servers that a test starts with a port number.

The kernel hands out ports from its ephemeral range for ``bind(("", 0))`` and
for the local end of outgoing connections. A port picked that way and bound
later by another process can be handed out again in between, for example as
the local end of one of the test's own HTTP requests. A port below that range
is taken only by a process that requests it by number.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

__all__ = ["unused_port"]

_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
# Ports under 20000 are often fixed ones of common services.
_LOWEST = 20000
_random = random.SystemRandom()


def _ephemeral_start() -> int:
    try:
        return int(_RANGE_FILE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        # Linux's default range starts at 32768.
        return 32768


def unused_port(host: str = "127.0.0.1") -> int:
    """Return a port below the ephemeral range that ``host`` can bind now."""
    start = _ephemeral_start()
    if start <= _LOWEST + 100:
        # No room below the range: fall back to one the kernel picks.
        with socket.socket() as probe:
            probe.bind((host, 0))
            return int(probe.getsockname()[1])
    for _ in range(100):
        port = _random.randrange(_LOWEST, start)
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port on {host} between {_LOWEST} and {start}")
