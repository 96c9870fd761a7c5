"""A stop asked for by Ctrl+C or SIGTERM, remembered.

The signal handler raises KeyboardInterrupt where the program happens to be. CPython can
swallow that exception when it lands inside some of its C paths (a dict lookup that runs Python
code, parts of the import system), and the run would then go on and finish as if never
stopped. So the handler also remembers the request, and the steps that make a run's work final
(moving outputs into place) ask again."""

from __future__ import annotations

_requested = False


def request() -> None:
    global _requested
    _requested = True


def requested() -> bool:
    return _requested


def check() -> None:
    """Raise KeyboardInterrupt if a stop was asked for (whether or not its first one got through)."""
    if _requested:
        raise KeyboardInterrupt
