"""What an error tracker that records frame locals would send of keysmith's frames."""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType

# The framework's own request and connection objects: trackers scrub their headers by name.
FRAMEWORK_OBJECTS = frozenset({"scope", "request", "req"})


def keysmith_frame_locals(tb: TracebackType | None) -> Iterator[tuple[str, str, str]]:
    """``(function, local name, repr)`` of every local in keysmith's frames of a traceback."""
    while tb is not None:
        frame = tb.tb_frame
        if str(frame.f_globals.get("__name__", "")).startswith("keysmith."):
            for name, value in frame.f_locals.items():
                if name not in FRAMEWORK_OBJECTS:
                    yield frame.f_code.co_name, name, repr(value)
        tb = tb.tb_next


def leaks(tb: TracebackType | None, secret: str) -> list[tuple[str, str]]:
    """``(function, local name)`` of every keysmith frame local whose repr holds ``secret``."""
    return [
        (function, name) for function, name, shown in keysmith_frame_locals(tb) if secret in shown
    ]
